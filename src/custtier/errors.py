"""The error tree: every error custtier raises on purpose.

Each specific error also inherits the builtin it resembles, so code that
already catches ``ValueError`` or ``ImportError`` keeps working::

    CusttierError
    ├── InputError(ValueError)                bad data from outside
    │   ├── MoneyError                        float, NaN, infinity, over-precise amount
    │   ├── CurrencyError(LookupError)        currency code custtier has no minor unit for
    │   └── RecordValidationError             a record failed its model's validation
    ├── FrozenError(AttributeError)           a model was assigned to; use .replace()
    ├── RuleProblemsError(ValueError)         inside validators: several (path, message) problems
    ├── PlaybookError(ValueError)             a rule set that must not exist
    └── MissingExtraError(ImportError)        an optional extra is not installed

Messages name the field and say what to do instead. They never contain the
offending value: a bad value may be a personal identifier. The structured
form, :meth:`RecordValidationError.errors`, carries field locations and error
types only (pydantic's own ``ValidationError.errors()`` includes the raw
input, which is why custtier never lets one escape).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from custtier._cache import module_cache
from custtier._fast import FAST_PATH, REFERENCE

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "CurrencyError",
    "CusttierError",
    "ErrorDetail",
    "FrozenError",
    "InputError",
    "MissingExtraError",
    "MoneyError",
    "PlaybookError",
    "RecordValidationError",
    "RuleProblemsError",
    "safe_errors",
]


class CusttierError(Exception):
    """Root of every error custtier raises on purpose."""


class InputError(CusttierError, ValueError):
    """Data from outside is not acceptable; ``field`` names where."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only ``field`` would be lost by the default (args-only) pickling.
        return (_rebuild_input_error, (type(self), str(self), self.field))


class MoneyError(InputError):
    """An amount is a float, NaN, infinite, or finer than the currency's minor unit.

    >>> from custtier.errors import MoneyError
    >>> issubclass(MoneyError, ValueError)
    True
    """


class CurrencyError(InputError, LookupError):
    """A currency code has no known ISO 4217 minor unit."""


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One problem found in a record: where, what kind, and what to do.

    ``loc`` is the path to the field (``("kyc", "identity", "phone")``),
    ``type`` a stable machine-readable code, ``msg`` a human sentence that
    contains no input value.
    """

    loc: tuple[str | int, ...]
    type: str
    msg: str

    @property
    def field(self) -> str:
        """The dotted field path, e.g. ``kyc.identity.phone``."""
        return ".".join(str(part) for part in self.loc) or "<record>"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (loc as a list)."""
        return {"loc": list(self.loc), "type": self.type, "msg": self.msg}


class RecordValidationError(InputError):
    """A record (customer, KYC file, product, playbook part …) failed validation.

    Built from pydantic's ``ValidationError`` with every input value removed.
    """

    def __init__(self, model: str, details: Sequence[ErrorDetail]) -> None:
        self.model = model
        self.details = tuple(details)
        first = self.details[0].field if self.details else None
        super().__init__(_render(model, self.details), field=first)

    @classmethod
    def from_pydantic(cls, model: str, exc: ValidationError) -> RecordValidationError:
        """Translate a pydantic error, dropping inputs, URLs and context objects.

        Errors raised by custtier's own validators keep their field path: an
        :class:`InputError` with ``field`` extends the location, and a
        :class:`RuleProblemsError` expands into one detail per problem.
        """
        return cls(model, _details(exc.errors(include_input=False, include_url=False)))

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable, so an error raised in a worker process reaches the driver.
        return (type(self), (self.model, self.details))

    def errors(self) -> list[dict[str, Any]]:
        """Field locations, error types and messages; never the input."""
        return [d.as_dict() for d in self.details]


class RuleProblemsError(CusttierError, ValueError):
    """Raised inside validators to report several ``(path, message)`` problems at once."""

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p}: {m}" for p, m in self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable, so a validator's error raised in a worker reaches the driver.
        return (type(self), (self.problems,))


class FrozenError(CusttierError, AttributeError):
    """A frozen custtier value was assigned to; build a new one with ``replace()``.

    Raised instead of pydantic's own error, whose message would show the
    value being assigned (possibly a personal identifier).
    """


class PlaybookError(CusttierError, ValueError):
    """A playbook (rule set) is invalid: gaps, overlaps, dangling references, bad weights.

    ``problems`` lists each problem as ``(path, message)``.
    """

    def __init__(self, problems: Iterable[tuple[str, str]], *, playbook_id: str | None = None):
        self.problems = tuple(problems)
        self.playbook_id = playbook_id
        name = f"playbook {playbook_id!r}" if playbook_id else "playbook"
        lines = [f"{name} is invalid ({len(self.problems)} problem(s)):"]
        lines += [f"  - {path}: {msg}" for path, msg in self.problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_playbook_error, (self.problems, self.playbook_id))


