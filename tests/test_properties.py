"""Property-based invariants (Hypothesis) of intervals, frames, units and rounding."""

from __future__ import annotations

import math
from typing import Any, TypeVar

import hypothesis.strategies as st
import pint
import polars as pl
import pytest
from hypothesis import given, settings
from polars.testing import assert_frame_equal

import cyp_indicators as cyp

LEVELS = [0.95, 0.998]
MULTIPLIERS = st.sampled_from([1, 100, 1_000, 10_000, 100_000])
F = TypeVar("F", pl.DataFrame, pl.LazyFrame)
FAST = settings(max_examples=200, deadline=None)
SLOW = settings(max_examples=60, deadline=None)


@st.composite
def events_of(draw: st.DrawFn, max_total: int = 10**7) -> tuple[int, int]:
    """``(x, n)`` with ``0 <= x <= n`` and ``n > 0``."""
    n = draw(st.integers(min_value=1, max_value=max_total))
    x = draw(st.one_of(st.integers(0, n), st.sampled_from([0, n, n - 1, 1 if n > 1 else 0])))
    return x, n


def proportion_row(x: int, n: int, multiplier: float = 1) -> dict[str, Any]:
    """The result row of ``proportion`` for one ``(x, n)`` at 95 % and 99.8 %."""
    frame = pl.DataFrame({"x": [x], "n": [n]})
    return cyp.proportion(frame, "x", "n", multiplier=multiplier, confidence=LEVELS).row(
        0, named=True
    )


def rate_row(o: int, n: int, multiplier: float = 10_000) -> dict[str, Any]:
    """The result row of ``rate`` for one ``(count, denominator)`` at 95 % and 99.8 %."""
    frame = pl.DataFrame({"o": [o], "n": [n]})
    return cyp.rate(frame, "o", "n", multiplier=multiplier, confidence=LEVELS).row(0, named=True)


def width(row: dict[str, Any], label: str) -> float:
    """``upper - lower`` of a result row at one level label ("95", "99_8")."""
    lower, upper = row[f"lower_{label}"], row[f"upper_{label}"]
    assert isinstance(lower, float)
    assert isinstance(upper, float)
    return upper - lower


# --- Wilson -----------------------------------------------------------------------------------


@FAST
@given(events_of())
def test_wilson_bounds_the_proportion(xn: tuple[int, int]) -> None:
    """Wilson limits satisfy 0 <= lower <= x/n <= upper <= 1 at both levels."""
    x, n = xn
    row = proportion_row(x, n)
    assert row["value"] == x / n
    assert row["method"] == "wilson"
    assert row["reason"] is None
    for label in ("95", "99_8"):
        lower, upper = row[f"lower_{label}"], row[f"upper_{label}"]
        assert isinstance(lower, float)
        assert isinstance(upper, float)
        assert 0.0 <= lower <= x / n <= upper <= 1.0, (label, lower, upper)


@FAST
@given(events_of())
def test_proportion_998_interval_contains_95(xn: tuple[int, int]) -> None:
    """The 99.8 % Wilson interval contains the 95 % interval."""
    row = proportion_row(*xn)
    assert row["lower_99_8"] <= row["lower_95"]
    assert row["upper_95"] <= row["upper_99_8"]


@FAST
@given(events_of(max_total=10**6), st.integers(min_value=2, max_value=1_000))
def test_wilson_narrows_with_scale(xn: tuple[int, int], k: int) -> None:
    """At a fixed x/n, scaling x and n by k >= 2 gives a narrower (or equal) Wilson interval."""
    x, n = xn
    small, big = proportion_row(x, n), proportion_row(k * x, k * n)
    for label in ("95", "99_8"):
        small_width = width(small, label)
        big_width = width(big, label)
        assert big_width <= small_width, (label, small_width, big_width)


# --- Rates ------------------------------------------------------------------------------------


