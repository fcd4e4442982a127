"""Statistics as polars expressions (``cyp.expr``): the struct, its contexts and its reasons.

Expected values come from formulas written here (Byar's, Wilson, exact Poisson limits through
``scipy.stats``, which the library no longer imports), and from the frame functions where the
issue states the contract as an equality (``group_by().agg(expr.rate(...))`` equals
``rate(..., by=...)``; ``.over()`` equals a join of the grouped result).
"""

from __future__ import annotations

import math
from typing import Any

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings
from polars.testing import assert_frame_equal
from scipy import stats

import cyp_indicators as cyp

LEVELS = [0.95, 0.998]
SLOW = settings(max_examples=40, deadline=None)
FAST = settings(max_examples=100, deadline=None)
SYMBOLS = ["c", "[c]", "low", "x", ":", "z", "u", " [LOW] "]
CANONICAL = {"c": "c", "[c]": "c", "low": "low", "x": "x", ":": "x", "z": "z", "u": "u"}
CANONICAL[" [LOW] "] = "low"
TOLERANCE = 1e-9


# --- independent formulas ---------------------------------------------------------------------


def z_of(level: float) -> float:
    return float(stats.norm.isf((1 - level) / 2))


def poisson_limits(o: float, level: float) -> tuple[float | None, float]:
    """PHE's rate limits for a count: exact (chi-square) below 10, Byar's from 10."""
    alpha = 1 - level
    if o < 10:
        lower = 0.0 if o == 0 else float(stats.chi2.ppf(alpha / 2, 2 * o) / 2)
        return lower, float(stats.chi2.isf(alpha / 2, 2 * o + 2) / 2)
    z = z_of(level)
    low = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    high = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return (low if low >= 0 else None), high


def wilson_limits(x: float, n: float, level: float) -> tuple[float, float]:
    z = z_of(level)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    lower = 0.0 if x == 0 else (2 * x + z * z - root) / (2 * (n + z * z))
    upper = 1.0 if x == n else (2 * x + z * z + root) / (2 * (n + z * z))
    return lower, upper


def label(level: float) -> str:
    return {0.95: "95", 0.998: "99_8"}[level]


def expected_group(
    rows: list[tuple[Any, Any]], kind: str, multiplier: float, *, grouped: bool = True
) -> dict[str, Any]:
    """The result of one group (or one row) of (numerator, denominator) cells, by hand."""
    verb = "includes" if grouped else "is"
    out: dict[str, Any] = {"value": None, "method": None, "reason": None}
    for role, position in (("numerator", 0), ("denominator", 1)):
        cells = [r[position] for r in rows]
        symbols = [CANONICAL[c] for c in cells if isinstance(c, str) and c in CANONICAL]
        if symbols:
            out["reason"] = out["reason"] or f"{symbols[0]}: {role} {verb} '{symbols[0]}'"
        elif any(c is None for c in cells):
            missing = "includes a missing value" if grouped else "is missing"
            out["reason"] = out["reason"] or f"x: {role} {missing}"
    x_cells = [r[0] for r in rows]
    n_cells = [r[1] for r in rows]
    x = None if out["reason"] and "numerator" in out["reason"] else sum(map(float, x_cells))
    n = None if any(c is None or c in CANONICAL for c in n_cells) else sum(map(float, n_cells))
    out["numerator"], out["denominator"] = x, n
    if out["reason"] is None and n == 0:
        out["reason"] = "z: denominator is zero"
    if out["reason"] is not None:
        return out
    assert x is not None
    assert n is not None
    out["value"] = x / n * multiplier
    for level in LEVELS:
        if kind == "rate":
            lower, upper = poisson_limits(x, level)
            scale = multiplier / n
            out["method"] = "exact" if x < 10 else "byars"
        else:
            lower, upper = wilson_limits(x, n, level)
            scale = multiplier
            out["method"] = "wilson"
        out[f"lower_{label(level)}"] = None if lower is None else lower * scale
        out[f"upper_{label(level)}"] = upper * scale
    return out


