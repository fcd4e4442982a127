"""The definition model: frozen value classes, no file formats and no polars."""

from .definition import (
    ChangelogEntry,
    Disclosure,
    IndicatorDefinition,
    Measure,
    PopulationSpec,
    Presentation,
    Provenance,
)
from .enums import CIMethod, Family, PeriodType, Polarity
from .version import Version

__all__ = [
    "CIMethod",
    "ChangelogEntry",
    "Disclosure",
    "Family",
    "IndicatorDefinition",
    "Measure",
    "PeriodType",
    "Polarity",
    "PopulationSpec",
    "Presentation",
    "Provenance",
    "Version",
]