@FAST
@given(
    st.one_of(st.integers(0, 10**6), st.integers(0, 20)),
    st.integers(1, 10**8),
    MULTIPLIERS,
)
def test_rate_interval_bounds_the_rate(o: int, n: int, multiplier: int) -> None:
    """Rate limits satisfy 0 <= lower <= value <= upper; the method is exact iff the count < 10."""
    row = rate_row(o, n, multiplier)
    value = row["value"]
    assert isinstance(value, float)
    assert value == o / n * multiplier
    assert row["method"] == ("exact" if o < 10 else "byars")
    assert row["reason"] is None
    for label in ("95", "99_8"):
        lower, upper = row[f"lower_{label}"], row[f"upper_{label}"]
        assert isinstance(lower, float)
        assert isinstance(upper, float)
        assert 0.0 <= lower <= value <= upper, (label, lower, value, upper)


@FAST
@given(st.one_of(st.integers(0, 10**6), st.integers(0, 20)), st.integers(1, 10**8))
def test_rate_998_interval_contains_95(o: int, n: int) -> None:
    """The 99.8 % rate interval contains the 95 % interval."""
    row = rate_row(o, n)
    assert row["lower_99_8"] <= row["lower_95"]
    assert row["upper_95"] <= row["upper_99_8"]


@FAST
@given(st.integers(10, 10**5), st.integers(1, 10**5), st.integers(2, 1_000))
def test_rate_narrows_with_scale(o: int, n: int, k: int) -> None:
    """At a fixed rate, scaling count (>= 10, Byar's) and denominator by k narrows the interval."""
    small, big = rate_row(o, n), rate_row(k * o, k * n)
    assert small["method"] == big["method"] == "byars"
    for label in ("95", "99_8"):
        small_width = width(small, label)
        big_width = width(big, label)
        assert big_width <= small_width, (label, small_width, big_width)


# --- Frames: row order and laziness -----------------------------------------------------------


@st.composite
def count_frames(draw: st.DrawFn) -> pl.DataFrame:
    """A frame of unique ``id``s, a ``grp`` column and counts ``x <= n`` (some nulls)."""
    size = draw(st.integers(1, 25))
    rows = []
    for i in range(size):
        x, n = draw(events_of(max_total=10**5))
        if draw(st.integers(0, 9)) == 0:
            rows.append({"id": i, "grp": draw(st.sampled_from("abcd")), "x": None, "n": n})
        else:
            rows.append({"id": i, "grp": draw(st.sampled_from("abcd")), "x": x, "n": n})
    return pl.DataFrame(
        rows, schema={"id": pl.Int64, "grp": pl.String, "x": pl.Int64, "n": pl.Int64}
    )


def measure(frame: F, kind: str, by: list[str] | None = None) -> F:
    """``proportion`` or ``rate`` of ``x`` over ``n`` at both levels."""
    if kind == "proportion":
        return cyp.proportion(frame, "x", "n", confidence=LEVELS, by=by)
    return cyp.rate(frame, "x", "n", confidence=LEVELS, by=by)


@SLOW
@given(st.data(), count_frames(), st.sampled_from(["proportion", "rate"]))
def test_row_order_does_not_change_results(
    data: st.DataObject, frame: pl.DataFrame, kind: str
) -> None:
    """Shuffling the input rows and re-sorting by the key gives identical results."""
    order = data.draw(st.permutations(range(frame.height)))
    shuffled = frame[list(order)]
    expected = measure(frame, kind).sort("id")
    got = measure(shuffled, kind).sort("id")
    assert_frame_equal(got, expected)


@SLOW
@given(st.data(), count_frames(), st.sampled_from(["proportion", "rate"]))
def test_row_order_does_not_change_grouped_results(
    data: st.DataObject, frame: pl.DataFrame, kind: str
) -> None:
    """Shuffling the input rows does not change grouped results (re-sorted by the group)."""
    order = data.draw(st.permutations(range(frame.height)))
    shuffled = frame[list(order)]
    expected = measure(frame, kind, by=["grp"]).sort("grp")
    got = measure(shuffled, kind, by=["grp"]).sort("grp")
    assert_frame_equal(got, expected)


