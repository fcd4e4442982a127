"""Record-level derivations on hand-built fixtures whose answers follow from DfE's definition text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.records.accounting import exclusions_frame
from cyp_indicators.records.derive import derive
from cyp_indicators.records.periods import Period
from cyp_indicators.records.registry import DERIVATIONS

D = dt.date
FY17 = Period.financial_year(2017)  # 1 April 2016 to 31 March 2017
_FY17_ROW = pl.DataFrame(
    {
        "period_label": ["FY 2016-17"],
        "period_start": [D(2016, 4, 1)],
        "period_end": [D(2017, 3, 31)],
    }
)


def _episodes(
    rows: list[tuple[str, dt.date, str, str, str, dt.date | None, str | None]],
) -> SimpleNamespace:
    frame = pl.DataFrame(
        rows, schema=["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"], orient="row"
    ).with_columns(pl.col("DECOM", "DEC").cast(pl.Date))
    header = pl.DataFrame(
        {"CHILD": sorted({r[0] for r in rows}), "DOB": [D(2008, 6, 1)] * len({r[0] for r in rows})}
    )
    return SimpleNamespace(episodes=frame, header=header, exclusions=exclusions_frame())


def _one(ident: str, records: SimpleNamespace, **kwargs: object) -> dict[str, object]:
    result = derive(cyp.load_catalogue().get(ident), records, period=FY17, **kwargs)  # type: ignore[arg-type]
    _balances(result)
    return result.values.row(0, named=True)


def _balances(result: object) -> None:
    """Row accounting: every input row is counted or excluded, per table."""
    acc = result.accounting  # type: ignore[attr-defined]
    assert (
        acc["counted"] + acc["not_counted"] + acc["excluded_on_reading"] == acc["rows_in"]
    ).all()


def test_looked_after_at_31_march_edges() -> None:
    """Counted: started on 31 March; not counted: left on 31 March, short breaks, started 1 April."""
    records = _episodes([
        ("a", D(2017, 3, 31), "S", "C2", "U1", None, None),         # starts on the day: looked after
        ("b", D(2016, 1, 1), "S", "C2", "U1", D(2017, 3, 31), "E11"),  # leaves on the day: not
        ("c", D(2016, 1, 1), "S", "V3", "U1", None, None),          # short breaks: not
        ("d", D(2017, 4, 1), "S", "C2", "U1", None, None),          # starts after: not
        ("e", D(2015, 1, 1), "S", "C2", "U1", D(2016, 5, 1), "X1"),  # X1 then a new episode
        ("e", D(2016, 5, 1), "P", "C2", "U2", None, None),
    ])  # fmt: skip
    row = _one("cla_rate_per_10k", records, population=10_000)
    assert row["numerator"] == 2  # a and e
    assert row["value"] == pytest.approx(2.0)


def test_x1_is_a_change_not_a_cessation() -> None:
    """An episode ending X1 is a change of placement; only the real end of care counts as ceased."""
    records = _episodes([
        ("e", D(2015, 1, 1), "S", "C2", "U1", D(2016, 5, 1), "X1"),
        ("e", D(2016, 5, 1), "P", "C2", "U2", D(2016, 9, 1), "E13"),
        ("f", D(2016, 4, 1), "S", "C2", "U1", D(2016, 4, 2), "X1"),
        ("f", D(2016, 4, 2), "L", "C1", "U1", None, None),
    ])  # fmt: skip
    assert _one("cla_ceased_rate_per_10k", records)["numerator"] == 1  # e, once
    assert (
        _one("cla_starts_rate_per_10k", records)["numerator"] == 1
    )  # f started (RNE S) in the year


def test_three_or_more_placements_and_adoption_by_existing_carers() -> None:
    """The 1 April placement counts; T into A3 (adoption by the foster carers) is not a move."""
    records = _episodes([
        # g: placement held on 1 April, then two moves: three placements
        ("g", D(2015, 6, 1), "S", "C2", "U1", D(2016, 6, 1), "X1"),
        ("g", D(2016, 6, 1), "P", "C2", "U2", D(2016, 11, 1), "X1"),
        ("g", D(2016, 11, 1), "P", "C2", "U3", None, None),
        # h: two placements and a placement for adoption with the same carers: two
        ("h", D(2015, 6, 1), "S", "C2", "U1", D(2016, 6, 1), "X1"),
        ("h", D(2016, 6, 1), "P", "C2", "U4", D(2017, 1, 1), "X1"),
        ("h", D(2017, 1, 1), "T", "E1", "A3", None, None),
        # i: three placements but left care before 31 March: not in the denominator
        ("i", D(2016, 4, 5), "S", "C2", "U1", D(2016, 5, 1), "X1"),
        ("i", D(2016, 5, 1), "P", "C2", "U2", D(2016, 6, 1), "X1"),
        ("i", D(2016, 6, 1), "P", "C2", "U3", D(2016, 7, 1), "E13"),
    ])  # fmt: skip
    row = _one("cla_three_or_more_placements_pct", records)
    assert (row["numerator"], row["denominator"]) == (1, 2)


def _cin(**tables: pl.DataFrame) -> SimpleNamespace:
    return SimpleNamespace(exclusions=exclusions_frame(), **tables)


def _plans(rows: list[tuple[str, dt.date, dt.date | None, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["LAchildID", "CPPstartDate", "CPPendDate", "NumberOfPreviousCPP"],
        orient="row",
    ).with_columns(
        pl.lit(1).alias("CINdetailsID"), pl.col("CPPstartDate", "CPPendDate").cast(pl.Date)
    )


@pytest.mark.parametrize(
    ("dob", "in_cohort"),
    [
        pytest.param(D(2001, 3, 31), False, id="16 on 31 March"),
        pytest.param(D(2001, 4, 1), True, id="15 on 31 March"),
        pytest.param(D(2001, 12, 25), True, id="born at Christmas"),
        pytest.param(D(2000, 12, 25), False, id="16 since Christmas"),
    ],
)
def test_long_term_stability_takes_children_under_16_at_31_march(
    dob: dt.date, in_cohort: bool
) -> None:
    """The under-16 test is a child's age on 31 March (birthday arithmetic, every month)."""
    records = _episodes([("a", D(2012, 1, 1), "S", "C2", "U4", None, None)])
    records.header = pl.DataFrame({"CHILD": ["a"], "DOB": [dob]})
    row = _one("cla_long_term_placement_stability_pct", records)
    assert (row["numerator"], row["denominator"]) == ((1, 1) if in_cohort else (0, 0))


