"""Transition matrices: DfE's 2024 KS2->KS4 tables reproduced, completion, totals and suppression."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp

TM = Path(__file__).parent / "reference" / "dfe_tm"
KEYS = ["breakdown_topic", "breakdown", "ks2_scaled_score_group", "subject", "qualification_type"]


@pytest.mark.parametrize("file", ["ks2_ks4_tm_2024_91.csv", "ks2_ks4_tm_2024_combined_science.csv"])
def test_dfe_2024_row_percentages_reproduce(file: str) -> None:
    """From DfE's num_* counts, every published perc_* (row %, 1 dp, half up) is reproduced.

    DfE's code adds no tolerance when rounding: Boys / Film Studies / grade 6 is 399 of 2,800,
    computed as 14.2499999... and published 14.2 (with dfeR's tolerance it would be 14.3).
    """
    wide = pl.read_csv(TM / file, infer_schema_length=0)
    grades = [c.removeprefix("num_") for c in wide.columns if c.startswith("num_")]
    counts = wide.unpivot(
        on=[f"num_{g}" for g in grades], index=KEYS, variable_name="grade", value_name="count"
    ).with_columns(pl.col("grade").str.strip_prefix("num_"), pl.col("count").cast(pl.Int64))
    tm = cyp.transition_from_counts(
        counts, prior="ks2_scaled_score_group", outcome="grade", by=KEYS[:2] + KEYS[3:]
    )
    published = wide.unpivot(
        on=[f"perc_{g}" for g in grades], index=KEYS, variable_name="grade", value_name="published"
    ).with_columns(pl.col("grade").str.strip_prefix("perc_"), pl.col("published").cast(pl.Float64))
    joined = tm.join(published, on=[*KEYS, "grade"], how="inner")
    assert joined.height == wide.height * len(grades)
    totals = wide.select(*KEYS, pl.col("all_grades").cast(pl.Int64)).join(
        tm.group_by(KEYS).agg(pl.col("row_total").first()), on=KEYS
    )
    assert (totals["all_grades"] == totals["row_total"]).all()
    checked = joined.filter(pl.col("row_total") > 0)
    mismatch = checked.filter(pl.col("percent_shown") != pl.col("published"))
    assert mismatch.is_empty(), mismatch.select(
        *KEYS, "grade", "count", "row_total", "percent", "percent_shown", "published"
    )


def test_every_cell_is_present_with_totals() -> None:
    """Absent prior x outcome combinations appear with a count of 0; row totals cover each row."""
    pupils = pl.DataFrame(
        {"band": ["low", "low", "high"], "grade": ["4", "5", "9"], "fsm": [True, True, False]}
    )
    tm = cyp.transition_matrix(
        pupils,
        prior="band",
        outcome="grade",
        by=["fsm"],
        prior_order=["low", "high"],
        outcome_order=["4", "5", "9"],
    )
    assert tm.height == 2 * 2 * 3
    assert tm["count"].sum() == 3
    nine = tm.filter(pl.col("fsm").not_() & (pl.col("grade") == "9"))
    assert nine["column_total"].to_list() == [1, 1]  # grade 9 column of the non-FSM matrix
    low_fsm = tm.filter(pl.col("fsm") & (pl.col("band") == "low"))
    assert low_fsm["count"].to_list() == [1, 1, 0]
    assert low_fsm["percent_shown"].to_list() == [50.0, 50.0, 0.0]
    empty = tm.filter(~pl.col("fsm") & (pl.col("band") == "low"))
    assert empty["percent"].null_count() == 3  # an empty row has no percentages


def test_codes_outside_the_orders_are_an_error() -> None:
    """A grade the caller's order does not list is refused, not dropped."""
    pupils = pl.DataFrame({"band": ["low"], "grade": ["U"]})
    with pytest.raises(cyp.DataError, match="outside the given orders"):
        cyp.transition_matrix(pupils, prior="band", outcome="grade", outcome_order=["4", "5"])


def test_suppression_leaves_no_line_with_one_hidden_cell() -> None:
    """Primary: a row with one non-zero cell is withheld; secondary: no row or column then has
    exactly one withheld cell, so nothing can be unpicked from the totals; totals are unchanged."""
    counts = pl.DataFrame(
        {
            "band": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
            "grade": ["1", "2", "3", "4"] * 3,
            "count": [0, 7, 0, 0, 3, 5, 8, 2, 4, 6, 9, 1],
        }
    )
    tm = cyp.suppress_transition(
        cyp.transition_from_counts(counts, prior="band", outcome="grade"),
        prior="band",
        outcome="grade",
    )
    hidden = tm.filter(pl.col("suppressed"))
    assert set(hidden.filter(pl.col("band") == "a")["grade"]) == {"1", "2", "3", "4"}  # primary
    for line in ("band", "grade"):
        per_line = tm.group_by(line).agg(pl.col("suppressed").sum().alias("n"))
        assert not (per_line["n"] == 1).any(), line
    assert (
        tm["row_total"].to_list()
        == cyp.transition_from_counts(counts, prior="band", outcome="grade")["row_total"].to_list()
    )
    assert set(tm.filter(pl.col("suppressed"))["count_shown"]) == {"c"}


def test_rounding_tolerance_is_the_publications_choice() -> None:
    """399/2800 shows 14.2 with DfE's transition-matrix rounding and 14.3 with dfeR's tolerance."""
    counts = pl.DataFrame({"band": ["t", "t"], "grade": ["6", "other"], "count": [399, 2401]})
    tm = cyp.transition_from_counts(counts, prior="band", outcome="grade")
    assert tm.filter(pl.col("grade") == "6")["percent_shown"][0] == 14.2
    nudged = cyp.transition_from_counts(
        counts, prior="band", outcome="grade", rounding_tolerance=1.4901161193847656e-08
    )
    assert nudged.filter(pl.col("grade") == "6")["percent_shown"][0] == 14.3


@pytest.mark.parametrize(
    ("counts", "rows"),
    [
        pytest.param([2.7, 3.0, 4.0], (0,), id="fractional"),
        pytest.param([2, None, 4], (1,), id="missing"),
        pytest.param(["2", "c", "4"], (1,), id="suppressed"),
        pytest.param([2, -1, 4], (1,), id="negative"),
    ],
)
def test_counts_that_are_not_whole_numbers_are_refused(
    counts: list[object], rows: tuple[int]
) -> None:
    """A missing or suppressed cell is not 0 and 2.7 is not 2: each is an error naming its row."""
    frame = pl.DataFrame({"prior": ["a", "a", "b"], "outcome": ["x", "y", "x"], "count": counts})
    with pytest.raises(cyp.InvalidValueError, match="whole number") as info:
        cyp.transition_from_counts(frame, prior="prior", outcome="outcome")
    assert info.value.rows == rows


def test_text_counts_are_read() -> None:
    """Counts as text (a CSV read as text), thousands separators included, are read as numbers."""
    frame = pl.DataFrame({"prior": ["a", "a"], "outcome": ["x", "y"], "count": ["1,200", "300"]})
    out = cyp.transition_from_counts(frame, prior="prior", outcome="outcome")
    assert out["count"].to_list() == [1200, 300]
    assert out["percent"].to_list() == [80.0, 20.0]
