"""Interval values against the PHE workbook reference sheets (tests/reference/phe).

Every row of every sheet is its own test. Values are compared to a relative tolerance of 1e-9
(``abs(got - want) <= 1e-9 * max(1, abs(want))``). Provenance: tests/reference/README.md.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from scipy import stats

import cyp_indicators as cyp

PHE = Path(__file__).parent / "reference" / "phe"
TOLERANCE = 1e-9
BOTH_LEVELS = [0.95, 0.998]
LEVEL = {"95%": 0.95, "99.8%": 0.998}
# Workbook column -> our column, for the two-level (ungrouped) sheets.
LIMIT_COLUMNS = {
    "lower95_0cl": "lower_95",
    "upper95_0cl": "upper_95",
    "lower99_8cl": "lower_99_8",
    "upper99_8cl": "upper_99_8",
}
RESULT_COLUMNS = ["value", *LIMIT_COLUMNS.values()]


def close(got: float | None, want: float, *, tolerance: float = TOLERANCE) -> bool:
    """True when ``got`` is a number within the relative tolerance of ``want``."""
    return got is not None and abs(got - want) <= tolerance * max(1.0, abs(want))


def assert_close(got: float | None, want: float, what: str) -> None:
    """Fail naming the quantity when ``got`` is not within tolerance of ``want``."""
    assert close(got, want), f"{what}: got {got!r}, workbook {want!r}"


def to_float(text: str | None) -> float | None:
    """A workbook cell as a float (empty -> None)."""
    return None if text is None or text == "" else float(text)


@cache
def sheet(name: str) -> tuple[dict[str, Any], ...]:
    """The rows of a reference CSV, every cell read as text."""
    return tuple(pl.read_csv(PHE / name, infer_schema_length=0).iter_rows(named=True))


def row_params(name: str) -> list[Any]:
    """One pytest param per sheet row, with an id naming the row."""
    params = []
    for i, row in enumerate(sheet(name), start=1):
        parts = [f"row{i:02d}"]
        for key in ("Area", "method", "confidence", "multiplier"):
            if row.get(key):
                parts.append(str(row[key]).replace("%", "pct"))
        params.append(pytest.param(row, id="-".join(parts)))
    return params


def one_value(expr: pl.Expr, frame: pl.DataFrame) -> float | None:
    """Evaluate a single-row expression on ``frame``."""
    value = frame.select(expr.alias("v"))["v"][0]
    return None if value is None else float(value)


def input_frame(row: dict[str, Any]) -> pl.DataFrame:
    """A one-row input frame from a workbook row (empty cells as nulls)."""
    return pl.DataFrame(
        {
            "Area": [row["Area"]],
            "num": [to_float(row["Numerator"])],
            "den": [to_float(row["Denominator"])],
        },
        schema={"Area": pl.String, "num": pl.Float64, "den": pl.Float64},
    )


def assert_missing_row(result: dict[str, Any], row: dict[str, Any], *, grouped: bool) -> None:
    """A row with a missing count: null value, limits and method, and a reason naming the side."""
    assert result["value"] is None
    for column in result:
        if column.startswith(("lower_", "upper_")):
            assert result[column] is None, column
    assert result["method"] is None
    reason = result["reason"]
    assert reason is not None
    assert reason.startswith("x:")
    assert ("includes a missing value" if grouped else "is missing") in reason
    if row["Numerator"] in (None, ""):
        assert "numerator" in reason
    else:
        assert "denominator" in reason


# --- Byar's and Wilson limits (sheet B_W) ----------------------------------------------------

BW = "testdata_Byars_Wilson__testdata_B_W.csv"


@pytest.mark.parametrize("row", row_params(BW))
def test_byars_wilson_sheet(row: dict[str, Any]) -> None:
    """Byar's (x) and Wilson (x, n) limits match the workbook at the row's confidence level.

    Row 13 (x = 1, Byar's 99.8 %) has no lower limit in the workbook because Byar's approximation
    goes negative there; the test asserts our lower limit is null (not skipped) and that the upper
    limit still matches.
    """
    level = LEVEL[row["confidence"]]
    frame = pl.DataFrame({"x": [float(row["x"])], "n": [to_float(row["n"])]})
    if row["method"] == "Byars":
        lower, upper = cyp.byars_interval("x", level)
    else:
        assert row["method"] == "Wilson"
        lower, upper = cyp.wilson_interval("x", "n", level)
    want_lower = to_float(row["lowercl"])
    got_lower = one_value(lower, frame)
    if want_lower is None:
        assert got_lower is None, f"lower: got {got_lower!r}, workbook blank"
    else:
        assert_close(got_lower, want_lower, "lower")
    assert_close(one_value(upper, frame), float(row["uppercl"]), "upper")


def test_byars_row13_is_the_only_blank_lower() -> None:
    """The B_W sheet has exactly one blank lower limit: x = 1, Byar's, 99.8 %."""
    blanks = [r for r in sheet(BW) if not r["lowercl"]]
    assert [(r["x"], r["method"], r["confidence"]) for r in blanks] == [("1.0", "Byars", "99.8%")]


# --- Proportions (sheets Prop and Prop_g) ----------------------------------------------------

PROP = "testdata_Proportion__testdata_Prop.csv"
PROP_G = "testdata_Proportion__testdata_Prop_g.csv"


@pytest.mark.parametrize("row", row_params(PROP))
def test_proportion_sheet(row: dict[str, Any]) -> None:
    """``proportion`` gives the workbook's value and 95 %/99.8 % Wilson limits (nulls for NA rows)."""
    result = cyp.proportion(
        input_frame(row),
        "num",
        "den",
        multiplier=float(row["multiplier"]),
        confidence=BOTH_LEVELS,
    ).row(0, named=True)
    assert result["Area"] == row["Area"]
    if not row["value"]:
        assert_missing_row(result, row, grouped=False)
        return
    assert result["numerator"] == float(row["Numerator"])
    assert result["denominator"] == float(row["Denominator"])
    assert_close(result["value"], float(row["value"]), "value")
    for theirs, ours in LIMIT_COLUMNS.items():
        assert_close(result[ours], float(row[theirs]), ours)
    assert result["method"] == row["method"].lower() == "wilson"
    assert result["reason"] is None


# --- Rates (sheets Rate and Rate_g) ----------------------------------------------------------

RATE = "testdata_Rate__testdata_Rate.csv"
RATE_G = "testdata_Rate__testdata_Rate_g.csv"


@pytest.mark.parametrize("row", row_params(RATE))
def test_rate_sheet(row: dict[str, Any]) -> None:
    """``rate`` gives the workbook's value, limits and method (Exact below 10, Byar's from 10).

    Area12 has a numerator above its denominator, which a rate allows. NA rows give a null value
    with a reason; their method is null here, where the workbook leaves Area10's "Byars" in place.
    """
    result = cyp.rate(
        input_frame(row),
        "num",
        "den",
        multiplier=float(row["multiplier"]),
        confidence=BOTH_LEVELS,
    ).row(0, named=True)
    assert result["Area"] == row["Area"]
    if not row["value"]:
        assert_missing_row(result, row, grouped=False)
        return
    assert result["numerator"] == float(row["Numerator"])
    assert result["denominator"] == float(row["Denominator"])
    assert_close(result["value"], float(row["value"]), "value")
    for theirs, ours in LIMIT_COLUMNS.items():
        assert_close(result[ours], float(row[theirs]), ours)
    assert result["method"] == {"Exact": "exact", "Byars": "byars"}[row["method"]]
    assert result["reason"] is None


def test_rate_sheet_has_numerator_above_denominator() -> None:
    """The Rate sheet includes Area12, where the numerator exceeds the denominator."""
    area12 = [r for r in sheet(RATE) if r["Area"] == "Area12"]
    assert len(area12) == 1
    assert float(area12[0]["Numerator"]) > float(area12[0]["Denominator"])


# --- Grouped sheets: each Area is the sum of two input rows ----------------------------------


def halves(text: str | None) -> tuple[float | None, float | None]:
    """Split a workbook count into two whole parts summing to it (empty -> two nulls)."""
    total = to_float(text)
    if total is None:
        return None, None
    assert total == math.floor(total)
    first = float(math.floor(total / 2))
    return first, total - first


def grouped_input(name: str) -> pl.DataFrame:
    """Two input rows per Area of a grouped sheet: all first halves, then all second halves."""
    firsts: list[tuple[str, float | None, float | None]] = []
    seconds: list[tuple[str, float | None, float | None]] = []
    for row in sheet(name):
        (n1, n2), (d1, d2) = halves(row["Numerator"]), halves(row["Denominator"])
        firsts.append((row["Area"], n1, d1))
        seconds.append((row["Area"], n2, d2))
    return pl.DataFrame(
        firsts + seconds,
        schema={"Area": pl.String, "num": pl.Float64, "den": pl.Float64},
        orient="row",
    )


def grouped_multiplier(name: str) -> float:
    """The one multiplier and 95 % level of a grouped sheet."""
    rows = sheet(name)
    assert {r["confidence"] for r in rows} == {"95%"}
    (multiplier,) = {r["multiplier"] for r in rows}
    return float(multiplier)


@cache
def grouped_result(name: str, kind: str) -> dict[str, dict[str, Any]]:
    """Our grouped result for a sheet, by Area."""
    function = cyp.proportion if kind == "proportion" else cyp.rate
    frame = function(
        grouped_input(name),
        "num",
        "den",
        multiplier=grouped_multiplier(name),
        confidence=0.95,
        by=["Area"],
    )
    assert frame.height == len(sheet(name))
    return {r["Area"]: r for r in frame.iter_rows(named=True)}


def check_grouped_row(row: dict[str, Any], result: dict[str, Any]) -> None:
    """Compare one grouped result row with its workbook row."""
    if not row["value"]:
        assert_missing_row(result, row, grouped=True)
        return
    assert result["numerator"] == float(row["Numerator"])
    assert result["denominator"] == float(row["Denominator"])
    assert_close(result["value"], float(row["value"]), "value")
    assert_close(result["lower_95"], float(row["lowercl"]), "lower_95")
    assert_close(result["upper_95"], float(row["uppercl"]), "upper_95")
    assert result["reason"] is None


@pytest.mark.parametrize("row", row_params(PROP_G))
def test_proportion_grouped_sheet(row: dict[str, Any]) -> None:
    """``proportion(by=["Area"])`` over two rows per Area gives the grouped sheet's Wilson values."""
    result = grouped_result(PROP_G, "proportion")[row["Area"]]
    check_grouped_row(row, result)
    if row["value"]:
        assert result["method"] == "wilson"


@pytest.mark.parametrize("row", row_params(RATE_G))
def test_rate_grouped_sheet(row: dict[str, Any]) -> None:
    """``rate(by=["Area"])`` over two rows per Area gives the grouped sheet's values and method."""
    result = grouped_result(RATE_G, "rate")[row["Area"]]
    check_grouped_row(row, result)
    if row["value"]:
        assert result["method"] == {"Exact": "exact", "Byars": "byars"}[row["method"]]


def test_grouped_results_keep_first_appearance_order() -> None:
    """Grouped results come out one row per Area, in the order the Areas first appear."""
    for name, kind in ((PROP_G, "proportion"), (RATE_G, "rate")):
        assert list(grouped_result(name, kind)) == [r["Area"] for r in sheet(name)]


# --- Exact Poisson reference values (research notes) -----------------------------------------


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [
        pytest.param(0, 0.0, 3.688879454113935, id="O=0"),
        pytest.param(9, 4.1153730974, 17.0848034514, id="O=9"),
        pytest.param(10, 4.7953886961, 18.3903560420, id="O=10"),
    ],
)
def test_exact_poisson_reference(count: int, lower: float, upper: float) -> None:
    """Exact Poisson 95 % limits match the published values to 1e-9 (absolute)."""
    frame = pl.DataFrame({"o": [count]})
    lo, hi = cyp.exact_poisson_interval("o", 0.95)
    got_lower, got_upper = one_value(lo, frame), one_value(hi, frame)
    assert got_lower is not None
    assert got_upper is not None
    assert abs(got_lower - lower) <= 1e-9, f"lower: got {got_lower!r}, reference {lower!r}"
    assert abs(got_upper - upper) <= 1e-9, f"upper: got {got_upper!r}, reference {upper!r}"


