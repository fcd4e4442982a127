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
    """`compare` prints an LA's value beside its neighbours' median (80 and 79: 79.5, shown to
    the rate's whole numbers, half away from zero: 80)."""
    values = tmp_path / "values.csv"
    values.write_text(
        "la_code,year,value\n874,2025,72\n331,2025,80\n831,2025,79\n", encoding="utf-8"
    )
    out_file = tmp_path / "out.json"
    argv = ["compare", "cla_rate_per_10k", "--input", str(values), "--la", "874"]
    assert main([*argv, "--output", str(out_file)]) == 0
    (row,) = json.loads(out_file.read_text(encoding="utf-8"))
    assert row["sn_value"] == 80.0


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
    from cyp_indicators.cli import ProgressBar as _ProgressBar

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
    """Without --year there is no period: a usage error, one line on stderr, exit code 2."""
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903"]
    assert main([*args, "--input", str(RECORDS / "demand_model")]) == 2
    err = capsys.readouterr().err
    assert "--year" in err
    assert "Traceback" not in err


def test_compute_from_records_rejects_an_unknown_la(capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt LA code is a data problem, not a traceback."""
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2019"]
    assert main([*args, "--input", str(RECORDS / "demand_model"), "--la", "999"]) == 1
    assert "999" in capsys.readouterr().err


def _exit_code(argv: list[str]) -> int:
    """The exit code, whether main returns it or argparse raises SystemExit."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(str(exc.code))


RECORDS_ARGS = ("compute", "cla_rate_per_10k", "--records", "ssda903")


def _values_csv(folder: Path, la_column: str = "la_code", codes: tuple[str, ...] = ()) -> Path:
    path = folder / "values.csv"
    codes = codes or ("874", "331", "831")
    rows = "".join(
        f"{code},2025,{value}\n" for code, value in zip(codes, (72, 80, 79), strict=True)
    )
    path.write_text(f"{la_column},year,value\n{rows}", encoding="utf-8")
    return path


def test_compare_writes_csv_with_lists_as_text(tmp_path: Path) -> None:
    """sn_missing (a list) is written to CSV as text; JSON, Parquet and XLSX keep working."""
    values = _values_csv(tmp_path)
    for suffix in (".csv", ".json", ".parquet", ".xlsx"):
        out = tmp_path / f"compared{suffix}"
        argv = ["compare", "cla_rate_per_10k", "--input", str(values), "--output", str(out)]
        assert main(argv) == 0
        assert out.exists()
    missing = pl.read_parquet(tmp_path / "compared.parquet")["sn_missing"].to_list()
    written = pl.read_csv(tmp_path / "compared.csv", infer_schema_length=0)["sn_missing"]
    assert written.to_list() == [", ".join(m) for m in missing]
    assert "312, 350" in written[0]


@pytest.mark.parametrize("year", ["2010", "2030"])
def test_records_outside_the_year_asked_for_is_an_error(
    year: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --year the records do not cover at all: exit 1, naming the span of dates found."""
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", year]
    assert main([*args, "--input", str(RECORDS / "demand_model"), "--la", "874"]) == 1
    err = capsys.readouterr().err
    assert f"the period {year}-03-31 lies outside the dates in the records" in err
    assert "2013-08-27 to 2022-03-27" in err
    assert len(err.strip().splitlines()) == 1


def test_records_partly_covering_the_period_warn(capsys: pytest.CaptureFixture[str]) -> None:
    """FY 2013-14 when the records start in August 2013: a figure, with a warning on stderr."""
    args = ["compute", "cla_starts_rate_per_10k", "--records", "ssda903", "--year", "2014"]
    assert main([*args, "--input", str(RECORDS / "demand_model")]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err
    assert "FY 2013-14 is only partly covered" in err


def test_records_without_the_table_needed_are_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A header-only SSDA903, or CIN tables without assessments: exit 1 naming the table."""
    header_only = tmp_path / "903"
    header_only.mkdir()
    header = (RECORDS / "demand_model" / "2017-header.csv").read_text(encoding="utf-8")
    (header_only / "2017-header.csv").write_text(header, encoding="utf-8")
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2017"]
    assert main([*args, "--input", str(header_only)]) == 1
    assert "SSDA903 episodes table(s), but the records" in capsys.readouterr().err

    cin = tmp_path / "cin"
    cin.mkdir()
    (cin / "cin_details.csv").write_text("LAchildID,CINreferralDate\nA1,2019-05-01\n", "utf-8")
    args = ["compute", "referral_to_assessment_conversion", "--records", "cin-tables"]
    assert main([*args, "--year", "2020", "--input", str(cin)]) == 1
    assert "CIN census assessments table(s)" in capsys.readouterr().err


def test_records_population_by_ons_code(tmp_path: Path) -> None:
    """--la E06000031 gives the same rate as --la 874 (Peterborough)."""
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2019"]
    args += ["--input", str(RECORDS / "demand_model")]
    values = []
    for la in ("874", "E06000031"):
        out = tmp_path / f"{la}.csv"
        assert main([*args, "--la", la, "--output", str(out)]) == 0
        values.append(pl.read_csv(out)["value"].to_list())
    assert values[0] == values[1]
    assert values[1][0] is not None


def test_compare_la_in_a_column_of_ons_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--la 874 finds E06000031 in --la-column; an LA absent from the data is exit 1."""
    values = _values_csv(tmp_path, "new_la_code", ("E06000031", "E08000026", "E10000024"))
    argv = ["compare", "cla_rate_per_10k", "--input", str(values), "--la-column", "new_la_code"]
    assert main([*argv, "--la", "874"]) == 0
    out = capsys.readouterr().out
    assert "E06000031" in out
    assert "E08000026" not in out
    assert main([*argv, "--la", "873"]) == 1
    assert "LA '873' not found in column 'new_la_code'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "--family", "nonsense"], "invalid choice: 'nonsense'"),
        (["show", "cla_rate_per_10k", "--version", "abc"], "version pin must look like"),
        (["demo", "--years", "0", "--no-report"], "--years: must be at least 1, got 0"),
        (["report", "--years", "0"], "--years: must be at least 1, got 0"),
        (["compute", "cla_rate_per_10k", "--input", "{counts}", "--la", "874"], "--la applies"),
        (["compute", "cla_rate_per_10k", "--input", "{counts}", "--population", "5"], "only"),
        (["compute", "cla_rate_per_10k", "--input", "{counts}", "--exclusions", "x.csv"], "only"),
        (["compute", "cla_rate_per_10k", "--input", "{counts}", "--sheet", "a"], "Excel input"),
        (
            [*RECORDS_ARGS, "--input", "{counts}", "--year", "2019", "--numerator", "n"],
            "--numerator applies only to a table of counts",
        ),
        (
            ["compare", "cla_rate_per_10k", "--input", "{counts}", "--sn", "2021", "--groups", "g"],
            "not both",
        ),
    ],
)
def test_bad_arguments_are_usage_errors(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad or inapplicable options: exit 2 with the reason, never a traceback."""
    counts = tmp_path / "counts.csv"
    counts.write_text("cla_at_31_march,population_0_17\n416,57621\n", encoding="utf-8")
    assert _exit_code([a.format(counts=counts) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_unreadable_workbooks_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV renamed to .xlsx: 'could not be read as an Excel workbook', naming the file."""
    renamed = tmp_path / "counts.xlsx"
    renamed.write_text("cla_at_31_march,population_0_17\n416,57621\n", encoding="utf-8")
    assert main(["compute", "cla_rate_per_10k", "--input", str(renamed)]) == 1
    err = capsys.readouterr().err
    assert "counts.xlsx': could not be read as an Excel workbook" in err
    assert "Traceback" not in err
    assert main(["compare", "cla_rate_per_10k", "--input", str(renamed)]) == 1
    assert "could not be read as an Excel workbook" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compute", "cla_rate_per_10k", "--input", "{tmp}"], "is a folder"),
        (
            ["compare", "cla_rate_per_10k", "--input", "{values}", "--groups", "nonexist.toml"],
            "comparator-set file 'nonexist.toml' does not exist",
        ),
        (["validate", "{values}"], "validate takes a folder or one .toml file"),
        (["validate", "{tmp}/empty"], "no definition files"),
    ],
)
def test_messages_say_what_is_wrong(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder is not 'no such file'; a missing groups file is named without [Errno 2]."""
    values = _values_csv(tmp_path)
    (tmp_path / "empty").mkdir()
    assert main([a.format(tmp=tmp_path, values=values) for a in argv]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Errno" not in err
    assert len(err.strip().splitlines()) == 1


def test_validate_a_folder_of_packs_only_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "2020.toml").write_text("year = 2020\n", "utf-8")
    assert main(["validate", str(tmp_path)]) == 1
    assert "no definition files" in capsys.readouterr().err


def test_validate_one_file(capsys: pytest.CaptureFixture[str]) -> None:
    """validate takes a single definition file (or a comparator set) as well as a folder."""
    definition = EXAMPLES / "front_door" / "contacts_to_early_help_pct.v1.toml"
    assert main(["validate", str(definition)]) == 0
    assert "valid (contacts_to_early_help_pct@1.0.0)" in capsys.readouterr().out
    comparators = next((EXAMPLES / "comparators").glob("*.toml"))
    assert main(["validate", str(comparators)]) == 0
    assert "valid (comparator set" in capsys.readouterr().out


def test_debug_after_the_subcommand_shows_the_traceback() -> None:
    """--debug is accepted before or after the subcommand, and then the error propagates."""
    for argv in (["--debug", "show", "no_such_id"], ["show", "no_such_id", "--debug"]):
        with pytest.raises(cyp.UnknownDefinitionError):
            main(argv)
    assert main(["show", "cla_rate_per_10k", "--debug"]) == 0


def test_data_errors_name_the_file_and_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error about rows of a CSV input names the file and the file's line (header = line 1)."""
    counts = tmp_path / "referrals.csv"
    counts.write_text("la,referrals,re_referrals\n874,10,3\n873,10,4\n875,10,12\n", "utf-8")
    assert main(["compute", "re_referral_within_12_months_pct", "--input", str(counts)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"cyp-indicators: {counts}: column 're_referrals'")
    assert "position 2" in err
    assert "line 4 of the file" in err


def test_compare_a_dfe_download(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DfE's column names by option; national and regional rows (no LA code) are left out."""
    download = Path(__file__).parent / "reference" / "dfe" / "c1_referrals_and_rereferrals.csv"
    out = tmp_path / "compared.json"
    argv = ["compare", "re_referral_within_12_months_pct", "--input", str(download), "--la", "874"]
    argv += ["--la-column", "new_la_code", "--year-column", "time_period"]
    assert main([*argv, "--value", "rereferral_percent", "--output", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert {r["new_la_code"] for r in rows} == {"E06000031"}
    assert all(r["sn_value"] is not None for r in rows)
    assert "with no LA code in column 'new_la_code' (England, regions) left out" in (
        capsys.readouterr().err
    )
    # England from the download's national row: 2025 is 22.6 %, Peterborough 19.8 %
    latest = next(r for r in rows if r["time_period"] == "2025")
    assert latest["england_value"] == "22.6"
    assert latest["gap_to_england"] == pytest.approx(-2.8)
    assert latest["gap_to_england_unit"] == "percentage points"


def test_compare_without_an_england_row_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = tmp_path / "values.csv"
    values.write_text("la_code,year,value\n874,2025,72\n873,2025,60\n", "utf-8")
    assert main(["compare", "cla_rate_per_10k", "--input", str(values), "--la", "874"]) == 0
    captured = capsys.readouterr()
    assert "no England row" in captured.err
    assert "england_value" not in captured.out


def test_compare_errors_give_the_line_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The line is the file's own, even when a national row (no LA code) was left out first."""
    values = tmp_path / "values.csv"
    values.write_text("la_code,year,value\n,2025,70\n874,2025,72\n331,2025,abc\n", "utf-8")
    assert main(["compare", "cla_rate_per_10k", "--input", str(values)]) == 1
    err = capsys.readouterr().err
    assert f"cyp-indicators: {values}: column 'value'" in err
    assert "[line 4 of the file" in err


def test_list_shows_topic_and_family_and_filters_by_the_topic_show_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["show", "care_leavers_neet_pct"]) == 0
    shown = capsys.readouterr().out
    topic = next(line for line in shown.splitlines() if line.strip().startswith("topic:"))
    name = topic.split(":", 1)[1].split()[0]
    assert name == "care_leavers"
    assert main(["list", "--topic", name, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows
    assert {r["topic"] for r in rows} == {"care_leavers"}
    assert {"id", "version", "topic", "family", "title"} <= set(rows[0])
    assert "care_leavers_neet_pct" in {r["id"] for r in rows}
    assert main(["list", "--topic", "Care leavers", "--json"]) == 0  # its title does too
    assert json.loads(capsys.readouterr().out) == rows


def test_an_unknown_topic_is_an_error_listing_the_topics(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 15: `list --topic social_care` printed an empty table with exit 0."""
    assert main(["list", "--topic", "social_care"]) == 1
    err = capsys.readouterr().err
    for topic in ("children_in_need", "looked_after_children", "care_leavers", "education"):
        assert topic in err
    with pytest.raises(cyp.UnknownTopicError):
        cyp.load_catalogue().list(topic="social_care")


def test_show_prints_provenance_and_links(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "cla_rate_per_10k"]) == 0
    out = capsys.readouterr().out
    d = cyp.load_catalogue().get("cla_rate_per_10k")
    assert d.provenance.ees is not None
    assert f"LAIT measure {d.provenance.lait_measure_code}: LAC" in out
    assert d.provenance.ees.file in out
    assert d.provenance.ees.numerator_column in out
    for url in d.provenance.urls:
        assert f"link: {url}" in out
    for metric in d.provenance.csc_dashboard_metrics:
        assert metric in out
