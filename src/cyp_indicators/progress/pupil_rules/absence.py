"""Persistent absence: an enrolment missing a share of its own possible sessions (from 2015/16),
or a fixed number of sessions (to 2014/15)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ._columns import first_reason, number
from ._registry import RuleContext, RuleExprs, pupil_rule

__all__: list[str] = []

_NONE = pl.lit(None, pl.String)


def _sessions(
    schema: pl.Schema, p: Mapping[str, Any], ctx: RuleContext
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Sessions missed and possible, and why an enrolment leaves the calculation: no count, a
    non-finite or negative count, more missed than possible, or no possible session."""
    m, p_ = p["missed_column"], p["possible_column"]
    missed, missed_bad = number(m, ctx.need(schema, m, "missed_column"), ctx, "missed_column")
    possible, possible_bad = number(
        p_, ctx.need(schema, p_, "possible_column"), ctx, "possible_column"
    )
    said = [pl.col(m).cast(pl.String), pl.lit(" of "), pl.col(p_).cast(pl.String)]
    checks = (
        pl.when(missed.is_null() | possible.is_null())
        .then(pl.lit(f"missing_result: {m} or {p_} has no count"))
        .when((missed < 0) | (possible < 0))
        .then(pl.concat_str(pl.lit(f"out_of_range: negative sessions ({m}, {p_}: "), *said, pl.lit(")")))
        .when(missed > possible)
        .then(pl.concat_str(pl.lit(f"out_of_range: more sessions missed than possible ({m}, {p_}: "), *said, pl.lit(")")))
        .when(possible == 0)
        .then(pl.lit(f"not_in_cohort: {p_} is 0 (DfE counts enrolments with at least one possible session)"))
        .otherwise(_NONE)
    )  # fmt: skip
    return missed, possible, first_reason([missed_bad, possible_bad, checks])


@pupil_rule(
    "persistent_absence_percent",
    kind="share",
    parameters={"missed_column": "sessions_missed", "possible_column": "sessions_possible", "percent": 10},
)  # fmt: skip
def persistent_absence_percent(
    schema: pl.Schema, p: Mapping[str, Any], ctx: RuleContext
) -> RuleExprs:
    """Enrolments that missed ``percent`` per cent or more of their own possible sessions, for
    any reason (authorised or unauthorised), over enrolments with at least one possible session.

    The comparison is exact: sessions missed x 100 >= ``percent`` x sessions possible, so an
    enrolment that missed exactly 10 % is a persistent absentee at 10.
    """
    percent = p["percent"]
    if not 0 < percent <= 100:
        raise ctx.error(f"'percent' must be above 0 and at most 100, got {percent!r}")
    missed, possible, reason = _sessions(schema, p, ctx)
    whole = all(schema[c].is_integer() for c in (p["missed_column"], p["possible_column"]))
    if whole and float(percent).is_integer():
        m, n = (
            pl.col(p["missed_column"]).cast(pl.Int64),
            pl.col(p["possible_column"]).cast(pl.Int64),
        )
        absent = m * 100 >= n * int(percent)
    else:
        absent = missed * 100.0 >= possible * float(percent)
    return RuleExprs(pl.when(reason.is_null()).then(absent), reason)


@pupil_rule(
    "persistent_absence_sessions",
    kind="share",
    parameters={"missed_column": "sessions_missed", "possible_column": "sessions_possible", "min_sessions": 56},
)  # fmt: skip
def persistent_absence_sessions(
    schema: pl.Schema, p: Mapping[str, Any], ctx: RuleContext
) -> RuleExprs:
    """Enrolments that missed ``min_sessions`` or more half-day sessions, for any reason, over
    enrolments with at least one possible session (DfE's fixed thresholds to 2014/15)."""
    if p["min_sessions"] <= 0:
        raise ctx.error(f"'min_sessions' must be above 0, got {p['min_sessions']!r}")
    missed, _, reason = _sessions(schema, p, ctx)
    return RuleExprs(pl.when(reason.is_null()).then(missed >= float(p["min_sessions"])), reason)
