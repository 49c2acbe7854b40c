"""The base every custtier model shares: frozen, strict about extras, safe errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from custtier.errors import (
    ErrorDetail,
    FrozenError,
    RecordValidationError,
    register_field_names,
)

__all__ = ["REVEAL_PERSONAL_DATA", "CusttierModel"]

#: Serialisation context key that makes personal fields export in clear text.
REVEAL_PERSONAL_DATA = "reveal_personal_data"


class CusttierModel(BaseModel):
    """Frozen, ``extra="forbid"``, and never lets a raw pydantic error escape.

    Every way of building a model (``Model(...)``, ``model_validate``,
    ``model_validate_json``, ``from_record``, ``from_json``) raises
    :class:`~custtier.errors.RecordValidationError`, whose message and
    ``errors()`` name fields and problems but never contain input values.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        validate_default=False,
        use_enum_values=False,
    )

    _record_name: ClassVar[str] = "record"

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Errors repeat a location part only if a model declared it (never a key from input).
        register_field_names(cls.model_fields)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
            return
        except ValidationError as exc:
            error = RecordValidationError.from_pydantic(type(self).__name__, exc)
        # Raised outside the except block so pydantic's error (which holds the
        # input) is not chained as __context__.
        raise error

    # Tell pydantic this __init__ only wraps errors: nested models are then
    # validated inside pydantic-core without calling it (faster, and nested
    # error locations stay intact). tests/test_errors.py guards the behaviour.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):  # private attributes (a playbook's cached hash)
            super().__setattr__(name, value)
            return
        # pydantic's frozen-instance error echoes the value; ours never does.
        raise FrozenError(
            f"{type(self).__name__} is frozen; build a changed copy with .replace({name}=...)"
        )

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"{type(self).__name__} is frozen; fields cannot be deleted")

    @classmethod
    def model_validate(  # same call; raises RecordValidationError
        cls, obj: Any, *args: Any, **kwargs: Any
    ) -> Self:
        try:
            if args or kwargs:
                return super().model_validate(obj, *args, **kwargs)
            # pydantic's wrapper only forwards its defaults: call the validator itself.
            model: Self = cls.__pydantic_validator__.validate_python(obj)
            return model
        except ValidationError as exc:
            error = RecordValidationError.from_pydantic(cls.__name__, exc)
        raise error

    @classmethod
    def model_validate_json(  # same call; raises RecordValidationError
        cls, json_data: str | bytes | bytearray, *args: Any, **kwargs: Any
    ) -> Self:
        try:
            if args or kwargs:
                return super().model_validate_json(json_data, *args, **kwargs)
            model: Self = cls.__pydantic_validator__.validate_json(json_data)
            return model
        except ValidationError as exc:
            error = RecordValidationError.from_pydantic(cls.__name__, exc)
        raise error

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        """Build from a mapping the caller read (a JSON object, a database row).

        Anything else (``None``, a list of pairs) is refused with a
        :class:`~custtier.errors.RecordValidationError`, not converted.
        """
        if type(record) is not dict:  # a plain dict is read as it is (pydantic copies nothing)
            if not isinstance(record, Mapping):
                raise RecordValidationError(
                    cls.__name__,
                    [ErrorDetail((), "model_type", "a record must be a mapping (a JSON object)")],
                )
            record = dict(record)
        return cls.model_validate(record)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Build from JSON text the caller read."""
        return cls.model_validate_json(text)

    def to_record(self, *, reveal_personal_data: bool = False) -> dict[str, Any]:
        """A JSON-ready dict. Personal identifiers are ``"[redacted]"`` unless revealed.

        Only ``reveal_personal_data=True`` exports them in clear text; that
        export round-trips through :meth:`from_record` without loss.
        """
        return self.model_dump(mode="json", context={REVEAL_PERSONAL_DATA: reveal_personal_data})

    def to_json(self, *, reveal_personal_data: bool = False) -> str:
        """Like :meth:`to_record`, as compact JSON text."""
        return self.model_dump_json(context={REVEAL_PERSONAL_DATA: reveal_personal_data})

    def model_dump_json(self, **options: Any) -> str:  # same call, same bytes
        """pydantic's ``model_dump_json``; the call without options skips its wrapper.

        The wrapper forwards fifteen keyword defaults to pydantic-core on
        every call (about 0.8 µs, as much as writing a small decision), and
        an engine's results are dumped one by one, dozens per customer.
        """
        if options:
            return super().model_dump_json(**options)
        return self.__pydantic_serializer__.to_json(self).decode()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update`` the result is re-validated (see :meth:`replace`).

        pydantic's own ``model_copy(update=...)`` skips validation, which would
        let an invalid value (or a playbook with a stale hash) exist.
        """
        if update:
            return self.replace(**update)
        return super().model_copy(deep=deep)

    def replace(self, **changes: Any) -> Self:
        """A new, re-validated model with ``changes`` applied (the original is unchanged).

        Unlike pydantic's ``model_copy(update=...)``, the result is validated.
        """
        data = self.to_record(reveal_personal_data=True)
        data.update(
            {
                k: v.to_record(reveal_personal_data=True) if isinstance(v, CusttierModel) else v
                for k, v in changes.items()
            }
        )
        return type(self).model_validate(data)
