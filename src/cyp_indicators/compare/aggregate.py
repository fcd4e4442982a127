"""Aggregating a comparator group: mean (LAIT), median (DfE CSC dashboard), pooled, weighted.

DfE's own tools disagree: LAIT shows the unweighted mean of the statistical neighbours' values, the
CSC Outcomes and Enablers dashboard their median. Neither pools counts. The method is therefore
always named, and every aggregate says how many members had data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeVar

import polars as pl

from ..errors import DataError, DuplicateKeyError
from ..geography import canonical_expr, is_aggregate_code
from ..model import IndicatorDefinition, Polarity
from ..pandas_frames import pandas_frames
from ..stats.checks import check_columns
from ..stats.intervals import confidence_label, normalise_confidence
from ..stats.measures import proportion, rate
from ._values import (
    cannot_be_negative,
    check_readable,
    parsed_value,
    rank_direction,
    resolve_polarity,
)
from .groups import ComparatorSet

__all__ = ["AggregationMethod", "aggregate_neighbours"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)
AggregationMethod = Literal["mean", "median", "pooled", "weighted_mean"]
_METHODS = ("mean", "median", "pooled", "weighted_mean")


@pandas_frames
def aggregate_neighbours(
    rates: F,
    sn: ComparatorSet,
    *,
    method: AggregationMethod = "median",
    la: str = "la_code",
    year: str = "year",
    value: str = "value",
    numerator: str | None = None,
    denominator: str | None = None,
    weight: str | None = None,
    definition: IndicatorDefinition | None = None,
    polarity: Polarity | str | None = None,
    multiplier: float | None = None,
    pooled_as: Literal["rate", "proportion"] | None = None,
    confidence: float | Sequence[float] | None = 0.95,
    unit: str | None = None,
) -> F:
    """Each LA's value beside the aggregate of its comparator group, for every year.

    Parameters
    ----------
    rates
        One row per (LA, year); rows for England or regions may be present and are kept. ``value``
        may be text holding DfE symbols: such neighbours leave the aggregate and are listed in
        ``sn_missing``. A value that is not a finite number (NaN, an infinity, text such as
        ``1e400``) is an error naming the rows, as is a negative value where the definition's
        values cannot be negative (rates, proportions, counts).
    sn
        The comparator set (:func:`neighbour_set` or a council's own). Each LA's comparators are
        exactly ``sn.neighbours(la)``: its own group, else the first named group listing it
        (``sn_group`` says which); groups are never merged. The LA column may hold old LA
        numbers or ONS codes, in any mix.
    method
        ``"median"`` (DfE CSC dashboard; an even count averages the middle two), ``"mean"`` (LAIT,
        unweighted), ``"pooled"`` (sum of numerators / sum of denominators x multiplier, with a
        confidence interval; needs ``numerator`` and ``denominator``) or ``"weighted_mean"``
        (weighted by ``weight``, e.g. the 0-17 population).

        A member takes part (counts in ``sn_n``, ``sn_min``/``sn_max`` and the rank) when it has
        a value and, for ``"pooled"``, both a numerator and a denominator (whose sums are the
        pooled figure; a member whose value is withheld is not pooled), for
        ``"weighted_mean"`` a positive weight. Any other member is listed in ``sn_missing``.
        Negative or non-finite weights and counts are errors naming the column and the rows.
    la, year, value
        The LA code column, the year column and the value column.
    numerator, denominator
        The count columns pooled by ``"pooled"``.
    weight
        The weight column of ``"weighted_mean"``.
    definition, polarity
        Polarity for ranks (``polarity`` overrides the definition's). Rank 1 is best; with no
        polarity rank 1 is the highest value. For ``pooled`` the definition also gives the
        multiplier and whether counts pool as a rate or a proportion.
    multiplier, pooled_as
        For ``pooled`` without a definition (or to override it): the scale, and whether the
        counts pool as a ``"rate"`` (Poisson interval) or a ``"proportion"`` (Wilson).
    confidence
        The pooled figure's interval levels; ``None`` for none.
    unit
        A column naming each row's unit; more than one unit in the frame is an error.

    Returns
    -------
    F
        The caller's rows and columns, plus: ``sn_value``, ``sn_method``, ``sn_set`` (id@version),
        ``sn_group`` (the LA's group), ``sn_n`` (members taking part), ``sn_of`` (members in the
        group), ``sn_min``, ``sn_max``, ``sn_missing`` (the other members, as old LA numbers),
        ``sn_rank`` and ``sn_rank_of`` (the LA among itself and the members taking part, ties by
        minimum: "4/11"), ``sn_rank_order``, ``sn_reason`` (null unless ``sn_value`` is null) and,
        for ``pooled``, ``sn_lower_<level>``/``sn_upper_<level>``.

    Raises
    ------
    ValueError
        An unknown method; ``pooled`` without both count columns, or without a definition or
        ``pooled_as`` and a multiplier; ``weighted_mean`` without a weight column.
    MissingColumnError
        A column the frame does not have.
    InvalidValueError
        A value, count or weight that is text neither a number nor a symbol, not a finite
        number, or negative where it cannot be, naming the rows.
    DuplicateKeyError
        More than one row for an LA and year.
    DataError
        A code that is neither an LA's nor England's or a region's, more than one unit, a value
        column that holds neither numbers nor text, or a frame that already has an output
        column.

    Examples
    --------
    >>> import polars as pl
    >>> from cyp_indicators.compare import comparator_set
    >>> sets = comparator_set("east", [("874", ["873", "882", "881"])])
    >>> rates = pl.DataFrame({"la_code": ["874", "873", "882", "881", "E92000001"],
    ...                       "year": [2025] * 5, "value": ["72", "50", "90", "c", "70"]})
    >>> out = aggregate_neighbours(rates, sets, polarity="low_is_good")
    >>> out.filter(la_code="874").select("sn_value", "sn_n", "sn_of", "sn_missing", "sn_rank").row(0)
    (70.0, 2, 3, ['881'], 2)
    >>> out.filter(la_code="873")["sn_reason"].item()
    'z: not an LA with a group in east@1'
    """
    if method not in _METHODS:
        msg = f"method must be one of {set(_METHODS)}, got {method!r}"
        raise ValueError(msg)
    schema: pl.Schema = rates.collect_schema()
    required = [(la, "LA"), (year, "year"), (value, "value")]
    if method == "pooled":
        if numerator is None or denominator is None:
            msg = "method='pooled' needs numerator= and denominator= columns"
            raise ValueError(msg)
        required += [(numerator, "numerator"), (denominator, "denominator")]
    if method == "weighted_mean":
        if weight is None:
            msg = "method='weighted_mean' needs a weight= column (e.g. the 0-17 population)"
            raise ValueError(msg)
        required.append((weight, "weight"))
    if unit is not None:
        required.append((unit, "unit"))
    check_columns(schema, required, context=f"comparison with {sn.key}")

    check_readable(rates, value, schema[value], not_negative=cannot_be_negative(definition))
    for column, what in ((numerator, "a count"), (denominator, "a count"), (weight, "a weight")):
        if column is not None:
            check_readable(rates, column, schema[column], not_negative=what)
    base = rates.lazy().with_columns(
        canonical_expr(la).alias("__la"), *parsed_value(value, schema[value], alias="__v")
    )
    _check_codes(base, la, sn)
    _check_unique(base, year)
    if unit is not None:
        units = base.select(pl.col(unit).drop_nulls().unique()).collect()[unit].to_list()
        if len(units) > 1:
            msg = f"values in one comparison must share a unit; column {unit!r} has {sorted(map(str, units))}"
            raise DataError(msg)

    pol = resolve_polarity(polarity, definition)
    descending, order_label = rank_direction(pol)
    extra: list[pl.Expr] = []
    inputs = {
        "pooled": (("__num", numerator), ("__den", denominator)),
        "weighted_mean": (("__w", weight),),
    }.get(method, ())
    for alias, column in inputs:
        if column is not None:
            extra += parsed_value(column, schema[column], alias=alias)
    own = base.filter(pl.col("__la").is_not_null()).select("__la", pl.col(year), "__v", *extra)

    groups = (
        sn.to_frame()
        .lazy()
        .select(
            pl.col("la").alias("__la"),
            pl.col("member").alias("__member"),
            pl.col("rank").alias("__rank"),
        )
    )
    labels = pl.LazyFrame(
        [(la, g.label) for la, g in sn.group_of().items()],
        schema={"__la": pl.String, "sn_group": pl.String},
        orient="row",
    )
    years = own.select(pl.col(year)).unique()
    members = (
        groups.join(years, how="cross")
        .join(
            own.rename({"__la": "__member"}),
            on=["__member", year],
            how="left",
        )
        .join(own.select("__la", year, pl.col("__v").alias("__own")), on=["__la", year], how="left")
    )
    better = pl.col("__v") > pl.col("__own") if descending else pl.col("__v") < pl.col("__own")
    ok, needs = _taking_part(method)
    v = pl.col("__v").filter(ok)
    aggs: list[pl.Expr] = [
        pl.len().cast(pl.Int64).alias("sn_of"),
        ok.sum().cast(pl.Int64).alias("sn_n"),
        v.min().alias("sn_min"),
        v.max().alias("sn_max"),
        pl.col("__member").sort_by("__rank").filter((~ok).sort_by("__rank")).alias("sn_missing"),
        (better & ok).sum().cast(pl.Int64).alias("__better"),
    ]
    if method == "mean":
        aggs.append(v.mean().alias("sn_value"))
    elif method == "median":
        aggs.append(v.median().alias("sn_value"))
    elif method == "weighted_mean":
        weighted = (pl.col("__v") * pl.col("__w")).filter(ok).sum() / pl.col("__w").filter(ok).sum()
        aggs.append(pl.when(ok.any()).then(weighted).alias("sn_value"))
    else:
        aggs += [
            pl.col("__num").filter(ok).sum().alias("__pn"),
            pl.col("__den").filter(ok).sum().alias("__pd"),
        ]
    summary = members.group_by("__la", year).agg(aggs)
    pooled_cols: list[str] = []
    if method == "pooled":
        summary, pooled_cols = _pooled(summary, definition, multiplier, pooled_as, confidence)

    joined = (
        base.join(labels, on="__la", how="left", maintain_order="left")
        .join(summary, on=["__la", year], how="left", maintain_order="left")
        .with_columns(  # a group whose only member is the LA itself has no member rows
            pl.when(pl.col("sn_group").is_not_null()).then(pl.col(c).fill_null(fill)).alias(c)
            for c, fill in (("sn_of", 0), ("sn_n", 0), ("__better", 0), ("sn_missing", []))
        )
    )
    in_set = pl.col("sn_group").is_not_null()
    own_has = pl.col("__v").is_not_null()
    pooled_reason = pl.col("__pool_reason") if method == "pooled" else pl.lit(None, pl.String)
    result = joined.with_columns(
        pl.lit(method).alias("sn_method"),
        pl.lit(sn.key).alias("sn_set"),
        pl.when(in_set & own_has).then(pl.col("__better") + 1).alias("sn_rank"),
        pl.when(in_set & own_has).then(pl.col("sn_n") + 1).alias("sn_rank_of"),
        pl.lit(order_label).alias("sn_rank_order"),
        pl.when(~in_set)
        .then(pl.lit(f"z: not an LA with a group in {sn.key}"))
        .when(pl.col("sn_of") == 0)
        .then(pl.lit("x: the group has no member other than the LA"))
        .when(pl.col("sn_n") == 0)
        .then(pl.lit(f"x: no member of the group has {needs}"))
        .when(pl.col("sn_value").is_null())
        .then(pooled_reason)
        .alias("sn_reason"),
    )
    out_cols = [
        "sn_value", "sn_method", "sn_set", "sn_group", "sn_n", "sn_of", "sn_min", "sn_max",
        "sn_missing", "sn_rank", "sn_rank_of", "sn_rank_order", *pooled_cols, "sn_reason",
    ]  # fmt: skip
    clashes = [c for c in out_cols if c in schema]
    if clashes:
        msg = f"the frame already has column(s) {', '.join(map(repr, clashes))}; rename them first"
        raise DataError(msg)
    final = result.select(*(pl.col(c) for c in schema), *(pl.col(c) for c in out_cols))
    if isinstance(rates, pl.DataFrame):
        return final.collect()
    return final


def _pooled(
    summary: pl.LazyFrame,
    definition: IndicatorDefinition | None,
    multiplier: float | None,
    pooled_as: Literal["rate", "proportion"] | None,
    confidence: float | Sequence[float] | None,
) -> tuple[pl.LazyFrame, list[str]]:
    kind = pooled_as
    if kind is None and definition is not None:
        kind = "rate" if definition.family.value == "rate" else "proportion"
    if kind is None:
        msg = "method='pooled' needs definition= or pooled_as='rate'/'proportion'"
        raise ValueError(msg)
    mult = multiplier if multiplier is not None else (definition.multiplier if definition else None)
    if mult is None:
        msg = "method='pooled' needs definition= or multiplier="
        raise ValueError(msg)
    levels = normalise_confidence(confidence)
    fn = rate if kind == "rate" else proportion
    computed = fn(summary, "__pn", "__pd", multiplier=mult, confidence=levels)
    bounds = [f"{side}_{confidence_label(c)}" for c in levels for side in ("lower", "upper")]
    renamed = computed.rename(
        {"value": "sn_value", "reason": "__pool_reason", **{b: f"sn_{b}" for b in bounds}}
    ).drop("numerator", "denominator", "method", "__pn", "__pd")
    return renamed, [f"sn_{b}" for b in bounds]


def _taking_part(method: str) -> tuple[pl.Expr, str]:
    """Whether a member takes part in the aggregate, and what it needs (for the reason)."""
    has = pl.col("__v").is_not_null()
    if method == "weighted_mean":
        return has & (pl.col("__w") > 0).fill_null(False), "a value and a positive weight"
    if method == "pooled":
        counts = pl.col("__num").is_not_null() & pl.col("__den").is_not_null()
        return has & counts, "a value, a numerator and a denominator"
    return has, "a value"


def _check_codes(base: pl.LazyFrame, la: str, sn: ComparatorSet) -> None:
    unknown = (
        base.filter(pl.col("__la").is_null())
        .select(pl.col(la).cast(pl.String).str.strip_chars().unique())
        .collect()[la]
        .to_list()
    )
    bad = sorted(str(c) for c in unknown if c is None or not is_aggregate_code(str(c)))
    if bad:
        msg = (
            f"code(s) {', '.join(map(repr, bad))} in column {la!r} are neither LA codes nor "
            f"England/region codes (comparing with {sn.key})"
        )
        raise DataError(msg)


def _check_unique(base: pl.LazyFrame, year: str) -> None:
    dups = (
        base.filter(pl.col("__la").is_not_null())
        .group_by("__la", year)
        .len()
        .filter(pl.col("len") > 1)
        .sort("__la", year)
        .collect()
    )
    if dups.height:
        raise DuplicateKeyError(["la", year], [tuple(r) for r in dups.select("__la", year).rows()])
