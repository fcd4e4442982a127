"""A seeded synthetic partnership: many councils' CIN census XML and SSDA903 CSV returns.

Each council gets a true history of referrals (with assessments, section 47 enquiries,
conferences and child protection plans) and of periods of care (episodes with placements,
legal statuses, temporary placements, short breaks and adoptions), generated with numpy from
the council's seed and sized like a London borough (about 2,800 referrals and 200 children
starting to be looked after a year, times a per-council factor between 0.5 and 1.6). Every
collection year's return is then cut from the history as councils send them: the CIN census of
year Y holds the referrals open at some time from 1 April Y-1 to 31 March Y, the SSDA903 the
episodes open then; dates after 31 March Y are empty (the episode or plan is still open) and
records that begin after it are not there. Consecutive returns therefore repeat the records
open across 1 April, as real ones do, and the readers keep the latest.

Files (written by :func:`write_partnership` into a folder the caller deletes)::

    <folder>/ssda903/<la>/<year>_header.csv, <year>_episodes.csv, <year>_ad1.csv
    <folder>/cin/<la>/cin_census_<year>.xml

Child identifiers are numbered from 1 in every council, so the same identifier names different
children in different councils (as it does in real pooled returns).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import polars as pl

__all__ = [
    "Council",
    "Partnership",
    "councils",
    "partnership_cin",
    "partnership_ssda903",
    "write_partnership",
]

SEED = 20250331
#: Old LA codes of the 33 London boroughs (City of London first).
LONDON = (
    "201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213",
    "301", "302", "303", "304", "305", "306", "307", "308", "309", "310", "311", "312", "313",
    "314", "315", "316", "317", "318", "319", "320",
)  # fmt: skip

# yearly volumes of a typical London borough (factor 1.0)
REFERRALS_PER_YEAR = 2_800
CARE_STARTS_PER_YEAR = 200
CHILDREN_0_17 = 60_000

_DAY = np.timedelta64(1, "D")
_ETHNIC = np.array(["WBRI", "WOTH", "MWBC", "BAFR", "BCRB", "AIND", "APKN", "OOTH"])
_SOURCES = np.array(["1A", "1B", "1C", "2A", "3A", "3B", "5A", "5C", "9"])
_CLOSURE = np.array(["RC1", "RC2", "RC3", "RC4", "RC7", "RC8"])
_PLACES = np.array(["U1", "U2", "U3", "U4", "U5", "U6", "R1", "K2", "P1", "H5"])
_NEXT_RNE = np.array(["P", "P", "P", "L", "L", "B"])
_ENDS = np.array(["E4A", "E4A", "E13", "E8", "E41", "E3", "E15", "E45"])
_CATEGORIES = np.array(["NEG", "EMO", "PHY", "SAB", "MUL"])


@dataclass(frozen=True)
class Council:
    """One council of the partnership: its code, size factor, population and seed."""

    la: str
    factor: float
    population: int
    seed: int


@dataclass(frozen=True)
class Partnership:
    """What :func:`write_partnership` wrote: the councils, years and files (for the report)."""

    folder: str
    councils: tuple[Council, ...]
    years: tuple[int, ...]
    xml_files: tuple[str, ...]
    csv_files: tuple[str, ...]
    xml_bytes: int
    csv_bytes: int
    seconds: float

    def ssda903_folder(self, la: str) -> Path:
        """The folder of one council's SSDA903 CSVs (every year)."""
        return Path(self.folder) / "ssda903" / la

    def cin_folder(self, la: str) -> Path:
        """The folder of one council's CIN census XML files (every year)."""
        return Path(self.folder) / "cin" / la

    def population(self) -> pl.DataFrame:
        """Children aged 0-17 per council and mid-year (``la``, ``mid_year``, ``population``):
        the same each year, enough for the rates."""
        first = min(self.years) - 3
        return pl.DataFrame(
            [
                {"la": c.la, "mid_year": y, "population": c.population}
                for c in self.councils
                for y in range(first, max(self.years) + 1)
            ],
            schema={"la": pl.String, "mid_year": pl.Int64, "population": pl.Int64},
        )

    def to_json(self) -> str:
        """The description as JSON (to pass between processes)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Partnership:
        """The description back from :meth:`to_json`."""
        data = json.loads(text)
        data["councils"] = tuple(Council(**c) for c in data["councils"])
        for key in ("years", "xml_files", "csv_files"):
            data[key] = tuple(data[key])
        return cls(**data)


def councils(n: int = 33, *, scale: float = 1.0, seed: int = SEED) -> tuple[Council, ...]:
    """``n`` councils with size factors log-uniform in [0.5, 1.6] (times ``scale``)."""
    rng = np.random.default_rng(seed)
    codes = list(LONDON[:n]) + [f"9{i:02d}" for i in range(max(0, n - len(LONDON)))]
    factors = np.exp(rng.uniform(np.log(0.5), np.log(1.6), n)) * scale
    return tuple(
        Council(la, float(f), int(CHILDREN_0_17 * f / scale), int(rng.integers(1 << 31)))
        for la, f in zip(codes, factors, strict=True)
    )


def _days(rng: np.random.Generator, low: int, high: int, size: int) -> np.ndarray:
    return rng.integers(low, high + 1, size) * _DAY


def _date(value: dt.date) -> np.datetime64:
    return np.datetime64(value.isoformat(), "D")


# --- the CIN census ---------------------------------------------------------------------------


def _cin_history(council: Council, first: dt.date, last: dt.date) -> dict[str, pl.DataFrame]:
    """Every referral of the council from ``first`` to ``last`` with what followed it."""
    rng = np.random.default_rng(council.seed)
    start, end = _date(first), _date(last)
    span = int((end - start) / _DAY)
    years = span / 365.25
    n_children = max(int(REFERRALS_PER_YEAR * council.factor * years / 1.45), 5)
    k = np.minimum(rng.geometric(0.62, n_children), 6)
    total = int(k.sum())
    child = np.repeat(np.arange(1, n_children + 1), k)
    order = np.arange(total) - np.repeat(np.cumsum(k) - k, k)
    nfa = rng.random(total) < 0.08
    long = rng.random(total) < 0.6
    length = np.where(
        nfa,
        rng.integers(0, 6, total),
        np.where(
            long, 60 + rng.lognormal(5.2, 0.7, total).astype(int), rng.integers(10, 61, total)
        ),
    )
    gap = 15 + rng.exponential(320, total).astype(int)
    # each referral comes after the child's previous one closed (episodes of need do not overlap)
    step = length + gap
    cum = np.cumsum(step)
    first_index = np.cumsum(k) - k
    before = cum - step - np.repeat(cum[first_index] - step[first_index], k)
    first_ref = start + _days(rng, 0, span, n_children)
    referral = np.repeat(first_ref, k) + before * _DAY
    has_assessment = ~nfa & (rng.random(total) < 0.9)
    a_start = referral + _days(rng, 0, 10, total)
    a_auth = a_start + _days(rng, 5, 75, total)
    has_s47 = ~nfa & (rng.random(total) < 0.27)
    s47 = referral + _days(rng, 0, 15, total)
    has_icpc = has_s47 & (rng.random(total) < 0.4)
    icpc = s47 + _days(rng, 4, 30, total)
    has_plan = has_icpc & (rng.random(total) < 0.85)
    plan_end = icpc + _days(rng, 60, 950, total)
    closure = referral + length * _DAY
    closure = np.where(has_plan, np.maximum(closure, plan_end + _days(rng, 0, 30, total)), closure)
    closure = np.where(has_assessment, np.maximum(closure, a_auth), closure)
    keep = referral <= end
    dob = first_ref - _days(rng, 0, 17 * 365, n_children)
    details = pl.DataFrame(
        {
            "child": child,
            "order": order,
            "CINreferralDate": referral,
            "ReferralSource": rng.choice(_SOURCES, total),
            "PrimaryNeedCode": np.char.add("N", rng.integers(1, 10, total).astype(str)),
            "CINclosureDate": closure,
            "ReasonForClosure": rng.choice(_CLOSURE, total),
            "DateOfInitialCPC": np.where(has_icpc, icpc, np.datetime64("NaT")),
            "ReferralNFA": nfa,
            "has_assessment": has_assessment,
            "AssessmentActualStartDate": a_start,
            "AssessmentAuthorisationDate": a_auth,
            "has_s47": has_s47,
            "S47ActualStartDate": s47,
            "has_plan": has_plan,
            "CPPstartDate": icpc,
            "CPPendDate": plan_end,
            "NumberOfPreviousCPP": np.where(rng.random(total) < 0.12, 1, 0),
            "Category": rng.choice(_CATEGORIES, total),
        }
    ).filter(pl.Series(keep))
    children = pl.DataFrame(
        {
            "child": np.arange(1, n_children + 1),
            "PersonBirthDate": dob,
            "Sex": rng.choice(np.array(["1", "2"]), n_children),
            "Ethnicity": rng.choice(_ETHNIC, n_children),
        }
    )
    details = details.with_columns(pl.col(pl.Datetime).cast(pl.Date))
    children = children.with_columns(pl.col(pl.Datetime).cast(pl.Date))
    return {"details": details, "children": children}


def _tag(name: str, value: pl.Expr) -> pl.Expr:
    """``<name>value</name>``, or "" where the value is null."""
    return pl.concat_str(pl.lit(f"<{name}>"), value, pl.lit(f"</{name}>")).fill_null("")


def _cin_return(history: dict[str, pl.DataFrame], year: int, la: str) -> str:
    """The CIN census XML of collection ``year`` cut from the history."""
    first, last = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    d = history["details"].filter(
        (pl.col("CINreferralDate") <= last) & (pl.col("CINclosureDate") >= first)
    )

    def upto(col: str) -> pl.Expr:
        return pl.when(pl.col(col) <= last).then(pl.col(col).cast(pl.String))

    assessment = pl.when(
        pl.col("has_assessment") & (pl.col("AssessmentActualStartDate") <= last)
    ).then(
        pl.concat_str(
            pl.lit("<Assessments>"),
            _tag("AssessmentActualStartDate", pl.col("AssessmentActualStartDate").cast(pl.String)),
            _tag("AssessmentAuthorisationDate", upto("AssessmentAuthorisationDate")),
            pl.lit(
                "<FactorsIdentifiedAtAssessment><AssessmentFactors>1C</AssessmentFactors>"
                "<AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment>"
                "</Assessments>"
            ),
        )
    )
    section47 = pl.when(pl.col("has_s47") & (pl.col("S47ActualStartDate") <= last)).then(
        pl.concat_str(
            pl.lit("<Section47>"),
            _tag("S47ActualStartDate", pl.col("S47ActualStartDate").cast(pl.String)),
            _tag(
                "InitialCPCtarget",
                (pl.col("S47ActualStartDate") + pl.duration(days=15)).cast(pl.String),
            ),
            _tag("DateOfInitialCPC", upto("DateOfInitialCPC")),
            _tag(
                "ICPCnotRequired",
                pl.when(pl.col("DateOfInitialCPC").is_null())
                .then(pl.lit("true"))
                .otherwise(pl.lit("false")),
            ),
            pl.lit("</Section47>"),
        )
    )
    plan = pl.when(pl.col("has_plan") & (pl.col("CPPstartDate") <= last)).then(
        pl.concat_str(
            pl.lit("<ChildProtectionPlans>"),
            _tag("CPPstartDate", pl.col("CPPstartDate").cast(pl.String)),
            _tag("CPPendDate", upto("CPPendDate")),
            _tag("InitialCategoryOfAbuse", pl.col("Category")),
            _tag("LatestCategoryOfAbuse", pl.col("Category")),
            _tag("NumberOfPreviousCPP", pl.col("NumberOfPreviousCPP").cast(pl.String)),
            _tag(
                "Reviews",
                _tag(
                    "CPPreviewDate",
                    pl.when((pl.col("CPPstartDate") + pl.duration(days=90)) <= last).then(
                        (pl.col("CPPstartDate") + pl.duration(days=90)).cast(pl.String)
                    ),
                ),
            ),
            pl.lit("</ChildProtectionPlans>"),
        )
    )
    fragment = pl.concat_str(
        pl.lit("<CINdetails>"),
        _tag("CINreferralDate", pl.col("CINreferralDate").cast(pl.String)),
        _tag("ReferralSource", pl.col("ReferralSource")),
        _tag("PrimaryNeedCode", pl.col("PrimaryNeedCode")),
        _tag("CINclosureDate", upto("CINclosureDate")),
        _tag("ReasonForClosure", pl.when(pl.col("CINclosureDate") <= last).then("ReasonForClosure")),
        _tag("DateOfInitialCPC", upto("DateOfInitialCPC")),
        _tag("ReferralNFA", pl.when(pl.col("ReferralNFA")).then(pl.lit("true")).otherwise(pl.lit("false"))),
        assessment.fill_null(""),
        section47.fill_null(""),
        plan.fill_null(""),
        pl.lit("</CINdetails>"),
    )  # fmt: skip
    per_child = (
        d.sort("child", "order")
        .select("child", fragment.alias("xml"))
        .group_by("child", maintain_order=True)
        .agg(pl.col("xml").str.join(""))
        .join(history["children"], on="child", how="left")
        .select(
            pl.concat_str(
                pl.lit("<Child><ChildIdentifiers>"),
                _tag("LAchildID", pl.col("child").cast(pl.String)),
                _tag("UPN", pl.format("A{}{}", pl.lit(la), pl.col("child").cast(pl.String).str.zfill(9))),
                _tag("PersonBirthDate", pl.col("PersonBirthDate").cast(pl.String)),
                _tag("Sex", pl.col("Sex")),
                pl.lit("</ChildIdentifiers><ChildCharacteristics>"),
                _tag("Ethnicity", pl.col("Ethnicity")),
                pl.lit("<Disabilities><Disability>NONE</Disability></Disabilities>"),
                pl.lit("</ChildCharacteristics>"),
                pl.col("xml"),
                pl.lit("</Child>"),
            )
        )
    )  # fmt: skip
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<Message><Header><CollectionDetails>'
        f"<Collection>CIN</Collection><Year>{year}</Year><ReferenceDate>{last}</ReferenceDate>"
        f"</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>{la}</LEA></Source>"
        "</Header><Children>\n"
    )
    return head + "\n".join(per_child.to_series().to_list()) + "\n</Children></Message>\n"


# --- the SSDA903 return -------------------------------------------------------------------------


def _ssda903_history(council: Council, first: dt.date, last: dt.date) -> dict[str, pl.DataFrame]:
    """Every period of care of the council's children from ``first`` to ``last``."""
    rng = np.random.default_rng(council.seed + 1)
    start, end = _date(first), _date(last)
    span = int((end - start) / _DAY)
    n = max(int(CARE_STARTS_PER_YEAR * council.factor * span / 365.25), 5)
    care_start = start + _days(rng, 0, span, n)
    # about 8 % of periods of care are a child's second one (a return to care after a gap)
    child = np.arange(1, n + 1)
    again = np.flatnonzero(rng.random(n) < 0.08)
    adopting = rng.random(n) < 0.07
    short = ~adopting & (rng.random(n) < 0.03)
    m = np.where(short, rng.integers(2, 8, n), np.minimum(rng.geometric(0.42, n), 9))
    m = np.where(adopting, np.maximum(m, 3), m)
    total = int(m.sum())
    period = np.repeat(np.arange(n), m)
    order = np.arange(total) - np.repeat(np.cumsum(m) - m, m)
    last_ep = order == np.repeat(m - 1, m)
    length = np.where(np.repeat(short, m), rng.integers(1, 8, total), rng.integers(15, 520, total))
    gap = np.where(np.repeat(short, m), rng.integers(10, 60, total), 0)
    step = length + gap
    cum = np.cumsum(step)
    first_index = np.cumsum(m) - m
    before = cum - step - np.repeat(cum[first_index] - step[first_index], m)
    decom = np.repeat(care_start, m) + before * _DAY
    dec = decom + length * _DAY
    rne = np.where(order == 0, "S", rng.choice(_NEXT_RNE, total))
    rne = np.where(np.repeat(short, m), "S", rne)
    place = rng.choice(_PLACES, total)
    # a temporary placement (T1: hospital, a carer's holiday) now and then, then back to the
    # usual placement
    temporary = (order > 0) & ~last_ep & (rng.random(total) < 0.03) & ~np.repeat(short, m)
    place = np.where(temporary, "T1", place)
    back = np.roll(temporary, 1) & (order > 0)
    provider = rng.choice(np.array(["PR1", "PR2", "PR4", "PR5"]), total)
    place = np.where(back, np.roll(place, 2), place)
    provider = np.where(back, np.roll(provider, 2), provider)
    rne = np.where(temporary | back, "P", rne)
    ls = rng.choice(np.array(["C2"] * 9 + ["J2", "V2", "C1"]), total)
    ls = np.where(np.repeat(short, m), "V3", ls)
    # adoptions: a placement order (E1) from the second-to-last episode, the last in A3/A5
    adopt_ep = np.repeat(adopting, m)
    ls = np.where(adopt_ep & (order >= np.repeat(m - 2, m)), "E1", ls)
    place = np.where(adopt_ep & last_ep, rng.choice(np.array(["A3", "A5", "A4"]), total), place)
    rne = np.where(adopt_ep & last_ep & (order > 0), rng.choice(np.array(["T", "P"]), total), rne)
    rec = np.where(last_ep, rng.choice(_ENDS, total), "X1")
    rec = np.where(adopt_ep & last_ep, rng.choice(np.array(["E11", "E12"]), total), rec)
    rec = np.where(np.repeat(short, m) & last_ep, "E13", rec)
    rec = np.where(np.repeat(short, m) & ~last_ep, "E13", rec)  # each short break ends
    # the open care of children still looked after: about 45 % of last episodes run on
    running = last_ep & ~adopt_ep & ~np.repeat(short, m) & (rng.random(total) < 0.45)
    dec = np.where(running, dec + _days(rng, 200, 2000, total), dec)
    age = rng.integers(0, 17 * 365, n)
    dob = care_start - age * _DAY
    ids = child.copy()
    if again.size:
        # a second period begins after the first ends: give it an earlier child's id when
        # that child's care had ended before it began
        ends = np.full(n, np.datetime64("9999-12-31"), dtype="datetime64[D]")
        np.maximum.at(ends, period, dec)
        for i in again:
            j = int(rng.integers(0, n))
            if j != i and ends[j] + 30 * _DAY < care_start[i] and not short[i] and not short[j]:
                ids[i] = ids[j]
                dob[i] = dob[j]
    episodes = pl.DataFrame(
        {
            "CHILD": ids[period],
            "DECOM": decom,
            "RNE": rne,
            "LS": ls,
            "CIN": rng.choice(np.array(["N1", "N2", "N4", "N5", "N8"]), total),
            "PLACE": place,
            "PLACE_PROVIDER": provider,
            "DEC": dec,
            "REC": rec,
            "URN": np.where(np.isin(place, ["U1", "U2", "U3"]), "SC" + "0" * 6, "XXXXXXX"),
            "adopted": adopt_ep & last_ep,
        }
    ).with_columns(pl.col("DECOM", "DEC").cast(pl.Date))
    # an episode of a second period that would overlap the child's earlier care is given up
    reach = pl.col("DEC").cum_max().shift(1).over("CHILD")
    episodes = (
        episodes.sort("CHILD", "DECOM")
        .filter(reach.is_null() | (reach <= pl.col("DECOM")))
        .filter(pl.col("DECOM") <= end.astype(dt.date))
    )
    header = (
        pl.DataFrame(
            {
                "CHILD": ids,
                "SEX": rng.choice(np.array(["1", "2"]), n),
                "DOB": dob,
                "ETHNIC": rng.choice(_ETHNIC, n),
            }
        )
        .with_columns(pl.col("DOB").cast(pl.Date))
        .unique("CHILD", keep="first", maintain_order=True)
    )
    return {"episodes": episodes, "header": header}


