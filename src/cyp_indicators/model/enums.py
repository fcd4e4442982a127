"""The closed vocabularies of a definition: family, polarity, period type, CI method."""

from __future__ import annotations

import enum

__all__ = ["CIMethod", "Family", "PeriodType", "Polarity"]


class Family(enum.Enum):
    """The kind of measure; decides how :func:`cyp_indicators.compute` calculates it."""

    RATE = "rate"
    PROPORTION = "proportion"
    CONVERSION = "conversion"
    COUNT = "count"
    MEAN = "mean"
    POINTS = "points"
    DURATION = "duration"
    DIFFERENCE = "difference"
    EXPECTED_PROGRESS = "expected_progress"


class Polarity(enum.Enum):
    """Whether a higher value is better.

    Fingertips' "RAG - High is good" / "RAG - Low is good" / "Not applicable" and LAIT's
    High / Low / "-" map onto these three (see :meth:`from_label`).
    """

    HIGH_IS_GOOD = "high_is_good"
    LOW_IS_GOOD = "low_is_good"
    NOT_APPLICABLE = "not_applicable"

    @classmethod
    def from_label(cls, label: str) -> Polarity:
        """Read a LAIT or Fingertips polarity label ("High", "RAG - Low is good", "-", ...)."""
        text = label.strip().lower()
        if text in {"high", "rag - high is good", "high_is_good", "1"}:
            return cls.HIGH_IS_GOOD
        if text in {"low", "rag - low is good", "low_is_good", "0"}:
            return cls.LOW_IS_GOOD
        if text in {
            "-",
            "",
            "not applicable",
            "not_applicable",
            "bob - blue orange blue",
            "-1",
            "99",
        }:
            return cls.NOT_APPLICABLE
        msg = f"unknown polarity label {label!r}; expected High, Low, '-' or a Fingertips label"
        raise ValueError(msg)

    def __str__(self) -> str:
        return self.value.replace("_", " ")


class PeriodType(enum.Enum):
    """The period one value of the indicator covers."""

    SNAPSHOT_31_MARCH = "snapshot_31_march"
    SNAPSHOT_31_AUGUST = "snapshot_31_august"
    SNAPSHOT_30_SEPTEMBER = "snapshot_30_september"
    SNAPSHOT_JANUARY = "snapshot_january"
    FINANCIAL_YEAR = "financial_year"
    ACADEMIC_YEAR = "academic_year"
    CALENDAR_YEAR = "calendar_year"
    YEAR_TO_DATE = "year_to_date"
    ROLLING_12_MONTHS = "rolling_12_months"


class CIMethod(enum.Enum):
    """How the confidence interval is computed.

    ``BYAR_EXACT``: exact Poisson below a count of 10, Byar's from 10 (PHE practice for rates).
    ``NORMAL``: a mean -/+ z x standard deviation / sqrt(n) (DfE's Progress 8 intervals).
    """

    WILSON = "wilson"
    BYAR_EXACT = "byar_exact"
    EXACT = "exact"
    NORMAL = "normal"
    NONE = "none"
