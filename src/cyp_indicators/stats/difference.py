"""A difference between two published figures: a gap between two groups (percentage points).

DfE and LAIT publish attainment gaps as measures of their own (the free school meals gap in level 2
and level 3 by 19, former NI 81 and NI 82): the share of one group minus the share of the other,
in percentage points. :func:`difference` computes it from the two shares with the result columns
of :func:`~cyp_indicators.rate` (no interval: the shares' counts are not part of it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from ..errors import DataError
from .checks import check_columns, check_unique, raise_for_rows
from .symbols import split_numbers_and_symbols

__all__ = ["difference"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def _side(column: str, dtype: pl.DataType, alias: str) -> tuple[pl.Expr, pl.Expr, pl.Expr | None]:
    if dtype == pl.String:
        number, symbol, unreadable = split_numbers_and_symbols(column, name=column)
        return number.alias(alias), symbol.alias(f"{alias}_sym"), unreadable
    if dtype.is_numeric() or dtype == pl.Null:
        return (
            pl.col(column).cast(pl.Float64).alias(alias),
            pl.lit(None, pl.String).alias(f"{alias}_sym"),
            None,
        )
    msg = f"column {column!r} must hold numbers (or text with GSS symbols), got {dtype}"
    raise DataError(msg)


def difference(
    frame: F,
    first: str,
    second: str,
    *,
    keys: Sequence[str] | None = None,
    context: str = "",
) -> F:
    """``first - second`` for each row, as a result: a gap between two groups' published figures.

    The result has the columns of :func:`~cyp_indicators.rate` without intervals: ``numerator``
    (the first figure), ``denominator`` (the second), ``value``, ``method`` (null) and ``reason``
    (null unless ``value`` is null, when it says which side is missing or withheld, opening with
    the symbol). Both figures may be negative (progress scores); for two percentages the gap is
    in percentage points.

    Parameters
    ----------
    frame
        A DataFrame or LazyFrame with the two figures, one row each.
    first, second
        The columns: numbers, or text holding numbers and GSS symbols.
    keys
        Columns that must identify one row each.
    context
        Named in error messages.

    Returns
    -------
    F
        The same kind of frame, the caller's columns kept and the result columns appended.

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    DuplicateKeyError
        ``keys`` that repeat.
    InvalidValueError
        Text that is neither a number nor a GSS symbol, or a number that is not finite, naming
        the rows.
    DataError
        A column that holds neither numbers nor text, or a frame that already has a result column.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"non_fsm": [84.4, 80.0], "fsm": ["61.19", "c"]})
    >>> difference(f, "non_fsm", "fsm").select("value", "reason").rows()
    [(23.210000000000008, None), (None, "c: the second figure is 'c'")]
    """
    schema = frame.collect_schema()
    check_columns(schema, [(first, "first figure"), (second, "second figure")], context=context)
    if keys:
        check_unique(frame, keys, context=context)
    a, a_sym, a_bad = _side(first, schema[first], "__a")
    b, b_sym, b_bad = _side(second, schema[second], "__b")
    for column, bad in ((first, a_bad), (second, b_bad)):
        if bad is not None:
            raise_for_rows(frame, bad.fill_null(False), column=column,
                           rule="text is neither a number nor a GSS symbol")  # fmt: skip
    for column, expr in ((first, a), (second, b)):
        raise_for_rows(
            frame, (expr.is_not_null() & ~expr.is_finite()).fill_null(False), column=column,
            rule="must be a finite number",
        )  # fmt: skip
    clashes = [c for c in ("numerator", "denominator", "value", "method", "reason") if c in schema]
    if clashes:
        msg = f"the frame already has result column(s) {', '.join(map(repr, clashes))}"
        raise DataError(msg)
    reason = pl.coalesce(
        pl.when(pl.col("__a_sym").is_not_null()).then(
            pl.format("{}: the first figure is '{}'", pl.col("__a_sym"), pl.col("__a_sym"))
        ),
        pl.when(pl.col("__b_sym").is_not_null()).then(
            pl.format("{}: the second figure is '{}'", pl.col("__b_sym"), pl.col("__b_sym"))
        ),
        pl.when(pl.col("__a").is_null()).then(pl.lit("x: the first figure is missing")),
        pl.when(pl.col("__b").is_null()).then(pl.lit("x: the second figure is missing")),
    )
    out = (
        frame.lazy()
        .with_columns(a, a_sym, b, b_sym)
        .with_columns(
            pl.col("__a").alias("numerator"),
            pl.col("__b").alias("denominator"),
            (pl.col("__a") - pl.col("__b")).alias("value"),
            pl.lit(None, pl.String).alias("method"),
            reason.alias("reason"),
        )
        .drop("__a", "__a_sym", "__b", "__b_sym")
    )
    return out.collect() if isinstance(frame, pl.DataFrame) else out
