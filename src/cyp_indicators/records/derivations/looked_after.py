"""Children looked after (SSDA903 episodes): at a date, starting, ceasing, placement stability.

DfE's counting rules, as the definitions state them:

* Looked after at a date: an episode with DECOM on or before the date and no DEC, or DEC after the
  date (a child who leaves on 31 March is not looked after at 31 March). Episodes under an agreed
  series of short-term breaks (legal status V3, V4) are not counted.
* Started in a period: an episode with RNE "S" (a new period of care) and DECOM in the period; a
  child starting twice counts once. An RNE S episode that begins while another episode of the
  child, begun earlier, is still open is not a start: the child was already looked after that
  day (the overlap is reported, ``overlapping_episode``).
* Ceased in a period: an episode with DEC in the period and REC other than "X1" (X1 means the
  episode ended and another began the same day: a change of placement or legal status, not a
  cessation); a child ceasing twice counts once.
* Three or more placements in a year: of the children looked after at the end of the year, those
  with three or more placements during it. Placements are episodes open at any time in the year
  that begin a placement (RNE S, P, B, T, U); the placement open on the first day of the year
  counts; a placement for adoption with the child's existing foster carers (RNE T or U into PLACE
  A3 or A5) is not a move; short breaks are excluded. A temporary placement (PLACE T0-T4: a
  stay in hospital, a carer's holiday, ... after which the child returns to the usual placement,
  as the SSDA903 validation rules 380 and 383 require) is not a placement, and neither is the
  return from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ...errors import DataError
from ..periods import age_on
from ..registry import Counted, derivation
from ._common import PERIOD_COLS, accounting, child_counts, per_period, share_counts

__all__: list[str] = []

SHORT_BREAKS = ["V3", "V4"]
#: Temporary placements (the child returns to the usual placement afterwards).
TEMPORARY_PLACES = ["T0", "T1", "T2", "T3", "T4"]


def _episodes(records: Any) -> pl.DataFrame:
    episodes = getattr(records, "episodes", None)
    if not isinstance(episodes, pl.DataFrame):
        msg = "this derivation needs SSDA903 records with an episodes table (read_ssda903)"
        raise DataError(msg)
    return episodes.with_row_index("__row")


def _with_temporary(episodes: pl.DataFrame, params: Mapping[str, Any]) -> pl.DataFrame:
    """Mark ``__temporary_move``: an episode in a temporary placement, or the return from one
    to the same carer and placement as before it.

    Neither is a move of placement: the child goes back to the usual placement. An episode after
    a temporary one in another placement (another PLACE, or another URN, placement postcode or
    provider where both episodes give one) is a new placement. The usual placement is the
    child's latest non-temporary episode before the run of temporary ones.
    """
    temporary = pl.col("PLACE").is_in(list(params["temporary_places"])).fill_null(False)
    same_as = ["PLACE", "URN", "PL_POST", "PLACE_PROVIDER"]
    present = [c for c in same_as if c in episodes.columns]
    ordered = episodes.with_columns(temporary.alias("__temporary")).sort(
        "CHILD", "DECOM", maintain_order=True
    )
    usual = (
        pl.when(~pl.col("__temporary"))
        .then(pl.struct(present))
        .forward_fill()
        .shift(1)
        .over("CHILD")
        .alias("__usual")
    )
    ordered = ordered.with_columns(
        usual, pl.col("__temporary").shift(1).over("CHILD").fill_null(False).alias("__after")
    )
    same = pl.col("__usual").struct.field("PLACE") == pl.col("PLACE")
    for c in present[1:]:
        theirs = pl.col("__usual").struct.field(c)
        same = same & (theirs.is_null() | pl.col(c).is_null() | (theirs == pl.col(c)))
    back = pl.col("__after") & ~pl.col("__temporary") & same.fill_null(False)
    return (
        ordered.with_columns((pl.col("__temporary") | back).alias("__temporary_move"))
        .drop("__usual", "__after", "__temporary")
        .sort("__row")
    )


def _open_at(end: pl.Expr) -> pl.Expr:
    return (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") > end))


def _not_short_break(params: Mapping[str, Any]) -> pl.Expr:
    return ~pl.col("LS").is_in(list(params.get("exclude_legal_status", SHORT_BREAKS))).fill_null(
        False
    )


@derivation(
    "looked_after_at_date", tables=("episodes",), parameters={"exclude_legal_status": SHORT_BREAKS}
)
def looked_after_at_date(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children looked after at the end of each period (distinct children)."""
    episodes = _episodes(records)
    crossed = per_period(episodes, periods)
    hits = crossed.filter(_open_at(pl.col("period_end")) & _not_short_break(params))
    counts = child_counts(hits, periods, "numerator")
    # one episode per child and period is counted; a second open episode is an overlap
    firsts = hits.sort("DECOM").unique(["CHILD", "period_label"], keep="first", maintain_order=True)
    overlaps = hits.join(
        firsts.select("__row", "period_label"), on=["__row", "period_label"], how="anti"
    )
    counted_rows = firsts["__row"].unique()
    overlap_rows = set(overlaps["__row"].to_list()) - set(counted_rows.to_list())
    reason = (
        pl.when(~_not_short_break(params))
        .then(pl.lit("not_counted: short breaks (legal status V3/V4) are not counted"))
        .when(pl.col("__row").is_in(list(overlap_rows)))
        .then(pl.lit("overlapping_episode: the child is already counted at this date"))
        .otherwise(pl.lit("outside_period: not open at the end of any period"))
    )
    return Counted(counts=counts, records=accounting("episodes", episodes, counted_rows, reason))


