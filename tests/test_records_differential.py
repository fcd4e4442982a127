"""Children looked after from SSDA903 records, checked against an independent reference.

The issue's "verified by": on the five synthetic SSDA903 years of ``reference/records/demand_model``
(read together, and each year's files on their own), for every collection year the library's
children looked after at 31 March, starting and ceasing in the year, and with three or more
placements equal what a deliberately simple re-implementation of DfE's rules gives. The reference
below uses plain Python loops over ``records.episodes.rows(named=True)`` and no library function;
its rules are copied from the docstring of ``records/derivations/looked_after.py``:

* short breaks (legal status V3, V4) are never counted;
* looked after at a date: DECOM on or before the date, and no DEC or DEC after the date;
* started in a year: RNE "S" with DECOM in the year (each child once), unless another of the
  child's episodes, begun before it, is still open on that day (already looked after);
* ceased in a year: DEC in the year with REC present and not "X1" (each child once);
* three or more placements: of the children looked after at the end of the year, those whose
  episodes overlapping the year, in DECOM order, give three placements or more: the first counts,
  and each later one that starts in the year with RNE S, P, B, T or U, unless RNE is T or U into
  PLACE A3 or A5 (adoption by the current foster carers is not a move); an episode in a temporary
  placement (PLACE T0-T4) is not a placement, nor the return from it to the same carer and
  placement (same PLACE, and URN, PL_POST, PLACE_PROVIDER equal wherever both give them) as the
  child's last episode before the temporary ones.

Then the stock-and-flow identity between the three counts (see
:func:`test_stock_and_flow_identity_on_the_synthetic_years`), and the row accounting of every
bundled definition that has a derivation, on the samples of ``reference/records``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.records.registry import DERIVATIONS

SAMPLES = Path(__file__).parent / "reference" / "records"
DEMAND = SAMPLES / "demand_model"
DEMAND_TABLES = SAMPLES / "demand_model_tables"
VALIDATOR = SAMPLES / "validator_903"
VALIDATOR_OC2 = SAMPLES / "validator_903_oc2"
CIN = SAMPLES / "cin"

#: The files of each demand_model year; the five years run from 2013 to March 2022.
FILE_YEARS = range(2017, 2022)
#: Collection years (ending 31 March) checked: every year the files touch.
YEARS = range(2017, 2023)
SOURCES = ("all years", *(str(y) for y in FILE_YEARS))

SHORT_BREAKS = ("V3", "V4")
PLACEMENT_REASONS = ("S", "P", "B", "T", "U")
SAME_CARER_REASONS = ("T", "U")
ADOPTION_WITH_CURRENT_CARERS = ("A3", "A5")
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")

Episode = dict[str, Any]

# --- the records --------------------------------------------------------------------------------

_CACHE: dict[str, cyp.SSDA903] = {}


def _records(source: str) -> cyp.SSDA903:
    """The demand_model records: all five years read together, or one year's two files."""
    if source not in _CACHE:
        if source == "all years":
            _CACHE[source] = cyp.read_ssda903(DEMAND)
        else:
            _CACHE[source] = cyp.read_ssda903(
                [DEMAND / f"{source}-header.csv", DEMAND / f"{source}-episodes.csv"]
            )
    return _CACHE[source]


def _episodes(records: Any) -> list[Episode]:
    """Every kept episode that is not a short break, as a plain dict."""
    return [e for e in records.episodes.rows(named=True) if e["LS"] not in SHORT_BREAKS]


def _by_child(episodes: Iterable[Episode]) -> dict[str, list[Episode]]:
    """Episodes grouped by child, each child's in DECOM order."""
    grouped: dict[str, list[Episode]] = defaultdict(list)
    for e in episodes:
        grouped[e["CHILD"]].append(e)
    return {c: sorted(es, key=lambda e: e["DECOM"]) for c, es in grouped.items()}


def _year(n: int) -> tuple[dt.date, dt.date]:
    """Collection year ``n``: 1 April ``n - 1`` to 31 March ``n``."""
    return dt.date(n - 1, 4, 1), dt.date(n, 3, 31)


