"""Expected progress and attainment: matrices, pupil classification, group rates, transition
matrices, and pupil-level rules (DfE's rule for one pupil's row, named by a definition)."""

from .classify import classify_progress
from .pupil_rules import PUPIL_RULES, PupilRuleSpec, apply_pupil_rule
from .pupils import compute_from_pupils
from .rates import progress_rates
from .transition import suppress_transition, transition_from_counts, transition_matrix

__all__ = [
    "PUPIL_RULES",
    "PupilRuleSpec",
    "apply_pupil_rule",
    "classify_progress",
    "compute_from_pupils",
    "progress_rates",
    "suppress_transition",
    "transition_from_counts",
    "transition_matrix",
]
