"""The benchmark suite at tiny sizes, so it never rots: every case runs and reports numeric times.

No timing is asserted (``make test`` runs on any machine). pandas is optional: without it the
harness prints a note and leaves the pandas baselines out, and this test still passes.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import CASE_NAMES  # noqa: E402  (the suite lives beside src/, not in it)

# Every case the suite reports; a case that silently drops out fails here.
CASES = set(CASE_NAMES)
# Reported only when benchmarks/records_large_county.py writes the county (else a fallback builds it).
OPTIONAL = {"records_read"}
# Baselines each case must report (pandas only where pandas is installed).
BASELINES = {
    "rate_ci": {"polars", "pandas"},
    "proportion_ci": {"polars", "pandas"},
    "progress": {"polars", "pandas"},
    "catalogue": {"polars", "per_year_calls"},
    "records_series": {"single_calls"},
    "import": {"polars"},
    "catalogue_load": {"tomllib"},
    "first_call": {"polars"},
    "streaming": {"polars"},
    "region_read_xml": {"iterparse"},
    "region_read_csv": {"polars_read_csv"},
    "region_cla_31_march": {"polars"},
    "region_cla_starts": {"polars"},
    "region_3_placements": {"polars"},
    "region_re_referrals": {"polars"},
}
HAVE_PANDAS = all(importlib.util.find_spec(m) is not None for m in ("pandas", "pyarrow"))


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("bench") / "latest.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYP_BENCH_")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--output", str(out),
         "--tmp", str(out.parent)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "PASS" in done.stdout or "MISS" in done.stdout
    if not HAVE_PANDAS:
        assert "pandas" in done.stdout
        assert "skipped" in done.stdout
    parsed: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return parsed


def test_every_case_has_numeric_times(report: dict[str, object]) -> None:
    cases = report["cases"]
    assert isinstance(cases, list)
    reported = {c["case"] for c in cases}
    assert CASES - OPTIONAL <= reported <= CASES
    for case in cases:
        lib = case["library"]
        assert _numeric(lib["median_s"]), case["case"]
        assert lib["reps"] >= 2
        assert all(_numeric(t) for t in lib["times_s"])
        assert _numeric(case["case_peak_rss_mb"])
        assert case["case_peak_rss_mb"] > 0
        expected = BASELINES.get(case["case"], set())
        if not HAVE_PANDAS:
            expected = expected - {"pandas"}
        assert expected <= set(case["baselines"]), case["case"]
        for name, base in case["baselines"].items():
            assert _numeric(base["median_s"]), (case["case"], name)


def test_implementations_agree(report: dict[str, object]) -> None:
    """The library and every baseline computed the same numbers (checked once per case)."""
    assert report["disagreements"] == []
    assert report["errors"] == []
    for case in report["cases"]:  # type: ignore[attr-defined]
        for name, check in case["checks"].items():
            assert check["agree"], (case["case"], name, check)


def test_region_counts_every_record(report: dict[str, object]) -> None:
    """The partnership case: each floor computed the library's counts (checked in the case),
    and every record of every derivation is counted or excluded with a reason."""
    cases = {c["case"]: c for c in report["cases"]}  # type: ignore[attr-defined]
    derive = cases["region_derive"]
    accounting = derive["accounting"]
    assert accounting["unbalanced"] == 0, accounting["problems"]
    assert accounting["rows_in"] > 0
    assert accounting["rows_in"] == (
        accounting["counted"] + accounting["not_counted"] + accounting["excluded_on_reading"]
    )
    for name in ("region_cla_31_march", "region_cla_starts", "region_3_placements",
                 "region_re_referrals"):  # fmt: skip
        assert cases[name]["checks"]["polars"]["agree"], cases[name]["checks"]
    assert derive["library_alone_peak_rss_mb"] > 0


def test_targets_are_in_the_json(report: dict[str, object]) -> None:
    targets = report["targets"]
    assert isinstance(targets, list)
    assert len(targets) >= 8
    for t in targets:
        if not HAVE_PANDAS and "pandas" in t["target"]:
            assert t["status"] == "NOT RUN", t
        else:
            assert t["status"] in {"PASS", "MISS"}, t
        assert _numeric(t["threshold"])