# --- the reference implementation ---------------------------------------------------------------


def _open_at(e: Episode, day: dt.date) -> bool:
    return e["DECOM"] <= day and (e["DEC"] is None or e["DEC"] > day)


def ref_looked_after(episodes: Iterable[Episode], day: dt.date) -> set[str]:
    """Children with an episode open at the end of ``day``."""
    return {e["CHILD"] for e in episodes if _open_at(e, day)}


def ref_started(episodes: Iterable[Episode], start: dt.date, end: dt.date) -> set[str]:
    """Children with an RNE S episode beginning in ``start``..``end`` while not already in care."""
    episodes = list(episodes)

    def already(e: Episode) -> bool:
        return any(
            o is not e
            and o["CHILD"] == e["CHILD"]
            and o["DECOM"] < e["DECOM"]
            and (o["DEC"] is None or o["DEC"] > e["DECOM"])
            for o in episodes
        )

    return {
        e["CHILD"]
        for e in episodes
        if e["RNE"] == "S" and start <= e["DECOM"] <= end and not already(e)
    }


def _ceases(e: Episode, start: dt.date, end: dt.date) -> bool:
    return (
        e["DEC"] is not None
        and start <= e["DEC"] <= end
        and e["REC"] is not None
        and e["REC"] != "X1"
    )


def ref_ceased(episodes: Iterable[Episode], start: dt.date, end: dt.date) -> set[str]:
    """Children with an episode ending in ``start``..``end`` other than by X1."""
    return {e["CHILD"] for e in episodes if _ceases(e, start, end)}


def _same_placement(a: Episode, b: Episode) -> bool:
    if a["PLACE"] != b["PLACE"]:
        return False
    return all(
        a.get(c) is None or b.get(c) is None or a.get(c) == b.get(c)
        for c in ("URN", "PL_POST", "PLACE_PROVIDER")
    )


def _not_moves(child_episodes: Sequence[Episode]) -> set[int]:
    """Positions of a child's temporary episodes and of returns from them (DECOM order)."""
    out: set[int] = set()
    usual: Episode | None = None
    for i, e in enumerate(child_episodes):
        if e["PLACE"] in TEMPORARY:
            out.add(i)
            continue
        after = i > 0 and child_episodes[i - 1]["PLACE"] in TEMPORARY
        if after and usual is not None and _same_placement(usual, e):
            out.add(i)
        usual = e
    return out


def ref_placements(child_episodes: Sequence[Episode], start: dt.date, end: dt.date) -> int:
    """Placements of one child in ``start``..``end`` (episodes already in DECOM order)."""
    not_moves = _not_moves(child_episodes)
    overlapping = [
        (i, e)
        for i, e in enumerate(child_episodes)
        if e["DECOM"] <= end and (e["DEC"] is None or e["DEC"] >= start)
    ]
    count = 0
    for n, (i, e) in enumerate(overlapping):
        if n == 0:
            count += 1
            continue
        if e["DECOM"] < start or e["RNE"] not in PLACEMENT_REASONS or i in not_moves:
            continue
        if e["RNE"] in SAME_CARER_REASONS and e["PLACE"] in ADOPTION_WITH_CURRENT_CARERS:
            continue
        count += 1
    return count


def ref_three_or_more(
    by_child: Mapping[str, Sequence[Episode]], start: dt.date, end: dt.date
) -> tuple[int, int]:
    """(children with 3+ placements, children looked after at ``end``)."""
    cohort = [c for c, es in by_child.items() if any(_open_at(e, end) for e in es)]
    many = sum(1 for c in cohort if ref_placements(by_child[c], start, end) >= 3)
    return many, len(cohort)


# --- the library --------------------------------------------------------------------------------


def _derive(ident: str, records: Any, period: Any) -> pl.DataFrame:
    return cyp.derive(cyp.load_catalogue().get(ident), records, period=period).values