def assert_matches(got: dict[str, Any], want: dict[str, Any]) -> None:
    """A result row equals the hand-computed one (numbers to a relative 1e-9)."""
    for key, value in want.items():
        if key == "reason" and value is not None:
            assert got[key] is not None, (key, value)
            assert got[key].startswith(value), (key, got[key], value)
        elif isinstance(value, float):
            assert got[key] is not None, key
            assert abs(got[key] - value) <= TOLERANCE * max(1.0, abs(value)), (key, got, want)
        else:
            assert got[key] == value, (key, got[key], value)


# --- strategies -------------------------------------------------------------------------------


@st.composite
def grouped_frames(draw: st.DrawFn, *, text: bool) -> tuple[pl.DataFrame, list[tuple[Any, ...]]]:
    """A frame of groups ``g``, counts ``x`` and populations ``n`` with ``x <= n`` in every row;
    with ``text``, the columns are text and some cells GSS symbols. Also the rows as drawn."""
    size = draw(st.integers(1, 30))
    rows: list[tuple[Any, ...]] = []
    for _ in range(size):
        n = draw(st.one_of(st.integers(0, 50), st.integers(0, 10**6)))
        x = draw(st.integers(0, n)) if n else 0
        x_cell: Any = x
        n_cell: Any = n
        roll = draw(st.integers(0, 19))
        if roll == 0:
            x_cell = None
        elif roll == 1:
            n_cell = None
        elif roll == 2 and text:
            x_cell = draw(st.sampled_from(SYMBOLS))
        elif roll == 3 and text:
            n_cell = draw(st.sampled_from(SYMBOLS))
        rows.append((draw(st.sampled_from("abcde")), x_cell, n_cell))
    if text:
        cells = [
            (g, None if x is None else str(x), None if n is None else str(n)) for g, x, n in rows
        ]
        schema = {"g": pl.String, "x": pl.String, "n": pl.String}
        return pl.DataFrame(cells, schema=schema, orient="row"), rows
    schema = {"g": pl.String, "x": pl.Int64, "n": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row"), rows


def build(kind: str, **options: Any) -> pl.Expr:
    if kind == "rate":
        return cyp.expr.rate("x", "n", confidence=LEVELS, **options)
    return cyp.expr.proportion("x", "n", confidence=LEVELS, **options)


def frame_function(kind: str) -> Any:
    return cyp.rate if kind == "rate" else cyp.proportion


MULTIPLIER = {"rate": 10_000, "proportion": 100}


# --- the struct -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [False, True])
@pytest.mark.parametrize("confidence", [None, 0.95, [0.95, 0.998], [0.9, 0.99, 0.999]])
@pytest.mark.parametrize("kind", ["rate", "proportion"])
@pytest.mark.parametrize("aggregate", [True, False])
def test_struct_fields_are_the_result_columns(
    kind: str, confidence: Any, text: bool, aggregate: bool
) -> None:
    """The struct's field names and dtypes are those of the frame function's result columns."""
    frame = pl.DataFrame({"x": [3, 4], "n": [10, 20]})
    if text:
        frame = frame.cast(pl.String)
    function = cyp.expr.rate if kind == "rate" else cyp.expr.proportion
    out = frame.select(function("x", "n", confidence=confidence, aggregate=aggregate))
    assert out.columns == [kind]
    fields = out.schema[kind]
    assert isinstance(fields, pl.Struct)
    want = frame_function(kind)(frame, "x", "n", confidence=confidence).drop("x", "n").schema
    assert [(f.name, f.dtype) for f in fields.fields] == list(want.items())
    assert [f.name for f in fields.fields] == cyp.result_columns(confidence)


@pytest.mark.parametrize("aggregate", [True, False])
def test_count_and_mean_structs_match_their_frame_functions(aggregate: bool) -> None:
    """count's and mean's structs have count()'s and mean()'s columns (mean with and without
    sd)."""
    frame = pl.DataFrame({"t": [10.0, -2.5], "p": [4, 5], "sd": [1.0, 2.0]})
    got = frame.select(cyp.expr.count("p", aggregate=aggregate)).schema["count"]
    want = cyp.count(frame, "p").drop(frame.columns).schema
    assert isinstance(got, pl.Struct)
    assert [(f.name, f.dtype) for f in got.fields] == list(want.items())
    got = frame.select(cyp.expr.mean("t", "p", aggregate=aggregate)).schema["mean"]
    want = cyp.mean(frame, "t", "p").drop(frame.columns).schema
    assert isinstance(got, pl.Struct)
    assert [(f.name, f.dtype) for f in got.fields] == list(want.items())
    if not aggregate:
        row = frame.select(cyp.expr.mean("t", "p", sd="sd", aggregate=False)).unnest("mean")
        assert_frame_equal(row, cyp.mean(frame, "t", "p", sd="sd").drop(frame.columns))


def test_issue_example_runs() -> None:
    """The issue's example: a struct per region with both levels' limits."""
    frame = pl.DataFrame(
        {"region": ["E", "E", "W"], "cla": [40, 2, 7], "pop": [10_000, 2_000, 9_000]}
    )
    q = frame.group_by("region", maintain_order=True).agg(
        cyp.expr.rate("cla", "pop", multiplier=10_000, confidence=[0.95, 0.998])
    )
    out = q.unnest("rate")
    assert out["region"].to_list() == ["E", "W"]
    assert out["value"].to_list() == pytest.approx([35.0, 7 / 9000 * 10_000])
    for (region, cells), got in zip(
        [("E", [(40, 10_000), (2, 2_000)]), ("W", [(7, 9_000)])],
        out.iter_rows(named=True),
        strict=True,
    ):
        assert got["region"] == region
        assert_matches(got, expected_group(cells, "rate", 10_000))


# --- contexts: equalities the issue states ----------------------------------------------------


@SLOW
@given(st.data(), st.sampled_from(["rate", "proportion"]), st.booleans())
def test_group_by_agg_equals_rate_by(data: st.DataObject, kind: str, text: bool) -> None:
    """``group_by().agg(expr.<kind>(...))`` equals ``<kind>(..., by=...)`` and the formulas by
    hand for every group (sums first; a symbol or missing count gives null with a reason)."""
    frame, rows = data.draw(grouped_frames(text=text))
    got = frame.group_by("g").agg(build(kind)).unnest(kind).sort("g")
    want = frame_function(kind)(frame, "x", "n", confidence=LEVELS, by=["g"]).sort("g")
    assert_frame_equal(got, want)
    for result in got.iter_rows(named=True):
        cells = [(x, n) for g, x, n in rows if g == result["g"]]
        assert_matches(result, expected_group(cells, kind, MULTIPLIER[kind]))


@SLOW
@given(st.data(), st.sampled_from(["rate", "proportion"]), st.booleans())
def test_over_equals_a_join_of_the_grouped_result(
    data: st.DataObject, kind: str, text: bool
) -> None:
    """``expr.<kind>(...).over(g)`` equals joining ``<kind>(..., by=[g])`` back onto the rows."""
    frame, _ = data.draw(grouped_frames(text=text))
    got = frame.with_columns(build(kind).over("g")).unnest(kind)
    grouped = frame_function(kind)(frame, "x", "n", confidence=LEVELS, by=["g"])
    want = frame.join(grouped, on="g", how="left", maintain_order="left")
    assert_frame_equal(got, want)


@SLOW
@given(st.data(), st.sampled_from(["rate", "proportion"]), st.booleans())
def test_select_aggregates_the_whole_frame(data: st.DataObject, kind: str, text: bool) -> None:
    """In ``select`` the context is the whole frame: one row, the sums of every row."""
    frame, rows = data.draw(grouped_frames(text=text))
    got = frame.select(build(kind)).unnest(kind)
    assert got.height == 1
    assert_matches(
        got.row(0, named=True), expected_group([(x, n) for _, x, n in rows], kind, MULTIPLIER[kind])
    )


@SLOW
@given(st.data(), st.sampled_from(["rate", "proportion"]), st.booleans(), st.booleans())
def test_row_by_row_equals_the_frame_function(
    data: st.DataObject, kind: str, text: bool, lazy: bool
) -> None:
    """``aggregate=False`` in ``with_columns`` equals ``<kind>(frame, ...)`` row for row, lazily
    too."""
    frame, rows = data.draw(grouped_frames(text=text))
    source = frame.lazy() if lazy else frame
    got = source.with_columns(build(kind, aggregate=False)).unnest(kind)
    want = frame_function(kind)(source, "x", "n", confidence=LEVELS)
    if isinstance(got, pl.LazyFrame):
        assert isinstance(want, pl.LazyFrame)
        got, want = got.collect(), want.collect()
    assert isinstance(got, pl.DataFrame)
    assert_frame_equal(got, want)
    for (_, x, n), result in zip(rows, got.iter_rows(named=True), strict=True):
        assert_matches(result, expected_group([(x, n)], kind, MULTIPLIER[kind], grouped=False))


def test_lazy_group_by_and_streaming_engine() -> None:
    """The expression runs in a lazy query on both engines and gives the eager answer."""
    frame = pl.DataFrame(
        {"g": ["a", "b", "a", "b"], "x": [1, 20, 3, 40], "n": [100, 200, 300, 400]}
    )
    want = frame.group_by("g").agg(build("rate")).sort("g")
    for engine in ("in-memory", "streaming"):
        got = frame.lazy().group_by("g").agg(build("rate")).sort("g").collect(engine=engine)
        assert_frame_equal(got, want)


def test_exact_method_in_groups_equals_the_frame_function() -> None:
    """``method="exact"`` (scipy.special per batch) gives rate(by=, method="exact")'s values."""
    frame = pl.DataFrame({"g": ["a", "a", "b", "c"], "x": [1, 2, 300, 0], "n": [10, 20, 3000, 5]})
    expr = cyp.expr.rate("x", "n", confidence=LEVELS, method="exact")
    got = frame.group_by("g").agg(expr).unnest("rate").sort("g")
    want = cyp.rate(frame, "x", "n", confidence=LEVELS, method="exact", by=["g"]).sort("g")
    assert_frame_equal(got, want)
    b = got.row(1, named=True)
    assert b["upper_95"] == pytest.approx(stats.chi2.isf(0.025, 602) / 2 / 3000 * 10_000)
    assert b["lower_95"] == pytest.approx(stats.chi2.ppf(0.025, 600) / 2 / 3000 * 10_000)


def test_inputs_may_be_expressions() -> None:
    """Numerator and denominator may be expressions, not only column names."""
    frame = pl.DataFrame({"boys": [10, 3], "girls": [12, 4], "pop": [5_000, 1_000]})
    got = frame.select(
        cyp.expr.rate(pl.col("boys") + pl.col("girls"), pl.col("pop"), aggregate=False)
    ).unnest("rate")
    assert got["numerator"].to_list() == [22.0, 7.0]
    assert got["value"].to_list() == pytest.approx([44.0, 70.0])


def test_count_and_mean_in_groups() -> None:
    """count sums whole counts; mean divides summed totals by summed pupils (no interval)."""
    frame = pl.DataFrame(
        {"g": ["a", "a", "b"], "t": ["10.5", "-3", "c"], "p": [2, 3, 4], "k": [1, 2, None]}
    )
    out = frame.group_by("g", maintain_order=True).agg(cyp.expr.count("k"), cyp.expr.mean("t", "p"))
    counts = out.unnest("count")
    assert counts["value"].to_list() == [3.0, None]
    assert counts["reason"][1] == "x: numerator includes a missing value"
    means = out.select("g", "mean").unnest("mean")
    assert means["value"].to_list() == [7.5 / 5, None]
    assert means["reason"][1].startswith("c: numerator includes 'c'")


# --- rows that break a rule -------------------------------------------------------------------

# Finite values stay below 1e12 (a count near the largest double overflows Wilson's 4x(1 - x/n)
# to NaN: far outside any count of children, and not what these properties are about).
REAL = st.one_of(
    st.floats(min_value=-1e12, max_value=1e12),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.integers(-5, 30).map(float),
    st.sampled_from([0.5, 2.5, float("nan"), float("inf"), -float("inf"), -1.0, 0.0]),
)


def rule_broken(x: float, n: float, kind: str) -> str | None:
    """The reason a (numerator, denominator) row is refused, by the rules as documented."""
    if not math.isfinite(x):
        return "x: numerator is not a finite number"
    if x < 0:
        return "x: numerator is negative"
    if kind == "rate" and x != math.floor(x):
        return "x: numerator is not a whole number"
    if not math.isfinite(n):
        return "x: denominator is not a finite number"
    if n < 0:
        return "x: denominator is negative"
    if kind == "proportion" and x > n and n != 0:
        return "x: numerator exceeds the denominator"
    if kind == "rate" and n != 0:
        # documented: a rate whose limits would pass the largest float (every Poisson limit used
        # is below x + 10 sqrt(x + 1) + 20) is no figure
        top = abs(x) + 10 * math.sqrt(abs(x) + 1) + 20
        if not math.isfinite(top / n * MULTIPLIER["rate"]):
            return TOO_LARGE
    return None


TOO_LARGE = "x: the result is beyond the range of numbers (the denominator is next to zero)"


@FAST
@given(
    st.lists(st.tuples(REAL, REAL), min_size=1, max_size=20),
    st.sampled_from(["rate", "proportion"]),
)
def test_rows_breaking_a_rule_give_null_with_the_reason(
    cells: list[tuple[float, float]], kind: str
) -> None:
    """Non-finite, negative, fractional (rate) or exceeding (proportion) inputs never raise and
    never give a number: the value and limits are null and the reason names the rule. Every other
    row has a finite value (or "z" for a zero denominator)."""
    frame = pl.DataFrame(cells, schema={"x": pl.Float64, "n": pl.Float64}, orient="row")
    got = frame.select(build(kind, aggregate=False)).unnest(kind)
    for (x, n), row in zip(cells, got.iter_rows(named=True), strict=True):
        reason = rule_broken(x, n, kind)
        if reason is None and n == 0:
            reason = "z: denominator is zero"
        assert row["reason"] == reason, (x, n, row)
        if reason is None:
            assert row["value"] is not None, (x, n, row)
            assert math.isfinite(row["value"]), (x, n, row)
        else:
            assert row["value"] is None
            assert all(
                row[f"{side}_{label(c)}"] is None for c in LEVELS for side in ("lower", "upper")
            )
            assert row["method"] is None
        for column in ("value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"):
            assert row[column] is None or math.isfinite(row[column]), (column, x, n, row)


@FAST
@given(st.lists(st.tuples(st.sampled_from("ab"), REAL, REAL), min_size=1, max_size=20))
def test_a_group_holding_a_bad_row_is_null_with_the_reason(
    cells: list[tuple[str, float, float]],
) -> None:
    """Summed over groups, a group with any refused row has a null value and a reason that says
    the group "includes" the bad value; other groups match the frame function's grouped result."""
    frame = pl.DataFrame(
        cells, schema={"g": pl.String, "x": pl.Float64, "n": pl.Float64}, orient="row"
    )
    got = frame.group_by("g").agg(build("rate")).unnest("rate").sort("g")
    for row in got.iter_rows(named=True):
        members = [(x, n) for g, x, n in cells if g == row["g"]]
        broken = [rule_broken(x, n, "rate") for x, n in members]
        if any(broken):
            assert row["value"] is None
            assert row["reason"] is not None
            assert row["reason"].startswith("x: ")
            assert " includes " in row["reason"], row["reason"]
        else:
            good = frame.filter(pl.col("g") == row["g"])
            want = cyp.rate(good, "x", "n", confidence=LEVELS, by=["g"]).row(0, named=True)
            assert row == want


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["12", "five"], "x: numerator text is neither a number nor a GSS symbol"),
        (["12", "５"], "x: numerator text is neither a number nor a GSS symbol"),
        (["12", "٣"], "x: numerator text is neither a number nor a GSS symbol"),
    ],
)
def test_unreadable_text_gives_a_reason_not_an_error(cells: list[str], reason: str) -> None:
    """Text that is no number and no symbol (other scripts' digits included) is flagged, row by
    row and for the group holding it."""
    frame = pl.DataFrame({"x": cells, "n": [100, 100]})
    rows = frame.select(cyp.expr.rate("x", "n", aggregate=False)).unnest("rate")
    assert rows["reason"].to_list() == [None, reason]
    group = frame.select(cyp.expr.rate("x", "n")).unnest("rate")
    assert group["reason"][0] == reason.replace("text is", "includes text that is")


