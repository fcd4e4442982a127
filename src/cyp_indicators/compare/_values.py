"""Reading a value column that may hold DfE symbols, shared by the comparison functions.

The rule for values, one for every comparison function (and the statistics core's for counts): a
value is a finite number, a GSS symbol (a typed reason, never a number) or missing. Text that is
neither a number nor a symbol, and a number that is not finite (NaN, an infinity, or text such as
``1e400`` too large for a float), are refused with :class:`~cyp_indicators.InvalidValueError`
naming the column, the rule and the row positions; so is a negative value of a definition whose
values cannot be negative (:func:`cannot_be_negative`: rates, proportions, counts).
"""

from __future__ import annotations

import polars as pl

from ..errors import DataError, InvalidValueError
from ..model import Family, IndicatorDefinition, Polarity
from ..stats.symbols import split_numbers_and_symbols

__all__ = [
    "cannot_be_negative",
    "check_readable",
    "number",
    "parsed_value",
    "rank_direction",
    "resolve_polarity",
]

_ROW = "__cyp_row"
_MAX_EXAMPLES = 10
#: The families whose values are counts or shares of counts: never below zero.
_NOT_NEGATIVE = {
    Family.RATE: "a rate",
    Family.PROPORTION: "a proportion",
    Family.CONVERSION: "a conversion rate",
    Family.COUNT: "a count",
    Family.EXPECTED_PROGRESS: "a proportion",
}


def cannot_be_negative(definition: IndicatorDefinition | None) -> str | None:
    """What the definition's values are ("a rate") when they cannot be negative, else None.

    Rates, proportions (conversions and expected progress too) and counts cannot be; a mean, a
    points score or a duration may be (an average Progress 8 score is often below zero).
    """
    return None if definition is None else _NOT_NEGATIVE.get(definition.family)


def check_readable(
    frame: pl.DataFrame | pl.LazyFrame,
    column: str,
    dtype: pl.DataType,
    *,
    not_negative: str | None = None,
) -> None:
    """Refuse what is not a value, naming the column, the rule and the rows (one query).

    Text that is neither a number nor a GSS symbol, a number that is not finite (NaN, an
    infinity, text too large for a float such as ``1e400``) and, where ``not_negative`` names
    what the values are ("a rate"), a negative number raise :class:`InvalidValueError`.
    """
    if dtype == pl.Null or dtype == pl.Boolean:
        return
    rules: list[tuple[pl.Expr, str]] = []
    if dtype == pl.String:
        value, _, unreadable = split_numbers_and_symbols(column, name=column)
        rules.append((unreadable, "text is neither a number nor a GSS symbol"))
    elif dtype.is_numeric():
        value = pl.col(column).cast(pl.Float64)
    else:
        return  # parsed_value names the dtype
    if not dtype.is_integer():
        finite = "must be a finite number"
        rules.append((value.is_nan() | value.is_infinite(), finite))
    if not_negative is not None and not dtype.is_unsigned_integer():
        rules.append((value < 0, f"must not be negative ({not_negative})"))
    if not rules:
        return
    first_broken = pl.coalesce(pl.when(broken).then(pl.lit(text)) for broken, text in rules)
    bad = (
        frame.lazy()
        .with_row_index(_ROW)
        .select(
            pl.col(_ROW),
            first_broken.alias("__rule"),
            pl.col(column).cast(pl.String).alias("__value"),
        )
        .filter(pl.col("__rule").is_not_null())
        .collect()
    )
    if bad.height:
        first = bad["__rule"][0]
        rows = bad.filter(pl.col("__rule") == first)
        raise InvalidValueError(
            column, first, rows[_ROW].to_list(), rows["__value"].head(_MAX_EXAMPLES).to_list()
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


def number(
    frame: pl.DataFrame | pl.LazyFrame,
    column: str,
    schema: pl.Schema,
    *,
    not_negative: str | None = None,
) -> pl.Expr:
    """``column`` as Float64: numbers as they are, text parsed with GSS symbols as null.

    What :func:`check_readable` refuses raises an error naming the rows.
    """
    check_readable(frame, column, schema[column], not_negative=not_negative)
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