@pytest.mark.parametrize("count", range(10))
def test_exact_poisson_table_matches_scipy_path(count: int) -> None:
    """The small-count table used by rates equals the per-row exact computation."""
    frame = pl.DataFrame({"o": [count]})
    for level in BOTH_LEVELS:
        table = cyp.exact_poisson_interval("o", level, small_only=True)
        direct = cyp.exact_poisson_interval("o", level)
        for t, d in zip(table, direct, strict=True):
            got, want = one_value(t, frame), one_value(d, frame)
            assert want is not None
            assert_close(got, want, f"level {level}")


def test_exact_table_answers_only_whole_counts_below_ten() -> None:
    """small_only: a fractional, negative or large count gives null, never a neighbour's limits."""
    frame = pl.DataFrame({"o": [3.0, 3.5, -1.0, 10.0, None]})
    lower, upper = cyp.exact_poisson_interval("o", 0.95, small_only=True)
    got = frame.select(lower.alias("lower"), upper.alias("upper"))
    assert got["lower"].is_null().to_list() == [False, True, True, True, True]
    assert got["upper"].is_null().to_list() == [False, True, True, True, True]


@pytest.mark.parametrize("count", [*range(12), 57, 416, 10_000])
def test_byar_exact_takes_exact_below_ten_and_byars_from_ten(count: int) -> None:
    """PHE's combined interval is the exact one below 10 and Byar's from 10 up, at both levels."""
    frame = pl.DataFrame({"o": [count]})
    for level in BOTH_LEVELS:
        combined = cyp.byar_exact_interval("o", level)
        parts = (
            cyp.exact_poisson_interval("o", level) if count < 10 else cyp.byars_interval("o", level)
        )
        for side, got_expr, want_expr in zip(("lower", "upper"), combined, parts, strict=True):
            got, want = one_value(got_expr, frame), one_value(want_expr, frame)
            assert want is not None
            assert_close(got, want, f"{side} at level {level}, count {count}")


