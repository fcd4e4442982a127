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
# trend is significant when "_chi2 > ChiSquareConfidence" (9.54953570608324) and there is no outlier: the slope of all five points
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


# --- pooled neighbours: a rate pools as a rate, a proportion as a proportion ---------------------
# Pooled: the members' numerators over their denominators, with the interval of the definition's
# family: Byar's for a rate (PHE's method for rates: "Byar's method ... is used for counts of 10 or
# more"), Wilson's score interval for a proportion. Both written out here.


def _byars(o: float, z: float) -> tuple[float, float]:
    lower = o * (1 - 1 / (9 * o) - z / (3 * o**0.5)) ** 3
    o1 = o + 1
    return lower, o1 * (1 - 1 / (9 * o1) + z / (3 * o1**0.5)) ** 3


def _wilson(x: float, n: float, z: float) -> tuple[float, float]:
    root = z * (z * z + 4 * x * (1 - x / n)) ** 0.5
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


def test_pooled_neighbours_take_the_interval_of_their_family() -> None:
    """874's neighbours 873 and 881: 30 and 50 of 10,000 each, pooled 80 of 20,000. As CLA per
    10,000 children that is 40.0 with Byar's limits; as a percentage of children with a second
    plan it is 0.4 % with Wilson's."""
    z = stats.norm.ppf(0.975)
    sn = cyp.comparator_set("g", [("874", ["873", "881"])])
    frame = pl.DataFrame(
        {"la_code": ["874", "873", "881"], "year": [2025] * 3, "n": [20, 30, 50],
         "d": [10_000] * 3}
    ).with_columns(value=pl.col("n") / pl.col("d"))  # fmt: skip
    catalogue = cyp.load_catalogue()
    cases = (
        ("cla_rate_per_10k", 10_000, _byars(80, z), 1 / 20_000),
        ("cpp_second_or_subsequent_pct", 100, _wilson(80, 20_000, z), 1.0),
    )
    for ident, mult, (lower, upper), scale in cases:
        d = catalogue.get(ident)
        rows = cyp.aggregate_neighbours(
            frame.with_columns(pl.col("value") * mult), sn, method="pooled", numerator="n",
            denominator="d", definition=d,
        )  # fmt: skip
        row = rows.filter(pl.col("la_code") == "874").row(0, named=True)
        assert row["sn_value"] == pytest.approx(80 / 20_000 * mult)
        assert row["sn_lower_95"] == pytest.approx(lower * scale * mult, rel=1e-9), ident
        assert row["sn_upper_95"] == pytest.approx(upper * scale * mult, rel=1e-9), ident


# --- the benchmark table: 3-year average and the gap's direction ---------------------------------
# The committee layout (the seed scrutiny pack): the 3-year average is the mean of the three
# figures as displayed, shown only when all three years have one; the gap's direction compares
# the latest year's gap to England with the year before's, in the words gap_direction documents
# ("Declined" when the LA closed the gap or extended a lead).


def _benchmark_results(la_values: list[float | None]) -> pl.DataFrame:
    """Re-referrals (low is good, one decimal place) for 874, its neighbours 873 and 881, and
    England, 2023-2025."""
    rows = []
    for year, mine in zip((2023, 2024, 2025), la_values, strict=True):
        for area, value in (("874", mine), ("873", 18.0), ("881", 24.0), ("E92000001", 22.0)):
            rows.append({"area_code": area, "year": year, "value": value})
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64}).with_columns(
        indicator_id=pl.lit("re_referral_within_12_months_pct")
    )


def _la_row(la_values: list[float | None]) -> dict[str, object]:
    d = cyp.load_catalogue().get("re_referral_within_12_months_pct")
    sn = cyp.comparator_set("g", [("874", ["873", "881"])])
    wide = cyp.benchmark_table(
        _benchmark_results(la_values), la="874", sn=sn, definitions={d.id: d}
    ).wide
    return wide.filter(pl.col("row") == "Peterborough").row(0, named=True)


