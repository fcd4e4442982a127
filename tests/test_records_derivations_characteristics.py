"""Record-level derivations of the characteristics tables (issue 13, part 4), each checked against
an independent count written here from DfE's guidance (quoted), by plain loops over
``rows(named=True)`` and no library function:

* children in need at 31 March by primary need, on the fake CIN census (``reference/records``);
* children on a child protection plan at 31 March by initial category of abuse, on plans built
  by hand (the fake census holds one plan);
* children looked after at 31 March by legal status, age group, gender and ethnicity, and the
  participation of children looked after in their reviews, on the demand-model return for the
  year ending 31 March 2019 (its files are named 2018) with its reviews table.

Each check names the exclusions the derivation reports and that the row accounting balances. A
return without the table a derivation needs is an error naming the table; a breakdown value not
in a definition's list is an error naming it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.records.accounting import exclusions_frame

D = dt.date
SAMPLES = Path(__file__).parent / "reference" / "records"
DEMAND = SAMPLES / "demand_model"
TABLES = SAMPLES / "demand_model_tables"
#: The demand-model files named 2018 hold the return for the year ending 31 March 2019.
YEAR = 2019
END = D(YEAR, 3, 31)
SHORT_BREAKS = {"V3", "V4"}

Row = dict[str, Any]
_CACHE: dict[str, Any] = {}


def demand() -> cyp.SSDA903:
    if "demand" not in _CACHE:
        files = [
            DEMAND / "2018-header.csv",
            DEMAND / "2018-episodes.csv",
            TABLES / "2018-reviews.csv",
        ]
        _CACHE["demand"] = cyp.read_ssda903(files)
    return _CACHE["demand"]  # type: ignore[no-any-return]


def derive(ident: str, records: Any, year: int = YEAR) -> cyp.Derivation:
    """The definition derived for the collection year, with the row accounting balanced and every
    record not counted listed among the exclusions."""
    result = cyp.derive(
        cyp.load_catalogue().get(ident), records, period=cyp.Period.financial_year(year)
    )
    acc = result.accounting
    assert (
        acc["counted"] + acc["not_counted"] + acc["excluded_on_reading"] == acc["rows_in"]
    ).all()
    for table, n in result.exclusions.group_by("table").len().iter_rows():
        row = acc.filter(pl.col("table") == table).row(0, named=True)
        assert n == row["not_counted"] + row["excluded_on_reading"], (ident, table)
    return result


def by_level(result: cyp.Derivation, column: str) -> dict[str, tuple[int, int]]:
    return {
        r[column]: (int(r["numerator"]), int(r["denominator"] or 0))
        for r in result.values.iter_rows(named=True)
    }


def reasons(result: cyp.Derivation, table: str) -> Counter[str]:
    return Counter(
        r.partition(":")[0]
        for r in result.exclusions.filter(pl.col("table") == table)["reason"].to_list()
    )


def shares(groups: Counter[str], codes: list[str]) -> dict[str, tuple[int, int]]:
    """Each level's count over the children in any level (the levels add up to 100%)."""
    total = sum(groups[c] for c in codes)
    return {c: (groups[c], total) for c in codes}


# --- children in need by primary need -----------------------------------------------------------

#: The census's primary need codes as DfE's table B3 groups them, one level each.
NEEDS = {
    "N1": "abuse_or_neglect",
    "N2": "child_disability_or_illness",
    "N3": "parental_disability_or_illness",
    "N4": "family_in_acute_stress",
    "N5": "family_dysfunction",
    "N6": "socially_unacceptable_behaviour",
    "N7": "low_income",
    "N8": "absent_parenting",
    "N9": "cases_other_than_children_in_need",
    "N0": "not_stated",
}


def _in_need(extra: list[Row] | None = None) -> Any:
    """The fake census returns every referral as no further action; with ReferralNFA false (the
    same referrals as episodes of need) it has children in need to count. ``extra`` adds
    episodes (to give a code in no level)."""
    cin = cyp.read_cin_census(SAMPLES / "cin" / "fake_CIN_data.xml")
    details = cin.cin_details.with_columns(pl.lit(False).alias("ReferralNFA"))
    if extra:
        details = pl.concat([details, pl.DataFrame(extra, schema=details.schema)])
    return SimpleNamespace(
        cin_details=details, children=cin.children, exclusions=exclusions_frame()
    )


