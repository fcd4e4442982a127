"""Children in need by primary need, child protection plans by category of abuse, and children
looked after by legal status, age, gender and ethnicity, at a date (CIN census, SSDA903).

DfE's rules, as the definitions state them (codes from the CIN census and the SSDA903 guide,
named in each definition's ``[derivation]`` table where they group into levels):

* Children in need at the period end (as :func:`~.children_in_need.children_in_need_at_date`
  counts them) by the PrimaryNeedCode (N0-N9) of the episode of need open then.
* Children on a child protection plan at the period end (each child once: the plan begun
  first, when two are open) by the plan's category of abuse; DfE's tables use the initial
  category ("the initial category of abuse is that assessed when the child protection plan
  commenced"), so ``category_column`` is ``InitialCategoryOfAbuse`` unless a definition says
  otherwise. "Multiple" is a category of its own: a child is counted once overall.
* Children looked after at the period end (as :func:`~.looked_after.looked_after_at_date`
  counts them) by the legal status (LS) of the episode open then, or by a characteristic of
  the child's header row: age at the period end in bands of whole years, SEX, or ETHNIC.

In each, the levels share one denominator, the children whose value falls in a level, so they
add up to 100%; a child whose value is in no level (a blank or unlisted code, no date of birth)
is left out of both, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ...errors import DataError
from ..periods import age_on
from ..registry import Counted, derivation
from ._common import accounting, child_counts, per_period, shaped
from ._levels import LEVEL, level_counts, level_shares, parse_levels, value_levels
from ._returns import require
from .children_in_need import CHILD, _table, in_need_at
from .looked_after import SHORT_BREAKS, _episodes, at_date

__all__: list[str] = []

#: The header fields a child characteristic may name, and the age in whole years.
CHARACTERISTICS = ("age", "SEX", "ETHNIC")


def _rows_in(rows: pl.Series | list[int]) -> pl.Expr:
    return pl.col("__row").is_in(pl.Series(rows, dtype=pl.UInt32).unique().implode())


def _shares(
    firsts: pl.DataFrame,
    periods: pl.DataFrame,
    column: str,
    codes: list[str],
    child: str,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Counts per period and level over the children in a level, and those counted."""
    placed = firsts.filter(pl.col(LEVEL).is_not_null())
    counts = level_shares(
        level_counts(placed, periods, column, codes, "numerator", child=child),
        child_counts(placed, periods, "denominator", child=child),
        column,
    )
    return counts, placed


def _unlisted(field: str, value: pl.Expr, left_out: set[int], otherwise: pl.Expr) -> pl.Expr:
    """The reason of a record counted at a date but whose ``field`` is in no level."""
    return (
        pl.when(_rows_in(list(left_out)))
        .then(
            pl.format(
                "unknown_code: {} '{}' is in no level of the definition",
                pl.lit(field),
                value.cast(pl.String).fill_null("empty"),
            )
        )
        .otherwise(otherwise)
    )


@derivation(
    "children_in_need_by_primary_need",
    tables=("cin_details",),
    parameters={"column": "primary_need", "levels": [], "as_share": True},
)
def in_need_by_primary_need(
    records: Any, periods: pl.DataFrame, params: Mapping[str, Any]
) -> Counted:
    """Children in need at each period end by the primary need (levels: PrimaryNeedCode codes)
    of the episode of need open then, over the children in need then whose code is in a level."""
    name = "children_in_need_by_primary_need"
    column, levels = parse_levels(params, name)
    table, firsts, reason = in_need_at(records, periods)
    if "PrimaryNeedCode" not in firsts.columns:  # the search hands back its narrow columns
        firsts = firsts.join(
            table.select("__row", "PrimaryNeedCode"), on="__row", how="left", maintain_order="left"
        )
    firsts = firsts.join(
        value_levels(levels, name),
        left_on="PrimaryNeedCode",
        right_on="__value",
        how="left",
        maintain_order="left",
    )
    counts, placed = _shares(firsts, periods, column, list(levels), CHILD)
    left_out = set(firsts["__row"].to_list()) - set(placed["__row"].to_list())
    reason = _unlisted("PrimaryNeedCode", pl.col("PrimaryNeedCode"), left_out, reason)
    return Counted(
        counts=shaped(counts, params),
        records=accounting("cin_details", table, placed["__row"].unique(), reason, child=CHILD),
    )