def test_long_term_stability_counts_a_child_whose_loaded_episode_shows_2_5_years() -> None:
    """NI 63: "looked after continuously for at least 2.5 years". An episode begun in May 2013
    and open at 31 March 2017 shows nearly four years in care, whether or not the return
    holding the period's first episode (RNE S) is loaded: the care began no later."""
    records = _episodes([("a", D(2013, 5, 1), "P", "C2", "U4", None, None)])
    row = _one("cla_long_term_placement_stability_pct", records)
    assert (row["numerator"], row["denominator"]) == (1, 1)


def test_long_term_stability_reports_what_is_missing() -> None:
    """An episode from June 2015 (22 months) that is not the start of care, with nothing earlier
    loaded, cannot show 2.5 years: the child is reported with what is missing, not counted."""
    records = _episodes([
        ("a", D(2015, 6, 1), "P", "C2", "U4", None, None),  # start of care not loaded
        ("b", D(2015, 6, 1), "S", "C2", "U4", None, None),  # began then: known, not 2.5 years
        ("c", D(2015, 6, 1), "P", "C2", "T1", None, None),  # a temporary placement, usual not loaded
    ])  # fmt: skip
    result = derive(
        cyp.load_catalogue().get("cla_long_term_placement_stability_pct"), records, period=FY17
    )
    assert result.values["denominator"][0] == 0
    reasons = dict(result.exclusions.select("child", "reason").iter_rows())
    assert (
        "earliest loaded episode of the child's stay in care began on 2015-06-01 (RNE P"
        in (reasons["a"])
    )
    assert "load the earlier returns" in reasons["a"]
    assert reasons["b"].startswith("not_counted: not the episode placing an eligible child")
    assert "a temporary placement whose usual placement is not loaded" in reasons["c"]


