"""Several councils' records in one derivation (a partnership's pooled returns, issue 16).

The specification: ``SSDA903.pool`` / ``CINCensus.pool`` stack councils' records with an ``la``
column, and ``derive`` on the pool gives, for every council, exactly what deriving that council
alone gives (values, exclusions with their reasons, accounting). Child identifiers are a
council's own: the same identifier in two councils names two children, so nothing one council
holds may change another's counts. The expected values come from deriving each council alone
(the single-council derivations have their own tests against DfE's rules) and, for the hand-built
case, from the definitions' wording.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings
from polars.testing import assert_frame_equal

import cyp_indicators as cyp
from cyp_indicators.errors import DataError
from cyp_indicators.records import SSDA903, CINCensus
from cyp_indicators.records.registry import DERIVATIONS

SAMPLES = Path(__file__).parent / "reference" / "records"
DEMAND = SAMPLES / "demand_model"
CIN = SAMPLES / "cin"
D = dt.date

EPISODE_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"]


def _definitions() -> list[cyp.IndicatorDefinition]:
    return [d for d in cyp.load_catalogue() if d.derivation is not None]


def _tables(definition: cyp.IndicatorDefinition) -> set[str]:
    assert definition.derivation is not None
    return set(DERIVATIONS[definition.derivation.name].tables)


def _is_903(definition: cyp.IndicatorDefinition) -> bool:
    return _tables(definition) <= set(SSDA903.TABLES)


#: SSDA903 tables a derivation refuses records without (the reference samples of
#: :func:`_councils` do not hold them: those derivations are pooled in
#: :func:`test_each_council_with_the_other_tables_gets_what_it_gets_alone`).
OTHER_TABLES = {"oc2", "oc3", "uasc", "missing", "sw_episodes", "placed_for_adoption", "reviews"}


def _series(definition: cyp.IndicatorDefinition, first: int, last: int) -> cyp.PeriodSeries:
    return cyp.PeriodSeries(
        [cyp.Period.for_collection_year(y, definition.period_type) for y in range(first, last + 1)]
    )


# --- councils built from the reference samples (identifiers collide across councils) ----------

_COUNCILS: dict[str, dict[str, Any]] = {}


def _councils(kind: str) -> dict[str, Any]:
    """Four councils per return; two hold the same children's identifiers (one the very same
    records), so any mixing of councils would show."""
    if kind not in _COUNCILS:
        if kind == "ssda903":
            _COUNCILS[kind] = {
                "201": cyp.read_ssda903(DEMAND),
                "202": cyp.read_ssda903(SAMPLES / "validator_903"),
                "203": cyp.read_ssda903([DEMAND / "2019-header.csv", DEMAND / "2019-episodes.csv"]),
                "204": cyp.read_ssda903(DEMAND),
                "205": _adoptions(),
            }
        else:
            _COUNCILS[kind] = {
                "301": cyp.read_cin_census(CIN / "fake_CIN_data.xml"),
                "302": cyp.read_cin_census([CIN / "CIN_Census_2021.xml", CIN / "CIN_Census_2024.xml"]),
                "303": cyp.read_cin_census(CIN / "CIN2rows.xml"),
                "304": cyp.read_cin_census(CIN / "fake_CIN_data.xml"),
                "305": _cin_council(1),
                "306": _cin_council(2),
            }  # fmt: skip
    return _COUNCILS[kind]


_CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")


def _cin_council(seed: int) -> CINCensus:
    """A council of 60 children (identifiers "1" to "60" in every such council), each with up
    to three referrals from 2016 to 2020 (primary need N0-N9 by the child's number), most
    assessed (every third child's assessments recording factors 2B and 3A), some with a section 47 enquiry, a conference and a plan;
    dates drawn from ``random.Random(seed)``."""
    rng = random.Random(seed)
    details, assessments, s47, plans = [], [], [], []
    for child in range(1, 61):
        day = D(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
        for number in range(1, rng.randint(1, 3) + 1):
            closed = day + dt.timedelta(days=rng.randint(5, 500))
            ident = str(child)
            icpc = day + dt.timedelta(days=rng.randint(5, 30)) if rng.random() < 0.4 else None
            # the primary need and the plan's category follow the child (not drawn, as factors)
            need = f"N{child % 10}"
            details.append((ident, number, day, closed if rng.random() < 0.8 else None, icpc,
                            rng.random() < 0.1, need))  # fmt: skip
            if rng.random() < 0.85:
                start = day + dt.timedelta(days=rng.randint(0, 10))
                # factors at assessment for every third child (not drawn: the draws stay as they were)
                factors = ["2B", "3A"] if child % 3 == 0 else []
                assessments.append(
                    (ident, number, start, start + dt.timedelta(rng.randint(5, 80)), factors)
                )
            if icpc is not None or rng.random() < 0.2:
                s47.append((ident, number, day + dt.timedelta(days=rng.randint(0, 8)), icpc))
            if icpc is not None and rng.random() < 0.8:
                end = icpc + dt.timedelta(days=rng.randint(30, 900))
                plans.append((ident, number, icpc, end if rng.random() < 0.7 else None,
                              rng.choice([0, 0, 1]), _CATEGORIES[child % 5]))  # fmt: skip
            day = closed + dt.timedelta(days=rng.randint(1, 400))
    return CINCensus.from_frames(
        cin_details=pl.DataFrame(
            details,
            schema=["LAchildID", "CINdetailsID", "CINreferralDate", "CINclosureDate",
                    "DateOfInitialCPC", "ReferralNFA", "PrimaryNeedCode"],
            orient="row",
        ),
        assessments=pl.DataFrame(
            assessments,
            schema=["LAchildID", "CINdetailsID", "AssessmentActualStartDate",
                    "AssessmentAuthorisationDate", "AssessmentFactors"],
            orient="row",
        ),
        section47=pl.DataFrame(
            s47, schema=["LAchildID", "CINdetailsID", "S47ActualStartDate", "DateOfInitialCPC"],
            orient="row",
        ),
        cp_plans=pl.DataFrame(
            plans,
            schema=["LAchildID", "CINdetailsID", "CPPstartDate", "CPPendDate",
                    "NumberOfPreviousCPP", "InitialCategoryOfAbuse"],
            orient="row",
        ),
    )  # fmt: skip


def _adoptions() -> SSDA903:
    """Children adopted (the samples have no adoption A2 can measure): child "62551" (an
    identifier of the demand_model council too) placed under a placement order (E1) with the
    family (A3) that adopts (E11), matched before the order."""
    episodes = pl.DataFrame(
        [
            ("62551", "01/01/2014", "S", "C2", "N1", "U1", "01/01/2015", "X1"),
            ("62551", "01/01/2015", "L", "E1", "N1", "U1", "01/03/2015", "X1"),
            ("62551", "01/03/2015", "P", "E1", "N1", "A3", "01/06/2016", "E11"),
            ("9", "01/05/2015", "S", "E1", "N1", "A4", "01/02/2017", "E12"),
        ],
        schema=EPISODE_COLUMNS,
        orient="row",
    )
    ad1 = pl.DataFrame({"CHILD": ["62551", "9"], "DATE_MATCH": ["01/12/2014", "01/06/2016"]})
    header = pl.DataFrame(
        {"CHILD": ["62551", "9"], "SEX": ["1", "2"], "DOB": ["01/01/2012", "01/01/2013"],
         "ETHNIC": ["WBRI", "WBRI"]}
    )  # fmt: skip
    return SSDA903.from_frames(header=header, episodes=episodes, ad1=ad1)


def _same(pooled: cyp.Derivation, alone: cyp.Derivation, la: str) -> None:
    """The council's rows of the pooled derivation equal the derivation of the council alone:
    counts, reasons and labels exactly; the statistics computed from them to the last bits
    (polars may order the floating-point operations of a one-council and a many-council frame
    differently)."""
    values = pooled.values.filter(pl.col("la") == la).drop("la")
    exact = [c for c, t in alone.values.schema.items() if not t.is_float()]
    exact += ["numerator", "denominator"]
    assert values.select(exact).equals(alone.values.select(exact)), (la, values, alone.values)
    assert_frame_equal(values, alone.values, check_exact=False, rel_tol=1e-12, abs_tol=0.0)
    accounting = pooled.accounting.filter(pl.col("la") == la).drop("la")
    assert accounting.equals(alone.accounting), (la, accounting, alone.accounting)
    ours = pooled.exclusions.filter(pl.col("la") == la).drop("la").sort(pl.all())
    assert ours.equals(alone.exclusions.sort(pl.all())), la


@pytest.mark.parametrize(
    "ident", sorted({d.id for d in _definitions() if not _tables(d) & OTHER_TABLES})
)
def test_each_council_gets_what_it_gets_alone(ident: str) -> None:
    """Every definition with a derivation, over several years, on four pooled councils."""
    definition = cyp.load_catalogue().get(ident)
    kind = "ssda903" if _is_903(definition) else "cin"
    councils = _councils(kind)
    pooled_records = (SSDA903 if kind == "ssda903" else CINCensus).pool(councils)
    first, last = (2014, 2022) if kind == "ssda903" else (2016, 2025)
    period = _series(definition, first, last)
    population = {la: 10_000.0 + 1_000 * i for i, la in enumerate(councils)}
    rate = definition.family is cyp.Family.RATE
    pooled = cyp.derive(
        definition, pooled_records, period=period, population=population if rate else None
    )
    assert pooled.values["la"].unique(maintain_order=True).to_list() == list(councils)
    assert pooled.values.columns[:2] == ["la", "period_label"]
    for la, records in councils.items():
        alone = cyp.derive(
            definition, records, period=period, population=population[la] if rate else None
        )
        _same(pooled, alone, la)
    # not vacuous: the samples give something to count
    counted = pooled.accounting["counted"].sum()
    assert counted > 0 or ident in _RARE, ident


# Definitions the samples have nothing for (the comparison above still covers their exclusions).
_RARE: set[str] = set()


def _other_councils() -> dict[str, SSDA903]:
    """Councils whose returns hold the other SSDA903 tables: the demand model's returns for
    2018-19 and 2019-20 with their OC2, OC3, UASC, missing and reviews tables (two councils with the
    very same 2018-19 records), and the validator's return (social worker episodes, placed
    for adoption, UASC, missing) twice."""
    if "other" not in _COUNCILS:
        tables = SAMPLES / "demand_model_tables"

        def demand(year: int) -> SSDA903:
            files = [DEMAND / f"{year}-header.csv", DEMAND / f"{year}-episodes.csv"]
            files += [
                tables / f"{year}-{t}.csv" for t in ("oc2", "oc3", "uasc", "missing", "reviews")
            ]
            return cyp.read_ssda903(files)

        _COUNCILS["other"] = {
            "206": demand(2018),
            "207": demand(2019),
            "208": demand(2018),
            "209": cyp.read_ssda903(SAMPLES / "validator_903"),
            "210": cyp.read_ssda903(SAMPLES / "validator_903"),
        }
    return _COUNCILS["other"]  # type: ignore[no-any-return]


def _holds(records: SSDA903, tables: set[str]) -> bool:
    return all(getattr(records, t).height > 0 for t in tables)


@pytest.mark.parametrize(
    "ident", sorted({d.id for d in _definitions() if _tables(d) & OTHER_TABLES})
)
def test_each_council_with_the_other_tables_gets_what_it_gets_alone(ident: str) -> None:
    """The definitions whose derivations read the OC2, OC3, UASC, missing, social worker or
    placed for adoption tables, over several years, on the councils that hold those tables
    (at least two, with the same children's identifiers)."""
    definition = cyp.load_catalogue().get(ident)
    needed = _tables(definition) & OTHER_TABLES
    councils = {la: r for la, r in _other_councils().items() if _holds(r, needed)}
    assert len(councils) >= 2, (ident, needed)
    period = _series(definition, 2017, 2021)
    population = {la: 10_000.0 + 1_000 * i for i, la in enumerate(councils)}
    rate = definition.family is cyp.Family.RATE
    pooled = cyp.derive(
        definition,
        SSDA903.pool(councils),
        period=period,
        population=population if rate else None,
    )
    assert pooled.values["la"].unique(maintain_order=True).to_list() == list(councils)
    for la, records in councils.items():
        alone = cyp.derive(
            definition, records, period=period, population=population[la] if rate else None
        )
        _same(pooled, alone, la)
    # not vacuous: the samples give something to count
    assert pooled.accounting["counted"].sum() > 0 or ident in _RARE_OTHER, ident


# Definitions the samples with the other tables have nothing to count for (the comparison above
# still covers every record's reason): their OC3 rows are of care leavers aged 17 and 18 only or
# of no one of the level, and the validator's 29 placement decisions lead to no adoption.
_RARE_OTHER: set[str] = {
    "adoption_placed_within_12_months_of_decision_count",
    "adoption_placed_within_12_months_of_decision_pct",
    "care_leavers_19_to_21_count",
    "care_leavers_eet_count",
    "care_leavers_higher_education_count",
    "care_leavers_higher_education_pct",
    "care_leavers_neet_pct",
    "care_leavers_not_in_touch_pct",
    "care_leavers_status_not_known_pct",
    "care_leavers_staying_put_pct",
    "care_leavers_suitable_accommodation_count",
}


def test_the_same_identifier_in_two_councils_is_two_children() -> None:
    """Child "1" of council A starts to be looked after on 1 June 2016; child "1" of council B
    has been looked after since 2015. A's is a start ("RNE S and DECOM in the period", not
    begun while another of the child's episodes is open): B's episode is another child's."""
    a = SSDA903.from_frames(
        episodes=pl.DataFrame(
            [("1", "01/06/2016", "S", "C2", "N1", "U1", None, None)],
            schema=EPISODE_COLUMNS,
            orient="row",
        )
    )
    b = SSDA903.from_frames(
        episodes=pl.DataFrame(
            [("1", "01/01/2015", "S", "C2", "N1", "U1", None, None)],
            schema=EPISODE_COLUMNS,
            orient="row",
        )
    )
    pooled = SSDA903.pool({"A": a, "B": b})
    catalogue = cyp.load_catalogue()
    fy = cyp.Period.financial_year(2017)
    starts = cyp.derive(catalogue.get("cla_starts_rate_per_10k"), pooled, period=fy)
    assert starts.values.select("la", "numerator").rows() == [("A", 1.0), ("B", 0.0)]
    at_end = cyp.derive(
        catalogue.get("cla_rate_per_10k"), pooled, period=cyp.Period.snapshot(D(2017, 3, 31))
    )
    # each council has one child looked after at 31 March 2017 (not one child in all)
    assert at_end.values.select("la", "numerator").rows() == [("A", 1.0), ("B", 1.0)]
    reasons = starts.exclusions.select("la", "child", "reason").rows()
    assert reasons == [("B", "1", "outside_period: did not start in any period")]
    assert [p.message for p in starts.problems] == [
        "did not start in any period (child 1 of council B)"
    ]


def test_re_referrals_do_not_reach_into_another_council() -> None:
    """Council A's child "7" is referred on 1 June 2016; council B's child "7" was referred on
    1 January 2016. A's referral is not a re-referral: its previous referral would be B's."""
    a = CINCensus.from_frames(
        cin_details=pl.DataFrame({"LAchildID": ["7"], "CINreferralDate": ["2016-06-01"]})
    )
    b = CINCensus.from_frames(
        cin_details=pl.DataFrame({"LAchildID": ["7"], "CINreferralDate": ["2016-01-01"]})
    )
    result = cyp.derive(
        cyp.load_catalogue().get("re_referral_within_12_months_pct"),
        CINCensus.pool({"A": a, "B": b}),
        period=cyp.Period.financial_year(2017),
    )
    assert result.values.select("la", "numerator", "denominator").rows() == [
        ("A", 0.0, 1.0),
        ("B", 0.0, 0.0),
    ]


# --- pool() -----------------------------------------------------------------------------------


def test_pool_marks_every_row_and_keeps_the_accounting() -> None:
    councils = _councils("ssda903")
    pooled = SSDA903.pool(councils)
    assert pooled.episodes.columns[0] == "la"
    assert pooled.episodes.schema["la"] == pl.Enum(list(councils))
    assert pooled.episodes.height == sum(r.episodes.height for r in councils.values())
    assert pooled.exclusions.height == sum(r.exclusions.height for r in councils.values())
    assert pooled.files == tuple(f for r in councils.values() for f in r.files)
    accounting = pooled.accounting()
    assert (accounting["read"] == accounting["kept"] + accounting["excluded"]).all()
    for la, records in councils.items():
        mine = pooled.episodes.filter(pl.col("la") == la).drop("la")
        assert mine.equals(records.episodes)
    cin = CINCensus.pool(_councils("cin"))
    assert cin.header["la"].cast(pl.String).to_list() == [
        la for la, r in _councils("cin").items() for _ in range(r.header.height)
    ]


@pytest.mark.parametrize(
    ("returns", "message"),
    [
        ({}, "no councils"),
        ({"": None}, "non-empty string"),
        ({" 201": None}, "non-empty string"),
        ({"201": "records"}, "not SSDA903"),
    ],
)
def test_pool_refuses_what_is_not_councils_records(returns: dict[str, Any], message: str) -> None:
    if returns and next(iter(returns.values())) is None:
        returns = dict.fromkeys(returns, SSDA903())
    with pytest.raises(DataError, match=message):
        SSDA903.pool(returns)


def test_pool_refuses_a_pool_and_the_other_return() -> None:
    pooled = SSDA903.pool({"201": SSDA903()})
    with pytest.raises(DataError, match="already pooled"):
        SSDA903.pool({"202": pooled})
    with pytest.raises(DataError, match="not SSDA903"):
        SSDA903.pool({"202": CINCensus()})  # type: ignore[dict-item]


def test_a_council_without_what_the_derivation_needs_is_named() -> None:
    """Deriving a council without a header table alone is refused; pooled, so is the pool,
    naming the council (not counted as children without a date of birth)."""
    councils = {"201": _adoptions(), "202": SSDA903.from_frames(episodes=_adoptions().episodes)}
    definition = cyp.load_catalogue().get("cla_long_term_placement_stability_pct")
    period = cyp.Period.snapshot(D(2016, 3, 31))
    with pytest.raises(DataError, match="header"):
        cyp.derive(definition, councils["202"], period=period)
    with pytest.raises(DataError, match=r"council\(s\) 202 have none"):
        cyp.derive(definition, SSDA903.pool(councils), period=period)


# --- populations ------------------------------------------------------------------------------


def _two_councils() -> SSDA903:
    rows = [("1", "01/06/2015", "S", "C2", "N1", "U1", None, None)]
    one = SSDA903.from_frames(episodes=pl.DataFrame(rows, schema=EPISODE_COLUMNS, orient="row"))
    return SSDA903.pool({"A": one, "B": one})


def test_each_council_divides_by_its_own_population() -> None:
    """A rate per 10,000: 1 child / 20,000 in A = 0.5; 1 / 40,000 in B = 0.25. The frame form
    takes mid-2016 for 31 March 2017 (the definition's year offset of -1)."""
    definition = cyp.load_catalogue().get("cla_rate_per_10k")
    period = cyp.Period.snapshot(D(2017, 3, 31))
    by_map = cyp.derive(definition, _two_councils(), period=period, population={"A": 2e4, "B": 4e4})
    frame = pl.DataFrame(
        {"la": ["A", "A", "B"], "mid_year": [2016, 2017, 2016], "population": [2e4, 1.0, 4e4]}
    )
    by_frame = cyp.derive(definition, _two_councils(), period=period, population=frame)
    for result in (by_map, by_frame):
        assert result.values.select("la", "denominator", "value").rows() == [
            ("A", 20_000.0, 0.5),
            ("B", 40_000.0, 0.25),
        ]


@pytest.mark.parametrize(
    ("population", "message"),
    [
        (50_000, "each council's population"),
        ({"A": 1.0}, "no population for council"),
        (pl.DataFrame({"mid_year": [2016], "population": [1.0]}), "la, mid_year"),
        (
            pl.DataFrame({"la": ["A", "A"], "mid_year": [2016, 2016], "population": [1.0, 2.0]}),
            "one row per la and mid_year",
        ),
    ],
)
def test_a_population_that_does_not_fit_the_councils_is_refused(
    population: Any, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        cyp.derive(
            cyp.load_catalogue().get("cla_rate_per_10k"),
            _two_councils(),
            period=cyp.Period.snapshot(D(2017, 3, 31)),
            population=population,
        )


# --- generated councils (Hypothesis) ----------------------------------------------------------

_PLACES = ("U1", "U3", "R1", "T1", "A3")


@st.composite
def council_episodes(draw: st.DrawFn) -> pl.DataFrame:
    """Episodes of children "1" to "4" (few, so identifiers collide between councils):
    chains of episodes, some with gaps, short breaks, temporary placements and adoptions."""
    rows = []
    for child in ("1", "2", "3", "4"):
        day = D(2014, 1, 1) + dt.timedelta(days=draw(st.integers(0, 1200)))
        for k in range(draw(st.integers(0, 4))):
            length = draw(st.integers(1, 500))
            end: dt.date | None = day + dt.timedelta(days=length)
            last = draw(st.booleans())
            if last and draw(st.booleans()):
                end = None
            rows.append(
                (
                    child,
                    day.strftime("%d/%m/%Y"),
                    "S" if k == 0 else draw(st.sampled_from(("P", "L", "T", "U", "B", "S"))),
                    draw(st.sampled_from(("C2", "C2", "E1", "V3"))),
                    "N1",
                    draw(st.sampled_from(_PLACES)),
                    end.strftime("%d/%m/%Y") if end else None,
                    (draw(st.sampled_from(("E4A", "E11", "E13"))) if last else "X1")
                    if end
                    else None,
                )
            )
            if end is None or last:
                break
            day = end + dt.timedelta(days=draw(st.sampled_from((0, 0, 30))))
    return pl.DataFrame(rows, schema=EPISODE_COLUMNS, orient="row")


CLA_POOLED = (
    "cla_rate_per_10k",
    "cla_starts_rate_per_10k",
    "cla_ceased_rate_per_10k",
    "cla_three_or_more_placements_pct",
    "cla_long_term_placement_stability_pct",
)


@given(st.lists(council_episodes(), min_size=1, max_size=3))
@settings(max_examples=30, deadline=None)
def test_pooled_equals_alone_on_generated_councils(frames: list[pl.DataFrame]) -> None:
    councils: dict[str, SSDA903] = {}
    for i, frame in enumerate(frames):
        children = sorted(set(frame["CHILD"].to_list())) or ["1"]
        header = pl.DataFrame(
            {"CHILD": children, "SEX": "1", "DOB": "01/01/2008", "ETHNIC": "WBRI"}
        )
        councils[f"L{i}"] = SSDA903.from_frames(episodes=frame, header=header)
    pooled = SSDA903.pool(councils)
    catalogue = cyp.load_catalogue()
    for ident in CLA_POOLED:
        definition = catalogue.get(ident)
        period = _series(definition, 2015, 2018)
        together = cyp.derive(definition, pooled, period=period, confidence=False)
        for la, records in councils.items():
            _same(together, cyp.derive(definition, records, period=period, confidence=False), la)
