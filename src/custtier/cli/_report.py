"""What a run tells its operator: exit codes, the error budget, progress and the summary line."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum

from custtier.cli._input import UsageError

__all__ = ["ErrorBudget", "Exit", "Progress", "Tally"]


class Exit(IntEnum):
    """The exit codes a scheduler can act on (documented in ``--help`` and docs/cli.md)."""

    OK = 0  #: every record decided
    FAILED = 1  #: more records failed than ``--max-errors`` allows (``validate``: invalid)
    USAGE = 2  #: the invocation or an input file as a whole is wrong; nothing was decided


_BUDGET = re.compile(r"(\d+)(\.\d+)?(%?)")


@dataclass(frozen=True, slots=True)
class ErrorBudget:
    """``--max-errors``: how many failed records a run tolerates before it exits 1.

    ``N`` is a count, ``P%`` a share of the records read; the default ``0``
    fails the run on the first failed record.

    >>> ErrorBudget.parse("5").exceeded(errors=6, records=1000)
    True
    >>> ErrorBudget.parse("0.5%").exceeded(errors=5, records=1000)
    False
    """

    limit: Decimal
    percent: bool

    @classmethod
    def parse(cls, text: str) -> ErrorBudget:
        """``"N"`` or ``"P%"``; a ``UsageError`` otherwise."""
        match = _BUDGET.fullmatch(text.strip())
        if match is None or (match[2] and not match[3]):
            raise UsageError(f"--max-errors {text!r}: give a count like 10 or a share like 0.5%")
        limit = Decimal(match[1] + (match[2] or ""))
        if match[3] and limit > 100:
            raise UsageError(f"--max-errors {text!r}: a share is at most 100%")
        return cls(limit, bool(match[3]))

    def exceeded(self, *, errors: int, records: int) -> bool:
        """True when ``errors`` of ``records`` is more than the budget allows."""
        if self.percent:
            return errors * 100 > self.limit * records
        return errors > self.limit


@dataclass(slots=True)
class Tally:
    """Counts of one run, ending in the one summary line written to standard error."""

    command: str
    outcome: str = "decisions"
    records: int = 0
    decided: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def error(self, code: str) -> None:
        """Count one failed record."""
        self.errors[code] += 1

    def line(self) -> str:
        """``custtier tier: 1,000 records in, 990 decisions, 10 errors (invalid_json 10), 0.4 s``."""
        failed = sum(self.errors.values())
        by_code = ", ".join(f"{code} {n:,}" for code, n in sorted(self.errors.items()))
        parts = [
            f"{self.records:,} records in",
            f"{self.decided:,} {self.outcome}",
            f"{failed:,} errors" + (f" ({by_code})" if by_code else ""),
            *self.details,
            f"{time.monotonic() - self.started:.1f} s",
        ]
        return f"custtier {self.command}: " + ", ".join(parts)

    def exit_code(self, budget: ErrorBudget) -> Exit:
        """1 when the failed records exceed the budget, else 0."""
        failed = sum(self.errors.values())
        return Exit.FAILED if budget.exceeded(errors=failed, records=self.records) else Exit.OK


class Progress:
    """``--progress``: a bar redrawn in place on a terminal; plain lines every 10 % otherwise.

    A log file gets whole lines (``tiering: 2,500/10,000 (25%)``), never
    carriage returns. ``custtier.ProgressCallback``-shaped, so the engines
    drive it directly.
    """

    def __init__(self, label: str, *, enabled: bool, width: int = 30) -> None:
        self._label, self._enabled, self._width = label, enabled, width
        self._terminal = enabled and sys.stderr.isatty()
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        percent = 100 if total == 0 else done * 100 // total
        step = percent if self._terminal else percent // 10 * 10
        if step == self._shown and done != total:
            return
        if done == total and self._shown == 100:
            return
        self._shown = step
        if self._terminal:
            filled = self._width * percent // 100
            bar = "#" * filled + "." * (self._width - filled)
            end = "\n" if done == total else ""
            sys.stderr.write(f"\r{self._label} [{bar}] {percent:3d}% {done:,}/{total:,}{end}")
        else:
            sys.stderr.write(f"{self._label}: {done:,}/{total:,} ({percent}%)\n")
        sys.stderr.flush()
