"""The definition model: frozen value classes, no file formats and no polars."""

from .definition import (
    Breakdown,
    BreakdownLevel,
    ChangelogEntry,
    DerivationRef,
    Disclosure,
    EESSeries,
    IndicatorDefinition,
    Measure,
    PopulationSpec,
    Presentation,
    Provenance,
    PupilRule,
)
from .enums import CIMethod, Family, PeriodType, Polarity
from .matrix import MatrixAxis, Outcome, ProgressMatrix, normalise_code
from .version import Version

__all__ = [
    "Breakdown",
    "BreakdownLevel",
    "CIMethod",
    "ChangelogEntry",
    "DerivationRef",
    "Disclosure",
    "EESSeries",
    "Family",
    "IndicatorDefinition",
    "MatrixAxis",
    "Measure",
    "Outcome",
    "PeriodType",
    "Polarity",
    "PopulationSpec",
    "Presentation",
    "ProgressMatrix",
    "Provenance",
    "PupilRule",
    "Version",
    "normalise_code",
]
