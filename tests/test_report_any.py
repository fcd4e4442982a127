"""The report for any measure and any council (issue 15 part 4, issue 14 part 2).

Expected values come from outside the report's code: DfE's published figures (read with
``cyp.published``), DfE's counts (``cyp.csc_counts``) with the Wilson interval worked here, the
geography's reorganisation records, and the definitions' own caveats.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators import round_half_away
from cyp_indicators.cli import main
from cyp_indicators.reports._caveats import measure_caveats, measure_text
from cyp_indicators.reports.benchmark_report import (
    Report,
    build_report,
    report_figures,
    report_for,
    write_html,
    write_xlsx,
)

openpyxl = pytest.importorskip("openpyxl")

SEED_REFERENCE = re.compile(r"\b\d{3}:L\d")


def _table(sheet: Any) -> list[dict[str, Any]]:
    """The sheet's table (header in row 4) as one dict of cells per row, keyed by header."""
    header = [c.value for c in sheet[4]]
    rows: list[dict[str, Any]] = []
    for row in sheet.iter_rows(min_row=5):
        if row[0].value is None:
            break
        rows.append({h: c for h, c in zip(header, row, strict=False) if h})
    return rows


def _published(catalogue: cyp.Catalogue, ident: str) -> pl.DataFrame:
    return cyp.published(catalogue.get(ident))


# --- any measure: --indicators and --topic ---------------------------------------------------


@pytest.fixture(scope="module")
def adoption(catalogue: cyp.Catalogue) -> Report:
    """Birmingham on every definition of the adoption topic: published-only measures, one with
    levels and no total, and measures with no figures at all."""
    ids = [d.id for d in catalogue.list(topic="adoption")]
    return build_report("330", indicators=ids)


def test_a_topic_report_shows_dfes_published_figures(
    adoption: Report, catalogue: cyp.Catalogue
) -> None:
    """Each published-only measure's LA and England values are DfE's (rounded as the definition
    says); its latest year is the latest DfE published."""
    assert adoption.sections, "the adoption topic has published measures"
    assert adoption.subject == "children's social care"
    for s in adoption.sections:
        assert not s.computed
        pub = _published(catalogue, s.indicator_id)
        d = catalogue.get(s.indicator_id)
        if d.breakdown is not None and s.level is not None:
            pub = pub.filter(pl.col(d.breakdown.column) == s.level)
        elif d.breakdown is not None and d.breakdown.total is not None:
            pub = pub.filter(pl.col(d.breakdown.column) == d.breakdown.total)
        values = {(r["area_code"], r["time_period"]): r["value"] for r in pub.iter_rows(named=True)}
        for p in s.series:
            mine = values.get(("330", p.year))
            assert p.la.value == (None if mine is None else round_half_away(mine, s.decimal_places))
            england = values.get((cyp.ENGLAND, p.year))
            assert p.england.value == (
                None if england is None else round_half_away(england, s.decimal_places)
            )
        assert s.latest_year == max(y for (a, y), v in values.items() if v is not None)
        assert s.vs_england is None  # DfE's published figures carry no interval
        assert s.significance.startswith("not tested")


def test_levels_without_a_total_are_sections_of_their_own(
    adoption: Report, catalogue: cyp.Catalogue
) -> None:
    """cla_adopted_by_consent_count is published by consent route (E11, E12) with no total: a
    section per route, titled with the route."""
    d = catalogue.get("cla_adopted_by_consent_count")
    assert d.breakdown is not None
    assert d.breakdown.total is None
    mine = [s for s in adoption.sections if s.indicator_id == d.id]
    assert [s.level for s in mine] == [lv.code for lv in d.breakdown.levels]
    for s, level in zip(mine, d.breakdown.levels, strict=True):
        assert s.title == f"{d.title}: {level.label}"
        assert s.anchor == f"{d.id}-{level.code}"


def test_an_indicator_without_figures_is_listed_with_the_reason(
    adoption: Report, tmp_path: Path
) -> None:
    """adoption_a1_days names no published series and the counts lack its columns: it is
    listed as having no figures (summary, its area, workbook), not dropped."""
    (a1,) = [u for u in adoption.unavailable if u.indicator_id == "adoption_a1_days"]
    assert "publishes no series" in a1.reason
    assert "a1_total_days" in a1.reason
    html = write_html(adoption, tmp_path / "a.html").read_text(encoding="utf-8")
    assert html.count(a1.title) >= 2  # in the summary and in its area
    assert f'id="ind-{a1.anchor}"' in html
    book = openpyxl.load_workbook(write_xlsx(adoption, tmp_path / "a.xlsx"))
    notes = [r["Note"].value for r in _table(book["Summary"]) if r["Indicator"].value == a1.title]
    assert notes == [f"No figures: {a1.reason}"]