def test_a_column_of_dates_is_flagged() -> None:
    """A column that holds neither numbers nor text gives a reason for every row."""
    import datetime as dt

    frame = pl.DataFrame({"x": [dt.date(2025, 3, 31)], "n": [100]})
    out = frame.select(cyp.expr.rate("x", "n", aggregate=False)).unnest("rate")
    assert out["value"][0] is None
    assert out["reason"][0] == "x: numerator holds neither numbers nor text"


def test_flows_keep_a_value_above_the_denominator() -> None:
    """proportion(flows=True): 12 of 10 is 120 % with no interval, no method and no reason."""
    frame = pl.DataFrame({"x": [5, 12], "n": [10, 10]})
    out = frame.select(cyp.expr.proportion("x", "n", flows=True, aggregate=False)).unnest(
        "proportion"
    )
    assert out["value"].to_list() == [50.0, 120.0]
    assert out["method"].to_list() == ["wilson", None]
    assert out["reason"].to_list() == [None, None]


def test_a_grouped_proportion_above_its_denominator_is_refused() -> None:
    """3 out of 0 is "z" for its row, but summed with 1 out of 1 it makes 4 out of 1: a null value
    with a reason (once this gave NaN limits), from the expression and the frame function alike."""
    frame = pl.DataFrame({"g": ["a", "a"], "x": [3, 1], "n": [0, 1]})
    expr = frame.group_by("g").agg(cyp.expr.proportion("x", "n")).unnest("proportion")
    grouped = cyp.proportion(frame, "x", "n", by=["g"])
    for out in (expr, grouped):
        assert out["value"][0] is None
        assert out["lower_95"][0] is None
        assert out["reason"][0] == "x: numerator exceeds the denominator"


