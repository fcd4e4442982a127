"""The hand-written polars floors: the same formulas as the library, written directly.

Nothing here calls cyp_indicators' statistics: the formulas are typed from the literature as
``src/cyp_indicators/stats/intervals.py`` cites them, so a floor is both the speed an analyst gets
writing polars by hand and an independent check of the library's numbers.

* Wilson (1927): ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))``; 0 at x = 0, 1 at x = n.
* Byar's (Breslow & Day 1987): lower ``O (1 - 1/(9O) - z/(3 sqrt O))^3`` (null if negative),
  upper ``(O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3``.
* Exact Poisson (Armitage & Berry 2002) for counts below 10: ``chi2_{a/2}(2O)/2`` and
  ``chi2_{1-a/2}(2O+2)/2``, looked up from a ten-row table per level.

Each floor computes, in one lazy ``with_columns`` (collected with polars' default optimisations,
common-subexpression elimination included: eager ``DataFrame.with_columns`` skips it and is up to
4x slower on these formulas): ``value``, ``lower_<level>``/``upper_<level>`` for
every level and ``method``. It does not validate input, parse GSS symbols, copy the counts into
``numerator``/``denominator`` or build a ``reason`` column: that is the library's extra work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
import polars as pl

__all__ = [
    "GCSE_TO_CODE",
    "KS2_TO_CODE",
    "exact_table",
    "label",
    "mean_floor",
    "progress_floor",
    "progress_floor_lazy",
    "proportion_floor",
    "rate_floor",
    "z_of",
]

EXACT_BELOW = 10

# The "simple dict" an analyst types: every raw spelling in the extract -> the matrix code.
KS2_TO_CODE: dict[str, str] = {
    "4": "4", "4B": "4", "4a": "4", "level 4": "4", "5": "5", "5C": "5", "3": "3", "3A": "3",
    "6": "6", "2": "2", "2b": "2", "1": "1", "W": "W", "B": "W", "D": "D/A", "A": "D/A",
    "L": "left", "NE": "not_eligible", "": "no_ta",
}  # fmt: skip
GCSE_TO_CODE: dict[str, str] = {
    "A*": "A*", "A-star": "A*", "A": "A", "B": "B", "C": "C", "c": "C", "D": "D", "E": "E",
    "F": "F", "G": "G", "U": "U", "X": "none", "": "none",
}  # fmt: skip


def label(level: float) -> str:
    """Column suffix for a level: 0.95 -> "95", 0.998 -> "99_8"."""
    return f"{level * 100:.10g}".replace(".", "_")


@cache
def z_of(level: float) -> float:
    """Two-sided standard normal quantile."""
    from scipy import stats

    return float(stats.norm.ppf(1 - (1 - level) / 2))


@cache
def exact_table(level: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Exact Poisson lower and upper limits for counts 0..9 at ``level``."""
    from scipy import stats

    alpha = 1 - level
    counts = np.arange(EXACT_BELOW, dtype=float)
    with np.errstate(invalid="ignore"):
        lower = stats.chi2.ppf(alpha / 2, 2 * counts) / 2
    lower[0] = 0.0
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
    return tuple(float(v) for v in lower), tuple(float(v) for v in upper)


def _scalar_or_expr(value: float | pl.Expr) -> pl.Expr:
    return value if isinstance(value, pl.Expr) else pl.lit(float(value))


def rate_exprs(
    num: str, den: str, *, multiplier: float | pl.Expr, levels: Sequence[float]
) -> list[pl.Expr]:
    """Crude rate with exact (counts < 10) or Byar's limits, as expressions."""
    o = pl.col(num).cast(pl.Float64)
    d = pl.col(den).cast(pl.Float64)
    scale = _scalar_or_expr(multiplier) / pl.when(d != 0).then(d)
    small = o < EXACT_BELOW
    index = pl.col(num).cast(pl.Int64).clip(0, EXACT_BELOW - 1)
    out = [(o * scale).alias("value")]
    for level in levels:
        z = z_of(level)
        lo_table, hi_table = exact_table(level)
        o1 = o + 1
        byar_lo = o * (1 - 1 / (9 * o) - z / (3 * o.sqrt())) ** 3
        byar_hi = o1 * (1 - 1 / (9 * o1) + z / (3 * o1.sqrt())) ** 3
        exact_lo = pl.lit(pl.Series(lo_table)).gather(index)
        exact_hi = pl.lit(pl.Series(hi_table)).gather(index)
        lower = pl.when(small).then(exact_lo).when(byar_lo >= 0).then(byar_lo)
        upper = pl.when(small).then(exact_hi).otherwise(byar_hi)
        out += [(lower * scale).alias(f"lower_{label(level)}")]
        out += [(upper * scale).alias(f"upper_{label(level)}")]
    method = pl.when(small).then(pl.lit("exact")).otherwise(pl.lit("byars"))
    return [*out, method.alias("method")]


def rate_floor(
    frame: pl.DataFrame,
    num: str,
    den: str,
    *,
    multiplier: float | pl.Expr,
    levels: Sequence[float],
) -> pl.DataFrame:
    """``frame`` with value, limits and method of the crude rate ``num / den * multiplier``."""
    return _with(frame, rate_exprs(num, den, multiplier=multiplier, levels=levels))


