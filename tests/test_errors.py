"""The error tree: one root, builtin bases, the drawn tree, safe and located messages."""

from __future__ import annotations

import builtins
import inspect
import pickle
import re
from typing import Any

import pytest

import custtier
from custtier import Customer, KycFile, Playbook, errors, presets
from custtier.errors import (
    CurrencyError,
    CusttierError,
    ErrorDetail,
    FrozenError,
    InputError,
    MissingExtraError,
    MoneyError,
    PlaybookError,
    RecordValidationError,
    RuleProblemsError,
)

# --------------------------------------------------------------------------- the tree


@pytest.mark.parametrize(
    ("error", "builtins"),
    [
        (InputError, (ValueError,)),
        (MoneyError, (ValueError,)),
        (CurrencyError, (LookupError, ValueError)),
        (RecordValidationError, (ValueError,)),
        (PlaybookError, (ValueError,)),
        (FrozenError, (AttributeError,)),
        (RuleProblemsError, (ValueError,)),
        (MissingExtraError, (ImportError,)),
    ],
)
def test_every_error_is_a_custtier_error_and_the_builtin_it_resembles(
    error: type[Exception], builtins: tuple[type[Exception], ...]
) -> None:
    assert issubclass(error, CusttierError)
    for builtin in builtins:
        assert issubclass(error, builtin)


def test_every_public_error_class_is_covered_above() -> None:
    public = {
        getattr(errors, name)
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), BaseException)
    }
    assert public == {
        CusttierError,
        InputError,
        MoneyError,
        CurrencyError,
        RecordValidationError,
        PlaybookError,
        FrozenError,
        RuleProblemsError,
        MissingExtraError,
    }


_TREE_LINE = re.compile(r"^(?P<indent>[\s│├└─]*?)(?P<name>[A-Z]\w*Error)(?:\((?P<bases>[^)]*)\))?")


def _docstring_tree() -> list[tuple[int, str, list[str]]]:
    """(depth, class name, builtins named in parentheses) per line of the drawn tree."""
    doc = errors.__doc__ or ""
    rows = []
    for line in doc.splitlines():
        if not line.startswith("    "):
            continue
        body = line[4:]
        m = _TREE_LINE.match(body)
        if not m:
            continue
        depth = len(m.group("indent")) // 4
        bases = [b.strip() for b in (m.group("bases") or "").split(",") if b.strip()]
        rows.append((depth, m.group("name"), bases))
    return rows


def test_docstring_tree_draws_every_public_error_with_its_real_parents() -> None:
    rows = _docstring_tree()
    drawn = [name for _, name, _ in rows]
    assert drawn[0] == "CusttierError"
    assert len(drawn) == len(set(drawn))
    defined = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == errors.__name__
    }
    public = {n for n in defined if n in errors.__all__}
    assert set(drawn) == public
    # Anything defined but not drawn must stay out of the public surface.
    for name in defined - set(drawn):
        assert name not in errors.__all__
        assert name not in custtier.__all__
    parents: list[str] = []
    for depth, name, bases in rows:
        cls = getattr(errors, name)
        del parents[depth:]
        if parents:
            assert issubclass(cls, getattr(errors, parents[-1])), (name, parents[-1])
        for base in bases:
            assert issubclass(cls, getattr(builtins, base)), (name, base)
        parents.append(name)


# --------------------------------------------------------------------------- messages and data


def test_input_error_carries_the_field() -> None:
    err = MoneyError("principal is a float", field="principal")
    assert err.field == "principal"
    assert str(err) == "principal is a float"


def test_playbook_error_lists_problems_and_names_the_playbook() -> None:
    err = PlaybookError([("tiers", "tier 'x' is defined more than once")], playbook_id="mine")
    assert err.problems == (("tiers", "tier 'x' is defined more than once"),)
    assert err.playbook_id == "mine"
    assert "playbook 'mine' is invalid (1 problem(s))" in str(err)
    assert "  - tiers: tier 'x' is defined more than once" in str(err)


def test_missing_extra_error_says_how_to_install() -> None:
    err = MissingExtraError(extra="frames", module="pyarrow", purpose="Columnar output")
    assert err.extra == "frames"
    assert err.module_name == "pyarrow"
    assert 'pip install "custtier[frames]"' in str(err)
    assert "pyarrow" in str(err)


def test_error_detail_field_and_dict() -> None:
    d = ErrorDetail(loc=("kyc", "identity", "phone"), type="string_too_short", msg="too short")
    assert d.field == "kyc.identity.phone"
    assert ErrorDetail(loc=(), type="t", msg="m").field == "<record>"
    assert d.as_dict() == {
        "loc": ["kyc", "identity", "phone"],
        "type": "string_too_short",
        "msg": "too short",
    }


