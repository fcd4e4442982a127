"""Expected progress behaviours that the mutation check (tools/mutation_check.py) found unpinned.

DfE's KS2 to KS4 expected progress (performance tables to 2015) counts three levels of progress
from the KS2 level: level 4 to grade C, level 5 to grade B (the definition's description, from the
2012 scrutiny pack's matrix and DfE's 2013 performance tables). Each GCSE grade is one level, so
C stands three above level 4 and B one above C; ``levels_of_progress`` is the outcome's level minus
the prior one. Worked by hand from that ladder.
"""

from __future__ import annotations

import polars as pl
import pytest

import cyp_indicators as cyp


@pytest.mark.parametrize(
    ("ks2", "gcse", "levels", "progress"),
    [
        ("4", "C", 3.0, "made"),
        ("5", "C", 2.0, "not_made"),
        ("5", "B", 3.0, "made"),
        ("3", "B", 5.0, "made"),
    ],
)
def test_levels_of_progress_are_outcome_minus_prior(
    ks2: str, gcse: str, levels: float, progress: str
) -> None:
    m = cyp.load_catalogue().get("ks2_ks4_expected_progress", year=2011)
    out = cyp.classify_progress(
        pl.DataFrame({"ks2": [ks2], "gcse": [gcse]}), m, prior="ks2", outcome="gcse"
    )
    assert out["levels_of_progress"].to_list() == [levels]
    assert out["progress"].to_list() == [progress]


def test_a_cohort_below_caution_below_is_flagged_and_one_of_that_size_is_not() -> None:
    """``caution`` marks groups whose included pupils are *below* ``caution_below`` (30 by
    default): 29 pupils are flagged, 30 are not. "Not included" pupils do not count."""
    m = cyp.load_catalogue().get("ks2_ks4_expected_progress", year=2011)
    pupils = pl.DataFrame(
        {
            "school": ["a"] * 29 + ["b"] * 30 + ["a"] * 3,
            "ks2": ["4"] * 59 + [None] * 3,
            "gcse": ["C"] * 59 + ["G"] * 3,
        }
    )
    classified = cyp.classify_progress(pupils, m, prior="ks2", outcome="gcse")
    assert classified["progress"].to_list()[-3:] == ["not_included"] * 3
    out = cyp.progress_rates(classified, by=["school"]).sort("school")
    assert out["included"].to_list() == [29, 30]
    assert out["caution"].to_list() == [True, False]
    flagged = cyp.progress_rates(classified, by=["school"], caution_below=29).sort("school")
    assert flagged["caution"].to_list() == [False, False]


def test_an_all_zero_row_of_a_transition_matrix_is_shown() -> None:
    """DfE's 16-18 English and maths progress matrix (data_creation.R) suppresses "a (sex,
    prior-attainment) row with exactly one non-zero outcome cell ... because that cell would equal
    the row total" (DfE's code as summarised in the project's research notes, section 9). A row of
    zeros gives nothing away: shown, and
    with no primary suppression there is nothing for secondary suppression to protect."""
    grid = {"A": [5, 3, 2], "B": [0, 0, 0], "C": [4, 6, 1]}
    matrix = pl.DataFrame(
        [
            {"prior": p, "grade": g, "count": c}
            for p, counts in grid.items()
            for g, c in zip(("x", "y", "z"), counts, strict=True)
        ]
    )
    out = cyp.suppress_transition(matrix, prior="prior", outcome="grade")
    assert not out["suppressed"].any()
    assert out["count_shown"].to_list() == [str(c) for counts in grid.values() for c in counts]
    # one non-zero cell in row B (7): the row is withheld. Then each column holds one withheld
    # cell, so its smallest visible non-zero cell goes too: x -> C's 4, y -> A's 3, z -> C's 1.
    # Row A now holds one (y), so its smallest visible non-zero cell goes: z's 2. Every line
    # then holds none or at least two withheld cells.
    grid["B"] = [0, 7, 0]
    matrix = matrix.with_columns(
        pl.Series("count", [c for counts in grid.values() for c in counts])
    )
    out = cyp.suppress_transition(matrix, prior="prior", outcome="grade")
    hidden = {(r["prior"], r["grade"]) for r in out.iter_rows(named=True) if r["suppressed"]}
    assert hidden == {
        ("B", "x"), ("B", "y"), ("B", "z"), ("C", "x"), ("A", "y"), ("C", "z"), ("A", "z")
    }  # fmt: skip


def test_secondary_suppression_withholds_a_non_zero_cell() -> None:
    """Secondary suppression withholds the smallest visible *non-zero* cell of a line (the rule
    suppress_transition documents; a true 0 stays shown while a count can cover). Row B (one
    non-zero cell, 7) is withheld; column x then loses C's 4, column y C's 6 (not A's 0), column
    z C's 1. Row C is then all withheld, row A all shown."""
    grid = {"A": [5, 0, 2], "B": [0, 7, 0], "C": [4, 6, 1]}
    matrix = pl.DataFrame(
        [
            {"prior": p, "grade": g, "count": c}
            for p, counts in grid.items()
            for g, c in zip(("x", "y", "z"), counts, strict=True)
        ]
    )
    out = cyp.suppress_transition(matrix, prior="prior", outcome="grade")
    hidden = {(r["prior"], r["grade"]) for r in out.iter_rows(named=True) if r["suppressed"]}
    assert hidden == {("B", "x"), ("B", "y"), ("B", "z"), ("C", "x"), ("C", "y"), ("C", "z")}
