"""The closed vocabularies of a definition: family, polarity, period type, CI method."""

from __future__ import annotations

import enum

__all__ = ["CIMethod", "Family", "PeriodType", "Polarity"]


class Family(enum.Enum):
    """The kind of measure; decides how :func:`cyp_indicators.compute` calculates it.

    Attributes
    ----------
    RATE
        numerator / denominator x multiplier (per 10,000 children): exact Poisson or Byar's
        interval.
    PROPORTION
        A share of a cohort (a percentage): Wilson interval; the numerator may not exceed the
        denominator.
    CONVERSION
        One flow of a year over another (ICPCs over section 47 enquiries): as a proportion, but it
        may exceed 100 % (no interval there).
    COUNT
        The count itself: no denominator, no interval.
    MEAN
        total / pupils: normal interval when the definition names a spread.
    POINTS
        A mean of points (Attainment 8), computed as a mean.
    DURATION
        Days or months between events, from record-level returns: :func:`~cyp_indicators.compute`
        refuses it.
    DIFFERENCE
        The first figure minus the second (a gap between two groups), no interval.
    EXPECTED_PROGRESS
        made / (made + not made) x 100 from a progress matrix: Wilson interval.

    Examples
    --------
    >>> Family("rate"), Family.EXPECTED_PROGRESS.value
    (<Family.RATE: 'rate'>, 'expected_progress')
    """

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
    High / Low / "-" map onto these three (see :meth:`from_label`). ``str()`` gives the value in
    words.

    Attributes
    ----------
    HIGH_IS_GOOD
        A higher value is better (children's needs met, attainment).
    LOW_IS_GOOD
        A lower value is better (re-referrals, absence).
    NOT_APPLICABLE
        Neither (a rate of children looked after says nothing good or bad alone).

    Examples
    --------
    >>> Polarity("low_is_good"), str(Polarity.HIGH_IS_GOOD)
    (<Polarity.LOW_IS_GOOD: 'low_is_good'>, 'high is good')
    """

    HIGH_IS_GOOD = "high_is_good"
    LOW_IS_GOOD = "low_is_good"
    NOT_APPLICABLE = "not_applicable"

    @classmethod
    def from_label(cls, label: str) -> Polarity:
        """Read a LAIT or Fingertips polarity label (compared trimmed, in any case).

        Parameters
        ----------
        label
            ``"High"``, ``"Low"``, ``"-"``, ``"RAG - High is good"``, ``"RAG - Low is good"``, ``"Not
            applicable"``, ``"BOB - Blue orange blue"``, Fingertips' codes ``"1"``, ``"0"``, ``"-1"``,
            ``"99"``, an empty label, or a value (``"low_is_good"``).

        Returns
        -------
        Polarity
            The polarity (blue-orange-blue, a difference with no good side, is not applicable).

        Raises
        ------
        ValueError
            Any other label, naming it.

        Examples
        --------
        >>> Polarity.from_label("RAG - Low is good"), Polarity.from_label("-")
        (<Polarity.LOW_IS_GOOD: 'low_is_good'>, <Polarity.NOT_APPLICABLE: 'not_applicable'>)
        """
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
    """The period one value of the indicator covers.

    :func:`cyp_indicators.years.period_bounds` gives its days for a collection year.

    Attributes
    ----------
    SNAPSHOT_31_MARCH
        A count on 31 March of the collection year (children looked after at 31 March).
    SNAPSHOT_31_AUGUST
        A count on 31 August.
    SNAPSHOT_30_SEPTEMBER
        A count on 30 September (the social care workforce census).
    SNAPSHOT_JANUARY
        The January school census (taken as 31 January).
    FINANCIAL_YEAR
        April of the previous year to March.
    ACADEMIC_YEAR
        September of the previous year to August.
    CALENDAR_YEAR
        January to December.
    YEAR_TO_DATE
        To 31 March (the days of a financial year).
    ROLLING_12_MONTHS
        The 12 months to 31 March.

    Examples
    --------
    >>> PeriodType("academic_year")
    <PeriodType.ACADEMIC_YEAR: 'academic_year'>
    """

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

    Attributes
    ----------
    WILSON
        Wilson score interval, for proportions.
    BYAR_EXACT
        Exact Poisson below a count of 10, Byar's from 10 (PHE practice for rates).
    EXACT
        Exact Poisson (chi-square) for every count.
    NORMAL
        A mean -/+ z x standard deviation / sqrt(n) (DfE's Progress 8 intervals).
    NONE
        No interval.

    Examples
    --------
    >>> CIMethod("byar_exact"), CIMethod.NONE.value
    (<CIMethod.BYAR_EXACT: 'byar_exact'>, 'none')
    """

    WILSON = "wilson"
    BYAR_EXACT = "byar_exact"
    EXACT = "exact"
    NORMAL = "normal"
    NONE = "none"
