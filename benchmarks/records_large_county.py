"""Benchmark: a large county's year of record-level data, read and derived.

Generates, in a temporary folder, a synthetic large county: a CIN census XML with about 60,000
referrals (with assessments, section 47 enquiries, initial conferences and child protection plans)
and an SSDA903 return of about 15,000 episodes with their header, AD1 and a few adoptions. Then
times (``time.perf_counter``, median of 3 runs):

* reading each return;
* deriving every bundled definition that names a derivation, for FY 2023-24;
* a 36-month series (April 2021 to March 2024) of ``referral_rate_per_10k`` (year to date) and
  ``cla_rate_per_10k`` (month-end snapshots) in one pass, against 36 separate single-period
  derives (the ratio says what the one pass saves; the values are checked equal).

Prints a table and writes ``benchmarks/results/records_large_county.json`` (the folder is made
when needed; results are not committed). Run::

    .venv/bin/python benchmarks/records_large_county.py
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from polars.testing import assert_frame_equal

import cyp_indicators as cyp
from cyp_indicators.records.registry import DERIVATIONS

T = TypeVar("T")

REPEATS = 3
SEED = 20240331
REFERRALS = 60_000
EPISODES = 15_000
POPULATION = 250_000  # children aged 0-17: a large shire county
YEAR = cyp.Period.financial_year(2024)  # FY 2023-24
SERIES_FIRST, SERIES_LAST = dt.date(2021, 4, 30), dt.date(2024, 3, 31)
RESULTS = Path(__file__).parent / "results" / "records_large_county.json"

D = dt.date
DAY = dt.timedelta(days=1)


def _days(n: int) -> dt.timedelta:
    return n * DAY


# --- the CIN census ------------------------------------------------------------------------------


def _plan(start: dt.date, end: dt.date | None, previous: int) -> str:
    close = f"<CPPendDate>{end}</CPPendDate>" if end else ""
    return (
        f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>{close}"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
        "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
        f"<NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP>"
        f"<Reviews><CPPreviewDate>{start + _days(90)}</CPPreviewDate></Reviews>"
        "</ChildProtectionPlans>"
    )


def _referral(rng: random.Random, referral: dt.date, last_day: dt.date) -> str:
    """One <CINdetails>: most have an assessment; some a section 47, conference and plan."""
    parts = [
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>",
        f"<ReferralSource>{rng.choice(['1A', '1B', '2A', '3A', '5A', '9'])}</ReferralSource>",
        f"<PrimaryNeedCode>N{rng.randint(1, 9)}</PrimaryNeedCode>",
    ]
    closure = referral + _days(rng.randint(10, 400))
    if closure <= last_day:
        parts.append(
            f"<CINclosureDate>{closure}</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure>"
        )
    inner: list[str] = []
    if rng.random() < 0.9:
        start = referral + _days(rng.randint(0, 10))
        authorised = start + _days(rng.randint(5, 80))
        auth = (
            f"<AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>"
            if authorised <= last_day
            else ""
        )
        inner.append(
            f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>{auth}"
            "<FactorsIdentifiedAtAssessment><AssessmentFactors>1C</AssessmentFactors>"
            "<AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment>"
            "</Assessments>"
        )
    if rng.random() < 0.2:
        s47 = referral + _days(rng.randint(0, 20))
        icpc = s47 + _days(rng.randint(5, 30)) if rng.random() < 0.6 else None
        conference = f"<DateOfInitialCPC>{icpc}</DateOfInitialCPC>" if icpc else ""
        inner.append(
            f"<Section47><S47ActualStartDate>{s47}</S47ActualStartDate>"
            f"<InitialCPCtarget>{s47 + _days(21)}</InitialCPCtarget>{conference}"
            f"<ICPCnotRequired>{'false' if icpc else 'true'}</ICPCnotRequired></Section47>"
        )
        if icpc and rng.random() < 0.8:
            parts.append(f"<DateOfInitialCPC>{icpc}</DateOfInitialCPC>")
            end = icpc + _days(rng.randint(30, 900))
            inner.append(_plan(icpc, end if end <= last_day else None, rng.choice([0, 0, 0, 1, 2])))
    parts.append("<ReferralNFA>false</ReferralNFA>")
    return "".join(parts) + "".join(inner) + "</CINdetails>"


def write_cin_census(path: Path, rng: random.Random) -> int:
    """A CIN census XML with ``REFERRALS`` referrals; returns the number written."""
    first_day, last_day = D(2021, 4, 1), YEAR.end
    span = (last_day - first_day).days
    children: list[str] = []
    referrals = 0
    child = 0
    while referrals < REFERRALS:
        child += 1
        # most referrals fall in the collection year; some children were referred before it
        day = last_day - _days(int(span * rng.random() ** 3))
        details = []
        for _ in range(min(rng.choice([1, 1, 1, 2, 2, 3]), REFERRALS - referrals)):
            if day > last_day:
                break
            details.append(_referral(rng, day, last_day))
            referrals += 1
            day += _days(rng.randint(20, 500))
        dob = D(2007, 4, 1) + _days(rng.randint(0, 6200))
        children.append(
            f"<Child><ChildIdentifiers><LAchildID>C{child:06d}</LAchildID>"
            f"<UPN>A{child:012d}</UPN><PersonBirthDate>{dob}</PersonBirthDate>"
            f"<Sex>{rng.randint(1, 2)}</Sex></ChildIdentifiers>"
            "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
            "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>"
            f"{''.join(details)}</Child>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<Message><Header><CollectionDetails>'
        "<Collection>CIN</Collection><Year>2024</Year><ReferenceDate>2024-03-31</ReferenceDate>"
        "</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>999</LEA></Source></Header>"
        "<Children>\n" + "\n".join(children) + "\n</Children></Message>\n",
        encoding="utf-8",
    )
    return referrals


# --- the SSDA903 return --------------------------------------------------------------------------

EPISODE_COLUMNS = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def _dmy(d: dt.date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def write_ssda903(folder: Path, rng: random.Random) -> int:
    """Header, episodes and AD1 CSVs with ``EPISODES`` episodes; returns the number written."""
    last_day = YEAR.end
    header = ["CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"]
    episodes = [EPISODE_COLUMNS]
    ad1 = ["CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR"]
    n = 0
    child = 0
    while n < EPISODES:
        child += 1
        dob = D(2006, 4, 1) + _days(rng.randint(0, 6500))
        header.append(f"{child},{rng.randint(1, 2)},{_dmy(dob)},WBRI,A{child:012d},,")
        day = max(dob, D(2016, 4, 1)) + _days(rng.randint(0, 2500))
        if day > last_day:
            day = last_day - _days(rng.randint(0, 300))
        adopting = rng.random() < 0.05
        short_breaks = not adopting and rng.random() < 0.04
        count = min(rng.randint(1, 6), EPISODES - n)
        order = None
        for k in range(count):
            last = k == count - 1
            rne = "S" if k == 0 else rng.choice(["P", "P", "L", "B", "T", "U"])
            ls = (
                "V3"
                if short_breaks
                else ("E1" if adopting and k > 0 else rng.choice(["C2", "C2", "C1", "J2", "V2"]))
            )
            place = (
                "A3"
                if adopting and last
                else rng.choice(["U1", "U3", "U4", "U5", "U6", "K2", "R1"])
            )
            end: dt.date | None = day + _days(rng.randint(1, 420))
            rec = "X1"
            if last:
                if adopting:
                    rec = "E11"
                elif rng.random() < 0.45:
                    end = None
                else:
                    rec = rng.choice(["E4A", "E13", "E8", "E15", "E41", "E45"])
            if end is not None and end > last_day:
                end, rec = None, ""
            if ls == "E1" and order is None:
                order = day
            episodes.append(
                f"{child},{_dmy(day)},{rne},{ls},N1,{place},PR1,{_dmy(end)},{rec if end else ''},"
                ",,,SC0000"
            )
            n += 1
            if end is None:
                break
            day = end
        if adopting and order is not None:
            ad1.append(
                f"{child},{_dmy(dob)},{_dmy(order + _days(30))},{_dmy(order + _days(120))},1,1,MF,L0"
            )
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in (("header", header), ("episodes", episodes), ("ad1", ad1)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


# --- timing --------------------------------------------------------------------------------------


def timed(fn: Callable[[], T], repeats: int = REPEATS) -> tuple[float, T]:
    """The median wall time of ``repeats`` calls, and the last call's result."""
    times: list[float] = []
    result: T
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _one_by_one(
    definition: cyp.IndicatorDefinition, records: Any, series: cyp.PeriodSeries
) -> list[cyp.Derivation]:
    """One derive per period of ``series``."""
    return [cyp.derive(definition, records, period=p, population=POPULATION) for p in series]


