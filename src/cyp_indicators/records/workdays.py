"""Working days: weekends, bank holidays in England and local closure days.

Statutory timescales in children's social care are in working days: an initial child protection
conference within 15 working days of the strategy discussion (section 47 start), an assessment
within 45 working days of the referral. A :class:`WorkingDayCalendar` knows which days are
working days: Monday to Friday, less the bank holidays of a UK nation (England by default, from
the ``holidays`` package: ``country_holidays("GB", subdiv="ENG")``, the same days as
``holidays.UK(subdiv="ENG")``, with the one-off days such as the 2022 state funeral and the 2023
coronation, and substitute days when a holiday falls at a weekend), less any local
``extra_closures``.

Counting convention (the DfE one for timeliness): ``working_days_between(start, end)`` counts the
working days after ``start`` up to and including ``end``, so a conference held 15 working days
after the section 47 start has ``working_days_between(s47, icpc) == 15`` and is on time, and
``add_working_days(s47, 15)`` is the last day on time.

The calendar covers 1 January 1990 to 31 December 2100 (:data:`CALENDAR_START`,
:data:`CALENDAR_END`); a date outside raises :class:`~cyp_indicators.errors.DataError`. Bank
holidays are looked up a year at a time, when first asked about. The polars helpers
(:func:`working_days_between_expr`, :func:`add_working_days_expr`, :func:`is_working_day_expr`)
work on whole columns: the calendar builds, once, a table of every day in its range with a
running count of working days, and each row is two array lookups by day number.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, timedelta

import attrs
import polars as pl

from ..errors import DataError
from .periods import _as_date

__all__ = [
    "CALENDAR_END",
    "CALENDAR_START",
    "WorkingDayCalendar",
    "add_working_days_expr",
    "is_working_day_expr",
    "working_days_between_expr",
]

#: The first and last days a :class:`WorkingDayCalendar` covers.
CALENDAR_START = date(1990, 1, 1)
CALENDAR_END = date(2100, 12, 31)

_EPOCH = date(1970, 1, 1)  # polars stores a Date as days since this day
_OFFSET = (CALENDAR_START - _EPOCH).days
_SUBDIVISIONS: tuple[str, ...] = (
    "ENG",
    "NIR",
    "SCT",
    "WLS",
)  # the UK nations of the holidays package


def _closures(value: Iterable[date]) -> frozenset[date]:
    if isinstance(value, date):
        msg = "extra_closures must be an iterable of dates, not a single date"
        raise TypeError(msg)
    return frozenset(_as_date(d, "extra_closures") for d in value)


def _check_subdiv(
    instance: WorkingDayCalendar, attribute: attrs.Attribute[str], value: str
) -> None:
    if value not in _SUBDIVISIONS:
        msg = f"subdiv must be one of {', '.join(map(repr, _SUBDIVISIONS))}; got subdiv={value!r}"
        raise ValueError(msg)


def _check_range(d: date, name: str) -> date:
    d = _as_date(d, name)
    if not CALENDAR_START <= d <= CALENDAR_END:
        msg = (
            f"{name}={d.isoformat()} is outside the working-day calendar, which covers "
            f"{CALENDAR_START.isoformat()} to {CALENDAR_END.isoformat()}"
        )
        raise DataError(msg)
    return d


def _as_count(n: object, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        msg = f"{name} must be an int, got {type(n).__name__} {n!r}"
        raise TypeError(msg)
    if n < 0:
        msg = f"{name} must be >= 0, got {name}={n}"
        raise ValueError(msg)
    return n


@functools.cache
def _bank_holidays(subdiv: str, year: int) -> tuple[tuple[date, str], ...]:
    """The bank holidays of one nation and year, in date order (cached: at most 4 x 111)."""
    from holidays import country_holidays  # imported on first use: it is slow to import

    found = country_holidays("GB", subdiv=subdiv, years=year)
    return tuple((d, str(name)) for d, name in sorted(found.items()) if d.year == year)


@attrs.frozen
class _Tables:
    """Lookup arrays over every day from CALENDAR_START to CALENDAR_END (index = day number)."""

    working: pl.Series  # Boolean: the day is a working day
    cumulative: pl.Series  # Int64: working days from CALENDAR_START up to and including the day
    working_dates: pl.Series  # Date: every working day in order (the k-th is at index k - 1)


@attrs.frozen
class WorkingDayCalendar:
    """Which days are working days: Monday to Friday less bank holidays and local closures.

    Parameters
    ----------
    extra_closures
        Local closure days that are not working days (for example a council's extra day off at
        Christmas). A closure on a weekend or bank holiday changes nothing.
    subdiv
        The UK nation whose bank holidays apply: ``"ENG"`` (England, the default), ``"WLS"``,
        ``"SCT"`` or ``"NIR"``.

    Examples
    --------
    >>> cal = WorkingDayCalendar()
    >>> cal.is_working_day(date(2017, 4, 14))  # Good Friday
    False
    >>> cal.add_working_days(date(2017, 4, 6), 15)  # across Easter and the May Day holiday
    datetime.date(2017, 5, 2)
    """

    extra_closures: frozenset[date] = attrs.field(default=(), converter=_closures)
    subdiv: str = attrs.field(default="ENG", validator=_check_subdiv)
    _years: dict[int, frozenset[date]] = attrs.field(factory=dict, init=False, repr=False, eq=False)
    _tables: list[_Tables] = attrs.field(factory=list, init=False, repr=False, eq=False)

    def bank_holidays(self, year: int) -> dict[date, str]:
        """The bank holidays of ``year`` (substitute days included), date to name.

        Parameters
        ----------
        year
            The calendar year.

        Returns
        -------
        dict of datetime.date to str
            The calendar's nation's bank holidays in date order, a holiday at a weekend with
            its substitute day (``"... (observed)"``). Local closures are not included.

        Raises
        ------
        DataError
            ``year`` outside the calendar (1990 to 2100).

        Examples
        --------
        >>> holidays = WorkingDayCalendar().bank_holidays(2023)
        >>> holidays[date(2023, 1, 2)], holidays[date(2023, 5, 8)]
        ("New Year's Day (observed)", 'Coronation of Charles III')
        """
        _check_range(date(year, 1, 1), "year")
        return dict(_bank_holidays(self.subdiv, year))

    def _closed(self, year: int) -> frozenset[date]:
        """Weekdays of ``year`` that are not working days (bank holidays, extra closures)."""
        closed = self._years.get(year)
        if closed is None:
            days = set(self.bank_holidays(year)) | {
                d for d in self.extra_closures if d.year == year
            }
            closed = frozenset(d for d in days if d.weekday() < 5)
            self._years[year] = closed
        return closed

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (a weekday, not a bank holiday or closure day).

        Parameters
        ----------
        d
            The day.

        Returns
        -------
        bool
            True for a working day.

        Raises
        ------
        DataError
            ``d`` outside :data:`CALENDAR_START` .. :data:`CALENDAR_END`.
        """
        d = _check_range(d, "d")
        return d.weekday() < 5 and d not in self._closed(d.year)

    def add_working_days(self, d: date, n: int) -> date:
        """The date ``n`` working days after ``d``.

        Counting starts on the next working day after ``d``: ``n=1`` is the first working day
        after ``d``, whatever ``d`` is, and ``working_days_between(d, result) == n``. With
        ``n=0`` the result is ``d`` itself if it is a working day, else the next working day.

        Parameters
        ----------
        d
            The day counting starts from (the section 47 start, the referral ...).
        n
            Working days to add, >= 0.

        Returns
        -------
        datetime.date
            The ``n``-th working day after ``d``: the last day on time for a timescale of ``n``
            working days.

        Raises
        ------
        DataError
            ``d`` or the result outside :data:`CALENDAR_START` .. :data:`CALENDAR_END`.
        TypeError
            ``n`` is not an int.
        ValueError
            ``n`` is negative.

        Examples
        --------
        >>> cal = WorkingDayCalendar(extra_closures=[date(2017, 4, 18)])
        >>> cal.add_working_days(date(2017, 4, 13), 1)  # past Easter and a closure day
        datetime.date(2017, 4, 19)
        """
        d = _check_range(d, "d")
        n = _as_count(n, "n")
        current = d
        if n == 0:
            while not self.is_working_day(current):
                current = _check_range(current + timedelta(days=1), "the result")
            return current
        while n:
            if current == CALENDAR_END:
                msg = (
                    f"adding working days to d={d.isoformat()} goes past "
                    f"{CALENDAR_END.isoformat()}, the end of the working-day calendar"
                )
                raise DataError(msg)
            current += timedelta(days=1)
            if self.is_working_day(current):
                n -= 1
        return current

    def working_days_between(
        self, start: date, end: date, *, include_start: bool = False, include_end: bool = True
    ) -> int:
        """The number of working days from ``start`` to ``end``.

        By default the working days after ``start`` up to and including ``end``, so
        ``working_days_between(d, add_working_days(d, n)) == n``. ``include_start`` adds
        ``start`` when it is a working day; ``include_end=False`` leaves out ``end``. When
        ``start == end`` the day counts only if both flags are true.

        Parameters
        ----------
        start, end
            The first and last days; ``end`` may not be before ``start``.
        include_start
            Count ``start`` too (when it is a working day).
        include_end
            Count ``end`` (when it is a working day); true by default.

        Returns
        -------
        int
            The number of working days, >= 0.

        Raises
        ------
        ValueError
            ``end`` before ``start`` (the expression form gives null instead).
        DataError
            A date outside :data:`CALENDAR_START` .. :data:`CALENDAR_END`.

        Examples
        --------
        >>> cal = WorkingDayCalendar()
        >>> cal.working_days_between(date(2017, 4, 13), date(2017, 4, 18))  # Easter between
        1
        >>> cal.working_days_between(date(2017, 4, 13), date(2017, 4, 18), include_start=True)
        2
        """
        start = _check_range(start, "start")
        end = _check_range(end, "end")
        if end < start:
            msg = f"Cannot have end={end.isoformat()} < start={start.isoformat()}"
            raise ValueError(msg)
        first = start if include_start else start + timedelta(days=1)
        last = end if include_end else end - timedelta(days=1)
        if last < first:
            return 0
        days = (last - first).days + 1
        weeks, rest = divmod(days, 7)
        weekdays = weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)
        closed = sum(
            1
            for year in range(first.year, last.year + 1)
            for c in self._closed(year)
            if first <= c <= last
        )
        return weekdays - closed

    def _lookup_tables(self) -> _Tables:
        """The day tables over the calendar's whole range, built on first use."""
        if not self._tables:
            days = pl.date_range(CALENDAR_START, CALENDAR_END, "1d", eager=True)
            closed = pl.Series(
                [
                    c
                    for year in range(CALENDAR_START.year, CALENDAR_END.year + 1)
                    for c in self._closed(year)
                ],
                dtype=pl.Date,
            )
            working = (days.dt.weekday() <= 5) & ~days.is_in(closed.implode())
            self._tables.append(
                _Tables(
                    working=working.alias("working"),
                    cumulative=working.cast(pl.Int64).cum_sum().alias("cumulative"),
                    working_dates=days.filter(working).alias("working_dates"),
                )
            )
        return self._tables[0]


