"""Boundaries of the comparisons that the mutation check (tools/mutation_check.py) found unpinned.

Each expected answer comes from outside the library: Fingertips' comparer rules (fingertips-open,
MIT: ``PholioVisualisation.Analysis``), a scenario worked by hand from the rule quoted, or an
independent implementation written here.
"""

from __future__ import annotations

import polars as pl
import pytest
from scipy import stats

import cyp_indicators as cyp

# --- significance: Fingertips' overlapping-interval rules ---------------------------------------
# SingleOverlappingCIsForOneCILevelComparer: the comparator is "Same" when
# ``val <= data.UpperCI95 && val >= data.LowerCI95`` (both bounds included).
# SingleOverlappingCIsForTwoCILevelsComparer: between the 95 % and the 99.8 % limit, bounds
# included (``val <= data.LowerCI95 && val >= data.LowerCI99_8``, and the same above), it is
# Better/Worse; only beyond the 99.8 % limit is it Best/Worst.

_INTERVAL = {"value": [2.6], "lower_95": [2.5], "upper_95": [2.7]}


@pytest.mark.parametrize("comparator", [2.5, 2.7])
def test_a_comparator_on_a_95_bound_is_similar(comparator: float) -> None:
    frame = pl.DataFrame({"c": [comparator], **_INTERVAL})
    for polarity in ("high_is_good", "low_is_good", "not_applicable"):
        assert frame.select(cyp.compare_with("c", polarity=polarity)).item() == "similar"


@pytest.mark.parametrize(
    ("comparator", "low_is_good", "high_is_good"),
    [
        (2.5, "similar", "similar"),  # on the lower 95 % limit
        (2.7, "similar", "similar"),  # on the upper 95 % limit
        (2.3, "worse", "better"),  # on the lower 99.8 % limit: still between the two levels
        (2.9, "better", "worse"),  # on the upper 99.8 % limit
    ],
)
def test_the_two_level_bounds_are_inclusive(
    comparator: float, low_is_good: str, high_is_good: str
) -> None:
    frame = pl.DataFrame({"c": [comparator], **_INTERVAL, "lower_99_8": [2.3], "upper_99_8": [2.9]})
    for polarity, expected in (("low_is_good", low_is_good), ("high_is_good", high_is_good)):
        got = frame.select(
            cyp.compare_with(
                "c", outer_lower="lower_99_8", outer_upper="upper_99_8", polarity=polarity
            )
        ).item()
        assert got == expected


# --- RAG against a target: the bounds of green and amber -----------------------------------------
# The rule, as rag() states it: "G" when the target is met, "A" when short of it by no more than
# amber_within (in the value's unit, or that fraction of the target), else "R". Worked by hand:
# target 75 with amber_within 2 (high is good): 75 meets it, 73 is short by exactly 2 (amber),
# 72.5 by 2.5 (red). Low is good: 77 is over by exactly 2 (amber). Relative: a quarter of a
# target of 80 is 20, so 60 (high is good) is short by exactly 20 (amber), 59 red.


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (75.0, "high_is_good", "G"),
        (73.0, "high_is_good", "A"),
        (72.5, "high_is_good", "R"),
        (75.0, "low_is_good", "G"),
        (77.0, "low_is_good", "A"),
        (77.5, "low_is_good", "R"),
    ],
)
def test_rag_on_the_target_and_on_the_amber_bound(
    value: float, polarity: str, expected: str
) -> None:
    frame = pl.DataFrame({"v": [value]})
    got = frame.select(cyp.rag("v", 75, polarity=polarity, amber_within=2)).item()
    assert got == expected


@pytest.mark.parametrize(("value", "expected"), [(80.0, "G"), (60.0, "A"), (59.0, "R")])
def test_rag_relative_amber_bound_is_a_share_of_the_target(value: float, expected: str) -> None:
    frame = pl.DataFrame({"v": [value]})
    got = frame.select(
        cyp.rag("v", 80, polarity="high_is_good", amber_within=0.25, amber_mode="relative")
    ).item()
    assert got == expected


def test_rag_with_no_amber_band() -> None:
    """amber_within=0: met is green, any shortfall red (no amber band is a valid choice)."""
    frame = pl.DataFrame({"v": [75.0, 74.9]})
    got = frame.select(cyp.rag("v", 75, polarity="high_is_good", amber_within=0)).to_series()
    assert got.to_list() == ["G", "R"]


# --- the trend test's confidence level -----------------------------------------------------------


