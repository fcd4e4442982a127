"""The `published` command, and the helpers the thin command line now takes from the library."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.cli import main
from cyp_indicators.records import Period, coverage


def test_published_prints_dfe_figures_for_one_la_and_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pub.json"
    code = main(
        [
            "published",
            "cla_rate_per_10k",
            "--la",
            "E06000031",
            "--year",
            "2025",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    (row,) = json.loads(out.read_text(encoding="utf-8"))
    assert (row["area_name"], row["value"], row["time_label"]) == ("Peterborough", 72.0, "2025")
    assert main(["published", "--sources"]) == 0
    assert "2e30e39" in capsys.readouterr().out


def test_published_usage_and_data_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published"]) == 2
    assert "give a definition id" in capsys.readouterr().err
    assert main(["published", "cla_rate_per_10k", "--la", "999"]) == 1
    assert "'999'" in capsys.readouterr().err
    assert main(["published", "cla_rate_per_10kk"]) == 1
    assert "did you mean: cla_rate_per_10k" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("period_type", "start", "end"),
    [
        ("snapshot_31_march", dt.date(2019, 3, 31), dt.date(2019, 3, 31)),
        ("financial_year", dt.date(2018, 4, 1), dt.date(2019, 3, 31)),
        ("academic_year", dt.date(2018, 9, 1), dt.date(2019, 8, 31)),
        ("calendar_year", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    ],
)
def test_the_collection_year_rule_is_the_librarys(
    period_type: str, start: dt.date, end: dt.date
) -> None:
    period = Period.for_collection_year(2019, period_type)
    assert (period.start, period.end) == (start, end)


def test_coverage_says_outside_partial_or_covered() -> None:
    span = (dt.date(2016, 4, 3), dt.date(2017, 3, 28))  # one year's returns
    assert coverage(Period.financial_year(2017), span, "x").status == "covered"
    assert coverage(Period.financial_year(2016), span, "x").status == "outside"
    partial = coverage(Period.financial_year(2016), (dt.date(2015, 9, 1), span[1]), "x")
    assert partial.status == "partial"
    assert "only partly covered" in (partial.message or "")


def test_population_of_and_england_rows() -> None:
    pop = cyp.population_of("874")
    assert pop.filter(pl.col("mid_year") == 2024)["population"][0] == 57621
    with pytest.raises(cyp.UnknownAreaError):
        cyp.population_of("999")
    frame = pl.DataFrame(
        {
            "la": ["874", None, "E92000001"],
            "geographic_level": ["Local authority", "National", None],
        }
    )
    flags = frame.select(cyp.geography.is_england("la", frame.schema))["la"].to_list()
    assert flags == [False, True, True]


def test_compare_without_input_compares_dfes_published_figures(tmp_path: Path) -> None:
    """`compare ID --la 874` with no --input: DfE's figures compared as LAIT compares them."""
    out = tmp_path / "cmp.json"
    code = main(
        [
            "compare", "cla_rate_per_10k", "--la", "874", "--method", "mean",
            "--year", "2025", "--output", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    (row,) = json.loads(out.read_text(encoding="utf-8"))
    assert row["value"] == 72.0
    assert row["england_value"] == 67.0
    # LAIT's neighbour mean for Peterborough 2025 is 75.3; LAIT shows it, like every figure of a
    # measure, to the measure's decimal places (none for this rate), as the command line does
    assert row["sn_value"] == 75.0
    assert row["value_unrounded"] == 72.0