def test_the_three_year_average_is_of_the_displayed_figures() -> None:
    """20.05, 20.05 and 20.04 display as 20.1, 20.1 and 20.0 (half away from zero): their mean
    20.0667 shows 20.1 (the unrounded mean, 20.0467, would show 20.0)."""
    row = _la_row([20.05, 20.05, 20.04])
    assert [row["2023"], row["2024"], row["2025"]] == ["20.1", "20.1", "20.0"]
    assert row["3yr av."] == "20.1"


def test_no_three_year_average_with_a_year_missing() -> None:
    row = _la_row([None, 20.0, 21.0])
    assert row["2023"] == "x"
    assert row["3yr av."] is None


def test_the_gap_direction_is_against_the_year_before() -> None:
    """Gaps to England (22.0): -5.0 in 2023, -1.0 in 2024, -2.0 in 2025. Low is good: the lead
    grew from 1.0 to 2.0 points over the last year, so the gap "Declined" (against 2023's
    lead of 5.0 it would read "Increased")."""
    row = _la_row([17.0, 21.0, 20.0])
    assert row["gap_to_england"] == pytest.approx(-2.0)
    assert row["gap_direction"] == "Declined"


# --- funnel plots: a value on a limit is inside it ----------------------------------------------
# PHE's funnel plots mark a value as beyond a control limit only when it lies strictly outside it
# (funnel_position: "strict inequalities, as PHE"). Limits chosen by hand: 3s 40-60, 2s 45-55.


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (40.0, "low (95 %)"),  # on the lower 3s limit: not beyond it, but below the 2s limit
        (45.0, "within"),  # on the lower 2s limit
        (55.0, "within"),  # on the upper 2s limit
        (60.0, "high (95 %)"),  # on the upper 3s limit
        (39.9, "low (99.8 %)"),
        (60.1, "high (99.8 %)"),
    ],
)
def test_a_value_on_a_funnel_limit_is_not_beyond_it(value: float, expected: str) -> None:
    frame = pl.DataFrame(
        {"value": [value], "lower_3s": [40.0], "lower_2s": [45.0], "upper_2s": [55.0],
         "upper_3s": [60.0]}
    )  # fmt: skip
    assert frame.select(cyp.funnel_position("value")).item() == expected


# --- comparisons(): the region and England beside each LA ----------------------------------------
# LAIT sets a London borough beside Inner or Outer London, and beside London only where those are
# not published; a gap is the LA's value minus the comparator's (negative: below it). Values
# chosen by hand: England 70, London 60, Inner London 55, Outer London 45, East of England 65.


def test_a_london_borough_is_compared_with_inner_or_outer_london() -> None:
    d = cyp.load_catalogue().get("cla_rate_per_10k")
    areas = {
        "E92000001": 70.0, "E12000007": 60.0, "E13000001": 55.0, "E13000002": 45.0,
        "E12000006": 65.0, "202": 50.0, "302": 40.0, "874": 80.0,
    }  # fmt: skip
    frame = pl.DataFrame(
        {
            "area_code": list(areas),
            "time_period": [2025] * len(areas),
            "value": list(areas.values()),
        }
    )
    out = cyp.comparisons(frame, d).sort("area_code")
    got = {
        r["area_code"]: (
            r["region_code"],
            r["region_value"],
            r["gap_to_region"],
            r["gap_to_england"],
        )
        for r in out.iter_rows(named=True)
    }
    assert got == {
        "202": ("E13000001", 55.0, -5.0, -20.0),  # Camden: Inner London
        "302": ("E13000002", 45.0, -5.0, -30.0),  # Barnet: Outer London
        "874": ("E12000006", 65.0, 15.0, 10.0),  # Peterborough: East of England
    }
    # without Inner and Outer London's figures, London's
    london_only = frame.filter(~pl.col("area_code").is_in(["E13000001", "E13000002"]))
    camden = cyp.comparisons(london_only, d).filter(pl.col("area_code") == "202").row(0, named=True)
    assert (camden["region_code"], camden["region_value"]) == ("E12000007", 60.0)
