"""Input checks shared by the frame functions: columns present, values valid, keys unique.

Each check raises an error that names the column, the rule and the row positions (0-based, in the
order the caller's frame has, or would have once collected).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from ..errors import DuplicateKeyError, InvalidValueError, MissingColumnError

__all__ = ["Frame", "check_columns", "check_unique", "raise_for_rows"]

Frame = pl.DataFrame | pl.LazyFrame

_ROW = "__cyp_row"
_MAX_EXAMPLES = 10


def check_columns(
    schema: Mapping[str, pl.DataType],
    required: Sequence[tuple[str, str]],
    *,
    context: str = "",
) -> None:
    """Raise for the first ``(column, role)`` of ``required`` that is not in ``schema``.

    Parameters
    ----------
    schema
        The frame's schema (any mapping of column name to type).
    required
        ``(column, role)`` pairs, in the order to check; the role (``"numerator"``) is named in the
        error.
    context
        What is being computed, named in the error.

    Raises
    ------
    MissingColumnError
        Naming the column, its role, the context and the columns the frame has.

    Examples
    --------
    >>> import polars as pl
    >>> schema = pl.Schema({"n": pl.Int64, "d": pl.Int64})
    >>> check_columns(schema, [("n", "numerator"), ("d", "denominator")])  # all there: no error
    >>> try:
    ...     check_columns(schema, [("n", "numerator"), ("pop", "denominator")])
    ... except MissingColumnError as err:
    ...     print(err)
    denominator column 'pop' not found; the frame has columns: 'n', 'd'
    """
    for column, role in required:
        if column not in schema:
            raise MissingColumnError(column, role=role, available=list(schema), context=context)


def raise_for_rows(frame: Frame, condition: pl.Expr, *, column: str, rule: str) -> None:
    """Raise naming the rows of ``frame`` where ``condition`` holds (nothing when it holds nowhere).

    Parameters
    ----------
    frame
        The caller's frame (a LazyFrame is collected for the check).
    condition
        A boolean expression over the frame: true marks a row that breaks the rule (null does not).
    column
        The column named in the error (its values are shown, as text).
    rule
        The rule, in words.

    Raises
    ------
    InvalidValueError
        Naming the column, the rule, every breaking row's 0-based position and up to ten values.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"n": [1, -2, -3]})
    >>> try:
    ...     raise_for_rows(frame, pl.col("n") < 0, column="n", rule="must not be negative")
    ... except InvalidValueError as err:
    ...     print(err)
    column 'n': must not be negative; 2 row(s) at position 1, 2 (values: '-2', '-3')
    """
    bad = (
        frame.lazy()
        .with_row_index(_ROW)
        .filter(condition)
        .select(pl.col(_ROW), pl.col(column).cast(pl.String).alias("__value"))
        .collect()
    )
    if bad.height:
        raise InvalidValueError(
            column, rule, bad[_ROW].to_list(), bad["__value"].head(_MAX_EXAMPLES).to_list()
        )


def check_unique(frame: Frame, keys: Sequence[str], *, context: str = "") -> None:
    """Raise when more than one row shares a value of ``keys``.

    Parameters
    ----------
    frame
        The caller's frame (a LazyFrame is collected for the check).
    keys
        The columns that must identify one row each (null is a value like any other).
    context
        What is being computed, named in the error for a missing key column.

    Raises
    ------
    MissingColumnError
        A key column the frame does not have.
    DuplicateKeyError
        Naming every repeated key, sorted.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"la": ["874", "874", "873"], "year": [2024, 2024, 2024]})
    >>> try:
    ...     check_unique(frame, ["la", "year"])
    ... except DuplicateKeyError as err:
    ...     print(err.duplicates)
    (('874', 2024),)
    """
    schema = frame.collect_schema()
    check_columns(schema, [(k, "key") for k in keys], context=context)
    dups = (
        frame.lazy()
        .group_by(list(keys))
        .agg(pl.len().alias("__n"))
        .filter(pl.col("__n") > 1)
        .sort(list(keys), nulls_last=True)
        .collect()
    )
    if dups.height:
        raise DuplicateKeyError(list(keys), [tuple(r) for r in dups.select(list(keys)).rows()])
