"""Collection years: the one place that says which days a year's figure covers, and how DfE's
published year labels map onto collection years.

A *collection year* is an integer: the year in which the reporting period ends. 2024 is the
snapshot on 31 March 2024, the financial year April 2023 to March 2024, the academic year
2023/24 (September 2023 to August 2024), the calendar year 2024, the January 2024 school census
and the 30 September 2024 workforce census. Each :class:`~cyp_indicators.PeriodType` has its rule
in :func:`period_bounds`.

DfE and LAIT label years in several forms; :func:`parse_time_label` reads each:

=====================  ==================  ===========================================================
label                  collection year     meaning
=====================  ==================  ===========================================================
``2024``               2024                the year itself (a 31 March snapshot, a calendar year, a
                                           census in 2024: the measure's period type says which)
``2023-24``            2024                a financial year (April 2023 to March 2024) or an academic
                                           year written with a hyphen
``2023/24``            2024                an academic year (September 2023 to August 2024)
``202324``             2024                EES's ``time_period`` for a financial or academic year
``2014-16``            2016                three calendar years, 2014 to 2016 (a 3-year figure)
``2021/22-23/24``      2024                three academic or financial years ending 2023/24
``2024 (Rev)``         2024                revised figures (replacing an earlier provisional release)
``2025 (prov)``        2025                provisional figures (to be revised)
``2020 (Final)``       2020                final figures
``2023-24 (OT)``       2024                outturn: what was spent (finance), beside the budget
                                           published for the year without the marker
=====================  ==================  ===========================================================
"""

from __future__ import annotations

import re
from datetime import date

import attrs

from .errors import DataError
from .model.enums import PeriodType

__all__ = ["TimeLabel", "parse_time_label", "period_bounds", "period_end"]

_STATUS = {"rev": "revised", "prov": "provisional", "final": "final", "ot": "outturn"}
_SINGLE = re.compile(r"^(\d{4})$")
_FY = re.compile(r"^(\d{4})[-/](\d{2})$")
_EES_FY = re.compile(r"^(\d{4})(\d{2})$")
_CAL_SPAN = re.compile(r"^(\d{4})-(\d{2})$")
_AY_SPAN = re.compile(r"^(\d{4})/(\d{2})-(\d{2})/(\d{2})$")
_MARKER = re.compile(r"^(.*?)\s*\((rev|prov|final|ot)\)$", re.IGNORECASE)


@attrs.frozen
class TimeLabel:
    """A published year label read: the collection year it maps to and what else it says.

    Parameters
    ----------
    label
        The label as published.
    year
        The collection year (the year the reporting period ends).
    span
        The number of years the figure covers (3 for ``2014-16``).
    status
        ``"revised"``, ``"provisional"``, ``"final"``, ``"outturn"`` or None.

    Examples
    --------
    >>> parse_time_label("2025 (prov)")
    TimeLabel(label='2025 (prov)', year=2025, span=1, status='provisional')
    """

    label: str
    year: int
    span: int = 1
    status: str | None = None


def _century(first: int, two: str) -> int:
    """The four-digit year ending ``two`` that follows ``first`` (2023, "24" -> 2024)."""
    year = first - first % 100 + int(two)
    return year + 100 if year < first else year


