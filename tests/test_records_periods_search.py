"""The period searches of the derivations equal pairing every record with every period.

``open_at_end``, ``in_period`` and ``overlapping`` (``records/derivations/_common.py``) find the
periods a record falls in by searching sorted period bounds. The reference is the plain
definition: every record beside every period (``per_period``, a cross join), filtered with the
rule written out. Generated periods include overlapping ones (a year-to-date series), repeated
ones, one-day ones, and records with empty dates; for pooled records every council has its
periods.
"""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
import polars as pl
from hypothesis import given, settings

from cyp_indicators.records.derivations._common import (
    PERIOD_COLS,
    in_period,
    open_at_end,
    overlapping,
    per_period,
)

D = dt.date
FIRST = D(2016, 1, 1)
days = st.integers(0, 900).map(lambda n: FIRST + dt.timedelta(days=n))
maybe_days = st.one_of(st.none(), days)


@st.composite
def periods(draw: st.DrawFn) -> pl.DataFrame:
    """Periods: disjoint years, many disjoint months, a year-to-date series, or anything
    (overlaps, repeats)."""
    kind = draw(st.sampled_from(["disjoint", "many", "nested", "any"]))
    spans: list[tuple[dt.date, dt.date]] = []
    if kind in ("disjoint", "many"):  # many: more spans than are compared one by one (months)
        day = draw(days)
        count, longest = (
            (st.integers(1, 5), 400) if kind == "disjoint" else (st.integers(13, 30), 40)
        )
        for _ in range(draw(count)):
            end = day + dt.timedelta(days=draw(st.integers(0, longest)))
            spans.append((day, end))
            day = end + dt.timedelta(days=draw(st.integers(1, 30)))
    elif kind == "nested":
        start = draw(days)
        ends = sorted(set(draw(st.lists(st.integers(0, 400), min_size=1, max_size=6))))
        spans = [(start, start + dt.timedelta(days=n)) for n in ends]
    else:
        for _ in range(draw(st.integers(1, 6))):
            a, b = sorted((draw(days), draw(days)))
            spans.append((a, b))
    spans += draw(st.lists(st.sampled_from(spans), max_size=2))  # a period given twice
    return pl.DataFrame(
        {
            "period_label": [f"p{i}" for i in range(len(spans))],
            "period_start": [a for a, _ in spans],
            "period_end": [b for _, b in spans],
        },
        schema={"period_label": pl.String, "period_start": pl.Date, "period_end": pl.Date},
    )


@st.composite
def records(draw: st.DrawFn) -> pl.DataFrame:
    rows = []
    for i in range(draw(st.integers(0, 25))):
        start = draw(maybe_days)
        end = draw(maybe_days)
        if start is not None and end is not None and end < start:
            start, end = end, start
        rows.append((i, draw(st.sampled_from(["A", "B"])), start, end))
    return pl.DataFrame(
        rows,
        schema={"__row": pl.UInt32, "la": pl.String, "start": pl.Date, "end": pl.Date},
        orient="row",
    )


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("__row", "period_label").with_columns(pl.col("__p").cast(pl.UInt32))


def _pooled(periods: pl.DataFrame) -> pl.DataFrame:
    """Every council's periods (labels made council-specific, as derive does)."""
    councils = pl.DataFrame({"la": ["A", "B"]})
    return councils.join(periods, how="cross").with_columns(
        pl.concat_str("la", pl.lit("/"), "period_label").alias("period_label")
    )


RULES = {
    "open_at_end": (pl.col("start") <= pl.col("period_end"))
    & (pl.col("end").is_null() | (pl.col("end") > pl.col("period_end"))),
    "in_period": (pl.col("start") >= pl.col("period_start"))
    & (pl.col("start") <= pl.col("period_end")),
    "overlapping": (pl.col("start") <= pl.col("period_end"))
    & (pl.col("end").is_null() | (pl.col("end") >= pl.col("period_start"))),
}


