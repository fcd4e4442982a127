"""Children looked after by placement, UASC status, missing incidents, reason for ceasing and
number of social workers (SSDA903).

DfE's rules, as the definitions state them (codes from the SSDA903 guide, named in each
definition's ``[derivation]`` table where they group into levels):

* By placement type at a date: the children looked after at the date (as
  :func:`~.looked_after.looked_after_at_date` counts them) by the type of the placement they were
  in; the groups share one denominator and add up to 100%. A temporary placement (PLACE T0-T4:
  hospital, a holiday, a carer's holiday, 7 days or less) is not a placement: the child counts in
  the usual placement, the latest non-temporary one before it.
* UASC at a date: of the children looked after at the date, those with a UASC record whose
  status had not ceased by then (no DUC, "date UASC status ceased", or one after the date).
  Starting in a period: of the children starting to be looked after (first start in the period),
  those who were UASC on the day they started.
* Missing or away without authorisation: of the children looked after at any time in the period,
  those with at least one incident of the kind overlapping it (an incident under way on 1 April
  counts).
* Reason for ceasing: of the children who ceased to be looked after in the period, the reason
  (REC) of their last occasion in it; X1 is not a cessation.
* Three or more social workers: of the children looked after at the period end, those with three
  or more different social workers (SW_ID) assigned at any time in the period, whether or not the
  child was looked after then.
* Placed for adoption within 12 months of the decision (NI 61): of the children adopted in the
  period, those placed, in the placement in which they were adopted, within 12 months of the
  decision that they should be placed for adoption.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ..registry import Counted, derivation
from ._common import PERIOD_COLS, accounting, child_counts, per_period, shaped, share_counts
from ._levels import LEVEL, level_counts, level_shares, parse_levels, value_levels
from ._returns import require
from .looked_after import (
    SHORT_BREAKS,
    TEMPORARY_PLACES,
    _adoptions,
    _episodes,
    _not_short_break,
    at_date,
    starts,
)

__all__: list[str] = []

SHORT_BREAK_WORDS = "not_counted: short breaks (legal status V3/V4) are not counted"


def _in(column: str) -> pl.Expr:
    return (pl.col(column) >= pl.col("period_start")) & (pl.col(column) <= pl.col("period_end"))


def _overlaps(start: str, end: str) -> pl.Expr:
    return (pl.col(start) <= pl.col("period_end")) & (
        pl.col(end).is_null() | (pl.col(end) >= pl.col("period_start"))
    )


def _rows_in(rows: pl.Series | list[int]) -> pl.Expr:
    return pl.col("__row").is_in(pl.Series(rows, dtype=pl.UInt32).unique().implode())


@derivation(
    "looked_after_by_placement_type",
    tables=("episodes",),
    parameters={
        "column": "placement_type",
        "levels": [],
        "exclude_legal_status": SHORT_BREAKS,
        "temporary_places": TEMPORARY_PLACES,
        "as_share": True,
    },
)
def by_placement_type(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children looked after at each period end by placement type (levels: PLACE codes).

    The denominator is the children whose placement falls in a level, so the levels add up to
    100%; a child whose PLACE is in no level, or in a temporary placement whose usual placement
    is not in the records, is left out of both with the reason.
    """
    name = "looked_after_by_placement_type"
    column, levels = parse_levels(params, name)
    lookup = value_levels(levels, name)
    temporary = pl.col("PLACE").is_in(list(params["temporary_places"])).fill_null(False)
    episodes = (
        _episodes(records)
        .sort("CHILD", "DECOM", "__row")
        .with_columns(
            pl.when(~temporary)
            .then(pl.col("PLACE"))
            .forward_fill()
            .shift(1)
            .over("CHILD")
            .alias("__usual")
        )
        .with_columns(
            pl.when(temporary).then(pl.col("__usual")).otherwise(pl.col("PLACE")).alias("__place")
        )
        .join(lookup, left_on="__place", right_on="__value", how="left", maintain_order="left")
        .sort("__row")
    )
    firsts, reason = at_date(episodes, periods, params)
    placed = firsts.filter(pl.col(LEVEL).is_not_null())
    unplaced = firsts.filter(pl.col(LEVEL).is_null())
    counts = level_shares(
        level_counts(placed, periods, column, list(levels), "numerator", child="CHILD"),
        child_counts(placed, periods, "denominator"),
        column,
    )
    left_out = set(unplaced["__row"].to_list()) - set(placed["__row"].to_list())
    reason = (
        pl.when(_rows_in(list(left_out)) & temporary & pl.col("__usual").is_null())
        .then(
            pl.format(
                "not_counted: in a temporary placement (PLACE {}) whose usual placement is not "
                "in the records, so its placement type cannot be told",
                pl.col("PLACE"),
            )
        )
        .when(_rows_in(list(left_out)))
        .then(
            pl.format(
                "unknown_code: PLACE '{}' is in no placement type of the definition's levels",
                pl.col("__place").fill_null("empty"),
            )
        )
        .otherwise(reason)
    )
    return Counted(
        counts=shaped(counts, params),
        records=accounting("episodes", episodes, placed["__row"].unique(), reason),
    )


