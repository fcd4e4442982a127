"""Reporting periods (records/periods.py): edges, labels, monthly series, episodes, ages."""

from __future__ import annotations

from datetime import date, timedelta

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings

from cyp_indicators.records.periods import MONTHLY_KINDS, Period, PeriodSeries, age_on

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


def in_expr(period: Period, days: list[date | None]) -> list[bool]:
    frame = pl.DataFrame({"d": days}, schema={"d": pl.Date})
    return frame.select(period.contains_expr("d"))["d"].to_list()


# ---------------------------------------------------------------------- constructors and edges


def test_financial_year_edges_are_inclusive() -> None:
    fy = Period.financial_year(2017)
    assert (fy.start, fy.end, fy.kind, fy.label) == (
        date(2016, 4, 1),
        date(2017, 3, 31),
        "financial_year",
        "FY 2016-17",
    )
    edges = [date(2016, 3, 31), date(2016, 4, 1), date(2017, 3, 31), date(2017, 4, 1)]
    assert [fy.contains(d) for d in edges] == [False, True, True, False]
    assert in_expr(fy, [*edges, None]) == [False, True, True, False, False]


def test_financial_year_including_previous_31_march() -> None:
    fy = Period.financial_year(2017, include_previous_31_march=True)
    assert (fy.start, fy.end) == (date(2016, 3, 31), date(2017, 3, 31))
    assert fy.label == "FY 2016-17 (from 2016-03-31)"
    assert fy.contains(date(2016, 3, 31))
    assert not fy.contains(date(2016, 3, 30))
    assert in_expr(fy, [date(2016, 3, 30), date(2016, 3, 31), date(2017, 3, 31)]) == [
        False,
        True,
        True,
    ]
    # 31 March 2016 is then in both FY 2015-16 (as its last day) and FY 2016-17.
    assert Period.financial_year(2016).contains(date(2016, 3, 31))


def test_financial_year_labels_across_a_century() -> None:
    assert Period.financial_year(2000).label == "FY 1999-00"
    assert Period.financial_year(2010).label == "FY 2009-10"


def test_academic_year() -> None:
    ay = Period.academic_year(2017)
    assert (ay.start, ay.end, ay.kind, ay.label) == (
        date(2016, 9, 1),
        date(2017, 8, 31),
        "academic_year",
        "AY 2016-17",
    )


def test_snapshot_and_month() -> None:
    snap = Period.snapshot(date(2017, 3, 31))
    assert (snap.start, snap.end, snap.kind, snap.label) == (
        date(2017, 3, 31),
        date(2017, 3, 31),
        "snapshot",
        "2017-03-31",
    )
    assert in_expr(snap, [date(2017, 3, 30), date(2017, 3, 31), date(2017, 4, 1)]) == [
        False,
        True,
        False,
    ]
    feb = Period.month(date(2016, 2, 10))
    assert (feb.start, feb.end, feb.label) == (date(2016, 2, 1), date(2016, 2, 29), "2016-02")


@pytest.mark.parametrize(
    ("d", "start"),
    [
        (date(2017, 3, 31), date(2016, 4, 1)),  # the whole financial year
        (date(2016, 4, 1), date(2016, 4, 1)),  # its first day only
        (date(2016, 12, 31), date(2016, 4, 1)),
        (date(2017, 1, 15), date(2016, 4, 1)),
        (date(2017, 4, 30), date(2017, 4, 1)),
    ],
)
def test_year_to_date(d: date, start: date) -> None:
    ytd = Period.year_to_date(d)
    assert (ytd.start, ytd.end, ytd.kind) == (start, d, "year_to_date")
    assert ytd.label == f"YTD to {d.isoformat()}"


def test_year_to_date_on_31_march_is_the_financial_year() -> None:
    ytd, fy = Period.year_to_date(date(2017, 3, 31)), Period.financial_year(2017)
    assert (ytd.start, ytd.end) == (fy.start, fy.end)


@pytest.mark.parametrize(
    ("d", "start"),
    [
        (date(2017, 3, 31), date(2016, 4, 1)),
        (date(2017, 3, 15), date(2016, 3, 16)),
        (date(2017, 2, 28), date(2016, 3, 1)),  # month end: 12 whole months, not from 29 Feb
        (date(2016, 2, 29), date(2015, 3, 1)),
        (date(2016, 2, 28), date(2015, 3, 1)),  # 28 Feb 2015 + 1 day
        (date(2017, 1, 1), date(2016, 1, 2)),
    ],
)
def test_rolling_12_months(d: date, start: date) -> None:
    p = Period.rolling_12_months(d)
    assert (p.start, p.end, p.kind, p.label) == (
        start,
        d,
        "rolling_12_months",
        f"12 months to {d.isoformat()}",
    )


