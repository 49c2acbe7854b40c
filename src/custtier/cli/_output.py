"""Writing the command line's results: JSON lines, CSV or Parquet, to a file or standard output.

JSON lines are written as they come. CSV and Parquet are tables: nested
values are flattened (``playbook.id``, ``error.code``; lists as JSON text)
and the columns are the union of every record's, in first-seen order, so
the rows are held until the end. A file named with ``--output`` is written
beside its final name and moved into place only when the run finishes, so a
job that fails half way never leaves half a file behind.
"""

from __future__ import annotations

import csv
import importlib
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from custtier.cli._input import UsageError

__all__ = ["Format", "Sink", "choose_format", "open_sink"]


class Format(StrEnum):
    """An output format: ``--format``."""

    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"


_BY_SUFFIX = {".csv": Format.CSV, ".parquet": Format.PARQUET, ".pq": Format.PARQUET}


def choose_format(given: str | None, output: str | None) -> Format:
    """``--format`` if given, else from ``--output``'s suffix, else JSON lines."""
    if given is not None:
        return Format(given)
    if output is not None:
        return _BY_SUFFIX.get(Path(output).suffix.lower(), Format.JSONL)
    return Format.JSONL


class Sink:
    """Where records go. ``record`` takes a mapping or, for JSON lines, its exact JSON text."""

    def __init__(self, fmt: Format, output: str | None, *, nested: bool = False) -> None:
        self.format = fmt
        self._nested = nested
        self._output = output
        self._rows: list[dict[str, Any]] = []
        self._partial = None if output is None else _partial_name(output)
        self._stream: IO[str] | None = None
        if fmt is Format.PARQUET:
            if output is None:
                raise UsageError("--format parquet writes a file: add --output FILE.parquet")
            _pyarrow()  # fail before any work, not after it
        if fmt is Format.JSONL:
            self._stream = self._open()

    def _open(self) -> IO[str]:
        if self._partial is None:
            return sys.stdout
        try:
            return self._partial.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise UsageError(f"cannot write {self._output}: {exc.strerror or exc}") from None

    def record(self, data: dict[str, Any] | str) -> None:
        """Write one record (JSON lines) or keep it for the table (CSV, Parquet)."""
        if self._stream is not None:
            text = data if isinstance(data, str) else _json(data)
            self._stream.write(text + "\n")
        else:
            row = json.loads(data) if isinstance(data, str) else data
            self._rows.append(row if self._nested else _flat(row))

    def text(self, text: str) -> None:
        """Write text as it is (iCalendar)."""
        if self._stream is None:
            self._stream = self._open()
        self._stream.write(text)

    def close(self) -> None:
        """Finish: write the table, flush, move the file into place."""
        if self.format is Format.CSV:
            self._stream = self._stream or self._open()
            _write_csv(self._stream, self._rows)
        elif self.format is Format.PARQUET and self._partial is not None:
            _write_parquet(self._partial, self._rows, nested=self._nested)
        if self._stream is not None:
            self._stream.flush()
            if self._stream is not sys.stdout:
                self._stream.close()
        if self._partial is not None and self._output is not None:
            os.replace(self._partial, self._output)

    def discard(self) -> None:
        """Drop a half-written file (the run stopped with exit 2)."""
        if self._stream is not None and self._stream is not sys.stdout:
            self._stream.close()
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)


def open_sink(fmt: Format, output: str | None, *, nested: bool = False) -> Sink:
    """A sink for ``fmt`` writing to ``output`` (``None`` or ``-``: standard output).

    ``nested``: Parquet keeps records' structure (structs and lists) instead of
    flattening them, for files custtier reads back (``custtier synth``).
    """
    return Sink(fmt, None if output in (None, "-") else output, nested=nested)


def _partial_name(output: str) -> Path:
    path = Path(output)
    return path.with_name(f".{path.name}.partial")


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            out[name] = value
    return out


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _write_csv(stream: IO[str], rows: list[dict[str, Any]]) -> None:
    writer = csv.DictWriter(stream, fieldnames=_columns(rows), restval="", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _pyarrow() -> Any:
    try:
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise UsageError(
            'Parquet needs the Arrow extra: pip install "custtier[frames]", or use --format jsonl'
        ) from None
    return pa, pq


def _write_parquet(path: Path, rows: list[dict[str, Any]], *, nested: bool) -> None:
    pa, pq = _pyarrow()
    if nested:
        _parquet_file(pq, pa.Table.from_pylist(rows), path)
        return
    columns = _columns(rows)
    arrays = {}
    for name in columns:
        values = [row.get(name) for row in rows]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, bool) for v in present):
            arrays[name] = pa.array(values, type=pa.bool_())
        elif present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            arrays[name] = pa.array(values, type=pa.int64())
        else:  # text; money stays exact as its decimal string
            arrays[name] = pa.array(
                [None if v is None else _text(v) for v in values], type=pa.string()
            )
    _parquet_file(pq, pa.table(arrays), path)


def _parquet_file(pq: Any, table: Any, path: Path) -> None:
    try:
        pq.write_table(table, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path.name}: {exc}") from None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)
