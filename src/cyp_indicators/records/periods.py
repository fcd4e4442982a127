"""Reporting periods for record-level data, and age in whole years.

A :class:`Period` is a span of days, inclusive at both ends, with a ``kind`` and a ``label``:

==================  ============================================  ==========================
constructor         span                                          label
==================  ============================================  ==========================
``snapshot(d)``     ``d`` .. ``d``                                ``"2017-03-31"``
``financial_year``  1 April ``end_year - 1`` .. 31 March          ``"FY 2016-17"``
``academic_year``   1 September ``end_year - 1`` .. 31 August     ``"AY 2016-17"``
``year_to_date(d)`` 1 April of the financial year of ``d`` .. d   ``"YTD to 2017-03-31"``
``rolling_12...``   12 calendar months ending on ``d``            ``"12 months to 2017-03-31"``
``month(d)``        first .. last day of ``d``'s month            ``"2017-03"``
==================  ============================================  ==========================

:meth:`Period.monthly` gives a :class:`PeriodSeries`, one period per month end (for example the
twelve year-to-date periods of a financial year), and :meth:`PeriodSeries.to_frame` a frame of
``period_label``, ``period_start``, ``period_end`` to join or cross-join against records.

The polars helpers (:meth:`Period.contains_expr`, :meth:`Period.overlaps_expr`,
:meth:`Period.open_at_end_expr`) never return null: a record with no (start) date is in no
period. :func:`age_on` gives exact ages in whole years by birthday arithmetic.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import overload

import attrs
import polars as pl

__all__ = ["MONTHLY_KINDS", "PERIOD_KINDS", "Period", "PeriodSeries", "age_on"]

#: The kinds the constructors give; a directly built :class:`Period` defaults to ``"custom"``.
PERIOD_KINDS = (
    "snapshot",
    "month",
    "year_to_date",
    "rolling_12_months",
    "financial_year",
    "academic_year",
    "calendar_year",
    "custom",
)

#: The kinds :meth:`Period.monthly` can build at each month end.
MONTHLY_KINDS = ("year_to_date", "rolling_12_months", "month", "snapshot")


def _as_date(value: object, name: str) -> date:
    """``value`` as a :class:`datetime.date` (a ``datetime`` loses its time); else TypeError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    msg = f"{name} must be a datetime.date, got {type(value).__name__} {value!r}"
    raise TypeError(msg)