def test_729_versus_730_days() -> None:
    """A plan of 730 days counting both ends lasted two years; one of 729 did not (LAIT 98)."""
    plans = _plans([
        ("a", D(2014, 8, 2), D(2016, 7, 31), 0),  # 730 days including the day of cessation
        ("b", D(2014, 8, 3), D(2016, 7, 31), 0),  # 729 days
    ])  # fmt: skip
    row = _one("cpp_ceased_lasting_2_years_or_more_pct", _cin(cp_plans=plans))
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_second_or_subsequent_plans_regardless_of_how_long_ago() -> None:
    """A plan for a child with any earlier plan is a repeat; the earlier may be long before."""
    plans = _plans([
        ("a", D(2005, 1, 1), D(2005, 6, 1), 0),
        ("a", D(2016, 9, 1), None, 0),  # earlier plan in the records
        ("b", D(2016, 10, 1), None, 2),  # earlier plans declared
        ("c", D(2016, 11, 1), None, 0),
    ])  # fmt: skip
    row = _one("cpp_second_or_subsequent_pct", _cin(cp_plans=plans))
    assert (row["numerator"], row["denominator"]) == (2, 3)


def test_bank_holidays_inside_a_15_working_day_window() -> None:
    """An s47 begun on Thursday 6 April 2017: Good Friday and Easter Monday push day 15 to 2 May."""
    s47 = pl.DataFrame(
        {
            "LAchildID": ["a", "b"],
            "CINdetailsID": [1, 1],
            "S47ActualStartDate": [D(2017, 4, 6), D(2017, 4, 6)],
            "DateOfInitialCPC": [D(2017, 5, 2), D(2017, 5, 3)],
        }
    )
    result = derive(
        cyp.load_catalogue().get("icpc_within_15_working_days_pct"),
        _cin(section47=s47),
        period=Period.financial_year(2018),
    )
    row = result.values.row(0, named=True)
    # 7 April (1), 10-13 April (2-5), 18-21 April (6-9), 24-28 April (10-14), 2 May (15): 1 May is a bank holiday
    assert (row["numerator"], row["denominator"]) == (1, 2)
    _balances(result)


def test_referral_conversion_and_re_referrals() -> None:
    """Re-referral: within 12 months of the previous referral; conversion: an assessment in the episode."""
    details = pl.DataFrame(
        {
            "LAchildID": ["a", "a", "b", "b", "c"],
            "CINdetailsID": [1, 2, 1, 2, 1],
            "CINreferralDate": [
                D(2015, 6, 1),
                D(2016, 6, 1),
                D(2015, 5, 31),
                D(2016, 6, 1),
                D(2016, 12, 1),
            ],
        }
    )
    assessments = pl.DataFrame(
        {
            "LAchildID": ["a", "c"],
            "CINdetailsID": [2, 1],
            "AssessmentActualStartDate": [D(2016, 6, 5), D(2016, 12, 20)],
        }
    )
    records = _cin(cin_details=details, assessments=assessments)
    re_ref = _one("re_referral_within_12_months_pct", records)
    assert (re_ref["numerator"], re_ref["denominator"]) == (
        1,
        3,
    )  # a: exactly 12 months; b: 12 months and a day
    conv = _one("referral_to_assessment_conversion", records)
    assert (conv["numerator"], conv["denominator"]) == (2, 3)


def test_monthly_series_in_one_pass() -> None:
    """A year-to-date series gives each month's cumulative count."""
    details = pl.DataFrame(
        {
            "LAchildID": ["a", "b", "c"],
            "CINdetailsID": [1, 1, 1],
            "CINreferralDate": [D(2016, 4, 3), D(2016, 5, 9), D(2016, 5, 20)],
        }
    )
    series = Period.monthly(D(2016, 4, 30), D(2016, 6, 30), kind="year_to_date")
    result = derive(
        cyp.load_catalogue().get("referral_rate_per_10k"),
        _cin(cin_details=details),
        period=series,
        population=5_000,
    )
    assert result.values["numerator"].to_list() == [1.0, 3.0, 3.0]
    assert result.values["value"].to_list() == pytest.approx([2.0, 6.0, 6.0])


def test_counts_only_without_population() -> None:
    """Without a population a rate has its count and a reasoned null value."""
    details = pl.DataFrame(
        {"LAchildID": ["a"], "CINdetailsID": [1], "CINreferralDate": [D(2016, 4, 3)]}
    )
    row = _one("referral_rate_per_10k", _cin(cin_details=details))
    assert row["numerator"] == 1
    assert row["value"] is None
    assert row["reason"] == "x: denominator is missing"


