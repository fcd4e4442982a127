"""Pupil-level rules: each definition's [pupil_rule] applied by compute_from_pupils to a synthetic
cohort, checked against an independent calculation written here in plain Python from DfE's rule
(quoted at each reference function), never from the library.

The cohorts are seeded, a few hundred pupils each, and hold the boundary cases: scaled scores of
exactly 100, 99, 110 and 109, test and teacher-assessment codes, missing results, grades 4 and 3,
one English qualification or both, invalid early learning goal outcomes, exactly 10 % of sessions
missed, zero possible sessions, NaN and infinity.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings

import cyp_indicators as cyp
from cyp_indicators.progress import PUPIL_RULES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from gen_pupil_rules import OUT, pupil_rules  # noqa: E402

PROPS = settings(max_examples=40, deadline=None)

# --- KS2: reading, writing and maths ---------------------------------------------------------------
# DfE (Key stage 2 attainment methodology; primary school accountability guidance): the expected
# standard is a scaled score of 100 or more in the reading and the maths tests and a writing teacher
# assessment of 'working at the expected standard' (EXS) or 'at greater depth' (GDS); the higher
# standard a scaled score of 110 or more and GDS. "There are some circumstances where a pupil's
# results are included in the attainment measure as 'not meeting' the expected standard. These
# pupils will contribute to the cohort in the denominator but are not included in the numerator":
# test codes A, B, H, J, Q, T, U; teacher assessments below the standard (WTS, pre-key stage, ...,
# A absent, D disapplied). Pupils who left (L), with a missing result (M, or none at all) or who
# complete the key stage in another year (F, P) are not in the cohort.
TEST_NOT_MET = {"A", "B", "H", "J", "Q", "T", "U"}
TEST_LEFT = {"L", "M", "F", "P"}
TA_BELOW = {"WTS", "HNM", "PKF", "PKE", "PKG", "PK1", "PK6", "BLW", "EM", "A", "D"}
TA_LEFT = {"L", "F", "P"}


def ks2_reference(
    rows: Sequence[tuple[Any, Any, Any]], min_score: float, writing_met: set[str]
) -> tuple[int, int]:
    """(pupils meeting the standard, pupils in the cohort), by DfE's rule quoted above."""
    met = cohort = 0
    for reading, maths, writing in rows:
        in_cohort, meets = True, True
        for score in (reading, maths):
            code = None if score is None else str(score).strip().upper()
            if code is None or code == "" or code in TEST_LEFT:
                in_cohort = False
            elif code in TEST_NOT_MET or float(code) < min_score:
                meets = False
        ta = None if writing is None else writing.strip().upper()
        if ta is None or ta in TA_LEFT:
            in_cohort = False
        elif ta not in writing_met:
            meets = False
        if in_cohort:
            cohort += 1
            met += meets
    return met, cohort


def _ks2_cohort(seed: int, n: int = 300) -> list[tuple[Any, Any, Any]]:
    rng = random.Random(seed)
    boundary = [
        ("100", "100", "EXS"), ("99", "100", "EXS"), ("100", "99", "GDS"), ("110", "110", "GDS"),
        ("109", "110", "GDS"), ("110", "110", "EXS"), ("120", "80", "GDS"), ("A", "105", "EXS"),
        ("B", "B", "PKF"), ("L", "100", "EXS"), ("M", "100", "EXS"), (None, "100", "EXS"),
        ("100", "T", "EXS"), ("100", "100", "D"), ("100", "100", "A"), ("100", "100", "L"),
        ("100", "100", None), ("F", "100", "EXS"), ("105", "U", "WTS"), (" 101 ", "q", "exs"),
    ]  # fmt: skip

    def score() -> Any:
        r = rng.random()
        if r < 0.08:
            return rng.choice(sorted(TEST_NOT_MET))
        if r < 0.11:
            return rng.choice(sorted(TEST_LEFT))
        if r < 0.13:
            return None
        return str(rng.randint(80, 120))

    def writing() -> Any:
        r = rng.random()
        if r < 0.1:
            return rng.choice(sorted(TA_BELOW))
        if r < 0.13:
            return rng.choice(sorted(TA_LEFT))
        if r < 0.14:
            return None
        return rng.choice(["WTS", "EXS", "EXS", "GDS"])

    return boundary + [(score(), score(), writing()) for _ in range(n - len(boundary))]


