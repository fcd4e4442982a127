"""A small generator of synthetic child-level records for a large county (CIN census, SSDA903).

Sized on a large English county's year: about 20,000 referrals, 18,000 assessments, 5,000
section 47 enquiries, 1,500 child protection plans starting and 1,000 children starting to be
looked after (about 2,000 in care at 31 March). ``scale`` multiplies every volume; ``years``
of history end on 31 March of ``last_year``. Dates after that day are left empty, as an
extract taken then would have them.

The records go through the library's own ``from_frames`` checks (outside any timing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

import cyp_indicators as cyp
from cyp_indicators.records import SSDA903, CINCensus

__all__ = ["CountyRecords", "derivation_definitions", "large_county"]


@dataclass(frozen=True)
class CountyRecords:
    """The two returns of one synthetic county, and the extract date."""

    cin: CINCensus
    ssda903: SSDA903
    extract_date: dt.date

    def rows(self) -> dict[str, int]:
        """Rows per table (for the report)."""
        out = {f"cin.{t}": self.cin.table(t).height for t in CINCensus.TABLES}
        out |= {f"ssda903.{t}": self.ssda903.table(t).height for t in SSDA903.TABLES}
        return {k: v for k, v in out.items() if v}


def _days(rng: np.random.Generator, low: int, high: int, size: int) -> np.ndarray:
    return rng.integers(low, high + 1, size).astype("timedelta64[D]")


def _cin(
    rng: np.random.Generator, scale: float, start: np.datetime64, end: np.datetime64, years: int
) -> CINCensus:
    referrals = int(20_000 * scale * years)
    children = max(int(referrals * 0.7), 1)
    span = int((end - start).astype(int))
    child = rng.integers(0, children, referrals)
    referral = start + _days(rng, 0, span, referrals)
    details = pl.DataFrame(
        {
            "LAchildID": [f"C{c:07d}" for c in child],
            "CINdetailsID": np.arange(1, referrals + 1),
            "CINreferralDate": referral.astype("datetime64[D]"),
            "CINclosureDate": (referral + _days(rng, 10, 400, referrals)).astype("datetime64[D]"),
        }
    )
    has_assessment = rng.random(referrals) < 0.9
    a_start = referral + _days(rng, 0, 10, referrals)
    assessments = pl.DataFrame(
        {
            "LAchildID": details["LAchildID"],
            "CINdetailsID": details["CINdetailsID"],
            "AssessmentActualStartDate": a_start.astype("datetime64[D]"),
            "AssessmentAuthorisationDate": (a_start + _days(rng, 5, 90, referrals)).astype(
                "datetime64[D]"
            ),
        }
    ).filter(pl.Series(has_assessment))
    has_s47 = rng.random(referrals) < 0.25
    s47_start = referral + _days(rng, 0, 15, referrals)
    has_icpc = rng.random(referrals) < 0.35
    icpc = s47_start + _days(rng, 3, 35, referrals)
    section47 = pl.DataFrame(
        {
            "LAchildID": details["LAchildID"],
            "CINdetailsID": details["CINdetailsID"],
            "S47ActualStartDate": s47_start.astype("datetime64[D]"),
            "DateOfInitialCPC": icpc.astype("datetime64[D]"),
            "__icpc": pl.Series(has_icpc),
        }
    ).filter(pl.Series(has_s47))
    section47 = section47.with_columns(
        pl.when(pl.col("__icpc")).then(pl.col("DateOfInitialCPC")).alias("DateOfInitialCPC")
    ).drop("__icpc")
    with_plan = section47.filter(pl.col("DateOfInitialCPC").is_not_null()).sample(
        fraction=0.8, seed=int(rng.integers(1 << 30))
    )
    n_plans = with_plan.height
    plans = with_plan.select(
        "LAchildID",
        "CINdetailsID",
        pl.int_range(1, n_plans + 1).alias("CPPID"),
        pl.col("DateOfInitialCPC").alias("CPPstartDate"),
        (
            pl.col("DateOfInitialCPC")
            + pl.duration(days=pl.lit(pl.Series(rng.integers(60, 900, n_plans))))
        ).alias("CPPendDate"),
        pl.Series(rng.choice([0, 0, 0, 1, 2], n_plans)).alias("NumberOfPreviousCPP"),
    )
    extract = end

    def cut(frame: pl.DataFrame, *cols: str) -> pl.DataFrame:
        limit = pl.lit(extract.astype(dt.date))
        return frame.with_columns(
            pl.when(pl.col(c) <= limit).then(pl.col(c)).alias(c) for c in cols
        )

    details = cut(
        details.with_columns(pl.col("CINreferralDate", "CINclosureDate").cast(pl.Date)),
        "CINclosureDate",
    )
    assessments = cut(
        assessments.with_columns(
            pl.col("AssessmentActualStartDate", "AssessmentAuthorisationDate").cast(pl.Date)
        ),
        "AssessmentAuthorisationDate",
    ).filter(pl.col("AssessmentActualStartDate") <= pl.lit(extract.astype(dt.date)))
    section47 = cut(
        section47.with_columns(pl.col("S47ActualStartDate", "DateOfInitialCPC").cast(pl.Date)),
        "DateOfInitialCPC",
    ).filter(pl.col("S47ActualStartDate") <= pl.lit(extract.astype(dt.date)))
    plans = cut(plans, "CPPendDate").filter(
        pl.col("CPPstartDate") <= pl.lit(extract.astype(dt.date))
    )
    return CINCensus.from_frames(
        cin_details=details, assessments=assessments, section47=section47, cp_plans=plans
    )


_NEXT_RNE = np.array(["P", "P", "P", "L", "T", "B", "U"])
_PLACES = np.array(["U1", "U2", "U3", "U4", "U5", "U6", "R1", "K2"])
_ENDS = np.array(["E13", "E4A", "E8", "E41", "E11", "E12"])


def _ssda903(
    rng: np.random.Generator, scale: float, start: np.datetime64, end: np.datetime64, years: int
) -> SSDA903:
    children = int(1_500 * scale * (years + 3))
    span = int((end - start).astype(int)) + 3 * 365
    care_start = (start - np.timedelta64(3 * 365, "D")) + _days(rng, 0, span, children)
    n_episodes = np.minimum(rng.geometric(0.45, children), 8)
    total = int(n_episodes.sum())
    child = np.repeat(np.arange(children), n_episodes)
    order = np.arange(total) - np.repeat(np.cumsum(n_episodes) - n_episodes, n_episodes)
    length = rng.integers(20, 500, total)
    # each episode starts when the child's earlier episodes end (care start + their lengths)
    cum = np.cumsum(length)
    first_index = np.cumsum(n_episodes) - n_episodes
    before = cum - length - np.repeat(cum[first_index] - length[first_index], n_episodes)
    decom = np.repeat(care_start, n_episodes) + before.astype("timedelta64[D]")
    dec = decom + length.astype("timedelta64[D]")
    last = order == np.repeat(n_episodes - 1, n_episodes)
    rne = np.where(order == 0, "S", rng.choice(_NEXT_RNE, total))
    ls = rng.choice(np.array(["C2"] * 8 + ["E1", "E1", "J2", "V3"]), total)
    place = np.where(
        np.isin(rne, ["T", "U"]) & (rng.random(total) < 0.5),
        rng.choice(np.array(["A3", "A5"]), total),
        rng.choice(_PLACES, total),
    )
    rec = np.where(last, rng.choice(_ENDS, total), "X1")
    dob = care_start - _days(rng, 30, 17 * 365, children)
    extract = end.astype(dt.date)
    episodes = pl.DataFrame(
        {
            "CHILD": [f"L{c:07d}" for c in child],
            "DECOM": decom.astype("datetime64[D]"),
            "RNE": rne,
            "LS": ls,
            "CIN": rng.choice(np.array(["N1", "N2", "N4", "N5"]), total),
            "PLACE": place,
            "DEC": dec.astype("datetime64[D]"),
            "REC": rec,
        }
    ).with_columns(pl.col("DECOM", "DEC").cast(pl.Date))
    episodes = episodes.filter(pl.col("DECOM") <= pl.lit(extract)).with_columns(
        pl.when(pl.col("DEC") <= pl.lit(extract)).then(pl.col("DEC")).alias("DEC"),
        pl.when(pl.col("DEC") <= pl.lit(extract)).then(pl.col("REC")).alias("REC"),
    )
    header = pl.DataFrame(
        {
            "CHILD": [f"L{c:07d}" for c in range(children)],
            "SEX": rng.choice(np.array(["1", "2"]), children),
            "DOB": dob.astype("datetime64[D]"),
            "ETHNIC": rng.choice(np.array(["WBRI", "WOTH", "MWBC", "BAFR", "AIND"]), children),
        }
    ).with_columns(pl.col("DOB").cast(pl.Date))
    header = header.join(episodes.select("CHILD").unique(), on="CHILD", how="semi")
    adopted = episodes.filter(pl.col("REC").is_in(["E11", "E12"]))
    ad1 = adopted.select(
        "CHILD",
        (
            pl.col("DEC")
            - pl.duration(days=pl.lit(pl.Series(rng.integers(60, 300, adopted.height))))
        ).alias("DATE_MATCH"),
    )
    return SSDA903.from_frames(header=header, episodes=episodes, ad1=ad1)


def large_county(
    scale: float = 1.0, *, years: int = 4, last_year: int = 2020, seed: int = 7
) -> CountyRecords:
    """Synthetic CIN census and SSDA903 records for ``years`` years ending 31 March ``last_year``."""
    rng = np.random.default_rng(seed)
    end = np.datetime64(f"{last_year}-03-31")
    start = np.datetime64(f"{last_year - years}-04-01")
    return CountyRecords(
        cin=_cin(rng, scale, start, end, years),
        ssda903=_ssda903(rng, scale, start, end, years),
        extract_date=end.astype(dt.date),
    )


def derivation_definitions(catalogue: cyp.Catalogue) -> list[cyp.IndicatorDefinition]:
    """The latest version of every definition that names a record-level derivation."""
    return [d for d in catalogue.list() if d.derivation is not None]


def records_for(definition: cyp.IndicatorDefinition, county: CountyRecords) -> CINCensus | SSDA903:
    """The return a definition's derivation reads."""
    from cyp_indicators.records import DERIVATIONS

    assert definition.derivation is not None
    tables = DERIVATIONS[definition.derivation.name].tables
    return county.ssda903 if "episodes" in tables else county.cin
