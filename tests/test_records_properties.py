"""Property-based checks (Hypothesis) of record-level derivation on generated histories.

Generated children with referrals (CIN episodes; some without a referral date), assessments (some
without a start date, some dated before their referral) and children looked after (chains of
SSDA903 episodes) go through :meth:`CINCensus.from_frames` / :meth:`SSDA903.from_frames` and
``cyp.derive``, and:

* referral, re-referral and referral-to-assessment counts equal a pure-Python loop that applies the
  definitions' wording (a re-referral's previous referral is on or after the date 12 months before;
  a referral converts when its CIN episode has an assessment starting on or after the referral);
* row accounting balances and matches the rows the reader read, table by table;
* a year-to-date series never falls within a financial year, and its March equals the year;
* a 36-month series equals 36 separate single-period derives (one pass gives the same answers).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any

import attrs
import hypothesis.strategies as st
import polars as pl
from hypothesis import given, settings
from polars.testing import assert_frame_equal

import cyp_indicators as cyp
from cyp_indicators.records.registry import DERIVATIONS

D = dt.date
FIRST_DAY = D(2015, 4, 1)  # referrals from FY 2015-16 ...
LAST_DAY = D(2019, 3, 31)  # ... to FY 2018-19; the series below cover FY 2016-17 to 2018-19
FY_YEARS = range(2016, 2020)
POPULATION = 40_000

CIN_IDS = ("referral_rate_per_10k", "re_referral_within_12_months_pct")
CONVERSION = "referral_to_assessment_conversion"
CLA_IDS = ("cla_rate_per_10k", "cla_starts_rate_per_10k", "cla_ceased_rate_per_10k")

PROPERTIES = settings(max_examples=50, deadline=None)
SERIES = settings(max_examples=15, deadline=None)


def _add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by whole months; a day past the end of the month becomes its last day."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return D(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def _definition(ident: str) -> cyp.IndicatorDefinition:
    return cyp.load_catalogue().get(ident)


# --- generated histories ------------------------------------------------------------------------


@attrs.frozen
class Referral:
    """One CIN episode: the child, its number, the referral date and its assessments' starts."""

    child: str
    number: int
    date: dt.date | None
    assessments: tuple[dt.date | None, ...]


_DAYS = (LAST_DAY - FIRST_DAY).days


@st.composite
def referral_dates(draw: st.DrawFn) -> list[dt.date]:
    """A child's distinct referral dates: random, or 12 months (plus or minus a day) apart."""
    dates: list[dt.date] = []
    for _ in range(draw(st.integers(0, 4))):
        a_year_on = draw(st.booleans())
        if dates and a_year_on:
            candidate = _add_months(dates[-1], 12) + dt.timedelta(days=draw(st.integers(-1, 1)))
        else:
            candidate = FIRST_DAY + dt.timedelta(days=draw(st.integers(0, _DAYS)))
        if FIRST_DAY <= candidate <= LAST_DAY and candidate not in dates:
            dates.append(candidate)
    return dates


@st.composite
def histories(draw: st.DrawFn) -> list[Referral]:
    """Referrals of up to eight children, with assessments from 20 days before to 150 after."""
    out: list[Referral] = []
    for c in range(draw(st.integers(1, 8))):
        dates: list[dt.date | None] = list(draw(referral_dates()))
        if draw(st.integers(0, 9)) == 9:
            dates.append(None)  # no referral date: the reader excludes the episode
        for number, date in enumerate(dates, start=1):
            starts: list[dt.date | None] = []
            for _ in range(draw(st.integers(0, 2))):
                if date is None or draw(st.integers(0, 9)) == 9:
                    starts.append(None)  # no start date: the reader excludes the assessment
                else:
                    starts.append(date + dt.timedelta(days=draw(st.integers(-20, 150))))
            out.append(Referral(f"c{c}", number, date, tuple(starts)))
    return out


def _cin_records(history: list[Referral]) -> cyp.CINCensus:
    details = pl.DataFrame(
        {
            "LAchildID": [r.child for r in history],
            "CINdetailsID": [r.number for r in history],
            "CINreferralDate": [r.date for r in history],
        },
        schema={"LAchildID": pl.String, "CINdetailsID": pl.Int64, "CINreferralDate": pl.Date},
    )
    assessments = pl.DataFrame(
        [(r.child, r.number, start) for r in history for start in r.assessments],
        schema={
            "LAchildID": pl.String,
            "CINdetailsID": pl.Int64,
            "AssessmentActualStartDate": pl.Date,
        },
        orient="row",
    )
    return cyp.CINCensus.from_frames(cin_details=details, assessments=assessments)