def _uasc(records: Any, name: str) -> pl.DataFrame:
    return require(records, "uasc", name)


def _uasc_accounting(uasc: pl.DataFrame, used: pl.Series, words: str) -> pl.LazyFrame:
    reason = (
        pl.when(pl.col("DUC").is_not_null())
        .then(pl.format("not_counted: {} (UASC status ceased {})", pl.lit(words), pl.col("DUC")))
        .otherwise(pl.format("not_counted: {}", pl.lit(words)))
    )
    return accounting("uasc", uasc, used, reason)


def _uasc_on(hits: pl.DataFrame, uasc: pl.DataFrame, day: pl.Expr) -> pl.DataFrame:
    """``hits`` (CHILD, periods) joined to the child's UASC rows whose status had not ceased on
    ``day``: one row per hit and UASC row."""
    return hits.join(
        uasc.select("CHILD", pl.col("__row").alias("__uasc_row"), "DUC"), on="CHILD", how="inner"
    ).filter(pl.col("DUC").is_null() | (pl.col("DUC") > day))


@derivation(
    "uasc_looked_after_at_date",
    tables=("episodes", "uasc"),
    parameters={"exclude_legal_status": SHORT_BREAKS, "as_share": True},
)
def uasc_at_date(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children looked after at each period end who were unaccompanied asylum-seeking children
    then, over all children looked after then."""
    name = "uasc_looked_after_at_date"
    uasc = _uasc(records, name)
    episodes = _episodes(records)
    firsts, reason = at_date(episodes, periods, params)
    status = _uasc_on(firsts, uasc, pl.col("period_end"))
    counts = share_counts(
        child_counts(status, periods, "numerator"), child_counts(firsts, periods, "denominator")
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting("episodes", episodes, firsts["__row"].unique(), reason),
            _uasc_accounting(
                uasc, status["__uasc_row"].unique(),
                "not UASC while looked after at the end of any period: not looked after then, or "
                "the status had ceased by then",
            ),
        ]),
    )  # fmt: skip


@derivation(
    "uasc_started",
    tables=("episodes", "uasc"),
    parameters={"exclude_legal_status": SHORT_BREAKS, "as_share": True},
)
def uasc_started(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children who started to be looked after in each period (first start, each child once)
    who were unaccompanied asylum-seeking children on the day they started, over all children
    starting."""
    name = "uasc_started"
    uasc = _uasc(records, name)
    episodes, hits, reason = starts(_episodes(records), periods, params)
    first = hits.sort("DECOM", "__row").unique(["CHILD", "period_label"], keep="first")
    status = _uasc_on(first, uasc, pl.col("DECOM"))
    counts = share_counts(
        child_counts(status, periods, "numerator"), child_counts(first, periods, "denominator")
    )
    later = set(hits["__row"].to_list()) - set(first["__row"].to_list())
    reason = (
        pl.when(_rows_in(list(later)))
        .then(pl.lit("not_counted: not the child's first start in the period (each child once)"))
        .otherwise(reason)
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting("episodes", episodes, first["__row"].unique(), reason),
            _uasc_accounting(
                uasc, status["__uasc_row"].unique(),
                "not UASC on the day of a start counted in any period: no such start, or the "
                "status had ceased by then",
            ),
        ]),
    )  # fmt: skip


