"""The docs name only what exists: commands, extras, public names and pages, taken from the code.

The truth comes from the code, never from a list kept here: the commands
from the ``custtier`` argparse parser, the extras from pyproject.toml, public
names by importing them, the pages from mkdocs.yml's nav. A page that names
a command, an extra or a ``custtier.*`` name that does not exist fails; so
does a page with a command table that leaves a command out, and a README
documentation list that leaves a page out.
"""

from __future__ import annotations

import argparse
import importlib
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from custtier import cli

ROOT = Path(__file__).parent.parent
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
_IDS = [p.name for p in PAGES]

#: Code spans and fenced blocks: where a page names commands and functions.
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
#: ``custtier COMMAND`` at the start of a span or line, after ``$ ``, ``-m `` or a pipe.
_COMMAND = re.compile(r"(?:^|[`$|(]\s*|-m |\n\s*)custtier ([a-z][a-z0-9-]*)", re.M)
_EXTRAS = re.compile(r"custtier\[([A-Za-z0-9_,\s-]+)\]")
#: A dotted ``custtier.x.y`` name; inside quotes it is a string (a logger's name), not a name.
_DOTTED = re.compile(r"(?<![\w./\"'])custtier((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
_IMPORT = re.compile(r"from (custtier(?:\.\w+)*) import \(?([\w\s,]+?)\)?\s*$", re.M)
_TABLE_COMMAND = re.compile(r"^\|\s*`custtier ([a-z][a-z0-9-]*)", re.M)


@cache
def commands() -> frozenset[str]:
    """The subcommands the ``custtier`` parser accepts."""
    parser = cli._parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return frozenset(action.choices)
    raise AssertionError("the custtier parser has no subcommands")


@cache
def extras() -> frozenset[str]:
    """The optional-dependency groups pyproject.toml declares."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return frozenset(tomllib.load(f)["project"]["optional-dependencies"])


def _code(page: Path) -> str:
    return "\n".join(_CODE.findall(page.read_text(encoding="utf-8")))


def _resolves(dotted: str) -> bool:
    """Whether ``custtier.a.b`` imports (a module) or resolves by attribute (a name)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=_IDS)
def test_every_command_a_page_names_exists(page: Path) -> None:
    named = {m for m in _COMMAND.findall(_code(page)) if m != "import"}
    assert named <= commands(), f"{page.name} names unknown commands {sorted(named - commands())}"


@pytest.mark.parametrize("page", PAGES, ids=_IDS)
def test_every_extra_a_page_names_exists(page: Path) -> None:
    named = {
        e.strip() for group in _EXTRAS.findall(page.read_text("utf-8")) for e in group.split(",")
    }
    assert named <= extras(), f"{page.name} names unknown extras {sorted(named - extras())}"


@pytest.mark.parametrize("page", PAGES, ids=_IDS)
def test_every_custtier_name_a_page_names_exists(page: Path) -> None:
    code = _code(page)
    dotted = {"custtier" + tail for tail in _DOTTED.findall(code)}
    imported = {
        f"{module}.{name.strip()}"
        for module, names in _IMPORT.findall(code)
        for name in names.split(",")
        if name.strip()
    }
    missing = sorted(n for n in dotted | imported if not _resolves(n))
    assert not missing, f"{page.name} names what custtier does not have: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=_IDS)
def test_a_command_table_lists_every_command(page: Path) -> None:
    listed = set(_TABLE_COMMAND.findall(page.read_text("utf-8")))
    if len(listed) >= 3:  # a page that tabulates commands tabulates them all
        assert listed == commands(), (
            f"{page.name}'s command table lacks {sorted(commands() - listed)}"
        )


@pytest.mark.parametrize("page", PAGES, ids=_IDS)
def test_no_page_calls_what_exists_planned(page: Path) -> None:
    words = {*extras(), *commands(), "columnar", "Spark", "Dask", "calendars"}
    for line in page.read_text("utf-8").splitlines():
        if re.search(r"\b(planned|to come)\b", line) and "planned for" not in line:
            found = [w for w in words if re.search(rf"\b{re.escape(w)}\b", line)]
            assert not found, f"{page.name} calls {found} planned or to come: {line.strip()}"


def test_the_readme_lists_every_page_of_the_site() -> None:
    mkdocs = (ROOT / "mkdocs.yml").read_text("utf-8")
    nav = mkdocs[mkdocs.index("\nnav:") :]
    pages = {
        target
        for target in re.findall(r"^\s*- [^:\n]+: ([\w/.-]+\.md)\s*$", nav, re.M)
        if target != "index.md" and not target.startswith("reference/")
    }
    assert {"getting-started.md", "cadence.md", "scale-out.md"} <= pages
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("## Documentation") :]
    missing = sorted(p for p in pages if f"(docs/{p})" not in section)
    assert not missing, f"README's documentation list lacks {missing}"


def test_the_checks_can_fail() -> None:
    # The patterns catch what they are for (a test of the test).
    assert _COMMAND.findall("`custtier frobnicate --x`") == ["frobnicate"]
    assert _COMMAND.findall("$ custtier tier a.jsonl") == ["tier"]
    assert _COMMAND.findall("from custtier import x") == []
    assert _EXTRAS.findall('pip install "custtier[frames,gpu]"') == ["frames,gpu"]
    assert not _resolves("custtier.frames.no_such_function")
    assert _resolves("custtier.frames.tier_table")
    assert _resolves("custtier.errors.MissingExtraError")
    assert _TABLE_COMMAND.findall("| `custtier demo` | x |\n| `custtier tier F` | y |") == [
        "demo",
        "tier",
    ]
