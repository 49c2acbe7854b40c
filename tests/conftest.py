"""Shared pytest set-up: hypothesis profiles and the ``--run-slow`` switch.

Hypothesis profiles:

* ``ci`` — reproducible: derandomized, no example database, ~60 examples,
  falsifying examples printed as blobs. Chosen when the ``CI`` environment
  variable is set.
* ``dev`` — the local default: random, 100 examples.
* ``heavy`` — 2,000 examples for a long local fuzzing session:
  ``CUSTTIER_HYPOTHESIS_PROFILE=heavy pytest``.

``CUSTTIER_HYPOTHESIS_PROFILE`` names a profile explicitly and wins over ``CI``.
Tests marked ``@pytest.mark.slow`` run only with ``--run-slow``.

The fuzz profile (``tests/test_fuzz.py``) has its own switch,
``CUSTTIER_FUZZ=heavy``; the run ends with the number of inputs it fed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Make ``import strategies`` work from every test module, whatever import mode is used.
sys.path.insert(0, str(Path(__file__).parent))

# Composite records (a full customer) take a few milliseconds each to draw and
# validate: no deadline, and no "too slow" health check failing a cold start.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=60,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "heavy", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _profile_name() -> str:
    explicit = os.environ.get("CUSTTIER_HYPOTHESIS_PROFILE")
    if explicit:
        return explicit
    return "ci" if os.environ.get("CI") else "dev"


settings.load_profile(_profile_name())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run tests marked slow (big books, long fuzzing)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"hypothesis profile: {_profile_name()}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    fed = sys.modules.get("strategies")
    counts = getattr(fed, "FUZZ_INPUTS", None)
    if counts:
        line = ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items()))
        terminalreporter.write_line(f"fuzz inputs: {line} ({sum(counts.values()):,} in all)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
