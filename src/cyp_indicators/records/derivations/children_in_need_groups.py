"""Referrals by outcome and source, episodes of need by duration, factors at assessment, child
protection plans started, ended and reviewed, and conferences by working days (CIN census).

DfE's rules, as the definitions state them (codes from the CIN census, named in each
definition's ``[derivation]`` table where they group into levels):

* Referrals with no further action: referrals in the period with ReferralNFA true, over all
  referrals in it. Assessed and found not in need: referrals in the period that did not end in
  no further action, had an assessment, no further activity (no section 47 enquiry, initial
  conference or child protection plan) and were closed with reason RC8 or RC9. By source: the
  referral's ReferralSource code grouped into the levels, over all referrals.
* Duration bands (``levels = ["under_3_months=0 3", ..., "2_years_or_more=24"]``: months from,
  months to, the last open-ended): a duration of d months falls in the band when the start plus
  the lower bound is on or before the end and the start plus the upper bound is after it.
  Children in need at the period end by the time since the referral that began their open
  episode; episodes of need that closed in the period by the time from referral to closure
  (a referral with no further action is not an episode of need).
* Factors identified at the end of assessment: assessments authorised (completed) in the period,
  each factor once per episode of need (child and CINdetails) however often it was recorded.
* Plans started or ended: every plan whose start (end) date falls in the period.
* Plans reviewed within timescales: children on a plan at the period end that had lasted 3
  months or more; of them, those whose plan had every review on time up to the period end: the
  first within 3 months of the plan's start (the initial conference), each later one within 6
  months of the one before, and none overdue at the period end.
* Conferences by working days: initial conferences held in the period (each child and date
  once) measured from the start of their section 47 enquiry, in working-day bands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ...errors import DataError
from ..registry import Counted, derivation
from ._common import PERIOD_COLS, accounting, child_counts, per_period, shaped, share_counts
from ._levels import LEVEL, level_counts, level_shares, parse_levels, value_levels
from .children_in_need import (
    CHILD,
    _in_period,
    _outside,
    _rows,
    _table,
    conference_intervals,
    in_need_at,
)

__all__: list[str] = []

REFERRAL_OUTSIDE = "referral not in any period"


def _rows_in(rows: list[Any]) -> pl.Expr:
    return pl.col("__row").is_in(pl.Series(rows, dtype=pl.UInt32).unique().implode())


@derivation("referrals_no_further_action", tables=("cin_details",), parameters={"as_share": True})
def referrals_nfa(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Referrals in each period that resulted in no further action (ReferralNFA true), over all
    referrals in it."""
    table = _table(records, "cin_details")
    nfa = (
        pl.col("ReferralNFA").fill_null(False) if "ReferralNFA" in table.columns else pl.lit(False)
    )
    hits = per_period(table, periods).filter(_in_period("CINreferralDate"))
    counts = share_counts(
        _rows(hits.filter(nfa), periods, "numerator"), _rows(hits, periods, "denominator")
    )
    return Counted(
        counts=shaped(counts, params),
        records=accounting(
            "cin_details", table, hits["__row"].unique(),
            _outside("CINreferralDate", REFERRAL_OUTSIDE), child=CHILD,
        ),
    )  # fmt: skip


