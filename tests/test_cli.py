"""The command line: subcommands, outputs, exit codes and one-line errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "local_definitions"


def test_list_filters_and_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`list --family rate --json` prints the rate definitions."""
    assert main(["list", "--family", "rate", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"cla_rate_per_10k", "cin_rate_per_10k"} <= {r["id"] for r in rows}
    assert {r["family"] for r in rows} == {"rate"}


def test_show_a_pinned_version_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`show ID --version 1 --json` prints the definition document."""
    assert main(["show", "referral_to_assessment_conversion", "--version", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == "1.0.0"
    assert doc["valid_to"] == 2013


def test_show_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    """`show ID --year` prints the definition a reader can check."""
    assert main(["show", "cla_rate_per_10k", "--year", "2020"]) == 0
    out = capsys.readouterr().out
    assert "cla_rate_per_10k@1.0.0" in out
    assert "numerator:" in out


def test_compute_writes_each_output_type(tmp_path: Path) -> None:
    """`compute` reads a CSV and writes CSV, Parquet and JSON, presented when asked."""
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "la,cla_at_31_march,population_0_17\n874,416,57621\n873,c,150000\n", encoding="utf-8"
    )
    for suffix in (".csv", ".parquet", ".json"):
        out = tmp_path / f"out{suffix}"
        assert (
            main(
                [
                    "compute",
                    "cla_rate_per_10k",
                    "--input",
                    str(counts),
                    "--present",
                    "--output",
                    str(out),
                ]
            )
            == 0
        )
        assert out.exists()
    frame = pl.read_parquet(tmp_path / "out.parquet")
    assert frame["display"].to_list() == ["72", "c"]


def test_compare_one_la(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`compare` prints an LA's value beside its neighbours' median."""
    values = tmp_path / "values.csv"
    values.write_text(
        "la_code,year,value\n874,2025,72\n331,2025,80\n831,2025,79\n", encoding="utf-8"
    )
    assert main(["compare", "cla_rate_per_10k", "--input", str(values), "--la", "874"]) == 0
    out = capsys.readouterr().out
    assert "79.5" in out


def test_validate_a_council_folder(capsys: pytest.CaptureFixture[str]) -> None:
    """`validate DIR` loads a council's folder exactly as the bundled one."""
    assert main(["validate", str(EXAMPLES)]) == 0
    assert "valid" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "cla_rate_per_10000"], "did you mean: cla_rate_per_10k"),
        (["compute", "cla_rate_per_10k", "--input", "/no/such/file.csv"], "no such file"),
        (
            ["compare", "cla_rate_per_10k", "--input", "{values}", "--la", "999"],
            "LA code '999' does not exist",
        ),
        (
            [
                "compute",
                "cla_rate_per_10k",
                "--input",
                "{counts}",
                "--output",
                "/no/such/folder/out.csv",
            ],
            "cannot write",
        ),
    ],
)
def test_problems_are_one_line_on_stderr_with_exit_1(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Data problems print one line on stderr and exit 1, never a traceback."""
    (tmp_path / "values.csv").write_text("la_code,year,value\n874,2025,72\n", encoding="utf-8")
    (tmp_path / "counts.csv").write_text(
        "cla_at_31_march,population_0_17\n416,57621\n", encoding="utf-8"
    )
    argv = [a.format(values=tmp_path / "values.csv", counts=tmp_path / "counts.csv") for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_usage_errors_exit_2() -> None:
    """A wrong subcommand is a usage error (exit 2)."""
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_report_writes_html_and_excel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`report --la ... --out DIR` writes both files and says where."""
    assert main(["report", "--la", "E06000031", "--years", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "benchmark_874.html").exists()
    assert (tmp_path / "benchmark_874.xlsx").exists()
    assert "benchmark_874.html" in out


def test_report_for_an_unknown_la_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An LA code that does not exist: exit 1 and one line on stderr."""
    assert main(["report", "--la", "999", "--out", str(tmp_path)]) == 1
    assert "999" in capsys.readouterr().err


def test_compute_reads_an_excel_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """XLSX input by sheet name; a missing sheet is one line naming it."""
    book = tmp_path / "counts.xlsx"
    pl.DataFrame({"cla_at_31_march": [416], "population_0_17": [57621]}).write_excel(
        book, worksheet="counts"
    )
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "compute",
                "cla_rate_per_10k",
                "--input",
                str(book),
                "--sheet",
                "counts",
                "--present",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    assert pl.read_csv(out)["display"].to_list() == [72]
    assert main(["compute", "cla_rate_per_10k", "--input", str(book), "--sheet", "nope"]) == 1
    assert "sheet 'nope'" in capsys.readouterr().err


def test_progress_bar_hides_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing is drawn on stderr when it is not a terminal (pytest captures it)."""
    from cyp_indicators.cli import _ProgressBar

    bar = _ProgressBar("report")
    bar(1, 3, "step")
    bar.close()
    assert capsys.readouterr().err == ""
    bar.shown = True
    bar(1, 3, "step")
    assert "1/3" in capsys.readouterr().err


RECORDS = Path(__file__).parent / "reference" / "records"


def test_compute_from_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """compute --records derives a figure from child-level files, as derive() does."""
    out, excluded = tmp_path / "cla.csv", tmp_path / "excluded.csv"
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2019"]
    args += ["--input", str(RECORDS / "demand_model"), "--la", "874"]
    assert main([*args, "--output", str(out), "--exclusions", str(excluded)]) == 0

    pop = cyp.population_estimates().filter(pl.col("old_la_code") == "874")
    expected = cyp.derive(
        cyp.load_catalogue().get("cla_rate_per_10k", year=2019),
        cyp.read_ssda903(RECORDS / "demand_model"),
        period=cyp.Period.snapshot(dt.date(2019, 3, 31)),
        population=pop.select("mid_year", "population"),
    )
    got = pl.read_csv(out)
    assert got["value"].to_list() == pytest.approx(expected.values["value"].to_list())
    assert got["numerator"].to_list() == expected.values["numerator"].to_list()
    assert pl.read_csv(excluded).height == expected.exclusions.height
    assert "not counted" in capsys.readouterr().err


def test_compute_from_records_needs_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --year there is no period: one line on stderr, exit code 1."""
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903"]
    assert main([*args, "--input", str(RECORDS / "demand_model")]) == 1
    err = capsys.readouterr().err
    assert "--year" in err
    assert "Traceback" not in err


def test_compute_from_records_rejects_an_unknown_la(capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt LA code is a data problem, not a traceback."""
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2019"]
    assert main([*args, "--input", str(RECORDS / "demand_model"), "--la", "999"]) == 1
    assert "999" in capsys.readouterr().err
