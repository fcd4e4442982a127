"""The seed-reproduction examples run, keep the seeds' layouts and say what they claim."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cyp_indicators as cyp

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEED_EXAMPLES = ("scrutiny_pack_ks2_ks4.py", "self_assessment_social_care.py")


@pytest.fixture(scope="module")
def scrutiny() -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLES / "scrutiny_pack_ks2_ks4.py"), run_name="example")


@pytest.fixture(scope="module")
def scrutiny_data(scrutiny: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    ks4, ks2 = scrutiny["cohorts"]()
    return ks4, ks2


@pytest.fixture(scope="module")
def scrutiny_tables(
    scrutiny: dict[str, Any], scrutiny_data: tuple[pl.DataFrame, pl.DataFrame]
) -> dict[str, pl.DataFrame]:
    tables: dict[str, pl.DataFrame] = scrutiny["scrutiny_pack_tables"](*scrutiny_data)
    return tables


@pytest.fixture(scope="module")
def social_care() -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLES / "self_assessment_social_care.py"), run_name="example")


@pytest.fixture(scope="module")
def social_table(social_care: dict[str, Any]) -> pl.DataFrame:
    table: pl.DataFrame = social_care["social_care_table"]()
    return table


# --- the scrutiny pack appendix (synthetic cohort) ---------------------------------------------


def test_scrutiny_tables_have_the_seed_layout(scrutiny_tables: dict[str, pl.DataFrame]) -> None:
    """Rows are the seed's pupil groups (003:L873-880), columns the years and the 3yr av."""
    assert set(scrutiny_tables) == {"ks2_level4_english_maths", "ks2_ks4_english", "ks2_ks4_maths"}
    for table in scrutiny_tables.values():
        assert table.columns == ["row", "2009", "2010", "2011", "3yr av."]
        assert table["row"].to_list() == [
            "All pupils", "Boys", "Girls", "EAL", "non-EAL", "FSM", "non-FSM",
        ]  # fmt: skip
        assert all(table[c].dtype == pl.Int64 for c in table.columns[1:])
        assert table.null_count().sum_horizontal().item() == 0
        assert all(0 <= v <= 100 for c in table.columns[1:] for v in table[c])


def test_three_year_average_is_the_mean_of_the_whole_percentages(
    scrutiny_tables: dict[str, pl.DataFrame],
) -> None:
    """As the seed: 56, 64, 65 -> 62 (003:L870); the mean of what is shown, half away from zero."""
    for table in scrutiny_tables.values():
        for row in table.iter_rows(named=True):
            mean = (row["2009"] + row["2010"] + row["2011"]) / 3
            assert row["3yr av."] == cyp.round_half_away(mean, 0)


