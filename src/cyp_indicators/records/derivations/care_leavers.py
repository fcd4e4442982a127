"""Care leavers (SSDA903 OC3): in touch, activity, accommodation, staying put.

The OC3 table holds one row per young person eligible for care leaver support whose 17th, 18th,
19th, 20th or 21st birthday falls in the year of the return, recorded around that birthday:
``IN_TOUCH`` (YES, NO, DIED, REFU refused contact, NREQ no longer requires services, RHOM returned
home for six months or more), ``ACTIV`` (F/P1 higher education, F/P2 other education, F/P4 and
F/P5 training or employment, G4-G6 not in education, employment or training, 0 not known) and
``ACCOM`` (a letter for the kind of accommodation, Z with former foster carers, T foyers, G gone
abroad, H deported, R residence not known ..., then 1 suitable or 2 not suitable; 0 not known).
The codes a measure counts are its definition's parameters. A row is matched to the period
ending 31 March of its return's year (see :mod:`._returns`), and the young person's age is the
one reached on the birthday in that period.

DfE's figures leave out young people who have died or returned home for six months or more
(``exclude_in_touch``); the suitability of accommodation also leaves out those gone abroad,
deported or whose residence is not known (``exclude_accommodation``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ...errors import DataError
from ..periods import age_on
from ..registry import Counted, derivation
from ._common import accounting, child_counts, per_period, shaped, share_counts
from ._levels import LEVEL, level_counts, parse_levels
from ._returns import check_march_periods, require, return_years
from .looked_after import _episodes

__all__: list[str] = []

_EXCLUDED_IN_TOUCH = ["DIED", "RHOM"]


def _ages(params: Mapping[str, Any], name: str) -> tuple[str, dict[int, str]]:
    """The breakdown column ('' when none) and age -> level code ('' when none)."""
    if params.get("levels"):
        column, levels = parse_levels(params, name)
        ages: dict[int, str] = {}
        for code, values in levels.items():
            for value in values:
                if not value.isdigit() or int(value) in ages:
                    msg = f"derivation {name!r}: level {code!r} ages must be whole numbers, each in one level"
                    raise DataError(msg)
                ages[int(value)] = code
        return column, ages
    return "", {int(a): "" for a in params["ages"]}


def _rows(records: Any, periods: pl.DataFrame, name: str) -> pl.DataFrame:
    """OC3 rows with ``__row``, ``__year`` (the year of their return), ``__repeat`` (a second row
    of the young person in one return) and ``__dob`` (the row's, else the header's)."""
    oc3 = require(records, "oc3", name)
    check_march_periods(periods, name, "oc3")
    oc3 = return_years(records, oc3, periods, "oc3", name).with_columns(
        (pl.int_range(pl.len()).over("CHILD", "__year") > 0).alias("__repeat")
    )
    header = getattr(records, "header", None)
    if isinstance(header, pl.DataFrame) and "DOB" in header.columns:
        dobs = header.select("CHILD", pl.col("DOB").alias("__header_dob")).unique(
            "CHILD", keep="first", maintain_order=True
        )
        oc3 = oc3.join(dobs, on="CHILD", how="left", maintain_order="left")
    else:
        oc3 = oc3.with_columns(pl.lit(None, pl.Date).alias("__header_dob"))
    oc3 = oc3.with_columns(pl.coalesce("DOB", "__header_dob").alias("__dob"))
    return oc3


def _in_year(oc3: pl.DataFrame, periods: pl.DataFrame, ages: Mapping[int, str]) -> pl.DataFrame:
    """Each OC3 row beside the period of its year, with the age reached on the birthday in it."""
    crossed = per_period(oc3, periods).filter(
        pl.col("period_end").dt.year().cast(pl.Int32) == pl.col("__year")
    )
    reached = age_on("__dob", pl.col("period_end"))
    before = age_on("__dob", pl.col("period_start").dt.offset_by("-1d"))
    birthday = reached.alias("age")
    crossed = crossed.with_columns(birthday, before.alias("__before"))
    return crossed.with_columns(
        pl.when(pl.col("age") == pl.col("__before") + 1)
        .then(pl.col("age"))
        .otherwise(None)
        .alias("__birthday_age")
    ).with_columns(
        pl.col("__birthday_age")
        .replace_strict(ages, default=None, return_dtype=pl.String)
        .alias(LEVEL)
    )


def _reason_base(ages: Mapping[int, str], years: list[int]) -> pl.Expr:
    words = ", ".join(str(a) for a in sorted(ages))
    return (
        pl.when(pl.col("__repeat"))
        .then(pl.format("duplicate: a second OC3 row for the young person in the {} return", pl.col("__year")))
        .when(~pl.col("__year").is_in(years))
        .then(
            pl.format(
                "outside_period: the row describes the year to 31 March {}, which no period "
                "derived ends",
                pl.col("__year"),
            )
        )
        .when(pl.col("__dob").is_null())
        .then(pl.lit("missing_date: no date of birth, so the birthday in the year cannot be told"))
        .when(pl.col("__why").is_not_null())
        .then(pl.col("__why"))
        .otherwise(
            pl.lit(f"not_counted: no birthday of an age measured ({words}) in the year of the row")
        )
    )  # fmt: skip


@derivation(
    "care_leavers",
    tables=("oc3",),
    parameters={
        "ages": [19, 20, 21],
        "column": "",
        "levels": [],
        "activity": [],
        "in_touch": [],
        "suitable": False,
        "exclude_in_touch": _EXCLUDED_IN_TOUCH,
        "exclude_accommodation": [],
        "as_share": True,
    },
)
def care_leavers(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Care leavers whose birthday of an age in ``ages`` (or, for a breakdown, of each level's
    ages) fell in the period, and of them those meeting every numerator condition given:
    ``activity`` (ACTIV codes), ``in_touch`` (IN_TOUCH codes), ``suitable`` (ACCOM ends in 1).
    With no condition the numerator is the cohort. Rows with IN_TOUCH in ``exclude_in_touch``
    or an ACCOM letter in ``exclude_accommodation`` are left out of both, with the reason."""
    name = "care_leavers"
    column, ages = _ages(params, name)
    oc3 = _rows(records, periods, name)
    crossed = _in_year(oc3.filter(~pl.col("__repeat")), periods, ages)
    out_touch = list(params["exclude_in_touch"])
    out_accom = list(params["exclude_accommodation"])
    letter = pl.col("ACCOM").str.slice(0, 1)
    why = (
        pl.when(pl.col("IN_TOUCH").is_in(out_touch).fill_null(False))
        .then(
            pl.format(
                "not_counted: IN_TOUCH {}: DfE leaves out young people who have died or returned "
                "home to parents for six months or more",
                pl.col("IN_TOUCH"),
            )
        )
        .when(letter.is_in(out_accom).fill_null(False))
        .then(
            pl.format(
                "not_counted: ACCOM {} (gone abroad, deported or residence not known): the "
                "suitability of the accommodation is not known",
                pl.col("ACCOM"),
            )
        )
    )
    measured = crossed.filter(pl.col(LEVEL).is_not_null()).with_columns(why.alias("__why"))
    cohort = measured.filter(pl.col("__why").is_null())
    yes = pl.lit(True)
    if params["activity"]:
        yes = yes & pl.col("ACTIV").is_in(list(params["activity"])).fill_null(False)
    if params["in_touch"]:
        yes = yes & pl.col("IN_TOUCH").is_in(list(params["in_touch"])).fill_null(False)
    if params["suitable"]:
        yes = yes & pl.col("ACCOM").str.contains(r"^[A-Z]1$").fill_null(False)
    hits = cohort.filter(yes)
    if column:
        # each level is an age group with its own denominator
        codes = list(dict.fromkeys(ages.values()))
        counts = level_counts(hits, periods, column, codes, "numerator", child="CHILD").join(
            level_counts(cohort, periods, column, codes, "denominator", child="CHILD").select(
                "period_label", column, "denominator"
            ),
            on=["period_label", column],
            how="left",
            maintain_order="left",
        )
    else:
        counts = share_counts(
            child_counts(hits, periods, "numerator"), child_counts(cohort, periods, "denominator")
        )
    whys = (
        measured.filter(pl.col("__why").is_not_null())
        .group_by("__row")
        .agg(pl.col("__why").first())
    )
    oc3 = oc3.join(whys, on="__row", how="left", maintain_order="left")
    years = sorted({int(d.year) for d in periods["period_end"].to_list()})
    reason = _reason_base(ages, years)
    return Counted(
        counts=shaped(counts, params),
        records=accounting("oc3", oc3, cohort["__row"].unique(), reason),
    )


