"""Attainment definitions computed from pupil-level rows (one row per pupil)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..compute import compute
from ..errors import DataError
from ..model import Family, IndicatorDefinition
from ..stats.checks import check_columns

__all__ = ["compute_from_pupils"]

_SHARES = {Family.PROPORTION, Family.CONVERSION, Family.EXPECTED_PROGRESS}
_MEANS = {Family.MEAN, Family.POINTS}


def compute_from_pupils(
    definition: IndicatorDefinition,
    pupils: pl.DataFrame | pl.LazyFrame,
    *,
    value: str,
    by: Sequence[str] = (),
    sd: float | None = None,
    confidence: float | Sequence[float] | bool | None = True,
) -> pl.DataFrame:
    """Aggregate pupil rows into the definition's numerator and denominator, then compute.

    For a proportion (``ks2_level4_maths_pct``...), ``value`` is a boolean per pupil (achieved or
    not); for a mean or points measure (``attainment_8``...), a number per pupil. Pupils whose
    ``value`` is null leave the calculation and are counted in ``pupils_excluded``. A mean's
    interval uses ``sd`` when given (DfE uses the national standard deviation for Progress 8),
    otherwise the pupils' own standard deviation. Returns ``by`` columns, ``pupils_excluded`` and
    the result columns of :func:`compute`.
    """
    schema = pupils.collect_schema()
    check_columns(
        schema, [(value, "pupil value"), *((b, "group") for b in by)], context=definition.key
    )
    keys = list(by)
    v = pl.col(value)
    num, den = (
        definition.numerator.column,
        definition.denominator.column if definition.denominator else None,
    )
    if den is None:
        msg = f"{definition.key} has no denominator to count pupils into"
        raise DataError(msg)
    if definition.family in _SHARES:
        if schema[value] != pl.Boolean:
            msg = f"{definition.key} is a share: column {value!r} must be true/false per pupil, got {schema[value]}"
            raise DataError(msg)
        aggs = [v.cast(pl.Int64).sum().alias(num), v.count().alias(den)]
    elif definition.family in _MEANS:
        if not schema[value].is_numeric():
            msg = f"{definition.key} is a mean: column {value!r} must be numeric per pupil, got {schema[value]}"
            raise DataError(msg)
        aggs = [v.sum().alias(num), v.count().alias(den)]
        if definition.spread is not None:
            aggs.append(
                (pl.lit(sd) if sd is not None else v.std(ddof=1)).alias(definition.spread.column)
            )
    else:
        msg = f"compute_from_pupils handles shares and means; {definition.key} is a {definition.family.value}"
        raise DataError(msg)
    grouped = (
        pupils.lazy()
        .group_by(keys or pl.lit(1).alias("__all"), maintain_order=True)
        .agg(*aggs, v.null_count().alias("pupils_excluded"))
    )
    if not keys:
        grouped = grouped.drop("__all")
    return compute(definition, grouped.collect(), confidence=confidence)