# --- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize("multiplier", [math.inf, -math.inf, math.nan, 0, -100])
def test_multiplier_must_be_finite_and_positive(multiplier: float) -> None:
    """A multiplier of inf once gave infinite values; it is refused when the expression is built."""
    with pytest.raises(ValueError, match="multiplier must be a finite number > 0"):
        cyp.expr.rate("x", "n", multiplier=multiplier)
    with pytest.raises(ValueError, match="multiplier must be a finite number > 0"):
        cyp.expr.proportion("x", "n", multiplier=multiplier)


@pytest.mark.parametrize("level", [math.nan, math.inf, -math.inf, 150, 0, 1])
def test_confidence_must_be_a_level_between_0_and_1(level: float) -> None:
    """NaN, infinities and percentages are not confidence levels."""
    with pytest.raises(ValueError, match="between 0 and 1"):
        cyp.expr.rate("x", "n", confidence=[0.95, level])


def test_unknown_method_and_summed_mean_interval_are_refused() -> None:
    """An unknown method, and an interval for a summed mean, are errors at build time."""
    with pytest.raises(ValueError, match="method must be one of"):
        cyp.expr.rate("x", "n", method="wald")  # type: ignore[arg-type]
    with pytest.raises(cyp.DataError, match="pupil-level data"):
        cyp.expr.mean("t", "p", sd="sd")


def test_a_denominator_next_to_zero_gives_a_null_with_the_reason_never_infinity() -> None:
    """Found by hypothesis: 20 children over a denominator of 3.6e-304 overflows a float; the
    row is refused like any other broken row, and an ordinary row beside it is untouched."""
    frame = pl.DataFrame({"x": [20.0, 1.0, 5.0], "n": [3.6e-304, 5e-310, 1000.0]})
    got = frame.select(build("rate", aggregate=False)).unnest("rate")
    assert got["reason"].to_list() == [TOO_LARGE, TOO_LARGE, None]
    assert got["value"].to_list()[:2] == [None, None]
    assert got["value"][2] == 5 / 1000 * MULTIPLIER["rate"]
    for column in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
        assert got[column].to_list()[:2] == [None, None]
