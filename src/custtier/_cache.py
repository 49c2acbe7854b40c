"""Per-playbook caches: derived tables are built once per playbook, not per customer."""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from custtier.rules import Playbook

__all__ = ["per_playbook"]

T = TypeVar("T")

_SIZE = 32  # playbooks alive at once in one process; more are rebuilt, never wrong


def per_playbook(build: Callable[[Playbook], T]) -> Callable[[Playbook], T]:
    """Wrap ``build(playbook)`` so each playbook object's result is computed once.

    Keyed by object identity and holding the playbook itself, so a recycled
    ``id()`` can never return another playbook's tables. Thread-safe; equal
    playbooks loaded twice simply build their own tables.
    """
    cache: dict[int, tuple[Playbook, T]] = {}
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