def test_each_indicator_has_the_years_of_its_own_source(catalogue: cyp.Catalogue) -> None:
    """Eight years up to 2025: the CLA rate from the counts (which hold CLA from 2021),
    Progress 8 as DfE published it (to 2024; none for 2020 and 2021, when exams were
    cancelled), key stage 1 to 2023."""
    report = build_report(
        "831",
        indicators=["cla_rate_per_10k", "progress_8", "ks1_expected_standard_pct"],
        years=8,
    )
    assert report.years == tuple(range(2018, 2026))
    counts = cyp.csc_counts().filter(pl.col("geographic_level") == "Local authority")
    first_cla = counts.filter(pl.col("cla_at_31_march").is_not_null())["year"].min()
    cla = report.sections[0]
    assert cla.computed
    assert cla.series[0].year == first_cla
    p8 = next(s for s in report.sections if s.indicator_id == "progress_8")
    pub = _published(catalogue, "progress_8")
    held = set(pub.filter(pl.col("value").is_not_null())["time_period"].to_list())
    assert p8.latest_year == max(held)
    for p in p8.series:
        assert (p.la.value is not None) == (p.year in held), p.year
    assert [p.la.text for p in p8.series if p.year in (2020, 2021, 2025)] == ["x", "x", "x"]
    ks1 = [s for s in report.sections if s.indicator_id == "ks1_expected_standard_pct"]
    assert ks1
    assert {s.latest_year for s in ks1} == {2023}


def test_only_published_measures_set_their_own_span(catalogue: cyp.Catalogue) -> None:
    """A report of key stage 1 alone ends with its last published year."""
    report = build_report("831", indicators=["ks1_expected_standard_pct"], years=3)
    assert report.years == (2021, 2022, 2023)
    assert report.subject == "children's services"


