"""Property-based invariants (Hypothesis) of comparisons: neighbour aggregates, ranks and bands."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings
from polars.testing import assert_frame_equal

import cyp_indicators as cyp

PROPS = settings(max_examples=100, deadline=None)
CODES: list[str] = sorted(
    cyp.la_codes().filter(pl.col("current"))["old_la_code"].unique().to_list()
)
YEARS = (2021, 2022, 2023)
POLARITIES = ("high_is_good", "low_is_good", "not_applicable")
SYMBOLS = ("c", "x", "low")
SWAP = {"A": "D", "B": "C", "C": "B", "D": "A"}

#: Small whole numbers give ties; spread floats give near-distinct values.
TIED = st.integers(min_value=0, max_value=12).map(float)
SPREAD = st.floats(
    min_value=0.0, max_value=1000.0, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
VALUES = st.one_of(TIED, SPREAD)


@dataclass(frozen=True)
class Case:
    """LAs' values by year (a missing key means no row) and each LA's comparator group."""

    las: tuple[str, ...]
    years: tuple[int, ...]
    cells: dict[tuple[str, int], float | None]
    groups: dict[str, tuple[str, ...]]
    england: dict[int, float]

    def value(self, la: str, year: int) -> float | None:
        """The LA's value that year (None for a null value or no row)."""
        return self.cells.get((la, year))

    def year_values(self, year: int) -> list[float]:
        """Every LA value of one year (England excluded)."""
        return [v for (_, y), v in self.cells.items() if y == year and v is not None]

    def frame(self) -> pl.DataFrame:
        """One row per (LA, year) present, plus the England rows."""
        keys = sorted(self.cells)
        rows = [(la, y, self.cells[la, y]) for la, y in keys]
        rows += [(cyp.ENGLAND, y, v) for y, v in sorted(self.england.items())]
        return pl.DataFrame(
            rows,
            schema={"la_code": pl.String, "year": pl.Int64, "value": pl.Float64},
            orient="row",
        )

    def comparators(self, groups: dict[str, tuple[str, ...]] | None = None) -> cyp.ComparatorSet:
        """The groups as a custom comparator set."""
        chosen = self.groups if groups is None else groups
        return cyp.comparator_set("prop", [(la, list(m)) for la, m in chosen.items()])


@st.composite
def cases(draw: st.DrawFn, *, distinct: bool = False, grouped: bool = True) -> Case:
    """4-30 real LAs over 1-3 years; ~70 % values, ~20 % nulls, ~10 % absent rows.

    ``distinct`` makes the values of each year pairwise different; ``grouped`` gives most LAs a
    group of 1-12 members, some of them LAs with no row at all.
    """
    las = draw(st.lists(st.sampled_from(CODES), min_size=4, max_size=30, unique=True))
    years = YEARS[: draw(st.integers(min_value=1, max_value=3))]
    cells: dict[tuple[str, int], float | None] = {}
    for year in years:
        if distinct:
            pool = draw(st.lists(SPREAD, min_size=len(las), max_size=len(las), unique=True))
        else:
            pool = [draw(VALUES) for _ in las]
        for la, v in zip(las, pool, strict=True):
            kind = draw(st.integers(min_value=0, max_value=9))
            if kind < 7:
                cells[la, year] = v
            elif kind < 9:
                cells[la, year] = None
    groups: dict[str, tuple[str, ...]] = {}
    if grouped:
        outside = [c for c in CODES if c not in las]
        for la in las:
            if draw(st.integers(min_value=0, max_value=9)) == 0:
                continue  # an LA without a group
            inside = [c for c in las if c != la]
            members = draw(st.lists(st.sampled_from(inside), unique=True, max_size=10))
            members += draw(st.lists(st.sampled_from(outside), unique=True, max_size=2))
            groups[la] = tuple(members or inside[:1])
    england: dict[int, float] = {}
    if draw(st.booleans()):
        england = {y: draw(VALUES) for y in years}
    return Case(tuple(las), years, cells, groups, england)