@derivation(
    "cp_plans_by_category_of_abuse",
    tables=("cp_plans",),
    parameters={
        "column": "category_of_abuse",
        "levels": [],
        "category_column": "InitialCategoryOfAbuse",
        "as_share": True,
    },
)
def cp_by_category(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children on a child protection plan at each period end by the plan's category of abuse
    (``category_column``; levels: its codes), each child once (the plan begun first), over the
    children on a plan whose category is in a level."""
    name = "cp_plans_by_category_of_abuse"
    category = str(params["category_column"])
    if category not in ("InitialCategoryOfAbuse", "LatestCategoryOfAbuse"):
        msg = (
            f"derivation {name!r}: 'category_column' must be 'InitialCategoryOfAbuse' or "
            f"'LatestCategoryOfAbuse', got {category!r}"
        )
        raise DataError(msg)
    column, levels = parse_levels(params, name)
    plans = _table(records, "cp_plans")
    open_at = (pl.col("CPPstartDate") <= pl.col("period_end")) & (
        pl.col("CPPendDate").is_null() | (pl.col("CPPendDate") > pl.col("period_end"))
    )
    held = per_period(plans, periods).filter(open_at)
    firsts = (
        held.sort("CPPstartDate", "__row")
        .unique([CHILD, "period_label"], keep="first", maintain_order=True)
        .join(
            value_levels(levels, name),
            left_on=category,
            right_on="__value",
            how="left",
            maintain_order="left",
        )
    )
    counts, placed = _shares(firsts, periods, column, list(levels), CHILD)
    second = set(held["__row"].to_list()) - set(firsts["__row"].to_list())
    left_out = set(firsts["__row"].to_list()) - set(placed["__row"].to_list())
    reason = _unlisted(
        category,
        pl.col(category),
        left_out,
        pl.when(_rows_in(list(second - set(placed["__row"].to_list()))))
        .then(
            pl.lit(
                "overlapping_episode: another plan of the child, begun earlier, is open at the "
                "date; the child is counted once"
            )
        )
        .when(pl.col("CPPstartDate").is_null())
        .then(pl.lit("missing_date: no CPPstartDate"))
        .otherwise(pl.lit("outside_period: plan not open at the end of any period")),
    )
    return Counted(
        counts=shaped(counts, params),
        records=accounting("cp_plans", plans, placed["__row"].unique(), reason, child=CHILD),
    )


@derivation(
    "looked_after_by_legal_status",
    tables=("episodes",),
    parameters={
        "column": "legal_status",
        "levels": [],
        "exclude_legal_status": SHORT_BREAKS,
        "as_share": True,
    },
)
def by_legal_status(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children looked after at each period end by the legal status (levels: LS codes) of the
    episode open then, over the children looked after then whose status is in a level."""
    name = "looked_after_by_legal_status"
    column, levels = parse_levels(params, name)
    episodes = _episodes(records)
    firsts, reason = at_date(episodes, periods, params)
    firsts = firsts.join(value_levels(levels, name), left_on="LS", right_on="__value", how="left")
    counts, placed = _shares(firsts, periods, column, list(levels), "CHILD")
    left_out = set(firsts["__row"].to_list()) - set(placed["__row"].to_list())
    reason = _unlisted("LS", pl.col("LS"), left_out, reason)
    return Counted(
        counts=shaped(counts, params),
        records=accounting("episodes", episodes, placed["__row"].unique(), reason),
    )


def _age_levels(
    levels: Mapping[str, tuple[str, ...]], name: str
) -> dict[str, tuple[int, int | None]]:
    """Each level's whole years ``from to`` (to not included; the last ``from`` only)."""
    bands: dict[str, tuple[int, int | None]] = {}
    for code, values in levels.items():
        if len(values) not in (1, 2) or not all(v.isdigit() for v in values):
            msg = (
                f"derivation {name!r}: level {code!r} should give ages in years 'from to' or 'from'"
            )
            raise DataError(msg)
        bands[code] = (int(values[0]), int(values[1]) if len(values) == 2 else None)
    return bands


@derivation(
    "looked_after_by_child_characteristic",
    tables=("episodes", "header"),
    parameters={
        "characteristic": "",
        "column": "",
        "levels": [],
        "exclude_legal_status": SHORT_BREAKS,
        "as_share": True,
    },
)
def by_characteristic(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children looked after at each period end by a characteristic of their header row:
    ``characteristic = "age"`` (whole years at the period end; levels: years "from to", the
    upper one not included), ``"SEX"`` or ``"ETHNIC"`` (levels: codes), over the children
    looked after then whose characteristic is in a level."""
    name = "looked_after_by_child_characteristic"
    what = str(params["characteristic"])
    if what not in CHARACTERISTICS:
        msg = (
            f"derivation {name!r}: 'characteristic' must be one of "
            f"{', '.join(map(repr, CHARACTERISTICS))}, got {what!r}"
        )
        raise DataError(msg)
    column, levels = parse_levels(params, name)
    header = require(records, "header", name)
    field = "DOB" if what == "age" else what
    if field not in header.columns:
        msg = f"derivation {name!r}: the SSDA903 header table has no {field} column"
        raise DataError(msg)
    kept = header.sort("__row").unique("CHILD", keep="first", maintain_order=True)
    episodes = _episodes(records)
    firsts, reason = at_date(episodes, periods, params)
    firsts = firsts.join(
        kept.select("CHILD", pl.col(field).alias("__value_of"), pl.col("__row").alias("__hrow")),
        on="CHILD",
        how="left",
    )
    if what == "age":
        band: pl.Expr = pl.lit(None, pl.String)
        age = age_on("__value_of", pl.col("period_end"))
        for code, (low, high) in reversed(list(_age_levels(levels, name).items())):
            inside = age >= low
            if high is not None:
                inside = inside & (age < high)
            band = pl.when(inside).then(pl.lit(code)).otherwise(band)
        firsts = firsts.with_columns(band.alias(LEVEL))
    else:
        firsts = firsts.join(
            value_levels(levels, name), left_on="__value_of", right_on="__value", how="left"
        )
    counts, placed = _shares(firsts, periods, column, list(levels), "CHILD")
    left_out = firsts.filter(pl.col(LEVEL).is_null())
    missing = set(left_out.filter(pl.col("__hrow").is_null())["__row"].to_list())
    blank = set(left_out["__row"].to_list()) - missing
    unplaced = set(blank) - set(placed["__row"].to_list())
    words = (
        "missing_date: no date of birth in the child's header row, so the age cannot be told"
        if what == "age"
        else f"unknown_code: {what} is blank in the child's header row"
    )
    values_of = episodes.join(
        kept.select("CHILD", pl.col(field).alias("__value_of")), on="CHILD", how="left"
    ).sort("__row")
    reason = (
        pl.when(_rows_in(list(missing - set(placed["__row"].to_list()))))
        .then(pl.lit("not_counted: the child has no row in the SSDA903 header table"))
        .when(_rows_in(list(unplaced)) & pl.col("__value_of").is_null())
        .then(pl.lit(words))
        .when(_rows_in(list(unplaced)))
        .then(
            pl.format(
                "unknown_code: {} {} is in no level of the definition",
                pl.lit("age on the date, from DOB" if what == "age" else what),
                pl.col("__value_of").cast(pl.String),
            )
        )
        .otherwise(reason)
    )
    used = set(placed["__hrow"].to_list())
    header_reason = (
        pl.when(pl.col("CHILD").is_duplicated() & ~_rows_in(kept["__row"]))
        .then(pl.lit("not_counted: a repeated header row of the child (the first one is used)"))
        .otherwise(
            pl.lit(
                "not_counted: the child was not counted as looked after at the end of any "
                "period, or their characteristic is in no level"
            )
        )
    )
    return Counted(
        counts=shaped(counts, params),
        records=pl.concat([
            accounting("episodes", values_of, placed["__row"].unique(), reason),
            accounting("header", header, list(used), header_reason),
        ]),
    )  # fmt: skip
