"""Pupil-level rules: how one pupil's row decides an attainment or absence measure, as DfE
defines it. A definition names a rule in its ``[pupil_rule]`` table (name, citation, parameters
as data); :func:`apply_pupil_rule` and :func:`~cyp_indicators.compute_from_pupils` apply it."""

from . import absence, attainment, early_years  # noqa: F401  (they register their rules)
from ._registry import PUPIL_RULES, REASONS, PupilRuleSpec
from .apply import PUPIL_REASON, PUPIL_VALUE, apply_pupil_rule

__all__ = [
    "PUPIL_REASON",
    "PUPIL_RULES",
    "PUPIL_VALUE",
    "REASONS",
    "PupilRuleSpec",
    "apply_pupil_rule",
]