class MissingExtraError(CusttierError, ImportError):
    """An optional dependency is needed; the message says which extra installs it."""

    def __init__(self, *, extra: str, module: str, purpose: str) -> None:
        self.extra = extra
        self.module_name = module
        self.purpose = purpose
        super().__init__(
            f"{purpose} needs the optional package {module!r}; "
            f'install it with: pip install "custtier[{extra}]"'
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_missing_extra, (self.extra, self.module_name, self.purpose))


def _rebuild_input_error(cls: type[InputError], message: str, field: str | None) -> InputError:
    return cls(message, field=field)


def _rebuild_playbook_error(
    problems: tuple[tuple[str, str], ...], playbook_id: str | None
) -> PlaybookError:
    return PlaybookError(problems, playbook_id=playbook_id)


def _rebuild_missing_extra(extra: str, module: str, purpose: str) -> MissingExtraError:
    return MissingExtraError(extra=extra, module=module, purpose=purpose)


def safe_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """pydantic-style error dicts with every input value removed: ``loc``, ``type``, ``msg``.

    Keys that came from the input read ``<unknown key>``, as in
    :class:`RecordValidationError`. For a web framework's validation error, whose ``errors()`` carry the raw
    input (FastAPI's ``RequestValidationError`` does, whatever the model's
    config says): answer with this list instead. ``input``, ``ctx`` and
    ``url`` are dropped; custtier's own validators keep their field paths.

    >>> raw = [{"type": "string_too_short", "loc": ("body", "key"), "input": "",
    ...         "msg": "String should have at least 1 character", "ctx": {"min_length": 1}}]
    >>> safe_errors(raw)
    [{'loc': ['body', 'key'], 'type': 'string_too_short', 'msg': 'String should have at least 1 character'}]
    """
    return [d.as_dict() for d in _details(errors, _WEB_ROOTS)]


def _details(
    errors: Iterable[Mapping[str, Any]], roots: frozenset[str] = frozenset()
) -> list[ErrorDetail]:
    details: list[ErrorDetail] = []
    names = _known_names() | roots
    for err in errors:
        if FAST_PATH in err["loc"]:
            continue  # a native fast path missed; the reference validation's error says why
        loc = tuple(_safe_part(p, names) for p in err["loc"] if p != REFERENCE)
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, RuleProblemsError):
            details += [
                ErrorDetail(loc=loc + _path(path), type="rule_problem", msg=msg)
                for path, msg in cause.problems
            ]
        elif isinstance(cause, InputError) and cause.field:
            details.append(ErrorDetail(loc + _path(cause.field), err["type"], _safe_msg(err)))
        else:
            details.append(ErrorDetail(loc, err["type"], _safe_msg(err)))
    return details


#: Stands in for a location part that came from the input (an unknown key, a
#: mapping's key): a caller's key may be a phone number, so it is not repeated.
UNKNOWN_KEY = "<unknown key>"

# Where a web framework says a value came from: location parts it writes itself.
_WEB_ROOTS = frozenset({"body", "query", "path", "header", "cookie"})


# Field names of every custtier model, added as each model class is defined
# (CusttierModel.__pydantic_init_subclass__): the location parts custtier wrote.
_FIELD_NAMES: set[str] = {"[key]"}
# (field names seen, names): built once, again when a model is defined.
_KNOWN: list[tuple[int, frozenset[str]]] = module_cache([], "errors._KNOWN")


def register_field_names(names: Iterable[str]) -> None:
    """Record a model's field names as location parts errors may repeat."""
    _FIELD_NAMES.update(names)


def _known_names() -> frozenset[str]:
    # Field names and the words of custtier's vocabularies; anything else in a
    # location came from the input. Rebuilt only when a new model was defined.
    if _KNOWN and _KNOWN[-1][0] == len(_FIELD_NAMES):
        return _KNOWN[-1][1]
    from enum import StrEnum  # noqa: PLC0415  # only when an error is built

    names = set(_FIELD_NAMES)
    todo: list[type[StrEnum]] = [StrEnum]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("custtier."):
            names.update(str(m.value) for m in cls)
    built = frozenset(names)
    _KNOWN[:] = [(len(_FIELD_NAMES), built)]
    return built


def _safe_part(part: Any, names: frozenset[str]) -> str | int:
    if isinstance(part, int) or part in names:
        return part  # type: ignore[no-any-return]
    return UNKNOWN_KEY


def _safe_msg(err: Mapping[str, Any]) -> str:
    # Messages of our own validators are written without values; pydantic's
    # built-in messages describe the expected type, never the input.
    if err["type"] == "extra_forbidden":
        return "unknown field; remove it or check its spelling (its name is not repeated)"
    msg = str(err["msg"])
    prefix = "Value error, "
    return msg[len(prefix) :] if msg.startswith(prefix) else msg


def _path(dotted: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split(".") if p)


def _render(model: str, details: Sequence[ErrorDetail]) -> str:
    lines = [f"invalid {model} ({len(details)} problem(s)):"]
    lines += [f"  - {d.field}: {d.msg} [{d.type}]" for d in details]
    return "\n".join(lines)
