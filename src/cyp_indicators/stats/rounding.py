"""Presentation rounding: half away from zero, as DfE publishes.

Python's ``round`` and polars' default ``Expr.round`` round half to even (``round(2.5) == 2``);
DfE rounds half away from zero (2.5 -> 3, -2.5 -> -3). A value is scaled by ``10**decimals`` and
nudged by DfE's tolerance of sqrt(machine epsilon) before truncation, so a figure such as 1.005,
stored in binary as 1.00499999..., presents as 1.01 exactly as DfE's own tools give it.
Round only at presentation; every calculation runs on unrounded values.
"""

from __future__ import annotations

import math

import polars as pl

__all__ = ["TOLERANCE", "round_half_away", "round_half_away_expr"]

#: DfE's nudge on the scaled value (sqrt of double machine epsilon).
TOLERANCE = math.sqrt(2.220446049250313e-16)


def round_half_away(value: float, decimals: int = 0, *, tolerance: float = TOLERANCE) -> float:
    """Round a Python number half away from zero to ``decimals`` places, as DfE publishes.

    ``tolerance`` is added to the scaled value before truncation: DfE's ``round_five_up`` uses
    sqrt(machine epsilon) (the default), so 1.005 (stored as 1.00499999...) rounds to 1.01; DfE's
    transition-matrix code uses none (``0.0``), so 399/2800 = 14.2499999... presents as 14.2 there.

    Parameters
    ----------
    value
        The number. NaN and infinities are returned as they are, and so is a number too large to
        have a fraction at this scale.
    decimals
        Places to keep; negative rounds to tens (-1), hundreds (-2), ...
    tolerance
        The nudge on the scaled value.

    Returns
    -------
    float
        The rounded number (zero is ``0.0``, never ``-0.0``).

    Examples
    --------
    >>> round_half_away(2.5), round_half_away(-2.5), round(2.5)
    (3.0, -3.0, 2)
    >>> round_half_away(1.005, 2), round_half_away(1234.5, -2)
    (1.01, 1200.0)
    >>> round_half_away(399 / 2800 * 100, 1), round_half_away(399 / 2800 * 100, 1, tolerance=0.0)
    (14.3, 14.2)
    """
    if math.isnan(value) or math.isinf(value):
        return value
    scale = 10.0**decimals
    if abs(value) * scale >= 2.0**52:  # no fraction left at this scale (or beyond float range)
        return value
    magnitude = math.trunc(abs(value) * scale + 0.5 + tolerance) / scale
    return math.copysign(magnitude, value) if magnitude != 0 else 0.0


def round_half_away_expr(
    expr: pl.Expr | str, decimals: int = 0, *, tolerance: float = TOLERANCE
) -> pl.Expr:
    """The polars expression of :func:`round_half_away` (null stays null).

    Parameters
    ----------
    expr
        An expression, or a column name.
    decimals
        Places to keep; negative rounds to tens, hundreds, ...
    tolerance
        The nudge on the scaled value (0.0 for none).

    Returns
    -------
    polars.Expr
        The rounded values (Float64 for a float input).

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"v": [2.5, -2.5, 1.005, None]})
    >>> f.select(round_half_away_expr("v", 2)).to_series().to_list()
    [2.5, -2.5, 1.01, None]
    >>> f.select(round_half_away_expr(pl.col("v"))).to_series().to_list()
    [3.0, -3.0, 1.0, None]
    """
    e = pl.col(expr) if isinstance(expr, str) else expr
    scale = 10.0**decimals
    # floor() gives the exact count of units; the final round() only snaps the quotient to the
    # nearest double of the decimal (the engine may divide by multiplying with 1/scale).
    units = ((e.abs() * scale) + 0.5 + tolerance).floor()
    magnitude = (units / scale).round(max(decimals, 0), mode="half_away_from_zero")
    rounded = pl.when((e < 0) & (magnitude > 0)).then(-magnitude).otherwise(magnitude)
    # from 2**52 up a double has no fraction at this scale (and scaling may overflow): keep it
    return pl.when(e.abs() * scale < 2.0**52).then(rounded).otherwise(e)
