"""Referrals, assessments, section 47 enquiries, conferences and child protection plans.

Counting rules from the CIN census guidance and LAIT's definitions, stated in the definitions:

* Referrals in a period: CINreferralDate in the period; every referral counts (a child may have
  several). Re-referrals: referrals in the period that came within 12 months of the child's
  previous referral (previous date on or after the referral date minus 12 months).
* Referral to assessment: referrals in the period with an assessment started in the same CIN
  episode (optionally within N calendar days of the referral).
* Assessments within N working days: assessments authorised in the period; timely when the
  authorisation date is no more than N working days (45) after the assessment start, as DfE
  measures an assessment's duration (or, by parameter, after the referral date).
* Section 47 enquiries: S47ActualStartDate in the period; conversion: of those, the ones with an
  initial child protection conference. ICPCs: DateOfInitialCPC in the period (a conference in the
  section 47 record, or in the CIN episode when no section 47 record holds it), each child and date
  once; timely: within N working days (15) of the start of the section 47 enquiry.
* Plans at a date: CPPstartDate on or before the date and no CPPendDate, or one after it (distinct
  children). Second or subsequent: plans starting in the period whose child had an earlier plan,
  however long ago (an earlier plan in the records, or NumberOfPreviousCPP above 0). Duration:
  days from start to end counting both (LAIT: "more than 729 calendar days including days of
  cessation" is 730 or more).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ...errors import DataError
from ..registry import Counted, derivation
from ..workdays import WorkingDayCalendar, working_days_between_expr
from ._common import (
    PERIOD_COLS,
    accounting,
    among,
    child_counts,
    first_per_child,
    in_period,
    open_at_end,
    pick,
    shaped,
    share_counts,
)

__all__: list[str] = []

CHILD = "LAchildID"


def _table(records: Any, name: str) -> pl.DataFrame:
    table = getattr(records, name, None)
    if not isinstance(table, pl.DataFrame):
        msg = f"this derivation needs CIN census records with a {name} table (read_cin_census)"
        raise DataError(msg)
    return table.with_row_index("__row")


def _in_period(col: str) -> pl.Expr:
    return (pl.col(col) >= pl.col("period_start")) & (pl.col(col) <= pl.col("period_end"))


def _rows(hits: pl.DataFrame, periods: pl.DataFrame, name: str) -> pl.DataFrame:
    key = "__p" if "__p" in hits.columns else "period_label"
    counted = hits.group_by(key).agg(pl.len().cast(pl.Int64).alias(name))
    return (
        periods.select(PERIOD_COLS)
        .with_row_index("__p")
        .join(counted, on=key, how="left", maintain_order="left")
        .select(*PERIOD_COLS, pl.col(name).fill_null(0))
    )


def _narrow(table: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The columns a count needs (and the council of pooled records): a period search pairs
    fewer, narrower rows."""
    return table.select(c for c in ("la", "__row", CHILD, *columns) if c in table.columns)


def _outside(column: str, words: str) -> pl.Expr:
    return pick(
        (pl.col(column).is_null(), f"missing_date: no {column}"),
        otherwise=f"outside_period: {words}",
    )


def _calendar(params: Mapping[str, Any]) -> WorkingDayCalendar:
    import datetime as dt

    closures = [dt.date.fromisoformat(str(d)) for d in params.get("closure_days", [])]
    return WorkingDayCalendar(extra_closures=closures)


def _dated_in_period(
    records: Any, periods: pl.DataFrame, table_name: str, date: str, outside: str
) -> Counted:
    """Rows of ``table_name`` whose ``date`` falls in each period; the others are not counted
    with the reason ``outside``."""
    table = _table(records, table_name)
    hits = in_period(_narrow(table, date), periods, date, labelled=False)
    reason = _outside(date, outside)
    return Counted(
        counts=_rows(hits, periods, "numerator"),
        records=accounting(table_name, table, hits["__row"].unique(), reason, child=CHILD),
    )


