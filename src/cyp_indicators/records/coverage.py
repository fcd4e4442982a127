"""Do the records cover a period? The dates of the tables a derivation reads, against the period.

The command line and a caller deriving a figure from child-level files both need to know when
the period asked for lies outside the returns loaded (an error) or only partly inside them (a
figure that may be incomplete): :func:`record_span` and :func:`coverage` say so as data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

import attrs
import polars as pl

from ..errors import DataError
from ..model import IndicatorDefinition
from .periods import Period
from .registry import DERIVATIONS

__all__ = ["Coverage", "coverage", "record_span"]

#: Date columns that say when a child was born or died, not when the records' events happened.
_LIFE_DATES = ("DOB", "BirthDate", "DeathDate")
#: How far a period may run past the first or last date in the records before it counts as only
#: partly covered: a complete year's records rarely hold an event on the year's very first or
#: last day.
SLACK = timedelta(days=31)


@attrs.frozen
class Coverage:
    """How a period sits against the records' dates (what :func:`coverage` returns).

    Parameters
    ----------
    status
        ``"covered"``, ``"partial"`` (the period runs more than a month past the first or last
        date: the figure may be incomplete) or ``"outside"`` (no collection year of the records
        overlaps the period).
    first, last
        The first and last event dates in the records.
    message
        The status in words, naming the records and the period (None when covered).

    Examples
    --------
    >>> from datetime import date
    >>> Coverage("covered", date(2016, 4, 1), date(2017, 3, 31)).message is None
    True
    """

    status: Literal["covered", "partial", "outside"]
    first: date
    last: date
    message: str | None = None


def record_span(
    definition: IndicatorDefinition, records: Any, where: str
) -> tuple[date, date] | None:
    """The first and last event date in the tables ``definition`` is derived from.

    Every Date column of those tables counts but dates of birth and death (``DOB``,
    ``PersonBirthDate``, ``PersonDeathDate`` ...), which do not say when events happened.

    Parameters
    ----------
    definition
        The indicator definition (its ``derivation`` names the tables).
    records
        The records, as :func:`~cyp_indicators.records.read_ssda903` or
        :func:`~cyp_indicators.records.read_cin_census` return them.
    where
        The records' files or folder, in words, for the errors.

    Returns
    -------
    tuple of datetime.date or None
        ``(first, last)``; None when the definition names no derivation of these records
        (:func:`~cyp_indicators.records.derive` says why).

    Raises
    ------
    DataError
        A table the derivation reads has no rows, or its tables hold no event dates; names
        ``where``.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.records import SSDA903
    >>> records = SSDA903.from_frames(episodes=pl.DataFrame({
    ...     "CHILD": ["A", "B"], "DECOM": ["01/05/2016", "03/10/2016"], "RNE": ["S", "S"],
    ...     "LS": ["C2", "C2"], "CIN": ["N1", "N1"], "PLACE": ["U1", "U1"],
    ...     "DEC": [None, "01/01/2017"], "REC": [None, "E13"],
    ... }))
    >>> definition = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> record_span(definition, records, "the test frames")
    (datetime.date(2016, 5, 1), datetime.date(2017, 1, 1))
    """
    spec = (
        DERIVATIONS.get(definition.derivation.name) if definition.derivation is not None else None
    )
    if spec is None or not set(spec.tables) <= set(records.TABLES):
        return None
    empty = [t for t in spec.tables if records.table(t).is_empty()]
    if empty:
        msg = (
            f"{definition.key} is derived from the {records.KIND} {' and '.join(empty)} "
            f"table(s), but the records in {where} have no rows there"
        )
        raise DataError(msg)
    dates = pl.concat(
        [
            records.table(t).select(pl.col(name).alias("date"))
            for t in spec.tables
            for name, dtype in records.table(t).schema.items()
            if dtype == pl.Date and not any(word in name for word in _LIFE_DATES)
        ]
        or [pl.DataFrame({"date": []}, schema={"date": pl.Date})]
    )["date"].drop_nulls()
    if dates.is_empty():
        msg = f"the records in {where} hold no dates in the tables {definition.key} is derived from"
        raise DataError(msg)
    first, last = dates.min(), dates.max()
    assert isinstance(first, date)
    assert isinstance(last, date)
    return first, last


def coverage(period: Period, span: tuple[date, date], where: str) -> Coverage:
    """Whether the records (dates ``span``) cover ``period``.

    The records cover whole collection years (1 April to 31 March), from the year of their
    first date to the year of their last: a period outside those years is ``"outside"``; one
    that runs more than a month (31 days) past the first or last date is ``"partial"``.

    Parameters
    ----------
    period
        The period asked for.
    span
        The first and last event dates in the records (as :func:`record_span` gives).
    where
        The records' files or folder, in words, for the message.

    Returns
    -------
    Coverage
        The status, the span and a message (None when covered).

    Examples
    --------
    >>> from datetime import date
    >>> from cyp_indicators.records import Period
    >>> span = (date(2016, 4, 3), date(2017, 3, 30))
    >>> coverage(Period.financial_year(2017), span, "cla/").status
    'covered'
    >>> coverage(Period.financial_year(2019), span, "cla/").message
    'the period FY 2018-19 lies outside the dates in the records of cla/ (2016-04-03 to 2017-03-30: collection years 2017 to 2017)'
    """
    first, last = span
    start = date(first.year if first.month >= 4 else first.year - 1, 4, 1)
    end = date(last.year + 1 if last.month >= 4 else last.year, 3, 31)
    if period.end < start or period.start > end:
        message = (
            f"the period {period.label} lies outside the dates in the records of {where} "
            f"({first} to {last}: collection years {start.year + 1} to {end.year})"
        )
        return Coverage("outside", first, last, message)
    if period.start < first - SLACK or period.end > last + SLACK:
        message = (
            f"the records of {where} run from {first} to {last}, so the period {period.label} "
            "is only partly covered; the figure may be incomplete"
        )
        return Coverage("partial", first, last, message)
    return Coverage("covered", first, last)