def better(a: float, b: float, polarity: str) -> bool:
    """Whether ``a`` ranks strictly ahead of ``b`` (no polarity: the higher value first)."""
    return a < b if polarity == "low_is_good" else a > b


def canonical(out: pl.DataFrame) -> pl.DataFrame:
    """Rows sorted by (LA, year) and ``sn_missing`` as a sorted list, for comparing runs."""
    return out.with_columns(pl.col("sn_missing").list.sort()).sort("la_code", "year")


def la_rows(out: pl.DataFrame) -> list[dict[str, Any]]:
    """The output rows of LAs (England's rows left out)."""
    return [r for r in out.iter_rows(named=True) if r["la_code"] != cyp.ENGLAND]


# --- aggregate_neighbours ---------------------------------------------------------------------


@PROPS
@given(
    case=cases(),
    method=st.sampled_from(["mean", "median", "pooled", "weighted_mean"]),
    polarity=st.sampled_from(POLARITIES),
    data=st.data(),
)
def test_aggregate_ignores_member_order_and_row_order(
    case: Case, method: str, polarity: str, data: st.DataObject
) -> None:
    """Aggregates do not depend on the order of a group's members nor on the frame's row order."""
    # One test draws the method (rather than four parametrised ones) to keep the file fast.
    frame = case.frame()
    height = frame.height
    counts = st.one_of(st.none(), st.integers(min_value=0, max_value=500))
    sizes = st.one_of(st.none(), st.integers(min_value=1, max_value=100_000))
    frame = frame.with_columns(
        pl.Series("num", data.draw(st.lists(counts, min_size=height, max_size=height)), pl.Int64),
        pl.Series("den", data.draw(st.lists(sizes, min_size=height, max_size=height)), pl.Int64),
        pl.Series("pop", data.draw(st.lists(sizes, min_size=height, max_size=height)), pl.Int64),
    )
    kwargs: dict[str, Any] = {
        "mean": {},
        "median": {},
        "pooled": {
            "numerator": "num",
            "denominator": "den",
            "pooled_as": "rate",
            "multiplier": 10_000,
        },
        "weighted_mean": {"weight": "pop"},
    }[method]
    order = data.draw(st.permutations(list(case.groups)))
    shuffled_groups = {la: tuple(data.draw(st.permutations(case.groups[la]))) for la in order}
    rows = data.draw(st.permutations(range(height)))
    shuffled = frame.select(pl.all().gather(list(rows)))

    first = cyp.aggregate_neighbours(
        frame, case.comparators(), method=method, polarity=polarity, **kwargs
    )
    second = cyp.aggregate_neighbours(
        shuffled, case.comparators(shuffled_groups), method=method, polarity=polarity, **kwargs
    )

    assert first.height == height
    assert_frame_equal(canonical(first), canonical(second))


@pytest.mark.parametrize("method", ["mean", "median"])
@PROPS
@given(case=cases())
def test_aggregate_lies_between_member_extremes_and_counts_members(method: str, case: Case) -> None:
    """sn_min <= sn_value <= sn_max; sn_n, sn_of and sn_missing count and name the members."""
    out = cyp.aggregate_neighbours(case.frame(), case.comparators(), method=method)

    assert out.height == len(case.cells) + len(case.england)
    for row in out.iter_rows(named=True):
        members = case.groups.get(row["la_code"])
        if members is None:
            assert row["sn_of"] is None
            assert row["sn_value"] is None
            assert row["sn_reason"].startswith("z: not an LA with a group")
            continue
        have = [m for m in members if case.value(m, row["year"]) is not None]
        values = [v for m in members if (v := case.value(m, row["year"])) is not None]
        assert row["sn_of"] == len(members)
        assert row["sn_n"] == len(have)
        assert sorted(row["sn_missing"]) == sorted(set(members) - set(have))
        if not have:
            assert row["sn_value"] is None
            assert row["sn_reason"] == "x: no member of the group has a value"
            continue
        value, low, high = row["sn_value"], row["sn_min"], row["sn_max"]
        assert (low, high) == (min(values), max(values))
        tol = 1e-9 * max(1.0, abs(high))
        assert low - tol <= value <= high + tol, (low, value, high)
        expected = statistics.fmean(values) if method == "mean" else statistics.median(values)
        assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9), (value, expected)
        assert row["sn_reason"] is None


