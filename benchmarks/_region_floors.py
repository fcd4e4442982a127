"""Hand-written polars floors for a partnership's record-level counts.

What an analyst would write for the same counts over pooled returns (every table with ``la``):
one lazy query per measure over every council and year at once, the counting rules the
definitions state (``records/derivations/looked_after.py`` and ``children_in_need.py``), and
nothing else: no check of codes, no reasons, no row accounting, no intervals. Years are
collection years (ending 31 March), so a financial year is read off a date directly instead of
joining periods. Windows per child (``.over``) are avoided: polars runs a non-aggregating window
group by group, slow on hundreds of thousands of small groups, so "the row before" is read on
rows sorted by child (the row before, if it is the same child's) and "already open" by joining
a child's episodes to each other. Each returns ``la``, ``year``, ``numerator`` and, for shares,
``denominator``, one row per council and year with anything to count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

__all__ = ["FLOORS", "cla_at_31_march", "cla_starts", "re_referrals", "three_or_more_placements"]

SHORT_BREAKS = ("V3", "V4")
PLACEMENT_REASONS = ("S", "P", "B", "T", "U")
SAME_CARER_REASONS = ("T", "U")
ADOPTION_WITH_CURRENT_CARERS = ("A3", "A5")
TEMPORARY_PLACES = ("T0", "T1", "T2", "T3", "T4")
_FAR = dt.date(9999, 12, 31)


def _countable() -> pl.Expr:
    return ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)


def _collection_year(date: pl.Expr) -> pl.Expr:
    return date.dt.year().cast(pl.Int32) + (date.dt.month() > 3).cast(pl.Int32)


def _years(years: Sequence[int]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "year": list(years),
            "start": [dt.date(y - 1, 4, 1) for y in years],
            "end": [dt.date(y, 3, 31) for y in years],
        },
        schema={"year": pl.Int32, "start": pl.Date, "end": pl.Date},
    )


def cla_at_31_march(episodes: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
    """Children looked after at 31 March of each year: an episode begun on or before the day
    and not ended by it, short breaks (V3, V4) left out, each child once."""
    return (
        episodes.lazy()
        .filter(_countable())
        .select("la", "CHILD", "DECOM", "DEC")
        .join(_years(years).select("year", "end"), how="cross")
        .filter(
            (pl.col("DECOM") <= pl.col("end")) & (pl.col("DEC").fill_null(_FAR) > pl.col("end"))
        )
        .group_by("la", "year")
        .agg(pl.col("CHILD").n_unique().alias("numerator"))
        .collect()
    )


def cla_starts(episodes: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
    """Children starting to be looked after in each financial year: an RNE S episode (not a
    short break) begun in it, unless another of the child's countable episodes, begun earlier,
    is still open that day; each child once."""
    countable = episodes.lazy().filter(_countable()).select("la", "CHILD", "DECOM", "DEC", "RNE")
    starts = (
        countable.filter(pl.col("RNE") == "S")
        .with_columns(_collection_year(pl.col("DECOM")).alias("year"))
        .filter(pl.col("year").is_in(list(years)))
    )
    already = (
        starts.join(countable, on=["la", "CHILD"], suffix="_other")
        .filter(
            (pl.col("DECOM_other") < pl.col("DECOM"))
            & (pl.col("DEC_other").fill_null(_FAR) > pl.col("DECOM"))
        )
        .select("la", "CHILD", "DECOM")
        .unique()
    )
    return (
        starts.join(already, on=["la", "CHILD", "DECOM"], how="anti")
        .group_by("la", "year")
        .agg(pl.col("CHILD").n_unique().alias("numerator"))
        .collect()
    )


def three_or_more_placements(episodes: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
    """Of the children looked after at the end of each financial year (denominator), those with
    three or more placements in it (numerator): the first episode of the year counts, and each
    later one begun in the year with RNE S, P, B, T or U, except a move to adoption by the
    current carers (RNE T or U into A3 or A5), a temporary placement (T0-T4) and the return from
    one to the same placement (same PLACE, and URN, PL_POST, PLACE_PROVIDER where both give
    them); short breaks left out."""
    temporary = pl.col("PLACE").is_in(TEMPORARY_PLACES).fill_null(False)
    fields = ["PLACE", "URN", "PL_POST", "PLACE_PROVIDER"]
    same_child = (pl.col("la") == pl.col("la").shift(1)) & (
        pl.col("CHILD") == pl.col("CHILD").shift(1)
    )
    # the usual placement: the child's latest non-temporary episode before this one, found by
    # carrying the row number of each non-temporary episode forward (sorted by child, start)
    usual = pl.when(~pl.col("__temporary")).then(pl.int_range(pl.len())).forward_fill().shift(1)
    marked = (
        episodes.lazy()
        .select("la", "CHILD", "DECOM", "DEC", "RNE", "LS", *fields)
        .sort("la", "CHILD", "DECOM")
        .with_columns(temporary.alias("__temporary"))
        .with_columns(
            usual.alias("__usual"),
            (pl.col("__temporary").shift(1) & same_child).fill_null(False).alias("__after"),
        )
    )
    usual_row = pl.col("__usual")
    of_usual = {f: pl.col(f).gather(usual_row.fill_null(0)) for f in ["la", "CHILD", *fields]}
    known = (
        usual_row.is_not_null()
        & (of_usual["la"] == pl.col("la"))
        & (of_usual["CHILD"] == pl.col("CHILD"))
    )
    same = known & (of_usual["PLACE"] == pl.col("PLACE"))
    for f in fields[1:]:
        same = same & (of_usual[f].is_null() | pl.col(f).is_null() | (of_usual[f] == pl.col(f)))
    marked = marked.with_columns(
        (
            pl.col("__temporary")
            | (pl.col("__after") & ~pl.col("__temporary") & same.fill_null(False))
        ).alias("__move_back")
    ).filter(_countable())
    in_year = marked.join(_years(years), how="cross").filter(
        (pl.col("DECOM") <= pl.col("end")) & (pl.col("DEC").fill_null(_FAR) >= pl.col("start"))
    )
    at_end = pl.col("DEC").fill_null(_FAR) > pl.col("end")
    adoption_by_carers = pl.col("RNE").is_in(SAME_CARER_REASONS) & pl.col("PLACE").is_in(
        ADOPTION_WITH_CURRENT_CARERS
    )
    begins = (
        pl.col("RNE").is_in(PLACEMENT_REASONS)
        & ~adoption_by_carers.fill_null(False)
        & ~pl.col("__move_back")
        & (pl.col("DECOM") >= pl.col("start"))
    )
    per_child = (
        in_year.sort("DECOM")
        .group_by("la", "year", "CHILD")
        .agg(
            at_end.any().alias("__in_care"),
            # the first episode of the year is one; each later one that begins one
            (1 + begins.sum() - begins.first().cast(pl.UInt32)).alias("__placements"),
        )
        .filter(pl.col("__in_care"))
    )
    return (
        per_child.group_by("la", "year")
        .agg(
            (pl.col("__placements") >= 3).sum().alias("numerator"),
            pl.len().alias("denominator"),
        )
        .collect()
    )


def re_referrals(cin_details: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
    """Referrals in each financial year (denominator) and those within 12 months of the child's
    previous referral (numerator: the previous one on or after the date 12 months before)."""
    # the child's previous referral: the row before, sorted by child and date
    same_child = (pl.col("la") == pl.col("la").shift(1)) & (
        pl.col("LAchildID") == pl.col("LAchildID").shift(1)
    )
    previous = pl.when(same_child).then(pl.col("CINreferralDate").shift(1))
    window = pl.col("CINreferralDate").dt.offset_by("-12mo")
    return (
        cin_details.lazy()
        .select("la", "LAchildID", "CINreferralDate")
        .sort("la", "LAchildID", "CINreferralDate")
        .with_columns(
            (previous >= window).fill_null(False).alias("__re"),
            _collection_year(pl.col("CINreferralDate")).alias("year"),
        )
        .filter(pl.col("year").is_in(list(years)))
        .group_by("la", "year")
        .agg(pl.col("__re").sum().alias("numerator"), pl.len().alias("denominator"))
        .collect()
    )


#: definition id -> (short name, return, table, floor)
FLOORS = {
    "cla_rate_per_10k": ("cla_31_march", "ssda903", "episodes", cla_at_31_march),
    "cla_starts_rate_per_10k": ("cla_starts", "ssda903", "episodes", cla_starts),
    "cla_three_or_more_placements_pct": (
        "3_placements",
        "ssda903",
        "episodes",
        three_or_more_placements,
    ),
    "re_referral_within_12_months_pct": ("re_referrals", "cin", "cin_details", re_referrals),
}