@given(DATES)
@settings(max_examples=200, deadline=None)
def test_rolling_12_months_spans_a_year(d: date) -> None:
    p = Period.rolling_12_months(d)
    assert 365 <= (p.end - p.start).days + 1 <= 366
    assert p.contains(d)
    assert not p.contains(p.start - timedelta(days=1))


def test_direct_period_and_its_checks() -> None:
    p = Period(date(2020, 1, 1), date(2020, 6, 30))
    assert (p.kind, p.label) == ("custom", "2020-01-01 to 2020-06-30")
    with pytest.raises(ValueError, match=r"Cannot have end=2019-12-31 < start=2020-01-01"):
        Period(date(2020, 1, 1), date(2019, 12, 31))
    with pytest.raises(TypeError, match=r"start must be a datetime\.date"):
        Period("2020-01-01", date(2020, 1, 2))
    with pytest.raises(TypeError, match="end_year must be an int"):
        Period.financial_year("2017")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- monthly series


def test_monthly_year_to_date_series_in_fy_2016_17() -> None:
    series = Period.monthly(date(2016, 4, 30), date(2017, 3, 31))
    assert isinstance(series, PeriodSeries)
    assert len(series) == 12
    assert all(p.kind == "year_to_date" and p.start == date(2016, 4, 1) for p in series)
    ends = [p.end for p in series]
    assert ends[:3] == [date(2016, 4, 30), date(2016, 5, 31), date(2016, 6, 30)]
    assert ends[10:] == [date(2017, 2, 28), date(2017, 3, 31)]
    assert series[0].label == "YTD to 2016-04-30"
    assert series[-1].label == "YTD to 2017-03-31"
    fy = Period.financial_year(2017)
    assert (series[-1].start, series[-1].end) == (fy.start, fy.end)
    # Sequence behaviour: index, slices, membership.
    assert series.index(series[5]) == 5
    assert series[5] in series
    assert isinstance(series[1:3], PeriodSeries)
    assert len(series[1:3]) == 2
    frame = series.to_frame()
    assert frame.columns == ["period_label", "period_start", "period_end"]
    assert frame.dtypes == [pl.String, pl.Date, pl.Date]
    assert frame.height == 12
    assert frame["period_end"].to_list() == ends


def test_monthly_normalises_to_month_ends() -> None:
    exact = Period.monthly(date(2016, 4, 30), date(2017, 3, 31))
    assert Period.monthly(date(2016, 4, 15), date(2017, 3, 1)) == exact
    one = Period.monthly(date(2016, 2, 3), date(2016, 2, 3), kind="snapshot")
    assert [p.label for p in one] == ["2016-02-29"]


@pytest.mark.parametrize("kind", MONTHLY_KINDS)
def test_monthly_kinds(kind: str) -> None:
    series = Period.monthly(date(2016, 11, 30), date(2017, 2, 28), kind=kind)
    assert len(series) == 4
    assert [p.kind for p in series] == [kind] * 4
    assert [p.end for p in series] == [
        date(2016, 11, 30),
        date(2016, 12, 31),
        date(2017, 1, 31),
        date(2017, 2, 28),
    ]
    if kind == "rolling_12_months":
        assert series[-1].start == date(2016, 3, 1)
    if kind == "month":
        assert series[1].start == date(2016, 12, 1)


def test_monthly_argument_errors() -> None:
    with pytest.raises(ValueError, match=r"Cannot have last_end=2016-03-31 < first_end=2017-03-31"):
        Period.monthly(date(2017, 3, 31), date(2016, 3, 31))
    with pytest.raises(ValueError, match="'year_to_date', 'rolling_12_months'") as info:
        Period.monthly(date(2016, 4, 30), date(2017, 3, 31), kind="weekly")
    assert "kind='weekly'" in str(info.value)


# ---------------------------------------------------------------------- episodes


EPISODES = pl.DataFrame(
    {
        "name": [
            "ceased on 31 March",
            "ceased on 1 April",
            "started on 31 March, open",
            "started on 1 April",
            "open since 2010",
            "ceased before the year",
            "ceased on the year's first day",
            "started and ceased on 31 March",
            "no start date",
            "inside the year",
        ],
        "DECOM": [
            date(2016, 6, 1),
            date(2016, 6, 1),
            date(2017, 3, 31),
            date(2017, 4, 1),
            date(2010, 1, 1),
            date(2015, 1, 1),
            date(2015, 1, 1),
            date(2017, 3, 31),
            None,
            date(2016, 5, 1),
        ],
        "DEC": [
            date(2017, 3, 31),
            date(2017, 4, 1),
            None,
            None,
            None,
            date(2016, 3, 31),
            date(2016, 4, 1),
            date(2017, 3, 31),
            None,
            date(2016, 9, 30),
        ],
    },
    schema={"name": pl.String, "DECOM": pl.Date, "DEC": pl.Date},
)


