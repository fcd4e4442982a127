"""The definition model: frozen value classes, no file formats and no polars."""

from .definition import (
    ChangelogEntry,
    DerivationRef,
    Disclosure,
    IndicatorDefinition,
    Measure,
    PopulationSpec,
    Presentation,
    Provenance,
)
from .enums import CIMethod, Family, PeriodType, Polarity
from .matrix import MatrixAxis, Outcome, ProgressMatrix, normalise_code
from .version import Version

__all__ = [
    "CIMethod",
    "ChangelogEntry",
    "DerivationRef",
    "Disclosure",
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
    "Version",
    "normalise_code",
]
