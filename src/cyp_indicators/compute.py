"""Apply a definition to a frame of counts: the one place the model meets the statistics core."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from .errors import DataError
from .model import CIMethod, Family, IndicatorDefinition
from .pandas_frames import pandas_frames_after_definition
from .results import ResultProvenance, carry
from .stats.difference import difference
from .stats.measures import RateMethod, count, mean, proportion, rate

__all__ = ["compute"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


@pandas_frames_after_definition
def compute(
    definition: IndicatorDefinition,
    frame: F,
    *,
    numerator: str | None = None,
    denominator: str | None = None,
    confidence: float | Sequence[float] | bool | None = True,
    by: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
) -> F:
    """Compute ``definition`` on ``frame`` of counts.

    ``numerator`` and ``denominator`` name the input columns; by default the columns the
    definition expects (``definition.numerator.column``). ``confidence`` defaults to the
    definition's levels (95 % and 99.8 %); pass levels to override or ``None`` for none. The result
    keeps the caller's columns, adds the statistics core's columns (``numerator``, ``denominator``,
    ``value``, ``lower_95``, ``upper_95``, ..., ``method``, ``reason``), then ``indicator_id`` and
    ``indicator_version``. Values are unrounded; :func:`present` rounds them for publication.
    The result is a :class:`~cyp_indicators.results.ResultFrame` (a polars DataFrame, or a
    ``ResultLazyFrame`` for a LazyFrame) carrying the definition and, where the frame has a
    ``population_vintage`` column (:func:`attach_population`), the population vintage.

    Raises :class:`MissingColumnError` naming the column and the definition when a column is
    absent, and :class:`DataError` for families ``compute`` does not calculate.
    """
    context = f"definition {definition.key}"
    levels: float | Sequence[float] | None
    if confidence is True:
        levels = None if definition.ci_method is CIMethod.NONE else definition.confidence_levels
    elif confidence is False:
        levels = None
    else:
        levels = confidence
    num = numerator or definition.numerator.column
    family = definition.family
    if family is Family.COUNT:
        # full-time equivalents (unit fte) are counts that need not be whole
        fte = definition.unit_name == "fte"
        result = count(frame, num, by=by, keys=keys, context=context, whole=not fte)
    elif family is Family.DIFFERENCE and definition.denominator is not None:
        # a gap between two groups' figures: the first minus the second (no interval)
        result = difference(
            frame, num, denominator or definition.denominator.column, keys=keys, context=context
        )
    elif family in (Family.MEAN, Family.POINTS) and definition.denominator is not None:
        sd = definition.spread.column if definition.spread and levels else None
        result = mean(
            frame, num, denominator or definition.denominator.column, sd=sd,
            confidence=levels, by=by, keys=keys, context=context,
        )  # fmt: skip
    elif family in (Family.RATE, Family.PROPORTION, Family.CONVERSION, Family.EXPECTED_PROGRESS):
        if definition.denominator is None:  # guarded by the model; kept for type narrowing
            msg = f"{context} has no denominator"
            raise DataError(msg)
        den = denominator or definition.denominator.column
        if family is Family.RATE:
            method: RateMethod = "exact" if definition.ci_method is CIMethod.EXACT else "byar_exact"
            result = rate(
                frame,
                num,
                den,
                multiplier=definition.multiplier,
                confidence=levels,
                method=method,
                by=by,
                keys=keys,
                context=context,
            )
        else:
            result = proportion(
                frame,
                num,
                den,
                multiplier=definition.multiplier,
                confidence=levels,
                by=by,
                keys=keys,
                context=context,
                flows=family is Family.CONVERSION,  # two flows of a year: may exceed 100 %
            )
    else:
        msg = (
            f"compute() calculates rate, proportion, conversion, expected-progress, count, mean, "
            f"points and difference definitions; "
            f"{definition.key} is a {family.value} definition"
        )
        raise DataError(msg)
    out = result.with_columns(
        pl.lit(definition.id).alias("indicator_id"),
        pl.lit(str(definition.version)).alias("indicator_version"),
    )
    vintage = None
    if isinstance(frame, pl.DataFrame) and "population_vintage" in frame.columns:
        vintages = frame["population_vintage"].drop_nulls().unique().sort().to_list()
        vintage = "; ".join(map(str, vintages)) or None
    provenance = ResultProvenance(
        produced_by="compute", definitions=(definition,), population_vintage=vintage
    )
    return carry(out, provenance)
