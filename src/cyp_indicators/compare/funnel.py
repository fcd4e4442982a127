"""Funnel-plot control limits for proportions and crude rates, and where a value falls.

Proportions (PHE's method): at denominator N around the overall proportion p, the limits are
``p -/+ z sqrt(p (1 - p) / N)`` with z = 1.959964 ("2s", 95 %) and 3.090232 ("3s", 99.8 %),
clamped to [0, 1] before the multiplier.

Crude rates (exact Poisson): with the overall rate r (events per unit of denominator) and a
denominator d, the expected count is ``lam = r d``. The lower limit is ``E / d`` where E solves
``chi2_{1-a}(2E + 2) / 2 = lam`` (the count whose exact upper limit is lam), the upper limit is
``E / d`` where ``chi2_a(2E) / 2 = lam``; a = 0.025 ("2s") and 0.001 ("3s"). E is found
continuously (a smooth funnel), as the chi-square quantiles extend to non-integer counts.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl

from ..errors import DataError
from ..stats.intervals import z_value

__all__ = ["funnel_limits", "funnel_position"]

_LEVELS = {"2s": 0.95, "3s": 0.998}


def _proportion_limits(p: float, n: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    z = z_value(conf)
    half = z * np.sqrt(p * (1 - p) / n)
    return np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)


def _count_for(lam: float, alpha: float, *, lower: bool) -> float:
    """The continuous count E whose exact Poisson bound equals lam."""
    from scipy import optimize
    from scipy import stats as _stats

    if lower:  # upper bound of E equals lam

        def f(e: float) -> float:
            return float(_stats.chi2.ppf(1 - alpha, 2 * e + 2) / 2 - lam)

        lo = 0.0
    else:  # lower bound of E equals lam

        def f(e: float) -> float:
            return float(_stats.chi2.ppf(alpha, 2 * e) / 2 - lam)

        lo = 1e-12
    if f(lo) > 0:
        return 0.0
    hi = max(10.0, lam * 2 + 50)
    while f(hi) < 0:
        hi *= 2
    return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-14))


def _rate_limits(rate: float, d: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1 - conf) / 2
    low = np.array([_count_for(rate * x, alpha, lower=True) / x for x in d])
    high = np.array([_count_for(rate * x, alpha, lower=False) / x for x in d])
    return low, high


def funnel_limits(
    denominators: pl.Series | list[float],
    *,
    kind: Literal["proportion", "rate"],
    average: float,
    multiplier: float = 100,
) -> pl.DataFrame:
    """Funnel-plot control limits at each denominator, in the indicator's unit.

    Proportions use PHE's normal approximation, rates the exact Poisson limits (see the module
    docstring); "2s" is 95 %, "3s" 99.8 %.

    Parameters
    ----------
    denominators
        The denominators to draw limits at (each > 0).
    kind
        ``"proportion"``, or ``"rate"`` (any other value is treated as a rate).
    average
        The overall value in the indicator's unit (a percentage for proportions with multiplier
        100, a rate per 10,000 with multiplier 10,000); usually the pooled value (sum of
        numerators / sum of denominators).
    multiplier
        The unit's scale.

    Returns
    -------
    polars.DataFrame
        ``denominator``, ``average``, ``lower_2s``, ``upper_2s``, ``lower_3s``, ``upper_3s``, one
        row per denominator, in the unit of ``average``.

    Raises
    ------
    DataError
        A denominator that is not a finite number above 0, or a proportion's average outside 0 to
        ``multiplier``.

    Examples
    --------
    >>> import polars as pl
    >>> limits = funnel_limits([100, 1000], kind="proportion", average=20.0)
    >>> limits.select(pl.all().round(2, mode="half_away_from_zero")).rows()
    [(100.0, 20.0, 12.16, 27.84, 7.64, 32.36), (1000.0, 20.0, 17.52, 22.48, 16.09, 23.91)]
    """
    d = np.asarray(list(denominators), dtype=float)
    if np.any(~np.isfinite(d)) or np.any(d <= 0):
        msg = "funnel limits need denominators > 0"
        raise DataError(msg)
    p = average / multiplier
    if kind == "proportion" and not 0 <= p <= 1:
        msg = f"a proportion's average must lie between 0 and {multiplier}, got {average}"
        raise DataError(msg)
    out: dict[str, object] = {"denominator": d, "average": np.full(d.shape, average)}
    for label, conf in _LEVELS.items():
        if kind == "proportion":
            low, high = _proportion_limits(p, d, conf)
        else:
            low, high = _rate_limits(p, d, conf)
        out[f"lower_{label}"] = low * multiplier
        out[f"upper_{label}"] = high * multiplier
    return pl.DataFrame(out)


def funnel_position(value: pl.Expr | str, limits_prefix: str = "") -> pl.Expr:
    """Where a value falls against its funnel limits (columns ``lower_2s`` ... in the frame).

    "high (99.8 %)" above the upper 3s limit, "high (95 %)" above the upper 2s, "low (99.8 %)",
    "low (95 %)", else "within"; strict inequalities, as PHE.

    Parameters
    ----------
    value
        Expression or column name.
    limits_prefix
        A prefix of the limit columns (``"sn_"`` for ``sn_lower_2s`` ...).

    Returns
    -------
    polars.Expr
        String: the position, or null where the value or the ``lower_3s`` limit is missing.

    Examples
    --------
    >>> import polars as pl
    >>> limits = funnel_limits([100, 1000], kind="proportion", average=20.0)
    >>> f = limits.with_columns(value=pl.Series([35.0, 22.0]))
    >>> f.select(funnel_position("value")).to_series().to_list()
    ['high (99.8 %)', 'within']
    """
    v = pl.col(value) if isinstance(value, str) else value

    def col(name: str) -> pl.Expr:
        return pl.col(f"{limits_prefix}{name}")

    return (
        pl.when(v.is_null() | col("lower_3s").is_null())
        .then(None)
        .when(v < col("lower_3s"))
        .then(pl.lit("low (99.8 %)"))
        .when(v < col("lower_2s"))
        .then(pl.lit("low (95 %)"))
        .when(v > col("upper_3s"))
        .then(pl.lit("high (99.8 %)"))
        .when(v > col("upper_2s"))
        .then(pl.lit("high (95 %)"))
        .otherwise(pl.lit("within"))
    )
