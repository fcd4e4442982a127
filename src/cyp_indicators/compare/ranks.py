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
    """Rank each LA among all LAs with a value that year (1 = best); ties share the minimum rank.

    Parameters
    ----------
    frame
        One row per area and year: LA rows are ranked, England and region rows kept unranked.
    la
        The area-code column (old LA numbers or ONS codes; other codes are not LAs).
    year
        The year column: each year is ranked on its own.
    value
        The value column: numbers, or text with GSS symbols (no value).
    definition
        The definition ranked: its polarity, and negative values refused where they cannot be.
    polarity
        Overrides the definition's polarity; with none, 1 is the highest value.

    Returns
    -------
    F
        The same kind of frame with ``la_rank``, ``la_rank_of`` (LAs with a value that year) and
        ``la_rank_order`` (``"1 = best (low is good)"``, ...) added; null ranks for other rows.

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    InvalidValueError
        A value that is text neither a number nor a GSS symbol, not a finite number, or negative
        where the definition's values cannot be, naming the rows.
    DataError
        A value column that holds neither numbers nor text.
    ValueError
        A polarity that is not one.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"la_code": ["874", "873", "882", "881", "E92000001"], "year": [2025] * 5,
    ...                   "value": [72.0, 50.0, 90.0, 50.0, 70.0]})
    >>> rank_among_las(f, polarity="low_is_good").select("la_code", "la_rank", "la_rank_of").rows()
    [('874', 3, 4), ('873', 1, 4), ('882', 4, 4), ('881', 1, 4), ('E92000001', None, None)]
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

    Quartiles are type-7 (linear interpolation, R's and numpy's default); bounds are inclusive at
    the top: for low is good, value <= Q1 is A, <= Q2 B, <= Q3 C, else D; high is good reverses
    the letters. No band (with ``band_reason``) where polarity is not applicable or fewer than
    ``min_las`` LAs have a value (LAIT itself sets no minimum: ``min_las=1``).

    Parameters
    ----------
    frame
        One row per area and year: LA rows are ranked, England and region rows kept unranked.
    la
        The area-code column (old LA numbers or ONS codes; other codes are not LAs).
    year
        The year column: each year is ranked on its own.
    value
        The value column: numbers, or text with GSS symbols (no value).
    definition
        The definition banded: its polarity, and negative values refused where they cannot be.
    polarity
        Overrides the definition's polarity.
    min_las
        The fewest LAs with a value for bands to be given (at least 1).

    Returns
    -------
    F
        The same kind of frame with ``band``, ``band_q1``, ``band_q2``, ``band_q3``,
        ``band_method`` and ``band_reason`` added.

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    InvalidValueError
        A value that is text neither a number nor a GSS symbol, not a finite number, or negative
        where the definition's values cannot be, naming the rows.
    DataError
        A value column that holds neither numbers nor text.
    ValueError
        ``min_las`` below 1, or a polarity that is not one.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"la_code": ["874", "873", "882", "881", "E92000001"], "year": [2025] * 5,
    ...                   "value": [72.0, 50.0, 90.0, 50.0, 70.0]})
    >>> out = quartile_bands(f, polarity="low_is_good")
    >>> out.select("la_code", "band", "band_reason").rows()
    [('874', 'C', None), ('873', 'A', None), ('882', 'D', None), ('881', 'A', None), ('E92000001', None, 'z: not an LA')]
    >>> out.select("band_q1", "band_q2", "band_q3").row(0)
    (50.0, 61.0, 76.5)
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
    ``quantile_reason``, where N < n. Polarity plays no part.

    Parameters
    ----------
    frame
        One row per area and year: LA rows are ranked, England and region rows kept unranked.
    la
        The area-code column (old LA numbers or ONS codes; other codes are not LAs).
    year
        The year column: each year is ranked on its own.
    value
        The value column: numbers, or text with GSS symbols (no value).
    n
        The number of quantiles (at least 2).
    invert
        Quantile 1 holds the highest values (PHE's default); False: the lowest.

    Returns
    -------
    F
        The same kind of frame with ``quantile``, ``quantile_method`` and ``quantile_reason``
        added.

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    InvalidValueError
        A value that is text neither a number nor a GSS symbol, or not a finite number, naming
        the rows.
    DataError
        A value column that holds neither numbers nor text.
    ValueError
        ``n`` below 2.

    Examples
    --------
    >>> import polars as pl
    >>> las = ["874", "873", "882", "881", "883", "884", "885", "886", "887", "888"]
    >>> f = pl.DataFrame({"la_code": las, "year": [2025] * 10, "value": [float(i) for i in range(1, 11)]})
    >>> phe_quantiles(f, n=5)["quantile"].to_list()
    [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
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