def _counts(values: pl.DataFrame, column: str = "numerator") -> list[int]:
    return [int(v) for v in values[column].to_list()]


@attrs.frozen
class _Year:
    """The library's counts for one collection year."""

    at_end: int
    started: int
    ceased: int
    many_placements: tuple[int, int]


def _library_year(records: Any, n: int) -> _Year:
    fy = cyp.Period.financial_year(n)
    placements = _derive("cla_three_or_more_placements_pct", records, fy)
    return _Year(
        at_end=_counts(_derive("cla_rate_per_10k", records, cyp.Period.snapshot(fy.end)))[0],
        started=_counts(_derive("cla_starts_rate_per_10k", records, fy))[0],
        ceased=_counts(_derive("cla_ceased_rate_per_10k", records, fy))[0],
        many_placements=(
            _counts(placements)[0],
            _counts(placements, "denominator")[0],
        ),
    )


# --- the differential tests ---------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("source", SOURCES)
def test_looked_after_counts_equal_the_reference(source: str, year: int) -> None:
    """At 31 March, started, ceased and 3+ placements equal the plain-loop reference."""
    records = _records(source)
    episodes = _episodes(records)
    start, end = _year(year)
    expected = _Year(
        at_end=len(ref_looked_after(episodes, end)),
        started=len(ref_started(episodes, start, end)),
        ceased=len(ref_ceased(episodes, start, end)),
        many_placements=ref_three_or_more(_by_child(episodes), start, end),
    )
    got = _library_year(records, year)
    assert got == expected, f"{source}, collection year {year}: expected {expected}, got {got}"


def test_the_comparison_is_not_vacuous() -> None:
    """Every kind of count is non-zero in some year, so the comparison has something to compare."""
    records = _records("all years")
    by_year = {n: _library_year(records, n) for n in YEARS}
    assert all(y.at_end > 0 for y in by_year.values())
    assert sum(y.started for y in by_year.values()) > 100
    assert sum(y.ceased for y in by_year.values()) > 100
    assert sum(y.many_placements[0] for y in by_year.values()) > 100


def test_monthly_series_equal_the_reference() -> None:
    """Every month end from April 2016 to March 2022: snapshots, months and rolling years."""
    records = _records("all years")
    episodes = _episodes(records)
    by_child = _by_child(episodes)
    first, last = dt.date(2016, 4, 30), dt.date(2022, 3, 31)
    snapshots = cyp.Period.monthly(first, last, kind="snapshot")
    months = cyp.Period.monthly(first, last, kind="month")
    rolling = cyp.Period.monthly(first, last, kind="rolling_12_months")
    assert len(snapshots) == 72

    at_end = _counts(_derive("cla_rate_per_10k", records, snapshots))
    assert at_end == [len(ref_looked_after(episodes, p.end)) for p in snapshots]

    started = _counts(_derive("cla_starts_rate_per_10k", records, months))
    assert started == [len(ref_started(episodes, p.start, p.end)) for p in months]
    ceased = _counts(_derive("cla_ceased_rate_per_10k", records, months))
    assert ceased == [len(ref_ceased(episodes, p.start, p.end)) for p in months]

    placements = _derive("cla_three_or_more_placements_pct", records, rolling)
    got = list(zip(_counts(placements), _counts(placements, "denominator"), strict=True))
    assert got == [ref_three_or_more(by_child, p.start, p.end) for p in rolling]


# --- the stock-and-flow identity ----------------------------------------------------------------


def _stays(child_episodes: Sequence[Episode]) -> list[tuple[dt.date, dt.date | None]]:
    """A child's continuous stays in care: the union of its episodes' days, as (first, end).

    An episode covers the days DECOM <= d < DEC (the day it ends belongs to the next episode, or
    to no episode: a child who leaves on 31 March is not looked after at 31 March), so the
    library's "looked after at d" is "d falls in a stay". ``end`` is the first day not covered
    (None while the stay lasts). Episodes that touch (one ends the day the next begins) or
    overlap join into one stay; an episode ending the day it begins covers no day.
    """
    stays: list[list[dt.date | None]] = []
    for e in child_episodes:
        first, end = e["DECOM"], e["DEC"]
        if end is not None and end <= first:
            continue
        if stays and (stays[-1][1] is None or first <= stays[-1][1]):
            current_end = stays[-1][1]
            if current_end is not None and (end is None or end > current_end):
                stays[-1][1] = end
        else:
            stays.append([first, end])
    return [(s[0], s[1]) for s in stays if s[0] is not None]


