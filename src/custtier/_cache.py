"""Per-playbook caches: derived tables are built once per playbook, not per customer."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from custtier.rules import Playbook

__all__ = ["Memo", "per_playbook"]

T = TypeVar("T")

_SIZE = 32  # playbooks alive at once in one process; more are rebuilt, never wrong
_ALL: list[dict[int, Any]] = []  # every per-playbook cache, for clear_all


def per_playbook(build: Callable[[Playbook], T]) -> Callable[[Playbook], T]:
    """Wrap ``build(playbook)`` so each playbook object's result is computed once.

    Keyed by object identity and holding the playbook itself, so a recycled
    ``id()`` can never return another playbook's tables. Thread-safe; equal
    playbooks loaded twice simply build their own tables.
    """
    cache: dict[int, tuple[Playbook, T]] = {}
    _ALL.append(cache)
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
    """Forget every playbook's compiled tables and reason memos (they are rebuilt on use).

    For test tooling: mutation testing maps each function to the tests that
    call it, and a plan built once per playbook is otherwise built (and
    mapped) only in the first test that uses that playbook.
    """
    for cache in _ALL:
        cache.clear()


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