def _as_year(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{name} must be an int (the calendar year the period ends in), got {value!r}"
        raise TypeError(msg)
    if not 2 <= value <= 9999:
        msg = f"{name} must be between 2 and 9999, got {name}={value}"
        raise ValueError(msg)
    return value


def _month_end(d: date) -> date:
    """The last day of ``d``'s month."""
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def _add_months(d: date, months: int) -> date:
    """``d`` moved by whole months; a day past the end of the target month becomes its last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def _financial_year_start(d: date) -> date:
    """1 April of the financial year (April to March) that contains ``d``."""
    return date(d.year if d.month >= 4 else d.year - 1, 4, 1)


def _as_expr(value: str | pl.Expr) -> pl.Expr:
    """A column name or an expression, as an expression of dates."""
    return (pl.col(value) if isinstance(value, str) else value).cast(pl.Date)


def _start_date(value: object) -> date:
    return _as_date(value, "start")


def _end_date(value: object) -> date:
    return _as_date(value, "end")


def _default_label(period: Period) -> str:
    return f"{period.start.isoformat()} to {period.end.isoformat()}"


def _check_order(period: Period, attribute: attrs.Attribute[date], end: date) -> None:
    if end < period.start:
        msg = f"Cannot have end={end.isoformat()} < start={period.start.isoformat()}"
        raise ValueError(msg)


@attrs.frozen
class Period:
    """A span of days, inclusive at both ends.

    Build one with a constructor (:meth:`financial_year`, :meth:`year_to_date`, ...) or directly
    (``Period(start, end)``, kind ``"custom"``, label ``"<start> to <end>"``).

    Attributes
    ----------
    start, end
        The first and last day in the period (both inclusive); ``end`` may not be before
        ``start``.
    kind
        One of :data:`PERIOD_KINDS` for the constructors' periods.
    label
        A short human-readable name, such as ``"FY 2016-17"`` or ``"YTD to 2017-03-31"``.

    Raises
    ------
    TypeError
        ``start`` or ``end`` is not a :class:`datetime.date` (a ``datetime`` loses its time).
    ValueError
        ``end`` is before ``start``.

    Examples
    --------
    >>> p = Period(date(2017, 1, 1), date(2017, 3, 31))
    >>> p.kind, p.label
    ('custom', '2017-01-01 to 2017-03-31')
    >>> p.contains(date(2017, 3, 31)), p.contains(date(2017, 4, 1))
    (True, False)
    """

    start: date = attrs.field(converter=_start_date)
    end: date = attrs.field(converter=_end_date, validator=_check_order)
    kind: str = "custom"
    label: str = attrs.field(default=attrs.Factory(_default_label, takes_self=True))

    # ------------------------------------------------------------------ constructors

    @classmethod
    def snapshot(cls, d: date) -> Period:
        """The single day ``d`` (kind ``"snapshot"``, label ``"2017-03-31"``).

        Parameters
        ----------
        d
            The day.

        Returns
        -------
        Period
            ``d`` to ``d``.

        Raises
        ------
        TypeError
            ``d`` is not a date.

        Examples
        --------
        >>> Period.snapshot(date(2017, 3, 31)).label
        '2017-03-31'
        """
        d = _as_date(d, "d")
        return cls(d, d, "snapshot", d.isoformat())

    @classmethod
    def financial_year(cls, end_year: int, *, include_previous_31_march: bool = False) -> Period:
        """1 April ``end_year - 1`` to 31 March ``end_year`` (kind ``"financial_year"``).

        Parameters
        ----------
        end_year
            The calendar year the financial year ends in: ``2017`` is FY 2016-17.
        include_previous_31_march
            Start on 31 March ``end_year - 1`` instead of 1 April, so the period holds 366 (or
            367) days. DfE's CIN tool counts activity "in the year" from the previous 31 March,
            the reference date of the previous census; with this option a record dated
            31 March 2016 is in both FY 2015-16 and FY 2016-17. The label says so:
            ``"FY 2016-17 (from 2016-03-31)"``.

        Returns
        -------
        Period
            The financial year.

        Raises
        ------
        TypeError
            ``end_year`` is not an int.
        ValueError
            ``end_year`` outside 2 to 9999.

        Examples
        --------
        >>> Period.financial_year(2017)
        Period(start=datetime.date(2016, 4, 1), end=datetime.date(2017, 3, 31), kind='financial_year', label='FY 2016-17')
        """
        end_year = _as_year(end_year, "end_year")
        label = f"FY {end_year - 1}-{end_year % 100:02d}"
        start = date(end_year - 1, 4, 1)
        if include_previous_31_march:
            start -= timedelta(days=1)
            label = f"{label} (from {start.isoformat()})"
        return cls(start, date(end_year, 3, 31), "financial_year", label)

    @classmethod
    def academic_year(cls, end_year: int) -> Period:
        """1 September ``end_year - 1`` to 31 August ``end_year`` (label ``"AY 2016-17"``).

        Parameters
        ----------
        end_year
            The calendar year the academic year ends in: ``2017`` is AY 2016-17.

        Returns
        -------
        Period
            The academic year (kind ``"academic_year"``).

        Raises
        ------
        TypeError
            ``end_year`` is not an int.
        ValueError
            ``end_year`` outside 2 to 9999.

        Examples
        --------
        >>> p = Period.academic_year(2017)
        >>> p.label, p.start, p.end
        ('AY 2016-17', datetime.date(2016, 9, 1), datetime.date(2017, 8, 31))
        """
        end_year = _as_year(end_year, "end_year")
        return cls(
            date(end_year - 1, 9, 1),
            date(end_year, 8, 31),
            "academic_year",
            f"AY {end_year - 1}-{end_year % 100:02d}",
        )

    @classmethod
    def year_to_date(cls, d: date) -> Period:
        """1 April of the financial year containing ``d``, to ``d`` (label ``"YTD to <d>"``).

        On 31 March this is the whole financial year; on 1 April it is that single day.

        Parameters
        ----------
        d
            The last day of the period.

        Returns
        -------
        Period
            Kind ``"year_to_date"``.

        Raises
        ------
        TypeError
            ``d`` is not a date.

        Examples
        --------
        >>> p = Period.year_to_date(date(2016, 9, 30))
        >>> p.label, p.start
        ('YTD to 2016-09-30', datetime.date(2016, 4, 1))
        """
        d = _as_date(d, "d")
        return cls(_financial_year_start(d), d, "year_to_date", f"YTD to {d.isoformat()}")

    @classmethod
    def rolling_12_months(cls, d: date) -> Period:
        """The 12 calendar months ending on ``d`` (label ``"12 months to <d>"``).

        The start is ``d`` minus 12 months plus one day, with the end-of-month rule: when ``d``
        is the last day of its month the period is the 12 whole months ending with that month,
        so 28 February 2017 gives 1 March 2016 (not 29 February 2016). Otherwise a day that
        does not exist 12 months earlier becomes that month's last day: 29 February 2016 gives
        1 March 2015 either way.

        Parameters
        ----------
        d
            The last day of the period.

        Returns
        -------
        Period
            Kind ``"rolling_12_months"``.

        Raises
        ------
        TypeError
            ``d`` is not a date.

        Examples
        --------
        >>> Period.rolling_12_months(date(2017, 2, 28)).start
        datetime.date(2016, 3, 1)
        >>> Period.rolling_12_months(date(2017, 2, 15)).start
        datetime.date(2016, 2, 16)
        """
        d = _as_date(d, "d")
        if d == _month_end(d):
            start = _add_months(d.replace(day=1), -11)
        else:
            start = _add_months(d, -12) + timedelta(days=1)
        return cls(start, d, "rolling_12_months", f"12 months to {d.isoformat()}")

    @classmethod
    def for_collection_year(cls, year: int, period_type: str | object) -> Period:
        """The period collection ``year`` covers for a definition's period type: the one rule
        (:func:`cyp_indicators.years.period_bounds`) every caller uses.

        Snapshots are the day itself (31 March, 31 August, 30 September, January census);
        a financial year runs April to March, an academic year September to August, a calendar
        year January to December; year to date and rolling 12 months end on 31 March ``year``.

        Parameters
        ----------
        year
            The collection year: the calendar year the period ends in (2019 is 2018-19).
        period_type
            A :class:`~cyp_indicators.model.enums.PeriodType` or its value
            (``"financial_year"``, ``"snapshot_31_march"`` ...).

        Returns
        -------
        Period
            The period; a calendar year has kind ``"calendar_year"`` and label ``"CY <year>"``.

        Raises
        ------
        TypeError
            ``year`` is not an int.
        ValueError
            ``year`` outside 2 to 9999, or an unknown period type.

        Examples
        --------
        >>> Period.for_collection_year(2019, "snapshot_31_march").label
        '2019-03-31'
        >>> Period.for_collection_year(2019, "financial_year").label
        'FY 2018-19'
        """
        from ..model.enums import PeriodType
        from ..years import period_bounds

        year = _as_year(year, "year")
        kind = PeriodType(period_type.value if isinstance(period_type, PeriodType) else period_type)
        start, end = period_bounds(year, kind)
        if start == end:
            return cls.snapshot(end)
        if kind is PeriodType.FINANCIAL_YEAR:
            return cls.financial_year(year)
        if kind is PeriodType.ACADEMIC_YEAR:
            return cls.academic_year(year)
        if kind is PeriodType.YEAR_TO_DATE:
            return cls.year_to_date(end)
        if kind is PeriodType.ROLLING_12_MONTHS:
            return cls.rolling_12_months(end)
        return cls(start, end, "calendar_year", f"CY {year}")

    @classmethod
    def month(cls, d: date) -> Period:
        """The calendar month containing ``d``, first to last day (label ``"2017-03"``).

        Parameters
        ----------
        d
            Any day of the month.

        Returns
        -------
        Period
            Kind ``"month"``.

        Raises
        ------
        TypeError
            ``d`` is not a date.

        Examples
        --------
        >>> Period.month(date(2016, 2, 10)).end
        datetime.date(2016, 2, 29)
        """
        d = _as_date(d, "d")
        return cls(d.replace(day=1), _month_end(d), "month", f"{d.year:04d}-{d.month:02d}")

    @classmethod
    def monthly(cls, first_end: date, last_end: date, kind: str = "year_to_date") -> PeriodSeries:
        """One period of ``kind`` at each month end from ``first_end`` to ``last_end``.

        Parameters
        ----------
        first_end, last_end
            The first and last month ends, inclusive; any day stands for the last day of its
            month (15 April 2016 means 30 April 2016).
        kind
            One of :data:`MONTHLY_KINDS`: ``"year_to_date"`` (default), ``"rolling_12_months"``,
            ``"month"`` or ``"snapshot"`` (the month-end day itself).

        Returns
        -------
        PeriodSeries
            One period per month end, oldest first.

        Raises
        ------
        ValueError
            ``last_end`` before ``first_end``, or an unknown ``kind``.

        Examples
        --------
        >>> series = Period.monthly(date(2016, 4, 30), date(2017, 3, 31))
        >>> len(series), series[0].label, series[-1].label
        (12, 'YTD to 2016-04-30', 'YTD to 2017-03-31')
        """
        first_end = _as_date(first_end, "first_end")
        last_end = _as_date(last_end, "last_end")
        if kind not in MONTHLY_KINDS:
            msg = f"kind must be one of {', '.join(map(repr, MONTHLY_KINDS))}; got kind={kind!r}"
            raise ValueError(msg)
        if last_end < first_end:
            msg = f"Cannot have last_end={last_end.isoformat()} < first_end={first_end.isoformat()}"
            raise ValueError(msg)
        build = {
            "year_to_date": cls.year_to_date,
            "rolling_12_months": cls.rolling_12_months,
            "month": cls.month,
            "snapshot": cls.snapshot,
        }[kind]
        months = (last_end.year - first_end.year) * 12 + last_end.month - first_end.month
        first = first_end.replace(day=1)
        return PeriodSeries(
            tuple(build(_month_end(_add_months(first, i))) for i in range(months + 1))
        )

    # ------------------------------------------------------------------ tests and expressions

    def contains(self, d: date) -> bool:
        """Whether ``start <= d <= end``.

        Parameters
        ----------
        d
            The day.

        Returns
        -------
        bool
            True when ``d`` is in the period (both ends inclusive).

        Raises
        ------
        TypeError
            ``d`` is not a date.
        """
        d = _as_date(d, "d")
        return self.start <= d <= self.end

    def contains_expr(self, col: str | pl.Expr) -> pl.Expr:
        """Boolean expression: the date in ``col`` is in the period (both ends inclusive).

        A null date gives ``False``.

        Parameters
        ----------
        col
            Column name or expression of dates (a Datetime is cast to Date).

        Returns
        -------
        polars.Expr
            Boolean, never null.

        Examples
        --------
        >>> f = pl.DataFrame({"d": [date(2016, 3, 31), date(2016, 4, 1), None]})
        >>> f.select(inside=Period.financial_year(2017).contains_expr("d"))["inside"].to_list()
        [False, True, False]
        """
        return _as_expr(col).is_between(self.start, self.end, closed="both").fill_null(False)

    def overlaps_expr(self, start_col: str | pl.Expr, end_col: str | pl.Expr) -> pl.Expr:
        """Boolean expression: an episode ``[start, end]`` shares at least one day with the period.

        That is ``start <= period.end`` and (``end`` is null or ``end >= period.start``): both
        ends are inclusive, so an episode that ends on the period's first day overlaps it. A
        null ``end`` means the episode is still open; a null ``start`` gives ``False``.

        Parameters
        ----------
        start_col, end_col
            Column names or expressions of the episode's first and last days.

        Returns
        -------
        polars.Expr
            Boolean, never null.

        Examples
        --------
        >>> f = pl.DataFrame({
        ...     "start": [date(2015, 1, 1), date(2015, 1, 1), date(2017, 3, 1)],
        ...     "end": [date(2016, 4, 1), date(2016, 3, 31), None],
        ... })
        >>> period = Period.financial_year(2017)
        >>> f.select(overlaps=period.overlaps_expr("start", "end"))["overlaps"].to_list()
        [True, False, True]
        """
        start, end = _as_expr(start_col), _as_expr(end_col)
        return (
            (start <= pl.lit(self.end)) & (end.is_null() | (end >= pl.lit(self.start)))
        ).fill_null(False)

    def open_at_end_expr(self, start_col: str | pl.Expr, end_col: str | pl.Expr) -> pl.Expr:
        """Boolean expression: the episode is open at the end of the period ("at 31 March").

        That is ``start <= period.end`` and (``end`` is null or ``end > period.end``). This is
        DfE's convention for counts "at 31 March": a child looked after at 31 March has an
        episode that started (DECOM) on or before 31 March and has not ceased (DEC) on or
        before it. A child who leaves care on 31 March itself is counted among those who
        ceased during the year, not among those looked after at 31 March; likewise a CIN
        episode or CP plan that closes on 31 March is not open at 31 March. An episode that
        starts on 31 March is open at 31 March. A null ``start`` gives ``False``.

        Parameters
        ----------
        start_col, end_col
            Column names or expressions of the episode's first and last days (a null last day:
            still open).

        Returns
        -------
        polars.Expr
            Boolean, never null.

        Examples
        --------
        >>> f = pl.DataFrame({
        ...     "start": [date(2017, 3, 31), date(2016, 1, 1), date(2016, 1, 1)],
        ...     "end": [None, date(2017, 3, 31), date(2017, 4, 1)],
        ... })
        >>> period = Period.snapshot(date(2017, 3, 31))
        >>> f.select(open=period.open_at_end_expr("start", "end"))["open"].to_list()
        [True, False, True]
        """
        start, end = _as_expr(start_col), _as_expr(end_col)
        return ((start <= pl.lit(self.end)) & (end.is_null() | (end > pl.lit(self.end)))).fill_null(
            False
        )


def _to_periods(value: Iterable[Period]) -> tuple[Period, ...]:
    periods = tuple(value)
    for i, p in enumerate(periods):
        if not isinstance(p, Period):
            msg = f"periods[{i}] must be a Period, got {type(p).__name__}"
            raise TypeError(msg)
    return periods


@attrs.frozen
class PeriodSeries(Sequence[Period]):
    """An ordered, immutable sequence of periods (as :meth:`Period.monthly` gives).

    Supports ``len``, iteration, indexing (a slice gives a :class:`PeriodSeries`), ``in`` and
    :meth:`index`; :meth:`to_frame` gives one row per period.

    Parameters
    ----------
    periods
        The periods, in order (any iterable of :class:`Period`).

    Raises
    ------
    TypeError
        An item that is not a :class:`Period`, naming its position.

    Examples
    --------
    >>> series = PeriodSeries([Period.financial_year(2016), Period.financial_year(2017)])
    >>> [p.label for p in series], series[1:].periods[0].label
    (['FY 2015-16', 'FY 2016-17'], 'FY 2016-17')
    """

    periods: tuple[Period, ...] = attrs.field(converter=_to_periods)

    def __len__(self) -> int:
        return len(self.periods)

    def __iter__(self) -> Iterator[Period]:
        return iter(self.periods)

    @overload
    def __getitem__(self, index: int) -> Period: ...

    @overload
    def __getitem__(self, index: slice) -> PeriodSeries: ...

    def __getitem__(self, index: int | slice) -> Period | PeriodSeries:
        if isinstance(index, slice):
            return PeriodSeries(self.periods[index])
        return self.periods[index]

    def to_frame(self) -> pl.DataFrame:
        """One row per period: ``period_label`` (String), ``period_start``, ``period_end`` (Date).

        Returns
        -------
        polars.DataFrame
            The periods in order, both ends inclusive.

        Examples
        --------
        >>> Period.monthly(date(2017, 2, 1), date(2017, 3, 1), kind="month").to_frame().rows()
        [('2017-02', datetime.date(2017, 2, 1), datetime.date(2017, 2, 28)), ('2017-03', datetime.date(2017, 3, 1), datetime.date(2017, 3, 31))]
        """
        return pl.DataFrame(
            {
                "period_label": [p.label for p in self.periods],
                "period_start": [p.start for p in self.periods],
                "period_end": [p.end for p in self.periods],
            },
            schema={"period_label": pl.String, "period_start": pl.Date, "period_end": pl.Date},
        )


def age_on(dob: str | pl.Expr, on: date | str | pl.Expr) -> pl.Expr:
    """Age in whole years on a date, by birthday arithmetic (an Int64 expression named ``age``).

    The age goes up by one on each birthday. A child born on 29 February has a birthday on
    29 February in leap years and on 1 March in other years, so is still 0 on 28 February 2001
    and 1 on 1 March 2001 (the rule of English law for a leap-day birth). The age is null when
    either date is null or ``on`` is before the date of birth.

    Parameters
    ----------
    dob
        Column name or expression of dates of birth (Date; a Datetime column is truncated).
    on
        The date to measure age on: a :class:`datetime.date`, or a column name or expression
        (for a different date per row, such as the episode start). A string is a column name.

    Returns
    -------
    polars.Expr
        Int64, named ``age``: whole years; null when a date is null or ``on`` is before ``dob``.

    Examples
    --------
    >>> f = pl.DataFrame({"dob": [date(2008, 2, 29), date(2008, 3, 31)]})
    >>> f.select(age_on("dob", date(2017, 3, 31)))["age"].to_list()
    [9, 9]
    >>> f.select(age_on("dob", date(2017, 3, 30)))["age"].to_list()
    [9, 8]
    """
    born = _as_expr(dob)
    when = pl.lit(_as_date(on, "on")) if isinstance(on, date) else _as_expr(on)
    years = when.dt.year().cast(pl.Int64) - born.dt.year().cast(pl.Int64)
    # Compare (month, day) as month * 100 + day. In a non-leap year no day falls between
    # 28 February (228) and 1 March (301), so a 29 February birthday (229) is reached on 1 March.
    on_md = when.dt.month().cast(pl.Int64) * 100 + when.dt.day().cast(pl.Int64)
    born_md = born.dt.month().cast(pl.Int64) * 100 + born.dt.day().cast(pl.Int64)
    age = years - (on_md < born_md).cast(pl.Int64)
    return pl.when(when >= born).then(age).otherwise(None).cast(pl.Int64).alias("age")