@attrs.frozen
class _Flows:
    """Event counts of one collection year, from the episodes (plain loops)."""

    starts: int  # RNE S episodes beginning in the year while the child is not already in care
    ceasings: int  # episodes ending in the year other than by X1
    repeat_starts: int  # starts beyond a child's first in the year
    repeat_ceasings: int  # cessations beyond a child's first in the year
    entries: int  # stays beginning in the year
    exits: int  # stays ending in the year (first uncovered day in the year)

    @property
    def several_periods(self) -> int:
        """Distinct children miss a child's second start (or cessation) in the year."""
        return self.repeat_starts - self.repeat_ceasings

    @property
    def unrecorded(self) -> int:
        """Stays begun (ended) without an S episode (a cessation), net of the reverse."""
        return (self.entries - self.starts) - (self.exits - self.ceasings)


def _flows(by_child: Mapping[str, Sequence[Episode]], n: int) -> _Flows:
    start, end = _year(n)
    totals = dict.fromkeys(
        ("starts", "ceasings", "repeat_starts", "repeat_ceasings", "entries", "exits"), 0
    )
    for episodes in by_child.values():
        s = sum(
            1
            for e in episodes
            if e["RNE"] == "S"
            and start <= e["DECOM"] <= end
            and not any(
                o is not e
                and o["DECOM"] < e["DECOM"]
                and (o["DEC"] is None or o["DEC"] > e["DECOM"])
                for o in episodes
            )
        )
        c = sum(1 for e in episodes if _ceases(e, start, end))
        stays = _stays(episodes)
        totals["starts"] += s
        totals["ceasings"] += c
        totals["repeat_starts"] += max(s - 1, 0)
        totals["repeat_ceasings"] += max(c - 1, 0)
        totals["entries"] += sum(1 for first, _ in stays if start <= first <= end)
        totals["exits"] += sum(1 for _, last in stays if last is not None and start <= last <= end)
    return _Flows(**totals)


def _at_31_march(records: Any, n: int) -> int:
    return _counts(_derive("cla_rate_per_10k", records, cyp.Period.snapshot(dt.date(n, 3, 31))))[0]


@pytest.mark.parametrize("source", SOURCES)
def test_stock_and_flow_identity_on_the_synthetic_years(source: str) -> None:
    """At 31 March N = at 31 March N-1 + started - ceased + the two adjustments, exactly.

    Per child, "looked after at 31 March" changes over a year by (stays begun in the year) -
    (stays ended in the year), where a stay is a run of days covered by the child's countable
    episodes (:func:`_stays`); summed over children that is exact, whatever the records hold:

        at(N) = at(N-1) + entries(N) - exits(N).

    DfE's flows are distinct children, and the records' codes need not match the dates, so

        entries = started + (repeat starts) + (entries - starts)
        exits   = ceased  + (repeat ceasings) + (exits - ceasings)

    where ``starts``/``ceasings`` count episodes (RNE S beginning in the year; ending in the year
    other than X1) and the repeats are a child's second and later ones in the year (a child who
    started, ceased and started again is one child started but two starts). Hence

        at(N) = at(N-1) + started(N) - ceased(N) + several_periods(N) + unrecorded(N),
        several_periods = repeat starts - repeat ceasings,
        unrecorded = (entries - starts) - (exits - ceasings).

    ``unrecorded`` is zero for a child whose records are consistent (see
    :func:`test_identity_with_consistent_records`); in these synthetic files the legal status is
    random, so a short break (V3/V4, not counted) often sits inside a period of care, and some
    episodes overlap or leave gaps: those stays begin or end without an S episode or a cessation.
    ``at``, ``started`` and ``ceased`` are the library's; the adjustments are computed here.
    """
    records = _records(source)
    by_child = _by_child(_episodes(records))
    for n in YEARS:
        fy = cyp.Period.financial_year(n)
        started = _counts(_derive("cla_starts_rate_per_10k", records, fy))[0]
        ceased = _counts(_derive("cla_ceased_rate_per_10k", records, fy))[0]
        flows = _flows(by_child, n)
        before, after = _at_31_march(records, n - 1), _at_31_march(records, n)
        assert after == before + flows.entries - flows.exits, (n, flows)
        assert flows.starts == started + flows.repeat_starts, (n, flows)
        assert flows.ceasings == ceased + flows.repeat_ceasings, (n, flows)
        assert after == before + started - ceased + flows.several_periods + flows.unrecorded, (
            f"{source}, {n}: {after} != {before} + {started} - {ceased} "
            f"+ {flows.several_periods} + {flows.unrecorded}"
        )


