"""A measure's result fields as polars expressions: the one builder behind frames and expressions.

:func:`measure_fields` maps every result column of a rate, proportion, count or mean (``numerator``,
``denominator``, ``value``, ``lower_<level>``/``upper_<level>`` per level, ``method``, ``reason``)
to an expression over parsed inputs. The frame functions of :mod:`.measures` select these fields
(after checking the inputs, raising for rows that break a rule); :mod:`cyp_indicators.expr` puts
the same fields in one struct, over inputs parsed and checked by :func:`parse_input` and
:func:`row_rules`, where a row breaking a rule gives a null value with a reason instead.

Reasons open with a GSS symbol: ``"z: denominator is zero"``, ``"c: numerator is 'c' (...)"``,
``"x: numerator is missing"``; a row breaking a rule (expressions only) ``"x: numerator is
negative"``, and a group holding such a row ``"x: numerator includes a negative value"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import polars as pl
import polars.selectors as cs

from .intervals import (
    EXACT_BELOW,
    _byar_exact,
    confidence_label,
    exact_poisson_interval,
    wilson_interval,
    z_value,
)
from .symbols import Symbol, split_numbers_and_symbols

__all__ = [
    "Input",
    "Kind",
    "RateMethod",
    "aggregate_input",
    "check_multiplier",
    "check_rate_method",
    "measure_fields",
    "parse_input",
    "row_rules",
    "usable_row",
]

Kind = Literal["rate", "proportion", "count", "mean"]
RateMethod = Literal["byar_exact", "exact"]


class Input(NamedTuple):
    """One input of a measure, parsed.

    ``number`` is Float64 (null for a GSS symbol, an empty cell or a missing value); ``symbol`` the
    canonical GSS symbol text or null; ``invalid`` the reason a row (or a group) breaks a rule, or
    null (``None`` where the rules are checked outside the expression, by the frame functions).
    """

    number: pl.Expr
    symbol: pl.Expr
    invalid: pl.Expr | None = None


def check_multiplier(multiplier: float) -> None:
    """Raise ``ValueError`` unless ``multiplier`` is a finite number above zero."""
    if isinstance(multiplier, bool) or not isinstance(multiplier, int | float):
        msg = f"multiplier must be a number (e.g. 10_000), got {multiplier!r}"
        raise TypeError(msg)
    if not (math.isfinite(multiplier) and multiplier > 0):
        msg = f"multiplier must be a finite number > 0, got {multiplier!r}"
        raise ValueError(msg)


def check_rate_method(method: str) -> None:
    """Raise ``ValueError`` for a rate interval method other than "byar_exact" or "exact"."""
    if method not in ("byar_exact", "exact"):
        msg = f"method must be one of {{'byar_exact', 'exact'}}, got {method!r}"
        raise ValueError(msg)


# --- parsing and row rules (expressions) --------------------------------------------------------


def parse_input(
    column: str | pl.Expr, *, role: str, grouped: bool = False
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """``(number, symbol, unreadable)`` of an input whose dtype is known only when the query runs.

    A text column is split as :func:`~cyp_indicators.stats.symbols.split_numbers_and_symbols`
    does; a numeric (or all-null) one is cast to Float64. ``unreadable`` is the reason
    (``"x: ..."``) for a cell that is neither a number nor a GSS symbol, or for a column that holds
    neither numbers nor text (dates, booleans), else null; ``grouped`` phrases it for a group
    holding such a cell. The branch for the input's dtype is chosen when polars resolves the plan
    (``pl.dtype_of``): the others never run.
    """
    e = pl.col(column) if isinstance(column, str) else column
    dtype = pl.dtype_of(e)
    is_text = dtype.matches(cs.string())
    is_number = dtype.matches(cs.numeric() | cs.by_dtype(pl.Null))
    text_number, text_symbol, unreadable = split_numbers_and_symbols(e.cast(pl.String), name=role)
    number = (
        pl.when(is_text)
        .then(text_number)
        .when(is_number)
        .then(e.cast(pl.Float64, strict=False))
        .otherwise(pl.lit(None, pl.Float64))
    )
    symbol = pl.when(is_text).then(text_symbol).otherwise(pl.lit(None, pl.String))
    text = "includes text that is" if grouped else "text is"
    bad = (
        pl.when(is_text)
        .then(
            pl.when(unreadable).then(
                pl.lit(f"x: {role} {text} neither a number nor a GSS symbol", pl.String)
            )
        )
        .when(is_number)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit(f"x: {role} holds neither numbers nor text", pl.String))
    )
    return number, symbol, bad


def row_rules(
    number: pl.Expr,
    unreadable: pl.Expr | None,
    *,
    role: str,
    allow_negative: bool = False,
    whole: bool = False,
    grouped: bool = False,
) -> pl.Expr:
    """The reason (``"x: ..."``) a row breaks one of its input's rules, or null.

    ``unreadable`` (from :func:`parse_input`) comes first; then every number must be finite and not
    negative (unless ``allow_negative``), and with ``whole=True`` a whole number. ``grouped`` phrases
    the reason for a group holding the row.
    """

    def text(row: str, group: str) -> pl.Expr:
        return pl.lit(f"x: {role} {group if grouped else row}", pl.String)

    finite = text("is not a finite number", "includes a value that is not a finite number")
    chain = (
        pl.when(unreadable.is_not_null()).then(unreadable).when(~number.is_finite()).then(finite)
        if unreadable is not None
        else pl.when(~number.is_finite()).then(finite)
    )
    if not allow_negative:
        chain = chain.when(number < 0).then(text("is negative", "includes a negative value"))
    if whole:
        chain = chain.when(number != number.floor()).then(
            text("is not a whole number", "includes a value that is not a whole number")
        )
    return chain.otherwise(pl.lit(None, pl.String))


def aggregate_input(side: Input) -> Input:
    """The sum of an input over the rows of the context (group, window or frame).

    A group holding a GSS symbol, a missing value or a row breaking a rule gives a null number; its
    ``symbol`` and ``invalid`` are the first of the group's.
    """
    usable = (
        side.number if side.invalid is None else pl.when(side.invalid.is_null()).then(side.number)
    )
    number = pl.when(usable.null_count() == 0).then(usable.sum())
    symbol = side.symbol.drop_nulls().first()
    invalid = None if side.invalid is None else side.invalid.drop_nulls().first()
    return Input(number, symbol, invalid)


def usable_row(side: Input) -> Input:
    """A row's input with the number nulled where the row breaks a rule."""
    if side.invalid is None:
        return side
    return Input(pl.when(side.invalid.is_null()).then(side.number), side.symbol, side.invalid)


