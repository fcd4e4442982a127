"""Record-level rules that the mutation check (tools/mutation_check.py) found unpinned.

Hand-built fixtures whose answers follow from the definition text quoted in each test.
"""

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

D = dt.date
FY17 = Period.financial_year(2017)  # 1 April 2016 to 31 March 2017


def _plans(rows: list[tuple[str, dt.date, dt.date | None]]) -> SimpleNamespace:
    frame = pl.DataFrame(
        rows, schema=["LAchildID", "CPPstartDate", "CPPendDate"], orient="row"
    ).with_columns(
        pl.lit(1).alias("CINdetailsID"),
        pl.lit(0).alias("NumberOfPreviousCPP"),
        pl.col("CPPstartDate", "CPPendDate").cast(pl.Date),
    )
    return SimpleNamespace(exclusions=exclusions_frame(), cp_plans=frame)


def test_plans_open_at_31_march() -> None:
    """cpp_rate_per_10k: "children with a plan that began on or before 31 March and had not
    ended by it, each child once". A plan starting on 31 March 2017 counts; one ending that day
    had ended by it; one ending on 1 April had not; one starting on 1 April had not begun."""
    records = _plans([
        ("a", D(2017, 3, 31), None),  # began on the day
        ("b", D(2016, 1, 1), D(2017, 3, 31)),  # ended on the day
        ("c", D(2016, 1, 1), D(2017, 4, 1)),  # ended the day after
        ("d", D(2017, 4, 1), None),  # began the day after
    ])  # fmt: skip
    result = derive(
        cyp.load_catalogue().get("cpp_rate_per_10k"), records, period=FY17, population=10_000
    )
    row = result.values.row(0, named=True)
    assert row["numerator"] == 2  # a and c
    assert row["value"] == pytest.approx(2.0)


def test_children_in_need_at_31_march_leave_out_deaths_and_no_further_action() -> None:
    """cin_rate_per_10k: children "whose cases are still open at 31 March" (DfE). All four
    episodes below are open (no closure date), but f's referral led to no further action (not an
    episode of need) and g died on 31 March 2017 (not in need at the end of that day, as a child
    leaving care that day is not looked after); h died on 1 April. Answer: a and h."""
    details = pl.DataFrame(
        {
            "LAchildID": ["a", "f", "g", "h"],
            "CINdetailsID": [1, 1, 1, 1],
            "CINreferralDate": [D(2016, 5, 1)] * 4,
            "CINclosureDate": [None] * 4,
            "ReferralNFA": [False, True, False, False],
        },
        schema_overrides={"CINclosureDate": pl.Date},
    )
    children = pl.DataFrame(
        {"LAchildID": ["g", "h"], "PersonDeathDate": [D(2017, 3, 31), D(2017, 4, 1)]}
    )
    records = SimpleNamespace(cin_details=details, children=children, exclusions=exclusions_frame())
    result = derive(
        cyp.load_catalogue().get("cin_rate_per_10k"),
        records,
        period=Period.snapshot(D(2017, 3, 31)),
    )
    assert result.values["numerator"][0] == 2
    reasons = sorted(r.split(":")[0] for r in result.exclusions["reason"])
    assert reasons == ["not_counted", "not_counted"]


def test_an_assessment_authorised_on_working_day_45_is_on_time() -> None:
    """Within 45 working days: started Monday 6 June 2016, authorised Monday 8 August 2016, nine
    whole weeks later with no bank holiday between (30 May and 29 August are the nearest): 45
    working days, on time; Tuesday 9 August is day 46, late."""
    assessments = pl.DataFrame(
        {
            "LAchildID": ["a", "b"],
            "CINdetailsID": [1, 1],
            "AssessmentActualStartDate": [D(2016, 6, 6), D(2016, 6, 6)],
            "AssessmentAuthorisationDate": [D(2016, 8, 8), D(2016, 8, 9)],
        }
    )
    records = SimpleNamespace(assessments=assessments, exclusions=exclusions_frame())
    result = derive(
        cyp.load_catalogue().get("assessment_within_45_working_days_pct"), records, period=FY17
    )
    row = result.values.row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_a_conference_on_the_day_its_enquiry_started_is_on_time() -> None:
    """DfE's table C4 bands the interval from the start of the section 47 enquiry to the ICPC
    from "0-10 days": a conference held the day the enquiry started took 0 working days, within
    15."""
    s47 = pl.DataFrame(
        {
            "LAchildID": ["a"],
            "CINdetailsID": [1],
            "S47ActualStartDate": [D(2016, 6, 1)],
            "DateOfInitialCPC": [D(2016, 6, 1)],
        }
    )
    records = SimpleNamespace(section47=s47, exclusions=exclusions_frame())
    result = derive(
        cyp.load_catalogue().get("icpc_within_15_working_days_pct"), records, period=FY17
    )
    row = result.values.row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (1, 1)


def _episodes(
    rows: list[tuple[str, dt.date, str, str, str, dt.date | None, str | None]],
) -> SimpleNamespace:
    """SSDA903 episodes, every child born 1 June 2008 (under 16 throughout)."""
    frame = pl.DataFrame(
        rows, schema=["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"], orient="row"
    ).with_columns(pl.col("DECOM", "DEC").cast(pl.Date))
    children = sorted({r[0] for r in rows})
    header = pl.DataFrame({"CHILD": children, "DOB": [D(2008, 6, 1)] * len(children)})
    return SimpleNamespace(episodes=frame, header=header, exclusions=exclusions_frame())