def wilson_exprs(
    num: str, den: str, *, multiplier: float | pl.Expr, levels: Sequence[float]
) -> list[pl.Expr]:
    """Proportion with Wilson score limits, as expressions."""
    x = pl.col(num).cast(pl.Float64)
    n = pl.col(den).cast(pl.Float64)
    n = pl.when(n > 0).then(n)
    mult = _scalar_or_expr(multiplier)
    out = [(x / n * mult).alias("value")]
    for level in levels:
        z = z_of(level)
        z2 = z * z
        root = z * (z2 + 4 * x * (1 - x / n)).sqrt()
        denominator = 2 * (n + z2)
        valid = n.is_not_null()  # a zero or missing denominator has no interval
        lower = pl.when(valid & (x == 0)).then(0.0).otherwise((2 * x + z2 - root) / denominator)
        upper = pl.when(valid & (x == n)).then(1.0).otherwise((2 * x + z2 + root) / denominator)
        out += [(lower * mult).alias(f"lower_{label(level)}")]
        out += [(upper * mult).alias(f"upper_{label(level)}")]
    return [*out, pl.lit("wilson").alias("method")]


def proportion_floor(
    frame: pl.DataFrame,
    num: str,
    den: str,
    *,
    multiplier: float | pl.Expr,
    levels: Sequence[float],
) -> pl.DataFrame:
    """``frame`` with value, Wilson limits and method of ``num / den * multiplier``."""
    return _with(frame, wilson_exprs(num, den, multiplier=multiplier, levels=levels))


def _with(frame: pl.DataFrame, exprs: list[pl.Expr]) -> pl.DataFrame:
    """The floor itself: one lazy ``with_columns`` of ``exprs``, collected."""
    return frame.lazy().with_columns(exprs).collect()


def mean_floor(
    frame: pl.DataFrame, total: str, pupils: str, sd: str | None, *, levels: Sequence[float]
) -> pl.DataFrame:
    """``frame`` with the mean ``total / pupils`` and, with ``sd``, normal limits; no pupils
    (a zero count: DfE's "z") gives no mean, as the other floors give no rate over zero."""
    n = pl.col(pupils).cast(pl.Float64)
    n = pl.when(n > 0).then(n)
    mean = pl.col(total).cast(pl.Float64) / n
    out = [mean.alias("value")]
    if sd is not None:
        for level in levels:
            half = z_of(level) * pl.col(sd) / n.sqrt()
            out += [(mean - half).alias(f"lower_{label(level)}")]
            out += [(mean + half).alias(f"upper_{label(level)}")]
    return frame.lazy().with_columns(out).collect()


def _classify_exprs(prior: str, outcome: str) -> list[pl.Expr]:
    return [
        pl.col(prior).fill_null("").replace_strict(KS2_TO_CODE).alias("prior_code"),
        pl.col(outcome).fill_null("").replace_strict(GCSE_TO_CODE).alias("outcome_code"),
    ]


def _rates(counts: pl.LazyFrame) -> pl.LazyFrame:
    return counts.with_columns(
        (pl.col("made") + pl.col("not_made")).alias("included")
    ).with_columns(wilson_exprs("made", "included", multiplier=100, levels=[0.95]))


def _count_progress(frame: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    return frame.group_by(list(by)).agg(
        pl.len().alias("pupils"),
        (pl.col("progress") == "made").sum().alias("made"),
        (pl.col("progress") == "not_made").sum().alias("not_made"),
        (pl.col("progress") == "not_included").sum().alias("not_included"),
    )


def progress_floor(
    pupils: pl.DataFrame,
    cells: pl.DataFrame,
    *,
    prior: str,
    outcome: str,
    by: Sequence[str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Classified pupils (codes and ``progress`` by a join to ``cells``) and the group rates.

    Eager, like the library's two calls: the classified frame is materialised, then grouped.
    """
    classified = (
        pupils.lazy()
        .with_columns(_classify_exprs(prior, outcome))
        .join(cells.lazy(), on=["prior_code", "outcome_code"], how="left")
        .collect()
    )
    rates = _rates(_count_progress(classified.lazy(), by)).collect()
    return classified, rates


def progress_floor_lazy(
    pupils: pl.LazyFrame,
    cells: pl.DataFrame,
    *,
    prior: str,
    outcome: str,
    by: Sequence[str],
) -> pl.LazyFrame:
    """The same as one lazy query for the streaming engine: rates only.

    The dicts are joined as two-column tables rather than applied with ``replace_strict``: in
    polars 2.1 ``replace``/``replace_strict`` do not stream (memory grows with the rows, ~9 GB at
    100M), while a join to a small table streams in constant memory.
    """
    priors = pl.LazyFrame({"__prior": list(KS2_TO_CODE), "prior_code": list(KS2_TO_CODE.values())})
    outcomes = pl.LazyFrame(
        {"__outcome": list(GCSE_TO_CODE), "outcome_code": list(GCSE_TO_CODE.values())}
    )
    classified = (
        pupils.with_columns(
            pl.col(prior).fill_null("").alias("__prior"),
            pl.col(outcome).fill_null("").alias("__outcome"),
        )
        .join(priors, on="__prior", how="left")
        .join(outcomes, on="__outcome", how="left")
        .join(cells.lazy(), on=["prior_code", "outcome_code"], how="left")
    )
    return _rates(_count_progress(classified, by))


def cells_table(cells: Sequence[tuple[str, str, str]]) -> pl.DataFrame:
    """The matrix as a join table: prior_code, outcome_code, progress."""
    return pl.DataFrame(cells, schema=["prior_code", "outcome_code", "progress"], orient="row")


def check_maps(lookup_rows: Mapping[str, str], lookup_cols: Mapping[str, str]) -> None:
    """Fail early if the typed dicts name a code the matrix does not have."""
    bad = set(KS2_TO_CODE.values()) - set(lookup_rows.values())
    bad |= set(GCSE_TO_CODE.values()) - set(lookup_cols.values())
    if bad:
        msg = f"hand-typed codes not in the matrix: {sorted(bad)}"
        raise ValueError(msg)