@PROPS
@given(
    case=cases(),
    method=st.sampled_from(["mean", "median"]),
    polarity=st.sampled_from(POLARITIES),
    data=st.data(),
)
def test_symbol_members_leave_the_aggregate(
    case: Case, method: str, polarity: str, data: st.DataObject
) -> None:
    """Members whose value is a DfE symbol ("c", "x", "low") count as dropped and as missing."""
    frame = case.frame()
    marks = data.draw(
        st.lists(
            st.one_of(st.none(), st.none(), st.none(), st.sampled_from(SYMBOLS)),
            min_size=frame.height,
            max_size=frame.height,
        )
    )
    texts = [
        mark if mark is not None else (None if v is None else repr(v))
        for v, mark in zip(frame["value"].to_list(), marks, strict=True)
    ]
    frame = frame.with_columns(pl.Series("is_symbol", [m is not None for m in marks]))
    text_frame = frame.with_columns(pl.Series("value", texts, pl.String))
    dropped = frame.filter(~pl.col("is_symbol"))
    symbols = {
        (la, y)
        for la, y, mark in zip(frame["la_code"], frame["year"], marks, strict=True)
        if mark is not None
    }
    sn = case.comparators()

    with_text = cyp.aggregate_neighbours(text_frame, sn, method=method, polarity=polarity)
    without = cyp.aggregate_neighbours(dropped, sn, method=method, polarity=polarity)

    cols = ["la_code", "year", "sn_value", "sn_n", "sn_of", "sn_min", "sn_max", "sn_missing"]
    cols += ["sn_rank", "sn_rank_of", "sn_reason"]
    assert_frame_equal(
        canonical(with_text.filter(~pl.col("is_symbol")).select(cols)),
        canonical(without.select(cols)),
    )
    for row in with_text.iter_rows(named=True):
        members = case.groups.get(row["la_code"], ())
        flagged = {m for m in members if (m, row["year"]) in symbols}
        assert flagged <= set(row["sn_missing"] or ()), (flagged, row["sn_missing"])
        if row["is_symbol"]:
            assert row["sn_rank"] is None


@PROPS
@given(case=cases(), polarity=st.sampled_from(POLARITIES))
def test_neighbour_rank_counts_strictly_better_members(case: Case, polarity: str) -> None:
    """sn_rank is 1 + the members with a strictly better value; sn_rank_of is sn_n + 1."""
    out = cyp.aggregate_neighbours(
        case.frame(), case.comparators(), method="median", polarity=polarity
    )

    for row in out.iter_rows(named=True):
        members = case.groups.get(row["la_code"])
        own = case.value(row["la_code"], row["year"])
        if members is None or own is None:
            assert row["sn_rank"] is None
            assert row["sn_rank_of"] is None
            continue
        values = [v for m in members if (v := case.value(m, row["year"])) is not None]
        assert row["sn_rank"] == 1 + sum(better(v, own, polarity) for v in values)
        assert row["sn_rank_of"] == row["sn_n"] + 1 == len(values) + 1