@pytest.mark.parametrize("year", [2017, 2018, 2019])
def test_children_in_need_by_primary_need(year: int) -> None:
    """DfE (children in need): "Open cases describes the status of all children whose cases are
    still open at 31 March (i.e. child is still in need at 31 March)"; "Primary need indicates the
    main reason why a child started to receive services". Each child once, the episode begun
    first, by that episode's PrimaryNeedCode."""
    end = D(year, 3, 31)
    records = _in_need()
    died = {c["LAchildID"]: c["PersonDeathDate"] for c in records.children.rows(named=True)}
    need: dict[str, str] = {}
    for r in sorted(records.cin_details.rows(named=True), key=lambda r: r["CINreferralDate"]):
        still_open = r["CINreferralDate"] <= end and (
            r["CINclosureDate"] is None or r["CINclosureDate"] > end
        )
        alive = died.get(r["LAchildID"]) is None or died[r["LAchildID"]] > end
        if still_open and alive:
            need.setdefault(r["LAchildID"], r["PrimaryNeedCode"])
    groups = Counter(NEEDS[code] for code in need.values() if code in NEEDS)
    got = by_level(derive("cin_by_primary_need_pct", records, year), "primary_need")
    assert got == shares(groups, list(NEEDS.values()))
    assert len(need) > 10


def test_a_child_in_need_whose_code_is_in_no_level_is_left_out_with_the_reason() -> None:
    """A child in need at 31 March with a blank primary need: in neither numerator nor
    denominator, reported as an unknown code."""
    base = _in_need().cin_details
    blank = {
        **dict.fromkeys(base.columns),
        "LAchildID": "HAND1",
        "CINdetailsID": 9001,
        "CINreferralDate": D(2018, 6, 1),
        "ReferralNFA": False,
        "PrimaryNeedCode": None,
    }
    with_blank = derive("cin_by_primary_need_pct", _in_need([blank]), 2019)
    without = derive("cin_by_primary_need_pct", _in_need(), 2019)
    assert by_level(with_blank, "primary_need") == by_level(without, "primary_need")
    left = with_blank.exclusions.filter(pl.col("child") == "HAND1")["reason"].to_list()
    assert left == ["unknown_code: PrimaryNeedCode 'empty' is in no level of the definition"]


# --- child protection plans by category of abuse ------------------------------------------------

CATEGORIES = {
    "NEG": "neglect",
    "PHY": "physical_abuse",
    "SAB": "sexual_abuse",
    "EMO": "emotional_abuse",
    "MUL": "multiple",
}


def _plans() -> tuple[Any, list[Row]]:
    """Plans worked by hand: each row's outcome at 31 March 2019 in its ``why``."""
    rows: list[Row] = [
        # open at 31 March: counted by their initial category (not the latest)
        {"id": "A", "start": D(2018, 5, 1), "end": None, "initial": "NEG", "latest": "EMO"},
        {
            "id": "B",
            "start": D(2017, 1, 9),
            "end": D(2019, 4, 1),
            "initial": "PHY",
            "latest": "PHY",
        },
        {"id": "C", "start": D(2019, 3, 31), "end": None, "initial": "MUL", "latest": "MUL"},
        {"id": "D", "start": D(2018, 10, 2), "end": None, "initial": "EMO", "latest": "NEG"},
        {"id": "E", "start": D(2018, 11, 5), "end": None, "initial": "SAB", "latest": "SAB"},
        # ended on 31 March: not open then
        {
            "id": "F",
            "start": D(2018, 4, 1),
            "end": D(2019, 3, 31),
            "initial": "NEG",
            "latest": "NEG",
        },
        # a second plan of child A, begun later: A counted once, under the first plan
        {"id": "A", "start": D(2018, 9, 1), "end": None, "initial": "PHY", "latest": "PHY"},
        # no category recorded: left out of both
        {"id": "G", "start": D(2018, 7, 7), "end": None, "initial": None, "latest": None},
        # starts after 31 March
        {"id": "H", "start": D(2019, 4, 2), "end": None, "initial": "NEG", "latest": "NEG"},
    ]
    plans = pl.DataFrame(
        {
            "LAchildID": [r["id"] for r in rows],
            "CINdetailsID": [1] * len(rows),
            "CPPID": [str(i) for i in range(len(rows))],
            "CPPstartDate": [r["start"] for r in rows],
            "CPPendDate": [r["end"] for r in rows],
            "InitialCategoryOfAbuse": [r["initial"] for r in rows],
            "LatestCategoryOfAbuse": [r["latest"] for r in rows],
        },
        schema_overrides={"CPPendDate": pl.Date},
    )
    return cyp.CINCensus.from_frames(cp_plans=plans), rows


