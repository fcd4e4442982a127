"""A measure's result fields as polars expressions: the one builder behind frames and expressions.

:func:`measure_fields` maps every result column of a rate, proportion, count or mean (``numerator``,
``denominator``, ``value``, ``lower_<level>``/``upper_<level>`` per level, ``method``, ``reason``)
to an expression over parsed inputs. The frame functions of :mod:`.measures` select these fields
(after checking the inputs, raising for rows that break a rule); :mod:`cyp_indicators.expr` puts
the same fields in one struct, over inputs parsed and checked by :func:`checked_input`, where a
row breaking a rule gives a null value with a reason instead (summed over a group by
:func:`aggregates` and :func:`summed_input` first).

Reasons open with a GSS symbol: ``"z: denominator is zero"``, ``"c: numerator is 'c' (...)"``,
``"x: numerator is missing"``; a row breaking a rule (expressions only) ``"x: numerator is
negative"``, and a group holding such a row ``"x: numerator includes a negative value"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

import polars as pl
import polars.selectors as cs

from .intervals import (
    EXACT_BELOW,
    byar_exact_interval,
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
    "aggregates",
    "also_refuse",
    "check_multiplier",
    "check_rate_method",
    "checked_input",
    "measure_fields",
    "summed_input",
]

Kind = Literal["rate", "proportion", "count", "mean"]
RateMethod = Literal["byar_exact", "exact"]


class Input(NamedTuple):
    """One input of a measure, parsed: its number, its GSS symbol and the rules it breaks.

    Parameters
    ----------
    number
        Float64: null for a GSS symbol, an empty cell or a missing value.
    symbol
        The canonical GSS symbol text, or null.
    invalid
        The reason a row (or a group) breaks a rule, or null; ``None`` where the rules are checked
        outside the expression, by the frame functions.
    text
        The test "the input is a text column", resolved when polars plans the query (``None`` where
        the caller knows the dtype), so that numbers skip the symbol reasons.
    ok
        The same rules as ``invalid`` as a boolean (true: the row's number may be used).

    Examples
    --------
    >>> side = Input(pl.col("n").cast(pl.Float64), pl.lit(None, pl.String))
    >>> side.invalid is None and side.ok is None
    True
    """

    number: pl.Expr
    symbol: pl.Expr
    invalid: pl.Expr | None = None
    text: pl.Expr | None = None
    ok: pl.Expr | None = None


def check_multiplier(multiplier: float) -> None:
    """Refuse a ``multiplier`` that is not a finite number above zero.

    Parameters
    ----------
    multiplier
        A rate's or share's scale (10,000; 100).

    Raises
    ------
    TypeError
        Not a number (``True`` included).
    ValueError
        Zero, negative, NaN or an infinity.

    Examples
    --------
    >>> check_multiplier(10_000)  # fine: no error
    >>> try:
    ...     check_multiplier(0)
    ... except ValueError as err:
    ...     print(err)
    multiplier must be a finite number > 0, got 0
    """
    if isinstance(multiplier, bool) or not isinstance(multiplier, int | float):
        msg = f"multiplier must be a number (e.g. 10_000), got {multiplier!r}"
        raise TypeError(msg)
    if not (math.isfinite(multiplier) and multiplier > 0):
        msg = f"multiplier must be a finite number > 0, got {multiplier!r}"
        raise ValueError(msg)


def check_rate_method(method: str) -> None:
    """Refuse a rate interval method other than ``"byar_exact"`` or ``"exact"``.

    Parameters
    ----------
    method
        The method asked for.

    Raises
    ------
    ValueError
        Any other method, naming it.

    Examples
    --------
    >>> try:
    ...     check_rate_method("wilson")
    ... except ValueError as err:
    ...     print(err)
    method must be one of {'byar_exact', 'exact'}, got 'wilson'
    """
    if method not in ("byar_exact", "exact"):
        msg = f"method must be one of {{'byar_exact', 'exact'}}, got {method!r}"
        raise ValueError(msg)


# --- parsing and row rules (expressions) --------------------------------------------------------


def checked_input(
    column: str | pl.Expr,
    *,
    role: str,
    allow_negative: bool = False,
    whole: bool = False,
    grouped: bool = False,
) -> Input:
    """An input whose dtype is known only when the query runs, parsed and checked row by row.

    A text column is split as :func:`~cyp_indicators.stats.symbols.split_numbers_and_symbols`
    does; a numeric (or all-null) one is cast to Float64. The branch for the input's dtype is
    chosen when polars resolves the plan (``pl.dtype_of``), so the others never run: a numeric
    column is not parsed as text, and an integer one is not checked for fractions or infinities.

    Parameters
    ----------
    column
        A column name or an expression.
    role
        Named in the reasons (``"numerator"``).
    allow_negative
        Accept negative numbers (a total of progress scores).
    whole
        Refuse fractions (a count).
    grouped
        Phrase the reasons for a group holding the row (``"includes a negative value"``).

    Returns
    -------
    Input
        ``invalid`` is the reason (``"x: ..."``) a row breaks a rule: text that is neither a number
        nor a GSS symbol, a column of another dtype (dates, booleans), a value that is not finite, a
        negative value (unless ``allow_negative``) or a fraction (with ``whole``); ``ok`` is the same
        as a boolean (null for a symbol or a missing value).

    Examples
    --------
    >>> frame = pl.DataFrame({"n": ["12", "c", "-3", "abc"]})
    >>> side = checked_input("n", role="numerator", whole=True)
    >>> for row in frame.select(side.number.alias("n"), side.symbol.alias("s"),
    ...                         side.invalid.alias("invalid")).rows():
    ...     print(row)
    (12.0, None, None)
    (None, 'c', None)
    (-3.0, None, 'x: numerator is negative')
    (None, None, 'x: numerator text is neither a number nor a GSS symbol')
    """
    e = pl.col(column) if isinstance(column, str) else column
    dtype = pl.dtype_of(e)
    is_text = dtype.matches(cs.string())
    is_number = dtype.matches(cs.numeric() | cs.by_dtype(pl.Null))
    is_integer = dtype.matches(cs.integer() | cs.by_dtype(pl.Null))
    is_unsigned = dtype.matches(cs.unsigned_integer())
    # without the names split_numbers_and_symbols gives them: an alias inside an expression hides
    # it from polars' common-subexpression elimination
    text_number, text_symbol, unreadable = (
        part.meta.undo_aliases() for part in split_numbers_and_symbols(e.cast(pl.String), name=role)
    )

    # polars drops a when-branch on a dtype test only where the branch kept reads a column (a
    # literal could change the length), so "no value" is a column of nulls, never pl.lit(None):
    # a numeric column cast to nulls (free), or for other dtypes a test no row passes
    def nulls(dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
        return e.cast(pl.Null, strict=False).cast(dtype)

    def other(value: pl.Expr) -> pl.Expr:
        return pl.when(e.is_null() | e.is_not_null()).then(value)

    def by_dtype(text: pl.Expr, number: pl.Expr, neither: pl.Expr) -> pl.Expr:
        return (
            pl.when(is_text)
            .then(text)
            .otherwise(pl.when(is_number).then(number).otherwise(neither))
        )

    number = by_dtype(
        text_number, e.cast(pl.Float64, strict=False), other(pl.lit(None, pl.Float64))
    )
    symbol = by_dtype(text_symbol, nulls(pl.String), other(pl.lit(None, pl.String)))

    def reason(row: str, group: str) -> pl.Expr:
        return pl.lit(f"x: {role} {group if grouped else row}", pl.String)

    def rules(chain: Any) -> pl.Expr:
        """The finite/negative/whole rules after ``chain`` (a when-chain or None)."""
        chain = (chain.when if chain is not None else pl.when)(~number.is_finite()).then(
            reason("is not a finite number", "includes a value that is not a finite number")
        )
        if not allow_negative:
            chain = chain.when(number < 0).then(reason("is negative", "includes a negative value"))
        if whole:
            chain = chain.when(number != number.floor()).then(
                reason("is not a whole number", "includes a value that is not a whole number")
            )
        return chain.otherwise(pl.lit(None, pl.String))  # type: ignore[no-any-return]

    unreadable_reason = reason(
        "text is neither a number nor a GSS symbol",
        "includes text that is neither a number nor a GSS symbol",
    )
    text_rules = rules(pl.when(unreadable).then(unreadable_reason))
    if allow_negative:  # an integer is finite and whole: nothing to check
        integer_rules = nulls(pl.String)
    else:
        integer_rules = (
            pl.when(is_unsigned)
            .then(nulls(pl.String))
            .otherwise(
                pl.when(number < 0)
                .then(reason("is negative", "includes a negative value"))
                .otherwise(pl.lit(None, pl.String))
            )
        )
    number_rules = pl.when(is_integer).then(integer_rules).otherwise(rules(None))
    invalid = by_dtype(
        text_rules,
        number_rules,
        other(pl.lit(f"x: {role} holds neither numbers nor text", pl.String)),
    )

    # the same rules as one boolean, to mask the number (cheaper than testing the reason text)
    def holds(number: pl.Expr) -> pl.Expr:
        ok = number.is_finite()
        if not allow_negative:
            ok = ok & (number >= 0)
        if whole:
            ok = ok & (number == number.floor())
        return ok

    integer_ok = number.is_finite() if allow_negative else number >= 0
    ok = by_dtype(
        ~unreadable & holds(number),
        pl.when(is_integer).then(integer_ok).otherwise(holds(number)),
        other(pl.lit(False)),
    )
    return Input(number, symbol, invalid, is_text, ok)


def also_refuse(side: Input, reason: pl.Expr, broken: pl.Expr) -> Input:
    """``side`` refusing also the rows where ``broken`` holds, with ``reason``.

    Parameters
    ----------
    side
        A checked input (:func:`checked_input`).
    reason
        The reason given where ``broken`` holds (after the side's own reasons).
    broken
        A boolean expression (null: does not hold).

    Returns
    -------
    Input
        The same number and symbol, with ``invalid`` and ``ok`` extended.

    Examples
    --------
    >>> frame = pl.DataFrame({"n": [5, 7], "d": [3, 10]})
    >>> side = also_refuse(checked_input("n", role="numerator"),
    ...                    pl.lit("x: numerator exceeds the denominator"), pl.col("n") > pl.col("d"))
    >>> frame.select(side.invalid.alias("invalid"), side.ok.alias("ok")).rows()
    [('x: numerator exceeds the denominator', False), (None, True)]
    """
    broken = broken.fill_null(False)
    invalid = pl.coalesce(side.invalid, pl.when(broken).then(reason))
    ok = ~broken if side.ok is None else side.ok & ~broken
    return Input(side.number, side.symbol, invalid, side.text, ok)


def aggregates(side: Input, name: str) -> list[pl.Expr]:
    """The few aggregations of an input that :func:`summed_input` needs, named ``<name>_*``.

    Each is one cheap reduction over the rows of the context (a group in ``group_by().agg()``, a
    window in ``.over()``, the frame in ``select``): the sum, the count of missing values, the
    first GSS symbol and, for a checked input, the first reason a row breaks a rule.

    Parameters
    ----------
    side
        The input.
    name
        The prefix of the aggregations' names.

    Returns
    -------
    list[polars.Expr]
        ``<name>_sum``, ``<name>_missing``, ``<name>_symbol`` and (where ``side.invalid`` is set)
        ``<name>_invalid``.

    Examples
    --------
    >>> frame = pl.DataFrame({"la": ["a", "a", "b"], "n": ["3", "4", "c"]})
    >>> side = checked_input("n", role="numerator")
    >>> frame.group_by("la", maintain_order=True).agg(aggregates(side, "num")).rows()
    [('a', 7.0, 0, None, None), ('b', 0.0, 1, 'c', None)]
    """
    out = [
        side.number.sum().alias(f"{name}_sum"),
        side.number.null_count().alias(f"{name}_missing"),
        side.symbol.drop_nulls().first().alias(f"{name}_symbol"),
    ]
    if side.invalid is not None:
        out.append(side.invalid.drop_nulls().first().alias(f"{name}_invalid"))
    return out


def summed_input(name: str, *, checked: bool) -> Input:
    """The summed input from the columns :func:`aggregates` made.

    Parameters
    ----------
    name
        The prefix given to :func:`aggregates`.
    checked
        Whether the input was checked (it has ``<name>_invalid``).

    Returns
    -------
    Input
        The sum, null unless every row had a number (no symbol, no missing value, no row breaking
        a rule); the first symbol; the first reason.

    Examples
    --------
    >>> frame = pl.DataFrame({"la": ["a", "a", "b"], "n": ["3", "4", "c"]})
    >>> sums = frame.group_by("la", maintain_order=True).agg(
    ...     aggregates(checked_input("n", role="numerator"), "num"))
    >>> summed = summed_input("num", checked=True)
    >>> sums.select("la", summed.number.alias("n"), summed.symbol.alias("symbol")).rows()
    [('a', 7.0, None), ('b', None, 'c')]
    """
    invalid = pl.col(f"{name}_invalid") if checked else None
    usable = pl.col(f"{name}_missing") == 0
    if invalid is not None:
        usable = usable & invalid.is_null()
    number = pl.when(usable).then(pl.col(f"{name}_sum"))
    return Input(number, pl.col(f"{name}_symbol"), invalid)


# --- the fields ---------------------------------------------------------------------------------


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


#: The largest multiplier for which whole-number inputs (below 2**64, denominators at least 1)
#: cannot give a quotient beyond the largest float: the biggest bound on a rate's limit,
#: 2**65 + 10 sqrt(2**64 + 1) + 20 < 3.7e19, times this is below 3.7e306.
WHOLE_INPUT_MULTIPLIER = 1e287


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
    symbols: bool = True,
    den_ok: pl.Expr | None = None,
    whole_inputs: bool = False,
) -> dict[str, pl.Expr]:
    """The result fields, in order, as ``{name: expression}``.

    The names are those :func:`~cyp_indicators.result_columns` gives.

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
    symbols
        False when no input holds a GSS symbol (numbers only): the reasons skip the symbols' text.
    den_ok
        The denominator with zeros nulled, if the caller has it as a column already.
    whole_inputs
        True when the numerator and denominator are row by row values of integer columns
        (whole numbers below 2**64; a denominator not zero is at least 1): with a multiplier up
        to :data:`WHOLE_INPUT_MULTIPLIER` no quotient can then pass the largest float, and the
        per-row test for one is left out.

    Returns
    -------
    dict[str, polars.Expr]
        ``numerator``, ``denominator``, ``value``, ``lower_<level>`` and ``upper_<level>`` per
        level, ``method``, ``reason``, each aliased to its name. A value beyond the largest float (a
        denominator next to zero) is null with a reason, never an infinity.

    Raises
    ------
    ValueError
        A mean with levels but no ``sd``.

    Examples
    --------
    >>> frame = pl.DataFrame({"n": [416, 3], "d": [57621, 0]})
    >>> fields = measure_fields(
    ...     Input(pl.col("n").cast(pl.Float64), pl.lit(None, pl.String)),
    ...     Input(pl.col("d").cast(pl.Float64), pl.lit(None, pl.String)),
    ...     kind="rate", multiplier=10_000, levels=(0.95,))
    >>> list(fields)
    ['numerator', 'denominator', 'value', 'lower_95', 'upper_95', 'method', 'reason']
    >>> frame.select(fields["value"].round(2, mode="half_away_from_zero"), fields["method"],
    ...              fields["reason"]).rows()
    [(72.2, 'byars', None), (None, None, 'z: denominator is zero')]
    """
    n = num.number
    d = den.number if den is not None else pl.lit(None, pl.Float64)
    exceeds = kind == "proportion" and not flows and grouped
    fits: pl.Expr | None = None
    if kind != "count":
        d_ok = den_ok if den_ok is not None else pl.when(d != 0).then(d)
        if exceeds:  # only a row with a zero denominator can make a group's sums exceed
            d_ok = pl.when(n <= d).then(d_ok)
        if (kind in ("rate", "mean") or flows) and not (
            whole_inputs and not grouped and multiplier <= WHOLE_INPUT_MULTIPLIER
        ):
            # a quotient beyond the largest float (a denominator next to zero) is not a figure:
            # the row is null with a reason, never an infinity. For a rate the test bounds every
            # limit (an upper Poisson limit is below n + 10 sqrt(n + 1) + 20 at any level used)
            top = n.abs() + 10 * (n.abs() + 1).sqrt() + 20 if kind == "rate" else n.abs()
            fits = (top / d * multiplier).is_finite()
            d_ok = pl.when(fits).then(d_ok)
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
            # Wilson's limits are null where the total is zero or null, so the denominator as
            # given does (where a when-masked one would not be shared between the limits)
            lower, upper = wilson_interval(n, d if den_ok is None and not exceeds else d_ok, level)
            if flows:  # no interval where the numerator exceeds the denominator
                lower, upper = pl.when(n <= d_ok).then(lower), pl.when(n <= d_ok).then(upper)
        elif rate_method == "exact":
            lower, upper = exact_poisson_interval(n, level)
        else:
            lower, upper = byar_exact_interval(n, level)
        if kind == "proportion":
            fields[f"lower_{label}"] = lower * multiplier
            fields[f"upper_{label}"] = upper * multiplier
        else:  # divide first: multiplier / a tiny denominator would overflow to infinity
            fields[f"lower_{label}"] = lower / d_ok * multiplier
            fields[f"upper_{label}"] = upper / d_ok * multiplier

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
    for role, side in (("numerator", num), ("denominator", den)):
        if side is None:
            continue
        missing = f"x: {role} includes a missing value" if grouped else f"x: {role} is missing"
        cheap = pl.when(side.number.is_null()).then(pl.lit(missing))
        if not symbols:  # numbers only: no symbols to report, so the cheap form
            reasons.append(cheap)
        elif side.text is not None:  # chosen by dtype when polars plans the query
            full = _reason(role, side.number, side.symbol, grouped=grouped)
            reasons.append(pl.when(side.text).then(full).otherwise(cheap))
        else:
            reasons.append(_reason(role, side.number, side.symbol, grouped=grouped))
    if kind != "count":
        reasons.append(pl.when(d == 0).then(pl.lit("z: denominator is zero")))
    if fits is not None:
        too_large = (
            "x: the result is beyond the range of numbers "
            "(a denominator next to zero or a very large multiplier)"
        )
        reasons.append(pl.when(~fits).then(pl.lit(too_large)))
    fields["reason"] = pl.coalesce(*reasons)
    return {name: expr.alias(name) for name, expr in fields.items()}
