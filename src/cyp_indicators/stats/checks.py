"""Input checks shared by the frame functions: columns present, values valid, keys unique.

Each check raises an error that names the column, the rule and the row positions (0-based, in the
order the caller's frame has, or would have once collected).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..errors import DuplicateKeyError, InvalidValueError, MissingColumnError

__all__ = ["Frame", "check_columns", "check_unique", "raise_for_rows"]

Frame = pl.DataFrame | pl.LazyFrame

_ROW = "__cyp_row"
_MAX_EXAMPLES = 10


def check_columns(
    schema: pl.Schema, required: Sequence[tuple[str, str]], *, context: str = ""
) -> None:
    """Raise :class:`MissingColumnError` for the first ``(column, role)`` not in ``schema``."""
    for column, role in required:
        if column not in schema:
            raise MissingColumnError(column, role=role, available=list(schema), context=context)


def raise_for_rows(frame: Frame, condition: pl.Expr, *, column: str, rule: str) -> None:
    """Raise :class:`InvalidValueError` naming the rows where ``condition`` holds."""
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
    """Raise :class:`DuplicateKeyError` when more than one row shares a value of ``keys``."""
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
