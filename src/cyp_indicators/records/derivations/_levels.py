"""Breakdowns: a definition's levels as derivation parameters, and counts per period and level.

A breakdown definition names, in its ``[derivation.parameters]``, the result column (``column``,
the definition's ``breakdown.column``) and its levels as data: ``levels = ["foster=U1 U2 U3",
"placed_with_parents=P1", ...]``, each the level's code, ``=``, and the record values that fall in
it (codes, fields or bounds, as the derivation says). The derivation's counts then have one row per
period and level, in the definition's order, with 0 where nothing fell in a level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from ...errors import DataError
from ._common import PERIOD_COLS

__all__ = ["LEVEL", "level_counts", "level_shares", "parse_levels", "value_levels"]

#: The working column that holds a record's level code.
LEVEL = "__level"


def parse_levels(params: Mapping[str, Any], name: str) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The breakdown ``column`` and ``levels`` (code -> values, in order) of ``params``.

    Raises
    ------
    DataError
        No ``column`` or no ``levels``, an entry without ``=``, an empty code, or a level given
        twice; the message names the derivation and the entry.
    """
    column = str(params.get("column") or "")
    entries = list(params.get("levels") or [])
    if not column or not entries:
        msg = f"derivation {name!r} needs the breakdown 'column' and its 'levels' as parameters"
        raise DataError(msg)
    levels: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        code, sep, values = str(entry).partition("=")
        code = code.strip()
        if not sep or not code:
            msg = f"derivation {name!r}: level {entry!r} should read 'code=value value ...'"
            raise DataError(msg)
        if code in levels:
            msg = f"derivation {name!r}: level {code!r} is given twice"
            raise DataError(msg)
        levels[code] = tuple(values.split())
    return column, levels


def value_levels(levels: Mapping[str, Sequence[str]], name: str) -> pl.DataFrame:
    """A lookup frame (``__value`` -> ``__level``) from levels whose values are codes.

    Raises :class:`DataError` when one code is in two levels (a record would count twice).
    """
    seen: dict[str, str] = {}
    for code, values in levels.items():
        for value in values:
            if value in seen:
                msg = f"derivation {name!r}: {value!r} is in levels {seen[value]!r} and {code!r}"
                raise DataError(msg)
            seen[value] = code
    return pl.DataFrame(
        {"__value": list(seen), LEVEL: list(seen.values())},
        schema={"__value": pl.String(), LEVEL: pl.String()},
    )


def level_counts(
    hits: pl.DataFrame,
    periods: pl.DataFrame,
    column: str,
    codes: Sequence[str],
    name: str,
    *,
    child: str | None = None,
) -> pl.DataFrame:
    """Per period and level (``hits`` carry ``__level``): distinct ``child`` values, or rows when
    ``child`` is None. Every period and every level present, periods in order, levels in
    ``codes`` order; the level in ``column``."""
    agg = pl.col(child).n_unique() if child else pl.len()
    counted = hits.group_by(*PERIOD_COLS, LEVEL).agg(agg.cast(pl.Int64).alias(name))
    grid = (
        periods.select(PERIOD_COLS)
        .with_row_index("__p")
        .join(
            pl.DataFrame({LEVEL: list(codes)}, schema={LEVEL: pl.String()}).with_row_index("__l"),
            how="cross",
        )
    )
    return (
        grid.join(counted, on=[*PERIOD_COLS, LEVEL], how="left")
        .sort("__p", "__l")
        .with_columns(pl.col(name).fill_null(0))
        .select(*PERIOD_COLS, pl.col(LEVEL).alias(column), name)
    )


def level_shares(numerator: pl.DataFrame, denominator: pl.DataFrame, column: str) -> pl.DataFrame:
    """Per period and level: the level's ``numerator`` and the period's ``denominator``."""
    return numerator.join(
        denominator.select("period_label", "denominator"),
        on="period_label",
        how="left",
        maintain_order="left",
    ).select(*PERIOD_COLS, column, "numerator", pl.col("denominator").fill_null(0))
