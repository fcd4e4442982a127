"""Outcomes of children looked after continuously for 12 months (SSDA903 OC2).

DfE's cohort: children looked after at 31 March who had been looked after continuously for at
least 12 months, excluding those looked after under an agreed series of short-term placements.
The OC2 table holds one row per child of the cohort, for the year of its return: health
assessment, immunisations, dental check, development assessment (under 5s), SDQ score,
substance misuse, conviction. Continuity is as DfE's validation rules spell it out: "a child is
continuously looked after unless they have any episodes which either: end after collection_start
with LS is V3/V4; end after collection_start where REC isn't X1; begin after collection_start
where RNE is S" (the 12 months to the period end: a short break overlapping them, an episode
ending in them before the period end for a reason other than X1, or a new period of care begun
after their first day). Each OC2 row is matched to the period ending 31 March of its return's
year (see :mod:`._returns`), so periods must end on 31 March.

A child of the cohort whose OC2 row lacks a field the measure reads is left out of the measure
with the reason (DfE's validation rule 191 requires every field for the cohort), as is a child of
the cohort with no OC2 row in that year's return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from ...errors import DataError
from ..periods import age_on
from ..registry import Counted, derivation
from ._common import PERIOD_COLS, accounting, child_counts, per_period, shaped, share_counts
from ._levels import LEVEL, level_counts, level_shares, parse_levels
from ._returns import check_march_periods, require, return_years
from .looked_after import SHORT_BREAKS, _episodes, _not_short_break, at_date

__all__: list[str] = []

KEYS = ["CHILD", "period_label"]


def _first_reason(frame: pl.DataFrame, row: str) -> pl.DataFrame:
    """One reason per input row (the first, periods in order)."""
    return (
        frame.filter(pl.col("__why").is_not_null())
        .group_by(row, maintain_order=True)
        .agg(pl.col("__why").first())
    )


def _cohort(
    records: Any,
    periods: pl.DataFrame,
    params: Mapping[str, Any],
    name: str,
    fields: Sequence[str],
    required: Sequence[str],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The 12-month cohort at each period end, joined to its OC2 rows (``fields``), with DOB and
    age; a child whose row leaves one of ``required`` blank is out of the measure.

    Returns the episodes (with ``__row``), the OC2 rows (with ``__row``, ``__year``) and one row
    per child of the cohort and period with ``__row`` (the episode), ``__oc2_row``, ``age`` and
    ``__why``: null when the child is in the measure, else why not (age, a blank field).
    """
    oc2 = require(records, "oc2", name)
    check_march_periods(periods, name, "oc2")
    oc2 = return_years(records, oc2, periods, "oc2", name)
    oc2 = oc2.with_columns((pl.int_range(pl.len()).over("CHILD", "__year") > 0).alias("__repeat"))
    episodes = _episodes(records)
    at_end, at_end_reason = at_date(episodes, periods, params)
    months = int(params["months"])
    since = pl.col("period_end").dt.offset_by(f"-{months}mo").dt.offset_by("1d")
    short = ~_not_short_break(params)
    ended = pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    breaks = (
        per_period(episodes, periods)
        .with_columns(since.alias("__from"))
        .with_columns(
            pl.when(
                short
                & (pl.col("DECOM") <= pl.col("period_end"))
                & (pl.col("DEC").is_null() | (pl.col("DEC") >= pl.col("__from")))
            )
            .then(
                pl.format(
                    "a short break (legal status {}) from {}",
                    pl.col("LS"),
                    pl.col("DECOM").dt.strftime("%d/%m/%Y"),
                )
            )
            .when(
                ended & (pl.col("DEC") >= pl.col("__from")) & (pl.col("DEC") < pl.col("period_end"))
            )
            .then(
                pl.format(
                    "an episode ended on {} with reason {}",
                    pl.col("DEC").dt.strftime("%d/%m/%Y"),
                    pl.col("REC"),
                )
            )
            .when(
                (pl.col("RNE") == "S")
                & (pl.col("DECOM") > pl.col("__from"))
                & (pl.col("DECOM") <= pl.col("period_end"))
            )
            .then(
                pl.format(
                    "a new period of care (RNE S) began on {}",
                    pl.col("DECOM").dt.strftime("%d/%m/%Y"),
                )
            )
            .alias("__break")
        )
        .filter(pl.col("__break").is_not_null())
        .sort("DECOM", "__row")
        .group_by(KEYS, maintain_order=True)
        .agg(pl.col("__break").first())
    )
    at_end = at_end.join(breaks, on=KEYS, how="left").with_columns(
        pl.col("__break").is_null().alias("__long"),
        pl.col("period_end").dt.year().cast(pl.Int32).alias("__year"),
    )
    header = getattr(records, "header", None)
    dobs = (
        header.select("CHILD", pl.col("DOB").alias("__header_dob")).unique("CHILD", keep="first")
        if isinstance(header, pl.DataFrame) and "DOB" in header.columns
        else pl.DataFrame(schema={"CHILD": pl.String(), "__header_dob": pl.Date()})
    )
    rows = oc2.filter(~pl.col("__repeat")).select(
        "CHILD", "__year", pl.col("__row").alias("__oc2_row"), pl.col("DOB").alias("__oc2_dob"),
        *fields,
    )  # fmt: skip
    cohort = (
        at_end.select("__row", "CHILD", *PERIOD_COLS, "__break", "__long", "__year")
        .join(rows, on=["CHILD", "__year"], how="left")
        .join(dobs, on="CHILD", how="left")
        .with_columns(pl.coalesce("__oc2_dob", "__header_dob").alias("__dob"))
        .with_columns(age_on("__dob", pl.col("period_end")))
    )
    low, high = int(params["min_age"]), int(params["max_age"])
    end = pl.col("period_end").dt.strftime("%d/%m/%Y")
    blank = [pl.when(pl.col(f).is_null()).then(pl.lit(f)) for f in required]
    why = (
        pl.when(~pl.col("__long"))
        .then(
            pl.format(
                "not_counted: looked after at {} but not continuously for {} months: {}",
                end,
                pl.lit(months),
                pl.col("__break"),
            )
        )
        .when(pl.col("__oc2_row").is_null())
        .then(
            pl.format(
                "not_counted: in the {}-month cohort at {} but the {} return has no OC2 row for "
                "the child",
                pl.lit(months),
                end,
                pl.col("__year"),
            )
        )
        .when(pl.col("age").is_null())
        .then(pl.format("missing_date: no date of birth, so the age at {} cannot be told", end))
        .when((pl.col("age") < low) | (pl.col("age") > high))
        .then(
            pl.format(
                "not_counted: aged {} at {}, outside the ages {} to {} of the measure",
                pl.col("age"),
                end,
                pl.lit(low),
                pl.lit(high),
            )
        )
    )
    if blank:
        why = why.when(pl.any_horizontal([pl.col(f).is_null() for f in required])).then(
            pl.format(
                "not_counted: OC2 {} is blank for the child (DfE's validation rule 191 requires "
                "it for every child of the cohort)",
                pl.concat_str(blank, separator=", ", ignore_nulls=True),
            )
        )
    cohort = cohort.with_columns(why.alias("__why"))
    # a short break, or a second episode open at the period end, is reported as at_date does
    episodes = episodes.with_columns(at_end_reason.alias("__at_end_reason"))
    return episodes, oc2, cohort