@derivation(
    "referrals_assessed_not_in_need",
    tables=("cin_details", "assessments", "section47", "cp_plans"),
    parameters={"closure_reasons": ["RC8", "RC9"], "as_share": True},
)
def referrals_not_in_need(
    records: Any, periods: pl.DataFrame, params: Mapping[str, Any]
) -> Counted:
    """Referrals in each period assessed and found not in need, over all referrals in it: not
    no further action, an assessment in the episode, no section 47 enquiry, initial conference
    or child protection plan in it, and closed with a reason in ``closure_reasons``."""
    table = _table(records, "cin_details")
    assessments = _table(records, "assessments")
    s47 = _table(records, "section47")
    plans = _table(records, "cp_plans")
    keys = [CHILD, "CINdetailsID"]

    def flag(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        return frame.select(keys).unique().with_columns(pl.lit(True).alias(name))

    marked = table.join(flag(assessments, "__assessed"), on=keys, how="left", maintain_order="left")
    marked = marked.join(flag(s47, "__s47"), on=keys, how="left", maintain_order="left")
    marked = marked.join(flag(plans, "__plan"), on=keys, how="left", maintain_order="left")
    nfa = (
        pl.col("ReferralNFA").fill_null(False) if "ReferralNFA" in table.columns else pl.lit(False)
    )
    further = (
        pl.col("__s47").fill_null(False)
        | pl.col("__plan").fill_null(False)
        | pl.col("DateOfInitialCPC").is_not_null()
    )
    not_in_need = (
        ~nfa
        & pl.col("__assessed").fill_null(False)
        & ~further
        & pl.col("ReasonForClosure").is_in(list(params["closure_reasons"])).fill_null(False)
    )
    hits = per_period(marked, periods).filter(_in_period("CINreferralDate"))
    used = hits.filter(not_in_need).select(keys).unique()
    used_assessments = assessments.join(used, on=keys, how="semi")["__row"]
    counts = share_counts(
        _rows(hits.filter(not_in_need), periods, "numerator"), _rows(hits, periods, "denominator")
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting(
                "cin_details", marked, hits["__row"].unique(),
                _outside("CINreferralDate", REFERRAL_OUTSIDE), child=CHILD,
            ),
            accounting(
                "assessments", assessments, used_assessments,
                pl.lit("not_counted: the assessment's referral was not counted as assessed and "
                       "found not in need in any period"),
                child=CHILD,
            ),
            accounting(
                "section47", s47, [],
                pl.lit("not_counted: an enquiry is further activity: its referral is not one "
                       "assessed and found not in need"),
                child=CHILD,
            ),
            accounting(
                "cp_plans", plans, [],
                pl.lit("not_counted: a plan is further activity: its referral is not one "
                       "assessed and found not in need"),
                child=CHILD,
            ),
        ]),
    )  # fmt: skip