def flagged(expr: pl.Expr) -> list[str]:
    return EPISODES.filter(expr)["name"].to_list()


def test_open_at_end_follows_the_dfe_31_march_convention() -> None:
    fy = Period.financial_year(2017)
    at_31_march = flagged(fy.open_at_end_expr("DECOM", "DEC"))
    assert at_31_march == ["ceased on 1 April", "started on 31 March, open", "open since 2010"]
    # A snapshot on 31 March means the same.
    snapshot = Period.snapshot(date(2017, 3, 31))
    assert flagged(snapshot.open_at_end_expr(pl.col("DECOM"), pl.col("DEC"))) == at_31_march
    values = EPISODES.select(fy.open_at_end_expr("DECOM", "DEC"))["DECOM"]
    assert values.null_count() == 0


def test_overlaps_is_inclusive_and_treats_a_null_end_as_open() -> None:
    fy = Period.financial_year(2017)
    assert flagged(fy.overlaps_expr("DECOM", "DEC")) == [
        "ceased on 31 March",
        "ceased on 1 April",
        "started on 31 March, open",
        "open since 2010",
        "ceased on the year's first day",
        "started and ceased on 31 March",
        "inside the year",
    ]
    wider = Period.financial_year(2017, include_previous_31_march=True)
    assert "ceased before the year" in flagged(wider.overlaps_expr("DECOM", "DEC"))


def test_contains_expr_agrees_with_contains_on_a_lazy_frame() -> None:
    fy = Period.financial_year(2017)
    days = [date(2016, 3, 30) + timedelta(days=i) for i in range(0, 380, 3)]
    got = pl.LazyFrame({"d": days}).select(fy.contains_expr(pl.col("d"))).collect()["d"]
    assert got.to_list() == [fy.contains(d) for d in days]


@given(DATES, DATES, DATES)
@settings(max_examples=200, deadline=None)
def test_contains_expr_agrees_with_contains(a: date, b: date, d: date) -> None:
    period = Period(min(a, b), max(a, b))
    assert in_expr(period, [d]) == [period.contains(d)]


# ---------------------------------------------------------------------- ages


def ages(dob: date | None, on: date) -> int | None:
    frame = pl.DataFrame({"dob": [dob]}, schema={"dob": pl.Date})
    value: int | None = frame.select(age_on("dob", on))["age"][0]
    return value


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (date(2000, 2, 29), date(2001, 2, 28), 0),  # not yet: the birthday is 1 March
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),  # a leap year: 29 February itself
        (date(2000, 2, 29), date(2018, 2, 28), 17),  # 18 on 1 March 2018
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(2005, 6, 15), date(2023, 6, 14), 17),  # the day before the 18th birthday
        (date(2005, 6, 15), date(2023, 6, 15), 18),  # the birthday
        (date(2005, 6, 15), date(2005, 6, 15), 0),  # the day of birth
        (date(2004, 3, 1), date(2005, 2, 28), 0),
        (date(2004, 3, 1), date(2005, 3, 1), 1),
        (date(1999, 12, 31), date(2017, 3, 31), 17),
        (date(2017, 4, 1), date(2017, 3, 31), None),  # not born yet
        (None, date(2017, 3, 31), None),
    ],
)
def test_age_on(dob: date | None, on: date, age: int | None) -> None:
    assert ages(dob, on) == age


def test_age_on_a_column_or_expression() -> None:
    frame = pl.DataFrame(
        {
            "dob": [date(2008, 2, 29), date(2010, 5, 2), date(2010, 5, 2)],
            "DECOM": [date(2009, 2, 28), date(2016, 5, 1), date(2016, 5, 2)],
        }
    )
    assert frame.select(age_on("dob", "DECOM"))["age"].to_list() == [0, 5, 6]
    got = frame.select(age_on(pl.col("dob"), pl.col("DECOM") + pl.duration(days=1)))
    assert got["age"].to_list() == [1, 6, 6]
    assert got.schema["age"] == pl.Int64


def reference_age(dob: date, on: date) -> int | None:
    """Count the birthdays after birth up to ``on``; a 29 February birthday is 1 March in a
    non-leap year."""
    if on < dob:
        return None

    def birthday(year: int) -> date:
        try:
            return dob.replace(year=year)
        except ValueError:
            return date(year, 3, 1)

    return sum(1 for y in range(dob.year + 1, on.year + 1) if birthday(y) <= on)


@given(DATES, DATES)
@settings(max_examples=300, deadline=None)
def test_age_on_matches_counting_birthdays(dob: date, on: date) -> None:
    assert ages(dob, on) == reference_age(dob, on)
