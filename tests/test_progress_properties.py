"""Expected-progress rates on synthetic city cohorts, against a pure-Python reference (Hypothesis).

The cohorts resemble the seed's city (scrutiny pack 003): 29.5 % EAL, 8.4 % with no KS1/KS2
result, about 20 % FSM, two genders and a few ethnic groups. The reference classifies each pupil
with a dict read from the hand transcription of the seed matrices
(``tests/reference/seeds/expected_progress_*.csv``), never from the library, and counts made and
not made per group.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings
from polars.testing import assert_frame_equal

import cyp_indicators as cyp

SEEDS = Path(__file__).parent / "reference" / "seeds"
BIG = settings(max_examples=30, deadline=None)
SMALL = settings(max_examples=60, deadline=None)
EAL_SHARE = 0.295
NO_PRIOR_SHARE = 0.084
FSM_SHARE = 0.20
ETHNIC_GROUPS = ["White British", "White Other", "Pakistani", "Black African", "Mixed", None]
ETHNIC_WEIGHTS = [0.60, 0.13, 0.10, 0.07, 0.09, 0.01]
GROUPINGS: list[list[str]] = [
    [],
    ["fsm", "eal"],
    ["gender"],
    ["ethnicity"],
    ["eal", "ethnicity", "gender"],
]
COUNTS = ("pupils", "made", "not_made", "not_included", "included")


@dataclass(frozen=True)
class Matrix:
    """One seed matrix as the tests see it: ordered labels, raw spellings, and the seed's cells."""

    ident: str
    csv: str
    missing_row: str
    rows: dict[str, list[str | None]]  # row label -> raw prior spellings that select it
    columns: dict[str, list[str | None]]  # column label -> raw outcome spellings
    graded: list[str]  # outcome column labels from worst to best (the "numeric" columns)
    levels: dict[str, int]  # row label -> the column index expected from it (for sampling)

    def cells(self) -> dict[tuple[str, str], str]:
        """``(row label, column label) -> outcome``, read from the seed CSV."""
        with (SEEDS / self.csv).open(encoding="utf-8", newline="") as f:
            return {(r["row_label"], r["column_label"]): r["outcome"] for r in csv.DictReader(f)}


KS1_KS2 = Matrix(
    ident="ks1_ks2_expected_progress",
    csv="expected_progress_ks1_ks2.csv",
    missing_row="A, D or no KS1 level",
    rows={
        "A, D or no KS1 level": [None, "A", "D"],
        "0": ["0", "W"],
        "1": ["1", "1B"],
        "2": ["2", "2a", "2C"],
        "3": ["3"],
        "4": ["4"],
    },
    columns={
        "Any non-numeric level": [None, "N", "B", "T", "A", "D"],
        "0": ["0"],
        "1": ["1"],
        "2": ["2"],
        "3": ["3", " 3 "],
        "4": ["4"],
        "5": ["5"],
    },
    graded=["0", "1", "2", "3", "4", "5"],
    levels={"0": 3, "1": 4, "2": 5, "3": 6, "4": 6},
)
KS2_KS4 = Matrix(
    ident="ks2_ks4_expected_progress",
    csv="expected_progress_ks2_ks4.csv",
    missing_row="No TA or test",
    rows={
        "Working towards level 1": ["W", "0"],
        "Level 1": ["1", "Level 1"],
        "Level 2": ["2", "2B"],
        "Level 3": ["3", "3c"],
        "Level 4": ["4", "4B", "level 4"],
        "Level 5": ["5", "5A"],
        "Level 6": ["6"],
        "Disapplied / Absent (TA)": ["D", "A"],
        "Left the school": ["L"],
        "No TA or test": [None],
        "Not eligible for tests": ["NE"],
    },
    columns={
        "No KS4 result": [None, "X"],
        "U": ["U", "u"],
        "G": ["G"],
        "F": ["F"],
        "E": ["E"],
        "D": ["D"],
        "C": ["C", "\u0421"],  # Latin C, Cyrillic Es
        "B": ["B", "\u0412"],  # Latin B, Cyrillic Ve
        "A": ["A", "\u0391"],  # Latin A, Greek Alpha
        "A*": ["A*", "A-star", "a star", "A *", "\u0410*"],
    },
    graded=["U", "G", "F", "E", "D", "C", "B", "A", "A*"],
    levels={
        "Working towards level 1": 2,
        "Level 1": 3,
        "Level 2": 4,
        "Level 3": 5,
        "Level 4": 6,
        "Level 5": 7,
        "Level 6": 8,
    },
)
MATRICES = [KS1_KS2, KS2_KS4]
IDS = ["ks1_ks2", "ks2_ks4"]
CELLS = {m.ident: m.cells() for m in MATRICES}