def test_unknown_indicator_is_an_error_with_close_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --indicators cla_rate_per_10` exits 1 naming close matches; nothing written."""
    out = tmp_path / "out"
    assert main(["report", "--indicators", "cla_rate_per_10", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "'cla_rate_per_10'" in err
    assert "did you mean" in err
    assert "cla_rate_per_10k" in err
    assert not out.exists()


def test_topic_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`report --topic care_leavers` writes both files; an unknown topic lists the topics."""
    assert main(["report", "--la", "330", "--topic", "care_leavers", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "benchmark_330.html").exists()
    assert (tmp_path / "benchmark_330.xlsx").exists()
    capsys.readouterr()
    assert main(["report", "--topic", "care leaver", "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "care_leavers" in err
    assert not (tmp_path / "x").exists()


# --- significance ----------------------------------------------------------------------------


def _wilson(successes: float, trials: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval, written out here (Newcombe 1998, method 3)."""
    p = successes / trials
    centre = p + z * z / (2 * trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return 100 * (centre - half) / scale, 100 * (centre + half) / scale


def test_significance_against_england_and_the_neighbours_uses_the_95_interval() -> None:
    """Re-referrals (low is good) in 2025, every LA: the LA is 'similar' where England's value
    (the neighbours' mean, as shown: rounded) lies inside its 95% Wilson interval worked from
    DfE's counts here (as shown: rounded), 'better' where it lies above it, 'worse' below."""
    counts = cyp.csc_counts().filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col("year") == 2025)
    )
    figures = report_figures(indicators=["re_referral_within_12_months_pct"], years=1)
    seen: set[str] = set()
    for row in counts.iter_rows(named=True):
        code = row["old_la_code"]
        try:
            n, k = float(row["referrals"]), float(row["re_referrals"])
        except (TypeError, ValueError):
            continue  # a symbol: no interval
        (s,) = report_for(code, figures).sections
        low, high = (round_half_away(v, 1) for v in _wilson(k, n))
        assert (s.series[-1].la_lower, s.series[-1].la_upper) == (low, high), code
        for comparator, verdict in ((s.england.value, s.vs_england), (s.sn.value, s.vs_sn)):
            if comparator is None:
                assert verdict is None
                continue
            expected = "similar" if low <= comparator <= high else (
                "better" if comparator > high else "worse"
            )  # fmt: skip
            assert verdict == expected, (code, comparator, low, high)
            seen.add(verdict)
        assert "Wilson" in s.significance
    assert seen == {"better", "similar", "worse"}


def test_peterborough_cla_2025_is_similar_to_england() -> None:
    """CLA rate 72 (65 to 79), England 67 and the neighbours' mean 75.3 inside it."""
    (s,) = build_report("874", indicators=["cla_rate_per_10k"]).sections
    assert (s.la.text, s.ci_text, s.england.text) == ("72", "65 to 79", "67")
    assert (s.vs_england, s.vs_sn) == ("similar", "similar")
    assert "Byar" in s.significance


# --- caveats about the measure ---------------------------------------------------------------


def test_caveats_are_about_the_measure_not_the_seed_council(catalogue: cyp.Catalogue) -> None:
    """No caveat a report shows names Peterborough, the seeds or a seed line, for any
    definition; what a caveat says about the measure stays."""
    for ident in catalogue.ids:
        for d in catalogue.history(ident):
            for text in measure_caveats(d.caveats):
                assert "Peterborough" not in text, (d.key, text)
                assert not SEED_REFERENCE.search(text), (d.key, text)
                assert not re.search(r"\bseeds?\b|seed's", text, re.IGNORECASE), (d.key, text)
            for caveat in d.caveats:
                local = re.search(r"Peterborough|\bseeds?\b|seed's|APA|scrutiny pack", caveat)
                if not local and not SEED_REFERENCE.search(caveat):  # kept word for word
                    assert measure_text(caveat) == " ".join(caveat.split())
    cpp = catalogue.get("cpp_rate_per_10k")
    kept = measure_caveats(cpp.caveats)
    assert (
        "Small numbers and large sibling groups make the rate volatile: one family can move it "
        "noticeably in a small authority." in kept
    )
    referral = measure_caveats(catalogue.get("referral_rate_per_10k").caveats)
    assert "Recording artefacts move this rate." in referral


def test_a_report_for_another_council_carries_no_peterborough_text(tmp_path: Path) -> None:
    """Birmingham's report (Peterborough is not among its neighbours) names Peterborough nowhere
    and carries no seed line reference; each section shows its caveats."""
    report = build_report("330")
    assert "874" not in {b.code for s in report.sections for b in s.bars}
    html = write_html(report, tmp_path / "330.html").read_text(encoding="utf-8")
    assert "Peterborough" not in html
    assert not SEED_REFERENCE.search(html)
    assert html.count('<div class="caveats">') == sum(1 for s in report.sections if s.caveats)
    book = openpyxl.load_workbook(write_xlsx(report, tmp_path / "330.xlsx"))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert "Peterborough" not in value
                    assert not SEED_REFERENCE.search(value)


# --- series breaks ---------------------------------------------------------------------------


def test_a_series_that_crosses_a_break_says_so(catalogue: cyp.Catalogue, tmp_path: Path) -> None:
    """The early years foundation stage profile was reformed in 2022 (a new major version):
    seven years to 2025 cross it. The break is a typed marker on the section, the first year of
    the new basis is marked, the line chart draws a marker and no line across it, the series
    table, the workbook and the tidy rows mark it; the trend runs since the break."""
    (expected,) = catalogue.breaks("eyfs_good_level_of_development_pct", range(2019, 2026))
    report = build_report("831", indicators=["eyfs_good_level_of_development_pct"], years=7)
    (s,) = [s for s in report.sections if s.level == "all"]  # levels, no total: a section each
    assert s.breaks == (expected,)
    assert expected.year == 2022
    assert expected.kind == "new_version"
    assert [p.year for p in s.series if p.new_basis] == [2022]
    assert {p.version for p in s.series if p.year < 2022} == {expected.before.split("@")[1]}
    assert {p.version for p in s.series if p.year >= 2022} == {expected.after.split("@")[1]}
    assert s.trend_since == 2022
    html = write_html(report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<g class="series-break" data-year="2022">' in html
    assert "Series break" in html
    assert 'class="break"' in html  # the series table's column
    sheet = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))["Early years"]
    marks = {
        r["Year"].value: r["Series break"].value
        for r in _table(sheet)
        if r["Indicator"].value == s.title
    }
    assert marks[2022].startswith("From 2022, a new definition")
    assert not any(v for y, v in marks.items() if y != 2022)
    tidy = report.tidy.filter((pl.col("row_kind") == "la") & (pl.col("level") == "all"))
    assert tidy.filter(pl.col("series_break"))["year"].to_list() == [2022]


# --- reorganised councils --------------------------------------------------------------------


@pytest.mark.parametrize(("code", "successors"), [("909", ("942", "943")), ("928", ("940", "941"))])
def test_an_abolished_council_is_one_line_exit_1_and_nothing_written(
    code: str, successors: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cumbria and Northamptonshire: one line naming the successors (from the geography's
    records), exit 1, no folder made."""
    assert cyp.geography.successors(code) == successors
    out = tmp_path / "new-folder"
    assert main(["report", "--la", code, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    for successor in successors:
        assert f"({successor})" in err
    assert not out.exists()


def test_a_council_created_later_shows_its_earlier_years_as_not_applicable() -> None:
    """West Northamptonshire (941) from 2021: 2020 is z naming Northamptonshire."""
    report = build_report("941", indicators=["cin_rate_per_10k"], years=6)
    first = report.sections[0].series[0]
    assert (first.year, first.la.text) == (2020, "z")
    assert first.la.reason is not None
    assert "Northamptonshire (928)" in first.la.reason
    assert report.geography_notes
