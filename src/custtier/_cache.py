"""Per-playbook caches: derived tables are built once per playbook, not per customer."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TYPE_CHECKING, Generic, NamedTuple, ParamSpec, Protocol, TypeVar

if TYPE_CHECKING:
    from custtier.rules import Playbook

__all__ = ["Memo", "cached", "clear_all", "module_cache", "per_playbook"]

T = TypeVar("T")
P = ParamSpec("P")


class Store(Protocol):
    """What ``clear_all`` needs of a cache: its size (for tests) and a way to empty it."""

    def __len__(self) -> int: ...
    def clear(self) -> None: ...


S = TypeVar("S", bound=Store)


class Registered(NamedTuple):
    """One cache ``clear_all`` empties, named where it lives."""

    name: str
    size: Callable[[], int]
    clear: Callable[[], None]


_SIZE = 32  # playbooks alive at once in one process; more are rebuilt, never wrong
#: Every cache of derived values in the package: per-playbook tables, module-level
#: memos, ``functools`` caches. Each registers itself where it is made, so
#: ``clear_all`` cannot miss one (tests/test_cache.py looks for any that did not).
ALL: list[Registered] = []


def module_cache(store: S, name: str) -> S:
    """Register ``store`` (a module-level memo: a dict, a set, ...) with ``clear_all``.

    ``name`` is where it lives (``module.attribute``), for a test to name it.
    """
    ALL.append(Registered(name, store.__len__, store.clear))
    return store


def cached(maxsize: int | None) -> Callable[[Callable[P, T]], functools._lru_cache_wrapper[T]]:
    """``functools.lru_cache(maxsize)``, registered with ``clear_all``."""

    def wrap(fn: Callable[P, T]) -> functools._lru_cache_wrapper[T]:
        memo = functools.lru_cache(maxsize=maxsize)(fn)
        ALL.append(
            Registered(
                f"{fn.__module__}.{fn.__qualname__}",
                lambda: memo.cache_info().currsize,
                memo.cache_clear,
            )
        )
        return memo

    return wrap


def per_playbook(build: Callable[[Playbook], T]) -> Callable[[Playbook], T]:
    """Wrap ``build(playbook)`` so each playbook object's result is computed once.

    Keyed by object identity and holding the playbook itself, so a recycled
    ``id()`` can never return another playbook's tables. Thread-safe; equal
    playbooks loaded twice simply build their own tables.
    """
    cache: dict[int, tuple[Playbook, T]] = module_cache(
        {}, f"{build.__module__}.{build.__qualname__}"
    )
    lock = Lock()

    def get(playbook: Playbook) -> T:
        hit = cache.get(id(playbook))
        if hit is not None and hit[0] is playbook:
            return hit[1]
        value = build(playbook)
        with lock:
            if len(cache) >= _SIZE:
                cache.pop(next(iter(cache)))
            cache[id(playbook)] = (playbook, value)
        return value

    get.__doc__ = build.__doc__
    return get


def clear_all() -> None:
    """Empty every cache in :data:`ALL` (values are rebuilt, equal, on next use).

    That is every playbook's compiled tables and reason memos, the contact
    planner's tables per playbook and horizon (up to tens of MB), JSON
    written once and shared, rendered reason texts, and the small memos of
    dates, zones, currencies and model layouts. For test tooling (and a
    long-lived process that wants its memory back): mutation testing maps
    each function to the tests that call it, and a plan built once per
    playbook is otherwise built (and mapped) only in the first test that uses
    that playbook. Not meant to run while other threads are deciding.
    """
    for entry in ALL:
        entry.clear()


class Memo(Generic[T]):
    """Immutable values (reasons) built once per key and then shared.

    Lives in a per-playbook table, so keys only need the attributes that vary
    within one playbook. Two threads racing on a new key build equal values
    and keep the first; nothing is ever wrong, at worst built twice. Keys may
    come from callers' data (product ids), so past ``limit`` keys new values
    are built and returned without being kept: memory stays bounded.
    """

    __slots__ = ("_limit", "_values", "peek")

    def __init__(self, limit: int = 10_000) -> None:
        self._values: dict[Hashable, T] = {}
        self._limit = limit
        #: ``peek(key)``: the value for ``key`` if built already, else ``None``. The
        #: dictionary's own ``get``: hot paths make no closure and no Python call.
        self.peek: Callable[[Hashable], T | None] = self._values.get

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value for ``key``, from ``build()`` the first time."""
        found = self._values.get(key)
        if found is None:
            found = build()
            if len(self._values) < self._limit:
                found = self._values.setdefault(key, found)
        return found