@pytest.fixture(scope="module")
def definitions() -> dict[str, cyp.IndicatorDefinition]:
    """The version-1 definitions of both matrices, by id."""
    cat = cyp.load_catalogue()
    return {m.ident: cat.get(m.ident, version="1") for m in MATRICES}


# --- synthetic cohorts -----------------------------------------------------------------------


def exact_flags(rng: random.Random, n: int, share: float) -> list[bool]:
    """``round(n * share)`` True values among ``n``, in random order."""
    flags = [i < round(n * share) for i in range(n)]
    rng.shuffle(flags)
    return flags


def city_cohort(matrix: Matrix, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` pupils like the seed's city; each carries its seed row and column labels."""
    rng = random.Random(seed)
    eal, no_prior = exact_flags(rng, n, EAL_SHARE), exact_flags(rng, n, NO_PRIOR_SHARE)
    column_labels = list(matrix.columns)
    # Mostly pupils with a level; a few in the other rows under a spelling that is not null.
    row_labels = [label for label, spellings in matrix.rows.items() if any(spellings)]
    weights = [6.0 if label in matrix.levels else 0.4 for label in row_labels]
    pupils = []
    for i in range(n):
        if no_prior[i]:
            row, prior = matrix.missing_row, None
        else:
            row = rng.choices(row_labels, weights)[0]
            prior = rng.choice([s for s in matrix.rows[row] if s is not None])
        if row in matrix.levels and rng.random() > 0.04:
            target = matrix.levels[row] + round(rng.gauss(0, 1.6))
            column = column_labels[min(max(target, 1), len(column_labels) - 1)]
        else:
            column = rng.choice(column_labels)
        pupils.append(
            {
                "upn": f"P{i:05d}",
                "prior": prior,
                "result": rng.choice(matrix.columns[column]),
                "eal": eal[i],
                "fsm": rng.random() < FSM_SHARE,
                "gender": rng.choice(["F", "M"]),
                "ethnicity": rng.choices(ETHNIC_GROUPS, ETHNIC_WEIGHTS)[0],
                "row": row,
                "column": column,
            }
        )
    return pupils


@st.composite
def cohorts(draw: st.DrawFn, matrix: Matrix) -> list[dict[str, Any]]:
    """A city cohort of 200 to 2,000 pupils from a drawn size and seed."""
    n = draw(st.integers(min_value=200, max_value=2_000))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    return city_cohort(matrix, n, seed)


def to_frame(pupils: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """The pupil columns the library sees (not the seed labels)."""
    columns = ["upn", "prior", "result", "eal", "fsm", "gender", "ethnicity"]
    schema = {
        "upn": pl.String,
        "prior": pl.String,
        "result": pl.String,
        "eal": pl.Boolean,
        "fsm": pl.Boolean,
        "gender": pl.String,
        "ethnicity": pl.String,
    }
    return pl.DataFrame([{c: p[c] for c in columns} for p in pupils], schema=schema)


def classify(pupils: pl.DataFrame, definition: cyp.IndicatorDefinition) -> pl.DataFrame:
    """The library's classification of a pupil frame."""
    return cyp.classify_progress(
        pupils, definition, prior="prior", outcome="result", pupil_id="upn"
    )


# --- the reference ---------------------------------------------------------------------------


def reference_rates(
    matrix: Matrix, pupils: Sequence[dict[str, Any]], by: Sequence[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Per group: pupils, made, not made, not included, included and % made, by plain counting."""
    cells = CELLS[matrix.ident]
    groups: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(
        lambda: {"pupils": 0, "made": 0, "not_made": 0, "not_included": 0}
    )
    for p in pupils:
        group = groups[tuple(p[b] for b in by)]
        group["pupils"] += 1
        group[cells[(p["row"], p["column"])]] += 1
    for group in groups.values():
        group["included"] = group["made"] + group["not_made"]
        group["value"] = group["made"] / group["included"] * 100 if group["included"] else None
    return dict(groups)


def library_rates(
    classified: pl.DataFrame, by: Sequence[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """``progress_rates`` as a dict keyed by group."""
    rates = cyp.progress_rates(classified, by=list(by))
    return {tuple(r[b] for b in by): r for r in rates.iter_rows(named=True)}


# --- differential ----------------------------------------------------------------------------


@pytest.mark.parametrize("matrix", MATRICES, ids=IDS)
def test_reference_dict_covers_the_grid(matrix: Matrix) -> None:
    """The reference lookup holds one outcome for every seed row x column."""
    cells = CELLS[matrix.ident]
    assert set(cells) == {(r, c) for r in matrix.rows for c in matrix.columns}
    assert sum(1 for row in matrix.rows.values() if None in row) == 1
    assert sum(1 for column in matrix.columns.values() if None in column) == 1


@pytest.mark.parametrize("matrix", MATRICES, ids=IDS)
@BIG
@given(data=st.data())
def test_group_rates_match_the_reference(
    definitions: dict[str, cyp.IndicatorDefinition], matrix: Matrix, data: st.DataObject
) -> None:
    """Counts and % made per group equal the pure-Python reference (value to 1e-12)."""
    pupils = data.draw(cohorts(matrix))
    classified = classify(to_frame(pupils), definitions[matrix.ident])
    cells = CELLS[matrix.ident]
    assert classified["progress"].to_list() == [cells[(p["row"], p["column"])] for p in pupils]
    for by in GROUPINGS:
        expected = reference_rates(matrix, pupils, by)
        got = library_rates(classified, by)
        assert set(got) == set(expected), by
        for key, want in expected.items():
            row = got[key]
            assert {c: row[c] for c in COUNTS} == {c: want[c] for c in COUNTS}, (by, key)
            if want["value"] is None:
                assert row["value"] is None, (by, key)
            else:
                assert row["value"] == pytest.approx(want["value"], abs=1e-12, rel=0), (by, key)


def test_cohort_shares_are_the_city_shares() -> None:
    """The generator gives exactly 29.5 % EAL and 8.4 % null prior (rounded to whole pupils)."""
    for n in (200, 1_000, 1_999):
        pupils = city_cohort(KS2_KS4, n, seed=n)
        assert sum(p["eal"] for p in pupils) == round(n * EAL_SHARE)
        assert sum(p["prior"] is None for p in pupils) == round(n * NO_PRIOR_SHARE)


# --- invariants ------------------------------------------------------------------------------


@pytest.mark.parametrize("matrix", MATRICES, ids=IDS)
@BIG
@given(data=st.data())
def test_every_pupil_lands_in_exactly_one_outcome(
    definitions: dict[str, cyp.IndicatorDefinition], matrix: Matrix, data: st.DataObject
) -> None:
    """Each pupil is made, not made or not included; made + not made is the denominator."""
    pupils = data.draw(cohorts(matrix))
    classified = classify(to_frame(pupils), definitions[matrix.ident])
    assert classified.height == len(pupils)
    assert classified["progress"].null_count() == 0
    assert set(classified["progress"].unique()) <= {"made", "not_made", "not_included"}
    for by in GROUPINGS:
        rates = cyp.progress_rates(classified, by=by)
        assert rates["pupils"].sum() == len(pupils)
        assert (rates["made"] + rates["not_made"] + rates["not_included"] == rates["pupils"]).all()
        assert (rates["made"] + rates["not_made"] == rates["included"]).all()
        assert (rates["denominator"] == rates["included"].cast(pl.Float64)).all()
        assert (rates["numerator"] == rates["made"].cast(pl.Float64)).all()


@pytest.mark.parametrize("matrix", MATRICES, ids=IDS)
@BIG
@given(data=st.data())
def test_wilson_interval_contains_the_value(
    definitions: dict[str, cyp.IndicatorDefinition], matrix: Matrix, data: st.DataObject
) -> None:
    """Where a group has a value, 0 <= lower_95 <= value <= upper_95 <= 100."""
    pupils = data.draw(cohorts(matrix))
    classified = classify(to_frame(pupils), definitions[matrix.ident])
    for by in GROUPINGS:
        for row in cyp.progress_rates(classified, by=by).iter_rows(named=True):
            if row["included"] == 0:
                assert row["value"] is None
                continue
            assert 0 <= row["lower_95"] <= row["value"] <= row["upper_95"] <= 100, row


@pytest.mark.parametrize("matrix", MATRICES, ids=IDS)
@BIG
@given(data=st.data())
def test_rates_do_not_depend_on_row_order(
    definitions: dict[str, cyp.IndicatorDefinition], matrix: Matrix, data: st.DataObject
) -> None:
    """Shuffling the pupils changes no group's counts, value or interval."""
    pupils = data.draw(cohorts(matrix))
    shuffled = list(pupils)
    random.Random(data.draw(st.integers(min_value=0, max_value=2**32 - 1))).shuffle(shuffled)
    assert sorted(p["upn"] for p in shuffled) == [p["upn"] for p in pupils]
    definition = definitions[matrix.ident]
    first, second = classify(to_frame(pupils), definition), classify(to_frame(shuffled), definition)
    for by in GROUPINGS:
        a, b = cyp.progress_rates(first, by=by), cyp.progress_rates(second, by=by)
        if by:
            a, b = a.sort(by, nulls_last=True), b.sort(by, nulls_last=True)
        assert_frame_equal(a, b)


@st.composite
def raised_pupils(
    draw: st.DrawFn, matrix: Matrix
) -> list[tuple[str | None, str | None, str | None]]:
    """Pupils as (prior spelling, outcome spelling, spelling of a better or equal outcome)."""
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=60))):
        row = draw(st.sampled_from(list(matrix.rows)))
        low = draw(st.integers(min_value=0, max_value=len(matrix.graded) - 1))
        high = draw(st.integers(min_value=low, max_value=len(matrix.graded) - 1))
        out.append(
            (
                draw(st.sampled_from(matrix.rows[row])),
                draw(st.sampled_from(matrix.columns[matrix.graded[low]])),
                draw(st.sampled_from(matrix.columns[matrix.graded[high]])),
            )
        )
    return out


@pytest.mark.parametrize("matrix", MATRICES, ids=IDS)
@SMALL
@given(data=st.data())
def test_a_better_outcome_never_loses_made(
    definitions: dict[str, cyp.IndicatorDefinition], matrix: Matrix, data: st.DataObject
) -> None:
    """Raising a pupil's GCSE grade or KS2 level keeps "made" made (never not made or excluded)."""
    pupils = data.draw(raised_pupils(matrix))
    schema = {"prior": pl.String, "result": pl.String}
    priors = [p for p, _, _ in pupils]
    before = pl.DataFrame({"prior": priors, "result": [lo for _, lo, _ in pupils]}, schema=schema)
    after = pl.DataFrame({"prior": priors, "result": [hi for _, _, hi in pupils]}, schema=schema)
    definition = definitions[matrix.ident]
    was = cyp.classify_progress(before, definition, prior="prior", outcome="result")["progress"]
    now = cyp.classify_progress(after, definition, prior="prior", outcome="result")["progress"]
    for i, (old, new) in enumerate(zip(was.to_list(), now.to_list(), strict=True)):
        if old == "made":
            assert new == "made", pupils[i]


@pytest.mark.parametrize("matrix", MATRICES, ids=IDS)
def test_made_is_monotone_in_every_row_of_the_seed(matrix: Matrix) -> None:
    """In the seed transcription itself, once a graded column is made every better one is too."""
    cells = CELLS[matrix.ident]
    for row in matrix.rows:
        outcomes = [cells[(row, column)] for column in matrix.graded]
        first = outcomes.index("made")
        assert outcomes[first:] == ["made"] * (len(outcomes) - first), row