def _consistent(child_episodes: Sequence[Episode]) -> bool:
    """Whether a child's countable episodes (in DECOM order) are chained as SSDA903 intends.

    The first begins a period of care (RNE S); an episode ending X1 is followed by one beginning
    the same day that is not a new period; an episode ending otherwise is followed, if at all, by
    a new period (RNE S) beginning that day or later; the last is open or ends other than X1.
    """
    if not child_episodes or child_episodes[0]["RNE"] != "S":
        return False
    for before, after in itertools.pairwise(child_episodes):
        if before["DEC"] is None:
            return False
        if before["REC"] == "X1":
            if after["DECOM"] != before["DEC"] or after["RNE"] == "S":
                return False
        elif after["DECOM"] < before["DEC"] or after["RNE"] != "S":
            return False
    last = child_episodes[-1]
    return last["DEC"] is None or last["REC"] != "X1"


def test_identity_with_consistent_records() -> None:
    """For children with consistent records only the several-periods adjustment remains."""
    records = _records("all years")
    by_child = _by_child(_episodes(records))
    keep = sorted(c for c, es in by_child.items() if _consistent(es))
    assert len(keep) > 200
    for n in YEARS:
        for child in keep:
            flows = _flows({child: by_child[child]}, n)
            assert (flows.entries, flows.exits) == (flows.starts, flows.ceasings), (child, n)
    subset = cyp.SSDA903.from_frames(
        header=records.header.filter(pl.col("CHILD").is_in(keep)),
        episodes=records.episodes.filter(pl.col("CHILD").is_in(keep)),
    )
    assert subset.exclusions.height == 0
    kept = {c: by_child[c] for c in keep}
    for n in YEARS:
        fy = cyp.Period.financial_year(n)
        started = _counts(_derive("cla_starts_rate_per_10k", subset, fy))[0]
        ceased = _counts(_derive("cla_ceased_rate_per_10k", subset, fy))[0]
        flows = _flows(kept, n)
        assert flows.unrecorded == 0
        assert _at_31_march(subset, n) == (
            _at_31_march(subset, n - 1) + started - ceased + flows.several_periods
        ), n


def _episode_frame(
    rows: Sequence[tuple[str, dt.date, str, str, dt.date | None, str | None]],
) -> pl.DataFrame:
    return pl.DataFrame(
        [(c, decom, rne, "C2", "N1", place, dec, rec) for c, decom, rne, place, dec, rec in rows],
        schema=["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"],
        orient="row",
    )


