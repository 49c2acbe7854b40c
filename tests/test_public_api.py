"""The public surface: one sorted ``__all__`` that names everything users import."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import custtier

# Names users import from ``custtier`` directly (docs/design.md, DESIGN §6).
REQUIRED = {
    # models
    "Customer", "KycFile", "Identity", "ImportantDate", "FamilyMember", "RiskAssessment",
    "Answer", "Product", "ProductHolding", "RelationshipManager", "ContactRecord",
    "ContactPreferences", "ChannelConsent", "MonthlyBalance",
    # vocabularies
    "AmlRating", "CalendarKind", "Channel", "DateKind", "Liquidity", "Need", "Purpose", "Relation",
    # rules
    "Playbook", "presets",
    # errors
    "errors", "CusttierError",
    # explanations
    "Decision", "Reason", "ReasonCode", "PlaybookRef", "REASON_DESCRIPTIONS",
    # money
    "split", "quantize", "Rounding", "minor_unit",
    "__version__",
}  # fmt: skip


def _isort_key(name: str) -> tuple[int, str]:
    # ruff RUF022 order: SCREAMING_CASE, then CamelCase, then everything else.
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def test_all_is_sorted_and_unique() -> None:
    names = list(custtier.__all__)
    assert len(names) == len(set(names))
    assert names == sorted(names, key=_isort_key)


def test_every_name_in_all_resolves() -> None:
    for name in custtier.__all__:
        assert hasattr(custtier, name), name
        assert getattr(custtier, name) is not None


def test_the_names_users_need_are_exported() -> None:
    missing = REQUIRED - set(custtier.__all__)
    assert not missing, f"not exported from custtier: {sorted(missing)}"


@pytest.mark.parametrize(
    ("package", "private"),
    [
        ("custtier.models", {"CusttierModel"}),
        ("custtier._explain", {"Fact"}),
    ],
)
def test_public_names_of_the_model_and_explanation_modules_are_exported(
    package: str, private: set[str]
) -> None:
    module = importlib.import_module(package)
    missing = set(module.__all__) - private - set(custtier.__all__)
    assert not missing, f"{package} names not exported from custtier: {sorted(missing)}"
    for name in set(module.__all__) & set(custtier.__all__):
        assert getattr(custtier, name) is getattr(module, name)


def test_exported_objects_come_from_custtier() -> None:
    for name in custtier.__all__:
        obj = getattr(custtier, name)
        if isinstance(obj, str) or name in {"ERROR_DESCRIPTIONS", "REASON_DESCRIPTIONS"}:
            continue  # plain data: __version__, the description mapping
        module = str(getattr(obj, "__module__", None) or getattr(obj, "__name__", ""))
        assert module.startswith("custtier"), (name, module)


def test_error_module_exports_resolve_and_share_the_root() -> None:
    for name in custtier.errors.__all__:
        assert hasattr(custtier.errors, name)
    assert custtier.CusttierError is custtier.errors.CusttierError


def test_dir_lists_all_and_every_exported_name() -> None:
    listing = dir(custtier)
    assert "__all__" in listing
    assert set(custtier.__all__) <= set(listing)


def test_version_is_a_pep440_string() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+([abc]|rc)?\d*(\.dev\d+)?", custtier.__version__)


def test_every_submodule_imports_cleanly() -> None:
    # Optional extras are imported lazily: importing any module must not need one.
    for info in pkgutil.walk_packages(custtier.__path__, prefix="custtier."):
        parts = info.name.split(".")
        if parts[-1] == "__main__" or any(p.startswith("_") for p in parts[1:]):
            continue  # private modules may wrap an extra behind a lazy import
        try:
            module = importlib.import_module(info.name)
        except ImportError as exc:  # pragma: no cover - reported as a failure
            pytest.fail(f"importing {info.name} needs an optional dependency: {exc}")
        for name in getattr(module, "__all__", ()):
            assert hasattr(module, name), f"{info.name}.__all__ names missing {name!r}"
