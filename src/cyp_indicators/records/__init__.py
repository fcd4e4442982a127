"""Record-level data: readers for the CIN census and SSDA903, periods, working days, derivations."""

from .accounting import EXCLUSION_SCHEMA, RecordFileWarning, exclusions_frame, problems
from .coverage import Coverage, coverage, record_span
from .derive import Derivation, derive
from .periods import Period, PeriodSeries, age_on
from .readers import SSDA903, CINCensus, read_cin_census, read_cin_tables, read_ssda903
from .registry import DERIVATIONS
from .workdays import WorkingDayCalendar, add_working_days_expr, working_days_between_expr

__all__ = [
    "DERIVATIONS",
    "EXCLUSION_SCHEMA",
    "SSDA903",
    "CINCensus",
    "Coverage",
    "Derivation",
    "Period",
    "PeriodSeries",
    "RecordFileWarning",
    "WorkingDayCalendar",
    "add_working_days_expr",
    "age_on",
    "coverage",
    "derive",
    "exclusions_frame",
    "problems",
    "read_cin_census",
    "read_cin_tables",
    "read_ssda903",
    "record_span",
    "working_days_between_expr",
]