def test_identity_allows_for_children_with_several_periods() -> None:
    """Started-ceased-started and ceased-started-ceased children need the repeat adjustment."""
    d = dt.date
    episodes = _episode_frame([
        # p, p2: out on 31 March 2016; start, cease, start again: one child started, two starts
        ("p", d(2016, 5, 1), "S", "U1", d(2016, 8, 1), "E13"),
        ("p", d(2016, 11, 1), "S", "U1", None, None),
        ("p2", d(2016, 6, 1), "S", "U1", d(2016, 7, 1), "E4A"),
        ("p2", d(2016, 9, 1), "S", "U2", d(2016, 10, 1), "X1"),
        ("p2", d(2016, 10, 1), "P", "U3", None, None),
        # q: in on 31 March 2016; cease, return, cease again: one child ceased, two cessations
        ("q", d(2015, 1, 1), "S", "U1", d(2016, 6, 1), "E13"),
        ("q", d(2016, 9, 1), "S", "U1", d(2017, 1, 1), "E13"),
        # r: left and came back: started once and ceased once, in care at both ends
        ("r", d(2015, 1, 1), "S", "U1", d(2016, 6, 1), "E11"),
        ("r", d(2016, 10, 1), "S", "U1", None, None),
        # t: started and ceased within the year; u: a change of placement only
        ("t", d(2016, 7, 1), "S", "U1", d(2016, 12, 1), "E8"),
        ("u", d(2014, 1, 1), "S", "U1", d(2016, 8, 1), "X1"),
        ("u", d(2016, 8, 1), "P", "U2", None, None),
    ])  # fmt: skip
    records = cyp.SSDA903.from_frames(episodes=episodes)
    fy = cyp.Period.financial_year(2017)
    started = _counts(_derive("cla_starts_rate_per_10k", records, fy))[0]
    ceased = _counts(_derive("cla_ceased_rate_per_10k", records, fy))[0]
    before, after = _at_31_march(records, 2016), _at_31_march(records, 2017)
    flows = _flows(_by_child(_episodes(records)), 2017)
    assert (before, after, started, ceased) == (3, 4, 5, 5)  # q r u; p p2 r u; p p2 q r t
    assert (flows.repeat_starts, flows.repeat_ceasings, flows.unrecorded) == (2, 1, 0)
    assert after != before + started - ceased
    assert after == before + started - ceased + flows.several_periods


# --- row accounting -----------------------------------------------------------------------------


def _definitions() -> list[cyp.IndicatorDefinition]:
    return [d for d in cyp.load_catalogue() if d.derivation is not None]


def _years(first: int, last: int) -> cyp.PeriodSeries:
    return cyp.PeriodSeries([cyp.Period.financial_year(y) for y in range(first, last + 1)])


#: Sample records and the financial years they cover (read once, on first use).
_SAMPLE_SOURCES: dict[str, tuple[str, Any, tuple[int, int]]] = {
    "demand_model": ("ssda903", lambda: cyp.read_ssda903(DEMAND), (2014, 2022)),
    "validator_903": ("ssda903", lambda: cyp.read_ssda903(VALIDATOR), (2015, 2019)),
    "validator_903 with oc2": ("ssda903", lambda: _validator_with_oc2(), (2015, 2019)),
    "demand_model 2018 return with its tables": (
        "ssda903",
        lambda: cyp.read_ssda903(
            [DEMAND / "2018-header.csv", DEMAND / "2018-episodes.csv"]
            + [DEMAND_TABLES / f"2018-{t}.csv" for t in ("oc2", "oc3", "uasc", "missing")]
        ),
        (2017, 2020),
    ),
    "fake_CIN_data.xml": (
        "cin",
        lambda: cyp.read_cin_census(CIN / "fake_CIN_data.xml"),
        (2005, 2032),
    ),
    "CIN_Census_2024.xml": (
        "cin",
        lambda: cyp.read_cin_census(CIN / "CIN_Census_2024.xml"),
        (2021, 2025),
    ),
    "CIN_Census_2026.xml": (
        "cin",
        lambda: cyp.read_cin_census(CIN / "CIN_Census_2026.xml"),
        (2021, 2025),
    ),
}
_SAMPLES: dict[str, Any] = {}
#: The tables of ``_REQUIRED`` each SSDA903 sample holds (checked against the files read below).
_HOLDS: dict[str, set[str]] = {
    "demand_model": set(),
    "validator_903": {"oc3", "uasc", "missing", "sw_episodes", "placed_for_adoption"},
    "validator_903 with oc2": {
        "oc2",
        "oc3",
        "uasc",
        "missing",
        "sw_episodes",
        "placed_for_adoption",
    },
    "demand_model 2018 return with its tables": {"oc2", "oc3", "uasc", "missing"},
}