def _search(rule: str, recs: pl.DataFrame, per: pl.DataFrame) -> pl.DataFrame:
    if rule == "open_at_end":
        return open_at_end(recs, per, "start", "end")
    if rule == "in_period":
        return in_period(recs, per, "start")
    return overlapping(recs, per, "start", "end")


@given(records(), periods(), st.sampled_from(["one council", "text codes", "enum codes"]))
@settings(max_examples=300, deadline=None)
def test_searches_equal_the_cross_join(recs: pl.DataFrame, per: pl.DataFrame, kind: str) -> None:
    if kind == "one council":
        recs = recs.drop("la")
    else:
        per = _pooled(per)
        if kind == "enum codes":  # as pooled records hold them (SSDA903.pool)
            codes = pl.Enum(["A", "B", "C"])
            recs = recs.with_columns(pl.col("la").cast(codes))
            per = per.with_columns(pl.col("la").cast(codes))
    for rule, keep in RULES.items():
        expected = _sorted(per_period(recs, per).filter(keep.fill_null(False)))
        found = _search(rule, recs, per)
        assert found.columns == [*recs.columns, *PERIOD_COLS, "__p"], rule
        assert _sorted(found).equals(expected), (rule, per, recs)


def test_a_year_to_date_series_and_open_episodes() -> None:
    """Hand-checked: an episode from 1 June 2016, still open, is open at 31 March 2017 and 2018
    and in the year-to-date periods ending then; a referral on 31 March 2017 is in FY 2016-17
    and in no period of 2017-18."""
    years = pl.DataFrame(
        {
            "period_label": ["FY 2016-17", "FY 2017-18"],
            "period_start": [D(2016, 4, 1), D(2017, 4, 1)],
            "period_end": [D(2017, 3, 31), D(2018, 3, 31)],
        }
    )
    recs = pl.DataFrame(
        {"__row": [0, 1], "start": [D(2016, 6, 1), D(2017, 3, 31)], "end": [None, D(2017, 3, 31)]},
        schema={"__row": pl.UInt32, "start": pl.Date, "end": pl.Date},
    )
    assert open_at_end(recs, years, "start", "end")["period_label"].to_list() == [
        "FY 2016-17",
        "FY 2017-18",
    ]
    assert in_period(recs, years, "start").select("__row", "period_label").rows() == [
        (0, "FY 2016-17"),
        (1, "FY 2016-17"),
    ]


@given(
    st.lists(st.lists(st.sampled_from([True, False, None]), min_size=4, max_size=4), max_size=4),
    st.lists(st.booleans(), min_size=5, max_size=5),
)
@settings(max_examples=200, deadline=None)
def test_pick_is_the_when_chain(conditions: list[list[bool | None]], dynamic: list[bool]) -> None:
    """``pick`` (the reasons' texts taken from a list by branch number) gives what the plain
    ``pl.when(...).then(...)...otherwise(...)`` chain gives, null conditions included; a text
    may be a column."""
    from cyp_indicators.records.derivations._common import pick

    frame = pl.DataFrame(
        {f"c{i}": pl.Series(values, dtype=pl.Boolean) for i, values in enumerate(conditions)}
        | {"word": ["w0", None, "w2", "w3"]}
    )
    texts: list[str | pl.Expr] = [
        pl.col("word") if dynamic[i] else f"reason {i}: a long enough text to be stored apart"
        for i in range(len(conditions) + 1)
    ]
    branches = [(pl.col(f"c{i}"), texts[i]) for i in range(len(conditions))]
    # the reference: the chain written out, fixed texts as literals
    as_expr = [pl.lit(t) if isinstance(t, str) else t for t in texts]
    expected: pl.Expr = as_expr[-1]
    for i in reversed(range(len(branches))):
        expected = pl.when(branches[i][0]).then(as_expr[i]).otherwise(expected)
    got = frame.select(pick(*branches, otherwise=texts[-1]).alias("r"))["r"]
    want = frame.select(expected.cast(pl.String).alias("r"))["r"]
    assert got.to_list() == want.to_list()
