"""`report --input FILE`: the council's own figures beside DfE's (issue 15 part 4).

The published figures compared are DfE's (``cyp.published``); a figure worked from counts is
checked against Wilson's interval written out here.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators import round_half_away
from cyp_indicators.cli import main
from cyp_indicators.reports.benchmark_report import Report, build_report, write_html, write_xlsx
from cyp_indicators.reports.own_figures import OWN_LABEL, own_figures, read_own_figures

openpyxl = pytest.importorskip("openpyxl")

CLA = "cla_rate_per_10k"
RR = "re_referral_within_12_months_pct"


def _table(sheet: Any) -> list[dict[str, Any]]:
    header = [c.value for c in sheet[4]]
    rows: list[dict[str, Any]] = []
    for row in sheet.iter_rows(min_row=5):
        if row[0].value is None:
            break
        rows.append({h: c for h, c in zip(header, row, strict=False) if h})
    return rows


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def own_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Derby's own figures: the CLA rate for 2025 (DfE has it) and 2026 (DfE has not), and a
    withheld re-referral rate for 2026."""
    folder = tmp_path_factory.mktemp("own")
    return _csv(
        folder / "derby_own.csv",
        "indicator_id,year,value,lower_95,upper_95\n"
        f"{CLA},2025,88.44,84.1,92.9\n"
        f"{CLA},2026,85.26,81.04,89.6\n"
        f"{RR},2026,c,,\n",
    )


@pytest.fixture(scope="module")
def with_own(own_file: Path) -> Report:
    own = read_own_figures(own_file, la="831", indicators=[CLA, RR])
    return build_report("831", indicators=[CLA, RR], own=own)


def test_years_the_published_data_lacks_appear_marked_as_the_councils_own(
    with_own: Report, tmp_path: Path
) -> None:
    """2026 is in the report (DfE publishes to 2025): the LA's published figure is x, the
    council's own figure is beside it, marked, in the model, the HTML, the workbook and the
    tidy rows."""
    assert with_own.years[-1] == 2026
    cla, rr = with_own.sections
    last = cla.series[-1]
    assert last.year == 2026
    assert (last.la.value, last.la.text) == (None, "x")
    assert last.own is not None
    assert (last.own.value, last.own.text) == (85.0, "85")  # 85.26 to the definition's 0 dp
    assert (last.own_lower, last.own_upper) == (81.0, 90.0)
    assert cla.own_only_years == (2026,)
    assert rr.series[-1].own is not None
    assert rr.series[-1].own.text == "c"
    assert cla.latest_year == 2025  # the comparison stays on DfE's latest year

    html = write_html(with_own, tmp_path / "r.html").read_text(encoding="utf-8")
    label = escape(OWN_LABEL)
    assert f"Derby: {label}" in html  # the series table's row and the chart's legend
    assert 'class="series series-own"' in html
    assert label in html.split('id="summary-heading"')[1].split("</section>")[0]

    sheet = openpyxl.load_workbook(write_xlsx(with_own, tmp_path / "r.xlsx"))["Looked after"]
    rows = {r["Year"].value: r for r in _table(sheet) if r["Indicator"].value == cla.title}
    assert rows[2026]["Figure source"].value == OWN_LABEL
    assert rows[2026]["Council's own figure"].value == 85
    assert (rows[2026]["Own 95% CI lower"].value, rows[2026]["Own 95% CI upper"].value) == (81, 90)
    assert rows[2026]["Derby"].value == "x"
    assert rows[2025]["Figure source"].value == "computed"

    own_rows = with_own.tidy.filter(pl.col("row_kind") == "la_own")
    assert set(own_rows["figure_source"].to_list()) == {OWN_LABEL}
    assert sorted(own_rows.filter(pl.col("indicator_id") == CLA)["year"].to_list()) == [2025, 2026]


def test_where_both_exist_dfes_figure_is_the_one_compared(
    with_own: Report, catalogue: cyp.Catalogue
) -> None:
    """2025: the LA's value is DfE's published one, compared with England; the council's 88.44
    is shown beside it, not compared."""
    cla = with_own.sections[0]
    point = next(p for p in cla.series if p.year == 2025)
    pub = cyp.published(catalogue.get(CLA))
    derby = pub.filter((pl.col("area_code") == "831") & (pl.col("time_period") == 2025))
    assert point.la.value == round_half_away(derby["value"][0], 0)
    assert point.own is not None
    assert point.own.value == 88.0
    assert cla.la == point.la
    assert cla.gap == point.la.value - (point.england.value or 0.0)