@derivation(
    "looked_after_started", tables=("episodes",), parameters={"exclude_legal_status": SHORT_BREAKS}
)
def looked_after_started(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children who started to be looked after in each period (RNE "S"), counted once each.

    An RNE S episode that begins while another of the child's countable episodes, begun before
    it, is still open is not a start (the child was already looked after that day).
    """
    episodes = _episodes(records)
    keep = _not_short_break(params)
    countable = episodes.filter(keep).select("__row", "CHILD", "DECOM", "DEC")
    starts = countable.join(
        episodes.filter(pl.col("RNE") == "S").select("__row", "CHILD"),
        on=["__row", "CHILD"],
        how="semi",
    )
    already = (
        starts.join(countable, on="CHILD", suffix="_other")
        .filter(
            (pl.col("__row_other") != pl.col("__row"))
            & (pl.col("DECOM_other") < pl.col("DECOM"))
            & (pl.col("DEC_other").is_null() | (pl.col("DEC_other") > pl.col("DECOM")))
        )
        .group_by("__row")
        .agg(pl.col("DECOM_other").min().alias("__open_since"))
    )
    episodes = episodes.join(already, on="__row", how="left", maintain_order="left")
    crossed = per_period(episodes, periods)
    in_period = (pl.col("DECOM") >= pl.col("period_start")) & (
        pl.col("DECOM") <= pl.col("period_end")
    )
    new_period = (pl.col("RNE") == "S") & pl.col("__open_since").is_null()
    hits = crossed.filter(in_period & new_period & keep)
    counts = child_counts(hits, periods, "numerator")
    counted_rows = hits["__row"].unique()
    reason = (
        pl.when(~keep)
        .then(pl.lit("not_counted: short breaks (legal status V3/V4) are not counted"))
        .when(pl.col("RNE") != "S")
        .then(pl.lit("not_counted: not the start of a period of care (RNE is not S)"))
        .when(pl.col("__open_since").is_not_null())
        .then(
            pl.format(
                "overlapping_episode: begins while the child's episode from {} is still open, "
                "so the child was already looked after (not a start)",
                pl.col("__open_since").dt.strftime("%Y-%m-%d"),
            )
        )
        .otherwise(pl.lit("outside_period: did not start in any period"))
    )
    return Counted(counts=counts, records=accounting("episodes", episodes, counted_rows, reason))


@derivation(
    "looked_after_ceased", tables=("episodes",), parameters={"exclude_legal_status": SHORT_BREAKS}
)
def looked_after_ceased(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children who ceased to be looked after in each period (REC other than X1), once each."""
    episodes = _episodes(records)
    crossed = per_period(episodes, periods)
    in_period = (pl.col("DEC") >= pl.col("period_start")) & (pl.col("DEC") <= pl.col("period_end"))
    ceased = pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    hits = crossed.filter(in_period & ceased & _not_short_break(params))
    counts = child_counts(hits, periods, "numerator")
    counted_rows = hits["__row"].unique()
    reason = (
        pl.when(~_not_short_break(params))
        .then(pl.lit("not_counted: short breaks (legal status V3/V4) are not counted"))
        .when(pl.col("DEC").is_null())
        .then(pl.lit("not_counted: the episode is open"))
        .when(pl.col("REC") == "X1")
        .then(pl.lit("not_counted: X1, a new episode began the same day (not a cessation)"))
        .otherwise(pl.lit("outside_period: did not cease in any period"))
    )
    return Counted(counts=counts, records=accounting("episodes", episodes, counted_rows, reason))


@derivation(
    "three_or_more_placements",
    tables=("episodes",),
    parameters={
        "exclude_legal_status": SHORT_BREAKS,
        "placement_reasons": ["S", "P", "B", "T", "U"],
        "same_carer_reasons": ["T", "U"],
        "adoption_with_current_carers": ["A3", "A5"],
        "temporary_places": TEMPORARY_PLACES,
        "minimum": 3,
    },
)
def three_or_more_placements(
    records: Any, periods: pl.DataFrame, params: Mapping[str, Any]
) -> Counted:
    """Children looked after at the period end with three or more placements in the period."""
    episodes = _with_temporary(_episodes(records), params)
    crossed = per_period(episodes, periods)
    keep = _not_short_break(params)
    in_care_at_end = crossed.filter(_open_at(pl.col("period_end")) & keep)
    denominator = child_counts(in_care_at_end, periods, "denominator")
    overlaps = (pl.col("DECOM") <= pl.col("period_end")) & (
        pl.col("DEC").is_null() | (pl.col("DEC") >= pl.col("period_start"))
    )
    not_a_move = pl.col("RNE").is_in(list(params["same_carer_reasons"])) & pl.col("PLACE").is_in(
        list(params["adoption_with_current_carers"])
    )
    starts_placement = (
        pl.col("RNE").is_in(list(params["placement_reasons"]))
        & ~not_a_move.fill_null(False)
        & ~pl.col("__temporary_move")
    )
    cohort = in_care_at_end.select("CHILD", "period_label").unique()
    placements = (
        crossed.filter(overlaps & keep)
        .join(cohort, on=["CHILD", "period_label"], how="semi")
        .with_columns(
            pl.col("DECOM").rank("ordinal").over("CHILD", "period_label").alias("__order")
        )
    )
    # the first episode of the year is a placement (the one held on 1 April, or the first one
    # begun); a later episode is a new placement when it begins one in the year
    later_move = (
        (pl.col("__order") > 1) & starts_placement & (pl.col("DECOM") >= pl.col("period_start"))
    )
    per_child = placements.group_by("CHILD", *PERIOD_COLS).agg(
        ((pl.col("__order") == 1) | later_move).sum().alias("n")
    )
    many = per_child.filter(pl.col("n") >= int(params["minimum"]))
    numerator = child_counts(many, periods, "numerator")
    counted_rows = placements["__row"].unique()
    reason = (
        pl.when(~keep)
        .then(pl.lit("not_counted: short breaks (legal status V3/V4) are not counted"))
        .otherwise(
            pl.lit(
                "outside_period: the child was not looked after at the end of a period, or the episode is outside it"
            )
        )
    )
    return Counted(
        counts=share_counts(numerator, denominator),
        records=accounting("episodes", episodes, counted_rows, reason),
    )


def _header(records: Any) -> pl.DataFrame:
    header = getattr(records, "header", None)
    if not isinstance(header, pl.DataFrame) or header.is_empty():
        msg = "this derivation needs the SSDA903 header (dates of birth)"
        raise DataError(msg)
    return header.select("CHILD", "DOB").unique("CHILD", keep="first")


@derivation(
    "long_term_placement_stability",
    tables=("episodes",),
    parameters={
        "exclude_legal_status": SHORT_BREAKS,
        "placement_reasons": ["S", "P", "B", "T", "U"],
        "adoption_places": ["A3", "A4", "A5", "A6"],
        "temporary_places": TEMPORARY_PLACES,
        "max_age": 16,
        "min_months_in_care": 30,
        "min_months_in_placement": 24,
    },
)
def long_term_stability(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children under 16 at the period end, looked after for 2.5 years or more, and of those the
    ones in the same placement for 2 years or more (or placed for adoption, with that and the
    placement before it together lasting 2 years)."""
    episodes = _with_temporary(_episodes(records), params)
    ages = _header(records)
    crossed = per_period(episodes, periods).filter(_not_short_break(params))
    upto = crossed.filter(pl.col("DECOM") <= pl.col("period_end")).sort(
        "CHILD", "period_label", "DECOM"
    )
    at_end = upto.filter(_open_at(pl.col("period_end")))
    keys = ["CHILD", "period_label"]
    care_start = (
        upto.filter(pl.col("RNE") == "S")
        .group_by(keys)
        .agg(pl.col("DECOM").max().alias("__care_start"))
    )
    placement_starts = upto.filter(
        pl.col("RNE").is_in(list(params["placement_reasons"])) & ~pl.col("__temporary_move")
    ).with_columns(pl.col("DECOM").shift(1).over(keys).alias("__previous_start"))
    latest = placement_starts.group_by(keys).agg(
        pl.col("DECOM").last().alias("__placement_start"),
        pl.col("__previous_start").last().alias("__previous_start"),
        pl.col("PLACE").last().alias("__place"),
    )
    cohort = (
        at_end.select("__row", *keys, "period_start", "period_end")
        .unique(keys, keep="first")
        .join(care_start, on=keys, how="left")
        .join(latest, on=keys, how="left")
        .join(ages, on="CHILD", how="left")
    )
    under_age = age_on("DOB", pl.col("period_end")) < int(params["max_age"])
    in_cohort = under_age & (
        pl.col("__care_start").dt.offset_by(f"{int(params['min_months_in_care'])}mo")
        <= pl.col("period_end")
    )
    # a child whose period of care began before the first return loaded cannot be placed in or
    # out of the cohort: reported as such, not silently left out
    no_start = cohort.filter(under_age.fill_null(False) & pl.col("__care_start").is_null())
    since = (
        pl.when(
            pl.col("__place").is_in(list(params["adoption_places"]))
            & pl.col("__previous_start").is_not_null()
        )
        .then(pl.col("__previous_start"))
        .otherwise(pl.col("__placement_start"))
    )
    stable = since.dt.offset_by(f"{int(params['min_months_in_placement'])}mo") <= pl.col(
        "period_end"
    )
    cohort = cohort.filter(in_cohort.fill_null(False))
    denominator = child_counts(cohort, periods, "denominator")
    numerator = child_counts(cohort.filter(stable.fill_null(False)), periods, "numerator")
    reason = (
        pl.when(~_not_short_break(params))
        .then(pl.lit("not_counted: short breaks (legal status V3/V4) are not counted"))
        .when(pl.col("__row").is_in(no_start["__row"].implode()))
        .then(
            pl.lit(
                "not_counted: the start of this child's period of care (RNE S) is not in the "
                "records, so 2.5 years in care cannot be checked; load the earlier returns"
            )
        )
        .otherwise(
            pl.lit(
                "not_counted: not the episode placing an eligible child (under 16, in care 2.5 years) at a period end"
            )
        )
    )
    return Counted(
        counts=share_counts(numerator, denominator),
        records=accounting("episodes", episodes, cohort["__row"].unique(), reason),
    )


def _days_per_child(
    hits: pl.DataFrame, periods: pl.DataFrame, *, start: str, end: str
) -> pl.DataFrame:
    """Per period: total days from ``start`` to ``end`` (numerator) and children (denominator).

    Every period has a row; a period without adoptions has 0 and 0 (the mean is then null).
    """
    totals = hits.group_by(PERIOD_COLS).agg(
        (pl.col(end) - pl.col(start)).dt.total_days().sum().cast(pl.Float64).alias("numerator"),
        pl.col("CHILD").n_unique().cast(pl.Int64).alias("denominator"),
    )
    return (
        periods.select(PERIOD_COLS)
        .join(totals, on=PERIOD_COLS, how="left", maintain_order="left")
        .with_columns(pl.col("numerator").fill_null(0.0), pl.col("denominator").fill_null(0))
    )


@derivation(
    "adoption_a1_days",
    tables=("episodes",),
    parameters={"adopted_reasons": ["E11", "E12"], "adoption_places": ["A3", "A4", "A5", "A6"]},
)
def adoption_a1(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children adopted in each period, and the total days from entering care to moving in with
    their adoptive family (the scorecard's A1 average is total / children)."""
    episodes = _episodes(records)
    adopted = episodes.filter(pl.col("REC").is_in(list(params["adopted_reasons"])))
    sorted_eps = episodes.sort("CHILD", "DECOM")
    entered = (
        sorted_eps.join(adopted.select("CHILD", pl.col("DEC").alias("__adopted_on")), on="CHILD")
        .filter((pl.col("RNE") == "S") & (pl.col("DECOM") <= pl.col("__adopted_on")))
        .group_by("CHILD", "__adopted_on")
        .agg(pl.col("DECOM").max().alias("__entered"))
    )
    # Moving in with the family that adopted: the start of the unbroken run of placements for
    # adoption that ends in the adoption. A placement for adoption that broke down (the child
    # went back to another placement) is not it.
    adoptive = pl.col("PLACE").is_in(list(params["adoption_places"])).fill_null(False)
    in_care = sorted_eps.join(entered, on="CHILD").filter(
        pl.col("DECOM").is_between(pl.col("__entered"), pl.col("__adopted_on"))
    )
    last_other = (
        in_care.filter(~adoptive)
        .group_by("CHILD", "__adopted_on")
        .agg(pl.col("DECOM").max().alias("__last_other"))
    )
    moved_in = (
        in_care.filter(adoptive)
        .join(last_other, on=["CHILD", "__adopted_on"], how="left")
        .filter(pl.col("__last_other").is_null() | (pl.col("DECOM") > pl.col("__last_other")))
        .group_by("CHILD", "__adopted_on")
        .agg(pl.col("DECOM").min().alias("__moved_in"), pl.col("__entered").first())
    )
    rows = adopted.join(
        moved_in, left_on=["CHILD", "DEC"], right_on=["CHILD", "__adopted_on"], how="left"
    )
    hits = per_period(rows, periods).filter(_in_period_dec() & pl.col("__moved_in").is_not_null())
    counts = _days_per_child(hits, periods, start="__entered", end="__moved_in")
    reason = (
        pl.when(~pl.col("REC").is_in(list(params["adopted_reasons"])).fill_null(False))
        .then(pl.lit("not_counted: the episode did not end in adoption"))
        .otherwise(
            pl.lit("outside_period: adoption not in any period, or no adoptive placement recorded")
        )
    )
    return Counted(
        counts=counts, records=accounting("episodes", episodes, hits["__row"].unique(), reason)
    )


def _in_period_dec() -> pl.Expr:
    return (pl.col("DEC") >= pl.col("period_start")) & (pl.col("DEC") <= pl.col("period_end"))


@derivation(
    "adoption_a2_days",
    tables=("episodes",),
    parameters={"adopted_reasons": ["E11", "E12"], "placement_order_status": "E1"},
)
def adoption_a2(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children adopted in each period, and the total days from the court's authority to place
    (the first episode under a placement order, legal status E1) to the match with adopters
    (the AD1 table's DATE_MATCH; a match before the order counts 0 days) (the scorecard's A2
    average is total / children)."""
    episodes = _episodes(records)
    ad1 = getattr(records, "ad1", None)
    if not isinstance(ad1, pl.DataFrame) or "DATE_MATCH" not in ad1.columns:
        msg = "adoption_a2_days needs the SSDA903 AD1 table with DATE_MATCH"
        raise DataError(msg)
    adopted = episodes.filter(pl.col("REC").is_in(list(params["adopted_reasons"])))
    orders = (
        episodes.filter(pl.col("LS") == params["placement_order_status"])
        .join(adopted.select("CHILD", pl.col("DEC").alias("__adopted_on")), on="CHILD")
        .filter(pl.col("DECOM") <= pl.col("__adopted_on"))
        .group_by("CHILD", "__adopted_on")
        .agg(pl.col("DECOM").min().alias("__order"))
    )
    matches = (
        ad1.select("CHILD", pl.col("DATE_MATCH").alias("__match"))
        .drop_nulls()
        .unique("CHILD", keep="first")
    )
    rows = adopted.join(
        orders, left_on=["CHILD", "DEC"], right_on=["CHILD", "__adopted_on"], how="left"
    ).join(matches, on="CHILD", how="left")
    hits = per_period(rows, periods).filter(
        _in_period_dec() & pl.col("__order").is_not_null() & pl.col("__match").is_not_null()
    )
    # DfE counts a child matched before the court's authority as 0 days, never fewer
    hits = hits.with_columns(pl.max_horizontal("__order", "__match").alias("__matched"))
    counts = _days_per_child(hits, periods, start="__order", end="__matched")
    reason = (
        pl.when(~pl.col("REC").is_in(list(params["adopted_reasons"])).fill_null(False))
        .then(pl.lit("not_counted: the episode did not end in adoption"))
        .otherwise(
            pl.lit(
                "outside_period: adoption not in any period, or no placement order or match recorded"
            )
        )
    )
    return Counted(
        counts=counts, records=accounting("episodes", episodes, hits["__row"].unique(), reason)
    )