@SLOW
@given(count_frames(), st.sampled_from(["proportion", "rate"]), st.booleans())
def test_lazyframe_in_lazyframe_out(frame: pl.DataFrame, kind: str, grouped: bool) -> None:
    """A LazyFrame gives a LazyFrame whose collected values equal the DataFrame path's."""
    by = ["grp"] if grouped else None
    eager = measure(frame, kind, by=by)
    lazy = measure(frame.lazy(), kind, by=by)
    assert isinstance(eager, pl.DataFrame)
    assert isinstance(lazy, pl.LazyFrame)
    assert_frame_equal(lazy.collect(), eager)


# --- Non-finite values: the documented rule -------------------------------------------------
# NaN and infinities in an input column are refused by rate/proportion/count/mean with an
# InvalidValueError naming the column and exactly those rows (eager, lazy, grouped alike); in
# cyp.expr they give a null value with the reason "x: <role> is not a finite number". A
# multiplier or confidence level that is not finite is a ValueError.

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])


@st.composite
def frames_with_non_finite(draw: st.DrawFn) -> tuple[pl.DataFrame, str, list[int]]:
    """Float counts ``x <= n`` and a group column, with NaN or infinities in some rows of one
    side; also the side ("x" or "n") and the rows that hold them."""
    size = draw(st.integers(1, 25))
    xs: list[float] = []
    ns: list[float] = []
    for _ in range(size):
        x, n = draw(events_of(max_total=10**6))
        xs.append(float(x))
        ns.append(float(n))
    side = draw(st.sampled_from(["x", "n"]))
    bad = sorted(draw(st.sets(st.integers(0, size - 1), min_size=1)))
    for i in bad:
        (xs if side == "x" else ns)[i] = draw(NON_FINITE)
    groups = [draw(st.sampled_from("ab")) for _ in range(size)]
    frame = pl.DataFrame({"grp": groups, "x": xs, "n": ns})
    return frame, side, bad


@SLOW
@given(
    frames_with_non_finite(),
    st.sampled_from(["proportion", "rate"]),
    st.booleans(),
    st.booleans(),
)
def test_non_finite_inputs_are_refused_naming_exactly_their_rows(
    drawn: tuple[pl.DataFrame, str, list[int]], kind: str, lazy: bool, grouped: bool
) -> None:
    """Any NaN or infinity in a count is an InvalidValueError naming the column and every row
    holding one (never a polars error, never a silent number)."""
    frame, side, bad = drawn
    source = frame.lazy() if lazy else frame
    with pytest.raises(cyp.InvalidValueError) as info:  # a LazyFrame is checked before it returns
        measure(source, kind, by=["grp"] if grouped else None)
    assert info.value.column == side
    assert info.value.rule.endswith("must be a finite number")
    assert list(info.value.rows) == bad


@SLOW
@given(frames_with_non_finite(), st.sampled_from(["proportion", "rate"]))
def test_non_finite_inputs_in_expressions_are_null_with_a_reason(
    drawn: tuple[pl.DataFrame, str, list[int]], kind: str
) -> None:
    """Row by row, cyp.expr gives exactly the non-finite rows a null value and the reason; summed
    over the frame, the one result is null with the reason that the column includes one."""
    frame, side, bad = drawn
    build = cyp.expr.rate if kind == "rate" else cyp.expr.proportion
    role = "numerator" if side == "x" else "denominator"
    rows = frame.select(build("x", "n", confidence=LEVELS, aggregate=False)).unnest(kind)
    want = [f"x: {role} is not a finite number" if i in bad else None for i in range(frame.height)]
    assert rows["reason"].to_list() == want
    assert rows["value"].is_null().to_list() == [i in bad for i in range(frame.height)]
    total = frame.select(build("x", "n", confidence=LEVELS)).unnest(kind).row(0, named=True)
    assert total["value"] is None
    assert total["reason"] == f"x: {role} includes a value that is not a finite number"


