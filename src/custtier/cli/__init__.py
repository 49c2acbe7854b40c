"""The command-line adapter: the one place custtier reads files and prints.

Commands (``custtier COMMAND --help`` shows each one's record format and an example)::

    custtier demo [--size N] [--seed S] [--as-of DATE] [--preset ID]
    custtier synth --size N --seed S --out BOOK.jsonl|BOOK.parquet [--requests FILE]
    custtier schema [--decision KIND]
    custtier validate FILE [--against OLD]
    custtier preset ID [--compact]
    custtier tier CUSTOMERS.jsonl (--playbook FILE | --preset ID) --as-of DATE [--previous FILE]
    custtier allocate REQUESTS.jsonl (--playbook FILE | --preset ID) --as-of DATE
                      [--catalogue FILE] [--include-excluded]
    custtier plan CUSTOMERS.jsonl (--playbook FILE | --preset ID) --start DATE --end DATE
                  [--calendar weekends|CN|CODE [--unpublished provisional|refuse]
                  [--published-through YEAR] [--holiday-language LANG]]
                  [--managers FILE] [--ics [--manager ID]]
    custtier worklist BOOK.jsonl (--playbook FILE | --preset ID) --managers FILE --manager ID
                      --on DATE [--horizon DAYS] [--catalogue FILE] [--history FILE]
                      [--calendar weekends|CN|CODE] [--table | --ics]

``tier``, ``allocate``, ``plan`` and ``worklist`` also take ``--output FILE``, ``--format
jsonl|csv|parquet``, ``--max-errors N|P%``, ``--progress`` and ``--quiet``.
They read their input line by line: a line that cannot be read or decided is
an error line with its 1-based number, and the run goes on. Input and output
are UTF-8 whatever the locale. At the end one summary line goes to standard
error. See docs/cli.md.

Exit codes:

* ``0`` — every record decided (or the failures are within ``--max-errors``);
  ``validate``: the playbook is valid;
* ``1`` — more records failed than ``--max-errors`` allows (default 0);
  ``validate``: the file is JSON but not a valid playbook;
* ``2`` — the invocation or an input file as a whole is wrong: a one-line
  message on standard error says what to fix, and nothing is written.

>>> main(["validate", "/no/such/playbook.json"])
2
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Sequence

from custtier._version import __version__
from custtier.cli import _allocate, _plan, _playbooks, _sample, _simulate, _tier, _worklist
from custtier.cli._input import UsageError
from custtier.cli._report import Exit
from custtier.cli._sample import DEFAULT_AS_OF

__all__ = ["DEFAULT_AS_OF", "Exit", "main"]

_EPILOG = """\
exit codes:
  0  all good (or failed records within --max-errors)
  1  some records failed (more than --max-errors); each is an error line in the output
  2  the invocation or an input file as a whole is wrong; nothing is written

a nightly run on a synthetic book (docs/cli.md):
  custtier synth --size 10000 --seed 7 --out book.jsonl
  custtier tier book.jsonl --preset practice --as-of 2026-11-30 -o decisions.jsonl
  custtier plan book.jsonl --preset practice --start 2026-12-01 --end 2027-02-28 \\
      --managers book.managers.json -o plan.jsonl
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    return int(_run(argv))


def _run(argv: Sequence[str] | None) -> int:
    _utf8_streams()
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else Exit.USAGE
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        code = command(args)
        sys.stdout.flush()
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return Exit.USAGE
    except BrokenPipeError:
        # The reader stopped (``custtier demo | head``): stop quietly.
        _silence_stdout()
        return Exit.FAILED
    except RecursionError:
        print("error: an input is nested too deeply to read", file=sys.stderr)
        return Exit.USAGE
    return code


def _utf8_streams() -> None:
    # Files, pipes and terminals get UTF-8 whatever the locale (LC_ALL=C, ISO-8859-1):
    # a decision written under one locale reads back under any other.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="strict")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file descriptor (tests): nothing is flushed at exit anyway


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="custtier",
        description="Deterministic, explainable relationship-management decisions.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"custtier {__version__}")
    sub = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    _sample.add_parsers(sub)
    _playbooks.add_parsers(sub)
    _tier.add_parser(sub)
    _allocate.add_parser(sub)
    _plan.add_parser(sub)
    _simulate.add_parser(sub)
    _worklist.add_parser(sub)
    return parser