def _accounting(
    episodes: pl.DataFrame,
    oc2: pl.DataFrame,
    cohort: pl.DataFrame,
    periods: pl.DataFrame,
    params: Mapping[str, Any],
) -> pl.LazyFrame:
    """Every episode and OC2 row: counted when it places a child in the measure, else why not."""
    used = cohort.filter(pl.col("__why").is_null())
    why_episode = _first_reason(cohort, "__row")
    episodes = episodes.join(why_episode, on="__row", how="left", maintain_order="left")
    episode_reason = (
        pl.when(pl.col("__why").is_not_null() & _not_short_break(params))
        .then(pl.col("__why"))
        .otherwise(pl.col("__at_end_reason"))
    )
    why_oc2 = _first_reason(cohort.filter(pl.col("__oc2_row").is_not_null()), "__oc2_row").rename(
        {"__oc2_row": "__row"}
    )
    years = sorted({int(d.year) for d in periods["period_end"].to_list()})
    oc2 = oc2.join(why_oc2, on="__row", how="left", maintain_order="left")
    oc2_reason = (
        pl.when(pl.col("__repeat"))
        .then(
            pl.format(
                "duplicate: a second OC2 row for the child in the {} return (the first is used)",
                pl.col("__year"),
            )
        )
        .when(~pl.col("__year").is_in(years))
        .then(
            pl.format(
                "outside_period: the row describes the year to 31 March {}, which no period "
                "derived ends",
                pl.col("__year"),
            )
        )
        .when(pl.col("__why").is_not_null())
        .then(pl.col("__why"))
        .otherwise(
            pl.format(
                "not_counted: the child was not looked after at 31 March {} (not in the cohort "
                "of the year the row describes)",
                pl.col("__year"),
            )
        )
    )
    return pl.concat([
        accounting("episodes", episodes, used["__row"].unique(), episode_reason),
        accounting("oc2", oc2, used["__oc2_row"].unique(), oc2_reason),
    ])  # fmt: skip