@PROPS
@given(case=cases(), method=st.sampled_from(["pooled", "weighted_mean"]), data=st.data())
def test_members_count_exactly_when_they_enter_the_aggregate(
    case: Case, method: str, data: st.DataObject
) -> None:
    """sn_n + len(sn_missing) == sn_of, and sn_n, sn_min/max, rank and value use one membership.

    pooled: a member takes part with a value, a numerator and a denominator; weighted_mean: with
    a value and a positive weight (zero weights included in the draws).
    """
    frame = case.frame()
    height = frame.height
    counts = st.one_of(st.none(), st.integers(min_value=0, max_value=500))
    weights = st.one_of(st.none(), st.just(0), st.integers(min_value=1, max_value=100_000))
    frame = frame.with_columns(
        pl.Series("num", data.draw(st.lists(counts, min_size=height, max_size=height)), pl.Int64),
        pl.Series("den", data.draw(st.lists(weights, min_size=height, max_size=height)), pl.Int64),
    )
    cell = {(r["la_code"], r["year"]): r for r in frame.iter_rows(named=True)}
    if method == "pooled":
        kwargs: dict[str, Any] = {"numerator": "num", "denominator": "den", "pooled_as": "rate"}
        kwargs["multiplier"] = 1000
    else:
        kwargs = {"weight": "den"}
    out = cyp.aggregate_neighbours(frame, case.comparators(), method=method, **kwargs)

    for row in la_rows(out):
        members = case.groups.get(row["la_code"])
        if members is None:
            continue
        got = [cell.get((m, row["year"]), {}) for m in members]
        if method == "pooled":
            part = [c for c in got if None not in (c.get("value"), c.get("num"), c.get("den"))]
        else:
            part = [c for c in got if c.get("value") is not None and (c.get("den") or 0) > 0]
        taking = {c["la_code"] for c in part}
        assert row["sn_n"] == len(part)
        assert row["sn_n"] + len(row["sn_missing"]) == row["sn_of"] == len(members)
        assert set(row["sn_missing"]) == set(members) - taking
        if row["sn_rank_of"] is not None:
            assert row["sn_rank_of"] == row["sn_n"] + 1
        if not part:
            assert row["sn_value"] is None
            assert row["sn_reason"].startswith("x: no member of the group has a value")
            continue
        values = [c["value"] for c in part]
        assert (row["sn_min"], row["sn_max"]) == (min(values), max(values))
        if method == "pooled":
            total = sum(c["den"] for c in part)
            expected = sum(c["num"] for c in part) / total * 1000 if total else None
        else:
            expected = sum(c["value"] * c["den"] for c in part) / sum(c["den"] for c in part)
        if expected is None:
            assert row["sn_value"] is None
            assert row["sn_reason"] == "z: denominator is zero"
        else:
            assert math.isclose(row["sn_value"], expected, rel_tol=1e-9, abs_tol=1e-9)
            assert row["sn_reason"] is None


@PROPS
@given(
    case=cases(), method=st.sampled_from(["mean", "median"]), polarity=st.sampled_from(POLARITIES)
)
def test_ons_codes_give_the_same_results_as_old_numbers(
    case: Case, method: str, polarity: str
) -> None:
    """The frame's LA column and the groups in ONS codes: the same aggregates and ranks."""
    ons = dict(cyp.la_codes().filter(pl.col("current")).select("old_la_code", "new_la_code").rows())
    frame = case.frame()
    recoded = frame.with_columns(pl.col("la_code").replace(ons))
    groups = {ons[la]: tuple(ons[m] for m in members) for la, members in case.groups.items()}
    old = cyp.aggregate_neighbours(frame, case.comparators(), method=method, polarity=polarity)
    new = cyp.aggregate_neighbours(
        recoded, case.comparators(groups), method=method, polarity=polarity
    )
    assert_frame_equal(old.drop("la_code"), new.drop("la_code"))
    kwargs: dict[str, Any] = {"polarity": polarity}
    assert_frame_equal(
        cyp.rank_among_las(frame, **kwargs).drop("la_code"),
        cyp.rank_among_las(recoded, **kwargs).drop("la_code"),
    )


# --- ranks, bands and quantiles over all LAs --------------------------------------------------


@PROPS
@given(case=cases(grouped=False), polarity=st.sampled_from(POLARITIES))
def test_rank_among_las_is_a_competition_ranking(case: Case, polarity: str) -> None:
    """Each LA's rank is 1 + the LAs with a strictly better value; la_rank_of counts LAs with one."""
    out = cyp.rank_among_las(case.frame(), polarity=polarity)

    for year in case.years:
        values = case.year_values(year)
        rows = [r for r in out.iter_rows(named=True) if r["year"] == year]
        for row in rows:
            own = case.value(row["la_code"], year) if row["la_code"] != cyp.ENGLAND else None
            if own is None:
                assert row["la_rank"] is None
                assert row["la_rank_of"] is None
                continue
            assert row["la_rank"] == 1 + sum(better(v, own, polarity) for v in values)
            assert row["la_rank_of"] == len(values)
        ranks = sorted(r["la_rank"] for r in rows if r["la_rank"] is not None)
        assert len(ranks) == len(values)
        if ranks:
            assert ranks[0] == 1
        if len(set(values)) == len(values):
            assert ranks == list(range(1, len(values) + 1))