def _ks2_frame(rows: Sequence[tuple[Any, Any, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["reading_scaled_score", "maths_scaled_score", "writing_teacher_assessment"],
        orient="row",
    )


@pytest.mark.parametrize(
    ("ident", "min_score", "writing_met"),
    [("ks2_rwm_expected_standard_pct", 100, {"EXS", "GDS"}),
     ("ks2_rwm_higher_standard_pct", 110, {"GDS"})],
)  # fmt: skip
def test_ks2_combined_standards_match_an_independent_count(
    catalogue: cyp.Catalogue, ident: str, min_score: int, writing_met: set[str]
) -> None:
    rows = _ks2_cohort(seed=2016)
    met, cohort = ks2_reference(rows, min_score, writing_met)
    out = cyp.compute_from_pupils(catalogue.get(ident), _ks2_frame(rows))
    assert (out["numerator"][0], out["denominator"][0]) == (met, cohort)
    assert out["value"][0] == pytest.approx(100 * met / cohort)
    assert out["pupils_excluded"][0] == len(rows) - cohort
    assert 0 < met < cohort < len(rows)


def test_ks2_boundaries_and_reasons_pupil_by_pupil(catalogue: cyp.Catalogue) -> None:
    """100 meets, 99 does not; A, B, T, D stay in the cohort; L, M, F, none leave it, named."""
    d = catalogue.get("ks2_rwm_expected_standard_pct")
    rows = _ks2_cohort(seed=1)[:20]
    per_pupil = cyp.apply_pupil_rule(d, _ks2_frame(rows))
    assert per_pupil.columns[:3] == _ks2_frame(rows).columns
    values = per_pupil["pupil_value"].to_list()
    reasons = per_pupil["exclusion_reason"].to_list()
    assert values[:7] == [True, False, False, True, True, True, False]  # 80 in maths
    assert values[7:9] == [False, False]  # absent; working below the standard of the test
    assert values[12:15] == [False, False, False]  # unable to access; disapplied; TA absent
    assert reasons[9] == "not_in_cohort: reading_scaled_score is 'L' (DfE leaves this code out)"
    assert reasons[10].startswith("not_in_cohort: reading_scaled_score is 'M'")
    assert reasons[11].startswith("missing_result: reading_scaled_score has no result")
    assert reasons[15].startswith("not_in_cohort: writing_teacher_assessment is 'L'")
    assert reasons[16].startswith("missing_result: writing_teacher_assessment")
    assert reasons[17].startswith("not_in_cohort: reading_scaled_score is 'F'")
    assert values[19] is False  # " 101 ", "q" (maladministration), "exs"
    assert reasons[19] is None
    assert all((v is None) == (r is not None) for v, r in zip(values, reasons, strict=True))
    higher = cyp.apply_pupil_rule(catalogue.get("ks2_rwm_higher_standard_pct"), _ks2_frame(rows))
    assert higher["pupil_value"].to_list()[3:6] == [True, False, False]  # 110/GDS; 109; EXS
    # the higher standard is over the expected standard's cohort
    assert higher["exclusion_reason"].to_list() == reasons


def test_ks2_scores_as_numbers_and_unknown_codes(catalogue: cyp.Catalogue) -> None:
    """Integer score columns work (null = missing); an unknown code or an out-of-range score
    takes the pupil out with the reason, never silently."""
    d = catalogue.get("ks2_rwm_expected_standard_pct")
    frame = pl.DataFrame(
        {
            "reading_scaled_score": [100, 99, None, 121, 100],
            "maths_scaled_score": [100, 100, 100, 100, 100],
            "writing_teacher_assessment": ["EXS", "EXS", "EXS", "EXS", "XYZ"],
        }
    )
    out = cyp.apply_pupil_rule(d, frame)
    assert out["pupil_value"].to_list() == [True, False, None, None, None]
    reasons = out["exclusion_reason"].to_list()
    assert reasons[3] == "out_of_range: reading_scaled_score 121 is outside 80 to 120"
    assert reasons[4] == (
        "unknown_code: writing_teacher_assessment 'XYZ' is in no list of the rule"
    )
    summary = cyp.compute_from_pupils(d, frame)
    assert summary["exclusion_reasons"][0].startswith("missing_result: reading_scaled_score")
    assert summary["exclusion_reasons"][0].count("(1)") == 3


@given(
    seed=st.integers(0, 10_000),
    lift=st.integers(0, 40),
)
@PROPS
def test_raising_every_ks2_score_cannot_lower_the_share(seed: int, lift: int) -> None:
    d = cyp.load_catalogue().get("ks2_rwm_expected_standard_pct")
    rows = _ks2_cohort(seed, n=60)

    def raised(score: Any) -> Any:
        try:
            return str(min(120, int(score) + lift))
        except (TypeError, ValueError):
            return score

    before = cyp.compute_from_pupils(d, _ks2_frame(rows), confidence=None)
    after = cyp.compute_from_pupils(
        d, _ks2_frame([(raised(r), raised(m), w) for r, m, w in rows]), confidence=None
    )
    assert after["denominator"][0] == before["denominator"][0]
    assert after["numerator"][0] >= before["numerator"][0]


@given(bad=st.sampled_from([math.nan, math.inf, -math.inf]), where=st.integers(0, 29))
@PROPS
def test_non_finite_ks2_scores_are_excluded_with_the_reason(bad: float, where: int) -> None:
    d = cyp.load_catalogue().get("ks2_rwm_expected_standard_pct")
    rng = random.Random(where)
    reading = [float(rng.randint(80, 120)) for _ in range(30)]
    maths = [float(rng.randint(80, 120)) for _ in range(30)]
    reading[where] = bad
    writing = [rng.choice(["EXS", "WTS", "GDS"]) for _ in range(30)]
    frame = pl.DataFrame(
        {
            "reading_scaled_score": reading,
            "maths_scaled_score": maths,
            "writing_teacher_assessment": writing,
        }
    )
    rows = list(zip(reading, maths, writing, strict=True))
    met, cohort = ks2_reference(
        [row for i, row in enumerate(rows) if i != where], 100, {"EXS", "GDS"}
    )
    out = cyp.compute_from_pupils(d, frame, confidence=None)
    assert (out["numerator"][0], out["denominator"][0], out["pupils_excluded"][0]) == (
        met,
        cohort,
        1,
    )
    assert out["exclusion_reasons"][0].startswith("non_finite: reading_scaled_score")


# --- KS4: English and maths ------------------------------------------------------------------------
# DfE (secondary accountability measures guide): grade 4 (or 5) or above in English, "either
# English language or English literature. There is no requirement to sit both", and in maths. The
# denominator is every pupil at the end of KS4; a pupil with no entry (or U ungraded, X absent)
# does not achieve it.


def ks4_reference(rows: Sequence[tuple[Any, Any, Any]], grade: int) -> tuple[int, int]:
    def at_least(g: Any) -> bool:
        return g is not None and str(g).strip().isdigit() and int(g) >= grade

    achieved = sum(
        1 for lang, lit, maths in rows if (at_least(lang) or at_least(lit)) and at_least(maths)
    )
    return achieved, len(rows)


def _ks4_cohort(seed: int, n: int = 300) -> list[tuple[Any, Any, Any]]:
    rng = random.Random(seed)
    boundary = [
        ("4", None, "4"), ("3", None, "4"), (None, "4", "4"), ("3", "4", "4"), ("4", "3", "3"),
        ("5", "5", "5"), ("4", "4", "5"), (None, None, "9"), ("U", "X", "9"), ("9", "9", None),
        ("9", "9", "U"), ("5", None, "4"),
    ]  # fmt: skip

    def grade() -> Any:
        r = rng.random()
        if r < 0.08:
            return None
        if r < 0.12:
            return rng.choice(["U", "X"])
        return str(rng.randint(1, 9))

    return boundary + [(grade(), grade(), grade()) for _ in range(n - len(boundary))]


def _ks4_frame(rows: Sequence[tuple[Any, Any, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["english_language_grade", "english_literature_grade", "maths_grade"],
        orient="row",
    )


@pytest.mark.parametrize(
    ("ident", "grade"),
    [("ks4_english_maths_grade_4_pct", 4), ("ks4_english_maths_grade_5_pct", 5)],
)
def test_ks4_english_and_maths_match_an_independent_count(
    catalogue: cyp.Catalogue, ident: str, grade: int
) -> None:
    rows = _ks4_cohort(seed=2017)
    achieved, cohort = ks4_reference(rows, grade)
    d = catalogue.get(ident)
    out = cyp.compute_from_pupils(d, _ks4_frame(rows))
    assert (out["numerator"][0], out["denominator"][0]) == (achieved, cohort)
    assert out["pupils_excluded"][0] == 0
    # the same grades as integers (no entry, U and X as null) give the same figure
    numeric = _ks4_frame(
        [tuple(int(g) if g is not None and g.isdigit() else None for g in row) for row in rows]
    ).cast(pl.Int64)
    again = cyp.compute_from_pupils(d, numeric)
    assert (again["numerator"][0], again["denominator"][0]) == (achieved, cohort)


def test_ks4_boundaries_pupil_by_pupil(catalogue: cyp.Catalogue) -> None:
    d = catalogue.get("ks4_english_maths_grade_4_pct")
    out = cyp.apply_pupil_rule(d, _ks4_frame(_ks4_cohort(seed=0)[:12]))
    assert out["pupil_value"].to_list() == [
        True, False, True, True, False, True, True, False, False, False, False, True,
    ]  # fmt: skip
    assert out["exclusion_reason"].null_count() == 12
    grade_5 = cyp.apply_pupil_rule(
        catalogue.get("ks4_english_maths_grade_5_pct"), _ks4_frame(_ks4_cohort(seed=0)[:12])
    )
    assert grade_5["pupil_value"].to_list()[5:7] == [True, False]
    odd = cyp.apply_pupil_rule(
        d,
        pl.DataFrame(
            {
                "english_language_grade": ["A*", "10", "4"],
                "english_literature_grade": [None, None, "nan"],
                "maths_grade": ["4", "4", "4"],
            }
        ),
    )
    assert odd["pupil_value"].to_list() == [None, None, None]
    assert odd["exclusion_reason"].to_list() == [
        "unknown_code: english_language_grade 'A*' is neither a result nor a listed code",
        "out_of_range: english_language_grade 10 is outside 0 to 9",
        "non_finite: english_literature_grade is 'NAN'",
    ]


@given(seed=st.integers(0, 10_000), lift=st.integers(0, 5))
@PROPS
def test_raising_every_ks4_grade_cannot_lower_the_share(seed: int, lift: int) -> None:
    d = cyp.load_catalogue().get("ks4_english_maths_grade_4_pct")
    rows = _ks4_cohort(seed, n=50)

    def raised(g: Any) -> Any:
        return str(min(9, int(g) + lift)) if g is not None and g.isdigit() else g

    before = cyp.compute_from_pupils(d, _ks4_frame(rows), confidence=None)
    after = cyp.compute_from_pupils(
        d, _ks4_frame([tuple(raised(g) for g in row) for row in rows]), confidence=None
    )
    assert after["numerator"][0] >= before["numerator"][0]
    assert after["denominator"][0] == before["denominator"][0] == 50


# --- EYFS: good level of development ---------------------------------------------------------------
# DfE (EYFSP results methodology, 2013 to 2019): "Children are defined as having reached a good
# level of development at the end of the EYFS if they have achieved at least the expected level
# in: the early learning goals in the prime areas of learning (personal, social and emotional
# development; physical development; and communication and language) and the early learning goals
# in the specific areas of mathematics and literacy"; tables "Only include pupils with a valid
# result for every achievement scale". From 2021/22: "at the expected level for the 12 ELGs within
# the 5 areas of learning relating to: communication and language; personal, social and emotional
# development; physical development; literacy; and mathematics". Outcomes: 1 emerging,
# 2 expected, 3 exceeding (no exceeding from 2021/22).
GLD_2013 = [
    "elg_listening_and_attention", "elg_understanding", "elg_speaking",  # communication, language
    "elg_moving_and_handling", "elg_health_and_self_care",  # physical development
    "elg_self_confidence_and_self_awareness", "elg_managing_feelings_and_behaviour",
    "elg_making_relationships",  # personal, social and emotional development
    "elg_reading", "elg_writing",  # literacy
    "elg_numbers", "elg_shape_space_and_measures",  # mathematics
]  # fmt: skip
OTHER_2013 = [
    "elg_people_and_communities", "elg_the_world", "elg_technology",  # understanding the world
    "elg_exploring_and_using_media_and_materials", "elg_being_imaginative",  # arts and design
]  # fmt: skip
GLD_2022 = [
    "elg_listening_attention_and_understanding", "elg_speaking",
    "elg_self_regulation", "elg_managing_self", "elg_building_relationships",
    "elg_gross_motor_skills", "elg_fine_motor_skills",
    "elg_comprehension", "elg_word_reading", "elg_writing",
    "elg_number", "elg_numerical_patterns",
]  # fmt: skip
OTHER_2022 = [
    "elg_past_and_present", "elg_people_culture_and_communities", "elg_the_natural_world",
    "elg_creating_with_materials", "elg_being_imaginative_and_expressive",
]  # fmt: skip


def gld_reference(
    rows: Sequence[dict[str, Any]], gld: Sequence[str], other: Sequence[str], scale: set[int]
) -> tuple[int, int]:
    reached = cohort = 0
    for row in rows:
        if all(row[g] in scale for g in [*gld, *other]):
            cohort += 1
            reached += all(row[g] >= 2 for g in gld)
    return reached, cohort


def _eyfs_cohort(
    seed: int, gld: Sequence[str], other: Sequence[str], scale: Sequence[int], n: int = 300
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    goals = [*gld, *other]
    rows: list[dict[str, Any]] = [
        dict.fromkeys(goals, 2),  # expected in every goal
        {**dict.fromkeys(goals, 2), other[0]: 1},  # emerging outside GLD: still GLD
        {**dict.fromkeys(goals, 2), gld[-1]: 1},  # emerging in one GLD goal: not GLD
        {**dict.fromkeys(goals, 2), other[-1]: None},  # no outcome: not in the cohort
        {**dict.fromkeys(goals, 2), gld[0]: "A"},  # A: not a valid outcome
    ]
    for _ in range(n - len(rows)):
        level = rng.random()  # how far the child is from expected everywhere
        row: dict[str, Any] = {}
        for g in goals:
            r = rng.random()
            row[g] = (
                None if r < 0.004 else "A" if r < 0.008
                else rng.choice(scale) if r > level else max(scale)
            )  # fmt: skip
        rows.append(row)
    return rows


def _eyfs_frame(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    columns = list(rows[0])
    return pl.DataFrame({c: [None if r[c] is None else str(r[c]) for r in rows] for c in columns})


@pytest.mark.parametrize(
    ("version", "gld", "other", "scale"),
    [("1", GLD_2013, OTHER_2013, [1, 2, 3]), ("2", GLD_2022, OTHER_2022, [1, 2])],
)
def test_good_level_of_development_matches_an_independent_count(
    catalogue: cyp.Catalogue, version: str, gld: list[str], other: list[str], scale: list[int]
) -> None:
    d = catalogue.get("eyfs_good_level_of_development_pct", version=version)
    assert d.pupil_rule is not None
    assert d.pupil_rule.params["goal_columns"] == gld  # the file lists DfE's 12 goals
    assert d.pupil_rule.params["other_goal_columns"] == other
    rows = _eyfs_cohort(seed=2013 + int(version), gld=gld, other=other, scale=scale)
    reached, cohort = gld_reference(rows, gld, other, set(scale))
    out = cyp.compute_from_pupils(d, _eyfs_frame(rows))
    assert (out["numerator"][0], out["denominator"][0]) == (reached, cohort)
    assert out["pupils_excluded"][0] == len(rows) - cohort
    assert 0 < reached < cohort < len(rows)
    per_child = cyp.apply_pupil_rule(d, _eyfs_frame(rows[:5]))
    assert per_child["pupil_value"].to_list() == [True, True, False, None, None]
    assert per_child["exclusion_reason"][3].startswith(f"missing_result: {other[-1]}")
    assert per_child["exclusion_reason"][4].startswith(f"not_in_cohort: {gld[0]} is 'A'")
    # integer outcomes (an invalid one as null) give the same figure
    as_numbers = pl.DataFrame(
        {c: [r[c] if isinstance(r[c], int) else None for r in rows] for c in rows[0]}
    )
    again = cyp.compute_from_pupils(d, as_numbers)
    assert (again["numerator"][0], again["denominator"][0]) == (reached, cohort)


def test_exceeding_is_not_an_outcome_of_the_reformed_profile(catalogue: cyp.Catalogue) -> None:
    goals = [*GLD_2022, *OTHER_2022]
    frame = pl.DataFrame({g: [3, 2] for g in goals})
    out = cyp.apply_pupil_rule(
        catalogue.get("eyfs_good_level_of_development_pct", version="2"), frame
    )
    assert out["pupil_value"].to_list() == [None, True]
    assert out["exclusion_reason"][0].startswith(f"not_in_cohort: {GLD_2022[0]} is '3'")
    v1 = cyp.apply_pupil_rule(
        catalogue.get("eyfs_good_level_of_development_pct", version="1"),
        pl.DataFrame({g: [3, 1] for g in [*GLD_2013, *OTHER_2013]}),
    )
    assert v1["pupil_value"].to_list() == [True, False]


# --- Persistent absence ----------------------------------------------------------------------------
# DfE (pupil absence methodology; a guide to absence statistics, 3.2.2): from 2015/16 an enrolment is
# a persistent absentee if "[overall absence] divided by [possible sessions] multiplied by 100" is
# greater than or equal to 10. To 2014/15 fixed thresholds: 64 sessions (about 20 %, to 2009/10),
# 46 over five half terms (15 %, 2010/11 to 2012/13), 56 over six half terms (2013/14, 2014/15).
# "Enrolments for whom zero possible sessions were recorded are not included."


def absence_reference(
    rows: Sequence[tuple[Any, Any]], *, percent: int | None = None, sessions: int | None = None
) -> tuple[int, int]:
    absentees = cohort = 0
    for missed, possible in rows:
        if missed is None or possible is None or possible == 0 or missed > possible:
            continue
        cohort += 1
        if percent is not None:
            absentees += Fraction(missed, possible) * 100 >= percent
        else:
            absentees += missed >= (sessions or 0)
    return absentees, cohort


def _enrolments(seed: int, n: int = 400) -> list[tuple[Any, Any]]:
    rng = random.Random(seed)
    boundary: list[tuple[Any, Any]] = [
        (38, 380), (37, 380), (3, 30), (1, 10), (2, 21), (7, 70), (69, 700), (0, 0), (None, 300),
        (64, 330), (63, 330), (46, 300), (45, 300), (56, 380), (55, 380), (0, 1), (1, 1),
    ]  # fmt: skip
    rows = list(boundary)
    while len(rows) < n:
        possible = rng.choice([rng.randint(1, 380), 380, 380, 330, rng.randint(1, 40)])
        share = rng.choice([0.0, 0.02, 0.05, 0.08, 0.1, 0.12, 0.2, 0.5])
        rows.append(
            (min(possible, round(possible * share) + rng.randint(-2, 2) if share else 0), possible)
        )
    return [(max(m, 0) if m is not None else None, p) for m, p in rows]


def _enrolment_frame(rows: Sequence[tuple[Any, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"sessions_missed": pl.Int64, "sessions_possible": pl.Int64}, orient="row"
    )


@pytest.mark.parametrize(
    ("version", "percent", "sessions"),
    [("1", None, 64), ("2", None, 46), ("3", None, 56), ("4", 10, None)],
)
def test_persistent_absence_matches_an_independent_count(
    catalogue: cyp.Catalogue, version: str, percent: int | None, sessions: int | None
) -> None:
    d = catalogue.get("persistent_absence_pct", version=version)
    rows = _enrolments(seed=int(version))
    absentees, cohort = absence_reference(rows, percent=percent, sessions=sessions)
    out = cyp.compute_from_pupils(d, _enrolment_frame(rows))
    assert (out["numerator"][0], out["denominator"][0]) == (absentees, cohort)
    assert out["pupils_excluded"][0] == len(rows) - cohort
    assert 0 < absentees < cohort
    as_floats = cyp.compute_from_pupils(d, _enrolment_frame(rows).cast(pl.Float64))
    assert as_floats["numerator"][0] == absentees


def test_exactly_ten_per_cent_is_persistent_absence(catalogue: cyp.Catalogue) -> None:
    d = catalogue.get("persistent_absence_pct", version="4")
    out = cyp.apply_pupil_rule(d, _enrolment_frame(_enrolments(seed=0)[:9]))
    # 38/380, 37/380, 3/30, 1/10, 2/21 (9.52 %), 7/70, 69/700 (9.86 %), 0/0, none
    assert out["pupil_value"].to_list() == [True, False, True, True, False, True, False, None, None]
    assert out["exclusion_reason"][7] == (
        "not_in_cohort: sessions_possible is 0 (DfE counts enrolments with at least one possible session)"
    )
    assert out["exclusion_reason"][8].startswith("missing_result")
    bad = cyp.apply_pupil_rule(
        d,
        pl.DataFrame(
            {"sessions_missed": [5.0, -1.0, math.nan], "sessions_possible": [4.0, 10.0, 10.0]}
        ),
    )
    assert bad["exclusion_reason"].to_list() == [
        "out_of_range: more sessions missed than possible (sessions_missed, sessions_possible: 5.0 of 4.0)",
        "out_of_range: negative sessions (sessions_missed, sessions_possible: -1.0 of 10.0)",
        "non_finite: sessions_missed is 'NaN'",
    ]


@given(
    rows=st.lists(
        st.integers(1, 400).flatmap(lambda p: st.tuples(st.integers(0, p), st.just(p))),
        min_size=1, max_size=40,
    ),
    extra=st.integers(0, 50),
)  # fmt: skip
@PROPS
def test_more_absence_cannot_lower_the_persistent_absence_rate(
    rows: list[tuple[int, int]], extra: int
) -> None:
    d = cyp.load_catalogue().get("persistent_absence_pct", version="4")
    before = cyp.compute_from_pupils(d, _enrolment_frame(rows), confidence=None)
    more = [(min(p, m + extra), p) for m, p in rows]
    after = cyp.compute_from_pupils(d, _enrolment_frame(more), confidence=None)
    assert after["numerator"][0] >= before["numerator"][0]
    assert before["numerator"][0] == absence_reference(rows, percent=10)[0]


# --- Attainment 8 ----------------------------------------------------------------------------------
# DfE (secondary accountability measures guide): a pupil's Attainment 8 score adds English and maths
# (double weighted), three EBacc slots and three open slots. "If a student sits both English
# language and English literature, the higher grade is double weighted in the English element. The
# lower grade can count in the 'open' element ... If only GCSE English language or English
# literature is taken then this qualification will count, but will not be double weighted." An
# unfilled slot scores zero. The measure is the mean over pupils.
A8_COLUMNS = [
    "english_language_points", "english_literature_points", "maths_points",
    "ebacc_slot_1_points", "ebacc_slot_2_points", "ebacc_slot_3_points",
    "open_slot_1_points", "open_slot_2_points", "open_slot_3_points",
]  # fmt: skip


def a8_reference(row: Sequence[float | None]) -> float:
    language, literature, maths, *slots = row
    if language is not None and literature is not None:
        english = 2 * max(language, literature)
    elif language is not None:
        english = language
    elif literature is not None:
        english = literature
    else:
        english = 0.0
    return english + 2 * (maths or 0.0) + sum(s or 0.0 for s in slots)


def _a8_cohort(seed: int, n: int = 250) -> list[tuple[float | None, ...]]:
    rng = random.Random(seed)
    boundary: list[tuple[float | None, ...]] = [
        (6.0, 4.0, 5.0, 6.0, 6.0, 6.0, 5.0, 5.0, 5.0),  # both English: 12 + 10 + 18 + 15
        (6.0, None, 5.0, 6.0, 6.0, 6.0, 5.0, 5.0, 5.0),  # language only: single
        (None, 7.0, 5.0, 6.0, None, None, None, None, None),  # literature only, empty slots
        (0.0, 5.0, 5.0, 6.0, 6.0, 6.0, 5.0, 5.0, 5.0),  # U (0 points) in language is an entry
        (None,) * 9,  # no qualification: 0
        (9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0),  # 90, the maximum
    ]
    rows = list(boundary)
    points = [0.0, 1.0, 1.5, 2.0, 3.0, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 8.5, 9.0]
    while len(rows) < n:
        rows.append(tuple(None if rng.random() < 0.15 else rng.choice(points) for _ in A8_COLUMNS))
    return rows


def _a8_frame(rows: Sequence[tuple[float | None, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(A8_COLUMNS, pl.Float64), orient="row")


def test_attainment_8_matches_an_independent_calculation(catalogue: cyp.Catalogue) -> None:
    d = catalogue.get("attainment_8")
    rows = _a8_cohort(seed=2016)
    scores = [a8_reference(r) for r in rows]
    assert scores[:6] == [55.0, 49.0, 23.0, 53.0, 0.0, 90.0]  # U and 5: both taken, 2 x 5
    out = cyp.compute_from_pupils(d, _a8_frame(rows))
    assert out["value"][0] == pytest.approx(sum(scores) / len(scores))
    assert (out["denominator"][0], out["pupils_excluded"][0]) == (len(rows), 0)
    per_pupil = cyp.apply_pupil_rule(d, _a8_frame(rows))
    assert per_pupil["pupil_value"].to_list() == pytest.approx(scores)
    groups = cyp.compute_from_pupils(
        d,
        _a8_frame(rows).with_columns(pupil_group=pl.Series(["fsm", "non_fsm"] * (len(rows) // 2))),
        by=["pupil_group"],
    )
    assert groups["value"].to_list() == pytest.approx(
        [sum(scores[0::2]) / len(scores[0::2]), sum(scores[1::2]) / len(scores[1::2])]
    )


@given(
    seed=st.integers(0, 10_000),
    bad=st.sampled_from([math.nan, math.inf, -math.inf, -1.0, 9.5]),
    where=st.integers(0, 19),
    column=st.sampled_from(A8_COLUMNS),
)
@PROPS
def test_attainment_8_leaves_out_impossible_points_with_the_reason(
    seed: int, bad: float, where: int, column: str
) -> None:
    d = cyp.load_catalogue().get("attainment_8")
    rows = [list(r) for r in _a8_cohort(seed, n=20)]
    rows[where][A8_COLUMNS.index(column)] = bad
    kept = [a8_reference(r) for i, r in enumerate(rows) if i != where]
    out = cyp.compute_from_pupils(d, _a8_frame([tuple(r) for r in rows]))
    assert out["pupils_excluded"][0] == 1
    assert out["value"][0] == pytest.approx(sum(kept) / len(kept))
    reason = out["exclusion_reasons"][0]
    code = "non_finite" if not math.isfinite(bad) else "out_of_range"
    assert reason.startswith(f"{code}: {column}")
    assert reason.endswith("(1)")


# --- the rule as data: bad input, the registry, the catalogue -------------------------------------


def test_a_column_the_rule_names_must_be_in_the_frame(catalogue: cyp.Catalogue) -> None:
    d = catalogue.get("ks2_rwm_expected_standard_pct")
    frame = _ks2_frame(_ks2_cohort(seed=3)[:5]).drop("maths_scaled_score")
    with pytest.raises(cyp.MissingColumnError) as info:
        cyp.compute_from_pupils(d, frame)
    assert info.value.column == "maths_scaled_score"
    assert "ks2_combined_standard" in str(info.value)
    assert "test_columns" in str(info.value)
    with pytest.raises(cyp.MissingColumnError, match="sessions_possible"):
        cyp.apply_pupil_rule(
            catalogue.get("persistent_absence_pct", version="4"),
            pl.DataFrame({"sessions_missed": [1]}).lazy(),
        )


def test_value_is_optional_only_where_the_definition_names_a_rule(
    catalogue: cyp.Catalogue,
) -> None:
    with pytest.raises(cyp.DataError, match="names no pupil rule"):
        cyp.compute_from_pupils(catalogue.get("ks4_5ac_pct", year=2012), pl.DataFrame({"x": [1]}))
    # with value=, a definition with a rule works as before, the caller deciding each pupil
    d = catalogue.get("ks4_english_maths_grade_4_pct")
    out = cyp.compute_from_pupils(d, pl.DataFrame({"passed": [True, False, None]}), value="passed")
    assert (out["numerator"][0], out["denominator"][0], out["pupils_excluded"][0]) == (1, 2, 1)
    assert "exclusion_reasons" not in out.columns


def test_bad_rules_in_code_are_refused_with_close_matches(catalogue: cyp.Catalogue) -> None:
    d = catalogue.get("ks4_english_maths_grade_4_pct")
    frame = _ks4_frame(_ks4_cohort(seed=4)[:4])
    rule = d.pupil_rule
    assert rule is not None
    misspelt = attrs.evolve(d, pupil_rule=attrs.evolve(rule, name="ks4_english_and_math"))
    with pytest.raises(cyp.DataError, match="did you mean: 'ks4_english_and_maths'"):
        cyp.compute_from_pupils(misspelt, frame)
    wrong = attrs.evolve(rule, parameters={**rule.params, "min_grad": 4})
    with pytest.raises(cyp.DataError, match="did you mean: 'min_grade'"):
        cyp.apply_pupil_rule(d, frame, rule=wrong)
    with pytest.raises(cyp.DataError, match="gives a mean per pupil"):
        cyp.apply_pupil_rule(
            d, frame, rule=cyp.PupilRule(name="attainment_8", citation="DfE, a test rule")
        )
    with pytest.raises(cyp.DataError, match="must hold assessment codes as text"):
        cyp.apply_pupil_rule(
            catalogue.get("ks2_rwm_expected_standard_pct"),
            pl.DataFrame({"reading_scaled_score": [100], "maths_scaled_score": [100],
                          "writing_teacher_assessment": [2]}),
        )  # fmt: skip
    with pytest.raises(cyp.DataError, match="already has column 'pupil_value'"):
        cyp.apply_pupil_rule(d, frame.with_columns(pupil_value=pl.lit(1)))


def _local(tmp_path: Path, catalogue: cyp.Catalogue, edit: tuple[str, str]) -> Path:
    source = Path(catalogue.get("ks4_english_maths_grade_4_pct").source_file or "")
    text = source.read_text(encoding="utf-8").replace(
        'id = "ks4_english_maths_grade_4_pct"', 'id = "my_english_maths"'
    )
    assert edit[0] in text
    folder = tmp_path / "defs"
    folder.mkdir()
    path = folder / "my_english_maths.v1.toml"
    path.write_text(text.replace(*edit), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (('name = "ks4_english_and_maths"', 'name = "ks4_english_and_math"'),
         "$.pupil_rule.name", "no pupil rule 'ks4_english_and_math'; did you mean: 'ks4_english_and_maths'"),
        (("min_grade = 4", "min_grad = 4"),
         "$.pupil_rule.parameters.min_grad", "takes no parameter 'min_grad'; did you mean: 'min_grade'"),
        (("min_grade = 4", 'min_grade = "four"'),
         "$.pupil_rule.parameters.min_grade", "is a number, got 'four'"),
        (('name = "ks4_english_and_maths"', 'name = "attainment_8"'),
         "$.pupil_rule.name", "gives a mean per pupil, which does not suit a proportion"),
    ],
)  # fmt: skip
def test_the_catalogue_refuses_a_bad_rule_when_it_loads(
    tmp_path: Path, catalogue: cyp.Catalogue, edit: tuple[str, str], where: str, message: str
) -> None:
    path = _local(tmp_path, catalogue, edit)
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(path.parent)
    issues = [i for i in info.value.issues if i.path == where]
    assert issues, info.value.issues
    assert message in issues[0].message
    assert issues[0].line is not None


def test_the_generated_list_matches_the_registry() -> None:
    committed = json.loads(OUT.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(pupil_rules())), (
        "validation/pupil_rules.json is out of date: run .venv/bin/python tools/gen_pupil_rules.py"
    )


def test_every_bundled_rule_states_its_whole_rule_and_every_rule_is_used(
    catalogue: cyp.Catalogue,
) -> None:
    """The thresholds are in the files (data), not taken from defaults in code; each definition
    cites DfE; the registry has no rule that no definition uses."""
    used = set()
    for d in catalogue:
        if d.pupil_rule is None:
            continue
        spec = PUPIL_RULES[d.pupil_rule.name]
        assert set(d.pupil_rule.params) == set(spec.parameters), d.key
        assert "DfE" in d.pupil_rule.citation or "DCSF" in d.pupil_rule.citation, d.key
        used.add(spec.name)
    assert used == set(PUPIL_RULES)


def test_the_rule_round_trips_through_the_document_form(catalogue: cyp.Catalogue) -> None:
    d = catalogue.get("attainment_8")
    again = cyp.IndicatorDefinition.from_mapping(d.to_mapping())
    assert again == d
    assert again.pupil_rule is not None
    assert again.pupil_rule.params["ebacc_columns"] == [
        "ebacc_slot_1_points", "ebacc_slot_2_points", "ebacc_slot_3_points",
    ]  # fmt: skip
    with pytest.raises(TypeError):
        PUPIL_RULES["attainment_8"] = PUPIL_RULES["attainment_8"]  # type: ignore[index]