def test_child_protection_plans_by_initial_category_of_abuse() -> None:
    """DfE: "The initial category of abuse is that assessed when the child protection plan
    commenced"; "The 'Multiple' category refers to instances where there is more than one main
    category of abuse. Children included in this category are not included in any other category
    of abuse, therefore a child is counted only once overall." A plan is open at 31 March when it
    began on or before it and had not ended by it."""
    records, rows = _plans()
    first: dict[str, Row] = {}
    for r in sorted(rows, key=lambda r: r["start"]):
        if r["start"] <= END and (r["end"] is None or r["end"] > END):
            first.setdefault(r["id"], r)
    groups = Counter(CATEGORIES[r["initial"]] for r in first.values() if r["initial"] in CATEGORIES)
    result = derive("cpp_by_category_of_abuse_pct", records)
    got = by_level(result, "category_of_abuse")
    assert got == shares(groups, list(CATEGORIES.values()))
    assert got["neglect"] == (1, 5)
    assert got["physical_abuse"] == (1, 5)
    assert reasons(result, "cp_plans") == Counter(
        {"outside_period": 2, "overlapping_episode": 1, "unknown_code": 1}
    )


# --- children looked after by legal status and characteristics ----------------------------------


def _looked_after_at(day: dt.date) -> dict[str, Row]:
    """DfE: a child is looked after on a date when an episode began on or before it and had not
    ended by it ("a child who leaves on 31 March is not looked after at 31 March"); short breaks
    (legal status V3, V4) are left out. Each child once: the earliest episode open then."""
    out: dict[str, Row] = {}
    for e in sorted(demand().episodes.rows(named=True), key=lambda e: e["DECOM"]):
        open_then = e["DECOM"] <= day and (e["DEC"] is None or e["DEC"] > day)
        if open_then and e["LS"] not in SHORT_BREAKS and e["CHILD"] not in out:
            out[e["CHILD"]] = e
    return out


#: DfE's legal status groups: care orders (interim C1, full C2), placement order E1, freeing
#: order D1, voluntary accommodation under section 20 (V2), detained for child protection (L1-L3),
#: youth justice legal statuses (J1-J3).
LEGAL = {
    "C1": "interim_care_order",
    "C2": "full_care_order",
    "E1": "placement_order",
    "D1": "freeing_order",
    "V2": "voluntary_section_20",
    **dict.fromkeys(["L1", "L2", "L3"], "detained_for_child_protection"),
    **dict.fromkeys(["J1", "J2", "J3"], "youth_justice"),
}


def test_children_looked_after_by_legal_status() -> None:
    """The legal status of the episode open on 31 March, each child once."""
    at = _looked_after_at(END)
    groups = Counter(LEGAL[e["LS"]] for e in at.values())
    result = derive("cla_by_legal_status_pct", demand())
    codes = list(dict.fromkeys(LEGAL.values()))
    assert by_level(result, "legal_status") == shares(groups, codes)
    assert sum(groups.values()) == len(at) > 100
    excluded = reasons(result, "episodes")
    assert excluded["not_counted"] == sum(
        1 for e in demand().episodes.rows(named=True) if e["LS"] in SHORT_BREAKS
    )


def _age(dob: dt.date, on: dt.date) -> int:
    years = on.year - dob.year
    return years - 1 if (on.month, on.day) < (dob.month, dob.day) else years


def _age_group(age: int) -> str:
    """DfE's bands of age at 31 March: under 1, 1 to 4, 5 to 9, 10 to 15, 16 and over."""
    if age < 1:
        return "under_1"
    if age <= 4:
        return "1_to_4"
    if age <= 9:
        return "5_to_9"
    if age <= 15:
        return "10_to_15"
    return "16_and_over"


ETHNIC = {
    **dict.fromkeys(["WBRI", "WIRI", "WIRT", "WOTH", "WROM"], "white"),
    **dict.fromkeys(["MWBC", "MWBA", "MWAS", "MOTH"], "mixed"),
    **dict.fromkeys(["AIND", "APKN", "ABAN", "CHNE", "AOTH"], "asian"),
    **dict.fromkeys(["BCRB", "BAFR", "BOTH"], "black"),
    "OOTH": "other",
    **dict.fromkeys(["REFU", "NOBT"], "refused_or_not_obtained"),
}