# ---------------------------------------------------------------------- polars expressions


def _date_expr(value: str | pl.Expr) -> pl.Expr:
    return (pl.col(value) if isinstance(value, str) else value).cast(pl.Date)


def _day_index(value: str | pl.Expr, name: str) -> pl.Expr:
    """The row's day number in the tables (Int64), raising DataError for a date out of range."""
    if isinstance(value, str):
        name = f"column {value!r}"
    last = (CALENDAR_END - CALENDAR_START).days

    def check(index: pl.Series) -> pl.Series:
        low, high = index.min(), index.max()
        bad = [v for v in (low, high) if isinstance(v, int) and not 0 <= v <= last]
        if bad:
            shown = ", ".join(
                (CALENDAR_START + timedelta(days=v)).isoformat() for v in sorted(set(bad))
            )
            msg = (
                f"{name} has dates outside the working-day calendar, which covers "
                f"{CALENDAR_START.isoformat()} to {CALENDAR_END.isoformat()} (earliest/latest "
                f"out of range: {shown})"
            )
            raise DataError(msg)
        return index

    index = _date_expr(value).to_physical().cast(pl.Int64) - _OFFSET
    return index.map_batches(check, return_dtype=pl.Int64, is_elementwise=True)


def working_days_between_expr(
    start: str | pl.Expr,
    end: str | pl.Expr,
    calendar: WorkingDayCalendar,
    *,
    include_start: bool = False,
    include_end: bool = True,
) -> pl.Expr:
    """Expression: :meth:`WorkingDayCalendar.working_days_between` for every row.

    Parameters
    ----------
    start, end
        Column names or expressions of dates.
    calendar
        The working-day calendar.
    include_start, include_end
        As for :meth:`WorkingDayCalendar.working_days_between`.

    Returns
    -------
    polars.Expr
        An Int64 expression named ``working_days``: null where either date is null or ``end`` is
        before ``start``.

    Raises
    ------
    DataError
        When the expression runs: a date outside the calendar, naming the column.

    Examples
    --------
    >>> f = pl.DataFrame({"s47": [date(2017, 4, 6)], "icpc": [date(2017, 5, 3)]})
    >>> f.select(working_days_between_expr("s47", "icpc", WorkingDayCalendar())).item()
    16
    """
    tables = calendar._lookup_tables()
    cumulative, working = pl.lit(tables.cumulative), pl.lit(tables.working)
    i_start, i_end = _day_index(start, "start"), _day_index(end, "end")
    count = cumulative.gather(i_end) - cumulative.gather(i_start)
    if include_start:
        count = count + working.gather(i_start).cast(pl.Int64)
    if not include_end:
        count = count - working.gather(i_end).cast(pl.Int64)
    return (
        pl.when(i_end >= i_start)
        .then(count.clip(lower_bound=0))
        .otherwise(None)
        .cast(pl.Int64)
        .alias("working_days")
    )


