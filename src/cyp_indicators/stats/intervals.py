"""Confidence-interval expressions: Wilson for proportions, Byar's and exact Poisson for counts.

Pure polars expressions over count columns; they know nothing of definitions or frames.
Formulas (clean-room, from the literature):

* Wilson score interval (Wilson 1927) for x events out of n:
  ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))``
* Byar's approximation to the Poisson interval for a count O (Breslow & Day 1987):
  lower ``O (1 - 1/(9O) - z/(3 sqrt O))^3``, upper ``(O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3``
* Exact Poisson interval via chi-square (Armitage & Berry 2002):
  lower ``chi2_{a/2}(2O) / 2`` (0 when O = 0), upper ``chi2_{1-a/2}(2O + 2) / 2``

``z`` is the standard normal quantile for the two-sided level (1.95996398454005 at 95 %).

Nothing here imports scipy.stats. ``z`` comes from the standard library (``statistics.NormalDist``,
polished with one Newton step on the upper tail), and the exact limits of counts below
:data:`EXACT_BELOW` from a table solved in pure Python: for a whole count the Poisson tail is a
finite sum (upper limit) or a fast positive series (lower limit), solved by bisection to the last
bit of a double. Only the exact limits of larger counts (``method="exact"``) need
``scipy.special`` (its inverse incomplete gamma functions), imported on first use.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from functools import cache, partial
from typing import Any

import polars as pl

__all__ = [
    "EXACT_BELOW",
    "byar_exact_interval",
    "byars_interval",
    "confidence_label",
    "exact_poisson_interval",
    "normalise_confidence",
    "wilson_interval",
    "z_value",
]

#: Counts below this use the exact Poisson interval in a crude rate; from here up, Byar's.
EXACT_BELOW = 10


def normalise_confidence(confidence: float | Sequence[float] | None) -> tuple[float, ...]:
    """Confidence levels as a tuple of floats in (0, 1), duplicates removed, order kept.

    A level written as a percentage (above 1 and below 100: ``95``, ``99.8``, as
    PHEindicatormethods and PHStatsMethods accept it) is read as that percentage (0.95, 0.998).

    Parameters
    ----------
    confidence
        One level, several, or None for none.

    Returns
    -------
    tuple[float, ...]
        The levels as proportions; empty for None.

    Raises
    ------
    ValueError
        A level outside (0, 100), exactly 1 (ambiguous), NaN or an infinity.
    TypeError
        A level that is not a number (``True`` included).

    Examples
    --------
    >>> normalise_confidence([0.95, 0.998, 0.95])
    (0.95, 0.998)
    >>> normalise_confidence([95, 99.8])
    (0.95, 0.998)
    >>> normalise_confidence(None)
    ()
    """
    if confidence is None:
        return ()
    levels = (confidence,) if isinstance(confidence, int | float) else tuple(confidence)
    out: list[float] = []
    for level in levels:
        if isinstance(level, bool) or not isinstance(level, int | float):
            msg = f"confidence must be a number between 0 and 1 (e.g. 0.95), got {level!r}"
            raise TypeError(msg)
        if 1 < level < 100:  # a percentage: 95 is 0.95, 99.8 is 0.998
            level = round(level / 100, 12)
        if not 0 < level < 1:  # also NaN and infinities
            msg = (
                f"confidence must be between 0 and 1 (e.g. 0.95 or 0.998) or a percentage "
                f"between 1 and 100 (95), got {level!r}"
            )
            raise ValueError(msg)
        if float(level) not in out:
            out.append(float(level))
    return tuple(out)


def confidence_label(confidence: float) -> str:
    """The column suffix for a level: 0.95 -> ``"95"``, 0.998 -> ``"99_8"``.

    Parameters
    ----------
    confidence
        A level in (0, 1).

    Returns
    -------
    str
        The level as a percentage, its decimal point written ``_`` (``lower_99_8``).

    Examples
    --------
    >>> confidence_label(0.95), confidence_label(0.998)
    ('95', '99_8')
    """
    return f"{confidence * 100:.10g}".replace(".", "_")


def _special() -> Any:
    """scipy.special, imported on first use: only the exact limits of counts from
    :data:`EXACT_BELOW` up need it (importing the package, or a rate by PHE's method, need not)."""
    from scipy import special

    return special


@cache
def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile ``z`` with ``P(|Z| <= z) = confidence``.

    From the standard library: ``statistics.NormalDist().inv_cdf``, then one Newton step on the
    upper tail ``erfc(z / sqrt 2) / 2 = (1 - confidence) / 2`` (the tail is known to full relative
    precision where the cumulative probability near 1 is not): the quantile of the level as
    given, to the last bit or one unit of it (scipy's ``norm.ppf`` may differ in that last bit).

    Parameters
    ----------
    confidence
        A level in (0, 1).

    Returns
    -------
    float
        ``z`` (1.95996398454005 at 95 %).

    Examples
    --------
    >>> f"{z_value(0.95):.12f}", f"{z_value(0.998):.12f}"
    ('1.959963984540', '3.090232306168')
    """
    tail = (1 - confidence) / 2
    z = statistics.NormalDist().inv_cdf(1 - tail)
    density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    return z + (0.5 * math.erfc(z / math.sqrt(2)) - tail) / density


def _col(x: pl.Expr | str) -> pl.Expr:
    return pl.col(x) if isinstance(x, str) else x


def wilson_interval(
    events: pl.Expr | str, total: pl.Expr | str, confidence: float
) -> tuple[pl.Expr, pl.Expr]:
    """Wilson score limits for the proportion ``events / total`` (as a proportion of 1).

    ``events == 0`` gives a lower limit of exactly 0 and ``events == total`` an upper limit of
    exactly 1. Rows with a null or zero total give nulls. Multiply by 100 for percentages.

    Parameters
    ----------
    events, total
        Expressions or column names: the count and the cohort.
    confidence
        The level, in (0, 1).

    Returns
    -------
    tuple[polars.Expr, polars.Expr]
        The lower and the upper limit (Float64).

    Examples
    --------
    >>> frame = pl.DataFrame({"x": [761, 0], "n": [3850, 10]})
    >>> lower, upper = wilson_interval("x", "n", 0.95)
    >>> frame.select(lower.round(4, mode="half_away_from_zero").alias("lower"),
    ...              upper.round(4, mode="half_away_from_zero").alias("upper")).rows()
    [(0.1854, 0.2105), (0.0, 0.2775)]
    """
    x = _col(events).cast(pl.Float64)
    n = _col(total).cast(pl.Float64)
    z = z_value(confidence)
    z2 = z * z
    root = z * (z2 + 4 * x * (1 - x / n)).sqrt()
    denominator = 2 * (n + z2)
    valid = n > 0
    lower = pl.when(valid & (x == 0)).then(0.0).when(valid).then((2 * x + z2 - root) / denominator)
    upper = pl.when(valid & (x == n)).then(1.0).when(valid).then((2 * x + z2 + root) / denominator)
    return lower, upper


def _byars_raw(o: pl.Expr, z: float) -> tuple[pl.Expr, pl.Expr]:
    o1 = o + 1
    lower = o * (1 - 1 / (9 * o) - z / (3 * o.sqrt())) ** 3
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * o1.sqrt())) ** 3
    return lower, upper


def byars_interval(count: pl.Expr | str, confidence: float) -> tuple[pl.Expr, pl.Expr]:
    """Byar's limits for a Poisson count (divide by the denominator for a rate's limits).

    The approximation breaks down for very small counts: where its lower limit would be negative
    (a count of 1 at 99.8 %) the lower limit is null; a count of 0 has a lower limit of 0.
    :func:`exact_poisson_interval` is exact there.

    Parameters
    ----------
    count
        An expression or column name: the count.
    confidence
        The level, in (0, 1).

    Returns
    -------
    tuple[polars.Expr, polars.Expr]
        The lower and the upper limit of the count (Float64).

    Examples
    --------
    >>> frame = pl.DataFrame({"o": [416, 1]})
    >>> lower, upper = byars_interval("o", 0.998)
    >>> frame.select(lower.round(4, mode="half_away_from_zero").alias("lower"),
    ...              upper.round(4, mode="half_away_from_zero").alias("upper")).rows()
    [(355.8005, 482.9733), (None, 9.3622)]
    """
    o = _col(count).cast(pl.Float64)
    lower_raw, upper = _byars_raw(o, z_value(confidence))
    lower = pl.when(o == 0).then(0.0).when(lower_raw >= 0).then(lower_raw)
    return lower, upper


def _poisson_at_least(k: int, mean: float) -> float:
    """``P(X >= k)`` for ``X ~ Poisson(mean)`` and ``k >= 1``: ``e^-m sum_{j>=k} m^j / j!``.

    A series of positive terms (no cancellation), summed until a term no longer changes it.
    """
    if mean <= 0:
        return 0.0
    term = math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
    total = term
    j = k
    while term > total * 1e-17:
        j += 1
        term *= mean / j
        total += term
    return total


def _poisson_at_most(k: int, mean: float) -> float:
    """``P(X <= k)`` for ``X ~ Poisson(mean)``: the finite sum ``e^-m sum_{j<=k} m^j / j!``."""
    term = math.exp(-mean)
    total = term
    for j in range(1, k + 1):
        term *= mean / j
        total += term
    return total


def _solve(tail: Callable[[float], float], target: float, *, increasing: bool) -> float:
    """The mean at which the monotone ``tail`` equals ``target``, by bisection to the last bit."""
    low, high = 0.0, 1.0
    while (tail(high) < target) == increasing:  # widen until the root is bracketed
        low, high = high, 2 * high
    while True:
        middle = (low + high) / 2
        if middle in (low, high):  # no double between the two: done
            break
        if (tail(middle) < target) == increasing:
            low = middle
        else:
            high = middle
    return min((low, high), key=lambda m: abs(tail(m) - target))


@cache
def _exact_table(confidence: float, below: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Exact limits for the counts ``0 .. below - 1``, without scipy.

    The lower limit L of a count O solves ``P(X >= O | L) = alpha / 2`` (0 when O = 0), the upper
    limit U solves ``P(X <= O | U) = alpha / 2``: the chi-square quantiles
    ``chi2_{a/2}(2O) / 2`` and ``chi2_{1-a/2}(2O + 2) / 2`` written as Poisson tails.
    """
    half = (1 - confidence) / 2
    lower, upper = [0.0], []
    for k in range(below):
        if k:
            lower.append(_solve(partial(_poisson_at_least, k), half, increasing=True))
        upper.append(_solve(partial(_poisson_at_most, k), half, increasing=False))
    return tuple(lower), tuple(upper)


def _exact_batch(series: pl.Series, confidence: float, *, upper: bool) -> pl.Series:
    """Exact limits of every row, with scipy.special's inverse regularised incomplete gammas:
    ``chi2_p(2k) / 2`` is ``gammaincinv(k, p)``; the upper limit inverts the upper tail
    (``gammainccinv(O + 1, alpha / 2)``), which keeps full precision at high levels."""
    import numpy as np  # with scipy.special, only for exact limits of large counts

    half = (1 - confidence) / 2
    values = series.cast(pl.Float64).to_numpy()
    special = _special()
    with np.errstate(invalid="ignore"):
        if upper:
            out = special.gammainccinv(values + 1, half)
        else:
            out = np.where(values == 0, 0.0, special.gammaincinv(values, half))
    return pl.Series(series.name, out, dtype=pl.Float64).fill_nan(None)


def exact_poisson_interval(
    count: pl.Expr | str, confidence: float, *, small_only: bool = False
) -> tuple[pl.Expr, pl.Expr]:
    """Exact (chi-square) limits for a Poisson count (divided by a denominator: a rate's limits).

    With ``small_only=True`` only whole counts from 0 to below :data:`EXACT_BELOW` are answered
    (from a table computed once per level, looked up by position); other rows (larger, negative
    or fractional counts) are null; :func:`byar_exact_interval` uses the same table. Otherwise
    every row is computed with scipy.special (imported on first use), in one batch per column.

    Parameters
    ----------
    count
        An expression or column name: the count.
    confidence
        The level, in (0, 1).
    small_only
        Answer only whole counts below :data:`EXACT_BELOW`, without scipy.

    Returns
    -------
    tuple[polars.Expr, polars.Expr]
        The lower and the upper limit of the count (Float64; 0 is the lower limit of a count of 0).

    Examples
    --------
    >>> frame = pl.DataFrame({"o": [0, 9]})
    >>> lower, upper = exact_poisson_interval("o", 0.95, small_only=True)
    >>> frame.select(lower.round(6, mode="half_away_from_zero").alias("lower"), upper.round(6, mode="half_away_from_zero").alias("upper")).rows()
    [(0.0, 3.688879), (4.115373, 17.084803)]
    """
    o = _col(count)
    if small_only:
        lower_t, upper_t = _exact_table(confidence, EXACT_BELOW)
        # position EXACT_BELOW holds null: counts of 10 and more take Byar's
        f = o.cast(pl.Float64)
        whole = (f >= 0) & (f == f.floor())
        index = pl.when(whole).then(f.clip(0, EXACT_BELOW)).cast(pl.UInt32)
        lower = pl.lit(pl.Series([*lower_t, None], dtype=pl.Float64)).gather(index)
        upper = pl.lit(pl.Series([*upper_t, None], dtype=pl.Float64)).gather(index)
        return lower, upper
    # elementwise: in a group_by context polars calls it once over every group's count
    lower = o.map_batches(
        lambda s: _exact_batch(s, confidence, upper=False),
        return_dtype=pl.Float64,
        is_elementwise=True,
    )
    upper = o.map_batches(
        lambda s: _exact_batch(s, confidence, upper=True),
        return_dtype=pl.Float64,
        is_elementwise=True,
    )
    return lower, upper


def byar_exact_interval(count: pl.Expr | str, confidence: float) -> tuple[pl.Expr, pl.Expr]:
    """Limits for a crude rate's count as PHE computes them: exact below 10, Byar's from 10 up.

    The count must be a whole number >= 0 (:func:`~cyp_indicators.rate` checks this): counts
    below :data:`EXACT_BELOW` are looked up by position in a table computed once per level. One
    when-chain per limit (no separate zero case: a count of 0 takes the exact branch) keeps the
    expression as cheap as the formula written by hand.

    Parameters
    ----------
    count
        An expression or column name: the count.
    confidence
        The level, in (0, 1).

    Returns
    -------
    tuple[polars.Expr, polars.Expr]
        The lower and the upper limit of the count (Float64; a negative Byar's lower limit is
        null).

    Examples
    --------
    >>> frame = pl.DataFrame({"o": [5, 416]})
    >>> lower, upper = byar_exact_interval("o", 0.95)
    >>> frame.select(lower.round(4, mode="half_away_from_zero").alias("lower"),
    ...              upper.round(4, mode="half_away_from_zero").alias("upper")).rows()
    [(1.6235, 11.6683), (376.979, 457.9628)]
    """
    o = _col(count).cast(pl.Float64)
    lower_t, upper_t = _exact_table(confidence, EXACT_BELOW)
    small = o < EXACT_BELOW
    # not strict: a NaN count (refused by the callers' checks) gives a null index, not an error
    index = o.clip(0, EXACT_BELOW - 1).cast(pl.UInt32, strict=False)
    exact_lower = pl.lit(pl.Series(lower_t, dtype=pl.Float64)).gather(index)
    exact_upper = pl.lit(pl.Series(upper_t, dtype=pl.Float64)).gather(index)
    byars_lower, byars_upper = _byars_raw(o, z_value(confidence))
    lower = pl.when(small).then(exact_lower).when(byars_lower >= 0).then(byars_lower)
    upper = pl.when(small).then(exact_upper).otherwise(byars_upper)
    return lower, upper
