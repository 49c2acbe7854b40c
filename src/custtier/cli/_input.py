"""Reading the command line's inputs: UTF-8 whatever the locale, one JSON value per line.

A line ends at ``\\n`` only (a ``\\r`` before it is dropped): U+2028 and the
other Unicode separators are legal inside a JSON string and never split a
record. A UTF-8 byte order mark at the start of a file is skipped. A line that
cannot be read — not UTF-8, not JSON, an integer too long for Python, nesting
too deep — becomes a :class:`LineError` with its 1-based number, and the rest
of the file is still read. A file that cannot be read at all raises
:class:`UsageError`, which the command turns into exit code 2.
"""

from __future__ import annotations

import importlib
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from custtier._error_codes import ErrorCode

__all__ = [
    "LineError",
    "UsageError",
    "json_file",
    "json_lines",
    "json_text",
    "open_binary",
    "records",
]

_BOM = b"\xef\xbb\xbf"


class UsageError(Exception):
    """The invocation or an input file as a whole is wrong: exit 2 with this one-line message."""


@dataclass(frozen=True, slots=True)
class LineError:
    """Why one input line is not a JSON value (never the line's text, which may be personal)."""

    code: ErrorCode
    message: str


def open_binary(name: str) -> IO[bytes]:
    """The file ``name`` opened for reading bytes (``-``: standard input)."""
    if name == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is not None:
            return buffer  # type: ignore[no-any-return]
        # A text stream without bytes underneath (tests swap in io.StringIO).
        return io.BytesIO(sys.stdin.read().encode("utf-8"))
    try:
        return Path(name).open("rb")
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None


def parse(data: bytes, *, whole_file: bool = False) -> Any:
    """One JSON value from UTF-8 bytes; raises ``_BadLineError`` naming what is wrong (not the text)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadLineError(ErrorCode.INVALID_JSON, "not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if whole_file else f"column {exc.colno}"
        raise _BadLineError(ErrorCode.INVALID_JSON, f"not valid JSON: {where}: {exc.msg}") from None
    except RecursionError:
        raise _BadLineError(
            ErrorCode.INVALID_JSON, "not JSON custtier reads: nested too deeply"
        ) from None
    except ValueError:  # an integer beyond Python's digit limit (sys.get_int_max_str_digits)
        raise _BadLineError(
            ErrorCode.INVALID_JSON, "not JSON custtier reads: a number with too many digits"
        ) from None


class _BadLineError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.error = LineError(code, message)


def json_lines(name: str) -> Iterator[tuple[int, Any | LineError]]:
    """``(line number, value or LineError)`` for every non-blank line of ``name``."""
    stream = open_binary(name)
    try:
        for number, raw in enumerate(stream, start=1):
            data = raw.rstrip(b"\n").removesuffix(b"\r")
            if number == 1:
                data = data.removeprefix(_BOM)
            if not data.strip():
                continue
            try:
                yield number, parse(data)
            except _BadLineError as bad:
                yield number, bad.error
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    finally:
        if name != "-":
            stream.close()


def json_file(name: str, *, what: str) -> Any:
    """The one JSON value in file ``name`` (the managers, the catalogue)."""
    return json_text(name, what=what)[1]


def json_text(name: str, *, what: str) -> tuple[str, Any]:
    """The text of JSON file ``name`` (a playbook) and its value, checked to be JSON."""
    stream = open_binary(name)
    try:
        data = stream.read()
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    finally:
        if name != "-":
            stream.close()
    data = data.removeprefix(_BOM)
    try:
        value = parse(data, whole_file=True)
    except _BadLineError as bad:
        raise UsageError(f"{what} {name} is {bad.error.message}") from None
    return data.decode("utf-8"), value


def records(name: str) -> Iterator[tuple[int, Any | LineError]]:
    """Input records: JSON lines, or the rows of a Parquet file (``*.parquet``, numbered from 1).

    A Parquet row's nulls are absent fields, as in the JSON lines ``custtier
    synth`` writes beside it.
    """
    if not name.lower().endswith((".parquet", ".pq")):
        yield from json_lines(name)
        return
    try:
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise UsageError(
            f'{name}: reading Parquet needs the Arrow extra: pip install "custtier[frames]"'
        ) from None
    try:
        table = pq.read_table(name)
    except OSError as exc:
        raise UsageError(f"cannot read {name} as Parquet: {exc}") from None
    for number, batch_row in enumerate(table.to_pylist(), start=1):
        yield number, _without_nulls(batch_row)


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