def _dmy(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%d/%m/%Y")


def _ssda903_return(history: dict[str, pl.DataFrame], year: int) -> dict[str, pl.DataFrame]:
    """The SSDA903 tables of collection ``year`` cut from the history (as CSV text columns)."""
    first, last = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    ep = history["episodes"].filter((pl.col("DECOM") <= last) & (pl.col("DEC") >= first))
    closed = pl.col("DEC") <= last
    episodes = ep.select(
        pl.col("CHILD").cast(pl.String),
        _dmy("DECOM").alias("DECOM"),
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        pl.when(closed).then(_dmy("DEC")).alias("DEC"),
        pl.when(closed).then(pl.col("REC")).alias("REC"),
        pl.lit(None, pl.String).alias("REASON_PLACE_CHANGE"),
        pl.lit(None, pl.String).alias("HOME_POST"),
        pl.lit(None, pl.String).alias("PL_POST"),
        "URN",
    )
    header = history["header"].join(ep.select("CHILD").unique(), on="CHILD", how="semi")
    header = header.sort("CHILD").select(
        pl.col("CHILD").cast(pl.String),
        "SEX",
        _dmy("DOB").alias("DOB"),
        "ETHNIC",
        pl.format("A{}", pl.col("CHILD").cast(pl.String).str.zfill(12)).alias("UPN"),
        pl.lit(None, pl.String).alias("MOTHER"),
        pl.lit(None, pl.String).alias("MC_DOB"),
    )
    adopted = ep.filter(pl.col("adopted") & closed)
    ad1 = adopted.join(history["header"], on="CHILD", how="left").select(
        pl.col("CHILD").cast(pl.String),
        _dmy("DOB").alias("DOB"),
        (pl.col("DECOM") - pl.duration(days=90)).dt.strftime("%d/%m/%Y").alias("DATE_INT"),
        (pl.col("DECOM") - pl.duration(days=30)).dt.strftime("%d/%m/%Y").alias("DATE_MATCH"),
        pl.lit("1").alias("FOSTER_CARE"),
        pl.lit("1").alias("NB_ADOPTR"),
        pl.lit("MF").alias("SEX_ADOPTR"),
        pl.lit("L0").alias("LS_ADOPTR"),
    )
    return {"header": header, "episodes": episodes, "ad1": ad1}


# --- writing ------------------------------------------------------------------------------------


def write_partnership(
    folder: Path, members: Sequence[Council], years: Sequence[int]
) -> Partnership:
    """Write every council's returns for ``years`` (collection years) under ``folder``."""
    import time

    started = time.perf_counter()
    years = sorted(years)
    cin_first = dt.date(years[0] - 3, 4, 1)
    care_first = dt.date(years[0] - 9, 4, 1)
    last = dt.date(years[-1], 3, 31)
    xml_files: list[str] = []
    csv_files: list[str] = []
    for council in members:
        cin = _cin_history(council, cin_first, last)
        care = _ssda903_history(council, care_first, last)
        cin_dir = folder / "cin" / council.la
        csv_dir = folder / "ssda903" / council.la
        cin_dir.mkdir(parents=True, exist_ok=True)
        csv_dir.mkdir(parents=True, exist_ok=True)
        for year in years:
            path = cin_dir / f"cin_census_{year}.xml"
            path.write_text(_cin_return(cin, year, council.la), encoding="utf-8")
            xml_files.append(str(path))
            for table, frame in _ssda903_return(care, year).items():
                out = csv_dir / f"{year}_{table}.csv"
                frame.write_csv(out)
                csv_files.append(str(out))
    return Partnership(
        folder=str(folder),
        councils=tuple(members),
        years=tuple(years),
        xml_files=tuple(xml_files),
        csv_files=tuple(csv_files),
        xml_bytes=sum(Path(p).stat().st_size for p in xml_files),
        csv_bytes=sum(Path(p).stat().st_size for p in csv_files),
        seconds=time.perf_counter() - started,
    )


def partnership_ssda903(partnership: Partnership) -> dict[str, object]:
    """Every council's SSDA903, read with the library (one ``read_ssda903`` per council)."""
    import cyp_indicators as cyp

    return {c.la: cyp.read_ssda903(partnership.ssda903_folder(c.la)) for c in partnership.councils}


def partnership_cin(partnership: Partnership) -> dict[str, object]:
    """Every council's CIN census, read with the library (one ``read_cin_census`` per council)."""
    import cyp_indicators as cyp

    return {c.la: cyp.read_cin_census(partnership.cin_folder(c.la)) for c in partnership.councils}
