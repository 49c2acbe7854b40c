"""Shared pytest set-up: hypothesis profiles and the ``--run-slow`` switch.

Hypothesis profiles:

* ``ci`` — reproducible: derandomized, no example database, ~60 examples,
  falsifying examples printed as blobs. Chosen when the ``CI`` environment
  variable is set.
* ``dev`` — the local default: random, 100 examples.
* ``heavy`` — 2,000 examples for a long local fuzzing session:
  ``CUSTTIER_HYPOTHESIS_PROFILE=heavy pytest``.
* ``mutation`` — derandomized, 20 examples: the mutation run executes the
  property tests once per mutant (thousands of times), and a mutant a
  property test can kill is killed by its first examples or not at all
  (``CUSTTIER_HYPOTHESIS_PROFILE=mutation mutmut run``).

``CUSTTIER_HYPOTHESIS_PROFILE`` names a profile explicitly and wins over ``CI``.
Tests marked ``@pytest.mark.slow`` run only with ``--run-slow``.

The fuzz profile (``tests/test_fuzz.py``) has its own switch,
``CUSTTIER_FUZZ=heavy``; the run ends with the number of inputs it fed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
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
    "mutation",
    derandomize=True,
    database=None,
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
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


@pytest.fixture(autouse=True)
def _plans_rebuilt_under_mutation() -> None:
    # Under mutmut (it sets MUTANT_UNDER_TEST, "stats" while it maps tests to
    # functions) every test rebuilds the compiled plans it uses: otherwise a
    # plan's builder is mapped to, and its mutants run against, only the first
    # test that used that playbook.
    if os.environ.get("MUTANT_UNDER_TEST"):
        from custtier._cache import clear_all  # only imported under mutation

        clear_all()


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


#: The driver's result-size cap of every Spark test: Spark's smallest (1 MiB),
#: far below what the old all-candidates pass collected (tests/test_workflows_scale.py).
SPARK_MAX_RESULT = "1m"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One Spark ``local[2]`` session for every Spark test (start-up costs seconds).

    Its driver may receive at most :data:`SPARK_MAX_RESULT` per action, and
    Arrow batches are small (64 rows) so a partition is many batches.
    Skipped with a message when pyspark or Java is missing.
    """
    pytest.importorskip("pyspark", reason='Spark tests need pip install "custtier[spark]"')
    import shutil  # only the Spark tests need it

    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.skip("Spark tests need Java 17 or newer (no java on PATH, no JAVA_HOME)")
    from pyspark.sql import SparkSession  # optional extra

    # Workers must run this interpreter (the one with custtier and pyarrow installed).
    saved = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    builder = SparkSession.builder
    if os.environ.get("CUSTTIER_SCALE"):  # the opt-in test at scale: room for its shuffles
        builder = builder.config("spark.driver.memory", "4g")
    session = (
        builder.master("local[2]")
        .appName("custtier-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.maxResultSize", SPARK_MAX_RESULT)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("FATAL")
    try:
        yield session
    finally:
        session.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def written(tmp_path: Path) -> Any:
    """``written(spark_frame, arrow_schema)``: the frame written to Parquet and read back.

    How a job hands its output on; the driver receives no rows (the Spark
    session's result-size cap would refuse a whole output).
    """
    import pyarrow.parquet as pq  # only the Spark tests need it

    count = iter(range(1_000_000))

    def read(frame: Any, schema: Any) -> Any:
        path = tmp_path / f"out-{next(count)}"
        frame.write.parquet(str(path))
        return pq.read_table(path).select(schema.names).cast(schema)

    return read