def test_cohort_profile_follows_the_seed(
    scrutiny: dict[str, Any], scrutiny_data: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    """EAL and no-prior shares are the seed's (003:L755-769, L920-932); the example says synthetic."""
    assert "SYNTHETIC" in scrutiny["__doc__"]
    profile = scrutiny["cohort_profile"](*scrutiny_data)
    ks2_2011 = profile.filter((pl.col("stage") == "KS2") & (pl.col("year") == 2011)).row(
        0, named=True
    )
    assert ks2_2011["eal_pct"] == 29.5
    assert ks2_2011["no_prior_result_pct"] == 8.4
    ks4 = profile.filter(pl.col("stage") == "KS4").sort("year")
    assert ks4["eal_pct"].to_list() == [17.5, 21.9, 22.7]
    assert ks4["no_prior_result_pct"].to_list() == [6.6, 7.0, 9.0]
    assert all(1_900 <= n <= 2_400 for n in profile["pupils"])
    assert all(15 <= p <= 25 for p in profile["fsm_pct"])


def _made_by_hand(ks2: str | None, gcse: str | None) -> str:
    """The v1 KS2 -> KS4 rule written out independently: three levels, B from level 5 and 6."""
    level = {"G": 3, "F": 4, "E": 5, "D": 6, "C": 7, "B": 8, "A": 9, "A*": 10}
    if gcse is None or gcse == "U":
        return "not_made"
    if ks2 is None:
        return "made" if level[gcse] >= 8 else "not_included"
    return "made" if level[gcse] - int(ks2) >= 3 else "not_made"


def test_expected_progress_counts_checked_by_hand(
    scrutiny_tables: dict[str, pl.DataFrame], scrutiny_data: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    """Each year's city and FSM percentages equal made / (made + not made) counted by hand."""
    ks4, _ = scrutiny_data
    for subject in ("english", "maths"):
        table = scrutiny_tables[f"ks2_ks4_{subject}"]
        for year in (2009, 2010, 2011):
            pupils = ks4.filter(pl.col("year") == year)
            for label, rows in (("All pupils", pupils), ("FSM", pupils.filter(pl.col("fsm")))):
                cells = [
                    _made_by_hand(a, b)
                    for a, b in zip(rows[f"ks2_{subject}"], rows[f"gcse_{subject}"], strict=True)
                ]
                made, not_made = cells.count("made"), cells.count("not_made")
                assert (
                    cells.count("not_included") > 0
                )  # pupils with no KS2 result leave the measure
                expected = cyp.round_half_away(100 * made / (made + not_made), 0)
                shown = table.filter(pl.col("row") == label)[str(year)].item()
                assert shown == expected, (subject, year, label)


def test_level4_table_checked_by_hand(
    scrutiny_tables: dict[str, pl.DataFrame], scrutiny_data: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    """KS2 level 4+ English and maths: pupils at level 4+ in both over all eligible pupils."""
    _, ks2 = scrutiny_data
    table = scrutiny_tables["ks2_level4_english_maths"]
    for year in (2009, 2010, 2011):
        for label, flag in (("EAL", True), ("non-EAL", False)):
            rows = ks2.filter((pl.col("year") == year) & (pl.col("eal") == flag))
            share = rows["level4_english_maths"].cast(pl.Float64).mean()
            assert isinstance(share, float)
            expected = cyp.round_half_away(100 * share, 0)
            assert table.filter(pl.col("row") == label)[str(year)].item() == expected


def test_scrutiny_cohort_is_reproducible(scrutiny: dict[str, Any]) -> None:
    """A fixed seed gives the same pupils; another seed gives other pupils, same layout."""
    first, _ = scrutiny["cohorts"]()
    again, _ = scrutiny["cohorts"]()
    other, _ = scrutiny["cohorts"](7)
    assert first.equals(again)
    assert not first.equals(other)


# --- the self-assessment's social-care figures (DfE's published values) ------------------------

LAIT = (
    Path(__file__).resolve().parents[1] / "src/cyp_indicators/data/published/lait/bds_long.parquet"
)
APRIL_2021_NEIGHBOURS = (831, 894, 887, 335, 879, 852, 851, 373, 350, 372)  # of 874, DfE's list


def _lait(short: str, year: str, la: int | None = 874) -> float:
    """One value from LAIT's own file, read without the library."""
    rows = pl.read_parquet(LAIT).filter((pl.col("Short Desc") == short) & (pl.col("Years") == year))
    if la is None:
        rows = rows.filter(pl.col("LA and Regions") == "England")
    else:
        rows = rows.filter(pl.col("LA Number") == la)
    return float(rows["Values"].item())


def _neighbour_mean(short: str, year: str) -> float:
    return sum(_lait(short, year, la) for la in APRIL_2021_NEIGHBOURS) / 10


def test_social_care_table_has_a_row_per_seed_statement(
    social_care: dict[str, Any], social_table: pl.DataFrame
) -> None:
    assert social_table.columns == ["source", "statement", "seed", "library", "status", "note"]
    assert social_table.height == len(social_care["SEED"])
    assert social_table["statement"].to_list() == [s.statement for s in social_care["SEED"]]
    assert set(social_table["source"]) == {
        "002:L120", "002:L124", "002:L387", "002:L1182", "002:L1188",
    }  # fmt: skip
    assert all(len(note) > 10 for note in social_table["note"])
    assert set(social_table["status"]) <= {"reproduces", "close", "differs", "consistent"}


def _row(table: pl.DataFrame, statement_start: str) -> dict[str, Any]:
    return table.filter(pl.col("statement").str.starts_with(statement_start)).row(0, named=True)


def test_every_figure_is_the_published_one(social_table: pl.DataFrame) -> None:
    """Each library figure is LAIT's value for Peterborough (874), read here from LAIT's file."""
    expected = {
        "children subject to CP plans": f"{_lait('CPP_Num', '2017'):.0f}",
        "CPP rate per 10,000": f"{_lait('CPP_rate', '2017'):.1f}",
        "CPP numbers in April 2016": f"{_lait('CPP_Num', '2016'):.0f}",
        "children looked after, end of March": f"{_lait('LACnum', '2017'):.0f}",
        "CLA rate per 10,000": f"{_lait('LAC', '2017'):.0f}",
        "referral rates 'very high'": f"{_lait('CPP_Total_Rateper10,000', '2016'):.1f}",
        "referral rate per 10,000": f"{_lait('CPP_Total_Rateper10,000', '2017'):.1f}",
        "referral rate, Plymouth": f"{_lait('CPP_Total_Rateper10,000', '2016', 879):.1f}",
    }
    for start, value in expected.items():
        assert _row(social_table, start)["library"] == value, start
    assert _row(social_table, "CPP rate per 10,000")["library"] == "49.6"  # the seed's 50
    assert _row(social_table, "CPP rate per 10,000")["status"] == "reproduces"
    assert _row(social_table, "referral rate, Plymouth")["status"] == "reproduces"


def test_neighbour_averages_are_the_mean_of_the_ten(social_table: pl.DataFrame) -> None:
    """LAIT's rule: the mean of the ten neighbours' published values (2015/16 here)."""
    for start, short in (
        ("CPP rate, SN average", "CPP_rate"),
        ("referral rate, SN average", "CPP_Total_Rateper10,000"),
        ("s47 rate, SN average", "Section_47"),
    ):
        mean = _neighbour_mean(short, "2016")
        assert _row(social_table, start)["library"] == f"{cyp.round_half_away(mean, 1):.1f}"
    cla = _row(social_table, "CLA rate, SN rate")
    assert (cla["seed"], cla["library"], cla["status"]) == ("79.5", "79.5", "reproduces")
    below = [
        la for la in APRIL_2021_NEIGHBOURS if _lait("CPP_Total_Rateper10,000", "2016", la) < 500
    ]
    assert _row(social_table, "SNs with referral rates")["library"] == str(len(below))


def test_social_care_benchmark(social_care: dict[str, Any]) -> None:
    """The committee view: Peterborough, the SN mean and England for each measure, as published."""
    wide: pl.DataFrame = social_care["benchmark"]()
    assert wide.columns == ["indicator", "row", "2016", "2017"]
    cpp = wide.filter(
        pl.col("indicator").str.starts_with("Children subject to a child protection plan per")
    )
    assert cpp["row"].to_list() == ["Peterborough", "Statistical neighbours (mean)", "England"]
    assert cpp["2017"].to_list() == [
        "49.6",
        f"{cyp.round_half_away(_neighbour_mean('CPP_rate', '2017'), 1):.1f}",
        f"{_lait('CPP_rate', '2017', None):.1f}",
    ]


# --- standalone ---------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SEED_EXAMPLES)
def test_seed_examples_run_as_scripts(script: str, tmp_path: Path) -> None:
    """Each runs from the command line, from any directory, printing its tables."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.stderr == ""
    if script.startswith("scrutiny"):
        assert "SYNTHETIC" in done.stdout
        assert "3yr av." in done.stdout
    else:
        assert "002:L120" in done.stdout
        assert "reproduces" in done.stdout