def main() -> None:
    """Generate the county, time each step, print the table and write the JSON results."""
    rng = random.Random(SEED)
    catalogue = cyp.load_catalogue()
    definitions = [d for d in catalogue if d.derivation is not None]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        referrals = write_cin_census(folder / "cin_census_2024.xml", rng)
        episodes = write_ssda903(folder / "ssda903_2024", rng)
        generated = time.perf_counter() - start
        xml_mb = (folder / "cin_census_2024.xml").stat().st_size / 1e6

        t, cin = timed(lambda: cyp.read_cin_census(folder / "cin_census_2024.xml"))
        rows.append({"step": f"read CIN census XML ({xml_mb:.0f} MB)", "seconds": t})
        t, cla = timed(lambda: cyp.read_ssda903(folder / "ssda903_2024"))
        rows.append({"step": "read SSDA903 CSVs (header, episodes, ad1)", "seconds": t})

    sizes = {
        "referrals": cin.cin_details.height,
        "assessments": cin.assessments.height,
        "section47": cin.section47.height,
        "cp_plans": cin.cp_plans.height,
        "children_cin": cin.children.height,
        "episodes": cla.episodes.height,
        "children_cla": cla.header.height,
        "exclusions": cin.exclusions.height + cla.exclusions.height,
    }
    assert sizes["referrals"] == referrals == REFERRALS, sizes
    assert sizes["episodes"] == episodes == EPISODES, sizes

    per_definition: dict[str, float] = {}
    fy_values: dict[str, dict[str, float | None]] = {}
    for d in definitions:
        assert d.derivation is not None
        records = cla if "episodes" in DERIVATIONS[d.derivation.name].tables else cin
        t, result = timed(partial(cyp.derive, d, records, period=YEAR, population=POPULATION))
        per_definition[d.id] = t
        row = result.values.row(0, named=True)
        fy_values[d.id] = {k: row[k] for k in ("numerator", "denominator", "value")}
        accounting = result.accounting
        balanced = (
            accounting["counted"] + accounting["not_counted"] + accounting["excluded_on_reading"]
            == accounting["rows_in"]
        )
        assert balanced.all(), (d.id, accounting)
    rows.append(
        {
            "step": f"derive {len(definitions)} definitions, FY 2023-24 (sum)",
            "seconds": sum(per_definition.values()),
        }
    )
    slowest = max(per_definition, key=per_definition.__getitem__)
    rows.append({"step": f"  slowest: {slowest}", "seconds": per_definition[slowest]})

    series_results: dict[str, dict[str, float]] = {}
    for ident, records, kind in (
        ("referral_rate_per_10k", cin, "year_to_date"),
        ("cla_rate_per_10k", cla, "snapshot"),
    ):
        definition = catalogue.get(ident)
        series = cyp.Period.monthly(SERIES_FIRST, SERIES_LAST, kind=kind)
        assert len(series) == 36
        t_one, together = timed(
            partial(cyp.derive, definition, records, period=series, population=POPULATION)
        )
        t_many, separate = timed(partial(_one_by_one, definition, records, series))
        assert_frame_equal(together.values, pl.concat([r.values for r in separate]))
        ratio = t_many / t_one
        series_results[ident] = {"one_pass": t_one, "separate": t_many, "ratio": ratio}
        rows.append({"step": f"{ident}: 36 months ({kind}) in one pass", "seconds": t_one})
        rows.append({"step": f"{ident}: 36 separate derives", "seconds": t_many, "ratio": ratio})

    fy_referrals = int(fy_values["referral_rate_per_10k"]["numerator"] or 0)
    width = max(len(r["step"]) for r in rows)
    print(
        f"Large county: {sizes['referrals']:,} referrals ({fy_referrals:,} in FY 2023-24), "
        f"{sizes['assessments']:,} assessments, "
        f"{sizes['section47']:,} s47s, {sizes['cp_plans']:,} CP plans; {sizes['episodes']:,} CLA "
        f"episodes of {sizes['children_cla']:,} children (generated in {generated:.1f} s)"
    )
    print(f"{'step':<{width}}  median of {REPEATS} (s)  separate / one pass")
    print(f"{'-' * width}  {'-' * 18}  {'-' * 19}")
    for r in rows:
        shown = f"{r['ratio']:.1f}x" if "ratio" in r else ""
        print(f"{r['step']:<{width}}  {r['seconds']:>18.3f}  {shown:>19}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "records_large_county",
                "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "python": sys.version.split()[0],
                "polars": pl.__version__,
                "cyp_indicators": getattr(cyp, "__version__", "unknown"),
                "machine": platform.platform(),
                "repeats": REPEATS,
                "seed": SEED,
                "sizes": sizes,
                "steps": rows,
                "derive_per_definition_seconds": per_definition,
                "fy_2023_24_values": fy_values,
                "series_36_months": series_results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
