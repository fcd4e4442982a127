"""Reading a value column that may hold DfE symbols, shared by the comparison functions."""

from __future__ import annotations

import polars as pl

from ..errors import DataError
from ..model import IndicatorDefinition, Polarity
from ..stats.checks import raise_for_rows
from ..stats.symbols import split_numbers_and_symbols

__all__ = ["check_readable", "number", "parsed_value", "rank_direction", "resolve_polarity"]


def check_readable(frame: pl.DataFrame | pl.LazyFrame, column: str, dtype: pl.DataType) -> None:
    """Text that is neither a number nor a GSS symbol is an error naming the rows."""
    if dtype == pl.String:
        _, _, unreadable = split_numbers_and_symbols(column, name=column)
        raise_for_rows(
            frame,
            unreadable.fill_null(False),
            column=column,
            rule="text is neither a number nor a GSS symbol",
        )


def parsed_value(column: str, dtype: pl.DataType, *, alias: str) -> list[pl.Expr]:
    """``alias`` (Float64, null for symbols) and ``alias_symbol`` from a numeric or text column."""
    if dtype == pl.String:
        number, symbol, _ = split_numbers_and_symbols(column, name=column)
        return [number.alias(alias), symbol.alias(f"{alias}_symbol")]
    if dtype.is_numeric() or dtype == pl.Null:
        return [
            pl.col(column).cast(pl.Float64).alias(alias),
            pl.lit(None, pl.String).alias(f"{alias}_symbol"),
        ]
    msg = f"value column {column!r} must hold numbers (or text with GSS symbols), got {dtype}"
    raise DataError(msg)


def number(frame: pl.DataFrame | pl.LazyFrame, column: str, schema: pl.Schema) -> pl.Expr:
    """``column`` as Float64: numbers as they are, text parsed with GSS symbols as null.

    Text that is neither a number nor a symbol raises an error naming the rows.
    """
    check_readable(frame, column, schema[column])
    return parsed_value(column, schema[column], alias=column)[0]


def rank_direction(polarity: str) -> tuple[bool, str]:
    """``(descending, label)``: high is good ranks the highest first, low is good the lowest."""
    if polarity == "low_is_good":
        return False, "1 = best (low is good)"
    if polarity == "high_is_good":
        return True, "1 = best (high is good)"
    return True, "1 = highest (no polarity)"


def resolve_polarity(
    polarity: Polarity | str | None, definition: IndicatorDefinition | None
) -> str:
    """The polarity for this use: ``polarity`` if given, else the definition's, else none."""
    if polarity is not None:
        return Polarity(polarity).value if isinstance(polarity, str) else polarity.value
    if definition is not None:
        return definition.polarity.value
    return Polarity.NOT_APPLICABLE.value