# --- the fields ------------------------------------------------------------------------------------


def _reason(role: str, value: pl.Expr, symbol: pl.Expr, *, grouped: bool) -> pl.Expr:
    verb = "includes" if grouped else "is"
    meaning = symbol.replace_strict(
        [s.value for s in Symbol], [s.meaning for s in Symbol], default=None, return_dtype=pl.String
    )
    missing = f"x: {role} includes a missing value" if grouped else f"x: {role} is missing"
    return (
        pl.when(symbol.is_not_null())
        .then(
            pl.concat_str(
                symbol, pl.lit(f": {role} {verb} '"), symbol, pl.lit("' ("), meaning, pl.lit(")")
            )
        )
        .when(value.is_null())
        .then(pl.lit(missing))
    )


def measure_fields(
    num: Input,
    den: Input | None,
    *,
    kind: Kind,
    multiplier: float,
    levels: Sequence[float],
    rate_method: RateMethod = "byar_exact",
    flows: bool = False,
    sd: pl.Expr | None = None,
    grouped: bool = False,
    scalar: bool = False,
    symbols: bool = True,
    den_ok: pl.Expr | None = None,
) -> dict[str, pl.Expr]:
    """The result fields, in order, as ``{name: expression}`` (names as :func:`result_columns`).

    Parameters
    ----------
    num, den
        The numerator and denominator (``den`` is None for a count), row by row or aggregated.
    kind
        "rate" (Byar's/exact Poisson limits), "proportion" (Wilson), "count" or "mean" (normal
        limits from ``sd``).
    multiplier, levels, rate_method, flows
        As for :func:`~cyp_indicators.rate` and :func:`~cyp_indicators.proportion`; ``levels``
        already normalised (empty for a mean without ``sd``).
    sd
        A mean's standard deviation (Float64): the limits are ``mean -/+ z sd / sqrt(pupils)``.
    grouped
        The inputs are sums over groups: reasons say "includes", and a proportion's summed
        numerator above its summed denominator (possible only through rows with a zero
        denominator) gives a null value with a reason.
    scalar
        The inputs are one value per context (an aggregation inside ``group_by().agg()``,
        ``.over()`` or ``select``), not columns.
    symbols
        False when no input can hold a GSS symbol (numbers only, not grouped): cheaper reasons.
    den_ok
        The denominator with zeros nulled, if the caller has it as a column already.
    """
    n = num.number
    d = den.number if den is not None else pl.lit(None, pl.Float64)
    exceeds = kind == "proportion" and not flows and grouped
    if kind != "count":
        d_ok = den_ok if den_ok is not None else pl.when(d != 0).then(d)
        if exceeds:  # only a row with a zero denominator can make a group's sums exceed
            d_ok = pl.when(n <= d).then(d_ok)
    ok = n.is_not_null() & (d_ok.is_not_null() if kind != "count" else pl.lit(True))

    fields: dict[str, pl.Expr] = {
        "numerator": n,
        "denominator": d,
        "value": n if kind == "count" else n / d_ok * multiplier,
    }
    for level in levels:
        label = confidence_label(level)
        if kind == "mean":
            if sd is None:  # guarded by the callers: a mean's levels are empty without sd
                msg = "a mean's interval needs the standard deviation"
                raise ValueError(msg)
            half = z_value(level) * sd / d_ok.sqrt()
            fields[f"lower_{label}"] = n / d_ok - half
            fields[f"upper_{label}"] = n / d_ok + half
            continue
        if kind == "proportion":
            lower, upper = wilson_interval(n, d_ok, level)
            if flows:  # no interval where the numerator exceeds the denominator
                lower, upper = pl.when(n <= d_ok).then(lower), pl.when(n <= d_ok).then(upper)
        elif rate_method == "exact":
            lower, upper = exact_poisson_interval(n, level)
        else:
            lower, upper = _byar_exact(n.cast(pl.Float64), level, scalar=scalar)
        scale = multiplier if kind == "proportion" else pl.lit(multiplier) / d_ok
        fields[f"lower_{label}"] = lower * scale
        fields[f"upper_{label}"] = upper * scale

    method: pl.Expr
    if not levels:
        method = pl.lit(None, pl.String)
    elif kind == "mean" and sd is not None:  # no SD for the row: no interval, no method
        method = pl.when(sd.is_not_null()).then(pl.lit("normal"))
    elif kind == "proportion":
        method = pl.when(n <= d_ok).then(pl.lit("wilson")) if flows else pl.lit("wilson")
    elif rate_method == "exact":
        method = pl.lit("exact")
    else:
        method = pl.when(n < EXACT_BELOW).then(pl.lit("exact")).otherwise(pl.lit("byars"))
    fields["method"] = pl.when(ok).then(method).cast(pl.String)

    reasons: list[pl.Expr] = [
        side.invalid for side in (num, den) if side is not None and side.invalid is not None
    ]
    if exceeds:
        reasons.append(
            pl.when((n > d) & (d != 0)).then(pl.lit("x: numerator exceeds the denominator"))
        )
    if symbols or grouped:
        reasons.append(_reason("numerator", n, num.symbol, grouped=grouped))
        if den is not None:
            reasons.append(_reason("denominator", d, den.symbol, grouped=grouped))
    else:  # numbers only: no symbols to report, so the cheap form
        reasons.append(pl.when(n.is_null()).then(pl.lit("x: numerator is missing")))
        if den is not None:
            reasons.append(pl.when(d.is_null()).then(pl.lit("x: denominator is missing")))
    if kind != "count":
        reasons.append(pl.when(d == 0).then(pl.lit("z: denominator is zero")))
    fields["reason"] = pl.coalesce(*reasons)
    return {name: expr.alias(name) for name, expr in fields.items()}