def test_definitions_without_a_derivation_are_refused() -> None:
    """An aggregated-only definition says to use compute()."""
    with pytest.raises(cyp.DataError, match="compute"):
        derive(cyp.load_catalogue().get("contact_to_referral_conversion"), _cin(), period=FY17)


def test_every_registered_derivation_is_used_and_in_the_generated_list() -> None:
    """The registry, the generated list definitions are checked against (validation/
    derivations.json) and the bundled definitions agree."""
    import json

    from cyp_indicators.resources import bundled_schema

    listed = json.loads(bundled_schema("derivations.json").read_text())
    assert set(listed) == set(DERIVATIONS)
    used = {d.derivation.name for d in cyp.load_catalogue() if d.derivation is not None}
    assert used == set(DERIVATIONS)


def test_codes_outside_dfe_lists_are_excluded_with_the_reason() -> None:
    """An RNE or REC that DfE does not define is excluded, named, and still accounted for."""
    records = _episodes([
        ("a", D(2016, 5, 1), "S", "C2", "U1", None, None),
        ("b", D(2016, 5, 1), "Q", "C2", "U1", None, None),      # no such RNE
        ("c", D(2016, 5, 1), "S", "C2", "U1", D(2016, 9, 1), "E99X"),  # no such REC
    ])  # fmt: skip
    result = derive(cyp.load_catalogue().get("cla_rate_per_10k"), records, period=FY17)
    assert result.values["numerator"][0] == 1
    reasons = set(result.exclusions["reason"])
    assert "unknown_code: RNE 'Q' is not a DfE code" in reasons
    assert "unknown_code: REC 'E99X' is not a DfE code" in reasons
    _balances(result)
    assert result.accounting["rows_in"][0] == 3


def test_overlapping_episodes_count_the_child_once() -> None:
    """Two open episodes for one child at 31 March: the child counts once, the overlap is named."""
    records = _episodes([
        ("a", D(2016, 5, 1), "S", "C2", "U1", None, None),
        ("a", D(2016, 8, 1), "P", "C2", "U2", None, None),
    ])  # fmt: skip
    result = derive(cyp.load_catalogue().get("cla_rate_per_10k"), records, period=FY17)
    assert result.values["numerator"][0] == 1
    assert "overlapping_episode: the child is already counted at this date" in set(
        result.exclusions["reason"]
    )
    _balances(result)


def test_the_record_level_example_runs_as_written() -> None:
    """The issue's calls: a folder of SSDA903 files, a CIN XML, a snapshot, year to date, a series."""
    from pathlib import Path

    samples = Path(__file__).parent / "reference" / "records"
    cat = cyp.load_catalogue()
    recs = cyp.read_ssda903(samples / "demand_model")
    cin = cyp.read_cin_census(samples / "cin" / "fake_CIN_data.xml")
    pop = (
        cyp.population_estimates()
        .filter(pl.col("old_la_code") == "874")
        .select("mid_year", "population")
    )
    res = cyp.derive(
        cat.get("cla_rate_per_10k"),
        recs,
        period=cyp.Period.snapshot(dt.date(2019, 3, 31)),
        population=pop,
    )
    assert res.values["denominator"][0] == 52_242  # the mid-2018 estimate for collection year 2019
    assert res.values["value"][0] == pytest.approx(
        res.values["numerator"][0] / res.values["denominator"][0] * 10_000
    )
    assert res.exclusions.height > 0
    ytd = cyp.derive(
        cat.get("referral_rate_per_10k"), cin, period=cyp.Period.year_to_date(dt.date(2017, 3, 31))
    )
    assert ytd.values["period_label"][0] == "YTD to 2017-03-31"
    series = cyp.derive(
        cat.get("referral_rate_per_10k"), cin,
        period=cyp.Period.monthly(dt.date(2016, 4, 30), dt.date(2017, 3, 31), kind="rolling_12_months"),
    )  # fmt: skip
    assert series.values.height == 12


