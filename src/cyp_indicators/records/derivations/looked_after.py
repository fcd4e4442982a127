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

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl

from ...errors import DataError
from ..periods import age_on
from ..registry import Counted, derivation
from ._common import (
    PERIOD_COLS,
    accounting,
    accounting_later,
    among,
    child_counts,
    children_at_ends,
    first_at_ends,
    in_period,
    in_period_lazy,
    open_at_end,
    open_at_ends,
    open_at_ends_lazy,
    overlapping,
    per_period,
    pick,
    shaped,
    share_counts,
)

__all__: list[str] = []

SHORT_BREAKS = ["V3", "V4"]
_SHORT_BREAK = "not_counted: short breaks (legal status V3/V4) are not counted"
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
    flagged = episodes.with_columns(temporary.alias("__temporary"))
    # only a child with a temporary placement has an episode that is not a move: the windows
    # below run on those children's episodes alone (every other episode is a move)
    touched = flagged.filter(pl.col("__temporary")).select("CHILD").unique()
    if touched.is_empty():
        return episodes.with_columns(pl.lit(False).alias("__temporary_move"))
    ordered = flagged.join(touched, on="CHILD", how="semi").sort(
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
    moves = ordered.select("__row", (pl.col("__temporary") | back).alias("__temporary_move"))
    return episodes.join(moves, on="__row", how="left", maintain_order="left").with_columns(
        pl.col("__temporary_move").fill_null(False)
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
    # counted per distinct period end in one query; which episode of a child is the one counted
    # (and why the others are not) is found when the accounting is read
    child = "__child_no" if "__child_no" in episodes.columns else "CHILD"
    needed = [c for c in ("la", "__row", child, "DECOM", "DEC", "LS") if c in episodes.columns]
    pairs, numbered = open_at_ends_lazy(
        episodes.lazy().select(needed).filter(_not_short_break(params)), periods, "DECOM", "DEC"
    )

    def counted() -> tuple[pl.Series, pl.Expr]:
        _counts, firsts, _numbered, reason = _at_ends(episodes, periods, params)
        return firsts["__row"], reason

    return Counted(
        counts=children_at_ends(pairs, numbered, child),
        records=accounting_later("episodes", episodes, counted),
    )


def _at_ends(
    episodes: pl.DataFrame, periods: pl.DataFrame, params: Mapping[str, Any]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.Expr]:
    """Children looked after at each period end (``numerator``), the episodes counted (each
    beside the position ``__k`` of a distinct period end, see :func:`open_at_ends`), the
    periods numbered by their end, and the reason an episode was not counted."""
    keep = _not_short_break(params)
    needed = [c for c in ("la", "__row", "CHILD", "DECOM", "DEC", "LS") if c in episodes.columns]
    # what is counted depends on the period end alone: worked out per distinct end
    hits, numbered = open_at_ends(
        episodes.select(needed).filter(keep).drop("LS"), periods, "DECOM", "DEC"
    )
    counts, counted = first_at_ends(hits, numbered, "CHILD", "DECOM")
    reason = pick(
        (~keep, _SHORT_BREAK),
        (among(hits["__row"]),
         "overlapping_episode: the child is already counted at this date"),
        otherwise="outside_period: not open at the end of any period",
    )  # fmt: skip
    return counts, counted, numbered, reason


def at_date(
    episodes: pl.DataFrame, periods: pl.DataFrame, params: Mapping[str, Any]
) -> tuple[pl.DataFrame, pl.Expr]:
    """Each child looked after at the end of each period, once: the episode open then (the
    earliest begun, when two overlap), with every column of ``episodes``, beside its period;
    and the reason an episode was not counted (short break, overlap, not open at any period
    end). Shared by the derivations of children looked after at a date."""
    _counts, counted, numbered, reason = _at_ends(episodes, periods, params)
    keys = [c for c in ("la", "__k") if c in numbered.columns]
    beside = (
        counted.select(*keys, "__row")
        .join(numbered.select(*keys, *PERIOD_COLS, "__p"), on=keys)
        .select("__row", *PERIOD_COLS, "__p")
    )
    rest = [c for c in episodes.columns if c not in ("__row", *PERIOD_COLS, "__p")]
    firsts = beside.join(
        episodes.select("__row", *rest), on="__row", how="left", maintain_order="left"
    ).select(*episodes.columns, *PERIOD_COLS, "__p")
    return firsts, reason


@derivation(
    "looked_after_started", tables=("episodes",), parameters={"exclude_legal_status": SHORT_BREAKS}
)
def looked_after_started(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children who started to be looked after in each period (RNE "S"), counted once each.

    An RNE S episode that begins while another of the child's countable episodes, begun before
    it, is still open is not a start (the child was already looked after that day).
    """
    episodes, hits, reason, counts = _starts(
        _episodes(records), periods, params, labelled=False, counted="numerator"
    )
    assert counts is not None
    return Counted(counts=counts, records=accounting("episodes", episodes, hits["__row"], reason))


def starts(
    episodes: pl.DataFrame, periods: pl.DataFrame, params: Mapping[str, Any]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.Expr]:
    """The starts of periods of care in each period (see :func:`looked_after_started`): the
    episodes (with ``__overlap``, why a start the child was already looked after for is not
    one), the starting episodes (every column of ``episodes``) beside their periods, and the
    reason an episode was not counted. Shared by the derivations of children starting to be
    looked after."""
    episodes, hits, reason, _counts = _starts(episodes, periods, params, labelled=True)
    rest = [c for c in episodes.columns if c not in ("__row", *PERIOD_COLS, "__p")]
    hits = hits.select("__row", *PERIOD_COLS, "__p").join(
        episodes.select("__row", *rest), on="__row", how="left", maintain_order="left"
    )
    return episodes, hits.select(*episodes.columns, *PERIOD_COLS, "__p"), reason


def _starts(
    episodes: pl.DataFrame,
    periods: pl.DataFrame,
    params: Mapping[str, Any],
    *,
    labelled: bool,
    counted: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.Expr, pl.DataFrame | None]:
    """:func:`starts` on narrow frames: the starting episodes' ``__row``, child and ``DECOM``
    beside their periods (``__p``; with the periods' columns when ``labelled``), and, named
    ``counted``, the children starting in each period (:func:`child_counts`).

    One query: the RNE S episodes, those the child was already looked after for (another
    countable episode begun earlier and open that day), and the others placed in their periods.
    """
    keep = _not_short_break(params)
    # (pooled records number each council's child: joining on the number is cheaper)
    child = "__child_no" if "__child_no" in episodes.columns else "CHILD"
    cols = [c for c in ("la", "__row", child, "DECOM", "DEC", "RNE", "LS") if c in episodes]
    countable = episodes.lazy().select(cols).filter(keep)
    begun = countable.filter(pl.col("RNE") == "S").select(
        c for c in ("la", "__row", child, "DECOM") if c in cols
    )
    other = countable.select(
        pl.col("__row").alias("__row_other"),
        child,
        pl.col("DECOM").alias("DECOM_other"),
        pl.col("DEC").alias("DEC_other"),
    )
    already = (
        begun.select("__row", child, "DECOM")
        .join(other, on=child)
        .filter(
            (pl.col("__row_other") != pl.col("__row"))
            & (pl.col("DECOM_other") < pl.col("DECOM"))
            & (pl.col("DEC_other").is_null() | (pl.col("DEC_other") > pl.col("DECOM")))
        )
        .group_by("__row")
        .agg(pl.col("DECOM_other").min().alias("__open_since"))
    )
    new_starts = begun.join(already.select("__row"), on="__row", how="anti")
    hits, already_open = pl.collect_all(
        [in_period_lazy(new_starts, periods, "DECOM", labelled=labelled), already]
    )
    # (counted from the rows found: a query beside the search would run the search twice)
    counts = child_counts(hits, periods, counted, child=child) if counted is not None else None
    # why a start the child was already looked after for is not one, at that start's row
    # (written for those starts only)
    not_a_start = (
        pl.col("RNE") != "S",
        "not_counted: not the start of a period of care (RNE is not S)",
    )
    outside = "outside_period: did not start in any period"
    if already_open.is_empty():
        episodes = episodes.with_columns(pl.lit(None, pl.String).alias("__overlap"))
        return episodes, hits, pick((~keep, _SHORT_BREAK), not_a_start, otherwise=outside), counts
    overlap = already_open.select(
        "__row",
        pl.format(
            "overlapping_episode: begins while the child's episode from {} is still open, "
            "so the child was already looked after (not a start)",
            pl.col("__open_since").dt.strftime("%Y-%m-%d"),
        ).alias("__overlap"),
    )
    words = pl.repeat(None, episodes.height, dtype=pl.String, eager=True)
    words = words.scatter(overlap["__row"].cast(pl.Int64), overlap["__overlap"])
    episodes = episodes.with_columns(pl.lit(words).gather(pl.col("__row")).alias("__overlap"))
    reason = pick(
        (~keep, _SHORT_BREAK),
        not_a_start,
        (pl.col("__overlap").is_not_null(), pl.col("__overlap")),
        otherwise=outside,
    )
    return episodes, hits, reason, counts


@derivation(
    "looked_after_ceased", tables=("episodes",), parameters={"exclude_legal_status": SHORT_BREAKS}
)
def looked_after_ceased(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children who ceased to be looked after in each period (REC other than X1), once each."""
    episodes = _episodes(records)
    ceased = pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    needed = [c for c in ("la", "__row", "CHILD", "DEC") if c in episodes.columns]
    hits = in_period(
        episodes.filter(ceased & _not_short_break(params)).select(needed), periods, "DEC"
    )
    counts = child_counts(hits, periods, "numerator")
    counted_rows = hits["__row"].unique()
    reason = pick(
        (~_not_short_break(params), _SHORT_BREAK),
        (pl.col("DEC").is_null(), "not_counted: the episode is open"),
        (pl.col("REC") == "X1",
         "not_counted: X1, a new episode began the same day (not a cessation)"),
        otherwise="outside_period: did not cease in any period",
    )  # fmt: skip
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
        "as_share": True,
    },
)
def three_or_more_placements(
    records: Any, periods: pl.DataFrame, params: Mapping[str, Any]
) -> Counted:
    """Children looked after at the period end with three or more placements in the period."""
    episodes = _with_temporary(_episodes(records), params)
    keep = _not_short_break(params)
    needed = [
        c
        for c in ("la", "__row", "CHILD", "DECOM", "DEC", "RNE", "PLACE", "__temporary_move")
        if c in episodes.columns
    ]
    countable = episodes.filter(keep).select(needed)
    in_care_at_end = open_at_end(countable, periods, "DECOM", "DEC")
    denominator = child_counts(in_care_at_end, periods, "denominator")
    not_a_move = pl.col("RNE").is_in(list(params["same_carer_reasons"])) & pl.col("PLACE").is_in(
        list(params["adoption_with_current_carers"])
    )
    starts_placement = (
        pl.col("RNE").is_in(list(params["placement_reasons"]))
        & ~not_a_move.fill_null(False)
        & ~pl.col("__temporary_move")
    )
    cohort = in_care_at_end.select("CHILD", "period_label").unique()
    placements = overlapping(countable, periods, "DECOM", "DEC").join(
        cohort, on=["CHILD", "period_label"], how="semi"
    )
    # the first episode of the year is a placement (the one held on 1 April, or the first one
    # begun); a later episode is a new placement when it begins one in the year. The first is
    # the earliest begun (the earliest read of two begun the same day).
    begins = (starts_placement & (pl.col("DECOM") >= pl.col("period_start"))).fill_null(False)
    per_child = placements.group_by("CHILD", "period_label").agg(
        (1 + begins.sum() - begins.sort_by("DECOM", "__row").first().cast(pl.UInt32)).alias("n")
    )
    many = per_child.filter(pl.col("n") >= int(params["minimum"]))
    numerator = child_counts(many, periods, "numerator")
    counted_rows = placements["__row"].unique()
    reason = pick(
        (~keep, _SHORT_BREAK),
        otherwise="outside_period: the child was not looked after at the end of a period, or "
        "the episode is outside it",
    )
    return Counted(
        counts=shaped(share_counts(numerator, denominator), params),
        records=accounting("episodes", episodes, counted_rows, reason),
    )


def _header(records: Any) -> pl.DataFrame:
    header = getattr(records, "header", None)
    if not isinstance(header, pl.DataFrame) or header.is_empty():
        msg = "this derivation needs the SSDA903 header (dates of birth)"
        raise DataError(msg)
    if "la" in header.columns and isinstance(header.schema["la"], pl.Enum):
        # pooled records: each council needs its header, as it would derived alone
        councils = header.schema["la"].categories.to_list()
        present = set(header["la"].cast(pl.String).unique().to_list())
        missing = [c for c in councils if c not in present]
        if missing:
            msg = (
                "this derivation needs the SSDA903 header (dates of birth) of every council; "
                f"council(s) {', '.join(missing)} have none"
            )
            raise DataError(msg)
    return header.select("CHILD", "DOB").unique("CHILD", keep="first")


def _stays(
    episodes: pl.DataFrame, periods: pl.DataFrame, params: Mapping[str, Any]
) -> pl.DataFrame:
    """Each child's episodes up to each period end, with the stay (run of episodes without a gap
    or a short break between them) each belongs to.

    Columns added: ``__stay`` (numbered within child and period), ``__short`` (a short-break
    episode), ``__earlier`` (whether any episode of the child begins before the stay's first).
    """
    short = ~_not_short_break(params)
    upto = (
        per_period(episodes, periods)
        .filter(pl.col("DECOM") <= pl.col("period_end"))
        .sort("CHILD", "period_label", "DECOM", "__row")
        .with_columns(short.alias("__short"))
    )
    keys = ["CHILD", "period_label"]
    far = pl.lit(dt.date(9999, 12, 31))
    # the windows one after the other: a window inside a window is evaluated group by group
    upto = upto.with_columns(
        pl.col("DEC").fill_null(far).cum_max().shift(1).over(keys).alias("__reach"),
        pl.col("__short").shift(1).over(keys).fill_null(False).alias("__after_short"),
    )
    new_stay = (
        pl.col("__reach").is_null()
        | (pl.col("DECOM") > pl.col("__reach"))
        | pl.col("__short")
        | pl.col("__after_short")
    )
    upto = upto.with_columns(new_stay.cast(pl.Int32).cum_sum().over(keys).alias("__stay")).drop(
        "__reach", "__after_short"
    )
    return upto.with_columns((pl.col("__stay") > 1).alias("__earlier"))


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
        "as_share": True,
    },
)
def long_term_stability(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children under 16 at the period end, looked after for 2.5 years or more, and of those the
    ones in the same placement for 2 years or more (or placed for adoption, with that and the
    placement before it together lasting 2 years).

    NI 63: "children looked after aged under 16 who have been looked after continuously for at
    least 2.5 years who were living in the same placement for at least 2 years, or are placed
    for adoption and their adoptive placement together with their previous placement together
    last for at least 2 years". Continuous care is the child's stay at the period end: its
    episodes with no gap between them. The 2.5 years are shown when the loaded episodes of the
    stay reach back 30 months, whatever the RNE of the first one loaded (the period of care may
    have begun in a return not loaded: it began no later). Time under an agreed series of
    short-term breaks (V3/V4), at the start of a period of care or within it, is not counted:
    DfE leaves those children out of the looked-after figures, so the stay begins after it. A
    child is left out, with the reason, only where the records cannot show the 2.5 years: the
    stay's first loaded episode is less than 30 months old, is not the start of a period of care
    (RNE S) and nothing of the child is loaded before it. The placement is the latest episode of
    the stay that begins one (RNE S, P, B, T or U, not a temporary placement T0-T4 nor the return
    from it to the same placement), or the stay's first episode: a stay of temporary
    placements only has no other placement, so it counts from the first.
    """
    episodes = _with_temporary(_episodes(records), params)
    ages = _header(records)
    keys = ["CHILD", "period_label"]
    stays = _stays(episodes, periods, params)
    countable = stays.filter(~pl.col("__short"))
    at_end = countable.filter(_open_at(pl.col("period_end"))).unique(keys, keep="first")
    current = countable.join(
        at_end.select(*keys, pl.col("__stay").alias("__current")), on=keys, how="inner"
    ).filter(pl.col("__stay") == pl.col("__current"))
    begins = pl.col("RNE").is_in(list(params["placement_reasons"])) & ~pl.col("__temporary_move")
    first = pl.col("DECOM") == pl.col("DECOM").min().over(keys)
    placements = (
        current.filter(first | begins)
        .sort(*keys, "DECOM")
        .with_columns(pl.col("DECOM").shift(1).over(keys).alias("__previous_start"))
        .group_by(keys)
        .agg(
            pl.col("DECOM").last().alias("__placement_start"),
            pl.col("__previous_start").last(),
            pl.col("PLACE").last().alias("__place"),
        )
    )
    stay = (
        current.sort(*keys, "DECOM")
        .group_by(keys)
        .agg(
            pl.col("DECOM").first().alias("__stay_start"),
            pl.col("RNE").first().alias("__first_rne"),
            pl.col("PLACE").first().alias("__first_place"),
            pl.col("__earlier").first(),
        )
    )
    cohort = (
        at_end.select("__row", *keys, "period_start", "period_end")
        .join(stay, on=keys, how="left")
        .join(placements, on=keys, how="left")
        .join(ages, on="CHILD", how="left")
    )
    age = age_on("DOB", pl.col("period_end"))
    under_age = age < int(params["max_age"])
    long_enough = pl.col("__stay_start").dt.offset_by(
        f"{int(params['min_months_in_care'])}mo"
    ) <= pl.col("period_end")
    known_start = (pl.col("__first_rne") == "S") | pl.col("__earlier")
    cohort = cohort.with_columns(
        pl.when(pl.col("DOB").is_null())
        .then(
            pl.format(
                "missing_date: no date of birth for the child in the header, so whether they "
                "were under 16 on {} cannot be checked",
                pl.col("period_end").dt.strftime("%Y-%m-%d"),
            )
        )
        .when(under_age & ~long_enough & ~known_start)
        .then(
            pl.format(
                "not_counted: the earliest loaded episode of the child's stay in care began on {} "
                "(RNE {}, PLACE {}{}), less than 2.5 years before {}, and is not the start of a "
                "period of care (RNE S); the episodes before it are not in the records, so 2.5 "
                "years in care cannot be shown; load the earlier returns",
                pl.col("__stay_start").dt.strftime("%Y-%m-%d"),
                pl.col("__first_rne").fill_null("empty"),
                pl.col("__first_place").fill_null("empty"),
                pl.when(
                    pl.col("__first_place").is_in(list(params["temporary_places"])).fill_null(False)
                )
                .then(pl.lit(", a temporary placement whose usual placement is not loaded"))
                .otherwise(pl.lit("")),
                pl.col("period_end").dt.strftime("%Y-%m-%d"),
            )
        )
        .alias("__why")
    )
    unknown = cohort.filter(pl.col("__why").is_not_null())
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
    cohort = cohort.filter(pl.col("__why").is_null() & (under_age & long_enough).fill_null(False))
    denominator = child_counts(cohort, periods, "denominator")
    numerator = child_counts(cohort.filter(stable.fill_null(False)), periods, "numerator")
    # an episode left out at several period ends gives the earliest period's reason (the
    # order of the rows above is not fixed, so "first" alone would not say which)
    why = unknown.group_by("__row").agg(pl.col("__why").sort_by("period_end").first())
    episodes = episodes.join(why, on="__row", how="left", maintain_order="left")
    reason = pick(
        (~_not_short_break(params), _SHORT_BREAK),
        (pl.col("__why").is_not_null(), pl.col("__why")),
        otherwise="not_counted: not the episode placing an eligible child (under 16, in care "
        "2.5 years) at a period end",
    )
    return Counted(
        counts=shaped(share_counts(numerator, denominator), params),
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


def _adoption_chains(episodes: pl.DataFrame, params: Mapping[str, Any]) -> pl.DataFrame:
    """For each episode ending in adoption: the period of care that led to it, walked back.

    From the adoption episode, each step goes to the child's episode that ended the day the
    current one began; the walk stops at the start of the period of care (RNE S). A care
    episode that had ended before (a gap) starts nothing. Returns one row per adoption
    episode (``__row``) with ``__entered`` (the RNE S DECOM), ``__moved_in`` (the day the child
    moved in with the family that adopted: the start of the last run of adoptive placements,
    A3-A6, or of its last change of carer, RNE in ``new_family_reasons``), ``__authority`` (the
    first day under court authority to place, legal status in ``court_authority_statuses``),
    ``__problem`` (why it cannot be measured, else null). Adoptions are few, so the walk is a
    plain loop over their children's episodes.
    """
    adopted_reasons = list(params["adopted_reasons"])
    adopted = episodes.filter(pl.col("REC").is_in(adopted_reasons))
    columns = ["__row", "CHILD", "DECOM", "DEC", "RNE", "LS", "PLACE", "REC"]
    mine = episodes.join(adopted.select("CHILD").unique(), on="CHILD", how="semi")
    by_child: dict[str, list[dict[str, Any]]] = {}
    for row in mine.select(columns).sort("CHILD", "DECOM").iter_rows(named=True):
        by_child.setdefault(row["CHILD"], []).append(row)
    places = set(params["adoption_places"])
    new_family = set(params.get("new_family_reasons", []))
    authority = set(params.get("court_authority_statuses", []))
    out: list[dict[str, Any]] = []
    for end in adopted.select(columns).iter_rows(named=True):
        own = by_child[end["CHILD"]]
        chain = [end]
        problem: str | None = None
        if end["DEC"] is None:
            problem = "missing_date: the episode ending in adoption has no DEC (end date)"
        while problem is None and chain[-1]["RNE"] != "S":
            before = [e for e in own if e["DEC"] is not None and e["DEC"] == chain[-1]["DECOM"]]
            before = [e for e in before if e["__row"] != chain[-1]["__row"]]
            if len(before) > 1:
                problem = (
                    f"overlapping_episode: two episodes end on {chain[-1]['DECOM']} "
                    "where the period of care leading to the adoption continues; not measured"
                )
                break
            if not before:
                problem = (
                    "not_counted: the start of the period of care that led to the adoption "
                    f"(RNE S) is not in the records (the chain stops at {chain[-1]['DECOM']}, "
                    f"RNE {chain[-1]['RNE']}); load the earlier returns"
                )
                break
            chain.append(before[0])
        chain.reverse()
        ids = {e["__row"] for e in chain}
        start, stop = chain[0]["DECOM"], end["DEC"]
        if problem is None:
            clash = [
                e
                for e in own
                if e["__row"] not in ids
                and e["DECOM"] < stop
                and (e["DEC"] is None or e["DEC"] > start)
            ]
            if clash:
                problem = (
                    f"overlapping_episode: an episode from {clash[0]['DECOM']} overlaps the "
                    "period of care leading to the adoption; overlapping chains are not measured"
                )
        moved_in = None
        for e in reversed(chain):
            if e["PLACE"] not in places:
                break
            moved_in = e["DECOM"]
            if e["RNE"] in new_family:
                break
        under = [e["DECOM"] for e in chain if e["LS"] in authority]
        out.append({
            "__row": end["__row"],
            "__entered": start if problem is None else None,
            "__moved_in": moved_in,
            "__authority": min(under) if under else None,
            "__problem": problem,
        })  # fmt: skip
    schema = {
        "__row": pl.UInt32(),
        "__entered": pl.Date(),
        "__moved_in": pl.Date(),
        "__authority": pl.Date(),
        "__problem": pl.String(),
    }
    return pl.DataFrame(out, schema=schema)


def _adoptions(records: Any, params: Mapping[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The episodes, and those ending in adoption joined to their chains."""
    episodes = _episodes(records)
    chains = _adoption_chains(episodes, params)
    rows = episodes.join(chains, on="__row", how="inner")
    return episodes, rows


@derivation(
    "adoption_a1_days",
    tables=("episodes",),
    parameters={
        "adopted_reasons": ["E11", "E12"],
        "adoption_places": ["A3", "A4", "A5", "A6"],
        "new_family_reasons": ["S", "P", "T"],
    },
)
def adoption_a1(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children adopted in each period, and the total days from entering care to moving in with
    the family that adopted them (the scorecard's A1 average is total / children).

    A1: "Average time (in days) between a child entering care and moving in with its adoptive
    family, for children who have been adopted". Entering care is the start (RNE S) of the
    period of care that ended in the adoption, walked back episode by episode; moving in is the
    start of the last run of adoptive placements (A3-A6), or of the last change of carer within
    it (RNE S, P or T: a child moved straight from one prospective adoptive family to another
    moved in with the second). Overlapping episodes in the chain are reported, not measured.
    """
    episodes, rows = _adoptions(records, params)
    usable = pl.col("__problem").is_null() & pl.col("__moved_in").is_not_null()
    hits = per_period(rows, periods).filter(_in_period_dec() & usable)
    counts = _days_per_child(hits, periods, start="__entered", end="__moved_in")
    episodes = episodes.join(
        rows.select("__row", "__problem", "__moved_in"), on="__row", how="left"
    ).sort("__row")
    adopted = pl.col("REC").is_in(list(params["adopted_reasons"])).fill_null(False)
    reason = pick(
        (~adopted, "not_counted: the episode did not end in adoption"),
        (pl.col("__problem").is_not_null(), pl.col("__problem")),
        (pl.col("__moved_in").is_null(),
         "not_counted: no adoptive placement (A3-A6) ends the period of care"),
        otherwise="outside_period: adoption not in any period",
    )  # fmt: skip
    return Counted(
        counts=counts, records=accounting("episodes", episodes, hits["__row"].unique(), reason)
    )


def _in_period_dec() -> pl.Expr:
    return (pl.col("DEC") >= pl.col("period_start")) & (pl.col("DEC") <= pl.col("period_end"))


@derivation(
    "adoption_a2_days",
    tables=("episodes",),
    parameters={
        "adopted_reasons": ["E11", "E12"],
        "adoption_places": ["A3", "A4", "A5", "A6"],
        "court_authority_statuses": ["E1", "D1"],
    },
)
def adoption_a2(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children adopted in each period, and the total days from the court's authority to place
    to the match with adopters (the AD1 table's DATE_MATCH) (the scorecard's A2 average is
    total / children).

    A2 (LG Inform 912, from DfE's scorecard): "A mean average is calculated of the time (in
    days) between a local authority receiving court authority to place a child, i.e. granting a
    placement order or a freeing order. Children who were not placed for adoption prior to the
    adoption order are excluded. Children with no placement order or freeing order are also
    excluded. A time of zero is assigned to children who were matched before court authority
    was received." Court authority is the first episode of the period of care under a placement
    order (legal status E1) or a freeing order (D1).
    """
    ad1 = getattr(records, "ad1", None)
    if not isinstance(ad1, pl.DataFrame) or "DATE_MATCH" not in ad1.columns:
        msg = "adoption_a2_days needs the SSDA903 AD1 table with DATE_MATCH"
        raise DataError(msg)
    episodes, rows = _adoptions(records, params)
    matches = (
        ad1.select("CHILD", pl.col("DATE_MATCH").alias("__match"))
        .drop_nulls()
        .unique("CHILD", keep="first")
    )
    rows = rows.join(matches, on="CHILD", how="left")
    usable = (
        pl.col("__problem").is_null()
        & pl.col("__moved_in").is_not_null()
        & pl.col("__authority").is_not_null()
        & pl.col("__match").is_not_null()
    )
    hits = per_period(rows, periods).filter(_in_period_dec() & usable)
    # DfE counts a child matched before the court's authority as 0 days, never fewer
    hits = hits.with_columns(pl.max_horizontal("__authority", "__match").alias("__matched"))
    counts = _days_per_child(hits, periods, start="__authority", end="__matched")
    episodes = episodes.join(
        rows.select("__row", "__problem", "__moved_in", "__authority", "__match"),
        on="__row",
        how="left",
    ).sort("__row")
    adopted = pl.col("REC").is_in(list(params["adopted_reasons"])).fill_null(False)
    reason = pick(
        (~adopted, "not_counted: the episode did not end in adoption"),
        (pl.col("__problem").is_not_null(), pl.col("__problem")),
        (pl.col("__moved_in").is_null(),
         "not_counted: not placed for adoption (A3-A6) before the adoption"),
        (pl.col("__authority").is_null(),
         "not_counted: no placement order or freeing order (legal status "
         + "/".join(params["court_authority_statuses"]) + ") in the period of care"),
        (pl.col("__match").is_null(), "not_counted: no DATE_MATCH for the child in the AD1 table"),
        otherwise="outside_period: adoption not in any period",
    )  # fmt: skip
    return Counted(
        counts=counts, records=accounting("episodes", episodes, hits["__row"].unique(), reason)
    )