def _validator_with_oc2() -> cyp.SSDA903:
    """The validator sample with its OC2 file, vendored in a folder of its own: the reader warns
    that it cannot tell that file's collection year (it has no dated records)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cyp.RecordFileWarning)
        return cyp.read_ssda903([VALIDATOR, VALIDATOR_OC2 / "oc2.csv"])


def _sample(name: str) -> Any:
    if name not in _SAMPLES:
        _SAMPLES[name] = _SAMPLE_SOURCES[name][1]()
    return _SAMPLES[name]


#: Tables a derivation cannot do without (it refuses records that lack them, naming the table).
_REQUIRED = {"oc2", "oc3", "uasc", "missing", "sw_episodes", "placed_for_adoption"}


def _holds(sample: str, tables: Sequence[str]) -> bool:
    """Whether the sample holds every required table the derivation reads."""
    return _REQUIRED & set(tables) <= _HOLDS.get(sample, set())


@pytest.mark.parametrize("sample", sorted(_HOLDS))
def test_the_samples_hold_the_tables_said(sample: str) -> None:
    """``_HOLDS`` says which required tables each SSDA903 sample has rows of."""
    records = _sample(sample)
    assert {t for t in _REQUIRED if records.rows_read.get(t, 0) > 0} == _HOLDS[sample]


def _cases() -> list[tuple[str, str]]:
    """(definition id, sample) pairs: SSDA903 derivations on the 903 samples that hold the tables
    they read, CIN on the CIN."""
    cases = []
    for d in _definitions():
        assert d.derivation is not None
        tables = DERIVATIONS[d.derivation.name].tables
        kind = "ssda903" if set(tables) <= set(cyp.SSDA903.TABLES) else "cin"
        cases += [
            (d.id, s) for s, (k, _, _) in _SAMPLE_SOURCES.items() if k == kind and _holds(s, tables)
        ]
    return cases


def test_every_derivation_has_accounting_cases() -> None:
    """Every bundled definition with a derivation is run on at least two samples below."""
    ids = [case[0] for case in _cases()]
    assert {d.id for d in _definitions()} == set(ids)
    assert all(ids.count(i) >= 2 for i in set(ids))
    assert ("adoption_a2_days", "validator_903") in _cases()


@pytest.mark.parametrize(("ident", "sample"), _cases())
def test_row_accounting_balances(ident: str, sample: str) -> None:
    """Per table: counted + not counted + excluded on reading = rows in = the reader's rows read."""
    definition = cyp.load_catalogue().get(ident)
    assert definition.derivation is not None
    tables = DERIVATIONS[definition.derivation.name].tables
    records = _sample(sample)
    first, last = _SAMPLE_SOURCES[sample][2]
    result = cyp.derive(definition, records, period=_years(first, last))
    accounting = {row["table"]: row for row in result.accounting.rows(named=True)}
    assert set(accounting) <= set(tables)
    for table in tables:
        row = accounting.get(
            table,
            {"rows_in": 0, "counted": 0, "not_counted": 0, "excluded_on_reading": 0},
        )
        assert row["counted"] + row["not_counted"] + row["excluded_on_reading"] == row["rows_in"]
        assert row["rows_in"] == records.rows_read[table], (
            f"{ident} on {sample}, table {table}: rows_in {row['rows_in']} "
            f"(counted {row['counted']}, not counted {row['not_counted']}, excluded on reading "
            f"{row['excluded_on_reading']}) but the reader read {records.rows_read[table]} rows"
        )
        listed = result.exclusions.filter(pl.col("table") == table).height
        assert listed == row["not_counted"] + row["excluded_on_reading"], (ident, sample, table)