@derivation(
    "referrals_by_source",
    tables=("cin_details",),
    parameters={"column": "", "levels": [], "as_share": True},
)
def referrals_by_source(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Referrals in each period by source (levels: ReferralSource codes), over all referrals in
    it, every source; a referral whose source is in no level counts in the denominator only."""
    name = "referrals_by_source"
    column, levels = parse_levels(params, name)
    table = _table(records, "cin_details").join(
        value_levels(levels, name),
        left_on="ReferralSource",
        right_on="__value",
        how="left",
        maintain_order="left",
    )
    hits = per_period(table, periods).filter(_in_period("CINreferralDate"))
    counts = level_shares(
        level_counts(hits.filter(pl.col(LEVEL).is_not_null()), periods, column, list(levels), "numerator"),
        _rows(hits, periods, "denominator"),
        column,
    )  # fmt: skip
    return Counted(
        counts=shaped(counts, params),
        records=accounting(
            "cin_details", table, hits["__row"].unique(),
            _outside("CINreferralDate", REFERRAL_OUTSIDE), child=CHILD,
        ),
    )  # fmt: skip


def _bands(params: Mapping[str, Any], name: str) -> tuple[str, dict[str, tuple[int, int | None]]]:
    """The breakdown column and each level's months (from, to; to None when open-ended)."""
    column, levels = parse_levels(params, name)
    bands: dict[str, tuple[int, int | None]] = {}
    for code, values in levels.items():
        if len(values) not in (1, 2) or not all(v.isdigit() for v in values):
            msg = f"derivation {name!r}: level {code!r} should give months 'from to' or 'from'"
            raise DataError(msg)
        bands[code] = (int(values[0]), int(values[1]) if len(values) == 2 else None)
    return column, bands


def _band(start: str, end: pl.Expr, bands: Mapping[str, tuple[int, int | None]]) -> pl.Expr:
    """The level whose months contain the time from ``start`` to ``end``."""
    band: pl.Expr = pl.lit(None, pl.String)
    for code, (low, high) in reversed(list(bands.items())):
        inside = pl.col(start).dt.offset_by(f"{low}mo") <= end
        if high is not None:
            inside = inside & (pl.col(start).dt.offset_by(f"{high}mo") > end)
        band = pl.when(inside).then(pl.lit(code)).otherwise(band)
    return band


@derivation(
    "children_in_need_by_duration",
    tables=("cin_details",),
    parameters={"column": "", "levels": [], "as_share": True},
)
def in_need_by_duration(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children in need at each period end (as :func:`children_in_need_at_date` counts them) by
    the time since the referral that began their open episode (levels: months), over all of
    them."""
    column, bands = _bands(params, "children_in_need_by_duration")
    table, firsts, reason = in_need_at(records, periods)
    banded = firsts.with_columns(_band("CINreferralDate", pl.col("period_end"), bands).alias(LEVEL))
    counts = level_shares(
        level_counts(banded.filter(pl.col(LEVEL).is_not_null()), periods, column, list(bands), "numerator", child=CHILD),
        child_counts(firsts, periods, "denominator", child=CHILD),
        column,
    )  # fmt: skip
    return Counted(
        counts=shaped(counts, params),
        records=accounting("cin_details", table, firsts["__row"].unique(), reason, child=CHILD),
    )


@derivation(
    "cin_episodes_ended_by_duration",
    tables=("cin_details",),
    parameters={"column": "", "levels": [], "as_share": True},
)
def ended_by_duration(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Episodes of need that closed in each period by their duration from referral to closure
    (levels: months), over all episodes that closed in it; referrals with no further action are
    not episodes of need."""
    column, bands = _bands(params, "cin_episodes_ended_by_duration")
    table = _table(records, "cin_details")
    nfa = (
        pl.col("ReferralNFA").fill_null(False) if "ReferralNFA" in table.columns else pl.lit(False)
    )
    table = table.with_columns(nfa.alias("__nfa"))
    hits = (
        per_period(table, periods)
        .filter(_in_period("CINclosureDate") & ~pl.col("__nfa"))
        .with_columns(_band("CINreferralDate", pl.col("CINclosureDate"), bands).alias(LEVEL))
    )
    counts = level_shares(
        level_counts(hits.filter(pl.col(LEVEL).is_not_null()), periods, column, list(bands), "numerator"),
        _rows(hits, periods, "denominator"),
        column,
    )  # fmt: skip
    reason = (
        pl.when(pl.col("__nfa"))
        .then(pl.lit("not_counted: a referral with no further action is not an episode of need"))
        .when(pl.col("CINclosureDate").is_null())
        .then(pl.lit("not_counted: the episode is open (no CINclosureDate)"))
        .otherwise(pl.lit("outside_period: episode not closed in any period"))
    )
    return Counted(
        counts=shaped(counts, params),
        records=accounting("cin_details", table, hits["__row"].unique(), reason, child=CHILD),
    )


@derivation("assessment_factors", tables=("assessments",), parameters={"column": "", "levels": []})
def assessment_factors(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Episodes of need with each factor (levels: AssessmentFactors codes) recorded at the end of
    an assessment authorised in each period; each factor once per episode (child and
    CINdetails), however many assessments recorded it."""
    name = "assessment_factors"
    column, levels = parse_levels(params, name)
    lookup = value_levels(levels, name)
    table = _table(records, "assessments")
    done = per_period(table, periods).filter(_in_period("AssessmentAuthorisationDate"))
    factors = (
        done.select("__row", CHILD, "CINdetailsID", *PERIOD_COLS, "AssessmentFactors")
        .explode("AssessmentFactors")
        .join(lookup, left_on="AssessmentFactors", right_on="__value", how="inner")
    )
    episodes = factors.unique([CHILD, "CINdetailsID", *PERIOD_COLS, LEVEL])
    counts = level_counts(episodes, periods, column, list(levels), "numerator")
    reason = (
        pl.when(
            pl.col("AssessmentAuthorisationDate").is_not_null()
            & pl.col("__row").is_in(done["__row"].unique().implode())
        )
        .then(
            pl.format(
                "not_counted: no factor of the definition's levels recorded ({})",
                pl.col("AssessmentFactors").list.join(" ").replace("", "none"),
            )
        )
        .otherwise(_outside("AssessmentAuthorisationDate", "assessment not authorised in any period"))
    )  # fmt: skip
    return Counted(
        counts=shaped(counts, params),
        records=accounting("assessments", table, factors["__row"].unique(), reason, child=CHILD),
    )


@derivation("cp_plans_started", tables=("cp_plans",))
def cp_plans_started(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Child protection plans that started in each period; every plan counts."""
    table = _table(records, "cp_plans")
    hits = per_period(table, periods).filter(_in_period("CPPstartDate"))
    reason = _outside("CPPstartDate", "plan did not start in any period")
    return Counted(
        counts=_rows(hits, periods, "numerator"),
        records=accounting("cp_plans", table, hits["__row"].unique(), reason, child=CHILD),
    )


@derivation("cp_plans_ceased", tables=("cp_plans",))
def cp_plans_ceased(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Child protection plans that ended in each period, for any reason; every plan counts."""
    table = _table(records, "cp_plans")
    hits = per_period(table, periods).filter(_in_period("CPPendDate"))
    reason = _outside("CPPendDate", "plan did not end in any period")
    return Counted(
        counts=_rows(hits, periods, "numerator"),
        records=accounting("cp_plans", table, hits["__row"].unique(), reason, child=CHILD),
    )


@derivation(
    "cp_plans_reviewed_in_time",
    tables=("cp_plans", "cp_reviews"),
    parameters={
        "min_months": 3,
        "first_review_months": 3,
        "review_interval_months": 6,
        "numerator": "reviewed",
        "as_share": True,
    },
)
def cp_reviewed(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children on a child protection plan at each period end that had lasted ``min_months`` or
    more (denominator), and of them those whose plan was reviewed within the timescales
    throughout (``numerator = "reviewed"``; ``"cohort"`` counts the denominator instead)."""
    if params["numerator"] not in ("reviewed", "cohort"):
        msg = f"parameter 'numerator' must be 'reviewed' or 'cohort', got {params['numerator']!r}"
        raise DataError(msg)
    plans = _table(records, "cp_plans")
    reviews = _table(records, "cp_reviews")
    keys = [CHILD, "CINdetailsID", "CPPID"]
    open_at = (pl.col("CPPstartDate") <= pl.col("period_end")) & (
        pl.col("CPPendDate").is_null() | (pl.col("CPPendDate") > pl.col("period_end"))
    )
    held = per_period(plans, periods).filter(open_at)
    firsts = held.sort("CPPstartDate", "__row").unique([CHILD, "period_label"], keep="first")
    months = int(params["min_months"])
    long = pl.col("CPPstartDate").dt.offset_by(f"{months}mo") <= pl.col("period_end")
    cohort = firsts.filter(long)
    first, then = int(params["first_review_months"]), int(params["review_interval_months"])
    chain = (
        cohort.select("__row", *keys, *PERIOD_COLS, "CPPstartDate")
        .join(
            reviews.select(*keys, pl.col("__row").alias("__review_row"), "CPPreviewDate"),
            on=keys,
            how="inner",
        )
        .filter(
            (pl.col("CPPreviewDate") <= pl.col("period_end"))
            & (pl.col("CPPreviewDate") >= pl.col("CPPstartDate"))
        )
        .sort("__row", "period_label", "CPPreviewDate")
        .with_columns(
            pl.col("CPPreviewDate").shift(1).over("__row", "period_label").alias("__previous")
        )
        .with_columns(
            pl.when(pl.col("__previous").is_null())
            .then(pl.col("CPPreviewDate") > pl.col("CPPstartDate").dt.offset_by(f"{first}mo"))
            .otherwise(pl.col("CPPreviewDate") > pl.col("__previous").dt.offset_by(f"{then}mo"))
            .alias("__late")
        )
    )
    per_plan = chain.group_by("__row", "period_label").agg(
        pl.col("__late").any(), pl.col("CPPreviewDate").max().alias("__last")
    )
    judged = cohort.join(per_plan, on=["__row", "period_label"], how="left").with_columns(
        pl.col("__late").fill_null(False),
        pl.when(pl.col("__last").is_null())
        .then(pl.col("period_end") > pl.col("CPPstartDate").dt.offset_by(f"{first}mo"))
        .otherwise(pl.col("period_end") > pl.col("__last").dt.offset_by(f"{then}mo"))
        .alias("__overdue"),
    )
    in_time = judged.filter(~pl.col("__late") & ~pl.col("__overdue"))
    denominator = child_counts(cohort, periods, "denominator", child=CHILD)
    chosen = cohort if params["numerator"] == "cohort" else in_time
    counts = share_counts(child_counts(chosen, periods, "numerator", child=CHILD), denominator)
    short = set(firsts["__row"].to_list()) - set(cohort["__row"].to_list())
    second = set(held["__row"].to_list()) - set(firsts["__row"].to_list())
    plan_reason = (
        pl.when(_rows_in(list(second - set(firsts["__row"].to_list()))))
        .then(pl.lit("overlapping_episode: another plan of the child is open at the date; the child is counted once"))
        .when(_rows_in(list(short - set(cohort["__row"].to_list()))))
        .then(pl.lit(f"not_counted: open at the period end but for less than {months} months"))
        .otherwise(_outside("CPPstartDate", "plan not open at the end of any period"))
    )  # fmt: skip
    review_reason = pl.lit(
        "not_counted: not a review, up to the period end, of a plan of the cohort"
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting("cp_plans", plans, cohort["__row"].unique(), plan_reason, child=CHILD),
            accounting("cp_reviews", reviews, chain["__review_row"].unique(), review_reason, child=CHILD),
        ]),
    )  # fmt: skip


@derivation(
    "icpc_by_working_days",
    tables=("section47",),
    parameters={"column": "", "levels": [], "closure_days": []},
)
def icpc_by_working_days(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Initial child protection conferences held in each period (each child and date once) by
    the working days from the start of their section 47 enquiry (levels: "from to" days, the
    last "from" only). A conference recorded before its enquiry started has no interval and
    falls in no band, as in DfE's table C4."""
    name = "icpc_by_working_days"
    column, levels = parse_levels(params, name)
    bounds: dict[str, tuple[int, int | None]] = {}
    for code, values in levels.items():
        if len(values) not in (1, 2) or not all(v.isdigit() for v in values):
            msg = (
                f"derivation {name!r}: level {code!r} should give working days 'from to' or 'from'"
            )
            raise DataError(msg)
        bounds[code] = (int(values[0]), int(values[1]) if len(values) == 2 else None)
    table, _held, hits, reason = conference_intervals(records, periods, params)
    band: pl.Expr = pl.lit(None, pl.String)
    for code, (low, high) in reversed(list(bounds.items())):
        inside = pl.col("__days") >= low
        if high is not None:
            inside = inside & (pl.col("__days") <= high)
        band = pl.when(inside).then(pl.lit(code)).otherwise(band)
    banded = hits.with_columns(band.alias(LEVEL)).filter(pl.col(LEVEL).is_not_null())
    return Counted(
        counts=level_counts(banded, periods, column, list(bounds), "numerator"),
        records=accounting("section47", table, banded["__row"].unique(), reason, child=CHILD),
    )