def test_record_validation_error_renders_every_detail() -> None:
    err = RecordValidationError(
        "Customer",
        [
            ErrorDetail(("key",), "string_pattern_mismatch", "bad key"),
            ErrorDetail(("a", 0), "t", "m"),
        ],
    )
    assert err.model == "Customer"
    assert err.field == "key"
    assert str(err).splitlines() == [
        "invalid Customer (2 problem(s)):",
        "  - key: bad key [string_pattern_mismatch]",
        "  - a.0: m [t]",
    ]
    assert err.errors() == [
        {"loc": ["key"], "type": "string_pattern_mismatch", "msg": "bad key"},
        {"loc": ["a", 0], "type": "t", "msg": "m"},
    ]


# --------------------------------------------------------------------------- nested locations

_BAD_MONTH: dict[str, Any] = {
    "key": "C1",
    "monthly_balances": [
        {"month": "2026-01", "average_daily_balance": "10.00"},
        {"month": "2026-13", "average_daily_balance": "10.00"},
    ],
}


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda d: Customer(**d), id="init"),
        pytest.param(Customer.model_validate, id="model_validate"),
        pytest.param(Customer.from_record, id="from_record"),
        pytest.param(lambda d: Customer.from_json(__import__("json").dumps(d)), id="from_json"),
    ],
)
def test_nested_validation_keeps_error_locations(build: Any) -> None:
    # Guards a pydantic-internal behaviour custtier relies on: with
    # ``__pydantic_base_init__`` on CusttierModel.__init__, nested models are
    # validated inside pydantic-core, so the location of a nested error stays
    # ``monthly_balances.1.month`` instead of being flattened by a re-raise.
    with pytest.raises(RecordValidationError) as info:
        build(_BAD_MONTH)
    err = info.value
    assert [d.loc for d in err.details] == [("monthly_balances", 1, "month")]
    assert err.details[0].field == "monthly_balances.1.month"
    assert err.details[0].type == "string_pattern_mismatch"
    assert err.field == "monthly_balances.1.month"
    assert "monthly_balances.1.month" in str(err)


def test_deeply_nested_locations_and_every_problem_listed() -> None:
    record = {
        "key": "C1",
        "assets_under_management": 1.5,
        "kyc": {"customer_key": "C1", "identity": {"phone": ""}, "aml_rating": "extreme"},
    }
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record(record)
    fields = {d.field for d in info.value.details}
    assert fields == {"assets_under_management", "kyc.identity.phone", "kyc.aml_rating"}


def test_own_validator_errors_extend_the_location() -> None:
    # check_precision raises MoneyError(field=...) inside a model validator:
    # the detail points at that field, not at the whole record.
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record(
            {"key": "C1", "products_held": [{"product_id": "P1", "principal": "1.005"}]}
        )
    assert info.value.details[0].loc == ("products_held", 0, "principal")
    with pytest.raises(RecordValidationError) as info2:
        KycFile.from_record({"customer_key": "C1", "declared_external_assets": "0.001"})
    assert info2.value.details[0].field == "declared_external_assets"


def test_unknown_currency_on_a_record_is_reported_at_currency() -> None:
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record({"key": "C1", "currency": "XYZ"})
    assert info.value.details[0].field == "currency"


def test_no_raw_pydantic_error_escapes_any_constructor() -> None:
    from pydantic import ValidationError

    for build in (
        lambda: Customer.from_record({"key": ""}),
        lambda: Customer.from_json("{"),
        lambda: Customer.model_validate_json(b'{"key": 1}'),
        lambda: KycFile(customer_key="C1", occupation="x" * 81),
    ):
        with pytest.raises(CusttierError) as info:
            build()
        assert not isinstance(info.value, ValidationError)


def test_playbook_errors_are_playbook_errors_not_record_errors() -> None:
    data = presets.PRACTICE.to_record()
    data["tiers"] = []
    with pytest.raises(PlaybookError) as info:
        Playbook.from_record(data)
    assert not isinstance(info.value, RecordValidationError)
    assert info.value.playbook_id == "practice"
    assert (
        "tiers",
        "Tuple should have at least 1 item after validation, not 0",
    ) in info.value.problems


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize(
    "err",
    [
        pytest.param(
            RecordValidationError("Customer", [ErrorDetail(("key",), "t", "m")]), id="record"
        ),
        pytest.param(PlaybookError([("tiers", "empty")], playbook_id="p"), id="playbook"),
        pytest.param(MissingExtraError(extra="frames", module="pyarrow", purpose="x"), id="extra"),
    ],
)
def test_errors_survive_pickling(err: CusttierError) -> None:
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert str(back) == str(err)
    assert back.__dict__ == err.__dict__


def test_input_errors_survive_pickling() -> None:
    err = MoneyError("principal is a float", field="principal")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is MoneyError
    assert back.field == "principal"
    assert str(back) == str(err)
