"""Reading one pupil column under a rule: a result that is a number or a code, an outcome from a
fixed list, or a plain number; each gives polars expressions for the outcome and the reason the
pupil leaves the calculation (null when the column does not exclude the pupil)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from ._registry import RuleContext

__all__ = [
    "assessed",
    "codes",
    "disjoint",
    "first_reason",
    "graded",
    "is_text",
    "number",
    "outcome",
    "text",
]

_NO_REASON = pl.lit(None, pl.String)


def is_text(dtype: pl.DataType) -> bool:
    """Whether a column of ``dtype`` holds text (codes)."""
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def text(column: str) -> pl.Expr:
    """The column as trimmed upper-case text (codes are compared without regard to case)."""
    return pl.col(column).cast(pl.String).str.strip_chars().str.to_uppercase()


def codes(values: Iterable[object]) -> list[str]:
    """Codes as the rule compares them: trimmed upper-case text."""
    return [str(v).strip().upper() for v in values]


def _numbers(values: Iterable[object]) -> list[float]:
    """The values that are numbers (``2``, ``"2"``), as floats, for a numeric column."""
    out = []
    for v in values:
        try:
            out.append(float(str(v)))
        except ValueError:
            continue
    return out


def _said(prefix: str, value: pl.Expr, suffix: str) -> pl.Expr:
    return pl.concat_str([pl.lit(prefix), value, pl.lit(suffix)])


def first_reason(reasons: Sequence[pl.Expr]) -> pl.Expr:
    """The first reason that applies, in the order the rule reads its columns."""
    return pl.coalesce(*reasons) if len(reasons) > 1 else reasons[0]


def graded(
    column: str,
    dtype: pl.DataType,
    ctx: RuleContext,
    parameter: str,
    *,
    at_least: float,
    value_range: Sequence[float],
    not_met_codes: Sequence[object],
    left_codes: Sequence[object] = (),
    missing_leaves: bool,
    missing_words: str,
) -> tuple[pl.Expr, pl.Expr]:
    """A result that is a number (a scaled score, a grade) or a code (``A`` absent, ``U``
    ungraded): met when the number is ``at_least`` or more.

    A code in ``not_met_codes`` counts as not met; a code in ``left_codes`` takes the pupil out of
    the cohort; any other code, a number outside ``value_range`` or a non-finite number takes the
    pupil out with the reason. No result takes the pupil out (``missing_leaves``) or counts as not
    met.
    """
    if len(value_range) != 2:
        raise ctx.error(f"'{parameter}' range must be two numbers, got {list(value_range)}")
    low, high = (float(v) for v in value_range)
    if is_text(dtype):
        raw = text(column)
        number_ = raw.cast(pl.Float64, strict=False)
        missing = raw.is_null() | (raw == "")
        not_met = raw.is_in(codes(not_met_codes))
        left = raw.is_in(codes(left_codes))
        shown = raw
    elif dtype.is_numeric():
        number_ = pl.col(column).cast(pl.Float64)
        missing = number_.is_null()
        not_met = left = pl.lit(False)
        shown = pl.col(column).cast(pl.String)
    else:
        raise ctx.error(f"column {column!r} ({parameter}) must hold numbers or codes, got {dtype}")
    reason = (
        pl.when(missing)
        .then(
            pl.lit(f"missing_result: {column} has no result ({missing_words})")
            if missing_leaves
            else _NO_REASON
        )
        .when(left)
        .then(_said(f"not_in_cohort: {column} is '", shown, "' (DfE leaves this code out)"))
        .when(not_met)
        .then(_NO_REASON)
        .when(number_.is_null())
        .then(_said(f"unknown_code: {column} '", shown, "' is neither a result nor a listed code"))
        .when(~number_.is_finite())
        .then(_said(f"non_finite: {column} is '", shown, "'"))
        .when((number_ < low) | (number_ > high))
        .then(_said(f"out_of_range: {column} ", shown, f" is outside {low:g} to {high:g}"))
        .otherwise(_NO_REASON)
    )
    met = pl.when(missing | not_met).then(False).otherwise(number_ >= at_least)
    return met, reason


def outcome(
    column: str,
    dtype: pl.DataType,
    ctx: RuleContext,
    parameter: str,
    *,
    valid: Sequence[object],
    met: Sequence[object],
    invalid_words: str,
) -> tuple[pl.Expr, pl.Expr]:
    """An outcome from a fixed list (``1`` emerging, ``2`` expected, ...): met when in ``met``;
    an outcome not in ``valid``, or none, takes the pupil out with the reason."""
    if is_text(dtype):
        raw = text(column)
        valid_ = raw.is_in(codes(valid))
        met_ = raw.is_in(codes(met))
        missing = raw.is_null() | (raw == "")
        bad = pl.lit(False)
    elif dtype.is_numeric():
        raw = pl.col(column).cast(pl.Float64)
        valid_ = raw.is_in(_numbers(valid))
        met_ = raw.is_in(_numbers(met))
        missing = raw.is_null()
        bad = ~raw.is_finite()
    else:
        raise ctx.error(f"column {column!r} ({parameter}) must hold outcome codes, got {dtype}")
    shown = pl.col(column).cast(pl.String)
    reason = (
        pl.when(missing)
        .then(pl.lit(f"missing_result: {column} has no result ({invalid_words})"))
        .when(bad)
        .then(_said(f"non_finite: {column} is '", shown, "'"))
        .when(~valid_)
        .then(
            _said(
                f"not_in_cohort: {column} is '", shown, f"', not a valid outcome ({invalid_words})"
            )
        )
        .otherwise(_NO_REASON)
    )
    return met_, reason


def number(
    column: str, dtype: pl.DataType, ctx: RuleContext, parameter: str
) -> tuple[pl.Expr, pl.Expr]:
    """A numeric column as Float64, and the reason a non-finite value takes the pupil out."""
    if not dtype.is_numeric():
        raise ctx.error(f"column {column!r} ({parameter}) must be numeric, got {dtype}")
    x = pl.col(column).cast(pl.Float64)
    reason = (
        pl.when(x.is_not_null() & ~x.is_finite())
        .then(_said(f"non_finite: {column} is '", pl.col(column).cast(pl.String), "'"))
        .otherwise(_NO_REASON)
    )
    return x, reason


def assessed(
    column: str,
    dtype: pl.DataType,
    ctx: RuleContext,
    parameter: str,
    *,
    met: Sequence[object],
    not_met: Sequence[object],
    left: Sequence[object],
    missing_words: str,
) -> tuple[pl.Expr, pl.Expr]:
    """A teacher assessment code (``EXS``, ``WTS``, ``A``...): met when in ``met``, counted as not
    met when in ``not_met``; a code in ``left``, no code, or a code in no list takes the pupil out
    with the reason."""
    if not is_text(dtype):
        raise ctx.error(
            f"column {column!r} ({parameter}) must hold assessment codes as text, got {dtype}"
        )
    raw = text(column)
    reason = (
        pl.when(raw.is_null() | (raw == ""))
        .then(pl.lit(f"missing_result: {column} has no result ({missing_words})"))
        .when(raw.is_in(codes(left)))
        .then(_said(f"not_in_cohort: {column} is '", raw, "' (DfE leaves this code out)"))
        .when(raw.is_in(codes([*met, *not_met])))
        .then(_NO_REASON)
        .otherwise(_said(f"unknown_code: {column} '", raw, "' is in no list of the rule"))
    )
    return raw.is_in(codes(met)), reason


def disjoint(ctx: RuleContext, **lists: Sequence[object]) -> None:
    """Refuse a code listed under two parameters (which would make its meaning ambiguous)."""
    seen: dict[str, str] = {}
    for name, values in lists.items():
        for code in codes(values):
            if code in seen:
                raise ctx.error(f"code {code!r} is in both {seen[code]!r} and {name!r}")
            seen[code] = name
