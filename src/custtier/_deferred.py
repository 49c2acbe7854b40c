"""Models whose fields are rendered from an engine's record on first read.

An engine's result can be cheap to decide and dear to describe: the tier is
a band lookup, its reasons a catalogue message per rule. A model built with
:func:`deferred` holds the few fields given to it (the outcome a caller
routes on) and the record the rest are rendered from; the first read of any
other field, and anything that looks at the model as a whole, renders every
field once, in field order, and from then on the model is the same object
an eager construction gives.

"Anything that looks at the model as a whole" goes through ``__dict__``:
pydantic's ``==``, ``hash``, ``repr``, iteration, pickling and copying read
``self.__dict__``, and pydantic-core's serializer reads the attribute
``__dict__`` of every model it writes, nested ones included. The
:class:`Deferred` mixin makes ``__dict__`` a property that renders first,
so none of them ever sees the pending record, and ``__getattr__`` (called
only for a name missing from the instance dictionary) renders before a
field or one of pydantic's slots is read. A field read after rendering is a
plain instance-dictionary lookup, as on any model.

A class may also register a writer (:func:`writes`): ``model_dump_json()``
without options then writes a pending model's JSON straight from its record,
byte for byte what pydantic writes of the rendered model, and the model
stays pending (its fields are not rendered for it). A class may also
register a reader of one field (:func:`reads`): :func:`field_of` then reads
that field of a pending model from its record, and the model stays pending
(another engine that takes a decision reads only what it needs).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

__all__ = [
    "PENDING",
    "Deferred",
    "deferred",
    "field_of",
    "raw_set",
    "reads",
    "renders",
    "writes",
]

#: The key under which a pending model keeps its record: not an identifier,
#: so no field and no attribute read can name it.
PENDING = "(pending)"

# The instance dictionary and pydantic's per-instance slots, set as they are:
# past the ``__dict__`` property below, and without ``object.__setattr__``'s
# lookup of the name through the class's bases.
_RAW = BaseModel.__dict__["__dict__"]
_raw_get = _RAW.__get__
_raw_set = _RAW.__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
#: Set a model's instance dictionary as it is (a hot path may build a pending model inline).
raw_set = _raw_set
_new = object.__new__
_SLOTS = frozenset({"__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"})
# Held only to check and publish a rendering (never while rendering).
_publish = threading.Lock()

Renderer = Callable[[Any], dict[str, Any]]
# Per class: the function that renders every field, in field order, from a record.
_renderers: dict[type, Renderer] = {}

Writer = Callable[[Any], "str | None"]
# Per class: the function that writes a pending model's JSON from its record (None: cannot).
_writers: dict[type, Writer] = {}

Reader = Callable[[Any], Any]
# Per (class, field name): the function that reads that one field of a pending model.
_readers: dict[tuple[type, str], Reader] = {}

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", bound=Renderer)
W = TypeVar("W", bound=Writer)
F = TypeVar("F", bound=Reader)


def renders(cls: type[BaseModel]) -> Callable[[R], R]:
    """Register the decorated function as what renders a pending ``cls`` from its record.

    It returns every field of ``cls``, in field order, as an eager
    construction holds them, and must be pure: two threads may both call it
    for one model, and either result is kept.
    """

    def register(render: R) -> R:
        _renderers[cls] = render
        return render

    return register


def writes(cls: type[BaseModel]) -> Callable[[W], W]:
    """Register the decorated function as what writes a pending ``cls``'s JSON from its record.

    It returns exactly ``model_dump_json()`` of the rendered model, or
    ``None`` for a record it cannot write (pydantic then renders and writes).
    """

    def register(write: W) -> W:
        _writers[cls] = write
        return write

    return register


def reads(cls: type[BaseModel], name: str) -> Callable[[F], F]:
    """Register the decorated function as what reads field ``name`` of a pending ``cls``.

    It returns exactly the value the renderer gives that field, and must be
    pure; the renderer should call it for that field, so the two cannot differ.
    """

    def register(read: F) -> F:
        _readers[cls, name] = read
        return read

    return register


def field_of(obj: object, name: str, default: Any = None) -> Any:
    """``getattr(obj, name, default)``, without rendering a pending model that has a reader.

    A field already set (given to the pending model, or rendered) is read as
    it is; a pending model's field with a registered reader (:func:`reads`)
    is read from the record, and the model stays pending; anything else is
    ``getattr``.
    """
    if isinstance(obj, Deferred):
        raw: dict[str, Any] = _raw_get(obj)
        if name in raw:
            return raw[name]
        record = raw.get(PENDING)
        if record is not None:
            read = _readers.get((type(obj), name))
            if read is not None:
                return read(record)
    return getattr(obj, name, default)


def deferred(cls: type[M], values: dict[str, Any]) -> M:
    """A ``cls`` holding ``values``: some fields, and the record under :data:`PENDING`.

    ``cls`` must mix in :class:`Deferred`, have a renderer (:func:`renders`)
    and be a model without validation aliases, private attributes or extra
    fields (an engine's result). The fields given must equal the rendered ones.
    """
    obj = _new(cls)
    _raw_set(obj, values)
    return obj


class Deferred:
    """Mixin of a model that may be built pending (:func:`deferred`), rendered on first read.

    Rendering is pure, so two threads reading at once may both render; the
    first to publish wins and both return its values.
    """

    __slots__ = ()

    def _rendered(self) -> dict[str, Any]:
        """The instance dictionary, every field rendered (at most once per object)."""
        raw: dict[str, Any] = _raw_get(self)
        record = raw.get(PENDING)
        if record is None:
            return raw
        fields = _renderers[type(self)](record)
        fields_set = set(fields)
        with _publish:
            raw = _raw_get(self)
            if PENDING not in raw:  # another thread published first
                return raw
            # The slots first: a reader that sees the rendered dictionary sees them set.
            _set_fields_set(self, fields_set)
            _set_extra(self, None)
            _set_private(self, None)
            _raw_set(self, fields)
        return fields

    if not TYPE_CHECKING:  # to mypy, attributes stay exactly the model's fields

        @property
        def __dict__(self) -> dict[str, Any]:
            raw = _raw_get(self)
            return self._rendered() if PENDING in raw else raw

        @__dict__.setter
        def __dict__(self, values: dict[str, Any]) -> None:
            _raw_set(self, values)  # pydantic's own construction, copy and unpickling

        def __getattr__(self, name: str) -> Any:
            # Only names absent from the instance dictionary get here: a pending
            # model's unrendered fields and unset slots, or a missing attribute.
            # Not "if still pending": another thread may have published the
            # rendering since this lookup missed, and the name is there now.
            if name in type(self).__pydantic_fields__:
                fields = self._rendered()
                if name in fields:
                    return fields[name]
            elif name in _SLOTS:
                self._rendered()
                return object.__getattribute__(self, name)
            return super().__getattr__(name)

        def model_dump_json(self, **options: Any) -> str:
            # Without options a pending model with a writer is written from its record.
            if not options:
                record = _raw_get(self).get(PENDING)
                if record is not None:
                    write = _writers.get(type(self))
                    out = None if write is None else write(record)
                    if out is not None:
                        return out
            return super().model_dump_json(**options)

    def _is_pending(self) -> bool:
        """Whether the fields are still to be rendered (tests and diagnostics)."""
        return PENDING in _raw_get(self)
