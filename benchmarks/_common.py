"""Helpers the benchmark scripts share: the machine block, subprocess runs, statistics, Markdown.

Import it from a script in ``benchmarks/`` (``python benchmarks/X.py`` puts this
folder first on ``sys.path``); :func:`use_benchmarks_dir` makes the sibling
scripts (``bench_batch``, ``bench_tiering`` …) importable from anywhere else.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Distributions whose versions the machine block reports (absent ones are left out).
PACKAGES = (
    "custtier",
    "pydantic",
    "pydantic-core",
    "python-dateutil",
    "numpy",
    "pyarrow",
    "pandas",
    "polars",
    "zen-engine",
    "rule-engine",
    "holidays",
    "lunardate",
)


def use_benchmarks_dir() -> None:
    """Put ``benchmarks/`` on ``sys.path`` so the bench scripts import as modules."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))


def peak_mib() -> float:
    """This process's own peak resident set size so far, in MiB.

    ``VmHWM`` from ``/proc/self/status`` where there is one: Linux carries
    ``ru_maxrss`` across ``exec``, so a fresh subprocess's ``ru_maxrss``
    starts at its parent's peak (a suite parent that built a book would hide
    every smaller child peak). Elsewhere, ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- machine


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hypervisor() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""
    for line in out.splitlines():
        if line.startswith("Hypervisor vendor:"):
            return f", {line.split(':', 1)[1].strip()} guest"
    return ""


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"`{head}`" + (" + uncommitted changes" if dirty else "")


def _load() -> str:
    """1, 5 and 15-minute load averages when the run starts: a shared machine's noise."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} CPUs"


def machine_block() -> str:
    """Markdown: CPU, cores, OS, Python, package versions, commit."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    libc = " ".join(platform.libc_ver()).strip()
    rows = [
        ("CPU", f"{cpu_model()}, {os.cpu_count()} logical CPUs ({usable} usable){hypervisor()}"),
        ("OS", f"{platform.system()} {platform.release()} {platform.machine()}, {libc}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("packages", ", ".join(versions)),
        ("commit", commit()),
        ("load average", _load()),
    ]
    return md_table(("", ""), rows, "l" * 2)


# --------------------------------------------------------------------------- subprocesses


def run_json(script: Path, spec: dict[str, Any], *, timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Run ``script --one SPEC`` in a fresh interpreter; its last stdout line is JSON.

    A failed or timed-out run comes back as ``{"error": "..."}`` so one broken
    measurement does not lose the others.
    """
    cmd = [sys.executable, str(script), "--one", json.dumps(spec)]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {proc.returncode}: {tail[:200]}"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- statistics


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of already sorted values, by linear interpolation."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def exponent(points: Sequence[tuple[int, float]]) -> float:
    """``k`` in ``time ∝ n^k``: least squares on log-log (needs two sizes or more)."""
    use_benchmarks_dir()
    from bench_batch import exponent as fit

    return fit(list(points)) if len(points) > 1 else math.nan


# --------------------------------------------------------------------------- formatting


def fmt_seconds(seconds: float) -> str:
    """A duration with a unit that keeps three or four significant digits."""
    if seconds >= 10:
        return f"{seconds:,.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:,.1f} ms"
    return f"{seconds * 1e6:,.1f} µs"


def fmt_ratio(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:,.0f}×" if value >= 100 else f"{value:,.2f}×" if value < 10 else f"{value:,.1f}×"  # fmt: skip


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str) -> str:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r``."""
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