@derivation("referrals", tables=("cin_details",))
def referrals(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Referrals received in each period."""
    return _dated_in_period(
        records, periods, "cin_details", "CINreferralDate", "referral not in any period"
    )


@derivation("re_referrals_within_12_months", tables=("cin_details",), parameters={"months": 12})
def re_referrals(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Referrals in each period within N months of the child's previous referral."""
    table = _table(records, "cin_details")
    # the child's previous referral: the row before in child and date order (a window per
    # child written as a comparison with the row before, which is the same on sorted rows)
    # (pooled records number each council's child: sorting by the number is cheaper)
    child = "__child_no" if "__child_no" in table.columns else CHILD
    same_child = pl.col(child) == pl.col(child).shift(1)
    previous = pl.when(same_child).then(pl.col("CINreferralDate").shift(1))
    window_start = pl.col("CINreferralDate").dt.offset_by(f"-{int(params['months'])}mo")
    ordered = (
        _narrow(table, "CINreferralDate", *(["__child_no"] if child != CHILD else []))
        .sort(child, "CINreferralDate")
        .with_columns((previous.is_not_null() & (previous >= window_start)).alias("__re"))
    )
    hits = in_period(ordered, periods, "CINreferralDate", labelled=False)
    denominator = _rows(hits, periods, "denominator")
    numerator = _rows(hits.filter(pl.col("__re")), periods, "numerator")
    reason = _outside("CINreferralDate", "referral not in any period")
    return Counted(
        counts=share_counts(numerator, denominator),
        records=accounting("cin_details", table, hits["__row"], reason, child=CHILD),
    )


@derivation(
    "referral_to_assessment", tables=("cin_details", "assessments"), parameters={"within_days": -1}
)
def referral_to_assessment(
    records: Any, periods: pl.DataFrame, params: Mapping[str, Any]
) -> Counted:
    """Referrals in each period that went on to an assessment (within N days if N >= 0)."""
    table = _table(records, "cin_details")
    assessments = _table(records, "assessments")
    within = int(params["within_days"])
    pairs = assessments.select("__row", CHILD, "CINdetailsID", "AssessmentActualStartDate").join(
        table.select(CHILD, "CINdetailsID", "CINreferralDate"),
        on=[CHILD, "CINdetailsID"],
        how="inner",
    )
    qualifies = pl.col("AssessmentActualStartDate") >= pl.col("CINreferralDate")
    if within >= 0:
        qualifies = qualifies & (
            (pl.col("AssessmentActualStartDate") - pl.col("CINreferralDate")).dt.total_days()
            <= within
        )
    converting = pairs.filter(qualifies)
    converted = (
        converting.select(CHILD, "CINdetailsID")
        .unique()
        .with_columns(pl.lit(True).alias("__converted"))
    )
    hits = (
        in_period(
            _narrow(table, "CINdetailsID", "CINreferralDate"),
            periods,
            "CINreferralDate",
            labelled=False,
        )
        .join(converted, on=[CHILD, "CINdetailsID"], how="left")
        .with_columns(pl.col("__converted").fill_null(False))
    )
    numerator = _rows(hits.filter(pl.col("__converted")), periods, "numerator")
    denominator = _rows(hits, periods, "denominator")
    reason = _outside("CINreferralDate", "referral not in any period")
    # an assessment is counted when it converts a referral that is counted
    counted_eps = hits.filter(pl.col("__converted")).select(CHILD, "CINdetailsID").unique()
    used = converting.join(counted_eps, on=[CHILD, "CINdetailsID"], how="semi")["__row"].unique()
    assessment_reason = pl.lit(
        "not_counted: converts no referral counted in any period (or starts before the referral)"
    )
    return Counted(
        counts=share_counts(numerator, denominator),
        records=pl.concat([
            accounting("cin_details", table, hits["__row"].unique(), reason, child=CHILD),
            accounting("assessments", assessments, used, assessment_reason, child=CHILD),
        ]),
    )  # fmt: skip


@derivation(
    "assessments_within_working_days",
    tables=("assessments",),
    parameters={"working_days": 45, "from": "start", "closure_days": []},
)
def assessments_within(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Assessments authorised in each period, and those within N working days."""
    assessments = _table(records, "assessments")
    details = getattr(records, "cin_details", None)
    if params["from"] == "referral":
        if not isinstance(details, pl.DataFrame):
            msg = "from='referral' needs the cin_details table"
            raise DataError(msg)
        table = assessments.join(
            details.select(CHILD, "CINdetailsID", pl.col("CINreferralDate").alias("__from")),
            on=[CHILD, "CINdetailsID"], how="left", maintain_order="left",
        )  # fmt: skip
    elif params["from"] == "start":
        table = assessments.with_columns(pl.col("AssessmentActualStartDate").alias("__from"))
    else:
        msg = f"parameter 'from' must be 'referral' or 'start', got {params['from']!r}"
        raise DataError(msg)
    calendar = _calendar(params)
    hits = in_period(
        _narrow(table, "AssessmentAuthorisationDate", "__from"),
        periods,
        "AssessmentAuthorisationDate",
    ).filter(pl.col("__from").is_not_null())
    taken = working_days_between_expr("__from", "AssessmentAuthorisationDate", calendar)
    hits = hits.with_columns(taken.alias("__days"))
    timely = hits.filter(pl.col("__days") <= int(params["working_days"]))
    reason = pick(
        (
            pl.col("__from").is_null() & pl.col("AssessmentAuthorisationDate").is_not_null(),
            "not_counted: no referral to measure from (none in the records for its CIN episode)"
            if params["from"] == "referral"
            else "not_counted: no assessment start date to measure from",
        ),
        (
            pl.col("AssessmentAuthorisationDate").is_null(),
            "missing_date: no AssessmentAuthorisationDate",
        ),
        otherwise="outside_period: assessment not authorised in any period",
    )
    return Counted(
        counts=share_counts(
            _rows(timely, periods, "numerator"), _rows(hits, periods, "denominator")
        ),
        records=accounting("assessments", table, hits["__row"].unique(), reason, child=CHILD),
    )


@derivation("section47_enquiries", tables=("section47",))
def section47_enquiries(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Section 47 enquiries started in each period."""
    return _dated_in_period(
        records, periods, "section47", "S47ActualStartDate", "enquiry not started in any period"
    )


@derivation("section47_to_icpc", tables=("section47", "cin_details"))
def section47_to_icpc(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """ICPCs held in each period (as :func:`icpcs` counts them) over section 47 enquiries started
    in it: two counts of the same period, not a tracked cohort."""
    table = _table(records, "section47")
    started = in_period(_narrow(table, "S47ActualStartDate"), periods, "S47ActualStartDate")
    conf = _conferences(records)
    held = _held(conf, periods)
    return Counted(
        counts=share_counts(_rows(held, periods, "numerator"), _rows(started, periods, "denominator")),
        records=_conference_accounting(
            conf, held, "neither the enquiry started nor a conference was held in any period",
            started=started["__row"],
        ),
    )  # fmt: skip


def _file(frame: pl.DataFrame) -> pl.Expr:
    return (
        (pl.col("source_file") if "source_file" in frame.columns else pl.lit(None, pl.String))
        .cast(pl.String)
        .alias("source_file")
    )


def _source_row(frame: pl.DataFrame) -> pl.Expr:
    row = pl.col("source_row") if "source_row" in frame.columns else pl.col("__row") + 1
    return row.cast(pl.Int64).alias("source_row")


def _conferences(records: Any) -> pl.DataFrame:
    """Every record that may hold an ICPC: section 47 rows, then CIN episodes. ``__dup`` marks a
    conference (child and date) already held in an earlier section 47 record, or, for a CIN
    episode, in any section 47 record."""
    s47_table = _table(records, "section47")
    # pooled records (several councils) keep each record's council (for its periods) and the
    # child identifier as given (for the accounting)
    council = [c for c in ("la", "__child") if c in s47_table.columns]
    s47 = s47_table.select(
        *council, "__row", pl.lit("section47").alias("__table"), CHILD,
        pl.col("DateOfInitialCPC").alias("__icpc"), "S47ActualStartDate", _file(s47_table),
        _source_row(s47_table),
    ).with_columns(
        (pl.col("__icpc").is_not_null() & ~pl.struct(CHILD, "__icpc").is_first_distinct())
        .alias("__dup")
    )  # fmt: skip
    frames = [s47]
    details = getattr(records, "cin_details", None)
    if isinstance(details, pl.DataFrame) and "DateOfInitialCPC" in details.columns:
        held = (
            s47.filter(pl.col("__icpc").is_not_null())
            .select(CHILD, "__icpc")
            .unique()
            .with_columns(pl.lit(True).alias("__dup"))
        )
        det = details.with_row_index("__row").select(
            *council, "__row", pl.lit("cin_details").alias("__table"), CHILD, pl.col("DateOfInitialCPC").alias("__icpc"),
            pl.lit(None, pl.Date).alias("S47ActualStartDate"), _file(details), _source_row(details),
        ).join(held, on=[CHILD, "__icpc"], how="left", maintain_order="left")  # fmt: skip
        frames.append(det.with_columns(pl.col("__dup").fill_null(False)))
    return pl.concat(frames)


def _held(conf: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """Each conference (child and date once) beside each period it was held in."""
    candidates = conf.filter(pl.col("__icpc").is_not_null() & ~pl.col("__dup"))
    return in_period(candidates, periods, "__icpc")


def _conference_accounting(
    conf: pl.DataFrame, hits: pl.DataFrame, outside: str, *, started: pl.Series | None = None
) -> pl.DataFrame:
    """Accounting rows of the conference records; ``started``: section 47 rows counted as
    enquiries started (a record counts when it is either)."""
    counted = hits.select("__table", "__row").unique().with_columns(pl.lit(True).alias("__hit"))
    marked = conf.join(counted, on=["__table", "__row"], how="left", maintain_order="left")
    hit = pl.col("__hit").fill_null(False)
    if started is not None:
        hit = hit | ((pl.col("__table") == "section47") & pl.col("__row").is_in(started.implode()))
    return marked.select(
        *(["la"] if "la" in marked.columns else []),
        pl.col("__table").alias("table"),
        pl.col("source_file"),
        pl.col("source_row"),
        pl.col("__child" if "__child" in marked.columns else CHILD).cast(pl.String).alias("child"),
        hit.alias("counted"),
        pl.when(hit).then(None).otherwise(pick(
            (pl.col("__icpc").is_null() & (pl.lit(started is None) | (pl.col("__table") != "section47")),
             "missing_date: no DateOfInitialCPC"),
            (pl.col("__dup"),
             "duplicate: the child's conference on that date is counted from another record"),
            otherwise=f"outside_period: {outside}",
        )).alias("reason"),
    )  # fmt: skip


@derivation("icpcs", tables=("section47", "cin_details"))
def icpcs(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Initial child protection conferences held in each period (each child and date once)."""
    conf = _conferences(records)
    hits = _held(conf, periods)
    return Counted(
        counts=_rows(hits, periods, "numerator"),
        records=_conference_accounting(conf, hits, "conference not held in any period"),
    )


@derivation(
    "icpc_within_working_days",
    tables=("section47",),
    parameters={"working_days": 15, "closure_days": [], "denominator": "all"},
)
def icpc_within(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """ICPCs in each period, and those within N working days of the start of their section 47.

    ``denominator``: ``"all"`` (every ICPC held in the period, each child and date once: LAIT
    218 and DfE's table C4 divide by all ICPCs, and a conference recorded before its enquiry
    started cannot be timely) or ``"measurable"`` (only ICPCs held on or after the start of
    their enquiry, the library's reading before version 2 of the definition).
    """
    if params["denominator"] not in ("all", "measurable"):
        msg = (
            f"parameter 'denominator' must be 'all' or 'measurable', got {params['denominator']!r}"
        )
        raise DataError(msg)
    table, held, hits, reason = conference_intervals(records, periods, params)
    timely = hits.filter(pl.col("__days") <= int(params["working_days"]))
    counted = held if params["denominator"] == "all" else hits
    return Counted(
        counts=share_counts(
            _rows(timely, periods, "numerator"), _rows(counted, periods, "denominator")
        ),
        records=accounting("section47", table, counted["__row"].unique(), reason, child=CHILD),
    )


def conference_intervals(
    records: Any, periods: pl.DataFrame, params: Mapping[str, Any]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.Expr]:
    """ICPCs held in each period (each child and date once) and, of those held on or after the
    start of their section 47 enquiry, the working days between (``__days``), as
    :func:`icpc_within` measures them: the section 47 table (``__row``, ``__measured``,
    ``__conference``), the conferences held beside their periods, the measured ones, and the
    reason a record was not counted. Shared by the derivations of conference timeliness."""
    table = _table(records, "section47")
    calendar = _calendar(params)
    measurable = (
        pl.col("DateOfInitialCPC").is_not_null()
        & pl.col("S47ActualStartDate").is_not_null()
        & (pl.col("DateOfInitialCPC") >= pl.col("S47ActualStartDate"))
    )
    # one conference per child and date: the enquiry that led to it is the latest started
    # on or before it (of two started the same day, the one read last); every conference
    # once: that enquiry's record, else the latest started (windows per child and date,
    # written as groups: most groups hold one record)
    icpc = table.with_columns(measurable.fill_null(False).alias("__measurable")).filter(
        pl.col("DateOfInitialCPC").is_not_null()
    )
    pair = [CHILD, "DateOfInitialCPC"]
    measured = (
        icpc.filter(pl.col("__measurable"))
        .group_by(pair)
        .agg(pl.col("__row").sort_by("S47ActualStartDate", "__row").last())["__row"]
    )
    conference = icpc.group_by(pair).agg(
        pl.col("__row")
        .sort_by(
            ~pl.col("__measurable"),
            pl.col("S47ActualStartDate"),
            pl.col("__row"),
            descending=[False, True, True],
        )
        .first()
    )["__row"]
    table = table.with_columns(
        among(measured).alias("__measured"), among(conference).alias("__conference")
    )
    held = in_period(
        _narrow(table, "DateOfInitialCPC", "S47ActualStartDate", "__measured", "__conference"),
        periods,
        "DateOfInitialCPC",
    ).filter(pl.col("__conference"))
    hits = held.filter(pl.col("__measured"))
    hits = hits.with_columns(
        working_days_between_expr("S47ActualStartDate", "DateOfInitialCPC", calendar).alias(
            "__days"
        )
    )
    reason = pick(
        (pl.col("DateOfInitialCPC").is_null(), "missing_date: no DateOfInitialCPC"),
        (pl.col("S47ActualStartDate").is_null(), "missing_date: no S47ActualStartDate"),
        ((pl.col("DateOfInitialCPC") < pl.col("S47ActualStartDate")) & ~pl.col("__conference"),
         "duplicate: the conference is counted from another enquiry of the child"),
        (pl.col("DateOfInitialCPC") < pl.col("S47ActualStartDate"),
         "not_counted: conference recorded before the section 47 start (DfE leaves "
         "these out of the interval figures)"),
        (~pl.col("__measured"),
         "duplicate: the conference is measured from a later enquiry of the child"),
        otherwise="outside_period: conference not held in any period",
    )  # fmt: skip
    return table, held, hits, reason


def _plans(records: Any) -> pl.DataFrame:
    return _table(records, "cp_plans")


#: A plan's start and end: open at a date when started on or before it and not ended by it.
_PLAN = ("CPPstartDate", "CPPendDate")


@derivation("cp_plans_at_date", tables=("cp_plans",))
def cp_plans_at_date(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children subject to a child protection plan at the end of each period."""
    table = _plans(records)
    hits = open_at_end(_narrow(table, "CPPstartDate", "CPPendDate"), periods, *_PLAN)
    counts = child_counts(hits, periods, "numerator", child=CHILD)
    reason = _outside("CPPstartDate", "plan not open at the end of any period")
    return Counted(
        counts=counts,
        records=accounting("cp_plans", table, hits["__row"].unique(), reason, child=CHILD),
    )


@derivation("cp_plans_second_or_subsequent", tables=("cp_plans",), parameters={"as_share": True})
def cp_second(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Plans starting in each period, and those for a child with an earlier plan."""
    plans = _plans(records)
    previous = (
        pl.col("NumberOfPreviousCPP").fill_null(0) > 0
        if "NumberOfPreviousCPP" in plans.columns
        else pl.lit(False)
    )
    # sorted by child and start, a plan is not the child's first when the row before is the
    # same child's (the window per child written as a comparison with the row before)
    table = plans.sort(CHILD, "CPPstartDate").with_columns(
        ((pl.col(CHILD) == pl.col(CHILD).shift(1)).fill_null(False) | previous).alias(
            "__subsequent"
        )
    )
    hits = in_period(_narrow(table, "CPPstartDate", "__subsequent"), periods, "CPPstartDate")
    numerator = _rows(hits.filter(pl.col("__subsequent")), periods, "numerator")
    reason = _outside("CPPstartDate", "plan did not start in any period")
    return Counted(
        counts=shaped(share_counts(numerator, _rows(hits, periods, "denominator")), params),
        records=accounting("cp_plans", table, hits["__row"].unique(), reason, child=CHILD),
    )


def _length_days(end: pl.Expr) -> pl.Expr:
    """Days on the plan counting the first and the last day."""
    return (end - pl.col("CPPstartDate")).dt.total_days() + 1


@derivation(
    "cp_plans_ceased_lasting", tables=("cp_plans",), parameters={"min_days": 730, "as_share": True}
)
def cp_ceased_lasting(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Plans ceasing in each period, and those that lasted at least ``min_days`` (both days counted)."""
    table = _plans(records)
    hits = in_period(_narrow(table, "CPPstartDate", "CPPendDate"), periods, "CPPendDate")
    long = hits.filter(_length_days(pl.col("CPPendDate")) >= int(params["min_days"]))
    reason = _outside("CPPendDate", "plan did not cease in any period")
    return Counted(
        counts=shaped(
            share_counts(_rows(long, periods, "numerator"), _rows(hits, periods, "denominator")),
            params,
        ),
        records=accounting("cp_plans", table, hits["__row"].unique(), reason, child=CHILD),
    )


@derivation(
    "cp_plans_open_longer_than",
    tables=("cp_plans",),
    parameters={"min_days": 0, "min_months": 0, "as_share": True},
)
def cp_open_longer(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Plans open at the end of each period that had lasted at least ``min_days`` (both days
    counted) or more than ``min_months`` months; with ``as_share`` also all plans open then."""
    table = _plans(records)
    hits = open_at_end(_narrow(table, "CPPstartDate", "CPPendDate"), periods, *_PLAN)
    months = int(params["min_months"])
    if months > 0:
        long_expr = pl.col("CPPstartDate").dt.offset_by(f"{months}mo") < pl.col("period_end")
    else:
        long_expr = _length_days(pl.col("period_end")) >= int(params["min_days"])
    long = hits.filter(long_expr)
    reason = _outside("CPPstartDate", "plan not open at the end of any period")
    numerator = child_counts(long, periods, "numerator", child=CHILD)
    if params["as_share"]:
        denominator = hits.group_by(PERIOD_COLS).agg(
            pl.col(CHILD).n_unique().cast(pl.Int64).alias("denominator")
        )
        denominator = (
            periods.select(PERIOD_COLS)
            .join(denominator, on=PERIOD_COLS, how="left", maintain_order="left")
            .with_columns(pl.col("denominator").fill_null(0))
        )
        counts = share_counts(numerator, denominator)
    else:
        counts = numerator
    return Counted(
        counts=counts,
        records=accounting("cp_plans", table, hits["__row"].unique(), reason, child=CHILD),
    )


@derivation("children_in_need_at_date", tables=("cin_details",))
def children_in_need_at_date(
    records: Any, periods: pl.DataFrame, params: Mapping[str, Any]
) -> Counted:
    """Children in need at the end of each period: an episode of need open then (distinct
    children).

    DfE: "Open cases describes the status of all children whose cases are still open at 31
    March (i.e. child is still in need at 31 March)". An episode is open at the date when its
    referral is on or before it and it has no closure date, or one after it: the census year
    ends on 31 March, so an episode closed on 31 March is closed within it (as a child leaving
    care on 31 March is not looked after then). A referral with no further action
    (ReferralNFA true) is not an episode of need, and a child whose death date is on or before
    the date is not in need then. "A child can have more than one episode of need throughout
    the year but episodes should not overlap": a second episode open at the date is reported as
    an overlap and the child counted once.
    """
    table, counts, firsts, reason = _in_need(records, periods)
    return Counted(
        counts=counts,
        records=accounting("cin_details", table, firsts["__row"], reason, child=CHILD),
    )


def in_need_at(records: Any, periods: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.Expr]:
    """The episodes of need open at each period end, one per child (see
    :func:`children_in_need_at_date`): the table (with ``__row``, ``__nfa``, ``__died``), the
    episodes counted beside their periods, and the reason an episode was not counted. Shared
    by the derivations of children in need at a date."""
    table, _counts, firsts, reason = _in_need(records, periods)
    return table, firsts, reason


def _in_need(
    records: Any, periods: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.Expr]:
    """:func:`in_need_at` with the children counted per period (``numerator``)."""
    table = _table(records, "cin_details")
    children = getattr(records, "children", None)
    if isinstance(children, pl.DataFrame) and "PersonDeathDate" in children.columns:
        deaths = (
            children.select(CHILD, pl.col("PersonDeathDate").alias("__died"))
            .drop_nulls()
            .unique(CHILD, keep="first")
        )
        table = table.join(deaths, on=CHILD, how="left", maintain_order="left")
    else:
        table = table.with_columns(pl.lit(None, pl.Date).alias("__died"))
    nfa = (
        pl.col("ReferralNFA").fill_null(False) if "ReferralNFA" in table.columns else pl.lit(False)
    )
    table = table.with_columns(nfa.alias("__nfa"))
    alive = pl.col("__died").is_null() | (pl.col("__died") > pl.col("period_end"))
    opened = open_at_end(
        _narrow(table.filter(~pl.col("__nfa")), "CINreferralDate", "CINclosureDate", "__died"),
        periods,
        "CINreferralDate",
        "CINclosureDate",
    )
    hits = opened.filter(alive)
    counts, firsts = first_per_child(hits, periods, CHILD, "CINreferralDate")
    overlaps = hits["__row"]
    dead = opened.filter(~alive)["__row"]
    reason = pick(
        (pl.col("__nfa"),
         "not_counted: a referral with no further action is not an episode of need"),
        (among(overlaps),
         "overlapping_episode: another episode of the child is open at the date "
         "(episodes should not overlap); the child is counted once"),
        (among(dead), "not_counted: the child's death date is on or before the date"),
        otherwise="outside_period: episode not open at the end of any period",
    )  # fmt: skip
    return table, counts, firsts, reason