@derivation(
    "care_leavers_staying_put",
    tables=("episodes", "oc3"),
    parameters={
        "ages": [19, 20],
        "foster_places": ["U1", "U2", "U3", "U4", "U5", "U6"],
        "staying_put_accommodation": ["Z"],
        "exclude_in_touch": _EXCLUDED_IN_TOUCH,
        "as_share": True,
    },
)
def staying_put(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Care leavers whose birthday of an age in ``ages`` (19, 20) fell in the period and who had
    ceased to be looked after on their 18th birthday from a foster placement (an episode ending
    that day, PLACE in ``foster_places``), and of them those living with their former foster
    carers (ACCOM letter in ``staying_put_accommodation``: Z). The episode that ended on the
    18th birthday must be in the records (the return of the year the young person turned 18)."""
    name = "care_leavers_staying_put"
    _column, ages = _ages(params, name)
    oc3 = _rows(records, periods, name)
    crossed = _in_year(oc3.filter(~pl.col("__repeat")), periods, ages)
    episodes = _episodes(records)
    turned_18 = pl.col("__dob").dt.offset_by("18y")
    # a 29 February birthday is reached on 1 March in other years (as age_on counts)
    turned_18 = (
        pl.when((pl.col("__dob").dt.month() == 2) & (pl.col("__dob").dt.day() == 29) & ~turned_18.dt.is_leap_year())
        .then(turned_18.dt.offset_by("1d"))
        .otherwise(turned_18)
    )  # fmt: skip
    dobs = oc3.filter(~pl.col("__repeat")).select("CHILD", "__dob").unique("CHILD")
    ended = (
        episodes.join(dobs, on="CHILD", how="inner")
        .filter(
            (pl.col("DEC") == turned_18) & pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
        )
        .sort("__row")
        .unique("CHILD", keep="last")
        .select("CHILD", pl.col("__row").alias("__ep_row"), pl.col("PLACE").alias("__left_from"))
    )
    fosters = list(params["foster_places"])
    why = (
        pl.when(pl.col("IN_TOUCH").is_in(list(params["exclude_in_touch"])).fill_null(False))
        .then(
            pl.format(
                "not_counted: IN_TOUCH {}: DfE leaves out young people who have died or returned "
                "home to parents for six months or more",
                pl.col("IN_TOUCH"),
            )
        )
        .when(pl.col("__ep_row").is_null())
        .then(
            pl.lit(
                "not_counted: no episode of the young person ending on their 18th birthday is in "
                "the records (not looked after until then, or the return of the year they turned "
                "18 is not loaded)"
            )
        )
        .when(~pl.col("__left_from").is_in(fosters).fill_null(False))
        .then(
            pl.format(
                "not_counted: ceased to be looked after on their 18th birthday from placement {}, "
                "not a foster placement ({})",
                pl.col("__left_from").fill_null("empty"),
                pl.lit(" ".join(fosters)),
            )
        )
    )
    measured = (
        crossed.filter(pl.col(LEVEL).is_not_null())
        .join(ended, on="CHILD", how="left")
        .with_columns(why.alias("__why"))
    )
    cohort = measured.filter(pl.col("__why").is_null())
    home = pl.col("ACCOM").str.slice(0, 1).is_in(list(params["staying_put_accommodation"]))
    counts = share_counts(
        child_counts(cohort.filter(home.fill_null(False)), periods, "numerator"),
        child_counts(cohort, periods, "denominator"),
    )
    whys = (
        measured.filter(pl.col("__why").is_not_null())
        .group_by("__row")
        .agg(pl.col("__why").first())
    )
    oc3 = oc3.join(whys, on="__row", how="left", maintain_order="left")
    years = sorted({int(d.year) for d in periods["period_end"].to_list()})
    episode_reason = pl.lit(
        "not_counted: not the episode a care leaver of the measure ceased on their 18th birthday"
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting("episodes", episodes, cohort["__ep_row"].unique(), episode_reason),
            accounting("oc3", oc3, cohort["__row"].unique(), _reason_base(ages, years)),
        ]),
    )  # fmt: skip