@pytest.mark.parametrize(
    ("ident", "column", "group"),
    [
        ("cla_by_age_group_pct", "age_group", lambda h: _age_group(_age(h["DOB"], END))),
        ("cla_by_gender_pct", "gender", lambda h: {"1": "male", "2": "female"}[h["SEX"]]),
        ("cla_by_ethnicity_pct", "ethnic_group", lambda h: ETHNIC[h["ETHNIC"]]),
    ],
)
def test_children_looked_after_by_a_characteristic_of_the_child(
    ident: str, column: str, group: Any
) -> None:
    """DfE's characteristics of children looked after at 31 March: age at 31 March in its five
    bands, gender (SSDA903 SEX 1 male, 2 female) and ethnic group, from the child's header."""
    header = {h["CHILD"]: h for h in demand().header.rows(named=True)}
    at = _looked_after_at(END)
    groups = Counter(group(header[child]) for child in at)
    definition = cyp.load_catalogue().get(ident)
    assert definition.breakdown is not None
    result = derive(ident, demand())
    assert by_level(result, column) == shares(groups, list(definition.breakdown.codes))
    assert sum(groups.values()) == len(at) > 100
    assert reasons(result, "header") == Counter({"not_counted": len(header) - len(at)})


def test_a_child_without_a_date_of_birth_is_left_out_of_the_age_groups() -> None:
    """A child looked after at 31 March whose header has no DOB: no age, so no band; reported."""
    records = demand()
    child = next(iter(_looked_after_at(END)))
    header = records.header.with_columns(
        pl.when(pl.col("CHILD") == child).then(None).otherwise(pl.col("DOB")).alias("DOB")
    )
    blanked = SimpleNamespace(
        episodes=records.episodes,
        header=header,
        files=records.files,
        exclusions=exclusions_frame(),
    )
    before = by_level(derive("cla_by_age_group_pct", records), "age_group")
    after = by_level(derive("cla_by_age_group_pct", blanked), "age_group")
    assert sum(n for n, _ in after.values()) == sum(n for n, _ in before.values()) - 1
    assert {d for _, d in after.values()} == {next(iter(before.values()))[1] - 1}
    words = (
        derive("cla_by_age_group_pct", blanked)
        .exclusions.filter((pl.col("table") == "episodes") & (pl.col("child") == child))["reason"]
        .to_list()
    )
    assert (
        "missing_date: no date of birth in the child's header row, so the age cannot be told"
        in words
    )


# --- participation in reviews (PAF C63) ---------------------------------------------------------

#: SSDA903 REVIEW_CODE: PN0 child under 4 at the time of the review; PN1 attends and speaks for
#: themselves; PN2 attends, an advocate speaks; PN3 attends, conveys views symbolically; PN4
#: attends, does not convey views; PN5 does not attend, briefs an advocate; PN6 does not attend,
#: conveys feelings by a facilitative medium; PN7 does not attend, no views conveyed.
COMMUNICATED = {"PN1", "PN2", "PN3", "PN5", "PN6"}
SILENT = {"PN4", "PN7"}


def test_participation_in_reviews() -> None:
    """PAF C63: children looked after aged 4 or over who had a review during the year, and of
    them those who communicated their views (in person, through an advocate, or in another
    format) at every review held during the year. A review coded PN0 is of a child under 4."""
    start = D(YEAR - 1, 4, 1)
    seen: dict[str, list[str]] = {}
    for r in demand().reviews.rows(named=True):
        if start <= r["REVIEW"] <= END and r["REVIEW_CODE"] != "PN0":
            seen.setdefault(r["CHILD"], []).append(r["REVIEW_CODE"])
    judged = {
        c: codes for c, codes in seen.items() if all(x in COMMUNICATED | SILENT for x in codes)
    }
    every = sum(1 for codes in judged.values() if all(x in COMMUNICATED for x in codes))
    result = derive("cla_review_participation_pct", demand())
    row = result.values.row(0, named=True)
    assert (int(row["numerator"]), int(row["denominator"])) == (every, len(judged))
    assert 0 < every < len(judged)
    in_year_pn0 = sum(
        1
        for r in demand().reviews.rows(named=True)
        if start <= r["REVIEW"] <= END and r["REVIEW_CODE"] == "PN0"
    )
    words = result.exclusions.filter(pl.col("table") == "reviews")["reason"].to_list()
    assert sum(1 for w in words if "under 4 at the time of the review" in w) >= in_year_pn0 > 0