def add_working_days_expr(
    start: str | pl.Expr, n: int | str | pl.Expr, calendar: WorkingDayCalendar
) -> pl.Expr:
    """Expression: :meth:`WorkingDayCalendar.add_working_days` for every row.

    Parameters
    ----------
    start
        Column name or expression of dates.
    n
        Working days to add: an int, or a column name or expression of whole numbers >= 0.
    calendar
        The working-day calendar.

    Returns
    -------
    polars.Expr
        A Date expression named ``due_date``: null where ``start`` or ``n`` is null.

    Raises
    ------
    TypeError
        ``n`` is a bool, or neither an int, a column name nor an expression (a float such as
        ``2.0`` too: working days are whole).
    ValueError
        ``n`` is a negative int.
    DataError
        When the expression runs: a negative ``n`` in the data, a date outside the calendar
        or a result past its end.

    Examples
    --------
    >>> f = pl.DataFrame({"referral": [date(2022, 12, 1)]})
    >>> f.select(add_working_days_expr("referral", 45, WorkingDayCalendar())).item()
    datetime.date(2023, 2, 7)
    """
    if not isinstance(n, int | str | pl.Expr):
        msg = f"n must be a whole number of working days, a column name or an expression, got {n!r}"
        raise TypeError(msg)
    tables = calendar._lookup_tables()
    if isinstance(n, int):
        n_expr = pl.lit(_as_count(n, "n"), dtype=pl.Int64)
    else:
        n_expr = (pl.col(n) if isinstance(n, str) else n).cast(pl.Int64)
    n_expr = n_expr.map_batches(_check_n, return_dtype=pl.Int64, is_elementwise=True)
    i_start = _day_index(start, "start")
    cumulative = pl.lit(tables.cumulative).gather(i_start)
    working = pl.lit(tables.working).gather(i_start).cast(pl.Int64)
    # Position in ``working_dates`` (0-based) of the answer: the n-th working day after start,
    # or, for n = 0, the first working day on or after start. Never negative.
    position = pl.when(n_expr == 0).then(cumulative - working).otherwise(cumulative + n_expr - 1)
    available = tables.working_dates.len()

    def check(values: pl.Series) -> pl.Series:
        high = values.max()
        if isinstance(high, int) and high >= available:
            msg = (
                f"adding working days goes past {CALENDAR_END.isoformat()}, the end of the "
                "working-day calendar"
            )
            raise DataError(msg)
        return values

    position = position.map_batches(check, return_dtype=pl.Int64, is_elementwise=True)
    return pl.lit(tables.working_dates).gather(position).alias("due_date")


def _check_n(values: pl.Series) -> pl.Series:
    low = values.min()
    if isinstance(low, int) and low < 0:
        msg = f"n must be >= 0 (working days to add); the data has n={low}"
        raise DataError(msg)
    return values


def is_working_day_expr(col: str | pl.Expr, calendar: WorkingDayCalendar) -> pl.Expr:
    """Expression: whether each date is a working day (Boolean named ``is_working_day``).

    Parameters
    ----------
    col
        Column name or expression of dates.
    calendar
        The working-day calendar.

    Returns
    -------
    polars.Expr
        Boolean named ``is_working_day``; null where the date is null.

    Raises
    ------
    DataError
        When the expression runs: a date outside the calendar, naming the column.

    Examples
    --------
    >>> f = pl.DataFrame({"d": [date(2017, 4, 13), date(2017, 4, 14), date(2017, 4, 15), None]})
    >>> f.select(is_working_day_expr("d", WorkingDayCalendar()))["is_working_day"].to_list()
    [True, False, False, None]
    """
    tables = calendar._lookup_tables()
    return pl.lit(tables.working).gather(_day_index(col, "col")).alias("is_working_day")
