"""Is a value different from its comparator? Fingertips' overlapping-CI rules, and RAG on a target.

Comparison with one confidence level: "similar" when the comparator lies inside the value's 95 %
interval (bounds included), otherwise "higher" or "lower". With two levels: beyond the 99.8 %
interval is "highest"/"lowest"-grade ("best"/"worst" once polarity is applied), between the 95 %
and 99.8 % limits "better"/"worse". Polarity turns higher/lower into better/worse; with no
polarity the words stay "higher"/"lower" (Fingertips' blue-orange-blue). Comparisons are made on
unrounded values.
"""

from __future__ import annotations

import math
from typing import Literal

import polars as pl

from ..model import Polarity

__all__ = ["compare_with", "rag"]


def _e(x: pl.Expr | str) -> pl.Expr:
    return pl.col(x) if isinstance(x, str) else x


def _missing(*exprs: pl.Expr) -> pl.Expr:
    """Whether any input is null or not a finite number (NaN sorts above every number in
    polars, so it would read as "higher" without this)."""
    out = pl.lit(False)
    for e in exprs:
        number = e.cast(pl.Float64)
        out = out | number.is_null() | ~number.is_finite()
    return out


def compare_with(
    comparator: pl.Expr | str,
    *,
    value: pl.Expr | str = "value",
    lower: pl.Expr | str = "lower_95",
    upper: pl.Expr | str = "upper_95",
    outer_lower: pl.Expr | str | None = None,
    outer_upper: pl.Expr | str | None = None,
    polarity: Polarity | str = Polarity.NOT_APPLICABLE,
) -> pl.Expr:
    """Compare a value with its comparator by overlapping intervals (Fingertips' rules).

    "similar" when the comparator lies inside the value's interval (bounds included), otherwise
    "better"/"worse" ("higher"/"lower" with no polarity). With the outer limits (99.8 %), a
    comparator beyond them gives "best"/"worst" ("highest"/"lowest"). Null (not compared) where the
    value, an interval limit or the comparator is missing or not a finite number (an expression
    cannot raise: NaN and infinities compare as nothing). Compare unrounded values.

    Parameters
    ----------
    comparator
        Expression or column name: England's value, the neighbours' average, ...
    value, lower, upper
        The value and its (95 %) interval.
    outer_lower, outer_upper
        The outer (99.8 %) limits, for the two-level comparison.
    polarity
        Whether high is good (:class:`~cyp_indicators.Polarity`, or its value).

    Returns
    -------
    polars.Expr
        String: the word, or null.

    Raises
    ------
    ValueError
        A polarity that is not one.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"value": [19.0, 25.0], "lower_95": [18.0, 24.0], "upper_95": [21.0, 26.0],
    ...                   "lower_99_8": [17.0, 23.0], "upper_99_8": [22.0, 27.0], "eng": [20.0, 22.5]})
    >>> f.select(compare_with("eng", polarity="high_is_good").alias("one_level"),
    ...          compare_with("eng", outer_lower="lower_99_8", outer_upper="upper_99_8",
    ...                       polarity="low_is_good").alias("two_levels")).rows()
    [('similar', 'similar'), ('better', 'worst')]
    """
    pol = Polarity(polarity) if isinstance(polarity, str) else polarity
    up, down = {
        Polarity.HIGH_IS_GOOD: ("better", "worse"),
        Polarity.LOW_IS_GOOD: ("worse", "better"),
        Polarity.NOT_APPLICABLE: ("higher", "lower"),
    }[pol]
    far_up, far_down = {
        Polarity.HIGH_IS_GOOD: ("best", "worst"),
        Polarity.LOW_IS_GOOD: ("worst", "best"),
        Polarity.NOT_APPLICABLE: ("highest", "lowest"),
    }[pol]
    c, v, lo, hi = _e(comparator), _e(value), _e(lower), _e(upper)
    missing = _missing(c, v, lo, hi)
    expr = pl.when(missing).then(None).when((lo <= c) & (c <= hi)).then(pl.lit("similar"))
    if outer_lower is not None and outer_upper is not None:
        olo, ohi = _e(outer_lower), _e(outer_upper)
        expr = expr.when(_missing(olo, ohi)).then(None)
        expr = expr.when(c < olo).then(pl.lit(far_up)).when(c > ohi).then(pl.lit(far_down))
    return expr.when(c < lo).then(pl.lit(up)).otherwise(pl.lit(down))


def rag(
    value: pl.Expr | str,
    target: pl.Expr | str | float,
    *,
    polarity: Polarity | str,
    amber_within: float,
    amber_mode: Literal["absolute", "relative"] = "absolute",
) -> pl.Expr:
    """RAG on a target: "G" met, "A" short by no more than ``amber_within``, else "R".

    Polarity says which side of the target meets it (a value equal to the target meets it).

    Parameters
    ----------
    value
        Expression or column name.
    target
        A number, or an expression or column name (a target per row).
    polarity
        ``high_is_good`` or ``low_is_good``; a target needs a polarity.
    amber_within
        How far short is amber: in the value's unit, or a fraction of the target with
        ``amber_mode="relative"``.
    amber_mode
        ``"absolute"`` or ``"relative"``.

    Returns
    -------
    polars.Expr
        String: "G", "A", "R", or null where the value or target is missing or not a finite
        number.

    Raises
    ------
    ValueError
        No polarity (``not_applicable``), an ``amber_within`` that is negative or not finite, or a
        ``target`` given as a number that is not finite.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"value": [90.0, 86.0, 70.0, None]})
    >>> f.select(rag("value", 88.0, polarity="high_is_good", amber_within=3)).to_series().to_list()
    ['G', 'A', 'R', None]
    """
    pol = Polarity(polarity) if isinstance(polarity, str) else polarity
    if pol is Polarity.NOT_APPLICABLE:
        msg = "a RAG rating needs a polarity (high_is_good or low_is_good)"
        raise ValueError(msg)
    if not (math.isfinite(amber_within) and amber_within >= 0):
        msg = f"amber_within must be a finite number >= 0, got {amber_within}"
        raise ValueError(msg)
    if isinstance(target, int | float) and not math.isfinite(target):
        msg = f"target must be a finite number, got {target}"
        raise ValueError(msg)
    v = _e(value)
    t = pl.lit(target) if isinstance(target, int | float) else _e(target)
    shortfall = (t - v) if pol is Polarity.HIGH_IS_GOOD else (v - t)
    tolerance = pl.lit(amber_within) if amber_mode == "absolute" else t.abs() * amber_within
    return (
        pl.when(_missing(v, t))
        .then(None)
        .when(shortfall <= 0)
        .then(pl.lit("G"))
        .when(shortfall <= tolerance)
        .then(pl.lit("A"))
        .otherwise(pl.lit("R"))
    )
