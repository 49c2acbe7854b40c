"""Bounded, escaped displays for notebooks and consoles: one renderer for every result.

A result describes itself as a :class:`View` (a title, a few facts, a few
small tables) built in :mod:`custtier._views`; this module turns any view
into HTML (``_repr_html_``) or text (``_repr_pretty_``, and ``repr`` for
results that can hold a whole book). The bounds live here, once: at most
:data:`MAX_ROWS` rows per table and :data:`MAX_CELL` characters per cell,
so a display stays a few kB whether the book has 30 customers or 3 million.
Every string is HTML-escaped; views never carry personal data (they show
aggregates, pseudonymous keys and rule text only).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["MAX_CELL", "MAX_ROWS", "Displayable", "Shown", "Table", "View", "register"]

#: Rows shown per table; the rest are counted in a closing "… N more" row.
MAX_ROWS = 12
#: Characters shown per cell (and per fact value); longer text ends in "…".
MAX_CELL = 80


def clip(value: object, limit: int = MAX_CELL) -> str:
    """``str(value)`` cut to ``limit`` characters, ending in "…" when cut."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Table:
    """A small table: ``rows`` beyond :data:`MAX_ROWS` are summarised, never shown."""

    title: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[object]]
    note: str = ""

    def shown(self) -> tuple[list[list[str]], int]:
        """The clipped rows to show, and how many were left out."""
        rows = [[clip(c) for c in row] for row in self.rows[:MAX_ROWS]]
        return rows, max(0, len(self.rows) - MAX_ROWS)


@dataclass(frozen=True, slots=True)
class View:
    """What a result shows: a title, ``facts`` (label, value) and a few tables."""

    title: str
    facts: Sequence[tuple[str, object]] = ()
    tables: Sequence[Table] = field(default_factory=tuple)

    def html(self) -> str:
        """The view as an escaped HTML fragment."""
        out = [f'<div class="custtier"><strong>{_e(clip(self.title, 200))}</strong>']
        if self.facts:
            items = "".join(
                f"<li>{_e(clip(label))}: {_e(clip(value))}</li>" for label, value in self.facts
            )
            out.append(f"<ul>{items}</ul>")
        for table in self.tables:
            out.append(_html_table(table))
        out.append("</div>")
        return "".join(out)

    def text(self) -> str:
        """The view as plain text with aligned columns."""
        lines = [clip(self.title, 200)]
        lines += [f"  {clip(label)}: {clip(value)}" for label, value in self.facts]
        for table in self.tables:
            lines.append("")
            lines += _text_table(table)
        return "\n".join(lines)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(table: Table) -> str:
    rows, more = table.shown()
    head = "".join(f"<th>{_e(h)}</th>" for h in table.headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    if more:
        body += f'<tr><td colspan="{len(table.headers)}">… {more} more</td></tr>'
    if not rows:
        body += f'<tr><td colspan="{len(table.headers)}">(none)</td></tr>'
    note = f"<small>{_e(clip(table.note, 200))}</small>" if table.note else ""
    return (
        f"<p>{_e(clip(table.title))}</p>"
        f'<table><thead><tr style="text-align: left">{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{note}"
    )


def _text_table(table: Table) -> list[str]:
    rows, more = table.shown()
    widths = [len(h) for h in table.headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [table.title]
    lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(table.headers, widths, strict=True)))
    lines += [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]
    if more:
        lines.append(f"  … {more} more")
    if not rows:
        lines.append("  (none)")
    if table.note:
        lines.append(f"  {clip(table.note, 200)}")
    return [line.rstrip() for line in lines]


_VIEWS: dict[type, Callable[[Any], View]] = {}
_SHORT_REPR: set[type] = set()


def register(
    cls: type, *, short_repr: bool = False
) -> Callable[[Callable[[Any], View]], Callable[[Any], View]]:
    """Register the view builder of ``cls`` (and its subclasses unless they register their own).

    ``short_repr=True`` for classes whose value can hold a whole book: their
    ``repr`` becomes the view's title instead of every field.
    """

    def decorate(build: Callable[[Any], View]) -> Callable[[Any], View]:
        _VIEWS[cls] = build
        if short_repr:
            _SHORT_REPR.add(cls)
        return build

    return decorate


def view_of(obj: object) -> View:
    """The registered view of ``obj``, by its nearest registered class."""
    for cls in type(obj).__mro__:
        build = _VIEWS.get(cls)
        if build is not None:
            return build(obj)
    raise TypeError(f"no display registered for {type(obj).__name__}")


class _Printer(Protocol):
    def text(self, text: str) -> None: ...


class Shown:
    """A view to show as it is (``Decision.display(locale)``): HTML in a notebook, text in a console."""

    __slots__ = ("view",)

    def __init__(self, view: View) -> None:
        self.view = view

    def _repr_html_(self) -> str:
        return self.view.html()

    def _repr_pretty_(self, p: _Printer, cycle: bool) -> None:
        p.text(self.view.text())

    def __repr__(self) -> str:
        return self.view.text()


class Displayable:
    """Mixin: ``_repr_html_`` and ``_repr_pretty_`` from the class's registered view.

    Put it first among the bases so its ``__repr__`` wins over pydantic's.
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return view_of(self).html()

    def _repr_pretty_(self, p: _Printer, cycle: bool) -> None:
        p.text(f"{type(self).__name__}(...)" if cycle else view_of(self).text())

    def __repr__(self) -> str:
        if type(self) in _SHORT_REPR:
            return f"<{view_of(self).title}>"
        return super().__repr__()