@PROPS
@given(case=cases(distinct=True, grouped=False))
def test_reversing_polarity_reverses_ranks_and_bands(case: Case) -> None:
    """Without ties, rank_high + rank_low == N + 1 and the bands swap A<->D, B<->C."""
    frame = case.frame()
    rank_high = cyp.rank_among_las(frame, polarity="high_is_good")
    rank_low = cyp.rank_among_las(frame, polarity="low_is_good")
    band_high = cyp.quartile_bands(frame, polarity="high_is_good")
    band_low = cyp.quartile_bands(frame, polarity="low_is_good")

    for high, low in zip(la_rows(rank_high), la_rows(rank_low), strict=True):
        assert high["la_code"] == low["la_code"]
        if high["la_rank"] is None:
            assert low["la_rank"] is None
            continue
        assert high["la_rank"] + low["la_rank"] == high["la_rank_of"] + 1

    assert_frame_equal(
        band_high.select("band_q1", "band_q2", "band_q3"),
        band_low.select("band_q1", "band_q2", "band_q3"),
    )
    for year in case.years:
        values = case.year_values(year)
        highs = [r for r in la_rows(band_high) if r["year"] == year]
        lows = [r for r in la_rows(band_low) if r["year"] == year]
        if len(values) < 4:
            assert all(r["band"] is None for r in highs + lows)
            assert all(r["band_reason"] == "x: fewer than 4 LAs have a value" for r in highs)
            continue
        q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")  # type 7
        for high, low in zip(highs, lows, strict=True):
            bounds = (high["band_q1"], high["band_q2"], high["band_q3"])
            for got, want in zip(bounds, (q1, q2, q3), strict=True):
                assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), (bounds, q1, q2, q3)
            own = case.value(high["la_code"], year)
            if own is None:
                assert high["band"] is None
                assert low["band"] is None
                assert high["band_reason"] == "x: no value"
                continue
            assert high["band"] in SWAP
            if own not in bounds:
                assert SWAP[high["band"]] == low["band"], (own, bounds, high["band"], low["band"])
        # A better value never sits in a worse band (A best).
        for rows, polarity in ((highs, "high_is_good"), (lows, "low_is_good")):
            banded = [
                (v, r["band"]) for r in rows if (v := case.value(r["la_code"], year)) is not None
            ]
            for a, band_a in banded:
                for b, band_b in banded:
                    if better(a, b, polarity):
                        assert band_a <= band_b, (polarity, a, band_a, b, band_b)


@PROPS
@given(
    case=cases(grouped=False),
    n=st.integers(min_value=2, max_value=10),
    invert=st.booleans(),
)
def test_phe_quantiles_are_in_range_and_monotone(case: Case, n: int, invert: bool) -> None:
    """Quantiles lie in 1..n and follow the value; with fewer than n LAs every quantile is null."""
    out = cyp.phe_quantiles(case.frame(), n=n, invert=invert)

    for year in case.years:
        values = case.year_values(year)
        rows = [r for r in out.iter_rows(named=True) if r["year"] == year]
        if len(values) < n:
            assert all(r["quantile"] is None for r in rows)
            assert all(r["quantile_reason"] == f"x: fewer than {n} LAs have a value" for r in rows)
            continue
        placed: list[tuple[float, int]] = []
        for row in rows:
            own = case.value(row["la_code"], year) if row["la_code"] != cyp.ENGLAND else None
            if own is None:
                assert row["quantile"] is None
                assert row["quantile_reason"] == "z: not an LA or no value"
                continue
            assert 1 <= row["quantile"] <= n
            assert row["quantile_reason"] is None
            placed.append((own, row["quantile"]))
        first = max if invert else min
        for v, q in placed:
            if v == first(values):
                assert q == 1
            for w, r in placed:
                if v > w:
                    assert (q <= r) if invert else (q >= r), (invert, v, q, w, r)
                elif v == w:
                    assert q == r
        last = min(values) if invert else max(values)
        if values.count(last) == 1:
            assert dict(placed)[last] == n


