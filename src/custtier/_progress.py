"""Progress reports for long batch work: an optional callback, called sparingly.

A callback is any ``callable(done, total)``; custtier calls it with
non-decreasing ``done`` and a fixed ``total``, and always ends with
``done == total`` — what a progress bar (tqdm's ``update``, a notebook
widget, a log line) needs. Reports come at most once per ``every`` units
so the callback costs nothing measurable on a hot loop.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["ProgressCallback", "Ticker"]


class ProgressCallback(Protocol):
    """Any ``callable(done, total)``: how much of the work is finished.

    The unit is the one the function documents (rows, records, contacts).
    A lambda, a bound method or a tqdm adapter all qualify.
    """

    def __call__(self, done: int, total: int, /) -> None:
        """Report ``done`` of ``total`` units finished."""


class Ticker:
    """Counts units of work and reports to a callback every ``every`` units and at the end."""

    __slots__ = ("_callback", "_done", "_every", "_next", "total")

    def __init__(self, callback: ProgressCallback | None, total: int, *, every: int = 1) -> None:
        if total < 0:
            raise ValueError("internal: a negative progress total")
        self._callback = callback
        self.total = total
        self._done = 0
        self._every = max(every, 1)
        self._next = self._every

    @property
    def reports(self) -> bool:
        """Whether anyone listens: without a callback a hot loop need not count."""
        return self._callback is not None

    def add(self, units: int = 1) -> None:
        """Mark ``units`` more as done; report when a step is crossed."""
        self._done = min(self._done + units, self.total)
        if self._callback is not None and self._done >= self._next and self._done < self.total:
            self._next = self._done + self._every
            self._callback(self._done, self.total)

    def finish(self) -> None:
        """Report ``(total, total)``: every unit is done (called once, at the end)."""
        self._done = self.total
        if self._callback is not None:
            self._callback(self.total, self.total)