def _wilson(successes: float, trials: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / trials
    centre = p + z * z / (2 * trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return 100 * (centre - half) / (1 + z * z / trials), 100 * (centre + half) / (
        1 + z * z / trials
    )


def test_counts_without_a_value_are_computed_with_the_definition(tmp_path: Path) -> None:
    """823 re-referrals of 3,557 referrals: 23.1 % with Wilson's 95 % interval."""
    path = _csv(tmp_path / "c.csv", "year,numerator,denominator\n2026,823,3557\n")
    own = read_own_figures(path, la="E06000015", indicators=[RR])
    (row,) = own.rows.to_dicts()
    low, high = _wilson(823, 3557)
    assert (row["presented"], row["display"]) == (23.1, "23.1")
    assert (row["presented_lower_95"], row["presented_upper_95"]) == (
        round_half_away(low, 1),
        round_half_away(high, 1),
    )
    assert row["value"] == pytest.approx(100 * 823 / 3557)


def test_a_dfe_tidy_file_is_computed_for_the_council(tmp_path: Path) -> None:
    """An EES file in DfE's layout (its own column names): the council's rows are computed with
    the version in force; other rows are left out and counted."""
    path = _csv(
        tmp_path / "c1.csv",
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,referral_count,rereferral_count\n"
        "202526,Financial year,Local authority,E92000001,England,E12000004,East Midlands,831,"
        "E06000015,Derby,3557,823\n"
        "202526,Financial year,Local authority,E92000001,England,E12000004,East Midlands,830,"
        "E10000007,Derbyshire,10000,2000\n",
    )
    own = read_own_figures(path, la="831", indicators=[RR, CLA])
    assert own.left_out == 1
    (row,) = own.rows.to_dicts()
    assert (row["indicator_id"], row["year"], row["display"]) == (RR, 2026, "23.1")
    report = build_report("831", indicators=[RR], own=own)
    assert report.years[-1] == 2026
    assert report.sections[0].series[-1].own is not None


def test_the_command_line_reads_the_file(
    own_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --la 831 --indicators ... --input FILE` writes the report with 2026 in it."""
    argv = ["report", "--la", "831", "--indicators", CLA, RR, "--input", str(own_file)]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    html = (tmp_path / "benchmark_831.html").read_text(encoding="utf-8")
    assert "2021 to 2026" not in html  # five years: 2022 to 2026
    assert "2022 to 2026" in html
    assert own_file.name in html


# --- bad input: each error names the file and the column --------------------------------------


@pytest.mark.parametrize(
    ("text", "indicators", "expected"),
    [
        ("indicator_id,year,figure\ncla_rate_per_10k,2026,80\n", [CLA], ["'value'", "'figure'"]),
        ("indicator_id,year,value\ncla_rate_per_10k,20x6,80\n", [CLA], ["'year'", "line 2"]),
        ("indicator_id,year,value\ncla_rate_per_10,2026,80\n", [CLA], ["'indicator_id'", CLA]),
        ("year,value\n2026,80\n", [CLA, RR], ["'indicator_id'", "2 indicators"]),
        ("indicator_id,year,value\ncla_rate_per_10k,2026,eighty\n", [CLA], ["'value'", "line 2"]),
        ("indicator_id,year,value\ncla_rate_per_10k,2026,1e400\n", [CLA], ["'value'", "finite"]),
        ("indicator_id,year,value\ncla_rate_per_10k,2026,-3\n", [CLA], ["'value'", "negative"]),
        (
            "indicator_id,year,value\ncla_rate_per_10k,2026,80\ncla_rate_per_10k,2026,81\n",
            [CLA],
            ["indicator_id", "year", "2026"],
        ),
        (
            "indicator_id,year,value,lower_95,upper_95\ncla_rate_per_10k,2026,80,90,70\n",
            [CLA],
            ["'lower_95'", "upper limit"],
        ),
        ("area_code,year,value\n330,2026,80\n", [CLA], ["'area_code'", "831"]),
    ],
)  # fmt: skip
def test_bad_own_figures_are_one_line_naming_the_file_and_column(
    text: str,
    indicators: list[str],
    expected: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _csv(tmp_path / "own.csv", text)
    out = tmp_path / "out"
    argv = ["report", "--la", "831", "--indicators", *indicators, "--input", str(path)]
    assert main([*argv, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "own.csv" in err
    for part in expected:
        assert part in err, (part, err)
    assert not out.exists()


def test_own_figures_go_with_one_council(own_file: Path, tmp_path: Path) -> None:
    """--input with --all is a usage error (exit 2)."""
    assert main(["report", "--all", "--input", str(own_file), "--out", str(tmp_path)]) == 2


def test_own_figures_of_another_council_are_refused(own_file: Path) -> None:
    """Figures read for Derby are not shown in Birmingham's report."""
    own = read_own_figures(own_file, la="831", indicators=[CLA, RR])
    with pytest.raises(cyp.DataError, match="831"):
        build_report("330", indicators=[CLA, RR], own=own)


def test_an_empty_frame_is_an_error() -> None:
    with pytest.raises(cyp.DataError, match="no rows"):
        own_figures(pl.DataFrame({"year": []}), la="831", indicators=[CLA], where="own.csv")