@st.composite
def episode_chains(draw: st.DrawFn) -> pl.DataFrame:
    """SSDA903 episodes of up to eight children: periods of care made of chained episodes."""
    rows: list[tuple[Any, ...]] = []
    for c in range(draw(st.integers(1, 8))):
        day = D(2015, 1, 1) + dt.timedelta(days=draw(st.integers(0, 1200)))
        still_in_care = False
        for _ in range(draw(st.integers(1, 2))):  # periods of care, a gap between them
            if still_in_care:
                break
            rne, n = "S", draw(st.integers(1, 3))
            for k in range(n):  # episodes of the period, each ending X1 but the last
                last = k == n - 1
                end: dt.date | None = day + dt.timedelta(days=draw(st.integers(0, 400)))
                if last and draw(st.integers(0, 3)) == 3:
                    end = None
                ls = draw(st.sampled_from(["C2", "C2", "E1", "V3"]))
                rec = None if end is None else ("E13" if last else "X1")
                rows.append((f"k{c}", day, rne, ls, "N1", "U1", end, rec))
                if end is None:
                    still_in_care = True
                    break
                day, rne = end, draw(st.sampled_from(["P", "L", "T"]))
            day += dt.timedelta(days=draw(st.integers(1, 300)))
    return pl.DataFrame(
        rows,
        schema={
            "CHILD": pl.String,
            "DECOM": pl.Date,
            "RNE": pl.String,
            "LS": pl.String,
            "CIN": pl.String,
            "PLACE": pl.String,
            "DEC": pl.Date,
            "REC": pl.String,
        },
        orient="row",
    )


# --- the pure-Python reference ------------------------------------------------------------------