def parse_time_label(label: str, *, measure: str | None = None) -> TimeLabel:
    """Read a DfE or LAIT year label (see the module table) as a :class:`TimeLabel`.

    Parameters
    ----------
    label
        As published: ``"2024"``, ``"2023-24"``, ``"2023/24"``, ``"202324"``, ``"2014-16"``,
        ``"2021/22-23/24"``, with an optional ``(Rev)``, ``(prov)``, ``(Final)`` or ``(OT)``.
    measure
        Named in the error message when the label cannot be read.

    Returns
    -------
    TimeLabel
        The label as given, its collection year, span and status.

    Raises
    ------
    DataError
        For a label of no known form, naming it (and the measure).

    Examples
    --------
    >>> parse_time_label("2023-24 (OT)")
    TimeLabel(label='2023-24 (OT)', year=2024, span=1, status='outturn')
    >>> parse_time_label("2021/22-23/24").year, parse_time_label("2014-16").span
    (2024, 3)
    """
    text = str(label).strip()
    status = None
    marked = _MARKER.match(text)
    if marked:
        text, status = marked[1].strip(), _STATUS[marked[2].lower()]
    year: int | None = None
    span = 1
    if m := _SINGLE.match(text):
        year = int(m[1])
    elif m := _AY_SPAN.match(text):
        first = _century(int(m[1]), m[2])
        year = _century(first, m[4])
        span = year - int(m[1])
        if _century(int(m[1]), m[2]) != int(m[1]) + 1 or span != 3:
            year = None
    elif m := _FY.match(text):
        first = int(m[1])
        end = _century(first, m[2])
        if end == first + 1:
            year = end
        elif end == first + 2 and "-" in text:  # 2014-16: three calendar years
            year, span = end, 3
    elif m := _EES_FY.match(text):
        first = int(m[1])
        if _century(first, m[2]) == first + 1:
            year = first + 1
    if year is None or not 1900 <= year <= 2200:
        where = f" for {measure}" if measure else ""
        msg = (
            f"year label {label!r}{where} is not a form DfE publishes (2024, 2023-24, 2023/24, "
            "202324, 2014-16, 2021/22-23/24, optionally with (Rev), (prov), (Final) or (OT))"
        )
        raise DataError(msg)
    return TimeLabel(str(label), year, span, status)


def period_bounds(year: int, period_type: PeriodType | str) -> tuple[date, date]:
    """The first and last day of collection ``year`` for a period type.

    Snapshots are one day: 31 March, 31 August, 30 September (the workforce census) or the
    January school census (taken as 31 January). A financial year runs April to March, an
    academic year September to August, a calendar year January to December; year to date and
    rolling 12 months are the year to 31 March.

    Parameters
    ----------
    year
        The collection year.
    period_type
        A :class:`~cyp_indicators.PeriodType`, or its value.

    Returns
    -------
    tuple[datetime.date, datetime.date]
        The first and the last day.

    Raises
    ------
    ValueError
        A period type that is not one.

    Examples
    --------
    >>> period_bounds(2024, "financial_year")
    (datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))
    >>> period_bounds(2024, "academic_year")
    (datetime.date(2023, 9, 1), datetime.date(2024, 8, 31))
    """
    kind = PeriodType(period_type)
    if kind is PeriodType.SNAPSHOT_31_MARCH:
        return date(year, 3, 31), date(year, 3, 31)
    if kind is PeriodType.SNAPSHOT_31_AUGUST:
        return date(year, 8, 31), date(year, 8, 31)
    if kind is PeriodType.SNAPSHOT_30_SEPTEMBER:
        return date(year, 9, 30), date(year, 9, 30)
    if kind is PeriodType.SNAPSHOT_JANUARY:
        return date(year, 1, 31), date(year, 1, 31)
    if kind is PeriodType.ACADEMIC_YEAR:
        return date(year - 1, 9, 1), date(year, 8, 31)
    if kind is PeriodType.CALENDAR_YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    # financial year, year to date and rolling 12 months: the year ending 31 March
    return date(year - 1, 4, 1), date(year, 3, 31)


def period_end(year: int, period_type: PeriodType | str) -> date:
    """The last day of collection ``year`` for a period type (see :func:`period_bounds`).

    Parameters
    ----------
    year
        The collection year.
    period_type
        A :class:`~cyp_indicators.PeriodType`, or its value.

    Returns
    -------
    datetime.date
        The last day.

    Raises
    ------
    ValueError
        A period type that is not one.

    Examples
    --------
    >>> period_end(2021, "snapshot_31_march"), period_end(2021, "calendar_year")
    (datetime.date(2021, 3, 31), datetime.date(2021, 12, 31))
    """
    return period_bounds(year, period_type)[1]
