"""Working days (records/workdays.py): bank holidays, statutory windows, flags, expressions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings

from cyp_indicators.errors import DataError
from cyp_indicators.records.workdays import (
    CALENDAR_END,
    CALENDAR_START,
    WorkingDayCalendar,
    add_working_days_expr,
    is_working_day_expr,
    working_days_between_expr,
)

ENGLAND = WorkingDayCalendar()
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


def by_hand(start: date, n: int, closed: Collection[date]) -> date:
    """The n-th weekday after ``start`` that is not in ``closed``, counted one day at a time."""
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            counted += 1
    return day


# ---------------------------------------------------------------------- statutory windows


def test_icpc_within_15_working_days_across_easter() -> None:
    # 2017: Good Friday 14 April, Easter Monday 17 April, early May bank holiday 1 May.
    easter_2017 = {date(2017, 4, 14), date(2017, 4, 17), date(2017, 5, 1)}
    assert set(ENGLAND.bank_holidays(2017)) >= easter_2017
    s47 = date(2017, 4, 6)  # a Thursday
    due = by_hand(s47, 15, easter_2017)
    assert due == date(2017, 5, 2)  # 15 weekdays alone would end on Thursday 27 April
    assert by_hand(s47, 15, set()) == date(2017, 4, 27)
    assert ENGLAND.add_working_days(s47, 15) == due
    assert ENGLAND.working_days_between(s47, date(2017, 5, 2)) == 15  # on time
    assert ENGLAND.working_days_between(s47, date(2017, 5, 3)) == 16  # late
    assert ENGLAND.working_days_between(s47, date(2017, 4, 27)) == 13


def test_icpc_within_15_working_days_across_christmas() -> None:
    # Christmas Day Monday 25 December 2023, Boxing Day 26th, New Year's Day Monday 1 January.
    closed = {date(2023, 12, 25), date(2023, 12, 26), date(2024, 1, 1)}
    s47 = date(2023, 12, 15)  # a Friday
    assert by_hand(s47, 15, closed) == date(2024, 1, 10)
    assert ENGLAND.add_working_days(s47, 15) == date(2024, 1, 10)
    assert ENGLAND.working_days_between(s47, date(2024, 1, 10)) == 15
    assert ENGLAND.working_days_between(s47, date(2024, 1, 11)) == 16


def test_45_working_days_across_christmas_with_substitute_days() -> None:
    # Christmas 2022 fell on a Sunday: Boxing Day Monday 26th, Christmas substitute Tuesday 27th;
    # New Year's Day 2023 a Sunday too: substitute Monday 2 January.
    closed = {date(2022, 12, 26), date(2022, 12, 27), date(2023, 1, 2)}
    assert set(ENGLAND.bank_holidays(2022)) >= closed - {date(2023, 1, 2)}
    assert date(2023, 1, 2) in ENGLAND.bank_holidays(2023)
    referral = date(2022, 12, 1)
    assert by_hand(referral, 45, closed) == date(2023, 2, 7)
    assert ENGLAND.add_working_days(referral, 45) == date(2023, 2, 7)
    assert ENGLAND.working_days_between(referral, date(2023, 2, 7)) == 45
    frame = pl.DataFrame({"referral": [referral], "assessment": [date(2023, 2, 8)]})
    got = frame.select(
        working_days_between_expr("referral", "assessment", ENGLAND),
        add_working_days_expr("referral", 45, ENGLAND),
    )
    assert got.row(0) == (46, date(2023, 2, 7))


@pytest.mark.parametrize(
    "day",
    [
        date(1999, 12, 31),  # millennium
        date(2002, 6, 3),  # golden jubilee
        date(2002, 6, 4),  # spring bank holiday moved
        date(2011, 4, 29),  # royal wedding
        date(2020, 5, 8),  # early May bank holiday moved to VE day
        date(2022, 6, 3),  # platinum jubilee
        date(2022, 9, 19),  # state funeral
        date(2023, 5, 8),  # coronation
        date(2021, 12, 28),  # Boxing Day substitute
    ],
)
def test_special_bank_holidays_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5
    assert not ENGLAND.is_working_day(day)


@pytest.mark.parametrize("day", [date(2020, 5, 4), date(2002, 5, 27), date(2019, 1, 2)])
def test_moved_holidays_leave_a_working_day(day: date) -> None:
    assert ENGLAND.is_working_day(day)


def test_other_nations() -> None:
    scotland = WorkingDayCalendar(subdiv="SCT")
    assert not scotland.is_working_day(date(2019, 1, 2))  # 2 January holiday in Scotland
    assert scotland.is_working_day(date(2019, 8, 26))  # no late summer holiday in Scotland
    assert not ENGLAND.is_working_day(date(2019, 8, 26))
    with pytest.raises(ValueError, match=r"'ENG', 'NIR', 'SCT', 'WLS'; got subdiv='UK'"):
        WorkingDayCalendar(subdiv="UK")


# ---------------------------------------------------------------------- counting rules


@pytest.mark.parametrize(
    ("start", "end", "include_start", "include_end", "expected"),
    [
        # Monday 3 to Friday 7 July 2023
        (date(2023, 7, 3), date(2023, 7, 7), False, True, 4),
        (date(2023, 7, 3), date(2023, 7, 7), True, True, 5),
        (date(2023, 7, 3), date(2023, 7, 7), False, False, 3),
        (date(2023, 7, 3), date(2023, 7, 7), True, False, 4),
        # Saturday 1 to Monday 3 July: a non-working start adds nothing
        (date(2023, 7, 1), date(2023, 7, 3), False, True, 1),
        (date(2023, 7, 1), date(2023, 7, 3), True, True, 1),
        (date(2023, 7, 1), date(2023, 7, 3), True, False, 0),
        # the same day counts only when both ends are included
        (date(2023, 7, 3), date(2023, 7, 3), False, True, 0),
        (date(2023, 7, 3), date(2023, 7, 3), True, False, 0),
        (date(2023, 7, 3), date(2023, 7, 3), False, False, 0),
        (date(2023, 7, 3), date(2023, 7, 3), True, True, 1),
        (date(2023, 7, 1), date(2023, 7, 1), True, True, 0),
        # consecutive working days
        (date(2023, 7, 3), date(2023, 7, 4), False, True, 1),
        (date(2023, 7, 3), date(2023, 7, 4), False, False, 0),
        (date(2023, 7, 3), date(2023, 7, 4), True, True, 2),
    ],
)
def test_include_start_and_include_end(
    start: date, end: date, include_start: bool, include_end: bool, expected: int
) -> None:
    got = ENGLAND.working_days_between(
        start, end, include_start=include_start, include_end=include_end
    )
    assert got == expected
    frame = pl.DataFrame({"s": [start], "e": [end]})
    expr = working_days_between_expr(
        "s", "e", ENGLAND, include_start=include_start, include_end=include_end
    )
    assert frame.select(expr)["working_days"].to_list() == [expected]


def test_add_zero_and_one_working_days() -> None:
    saturday, monday = date(2023, 7, 1), date(2023, 7, 3)
    assert ENGLAND.add_working_days(monday, 0) == monday
    assert ENGLAND.add_working_days(saturday, 0) == monday
    assert ENGLAND.add_working_days(saturday, 1) == monday
    assert ENGLAND.add_working_days(monday, 1) == date(2023, 7, 4)
    assert ENGLAND.add_working_days(date(2017, 4, 14), 0) == date(2017, 4, 18)  # Good Friday
    frame = pl.DataFrame({"d": [monday, saturday, saturday, date(2017, 4, 14)], "n": [0, 0, 1, 0]})
    got = frame.select(add_working_days_expr("d", "n", ENGLAND))["due_date"].to_list()
    assert got == [monday, monday, monday, date(2017, 4, 18)]


def test_extra_closures() -> None:
    s47 = date(2023, 12, 15)
    council = WorkingDayCalendar(extra_closures=[date(2023, 12, 27)])
    assert not council.is_working_day(date(2023, 12, 27))
    assert ENGLAND.is_working_day(date(2023, 12, 27))
    assert council.add_working_days(s47, 15) == date(2024, 1, 11)
    assert council.working_days_between(s47, date(2024, 1, 11)) == 15
    assert ENGLAND.working_days_between(s47, date(2024, 1, 11)) == 16
    frame = pl.DataFrame({"s": [s47], "icpc": [date(2024, 1, 11)]})
    got = frame.select(
        working_days_between_expr("s", "icpc", council),
        add_working_days_expr("s", 15, council),
        is_working_day_expr(pl.lit(date(2023, 12, 27)), council),
    )
    assert got.row(0) == (15, date(2024, 1, 11), False)
    # A closure on a weekend or a bank holiday changes nothing.
    idle = WorkingDayCalendar(extra_closures={date(2023, 12, 30), date(2023, 12, 25)})
    assert idle.add_working_days(s47, 15) == date(2024, 1, 10)
    assert idle.working_days_between(s47, date(2024, 1, 10)) == 15
    assert idle != ENGLAND
    assert WorkingDayCalendar(extra_closures=[date(2023, 12, 27)]) == council
    assert hash(WorkingDayCalendar(extra_closures=[date(2023, 12, 27)])) == hash(council)


def test_argument_errors() -> None:
    with pytest.raises(ValueError, match=r"Cannot have end=2023-07-02 < start=2023-07-03"):
        ENGLAND.working_days_between(date(2023, 7, 3), date(2023, 7, 2))
    with pytest.raises(ValueError, match="n must be >= 0"):
        ENGLAND.add_working_days(date(2023, 7, 3), -1)
    with pytest.raises(TypeError, match="n must be an int"):
        ENGLAND.add_working_days(date(2023, 7, 3), 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"d must be a datetime\.date"):
        ENGLAND.is_working_day("2023-07-03")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a single date"):
        WorkingDayCalendar(extra_closures=date(2023, 7, 3))  # type: ignore[arg-type]


def test_dates_outside_the_calendar() -> None:
    assert date(1990, 1, 1) == CALENDAR_START
    assert date(2100, 12, 31) == CALENDAR_END
    assert ENGLAND.is_working_day(date(1990, 1, 2))
    assert not ENGLAND.is_working_day(date(2100, 12, 27))  # Boxing Day substitute, Monday
    with pytest.raises(DataError, match=r"d=1989-12-29 is outside the working-day calendar"):
        ENGLAND.is_working_day(date(1989, 12, 29))
    with pytest.raises(DataError, match="end=2101-01-03 is outside"):
        ENGLAND.working_days_between(date(2100, 1, 1), date(2101, 1, 3))
    with pytest.raises(DataError, match="goes past 2100-12-31"):
        ENGLAND.add_working_days(date(2100, 12, 20), 10)
    frame = pl.DataFrame({"s": [date(2000, 1, 1), date(2101, 1, 1)], "e": [date(2000, 1, 5)] * 2})
    with pytest.raises(DataError, match=r"column 's' has dates outside .*2101-01-01"):
        frame.select(working_days_between_expr("s", "e", ENGLAND))
    with pytest.raises(DataError, match="goes past 2100-12-31"):
        pl.DataFrame({"s": [date(2100, 12, 20)]}).select(add_working_days_expr("s", 10, ENGLAND))
    with pytest.raises(DataError, match="n must be >= 0"):
        pl.DataFrame({"s": [date(2020, 1, 1)], "n": [-2]}).select(
            add_working_days_expr("s", "n", ENGLAND)
        )
    # working days are whole: a float is refused by name, not an AttributeError from inside
    with pytest.raises(TypeError, match=r"n must be a whole number of working days.*2\.0"):
        add_working_days_expr("s", 2.0, ENGLAND)  # type: ignore[arg-type]


def test_expressions_with_nulls_reversed_dates_and_lazy_frames() -> None:
    frame = pl.LazyFrame(
        {
            "s": [date(2023, 7, 3), None, date(2023, 7, 7), date(2023, 7, 3)],
            "e": [date(2023, 7, 7), date(2023, 7, 7), date(2023, 7, 3), None],
            "n": [1, 2, None, 3],
        },
        schema={"s": pl.Date, "e": pl.Date, "n": pl.Int64},
    )
    got = frame.select(
        working_days_between_expr(pl.col("s"), pl.col("e"), ENGLAND),
        add_working_days_expr("s", pl.col("n"), ENGLAND),
        is_working_day_expr("s", ENGLAND),
    ).collect()
    assert got["working_days"].to_list() == [4, None, None, None]  # end before start: null
    assert got["due_date"].to_list() == [date(2023, 7, 4), None, None, date(2023, 7, 6)]
    assert got["is_working_day"].to_list() == [True, None, True, True]
    assert got.schema == {
        "working_days": pl.Int64,
        "due_date": pl.Date,
        "is_working_day": pl.Boolean,
    }
    # Datetime columns are read as their dates; the helpers work inside group_by too.
    stamped = pl.DataFrame(
        {
            "team": ["a", "a", "b"],
            "s": [date(2017, 4, 6), date(2023, 12, 15), date(2022, 12, 1)],
            "e": [date(2017, 5, 2), date(2024, 1, 10), date(2023, 2, 7)],
        }
    ).with_columns(pl.col("s").cast(pl.Datetime))
    summed = (
        stamped.group_by("team")
        .agg(working_days_between_expr("s", "e", ENGLAND).sum())
        .sort("team")
    )
    assert summed.rows() == [("a", 30), ("b", 45)]


# ---------------------------------------------------------------------- properties


@st.composite
def calendars(draw: st.DrawFn) -> WorkingDayCalendar:
    closures = draw(st.lists(DATES, max_size=6))
    return WorkingDayCalendar(extra_closures=closures)


@given(
    calendars(),
    st.lists(st.tuples(DATES, DATES), min_size=1, max_size=40),
    st.booleans(),
    st.booleans(),
)
@settings(max_examples=100, deadline=None)
def test_between_expr_agrees_with_the_method(
    calendar: WorkingDayCalendar,
    pairs: list[tuple[date, date]],
    include_start: bool,
    include_end: bool,
) -> None:
    frame = pl.DataFrame(
        {"s": [p[0] for p in pairs], "e": [p[1] for p in pairs]},
        schema={"s": pl.Date, "e": pl.Date},
    )
    got = frame.select(
        working_days_between_expr(
            "s", "e", calendar, include_start=include_start, include_end=include_end
        )
    )["working_days"].to_list()
    expected = [
        None
        if e < s
        else calendar.working_days_between(
            s, e, include_start=include_start, include_end=include_end
        )
        for s, e in pairs
    ]
    assert got == expected


@given(calendars(), st.lists(st.tuples(DATES, st.integers(0, 80)), min_size=1, max_size=40))
@settings(max_examples=100, deadline=None)
def test_add_expr_agrees_with_the_method(
    calendar: WorkingDayCalendar, rows: list[tuple[date, int]]
) -> None:
    frame = pl.DataFrame(
        {"s": [r[0] for r in rows], "n": [r[1] for r in rows]},
        schema={"s": pl.Date, "n": pl.Int64},
    )
    got = frame.select(add_working_days_expr("s", "n", calendar))["due_date"].to_list()
    expected = [calendar.add_working_days(s, n) for s, n in rows]
    assert got == expected
    flags = frame.select(is_working_day_expr("s", calendar))["is_working_day"].to_list()
    assert flags == [calendar.is_working_day(s) for s, _ in rows]


@given(DATES, st.integers(0, 120))
@settings(max_examples=200, deadline=None)
def test_adding_then_counting_round_trips(start: date, n: int) -> None:
    due = ENGLAND.add_working_days(start, n)
    assert ENGLAND.is_working_day(due)
    if n == 0:
        assert due >= start
        assert ENGLAND.working_days_between(start, due, include_start=True) == 1
    else:
        assert ENGLAND.working_days_between(start, due) == n
        assert ENGLAND.working_days_between(start, due - timedelta(days=1)) == n - 1


@given(st.lists(st.tuples(DATES, DATES), min_size=1, max_size=50))
@settings(max_examples=50, deadline=None)
def test_between_expr_agrees_with_polars_business_day_count(
    pairs: list[tuple[date, date]],
) -> None:
    closed = [d for year in range(1999, 2032) for d in ENGLAND.bank_holidays(year)]
    frame = pl.DataFrame(
        {"s": [min(p) for p in pairs], "e": [max(p) for p in pairs]},
        schema={"s": pl.Date, "e": pl.Date},
    )
    one_day = pl.duration(days=1)
    # polars counts [start, end); ours counts (start, end], so shift both by a day.
    native = pl.business_day_count(pl.col("s") + one_day, pl.col("e") + one_day, holidays=closed)
    got = frame.select(working_days_between_expr("s", "e", ENGLAND), native.alias("native"))
    assert got["working_days"].to_list() == got["native"].cast(pl.Int64).to_list()