@FAST
@given(st.floats(), st.sampled_from(["proportion", "rate"]))
def test_a_multiplier_is_a_finite_positive_number(multiplier: float, kind: str) -> None:
    """Any float multiplier: finite and > 0 scales the value; anything else is a ValueError.

    A rate whose limits could pass the largest float is no figure, as documented (every Poisson
    limit used is below x + 10 sqrt(x + 1) + 20): 3 over 4 per 1.67e307 is refused so (found by
    hypothesis), though 3/4 of it is a float."""
    frame = pl.DataFrame({"x": [3], "n": [4]})
    function = cyp.rate if kind == "rate" else cyp.proportion
    if math.isfinite(multiplier) and multiplier > 0:
        row = function(frame, "x", "n", multiplier=multiplier).row(0, named=True)
        if kind == "rate" and not math.isfinite((3 + 10 * math.sqrt(4) + 20) / 4 * multiplier):
            assert row["value"] is None
            assert row["reason"] == (
                "x: the result is beyond the range of numbers (a denominator next to zero or a very large multiplier)"
            )
        else:
            assert row["value"] == 3 / 4 * multiplier
    else:
        with pytest.raises(ValueError, match="multiplier must be a finite number > 0"):
            function(frame, "x", "n", multiplier=multiplier)


TOO_LARGE = (
    "x: the result is beyond the range of numbers (a denominator next to zero or a very large "
    "multiplier)"
)


@FAST
@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(0, 30), st.integers(0, 2**63 - 1)),
            st.one_of(st.integers(0, 3), st.integers(0, 2**63 - 1)),
        ),
        min_size=1,
        max_size=6,
    ),
    st.one_of(
        st.sampled_from([1e4, 1e286, 1e287, 1.0000000000001e287, 1e300, 1.7e308]),
        st.floats(min_value=1e280, max_value=1.7e308),
    ),
)
def test_integer_counts_refuse_a_result_beyond_the_largest_float_as_documented(
    rows: list[tuple[int, int]], multiplier: float
) -> None:
    """Integer columns (counts up to 2**63 - 1) take the documented rule row by row: a rate
    whose limits could pass the largest float (x + 10 sqrt(x + 1) + 20 over the denominator,
    times the multiplier, not finite) is null with the reason; every other value is finite.
    Multipliers around 1e287, where the library stops testing whole numbers row by row (no
    integer count can overflow below it), are drawn on purpose."""
    frame = pl.DataFrame(rows, schema={"x": pl.Int64, "n": pl.Int64}, orient="row")
    got = cyp.rate(frame, "x", "n", multiplier=multiplier, confidence=[0.95, 0.998])
    for (x, n), row in zip(rows, got.iter_rows(named=True), strict=True):
        if n == 0:
            assert row["reason"] == "z: denominator is zero"
            continue
        top = float(x) + 10 * math.sqrt(float(x) + 1) + 20
        if math.isfinite(top / float(n) * multiplier):
            assert row["reason"] is None, (x, n)
            limits = [row[c] for c in ("value", "lower_95", "upper_95", "upper_99_8")]
            assert all(v is None or math.isfinite(v) for v in limits), (x, n, limits)
            assert row["value"] == pytest.approx(float(x) / float(n) * multiplier, rel=1e-12)
        else:
            assert row["value"] is None
            assert row["reason"] == TOO_LARGE


# --- Units ------------------------------------------------------------------------------------

FINITE = st.floats(
    min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False, allow_subnormal=False
)


@FAST
@given(FINITE)
def test_percent_per_10000_round_trip(q: float) -> None:
    """percent -> per_10000 -> percent returns the magnitude (relative 1e-12)."""
    back = cyp.Quantity(q, "percent").to("per_10000").to("percent")
    assert str(back.units) == "percent"
    assert math.isclose(back.magnitude, q, rel_tol=1e-12)


@FAST
@given(FINITE)
def test_per_1000_per_100000_round_trip(q: float) -> None:
    """per_1000 -> per_100000 -> per_1000 returns the magnitude (relative 1e-12)."""
    back = cyp.Quantity(q, "per_1000").to("per_100000").to("per_1000")
    assert str(back.units) == "per_1000"
    assert math.isclose(back.magnitude, q, rel_tol=1e-12)