def test_rate_zero_count_reference() -> None:
    """A count of 0 in 100 per 100,000 is 0 with exact 95 % limits [0, 3688.879454113935]."""
    frame = pl.DataFrame({"o": [0], "n": [100]})
    result = cyp.rate(frame, "o", "n", multiplier=100_000, confidence=0.95).row(0, named=True)
    assert result["value"] == 0.0
    assert result["lower_95"] == 0.0
    assert_close(result["upper_95"], 3688.879454113935, "upper_95")
    assert result["method"] == "exact"
    assert result["reason"] is None


# --- Without scipy.stats: the table and z against scipy's own quantiles -----------------------

LEVELS_SEEN = [0.5, 0.8, 0.9, 0.95, 0.99, 0.998, 0.999, 0.9999]


@pytest.mark.parametrize("level", LEVELS_SEEN)
def test_exact_table_equals_scipy_chi_square_quantiles(level: float) -> None:
    """The exact limits for counts 0-9, solved in pure Python from the Poisson tails, equal
    scipy.stats' chi-square quantiles (lower ``chi2.ppf(a/2, 2O)/2``, upper
    ``chi2.isf(a/2, 2O+2)/2``) to a relative 1e-12."""
    frame = pl.DataFrame({"o": list(range(10))})
    lower, upper = cyp.exact_poisson_interval("o", level, small_only=True)
    got = frame.select(lower.alias("lower"), upper.alias("upper"))
    half = (1 - level) / 2
    for o, (got_lower, got_upper) in enumerate(got.iter_rows()):
        want_lower = 0.0 if o == 0 else float(stats.chi2.ppf(half, 2 * o) / 2)
        want_upper = float(stats.chi2.isf(half, 2 * o + 2) / 2)
        assert close(got_lower, want_lower, tolerance=1e-12), (o, got_lower, want_lower)
        assert close(got_upper, want_upper, tolerance=1e-12), (o, got_upper, want_upper)