def _stability(records: SimpleNamespace, period: Period) -> tuple[object, object]:
    definition = cyp.load_catalogue().get("cla_long_term_placement_stability_pct")
    row = derive(definition, records, period=period).values.row(0, named=True)
    return row["numerator"], row["denominator"]


def test_exactly_two_years_in_the_placement_is_stable() -> None:
    """NI 63: "living in the same placement for at least 2 years". At 31 March 2017, a
    placement that began on 31 March 2015 has lasted exactly 2 years (stable); one that began on
    1 April 2015 has not. Both children have been looked after since 2013."""
    records = _episodes([
        ("a", D(2013, 1, 1), "S", "C2", "U4", D(2015, 3, 31), "X1"),
        ("a", D(2015, 3, 31), "P", "C2", "U5", None, None),
        ("b", D(2013, 1, 1), "S", "C2", "U4", D(2015, 4, 1), "X1"),
        ("b", D(2015, 4, 1), "P", "C2", "U5", None, None),
    ])  # fmt: skip
    assert _stability(records, FY17) == (1, 2)


def test_exactly_two_and_a_half_years_in_care_is_long_enough() -> None:
    """NI 63: "looked after continuously for at least 2.5 years". On 30 September 2017 a child
    looked after since 30 March 2015 has been so for exactly 2.5 years (in the cohort, and
    stable); one looked after since 1 April 2015 has not (30 months on is 1 October 2017)."""
    records = _episodes([
        ("c", D(2015, 3, 30), "S", "C2", "U4", None, None),
        ("d", D(2015, 4, 1), "S", "C2", "U4", None, None),
    ])  # fmt: skip
    assert _stability(records, Period.snapshot(D(2017, 9, 30))) == (1, 1)


def test_a_later_return_without_a_date_of_birth_does_not_erase_it(tmp_path: Path) -> None:
    """A child's header row is the latest return's that has a date of birth: a later return is
    the corrected record (DfE: "Local authorities update the database every year, including
    making amendments to previous years' records"), but a blank is no amendment, and without the
    date the child would leave every indicator that needs an age."""
    header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
    (tmp_path / "2019-header.csv").write_text(f"{header}\n7,1,01/01/2010,WBRI,,,\n")
    (tmp_path / "2020-header.csv").write_text(f"{header}\n7,1,,WIRI,,,\n")
    records = cyp.read_ssda903(tmp_path)
    assert records.header["DOB"].to_list() == [D(2010, 1, 1)]
    assert records.header["ETHNIC"].to_list() == ["WBRI"]
    reasons = records.exclusions["reason"].to_list()
    assert len(reasons) == 1
    assert reasons[0].startswith("duplicate:")


def test_long_term_stability_cohort_is_those_looked_after_at_31_march() -> None:
    """NI 63: "children under 16 at 31 March who had been looked after continuously for at least
    2.5 years" — looked after at 31 March, as DfE counts it: an episode began on or before the
    day and had not ended by it (a child leaving care on 31 March is not looked after then). e
    left care on 31 March 2017 after four years: not in the cohort. f moved placement on that
    day (one episode ends, the next begins on 31 March): looked after, in the cohort, and not
    stable (a new placement that day)."""
    records = _episodes([
        ("e", D(2013, 1, 1), "S", "C2", "U4", D(2017, 3, 31), "E4A"),
        ("f", D(2013, 1, 1), "S", "C2", "U4", D(2017, 3, 31), "X1"),
        ("f", D(2017, 3, 31), "P", "C2", "U5", None, None),
    ])  # fmt: skip
    assert _stability(records, FY17) == (0, 1)


def test_an_assessment_starting_on_the_referral_day_is_a_conversion() -> None:
    """Referral to assessment: "referrals in the year that went on to an assessment". An
    assessment that starts the day the referral was made followed from it; one recorded as
    starting the day before the referral did not (it belongs to no referral of this episode)."""
    details = pl.DataFrame(
        {
            "LAchildID": ["a", "b"],
            "CINdetailsID": [1, 1],
            "CINreferralDate": [D(2016, 6, 1), D(2016, 6, 1)],
        }
    )
    assessments = pl.DataFrame(
        {
            "LAchildID": ["a", "b"],
            "CINdetailsID": [1, 1],
            "AssessmentActualStartDate": [D(2016, 6, 1), D(2016, 5, 31)],
        }
    )
    records = SimpleNamespace(
        cin_details=details, assessments=assessments, exclusions=exclusions_frame()
    )
    definition = cyp.load_catalogue().get("referral_to_assessment_conversion")
    row = derive(definition, records, period=FY17).values.row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_referrals_with_no_further_action_on_the_year_s_first_and_last_days() -> None:
    """Referrals with no further action: "referrals in the year ... that resulted in no further
    action", the year being 1 April to 31 March, both days in it. Referrals on 1 April 2016 and
    on 31 March 2017 are in 2016-17 (the first with no further action); one on 31 March 2016 and
    one on 1 April 2017 are not."""
    details = pl.DataFrame(
        {
            "LAchildID": ["a", "b", "c", "d"],
            "CINdetailsID": [1, 1, 1, 1],
            "CINreferralDate": [D(2016, 4, 1), D(2017, 3, 31), D(2016, 3, 31), D(2017, 4, 1)],
            "ReferralNFA": [True, False, True, True],
        }
    )
    records = SimpleNamespace(cin_details=details, exclusions=exclusions_frame())
    definition = cyp.load_catalogue().get("referrals_no_further_action_pct")
    row = derive(definition, records, period=FY17).values.row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (1, 2)