def test_percent_is_250_per_10000() -> None:
    """2.5 percent converts to 250 per_10000."""
    assert math.isclose(cyp.Quantity(2.5, "percent").to("per_10000").magnitude, 250.0)


@FAST
@given(FINITE, FINITE)
def test_gap_of_percentages_is_percentage_points(a: float, b: float) -> None:
    """The gap between two percentages is a - b in percentage points."""
    difference = cyp.gap(cyp.Quantity(a, "percent"), cyp.Quantity(b, "percent"))
    assert difference.units == cyp.registry.Unit("percentage_point")
    assert difference.magnitude == a - b


@FAST
@given(FINITE)
def test_percent_does_not_convert_to_percentage_points(q: float) -> None:
    """Converting a percentage to percentage points raises pint's DimensionalityError."""
    with pytest.raises(pint.DimensionalityError):
        cyp.Quantity(q, "percent").to("percentage_point")


# --- Rounding ---------------------------------------------------------------------------------


@FAST
@given(st.integers(0, 10**6))
def test_halves_round_away_from_zero(k: int) -> None:
    """k + 0.5 rounds to k + 1 and -(k + 0.5) to -(k + 1), as scalar and as expression."""
    assert cyp.round_half_away(k + 0.5, 0) == k + 1
    assert cyp.round_half_away(-(k + 0.5), 0) == -(k + 1)
    got = pl.select(
        cyp.round_half_away_expr(pl.lit(pl.Series([k + 0.5, -(k + 0.5)])), 0)
    ).to_series()
    assert got.to_list() == [k + 1, -(k + 1)]


@FAST
@given(st.integers(-(10**7), 10**7), st.integers(1, 3), st.data())
def test_expression_agrees_with_scalar(m: int, places: int, data: st.DataObject) -> None:
    """``round_half_away_expr`` equals ``round_half_away`` on values with 1-3 decimal places."""
    value = m / 10**places
    decimals = data.draw(st.integers(0, places))
    got = pl.select(cyp.round_half_away_expr(pl.lit(value, pl.Float64), decimals)).item()
    assert got == cyp.round_half_away(value, decimals)


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 3))
def test_rounding_never_fails_and_agrees_on_any_double(value: float, decimals: int) -> None:
    """Any finite double rounds without error (1e307 does not overflow when scaled), the scalar
    and the expression agree, and the result is within half a unit of the value."""
    got = cyp.round_half_away(value, decimals)
    expr = pl.select(cyp.round_half_away_expr(pl.lit(value, pl.Float64), decimals)).item()
    assert got == expr
    assert math.isfinite(got)
    assert abs(got - value) <= 0.5 * 10.0**-decimals + abs(value) * 1e-15


def test_polars_default_rounds_half_to_even_but_ours_away() -> None:
    """polars' default round is half to even; ``round_half_away_expr`` rounds half away from 0."""
    values = pl.Series("v", [0.5, 1.5, 2.5, -2.5])
    assert values.round(0).to_list() == [0.0, 2.0, 2.0, -2.0]
    ours = pl.select(cyp.round_half_away_expr(pl.lit(values), 0)).to_series()
    assert ours.to_list() == [1.0, 2.0, 3.0, -3.0]
    assert [cyp.round_half_away(v, 0) for v in values] == [1.0, 2.0, 3.0, -3.0]


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(2.675, 2, 2.68), (1.005, 2, 1.01), (0.125, 2, 0.13), (-2.675, 2, -2.68), (-1.005, 2, -1.01)],
)
def test_binary_halves_round_up_with_dfe_tolerance(
    value: float, decimals: int, expected: float
) -> None:
    """Figures stored just below a half (2.675, 1.005) still round away from zero, like DfE's."""
    assert cyp.round_half_away(value, decimals) == expected
    got = pl.select(cyp.round_half_away_expr(pl.lit(value, pl.Float64), decimals)).item()
    assert got == expected
