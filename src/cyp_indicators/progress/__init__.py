"""Expected progress and attainment: matrices, pupil classification, group rates, transition matrices."""

from .classify import classify_progress
from .pupils import compute_from_pupils
from .rates import progress_rates
from .transition import suppress_transition, transition_from_counts, transition_matrix

__all__ = [
    "classify_progress",
    "compute_from_pupils",
    "progress_rates",
    "suppress_transition",
    "transition_from_counts",
    "transition_matrix",
]