def test_a_review_without_a_participation_code_leaves_its_child_out() -> None:
    """Whether a child took part in every review cannot be told when one has no code."""
    reviews = pl.DataFrame(
        {
            "CHILD": ["1", "1", "2", "3"],
            "DOB": [D(2005, 1, 1)] * 4,
            "REVIEW": [D(2018, 6, 1), D(2018, 12, 1), D(2018, 7, 1), D(2018, 8, 1)],
            "REVIEW_CODE": ["PN1", None, "PN2", "PN7"],
        }
    )
    records = SimpleNamespace(
        reviews=reviews, files=(), rows_read={"reviews": 4}, exclusions=exclusions_frame()
    )
    result = derive("cla_review_participation_pct", records)
    row = result.values.row(0, named=True)
    assert (int(row["numerator"]), int(row["denominator"])) == (1, 2)
    assert reasons(result, "reviews") == Counter({"unknown_code": 1, "not_counted": 1})


# --- a return without the table, a level not in the list ---------------------------------------


@pytest.mark.parametrize(
    ("ident", "table"),
    [
        ("cla_review_participation_pct", "reviews"),
        ("cla_by_age_group_pct", "header"),
        ("cla_by_ethnicity_pct", "header"),
    ],
)
def test_a_return_without_the_table_is_refused_naming_it(ident: str, table: str) -> None:
    """The episodes alone: no reviews table, no header. The error names the table."""
    records = cyp.read_ssda903([DEMAND / "2018-episodes.csv"])
    with pytest.raises(cyp.DataError, match=f"hold no {table} table"):
        cyp.derive(cyp.load_catalogue().get(ident), records, period=cyp.Period.financial_year(YEAR))


def test_a_census_without_plans_is_refused_naming_the_table() -> None:
    records = SimpleNamespace(cin_details=_in_need().cin_details, exclusions=exclusions_frame())
    with pytest.raises(cyp.DataError, match="cp_plans table"):
        cyp.derive(
            cyp.load_catalogue().get("cpp_by_category_of_abuse_pct"),
            records,
            period=cyp.Period.financial_year(YEAR),
        )


NEW = [
    "cin_by_primary_need_pct",
    "cpp_by_category_of_abuse_pct",
    "cla_by_legal_status_pct",
    "cla_by_age_group_pct",
    "cla_by_gender_pct",
    "cla_by_ethnicity_pct",
]


@pytest.mark.parametrize("ident", NEW)
def test_a_breakdown_value_not_in_the_list_is_refused_naming_it(ident: str) -> None:
    definition = cyp.load_catalogue().get(ident)
    assert definition.breakdown is not None
    with pytest.raises(Exception, match="'no_such_group' is not a level of breakdown"):
        definition.breakdown.level("no_such_group")


@pytest.mark.parametrize(
    ("name", "params", "words"),
    [
        (
            "looked_after_by_child_characteristic",
            {"characteristic": "religion", "column": "x", "levels": ["a=1"]},
            "'characteristic' must be one of",
        ),
        (
            "looked_after_by_child_characteristic",
            {"characteristic": "age", "column": "x", "levels": ["a=young"]},
            "level 'a' should give ages",
        ),
        (
            "cp_plans_by_category_of_abuse",
            {"category_column": "Category", "column": "x", "levels": ["a=NEG"]},
            "'category_column' must be",
        ),
        (
            "looked_after_by_legal_status",
            {"column": "x", "levels": ["a=C1", "b=C1"]},
            "'C1' is in levels 'a' and 'b'",
        ),
    ],
)
def test_bad_parameters_are_refused_naming_them(
    name: str, params: dict[str, Any], words: str
) -> None:
    from cyp_indicators.records.registry import DERIVATIONS

    spec = DERIVATIONS[name]
    periods = pl.DataFrame(
        {"period_label": ["FY"], "period_start": [D(2018, 4, 1)], "period_end": [END]}
    )
    records = _plans()[0] if "cp_plans" in name else demand()
    with pytest.raises(cyp.DataError, match=words):
        spec.function(records, periods, {**spec.parameters, **params})
