"""Attainment definitions computed from pupil-level rows (one row per pupil)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..compute import compute
from ..errors import DataError
from ..model import Family, IndicatorDefinition
from ..stats.checks import check_columns
from .pupil_rules import PUPIL_REASON, PUPIL_VALUE, apply_pupil_rule

__all__ = ["compute_from_pupils"]

_SHARES = {Family.PROPORTION, Family.CONVERSION, Family.EXPECTED_PROGRESS}
_MEANS = {Family.MEAN, Family.POINTS}
_ALL = "__all"
_N = "__pupils"


def compute_from_pupils(
    definition: IndicatorDefinition,
    pupils: pl.DataFrame | pl.LazyFrame,
    *,
    value: str | None = None,
    by: Sequence[str] = (),
    sd: float | None = None,
    confidence: float | Sequence[float] | bool | None = True,
) -> pl.DataFrame:
    """Aggregate pupil rows into the definition's numerator and denominator, then compute.

    For a proportion (``ks2_rwm_expected_standard_pct``...) each pupil counts as achieving or
    not; for a mean or points measure (``attainment_8``...) each pupil has a number. Without
    ``value``, the definition's ``[pupil_rule]`` decides it from the pupil columns the rule names
    (:func:`apply_pupil_rule`: DfE's rule, cited in the definition); with ``value``, that column
    holds it (a boolean per pupil for a share, a number for a mean), as the caller decided it.

    Parameters
    ----------
    definition
        A share or mean definition.
    pupils
        One row per pupil (per enrolment, for absence).
    value
        The column holding each pupil's outcome; ``None`` applies the definition's pupil rule.
    by
        Columns to group pupils by (``pupil_group``, ``school_type``...).
    sd
        For a mean, the standard deviation of its interval (DfE uses the national one for
        Progress 8); otherwise the pupils' own.
    confidence
        As for :func:`compute`.

    Returns
    -------
    polars.DataFrame
        One row per group: the ``by`` columns, ``pupils_excluded`` (pupils left out: a null
        ``value``, or left out by the rule), under a rule ``exclusion_reasons`` (each reason with
        its number of pupils, ``"reason (n); ..."``, most frequent first; null when none), and
        the result columns of :func:`compute`.

    Raises
    ------
    MissingColumnError
        A column named by ``value``, ``by`` or the rule is not in the frame.
    DataError
        A value column of the wrong type, no ``value`` and no rule, a rule the registry does
        not know, or a family other than a share or a mean.

    Examples
    --------
    >>> import cyp_indicators as cyp, polars as pl
    >>> d = cyp.load_catalogue().get("persistent_absence_pct", year=2024)
    >>> enrolments = pl.DataFrame({"sessions_missed": [38, 37, 5, 0], "sessions_possible": [380, 380, 40, 0]})
    >>> out = cyp.compute_from_pupils(d, enrolments, confidence=None)
    >>> out.select("numerator", "denominator", "pupils_excluded").row(0)
    (2.0, 3.0, 1)
    """
    schema = pupils.collect_schema()
    check_columns(schema, [(b, "group") for b in by], context=definition.key)
    keys = list(by)
    ruled = value is None
    if value is None:
        pupils = apply_pupil_rule(definition, pupils.lazy())
        value = PUPIL_VALUE
        schema = pupils.collect_schema()
    check_columns(schema, [(value, "pupil value")], context=definition.key)
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
    frame = pupils.lazy() if keys else pupils.lazy().with_columns(pl.lit(1).alias(_ALL))
    group = keys or [_ALL]
    grouped = frame.group_by(group, maintain_order=True).agg(
        *aggs, v.null_count().alias("pupils_excluded")
    )
    if ruled:
        grouped = grouped.join(
            _reasons(frame, group), on=group, how="left", nulls_equal=True, maintain_order="left"
        )
    if not keys:
        grouped = grouped.drop(_ALL)
    return compute(definition, grouped.collect(), confidence=confidence)


def _reasons(frame: pl.LazyFrame, group: list[str]) -> pl.LazyFrame:
    """Per group, each exclusion reason with its number of pupils, most frequent first."""
    return (
        frame.filter(pl.col(PUPIL_REASON).is_not_null())
        .group_by([*group, PUPIL_REASON])
        .agg(pl.len().alias(_N))
        .sort([*group, _N, PUPIL_REASON], descending=[*(False for _ in group), True, False])
        .group_by(group, maintain_order=True)
        .agg(
            pl.concat_str(
                pl.col(PUPIL_REASON), pl.lit(" ("), pl.col(_N).cast(pl.String), pl.lit(")")
            )
            .str.join("; ")
            .alias("exclusion_reasons")
        )
    )