@derivation(
    "looked_after_missing",
    tables=("episodes", "missing"),
    parameters={
        "column": "incident_type",
        "levels": [],
        "exclude_legal_status": SHORT_BREAKS,
        "as_share": True,
    },
)
def missing(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children looked after at any time in each period with at least one incident of the level's
    kind (levels: MISSING codes, M missing, A away without authorisation) overlapping the period,
    over all children looked after at any time in it."""
    name = "looked_after_missing"
    column, levels = parse_levels(params, name)
    lookup = value_levels(levels, name)
    table = require(records, "missing", name).join(
        lookup, left_on="MISSING", right_on="__value", how="left", maintain_order="left"
    )
    episodes = _episodes(records)
    keep = _not_short_break(params)
    during = per_period(episodes, periods).filter(_overlaps("DECOM", "DEC") & keep)
    cohort = during.select("CHILD", *PERIOD_COLS).unique()
    incidents = per_period(table, periods).filter(
        _overlaps("MIS_START", "MIS_END") & pl.col(LEVEL).is_not_null()
    )
    counted = incidents.join(cohort, on=["CHILD", *PERIOD_COLS], how="semi")
    counts = level_shares(
        level_counts(counted, periods, column, list(levels), "numerator", child="CHILD"),
        child_counts(cohort, periods, "denominator"),
        column,
    )
    in_some = set(incidents["__row"].to_list())
    episode_reason = (
        pl.when(~keep)
        .then(pl.lit(SHORT_BREAK_WORDS))
        .otherwise(pl.lit("outside_period: not open at any time in any period"))
    )
    incident_reason = (
        pl.when(pl.col(LEVEL).is_null())
        .then(
            pl.format(
                "unknown_code: MISSING '{}' is in no level of the definition",
                pl.col("MISSING").fill_null("empty"),
            )
        )
        .when(_rows_in(list(in_some)))
        .then(
            pl.lit(
                "not_counted: the child was not looked after (outside short breaks) during any "
                "period the incident overlaps"
            )
        )
        .otherwise(pl.lit("outside_period: the incident overlaps no period"))
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting("episodes", episodes, during["__row"].unique(), episode_reason),
            accounting("missing", table, counted["__row"].unique(), incident_reason),
        ]),
    )  # fmt: skip


@derivation(
    "looked_after_ceased_by_reason",
    tables=("episodes",),
    parameters={
        "reasons": [],
        "denominator_reasons": [],
        "column": "",
        "levels": [],
        "exclude_legal_status": SHORT_BREAKS,
        "as_share": True,
    },
)
def ceased_by_reason(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children who ceased to be looked after in each period, by the reason (REC) of their last
    occasion in it: those whose reason is one of ``reasons`` (or, for a breakdown, in each of
    ``levels``) over those who ceased (only for one of ``denominator_reasons`` when given)."""
    name = "looked_after_ceased_by_reason"
    episodes = _episodes(records)
    keep = _not_short_break(params)
    ceasing = per_period(episodes, periods).filter(
        _in("DEC") & pl.col("REC").is_not_null() & (pl.col("REC") != "X1") & keep
    )
    last = ceasing.sort("DEC", "__row").unique(["CHILD", "period_label"], keep="last")
    only = list(params["denominator_reasons"])
    cohort = last.filter(pl.col("REC").is_in(only)) if only else last
    denominator = child_counts(cohort, periods, "denominator")
    if params.get("levels"):
        column, levels = parse_levels(params, name)
        lookup = value_levels(levels, name)
        grouped = cohort.join(lookup, left_on="REC", right_on="__value", how="inner")
        counts = level_shares(
            level_counts(grouped, periods, column, list(levels), "numerator", child="CHILD"),
            denominator,
            column,
        )
    else:
        hits = cohort.filter(pl.col("REC").is_in(list(params["reasons"])))
        counts = share_counts(child_counts(hits, periods, "numerator"), denominator)
    not_last = set(ceasing["__row"].to_list()) - set(last["__row"].to_list())
    other = set(last["__row"].to_list()) - set(cohort["__row"].to_list())
    reason = (
        pl.when(~keep)
        .then(pl.lit(SHORT_BREAK_WORDS))
        .when(pl.col("DEC").is_null())
        .then(pl.lit("not_counted: the episode is open"))
        .when(pl.col("REC") == "X1")
        .then(pl.lit("not_counted: X1, a new episode began the same day (not a cessation)"))
        .when(_rows_in(list(not_last - set(cohort["__row"].to_list()))))
        .then(pl.lit("not_counted: not the child's last occasion of ceasing in the period"))
        .when(_rows_in(list(other)))
        .then(
            pl.format(
                "not_counted: ceased with REC {}, not one of this measure's reasons ({})",
                pl.col("REC"),
                pl.lit(" ".join(only)),
            )
        )
        .otherwise(pl.lit("outside_period: did not cease in any period"))
    )
    return Counted(
        counts=shaped(counts, params),
        records=accounting("episodes", episodes, cohort["__row"].unique(), reason),
    )


@derivation(
    "three_or_more_social_workers",
    tables=("episodes", "sw_episodes"),
    parameters={"minimum": 3, "exclude_legal_status": SHORT_BREAKS, "as_share": True},
)
def social_workers(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children looked after at each period end with ``minimum`` (3) or more different social
    workers assigned at any time in the period, over all children looked after at the end."""
    name = "three_or_more_social_workers"
    workers = require(records, "sw_episodes", name)
    episodes = _episodes(records)
    firsts, reason = at_date(episodes, periods, params)
    cohort = firsts.select("CHILD", *PERIOD_COLS)
    assigned = per_period(workers, periods).filter(
        _overlaps("SW_DECOM", "SW_DEC") & pl.col("SW_ID").is_not_null()
    )
    used = assigned.join(cohort, on=["CHILD", *PERIOD_COLS], how="semi")
    many = (
        used.group_by("CHILD", *PERIOD_COLS)
        .agg(pl.col("SW_ID").n_unique().alias("__workers"))
        .filter(pl.col("__workers") >= int(params["minimum"]))
    )
    counts = share_counts(
        child_counts(many, periods, "numerator"), child_counts(firsts, periods, "denominator")
    )
    overlapping = set(assigned["__row"].to_list())
    worker_reason = (
        pl.when(pl.col("SW_ID").is_null())
        .then(pl.lit("not_counted: no SW_ID, so the social worker cannot be told apart"))
        .when(_rows_in(list(overlapping)))
        .then(pl.lit("not_counted: the child was not looked after at the end of the period"))
        .otherwise(pl.lit("outside_period: the social worker episode overlaps no period"))
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting("episodes", episodes, firsts["__row"].unique(), reason),
            accounting("sw_episodes", workers, used["__row"].unique(), worker_reason),
        ]),
    )  # fmt: skip


@derivation(
    "adopted_within_months_of_decision",
    tables=("episodes", "placed_for_adoption"),
    parameters={
        "adopted_reasons": ["E11", "E12"],
        "adoption_places": ["A3", "A4", "A5", "A6"],
        "new_family_reasons": ["S", "P", "T"],
        "months": 12,
        "as_share": True,
    },
)
def adopted_within_months(
    records: Any, periods: pl.DataFrame, params: Mapping[str, Any]
) -> Counted:
    """Children adopted in each period (REC E11, E12) who had been placed for adoption, in the
    placement in which they were adopted, within ``months`` of the decision that they should be
    placed for adoption, over the children adopted in it (NI 61).

    The placement is the start of the last run of adoptive placements (A3-A6) before the
    adoption, as :func:`~.looked_after.adoption_a1` finds it (a placement that broke down does
    not count); the decision is the placed_for_adoption DATE_PLACED ("Date of LA's decision that
    a child should be placed for adoption"), the latest on or before the placement not reversed
    (DATE_PLACED_CEASED) by then. Within 12 months: placed on or before the day 12 months after
    the decision. An adoption whose placement or decision the records do not hold is left out,
    with the reason.
    """
    name = "adopted_within_months_of_decision"
    decisions = require(records, "placed_for_adoption", name)
    episodes, rows = _adoptions(records, params)
    pairs = (
        rows.filter(pl.col("__moved_in").is_not_null())
        .select("__row", "CHILD", "__moved_in")
        .join(
            decisions.select(
                "CHILD",
                pl.col("__row").alias("__decision_row"),
                "DATE_PLACED",
                "DATE_PLACED_CEASED",
            ),
            on="CHILD",
        )
        .filter(
            (pl.col("DATE_PLACED") <= pl.col("__moved_in"))
            & (
                pl.col("DATE_PLACED_CEASED").is_null()
                | (pl.col("DATE_PLACED_CEASED") > pl.col("__moved_in"))
            )
        )
        .sort("DATE_PLACED", "__decision_row")
        .unique("__row", keep="last")
        .select("__row", "__decision_row", "DATE_PLACED")
    )
    rows = rows.join(pairs, on="__row", how="left")
    usable = (
        pl.col("__problem").is_null()
        & pl.col("__moved_in").is_not_null()
        & pl.col("DATE_PLACED").is_not_null()
    )
    hits = per_period(rows, periods).filter(
        (pl.col("DEC") >= pl.col("period_start")) & (pl.col("DEC") <= pl.col("period_end")) & usable
    )
    months = int(params["months"])
    timely = pl.col("__moved_in") <= pl.col("DATE_PLACED").dt.offset_by(f"{months}mo")
    counts = share_counts(
        child_counts(hits.filter(timely), periods, "numerator"),
        child_counts(hits, periods, "denominator"),
    )
    episodes = episodes.join(
        rows.select("__row", "__problem", "__moved_in", "DATE_PLACED"), on="__row", how="left"
    ).sort("__row")
    adopted = pl.col("REC").is_in(list(params["adopted_reasons"])).fill_null(False)
    reason = (
        pl.when(~adopted)
        .then(pl.lit("not_counted: the episode did not end in adoption"))
        .when(pl.col("__problem").is_not_null())
        .then(pl.col("__problem"))
        .when(pl.col("__moved_in").is_null())
        .then(pl.lit("not_counted: no adoptive placement (A3-A6) ends the period of care"))
        .when(pl.col("DATE_PLACED").is_null())
        .then(
            pl.lit(
                "not_counted: no decision that the child should be placed for adoption "
                "(placed_for_adoption DATE_PLACED) on or before the placement, and not reversed "
                "by then"
            )
        )
        .otherwise(pl.lit("outside_period: adoption not in any period"))
    )
    decision_reason = pl.lit(
        "not_counted: not the decision in force when a child adopted in a period was placed"
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting("episodes", episodes, hits["__row"].unique(), reason),
            accounting(
                "placed_for_adoption", decisions, hits["__decision_row"].unique(), decision_reason
            ),
        ]),
    )  # fmt: skip