# --- non-finite and negative values: the one rule --------------------------------------------
#
# Every comparison function refuses a value that is not a finite number (NaN, an infinity, text
# too large for a float such as "1e400") with InvalidValueError naming the column and exactly the
# rows that hold one (0-based, in the caller's order, England's rows included), and a negative
# value where the definition's values cannot be negative.

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
COMPARERS = {
    "aggregate_median": lambda f, d: cyp.aggregate_neighbours(f, cyp.neighbour_set(), definition=d),
    "aggregate_mean": lambda f, d: cyp.aggregate_neighbours(
        f, cyp.neighbour_set(), method="mean", definition=d
    ),
    "rank": lambda f, d: cyp.rank_among_las(f, definition=d),
    "bands": lambda f, d: cyp.quartile_bands(f, definition=d, polarity="low_is_good"),
    "quantiles": lambda f, d: cyp.phe_quantiles(f),
    "gap": lambda f, d: cyp.add_gap(f, comparator="other", definition=d),
    "comparisons": lambda f, d: cyp.comparisons(f, d, la="la_code", year="year"),
}


@st.composite
def spoiled(draw: st.DrawFn, bad: st.SearchStrategy[float]) -> tuple[pl.DataFrame, list[int]]:
    """A case's frame with some values replaced by ``bad`` ones, and the rows replaced."""
    frame = draw(cases()).frame()
    rows = sorted(draw(st.sets(st.integers(min_value=0, max_value=frame.height - 1), min_size=1)))
    values = frame["value"].to_list()
    for row in rows:
        values[row] = draw(bad)
    spoilt = frame.with_columns(pl.Series("value", values, dtype=pl.Float64))
    return spoilt.with_columns(other=pl.lit(1.0)), rows


@PROPS
@given(case=spoiled(NON_FINITE), name=st.sampled_from(sorted(COMPARERS)), as_text=st.booleans())
def test_non_finite_values_are_refused_naming_exactly_their_rows(
    case: tuple[pl.DataFrame, list[int]], name: str, as_text: bool
) -> None:
    """NaN and infinities, as numbers or as text ("nan" is no number in text: "1e400" and
    "-1e400" are the infinities a CSV can hold), are refused, never aggregated, ranked or
    banded."""
    frame, rows = case
    if as_text:
        text = {"inf": "1e400", "-inf": "-1e400", "nan": "1e400"}
        frame = frame.with_columns(
            pl.col("value").map_elements(
                lambda v: text.get(str(v), repr(v)), return_dtype=pl.String
            )
        )
    with pytest.raises(cyp.InvalidValueError) as info:
        COMPARERS[name](frame, None)
    assert info.value.column == "value"
    assert info.value.rule == "must be a finite number"
    assert list(info.value.rows) == rows


NEGATIVE = st.floats(max_value=-1e-9, min_value=-1e6, allow_nan=False, allow_infinity=False)


@PROPS
@given(
    case=spoiled(NEGATIVE),
    name=st.sampled_from(sorted(set(COMPARERS) - {"quantiles"})),
    ident=st.sampled_from(["cla_rate_per_10k", "cpp_second_or_subsequent_pct"]),
)
def test_negative_rates_and_proportions_are_refused_naming_exactly_their_rows(
    case: tuple[pl.DataFrame, list[int]], name: str, ident: str
) -> None:
    """A rate or a proportion below zero is not a figure: refused with its rows."""
    frame, rows = case
    d = cyp.load_catalogue().get(ident)
    with pytest.raises(cyp.InvalidValueError, match="must not be negative") as info:
        COMPARERS[name](frame, d)
    assert list(info.value.rows) == rows