_OC2_PARAMETERS: dict[str, Any] = {
    "field": "",
    "column": "",
    "levels": [],
    "value": "1",
    "min_age": 0,
    "max_age": 17,
    "months": 12,
    "exclude_legal_status": SHORT_BREAKS,
    "as_share": True,
}
_FIELDS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)


def _field(value: str, name: str) -> str:
    if value not in _FIELDS:
        msg = f"derivation {name!r}: {value!r} is not an OC2 field; the fields are {', '.join(_FIELDS)}"
        raise DataError(msg)
    return value


@derivation("oc2_outcome", tables=("episodes", "oc2"), parameters=_OC2_PARAMETERS)
def oc2_outcome(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children of the 12-month cohort at each period end (aged ``min_age`` to ``max_age`` then)
    whose OC2 ``field`` is ``value`` ("1": yes), over the cohort; for a breakdown, each level
    names its field (``levels = ["dental_check=TEETH_CHECK", ...]``) over one cohort."""
    name = "oc2_outcome"
    if params.get("levels"):
        column, levels = parse_levels(params, name)
        fields = {code: _field(" ".join(v), name) for code, v in levels.items()}
    else:
        column, fields = "", {"": _field(str(params["field"]), name)}
    needed = sorted(set(fields.values()))
    episodes, oc2, cohort = _cohort(records, periods, params, name, needed, needed)
    measured = cohort.filter(pl.col("__why").is_null())
    denominator = child_counts(measured, periods, "denominator")
    yes = str(params["value"])
    if column:
        hits = pl.concat([
            measured.filter(pl.col(field) == yes).with_columns(pl.lit(code).alias(LEVEL))
            .select("CHILD", *PERIOD_COLS, LEVEL)
            for code, field in fields.items()
        ])  # fmt: skip
        counts = level_shares(
            level_counts(hits, periods, column, list(fields), "numerator", child="CHILD"),
            denominator,
            column,
        )
    else:
        hits = measured.filter(pl.col(fields[""]) == yes)
        counts = share_counts(child_counts(hits, periods, "numerator"), denominator)
    return Counted(
        counts=shaped(counts, params), records=_accounting(episodes, oc2, cohort, periods, params)
    )


@derivation(
    "oc2_sdq_mean",
    tables=("episodes", "oc2"),
    parameters={
        "min_age": 5,
        "max_age": 16,
        "min_score": 0,
        "max_score": 40,
        "months": 12,
        "exclude_legal_status": SHORT_BREAKS,
    },
)
def oc2_sdq_mean(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """The sum of SDQ total difficulties scores (numerator) and the number of children with a
    score (denominator) of the 12-month cohort aged ``min_age`` to ``max_age`` at each period
    end: the average score is their ratio. A child without a score (SDQ_REASON says why) or with
    a score outside 0 to 40 is left out, with the reason."""
    name = "oc2_sdq_mean"
    episodes, oc2, cohort = _cohort(records, periods, params, name, ["SDQ_SCORE", "SDQ_REASON"], [])
    low, high = int(params["min_score"]), int(params["max_score"])
    score = pl.col("SDQ_SCORE")
    why = (
        pl.when(pl.col("__why").is_not_null())
        .then(pl.col("__why"))
        .when(score.is_null())
        .then(
            pl.format(
                "not_counted: no SDQ score returned (reason {})",
                pl.col("SDQ_REASON").fill_null("not given"),
            )
        )
        .when((score < low) | (score > high))
        .then(
            pl.format(
                "not_counted: SDQ score {} is outside {} to {}", score, pl.lit(low), pl.lit(high)
            )
        )
    )
    cohort = cohort.with_columns(why.alias("__why"))
    measured = cohort.filter(pl.col("__why").is_null())
    totals = measured.group_by(PERIOD_COLS).agg(
        pl.col("SDQ_SCORE").sum().cast(pl.Float64).alias("numerator"),
        pl.len().cast(pl.Int64).alias("denominator"),
    )
    counts = (
        periods.select(PERIOD_COLS)
        .join(totals, on=PERIOD_COLS, how="left", maintain_order="left")
        .with_columns(pl.col("numerator").fill_null(0.0), pl.col("denominator").fill_null(0))
    )
    return Counted(
        counts=shaped(counts, params), records=_accounting(episodes, oc2, cohort, periods, params)
    )
