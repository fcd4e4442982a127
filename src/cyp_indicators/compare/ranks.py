"""Ranks and bands over all local authorities: rank (1 = best), LAIT quartile bands, PHE quantiles.

Only LA rows take part (England and regions are kept in the output, unranked). Every output names
its method, because the methods give different answers for the same data. A value that is not a
finite number (NaN, an infinity) is an error naming the rows, never ranked or banded; so is a
negative value of a definition whose values cannot be negative.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

from ..geography import canonical_expr
from ..model import IndicatorDefinition, Polarity
from ..stats.checks import check_columns
from ._values import (
    cannot_be_negative,
    check_readable,
    parsed_value,
    rank_direction,
    resolve_polarity,
)

__all__ = ["phe_quantiles", "quartile_bands", "rank_among_las"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def _prepare(
    frame: pl.DataFrame | pl.LazyFrame,
    la: str,
    year: str,
    value: str,
    definition: IndicatorDefinition | None = None,
) -> pl.LazyFrame:
    """The frame with ``__la`` and ``__v``; values checked as :mod:`._values` says (text that is
    not a number or symbol, NaN and infinities, negatives the definition rules out: errors)."""
    schema = frame.collect_schema()
    check_columns(schema, [(la, "LA"), (year, "year"), (value, "value")], context="ranking")
    check_readable(frame, value, schema[value], not_negative=cannot_be_negative(definition))
    return frame.lazy().with_columns(
        canonical_expr(la).alias("__la"), *parsed_value(value, schema[value], alias="__v")
    )


def _finish(frame: F, result: pl.LazyFrame, new: list[str]) -> F:
    schema = frame.collect_schema()
    out = result.select(*(pl.col(c) for c in schema), *(pl.col(c) for c in new))
    return out.collect() if isinstance(frame, pl.DataFrame) else out


def rank_among_las(
    frame: F,
    *,
    la: str = "la_code",
    year: str = "year",
    value: str = "value",
    definition: IndicatorDefinition | None = None,
    polarity: Polarity | str | None = None,
) -> F:
    """Rank each LA among all LAs with a value that year; ties share the minimum rank.

    Adds ``la_rank``, ``la_rank_of`` (LAs with a value) and ``la_rank_order`` ("1 = best (low is
    good)"; with no polarity, 1 is the highest value).
    """
    descending, label = rank_direction(resolve_polarity(polarity, definition))
    lf = _prepare(frame, la, year, value, definition)
    is_la = pl.col("__la").is_not_null() & pl.col("__v").is_not_null()
    ranked = lf.with_columns(
        pl.when(is_la)
        .then(
            pl.when(is_la).then(pl.col("__v")).rank(method="min", descending=descending).over(year)
        )
        .cast(pl.Int64)
        .alias("la_rank"),
        pl.when(is_la).then(is_la.sum().over(year)).cast(pl.Int64).alias("la_rank_of"),
        pl.lit(label).alias("la_rank_order"),
    )
    return _finish(frame, ranked, ["la_rank", "la_rank_of", "la_rank_order"])


def quartile_bands(
    frame: F,
    *,
    la: str = "la_code",
    year: str = "year",
    value: str = "value",
    definition: IndicatorDefinition | None = None,
    polarity: Polarity | str | None = None,
    min_las: int = 4,
) -> F:
    """LAIT's quartile bands A-D over all LAs' values each year.

    Quartiles are type-7 (linear interpolation, R's and numpy's default); bounds are inclusive
    at the top: for low is good, value <= Q1 is A, <= Q2 B, <= Q3 C, else D; high is good reverses
    the letters. No band (with ``band_reason``) where polarity is not applicable or fewer than
    ``min_las`` LAs have a value (LAIT itself sets no minimum: ``min_las=1``). Adds ``band``, ``band_q1``, ``band_q2``, ``band_q3``, ``band_method``,
    ``band_reason``.
    """
    pol = resolve_polarity(polarity, definition)
    lf = _prepare(frame, la, year, value, definition)
    is_la = pl.col("__la").is_not_null() & pl.col("__v").is_not_null()
    la_v = pl.when(is_la).then(pl.col("__v"))
    lf = lf.with_columns(
        *(
            la_v.quantile(q, interpolation="linear").over(year).alias(f"band_q{i}")
            for i, q in ((1, 0.25), (2, 0.5), (3, 0.75))
        ),
        is_la.sum().over(year).alias("__n"),
    )
    letters = "ABCD" if pol == "low_is_good" else "DCBA"
    v = pl.col("__v")
    band = (
        pl.when(v <= pl.col("band_q1")).then(pl.lit(letters[0]))
        .when(v <= pl.col("band_q2")).then(pl.lit(letters[1]))
        .when(v <= pl.col("band_q3")).then(pl.lit(letters[2]))
        .otherwise(pl.lit(letters[3]))
    )  # fmt: skip
    if min_las < 1:
        msg = f"min_las must be at least 1, got {min_las}"
        raise ValueError(msg)
    usable = (pol != "not_applicable") & (pl.col("__n") >= min_las)
    lf = lf.with_columns(
        pl.when(is_la & usable).then(band).alias("band"),
        pl.lit("LAIT quartiles (type 7, inclusive upper bounds)").alias("band_method"),
        pl.when(pol == "not_applicable")
        .then(pl.lit("z: no band where polarity is not applicable"))
        .when(pl.col("__n") < min_las)
        .then(pl.lit(f"x: fewer than {min_las} LAs have a value"))
        .when(pl.col("__la").is_null())
        .then(pl.lit("z: not an LA"))
        .when(pl.col("__v").is_null())
        .then(pl.lit("x: no value"))
        .alias("band_reason"),
    )
    return _finish(
        frame, lf, ["band", "band_q1", "band_q2", "band_q3", "band_method", "band_reason"]
    )


def phe_quantiles(
    frame: F,
    *,
    n: int = 10,
    invert: bool = True,
    la: str = "la_code",
    year: str = "year",
    value: str = "value",
) -> F:
    """PHE's quantiles (deciles by default) over all LAs' values each year.

    ``rank`` is taken on the value (descending when ``invert``, so the highest value falls in
    quantile 1), ties by minimum; with N LAs holding a value,
    ``quantile = floor((n + 1) - ceil(((N + 1) - rank) / (N / n)))`` (0 becomes 1). Null, with
    ``quantile_reason``, where N < n. Adds ``quantile``, ``quantile_method``, ``quantile_reason``.
    """
    if n < 2:
        msg = f"n must be at least 2, got {n}"
        raise ValueError(msg)
    lf = _prepare(frame, la, year, value)
    is_la = pl.col("__la").is_not_null() & pl.col("__v").is_not_null()
    rank = pl.when(is_la).then(pl.col("__v")).rank(method="min", descending=invert).over(year)
    big_n = is_la.sum().over(year).cast(pl.Float64)
    raw = ((n + 1) - (((big_n + 1) - rank) / (big_n / n)).ceil()).floor()
    quant = pl.when(raw < 1).then(1.0).otherwise(raw).cast(pl.Int64)
    lf = lf.with_columns(
        pl.when(is_la & (big_n >= n)).then(quant).alias("quantile"),
        pl.lit(f"PHE quantiles (n={n}{', inverted' if invert else ''})").alias("quantile_method"),
        pl.when(big_n < n)
        .then(pl.lit(f"x: fewer than {n} LAs have a value"))
        .when(~is_la)
        .then(pl.lit("z: not an LA or no value"))
        .alias("quantile_reason"),
    )
    return _finish(frame, lf, ["quantile", "quantile_method", "quantile_reason"])