@pytest.mark.parametrize("level", LEVELS_SEEN)
def test_z_value_equals_scipy_normal_quantile(level: float) -> None:
    """z from the standard library equals scipy.stats' ``norm.isf((1 - level) / 2)`` to 1e-15."""
    want = float(stats.norm.isf((1 - level) / 2))
    assert abs(cyp.z_value(level) - want) <= 1e-15 * want


_FIRST_RATE = """
import json, sys
import polars as pl
import cyp_indicators as cyp
loaded = {"import": sorted(m for m in ("scipy.stats", "scipy.special") if m in sys.modules)}
definition = cyp.load_catalogue().get("cla_rate_per_10k")
frame = pl.DataFrame({"cla_at_31_march": [416, 7], "population_0_17": [57621, 9000]})
out = cyp.compute(definition, frame)
assert out["lower_95"].is_not_null().all() and out["upper_99_8"].is_not_null().all()
assert out["method"].to_list() == ["byars", "exact"]
loaded["compute"] = sorted(m for m in ("scipy.stats", "scipy.special") if m in sys.modules)
print(json.dumps(loaded))
"""


def test_first_rate_with_intervals_does_not_import_scipy_stats() -> None:
    """In a fresh interpreter, importing the package imports neither scipy.stats nor
    scipy.special, and neither does the first compute of a rate with 95 % and 99.8 % limits
    (z from the standard library, exact limits below 10 from a table solved in Python): once
    that first call paid about half a second for scipy.stats."""
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_RATE], capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"import": [], "compute": []}
