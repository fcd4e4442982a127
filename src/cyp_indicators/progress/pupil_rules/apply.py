"""Applying a definition's pupil rule to pupil rows."""

from __future__ import annotations

from typing import TypeVar

import polars as pl

from ...errors import DataError
from ...model import Family, IndicatorDefinition, PupilRule
from ._registry import Kind, PupilRuleSpec, resolve

__all__ = ["PUPIL_REASON", "PUPIL_VALUE", "apply_pupil_rule", "rule_kind"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)

#: The columns :func:`apply_pupil_rule` adds.
PUPIL_VALUE = "pupil_value"
PUPIL_REASON = "exclusion_reason"

_SHARES = {Family.PROPORTION, Family.CONVERSION, Family.EXPECTED_PROGRESS}
_MEANS = {Family.MEAN, Family.POINTS}


def rule_kind(definition: IndicatorDefinition) -> Kind:
    """What the definition's family needs per pupil: ``share`` (true/false) or ``mean``.

    Parameters
    ----------
    definition
        A definition.

    Returns
    -------
    Kind
        ``"share"`` for proportions, conversions and expected progress; ``"mean"`` for means
        and points.

    Raises
    ------
    DataError
        Any other family (pupil rules are for shares and means).

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> cat = cyp.load_catalogue()
    >>> rule_kind(cat.get("attainment_8")), rule_kind(cat.get("persistent_absence_pct", year=2024))
    ('mean', 'share')
    """
    if definition.family in _SHARES:
        return "share"
    if definition.family in _MEANS:
        return "mean"
    msg = f"pupil rules are for shares and means; {definition.key} is a {definition.family.value}"
    raise DataError(msg)


def _spec(
    definition: IndicatorDefinition, rule: PupilRule | None
) -> tuple[PupilRuleSpec, PupilRule]:
    ref = rule if rule is not None else definition.pupil_rule
    if ref is None:
        msg = (
            f"{definition.key} names no pupil rule: pass value= (the column holding each "
            "pupil's outcome) or use a definition with a [pupil_rule]"
        )
        raise DataError(msg)
    spec = resolve(
        ref.name, ref.params, family_kind=rule_kind(definition), definition=definition.key
    )
    return spec, ref


def apply_pupil_rule(
    definition: IndicatorDefinition, pupils: F, *, rule: PupilRule | None = None
) -> F:
    """Each pupil's outcome under the definition's pupil rule, and why a pupil is left out.

    Parameters
    ----------
    definition
        A share (``proportion``...) or mean definition with a ``[pupil_rule]``.
    pupils
        One row per pupil (an enrolment, for absence), with the columns the rule's parameters
        name. A DataFrame gives a DataFrame, a LazyFrame a LazyFrame.
    rule
        A rule to apply instead of the definition's own (the same registry and checks).

    Returns
    -------
    F
        The pupils with every column kept and two added: ``pupil_value`` (true/false for a share,
        a number for a mean; null for a pupil left out) and ``exclusion_reason`` (null for a
        counted pupil, else ``"<reason code>: words"``, the code one of ``not_in_cohort``,
        ``missing_result``, ``unknown_code``, ``non_finite``, ``out_of_range``).

    Raises
    ------
    MissingColumnError
        A column the rule names is not in the frame (the error names it, the rule and the
        parameter).
    DataError
        No rule, a rule or parameter the registry does not know (with close matches), a rule
        whose kind does not suit the family, a column of the wrong type, or a frame that
        already has ``pupil_value`` or ``exclusion_reason``.

    Examples
    --------
    >>> import cyp_indicators as cyp, polars as pl
    >>> d = cyp.load_catalogue().get("persistent_absence_pct", year=2024)
    >>> enrolments = pl.DataFrame({"sessions_missed": [38, 37, 0], "sessions_possible": [380, 380, 0]})
    >>> cyp.apply_pupil_rule(d, enrolments)["pupil_value"].to_list()
    [True, False, None]
    """
    spec, ref = _spec(definition, rule)
    schema = pupils.collect_schema()
    taken = [c for c in (PUPIL_VALUE, PUPIL_REASON) if c in schema]
    if taken:
        msg = f"{definition.key}: the pupil frame already has column {taken[0]!r}, which the pupil rule adds; rename it"
        raise DataError(msg)
    exprs = spec.expressions(schema, ref.params, definition.key)
    dtype = pl.Boolean if spec.kind == "share" else pl.Float64
    return pupils.with_columns(
        exprs.value.cast(dtype).alias(PUPIL_VALUE), exprs.reason.alias(PUPIL_REASON)
    )