def _in(d: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return d is not None and start <= d <= end


def reference_counts(history: list[Referral], start: dt.date, end: dt.date) -> dict[str, int]:
    """Referrals, re-referrals and converted referrals in ``start``..``end``, by loops."""
    dated = [r for r in history if r.date is not None]
    by_child: dict[str, list[dt.date]] = defaultdict(list)
    for r in dated:
        assert r.date is not None
        by_child[r.child].append(r.date)
    referrals = re_referrals = converted = 0
    for r in dated:
        assert r.date is not None
        if not _in(r.date, start, end):
            continue
        referrals += 1
        earlier = [d for d in by_child[r.child] if d < r.date]
        if earlier and max(earlier) >= _add_months(r.date, -12):
            re_referrals += 1
        if any(a is not None and a >= r.date for a in r.assessments):
            converted += 1
    return {"referrals": referrals, "re_referrals": re_referrals, "converted": converted}


def _numbers(values: pl.DataFrame, column: str) -> list[int]:
    return [int(v) for v in values[column].to_list()]


def _library_counts(records: cyp.CINCensus, period: Any) -> dict[str, list[int]]:
    referrals = cyp.derive(_definition("referral_rate_per_10k"), records, period=period).values
    re_ref = cyp.derive(_definition("re_referral_within_12_months_pct"), records, period=period)
    conversion = cyp.derive(_definition(CONVERSION), records, period=period).values
    return {
        "referrals": _numbers(referrals, "numerator"),
        "re_referral_denominator": _numbers(re_ref.values, "denominator"),
        "re_referrals": _numbers(re_ref.values, "numerator"),
        "conversion_denominator": _numbers(conversion, "denominator"),
        "converted": _numbers(conversion, "numerator"),
    }


def _fy_series() -> cyp.PeriodSeries:
    return cyp.PeriodSeries([cyp.Period.financial_year(y) for y in FY_YEARS])


@PROPERTIES
@given(histories())
def test_referral_counts_equal_a_plain_loop(history: list[Referral]) -> None:
    """Referrals, re-referrals and conversions per financial year equal the pure-Python loop."""
    records = _cin_records(history)
    periods = _fy_series()
    got = _library_counts(records, periods)
    for i, period in enumerate(periods):
        expected = reference_counts(history, period.start, period.end)
        assert got["referrals"][i] == expected["referrals"], period.label
        assert got["re_referral_denominator"][i] == expected["referrals"], period.label
        assert got["conversion_denominator"][i] == expected["referrals"], period.label
        assert got["re_referrals"][i] == expected["re_referrals"], (period.label, history)
        assert got["converted"][i] == expected["converted"], (period.label, history)


def _assert_balanced(result: cyp.Derivation, records: Any, tables: tuple[str, ...]) -> None:
    accounting = {row["table"]: row for row in result.accounting.rows(named=True)}
    assert set(accounting) <= set(tables)
    for table in tables:
        row = accounting.get(
            table, {"rows_in": 0, "counted": 0, "not_counted": 0, "excluded_on_reading": 0}
        )
        assert row["counted"] + row["not_counted"] + row["excluded_on_reading"] == row["rows_in"]
        assert row["rows_in"] == records.rows_read[table], (
            f"{result.definition.id}, table {table}: rows_in {row['rows_in']} (counted "
            f"{row['counted']}, not counted {row['not_counted']}, excluded on reading "
            f"{row['excluded_on_reading']}) but the reader read {records.rows_read[table]}"
        )


def _balances(ident: str, records: Any) -> None:
    definition = _definition(ident)
    assert definition.derivation is not None
    periods = cyp.Period.monthly(D(2016, 4, 30), D(2019, 3, 31), kind="year_to_date")
    result = cyp.derive(definition, records, period=periods)
    _assert_balanced(result, records, DERIVATIONS[definition.derivation.name].tables)


@PROPERTIES
@given(histories())
def test_row_accounting_always_balances_for_referrals(history: list[Referral]) -> None:
    """Per table: counted + not counted + excluded on reading = rows in = rows the reader read."""
    records = _cin_records(history)
    for ident in (*CIN_IDS, CONVERSION):
        _balances(ident, records)


@PROPERTIES
@given(episode_chains())
def test_row_accounting_always_balances_for_episodes(episodes: pl.DataFrame) -> None:
    """The same for children looked after: every episode counted or not counted, with a reason."""
    records = cyp.SSDA903.from_frames(episodes=episodes)
    for ident in CLA_IDS:
        _balances(ident, records)


@PROPERTIES
@given(histories())
def test_year_to_date_series_is_cumulative(history: list[Referral]) -> None:
    """Year-to-date counts never fall within a financial year; March equals the whole year."""
    records = _cin_records(history)
    series = cyp.Period.monthly(D(2016, 4, 30), D(2019, 3, 31), kind="year_to_date")
    monthly = _library_counts(records, series)
    yearly = _library_counts(
        records, cyp.PeriodSeries([cyp.Period.financial_year(y) for y in (2017, 2018, 2019)])
    )
    for name, counts in monthly.items():
        assert len(counts) == 36
        for year in range(3):
            months = counts[12 * year : 12 * year + 12]
            assert months == sorted(months), (name, year, months)
            assert months[-1] == yearly[name][year], (name, year)


_SERIES_CASES = [
    *(
        (i, k)
        for i in (*CIN_IDS, CONVERSION)
        for k in ("year_to_date", "rolling_12_months", "month")
    ),
    *(("cla_rate_per_10k", k) for k in ("snapshot", "month")),
    *((i, k) for i in CLA_IDS[1:] for k in ("year_to_date", "month")),
]


@SERIES
@given(histories(), episode_chains(), st.sampled_from(_SERIES_CASES))
def test_a_36_month_series_equals_36_single_derives(
    history: list[Referral], episodes: pl.DataFrame, case: tuple[str, str]
) -> None:
    """One pass over 36 month ends gives the same values as 36 separate derives."""
    ident, kind = case
    records: Any = (
        cyp.SSDA903.from_frames(episodes=episodes) if ident in CLA_IDS else _cin_records(history)
    )
    definition = _definition(ident)
    series = cyp.Period.monthly(D(2016, 4, 30), D(2019, 3, 31), kind=kind)
    assert len(series) == 36
    together = cyp.derive(definition, records, period=series, population=POPULATION)
    one_by_one = [
        cyp.derive(definition, records, period=period, population=POPULATION) for period in series
    ]
    assert_frame_equal(together.values, pl.concat([r.values for r in one_by_one]))
    counted = {row["table"]: row["counted"] for row in together.accounting.rows(named=True)}
    for single in one_by_one:
        for row in single.accounting.rows(named=True):
            assert row["counted"] <= counted[row["table"]]