def _s47(rows: list[tuple[str, dt.date, dt.date | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["LAchildID", "S47ActualStartDate", "DateOfInitialCPC"], orient="row"
    ).with_columns(
        pl.lit(1).alias("CINdetailsID"),
        pl.col("S47ActualStartDate", "DateOfInitialCPC").cast(pl.Date),
    )


def test_conference_before_its_enquiry_leaves_the_interval_figures() -> None:
    """DfE leaves ICPCs recorded before the section 47 start out of the interval bands but not
    out of the total ICPCs, which LAIT 218 divides by (version 2); version 1 left it out."""
    s47 = _s47([("a", D(2016, 6, 10), D(2016, 6, 1)), ("b", D(2016, 6, 1), D(2016, 6, 8))])
    catalogue = cyp.load_catalogue()
    v1 = derive(
        catalogue.get("icpc_within_15_working_days_pct", version=1),
        _cin(section47=s47),
        period=FY17,
    )
    assert v1.values.select("numerator", "denominator").row(0) == (1, 1)
    assert "recorded before the section 47 start" in v1.exclusions["reason"][0]
    _balances(v1)
    v2 = derive(catalogue.get("icpc_within_15_working_days_pct"), _cin(section47=s47), period=FY17)
    assert v2.values.select("numerator", "denominator").row(0) == (1, 2)
    assert v2.exclusions.height == 0
    _balances(v2)


def test_one_conference_from_two_enquiries_counts_once() -> None:
    """Two section 47 records of a child holding the same ICPC date are one conference."""
    s47 = _s47([("a", D(2016, 6, 1), D(2016, 6, 20)), ("a", D(2016, 6, 3), D(2016, 6, 20))])
    records = _cin(section47=s47)
    assert _one("icpc_rate_per_10k", records)["numerator"] == 1
    timely = _one("icpc_within_15_working_days_pct", records)
    assert (timely["numerator"], timely["denominator"]) == (1, 1)


def test_s47_to_icpc_divides_two_counts_of_the_year() -> None:
    """Conferences held in the year over enquiries started in it: not a tracked cohort, so an
    enquiry of March 2017 conferenced in April counts in neither's numerator for 2016-17, and
    more conferences than enquiries gives a value over 100 % without an interval."""
    s47 = _s47([
        ("a", D(2017, 3, 20), D(2017, 4, 5)),   # enquiry in the year, conference after it
        ("b", D(2016, 3, 25), D(2016, 4, 8)),   # enquiry before the year, conference in it
    ])  # fmt: skip
    row = _one("s47_to_icpc_conversion", _cin(section47=s47))
    assert (row["numerator"], row["denominator"]) == (1, 1)
    s47 = _s47([*s47.select("LAchildID", "S47ActualStartDate", "DateOfInitialCPC").rows(),
                ("c", D(2016, 3, 30), D(2016, 4, 12))])  # fmt: skip
    row = _one("s47_to_icpc_conversion", _cin(section47=s47))
    assert (row["numerator"], row["denominator"], row["value"]) == (2, 1, 200.0)
    assert row["lower_95"] is None
    assert row["method"] is None


def test_flat_cin_tables_link_assessments_to_their_referral(tmp_path: Path) -> None:
    """CSV tables without CINdetailsID: an assessment belongs to the child's latest earlier
    referral, so timeliness and conversion are measured (they read 0 % when unlinked)."""
    folder = tmp_path
    (folder / "cin_details.csv").write_text(
        "LAchildID,CINreferralDate\na,2016-06-01\nb,2016-07-01\n", "utf-8"
    )
    (folder / "assessments.csv").write_text(
        "LAchildID,AssessmentActualStartDate,AssessmentAuthorisationDate\n"
        "a,2016-06-02,2016-06-10\nb,2016-07-02,2016-07-08\nc,2016-07-02,2016-07-08\n",
        "utf-8",
    )
    records = cyp.read_cin_tables(folder)
    catalogue = cyp.load_catalogue()
    converted = derive(catalogue.get("referral_to_assessment_conversion"), records, period=FY17)
    assert converted.values.select("numerator", "denominator").row(0) == (2, 2)
    orphan = converted.exclusions.filter(pl.col("child") == "c")["reason"][0]
    assert orphan.startswith("not_counted: converts no referral")
    assert records.assessments["CINdetailsID"].to_list() == [1, 1, None]


def test_timeliness_from_the_referral_needs_the_referral() -> None:
    """Measured from the referral (parameter from = "referral"), an assessment whose referral is
    not in the records is reported, not counted late."""
    details = pl.DataFrame(
        {"LAchildID": ["a"], "CINdetailsID": [1], "CINreferralDate": [D(2016, 6, 1)]}
    )
    assessments = pl.DataFrame(
        {
            "LAchildID": ["a", "c"],
            "CINdetailsID": [1, 1],
            "AssessmentActualStartDate": [D(2016, 6, 2), D(2016, 6, 2)],
            "AssessmentAuthorisationDate": [D(2016, 6, 10), D(2016, 6, 10)],
        }
    )
    spec = DERIVATIONS["assessments_within_working_days"]
    params = {**spec.parameters, "from": "referral"}
    counted = spec.function(_cin(cin_details=details, assessments=assessments), _FY17_ROW, params)
    assert counted.counts.select("numerator", "denominator").row(0) == (1, 1)
    orphan = counted.records.filter(pl.col("child") == "c")["reason"][0]
    assert orphan.startswith("not_counted: no referral to measure from")


def test_a_temporary_placement_and_the_return_from_it_are_not_moves() -> None:
    """Four days in hospital (T1) and back to the usual placement: one placement, not three;
    a week's holiday (T2) does not restart two years in the same placement."""
    records = _episodes([
        ("a", D(2015, 6, 1), "S", "C2", "U1", D(2016, 7, 1), "X1"),
        ("a", D(2016, 7, 1), "P", "C2", "T1", D(2016, 7, 5), "X1"),  # hospital
        ("a", D(2016, 7, 5), "P", "C2", "U1", None, None),           # back to the usual placement
    ])  # fmt: skip
    row = _one("cla_three_or_more_placements_pct", records)
    assert (row["numerator"], row["denominator"]) == (0, 1)

    records = _episodes([
        ("b", D(2012, 1, 1), "S", "C2", "U4", D(2016, 8, 1), "X1"),
        ("b", D(2016, 8, 1), "P", "C2", "T2", D(2016, 8, 8), "X1"),  # carer's holiday
        ("b", D(2016, 8, 8), "P", "C2", "U4", None, None),
    ])  # fmt: skip
    row = _one("cla_long_term_placement_stability_pct", records)
    assert (row["numerator"], row["denominator"]) == (1, 1)


def test_a1_measures_to_the_placement_with_the_family_that_adopted() -> None:
    """A placement for adoption that broke down is not "moving in with the adoptive family"; a
    change of legal status inside the adoptive placement does not restart it."""
    records = _episodes([
        ("a", D(2014, 1, 1), "S", "C2", "U1", D(2015, 3, 1), "X1"),
        ("a", D(2015, 3, 1), "P", "E1", "A4", D(2015, 6, 1), "X1"),  # first adopters: broke down
        ("a", D(2015, 6, 1), "P", "E1", "U1", D(2016, 1, 1), "X1"),
        ("a", D(2016, 1, 1), "P", "E1", "A4", D(2016, 5, 1), "X1"),  # the family that adopted
        ("a", D(2016, 5, 1), "L", "E1", "A4", D(2016, 9, 1), "E11"),
    ])  # fmt: skip
    row = _one("adoption_a1_days", records)
    assert (row["numerator"], row["denominator"]) == ((D(2016, 1, 1) - D(2014, 1, 1)).days, 1)


def test_assessment_timeliness_runs_from_the_assessment_start() -> None:
    """DfE's duration of an assessment is start to authorisation: an assessment started 20 working
    days after its referral and authorised 40 working days later is on time."""
    details = pl.DataFrame(
        {"LAchildID": ["a"], "CINdetailsID": [1], "CINreferralDate": [D(2016, 5, 2)]}
    )
    assessments = pl.DataFrame(
        {
            "LAchildID": ["a"],
            "CINdetailsID": [1],
            "AssessmentActualStartDate": [D(2016, 5, 31)],
            "AssessmentAuthorisationDate": [D(2016, 7, 26)],
        }
    )
    row = _one(
        "assessment_within_45_working_days_pct",
        _cin(cin_details=details, assessments=assessments),
    )
    assert (row["numerator"], row["denominator"]) == (1, 1)


def test_a2_counts_a_match_before_the_order_as_zero_days() -> None:
    """A child matched before the court's authority to place counts 0 days, not negative ones."""
    records = _episodes([
        ("a", D(2015, 1, 1), "S", "C2", "U1", D(2015, 6, 1), "X1"),
        ("a", D(2015, 6, 1), "L", "E1", "A4", D(2016, 9, 1), "E11"),
        ("b", D(2015, 1, 1), "S", "C2", "U1", D(2015, 6, 1), "X1"),
        ("b", D(2015, 6, 1), "L", "E1", "A4", D(2016, 9, 1), "E11"),
    ])  # fmt: skip
    records.ad1 = pl.DataFrame({"CHILD": ["a", "b"], "DATE_MATCH": [D(2015, 5, 1), D(2015, 7, 1)]})
    row = _one("adoption_a2_days", records)
    assert (row["numerator"], row["denominator"]) == (30, 2)  # 0 days for a, 30 for b


# --- the accounting worked out when first read ------------------------------------------------


def _three_children() -> cyp.records.SSDA903:
    """A (in care at 31 March 2017), B (left in January), C (a short break, V3)."""
    return cyp.records.SSDA903.from_frames(
        episodes=pl.DataFrame({
            "CHILD": ["A", "B", "C"], "DECOM": ["01/05/2016", "03/10/2016", "01/03/2017"],
            "RNE": ["S", "S", "S"], "LS": ["C2", "C2", "V3"], "CIN": ["N1", "N1", "N1"],
            "PLACE": ["U1", "U1", "U1"], "DEC": [None, "01/01/2017", None],
            "REC": [None, "E13", None],
        })
    )  # fmt: skip


def test_the_accounting_is_worked_out_once_when_first_read_and_survives_pickling() -> None:
    """DfE counts a child looked after at 31 March once; B left before it and C's V3 short
    break is not counted: 1 counted, 2 not, each with its reason. The accounting and the
    exclusions are the same frames however often they are read, and a pickled derivation
    (sent to another process) carries them worked out."""
    import pickle

    definition = cyp.load_catalogue().get("cla_rate_per_10k")
    result = derive(definition, _three_children(), period=Period.financial_year(2017))
    assert result.values["numerator"].to_list() == [1.0]
    first = result.accounting
    assert first.rows() == [("episodes", 3, 1, 2, 0)]
    assert result.accounting is first
    assert result.exclusions is result.exclusions
    assert sorted(result.exclusions["child"].to_list()) == ["B", "C"]
    assert [p.code for p in result.problems] == ["outside_period", "not_counted"]
    back = pickle.loads(pickle.dumps(result))
    assert back.accounting.equals(first)
    assert back.exclusions.equals(result.exclusions)
    assert back.values.equals(result.values)


def test_a_derivation_takes_frames_queries_or_a_deferred_function() -> None:
    """The frames given, the same as queries, or a function called on first read (once)."""
    from cyp_indicators.records import Derivation

    definition = cyp.load_catalogue().get("cla_rate_per_10k")
    values = pl.DataFrame({"value": [1.0]})
    excluded = exclusions_frame([{"table": "episodes", "source_row": 2, "reason": "duplicate"}])
    summary = pl.DataFrame({"table": ["episodes"], "rows_in": [2], "counted": [1],
                            "not_counted": [0], "excluded_on_reading": [1]})  # fmt: skip
    eager = Derivation(definition, values, excluded, summary)
    lazy = Derivation(definition, values, excluded.lazy(), summary.lazy())
    calls: list[int] = []

    def later() -> tuple[pl.DataFrame, pl.DataFrame]:
        calls.append(1)
        return excluded, summary

    deferred = Derivation(definition, values, deferred=later)
    assert calls == []
    for made in (eager, lazy, deferred):
        assert made.exclusions.equals(excluded)
        assert made.accounting.equals(summary)
    deferred.accounting  # noqa: B018
    assert calls == [1]
    with pytest.raises(TypeError, match="exclusions and accounting, or deferred"):
        Derivation(definition, values)


def test_counted_records_may_be_a_query_run_once() -> None:
    """A derivation's row accounting given as a query is a frame when read."""
    from cyp_indicators.records.registry import Counted

    rows = pl.LazyFrame({"table": ["episodes"], "source_row": [1], "child": ["A"],
                         "counted": [True], "reason": [None]})  # fmt: skip
    counted = Counted(counts=_FY17_ROW, records=rows)
    assert isinstance(counted.records, pl.DataFrame)
    assert counted.records is counted.records
    assert counted.records["child"].to_list() == ["A"]
    assert counted.lazy_records().collect().equals(counted.records)