def _cochran_armitage(counts: list[int], totals: list[int]) -> float:
    """The chi-square test for trend in proportions (Armitage 1955), written out for t = 1..5."""
    t = range(1, len(counts) + 1)
    n, r = sum(totals), sum(counts)
    srt = sum(a * b for a, b in zip(counts, t, strict=True))
    snt = sum(a * b for a, b in zip(totals, t, strict=True))
    snt2 = sum(a * b * b for a, b in zip(totals, t, strict=True))
    return n * (n * srt - r * snt) ** 2 / (r * (n - r) * (n * snt2 - snt**2))


def test_the_trend_test_is_at_99_8_percent() -> None:
    """Fingertips' recent trend is significant only beyond chi-square(1) at 99.8 % (9.5495):
    10.0 %, 10.8 %, 11.6 %, 12.4 %, 13.2 % of 1,000 gives chi2 = 6.24, significant at 95 %
    (3.8415) but not at 99.8 %, so "no significant change"; 10 %, 11.1 %, ... 14.4 % gives 11.30,
    "increasing"."""
    years = [2020, 2021, 2022, 2023, 2024]
    totals = [1000] * 5
    level_998 = stats.chi2.ppf(0.998, 1)
    for counts, expected in (
        ([100, 108, 116, 124, 132], "no significant change"),
        ([100, 111, 122, 133, 144], "increasing"),
    ):
        chi2 = _cochran_armitage(counts, totals)
        assert (chi2 > level_998) == (expected == "increasing")
        assert chi2 > stats.chi2.ppf(0.95, 1)
        got = cyp.trend_test(
            years, [c / 10 for c in counts], counts=counts, totals=totals, method="counts"
        )
        assert got["chi2"] == pytest.approx(chi2, rel=1e-12)
        assert got["trend"] == expected


# --- the trend test's run of points ----------------------------------------------------------------
# Fingertips' TrendMarkerCalculator (fingertips-open, MIT): the points used are the five most
# recent valid ones ("OrderByDescending(t => t.Year).Take(PointsToUse)", PointsToUse = 5); the
# trend is significant when chi2 > 9.5495 and there is no outlier: the slope of all five points
# and the five slopes leaving out one point each must all have the same sign
# ("Math.Abs(slopeSum) == NumberOfIterations", six iterations).


def _ols_slope(ys: list[float]) -> float:
    """Least-squares slope of ys on t = 1..n (equal interval widths: equal weights)."""
    ts = range(1, len(ys) + 1)
    mt, my = sum(ts) / len(ys), sum(ys) / len(ys)
    return sum((t - mt) * (y - my) for t, y in zip(ts, ys, strict=True)) / sum(
        (t - mt) ** 2 for t in ts
    )


def test_the_trend_uses_the_five_most_recent_points() -> None:
    """Seven years: a steep fall 2016-2018, then a steady rise to 2022. The last five points
    (2018-2022) rise; the first five would fall."""
    years = list(range(2016, 2023))
    values = [50.0, 40.0, 10.0, 12.0, 14.0, 16.0, 18.0]
    assert _ols_slope(values[-5:]) > 0 > _ols_slope(values[:5])
    got = cyp.trend_test(
        years,
        values,
        lower=[v - 1 for v in values],
        upper=[v + 1 for v in values],
        method="weighted",
    )
    assert got["trend"] == "increasing"
    assert got["slope"] == pytest.approx(_ols_slope(values[-5:]))


def test_one_outlying_point_makes_the_trend_not_significant() -> None:
    """12, 10, 10, 10, 30: the slope of all five rises (chi2 far above 9.55), but without the
    last point it falls, so Fingertips marks no significant change."""
    values = [12.0, 10.0, 10.0, 10.0, 30.0]
    assert _ols_slope(values) > 0 > _ols_slope(values[:4])
    got = cyp.trend_test(
        [2020, 2021, 2022, 2023, 2024],
        values,
        lower=[v - 0.5 for v in values],
        upper=[v + 0.5 for v in values],
        method="weighted",
    )
    assert got["chi2"] > stats.chi2.ppf(0.998, 1)
    assert got["trend"] == "no significant change"


def test_a_zero_denominator_breaks_the_run() -> None:
    """A point with a denominator of 0 is not valid (Fingertips: "IsDenominatorValid"): the
    recent run stops there, leaving two points."""
    got = cyp.trend_test(
        [2018, 2019, 2020, 2021, 2022, 2023],
        [10.0, 11.0, 12.0, 0.0, 14.0, 15.0],
        counts=[100, 110, 120, 0, 140, 150],
        totals=[1000, 1000, 1000, 0, 1000, 1000],
        method="counts",
    )
    assert got["trend"] is None
    assert got["reason"] == "x: fewer than 5 recent points with valid values"
