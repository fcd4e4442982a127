"""DfE's counting rules, scenario by scenario (issue 12).

Each expected answer is worked by hand from the DfE sentence quoted in the test, not from the
library; each failed on the derivations as they were.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.records.accounting import exclusions_frame

D = dt.date
FY17 = cyp.Period.financial_year(2017)  # 1 April 2016 to 31 March 2017
MARCH_17 = cyp.Period.snapshot(D(2017, 3, 31))
PUBLISHED = Path(__file__).parent / "reference" / "records" / "published"

Row = tuple[str, dt.date, str, str, str, "dt.date | None", "str | None"]


def _episodes(rows: list[Row], dob: dt.date = dt.date(2008, 6, 1)) -> SimpleNamespace:
    frame = pl.DataFrame(
        rows, schema=["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"], orient="row"
    ).with_columns(pl.col("DECOM", "DEC").cast(pl.Date))
    children = sorted({r[0] for r in rows})
    header = pl.DataFrame({"CHILD": children, "DOB": [dob] * len(children)})
    return SimpleNamespace(episodes=frame, header=header, exclusions=exclusions_frame())


def _derive(ident: str, records: object, period: object = FY17, **kw: object) -> cyp.Derivation:
    result = cyp.derive(cyp.load_catalogue().get(ident, **kw), records, period=period)  # type: ignore[arg-type]
    acc = result.accounting
    assert (
        acc["counted"] + acc["not_counted"] + acc["excluded_on_reading"] == acc["rows_in"]
    ).all()
    return result


def _pair(result: cyp.Derivation) -> tuple[float, float]:
    row = result.values.row(0, named=True)
    return (row["numerator"], row["denominator"])


# --- children who started to be looked after ----------------------------------------------------


def test_an_overlapping_episode_is_not_a_second_start() -> None:
    """DfE counts "children who started to be looked after" in the year. A child looked after
    since 2015 whose records hold a second RNE S episode beginning in June 2016, while the first
    is still open, did not start to be looked after in 2016-17."""
    records = _episodes([
        ("a", D(2015, 1, 1), "S", "C2", "U1", None, None),
        ("a", D(2016, 6, 1), "S", "C2", "U2", None, None),  # overlaps the open episode
        ("b", D(2016, 7, 1), "S", "C2", "U1", None, None),  # a real start
    ])  # fmt: skip
    result = _derive("cla_starts_rate_per_10k", records)
    assert result.values["numerator"][0] == 1
    [reason] = result.exclusions.filter(pl.col("child") == "a")["reason"].to_list()[-1:]
    assert reason.startswith(
        "overlapping_episode: begins while the child's episode from 2015-01-01"
    )


# --- three or more placements -------------------------------------------------------------------


def test_a_placement_after_a_temporary_one_elsewhere_is_new() -> None:
    """NI 62 counts "three or more separate placements during the year"; a temporary placement
    (T0-T4) is not one, nor the return from it to the usual placement. U4, then T1, then U6 (a
    different placement, not a return), then R1: three placements (U4, U6, R1). U4, T1, U4 again
    (the same carer and placement), R1: two."""
    records = _episodes([
        ("a", D(2015, 6, 1), "S", "C2", "U4", D(2016, 6, 1), "X1"),
        ("a", D(2016, 6, 1), "P", "C2", "T1", D(2016, 6, 20), "X1"),
        ("a", D(2016, 6, 20), "P", "C2", "U6", D(2016, 11, 1), "X1"),
        ("a", D(2016, 11, 1), "P", "C2", "R1", None, None),
        ("b", D(2015, 6, 1), "S", "C2", "U4", D(2016, 6, 1), "X1"),
        ("b", D(2016, 6, 1), "P", "C2", "T1", D(2016, 6, 20), "X1"),
        ("b", D(2016, 6, 20), "P", "C2", "U4", D(2016, 11, 1), "X1"),
        ("b", D(2016, 11, 1), "P", "C2", "R1", None, None),
    ])  # fmt: skip
    assert _pair(_derive("cla_three_or_more_placements_pct", records)) == (1, 2)


# --- long-term stability ------------------------------------------------------------------------


def test_long_term_stability_on_one_years_return() -> None:
    """NI 63: "children looked after aged under 16 ... looked after continuously for at least 2.5
    years who were living in the same placement for at least 2 years". On the 2016-17 return
    alone (episodes open at 1 April repeated, no RNE S for children who came in earlier):

    * a: in the same placement since 2012: in the cohort, stable;
    * b: in care since 2013 (loaded episode from 2013, RNE P), moved in 2016: cohort, not stable;
    * c: since 2014 (RNE L), same placement since 2014: cohort, stable;
    * d: entered care in 2016 (RNE S): not 2.5 years, not in the cohort;
    * e: in care since 2013 but 16 on 31 March 2017: not in the cohort;
    * f: since 2012, moved twice in 2016: cohort, not stable;
    * g: since 2014, placed for adoption in 2016 after 2 years with the carer before: stable.

    Cohort a b c f g (5), stable a c g... and the adoption rule: g's adoptive placement together
    with the previous one (since 2014) lasts 2 years: stable. Answer 3 of 5.
    """
    records = _episodes([
        ("a", D(2012, 5, 1), "P", "C2", "U4", None, None),
        ("b", D(2013, 5, 1), "P", "C2", "U4", D(2016, 9, 1), "X1"),
        ("b", D(2016, 9, 1), "P", "C2", "U5", None, None),
        ("c", D(2014, 8, 1), "L", "C2", "U4", None, None),
        ("d", D(2016, 5, 1), "S", "C2", "U4", None, None),
        ("f", D(2012, 1, 1), "P", "C2", "U4", D(2016, 5, 1), "X1"),
        ("f", D(2016, 5, 1), "P", "C2", "U5", D(2016, 10, 1), "X1"),
        ("f", D(2016, 10, 1), "P", "C2", "U6", None, None),
        ("g", D(2014, 9, 1), "P", "C2", "U4", D(2016, 11, 1), "X1"),
        ("g", D(2016, 11, 1), "P", "E1", "A4", None, None),
    ])  # fmt: skip
    records.episodes = pl.concat([
        records.episodes,
        pl.DataFrame(
            [("e", D(2013, 1, 1), "P", "C2", "U4", None, None)],
            schema=records.episodes.schema, orient="row",
        ),
    ])  # fmt: skip
    records.header = pl.concat([
        records.header,
        pl.DataFrame({"CHILD": ["e"], "DOB": [D(2001, 3, 30)]}),  # 16 on 31 March 2017
    ])  # fmt: skip
    assert _pair(_derive("cla_long_term_placement_stability_pct", records, MARCH_17)) == (3, 5)


def test_short_breaks_at_the_start_of_care_do_not_count_towards_2_5_years() -> None:
    """DfE leaves children looked after under an agreed series of short-term breaks (V3/V4) out
    of the looked-after figures, so time under them is not time looked after: a child on short
    breaks from 2012 who became looked after (C2) in 2015 has not been looked after for 2.5
    years at 31 March 2017; one whose C2 time began in 2014 has."""
    records = _episodes([
        ("a", D(2012, 1, 1), "S", "V3", "U4", D(2015, 1, 1), "X1"),
        ("a", D(2015, 1, 1), "L", "C2", "U4", None, None),
        ("b", D(2012, 1, 1), "S", "V3", "U4", D(2014, 6, 1), "X1"),
        ("b", D(2014, 6, 1), "L", "C2", "U4", None, None),
    ])  # fmt: skip
    assert _pair(_derive("cla_long_term_placement_stability_pct", records, MARCH_17)) == (1, 1)


# --- adoption A1 and A2 -------------------------------------------------------------------------


def test_a1_counts_to_the_family_that_adopted() -> None:
    """A1: "Average time (in days) between a child entering care and moving in with its adoptive
    family". Entered care 1 January 2014; placed with prospective adopters (A5) on 2 June 2015,
    moved straight to another family (A5, RNE P) on 2 January 2016, adopted by them: 731 days
    (1 January 2014 to 2 January 2016), not 517 (to 2 June 2015). Version 1 counted 517."""
    records = _episodes([
        ("a", D(2014, 1, 1), "S", "C2", "U4", D(2015, 6, 2), "X1"),
        ("a", D(2015, 6, 2), "P", "E1", "A5", D(2016, 1, 2), "X1"),
        ("a", D(2016, 1, 2), "P", "E1", "A5", D(2016, 9, 1), "E11"),
    ])  # fmt: skip
    assert _pair(_derive("adoption_a1_days", records)) == (731, 1)
    assert _pair(_derive("adoption_a1_days", records, version=1)) == (517, 1)


def test_a1_an_ended_episode_starts_nothing_and_overlaps_are_flagged() -> None:
    """Entering care is the start of the period of care that ended in the adoption: b's short
    period of care in 2013 ended (E13) before a new one began in 2014, so b counts from 2014
    (1 March 2014 to 1 March 2015: 365 days). c's records hold an episode overlapping its chain:
    flagged, not measured."""
    records = _episodes([
        ("b", D(2013, 1, 1), "S", "C2", "U4", D(2013, 3, 1), "E13"),
        ("b", D(2014, 3, 1), "S", "C2", "U4", D(2015, 3, 1), "X1"),
        ("b", D(2015, 3, 1), "P", "E1", "A5", D(2016, 9, 1), "E11"),
        ("c", D(2014, 3, 1), "S", "C2", "U4", D(2015, 3, 1), "X1"),
        ("c", D(2015, 3, 1), "P", "E1", "A5", D(2016, 9, 1), "E11"),
        ("c", D(2014, 6, 1), "P", "C2", "U5", D(2014, 9, 1), "E13"),
    ])  # fmt: skip
    result = _derive("adoption_a1_days", records)
    assert _pair(result) == (365, 1)
    reasons = result.exclusions.filter(pl.col("child") == "c")["reason"].to_list()
    assert any(r.startswith("overlapping_episode:") for r in reasons)


def test_a2_court_authority_includes_a_freeing_order() -> None:
    """LG Inform 912 (A2): "receiving court authority to place a child, i.e. granting a placement
    order or a freeing order". Freed for adoption (D1) on 1 March 2015, matched 1 July 2015 (122
    days): counted from the freeing order; version 1 (placement orders only) left it out."""
    records = _episodes([
        ("a", D(2014, 1, 1), "S", "C2", "U4", D(2015, 3, 1), "X1"),
        ("a", D(2015, 3, 1), "L", "D1", "U4", D(2015, 8, 1), "X1"),
        ("a", D(2015, 8, 1), "P", "D1", "A5", D(2016, 9, 1), "E11"),
    ])  # fmt: skip
    records.ad1 = pl.DataFrame({"CHILD": ["a"], "DATE_MATCH": [D(2015, 7, 1)]})
    assert _pair(_derive("adoption_a2_days", records)) == (122, 1)
    assert _pair(_derive("adoption_a2_days", records, version=1)) == (0, 0)


# --- children in need at 31 March ---------------------------------------------------------------


def test_children_in_need_at_31_march() -> None:
    """DfE: children in need at 31 March are those "whose cases are still open at 31 March";
    "a child can have more than one episode of need ... but episodes should not overlap".

    a: open; b: closed on 31 March (the census year ends that day: closed within it); c: no
    further action (not an episode of need); d: two open episodes (counted once, overlap
    reported); e: referred on 31 March (open). Answer: a, d, e.
    """
    details = pl.DataFrame({
        "LAchildID": ["a", "b", "c", "d", "d", "e"],
        "CINdetailsID": [1, 1, 1, 1, 2, 1],
        "CINreferralDate": [D(2016, 5, 1), D(2016, 5, 1), D(2017, 3, 1), D(2016, 1, 1),
                            D(2016, 9, 1), D(2017, 3, 31)],
        "CINclosureDate": [None, D(2017, 3, 31), D(2017, 3, 1), None, None, None],
        "ReferralNFA": [False, False, True, False, False, False],
    })  # fmt: skip
    records = SimpleNamespace(cin_details=details, exclusions=exclusions_frame())
    result = _derive("cin_rate_per_10k", records, MARCH_17)
    assert result.values["numerator"][0] == 3
    codes = sorted(r.split(":")[0] for r in result.exclusions["reason"])
    assert codes == ["not_counted", "outside_period", "overlapping_episode"]


# --- ICPC timeliness against LAIT ---------------------------------------------------------------


def test_icpc_timeliness_v2_reproduces_lait_218() -> None:
    """LAIT 218 divides ICPCs within 15 working days (C4's 0-10 and 11-15 day bands) by all ICPCs.
    With every band published, version 2's denominator reproduces 1,324 of 1,331 LA rows to the
    decimal; version 1's (the four bands) 1,254."""
    rows = pl.read_csv(PUBLISHED / "icpc_c4_bands_and_lait_218.csv", infer_schema_length=0)
    number = {c: pl.col(c).cast(pl.Float64) for c in rows.columns if c.startswith("Duration")}
    counts = rows.select(
        (number["Duration_0-10_days"] + number["Duration_11-15_days"]).alias("within"),
        pl.col("ICPC").cast(pl.Float64).alias("all"),
        pl.sum_horizontal(number.values()).alias("measurable"),
        pl.col("lait_CP_conf_15days").cast(pl.Float64).alias("lait"),
    )
    assert counts.height == 1331
    catalogue = cyp.load_catalogue()
    agree = {}
    for version, denominator in ((2, "all"), (1, "measurable")):
        definition = catalogue.get("icpc_within_15_working_days_pct", version=version)
        values = cyp.compute(
            definition, counts, numerator="within", denominator=denominator, confidence=False
        )["value"]
        shown = values.round(definition.presentation.decimal_places, mode="half_away_from_zero")
        agree[version] = int(((shown - counts["lait"]).abs() < 1e-9).sum())
    assert agree == {2: 1324, 1: 1254}


# --- boundaries the mutation check found unpinned -----------------------------------------------


def _plans(rows: list[tuple[str, dt.date, dt.date | None, int]]) -> SimpleNamespace:
    plans = pl.DataFrame(
        rows,
        schema=["LAchildID", "CPPstartDate", "CPPendDate", "NumberOfPreviousCPP"],
        orient="row",
    ).with_columns(
        pl.lit(1).alias("CINdetailsID"), pl.col("CPPstartDate", "CPPendDate").cast(pl.Date)
    )
    return SimpleNamespace(cp_plans=plans, exclusions=exclusions_frame())


def test_a_plan_open_exactly_18_months_is_not_longer_than_18_months() -> None:
    """ "Open longer than 18 months": a plan begun 31 July 2015 has lasted exactly 18 months on
    31 January 2017, not longer; one begun a day earlier has."""
    records = _plans([
        ("a", D(2015, 7, 31), None, 0),  # exactly 18 months
        ("b", D(2015, 7, 30), None, 0),  # 18 months and a day
    ])  # fmt: skip
    snapshot = cyp.Period.snapshot(D(2017, 1, 31))
    row = _derive("cpp_open_longer_than_18_months", records, snapshot).values.row(0, named=True)
    assert row["numerator"] == 1


def test_one_previous_plan_makes_a_second_plan() -> None:
    """ "Second or subsequent": a plan whose child had one plan before (NumberOfPreviousCPP = 1)
    is a second plan, as much as one with two before."""
    records = _plans([
        ("a", D(2016, 9, 1), None, 1),
        ("b", D(2016, 9, 1), None, 2),
        ("c", D(2016, 9, 1), None, 0),
    ])  # fmt: skip
    assert _pair(_derive("cpp_second_or_subsequent_pct", records)) == (2, 3)


@pytest.mark.parametrize(
    ("closure", "counted"),
    [(D(2017, 3, 31), 0), (D(2017, 4, 1), 1), (None, 1)],
)
def test_the_31_march_snapshot_edge(closure: dt.date | None, counted: int) -> None:
    """Open at 31 March: a closure on 31 March closes the episode within the year."""
    details = pl.DataFrame({
        "LAchildID": ["a"], "CINdetailsID": [1], "CINreferralDate": [D(2016, 5, 1)],
        "CINclosureDate": [closure],
    }, schema_overrides={"CINclosureDate": pl.Date})  # fmt: skip
    records = SimpleNamespace(cin_details=details, exclusions=exclusions_frame())
    assert _derive("cin_rate_per_10k", records, MARCH_17).values["numerator"][0] == counted
