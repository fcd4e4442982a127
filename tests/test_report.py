"""The benchmarking report: its figures, the workbook and the HTML page (a real browser:
test_report_browser.py)."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators import round_half_away
from cyp_indicators.reports.benchmark_report import (
    CORE_INDICATORS,
    Report,
    build_report,
    write_html,
    write_xlsx,
)

openpyxl = pytest.importorskip("openpyxl")

AREAS = ["Front door", "Children in need", "Child protection", "Looked after"]


@pytest.fixture(scope="module")
def peterborough() -> Report:
    """The default report: Peterborough (874), the core rates, five years, dfe_sn@2025, mean."""
    return build_report()


@pytest.fixture(scope="module")
def derby() -> Report:
    """Derby by its ONS code."""
    return build_report("E06000015")


@pytest.fixture(scope="module")
def written(
    peterborough: Report, derby: Report, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, Path]]:
    """Both reports written as HTML and XLSX."""
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for report in (peterborough, derby):
        html = write_html(report, folder / f"{report.la}.html")
        xlsx = write_xlsx(report, folder / f"{report.la}.xlsx")
        out[report.la] = (html, xlsx)
    return out


# --- the report's data ----------------------------------------------------------------------


def test_report_has_a_section_per_indicator_grouped_by_area(peterborough: Report) -> None:
    """Eight sections in the order asked for, four areas, five years, ten neighbours each."""
    r = peterborough
    assert (r.la, r.la_name, r.ons_code) == ("874", "Peterborough", "E06000031")
    assert [s.indicator_id for s in r.sections] == list(CORE_INDICATORS)
    assert [a for a, _ in r.areas] == AREAS
    assert r.years == (2021, 2022, 2023, 2024, 2025)
    assert r.sn_set == "dfe_sn@2025"
    assert r.population_vintage == cyp.BUNDLED_VINTAGE
    for s in r.sections:
        assert len(s.bars) == 11
        assert [b.code for b in s.bars if b.is_la] == ["874"]
        assert re.fullmatch(r"\d+/11", s.rank_text)
        assert [p.year for p in s.series] == list(r.years)
        assert s.trend in {"increasing", "decreasing", "no significant change", "not tested"}
        assert s.key in s.provenance_text
        assert "dfe_sn@2025" in s.provenance_text


def test_figures_are_dfes_published_figures_compared_as_lait_does(
    peterborough: Report, derby: Report, catalogue: cyp.Catalogue
) -> None:
    """Every LA and England value is DfE's published one (LAIT, read here from the published
    frame); the neighbours' figure is the mean of the neighbours' published values (rounded as
    the definition says), the rank
    the LA's place among itself and those neighbours (1 = best, highest first without polarity),
    the gap the LA's shown value minus England's — all worked out here, not by the library's
    comparison code."""
    sn = cyp.neighbour_set("2025")
    for report in (peterborough, derby):
        members = list(sn.neighbours(report.la))
        for s in report.sections:
            pub = cyp.published(catalogue.get(s.indicator_id))
            dps = s.decimal_places
            values = {
                (r["area_code"], r["time_period"]): r["value"] for r in pub.iter_rows(named=True)
            }
            for p in s.series:
                mine = values.get((report.la, p.year))
                assert p.la.value == (None if mine is None else round_half_away(mine, dps))
                assert p.england.value == round_half_away(values[(cyp.ENGLAND, p.year)], dps)
                known = [
                    values[(m, p.year)] for m in members if values.get((m, p.year)) is not None
                ]
                mean = sum(round_half_away(v, dps) for v in known) / len(known)
                # shown as presented: rounded half away from zero to the definition's places
                assert p.sn.value == round_half_away(mean, dps), (report.la, s.indicator_id)
            now = s.series[-1]
            if now.la.value is None:
                continue
            shown = [
                round_half_away(values[(m, now.year)], dps)
                for m in members
                if values.get((m, now.year)) is not None
            ]
            if s.polarity == "low_is_good":
                better = sum(v < now.la.value for v in shown)
            else:
                better = sum(v > now.la.value for v in shown)
            assert s.rank_text == f"{better + 1}/{len(shown) + 1}", (report.la, s.indicator_id)
            assert s.gap == pytest.approx(now.la.value - (now.england.value or 0.0))


def test_trend_is_the_recent_trend_test_on_unrounded_values(
    peterborough: Report, catalogue: cyp.Catalogue
) -> None:
    """Each verdict is trend_markers' on the LA's unrounded series (weighted, or counts for %)."""
    results = cyp.indicator_results(
        cyp.csc_counts(), catalogue, list(CORE_INDICATORS), years=list(peterborough.years)
    ).filter(pl.col("area_code") == "874")
    for s in peterborough.sections:
        method = "counts" if s.unit == "percent" else "weighted"
        marks = cyp.trend_markers(
            results.filter(pl.col("indicator_id") == s.indicator_id),
            by="area_code",
            method=method,
            polarity=s.polarity,
        ).row(0, named=True)
        assert s.trend == marks["trend"]
        assert f"χ² {marks['trend_chi2']:.1f}" in s.trend_text


def test_peterborough_2025_figures_as_published(peterborough: Report) -> None:
    """Spot values: CLA rate 72 (65 to 79), England 67, 8th of 11; re-referrals 19.8 %, band B."""
    cla = next(s for s in peterborough.sections if s.indicator_id == "cla_rate_per_10k")
    assert (cla.la.text, cla.ci_text) == ("72", "65 to 79")
    assert (cla.england.text, cla.rank_text) == ("67", "8/11")
    assert cla.gap_text == "+5"
    assert cla.gap_unit == "per 10,000"
    assert cla.band is None
    assert "no polarity" in cla.band_note
    rr = next(s for s in peterborough.sections if s.indicator_id.startswith("re_referral"))
    assert (rr.la.text, rr.unit_label, rr.band) == ("19.8", "%", "B")
    assert rr.gap_unit == "percentage points"
    assert rr.population_vintage is None  # a percentage of counts: no population denominator


def test_old_number_and_ons_code_name_the_same_la(derby: Report) -> None:
    """An ONS code resolves to the old LA number."""
    assert (derby.la, derby.la_name, derby.ons_code) == ("831", "Derby", "E06000015")
    assert "Peterborough" in {b.name for b in derby.sections[0].bars}


def test_unknown_codes_and_options_are_errors_naming_them() -> None:
    """An unknown LA or indicator is an UnknownDefinitionError naming it; bad options are errors."""
    with pytest.raises(cyp.UnknownDefinitionError, match="E06999999"):
        build_report("E06999999")
    with pytest.raises(cyp.UnknownDefinitionError, match="'999'"):
        build_report("999")
    with pytest.raises(cyp.UnknownDefinitionError, match="cla_rate_per_10"):
        build_report("874", indicators=["cla_rate_per_10"])
    with pytest.raises(ValueError, match="sn_method"):
        build_report("874", sn_method="pooled")
    with pytest.raises(cyp.DataError, match="years"):
        build_report("874", years=0)


def test_an_la_without_values_still_reports(tmp_path: Path) -> None:
    """Isles of Scilly: CLA rates are z every year; no bar, no line, the symbol instead."""
    report = build_report(
        "420", indicators=["re_referral_within_12_months_pct", "cla_rate_per_10k"]
    )
    cla = report.sections[1]
    assert [p.la.text for p in cla.series] == ["z"] * 5
    assert (cla.la.value, cla.rank_text, cla.gap, cla.gap_direction) == (None, "–", None, None)
    assert cla.sn.value is not None
    assert cla.england.value is not None
    page = _parse(write_html(report, tmp_path / "scilly.html"))
    bar = page.svgs["chart-cla_rate_per_10k-neighbours"]
    assert len(bar.rects) == 10
    assert ("420", "z") in {(t.get("data-la"), t["text"]) for t in bar.symbols}
    line = page.svgs["chart-cla_rate_per_10k-trend"]
    assert "la" not in line.paths_by_series
    assert [t["text"] for t in line.symbols] == ["z"] * 5
    sheet = openpyxl.load_workbook(write_xlsx(report, tmp_path / "scilly.xlsx"))["Looked after"]
    cells = [r["Isles of Scilly"] for r in _table(sheet) if r["Indicator"].value == cla.title]
    assert [c.value for c in cells] == ["z"] * 5
    assert all(c.comment is not None for c in cells)


def _with_symbols() -> pl.DataFrame:
    """DfE's counts with a neighbour's 2025 CLA count withheld, a missing year and a small count."""
    counts = cyp.csc_counts()
    la = pl.col("old_la_code")
    return counts.with_columns(
        pl.when((la == "331") & (pl.col("year") == 2025))  # Coventry, Peterborough's neighbour
        .then(pl.lit("c"))
        .otherwise(pl.col("cla_at_31_march"))
        .alias("cla_at_31_march"),
        pl.when((la == "874") & (pl.col("year") == 2023))
        .then(pl.lit("x"))
        .otherwise(pl.col("referrals"))
        .alias("referrals"),
        pl.when((la == "874") & (pl.col("year") == 2025))
        .then(pl.lit("3"))
        .otherwise(pl.col("cla_starts"))
        .alias("cla_starts"),
    )


@pytest.fixture(scope="module")
def with_symbols(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path, Path]:
    """A report on counts holding symbols, written both ways."""
    report = build_report(
        "874",
        indicators=["referral_rate_per_10k", "cla_rate_per_10k", "cla_starts_rate_per_10k"],
        counts=_with_symbols(),
    )
    folder = tmp_path_factory.mktemp("symbols")
    return report, write_html(report, folder / "r.html"), write_xlsx(report, folder / "r.xlsx")


def test_an_la_outside_the_neighbour_set_says_so() -> None:
    """Cumberland (942) has no group in the 2021 set: the neighbours' figure is z with that
    reason, not "no neighbour had a value"."""
    report = build_report("942", indicators=["cla_rate_per_10k"], sn_version="2021", years=1)
    sn = report.sections[0].sn
    assert (sn.value, sn.text) == (None, "z")
    assert sn.reason is not None
    assert sn.reason.startswith("z: not an LA with a group in dfe_sn@2021")


def test_missing_values_keep_their_symbol(with_symbols: tuple[Report, Path, Path]) -> None:
    """A symbol draws no bar or point but is shown; a withheld small count shows c, no gap."""
    report, html, xlsx = with_symbols
    assert report.data_source.startswith("counts supplied by the caller")
    referrals, cla, starts = report.sections
    coventry = next(b for b in cla.bars if b.code == "331")
    assert (coventry.shown.value, coventry.shown.text) == (None, "c")
    assert cla.bars[-1] is coventry  # missing values go last
    assert cla.sn_n == 9
    assert cla.sn_of == 10
    point = next(p for p in referrals.series if p.year == 2023)
    assert (point.la.value, point.la.text) == (None, "x")
    assert starts.la.text == "c"
    assert starts.la.value is None
    assert starts.gap is None
    assert starts.rank_text == "–"
    assert starts.ci_text is None

    page = _parse(html)
    bar_chart = page.svgs["chart-cla_rate_per_10k-neighbours"]
    assert "331" not in {r["data-la"] for r in bar_chart.rects}
    assert ("331", "c") in {(t["data-la"], t["text"]) for t in bar_chart.symbols}
    line_chart = page.svgs["chart-referral_rate_per_10k-trend"]
    assert len(line_chart.paths_by_series["la"]) == 2  # the line breaks at 2023
    assert "x" in {t["text"] for t in line_chart.symbols}
    starts_chart = page.svgs["chart-cla_starts_rate_per_10k-neighbours"]
    assert not [r for r in starts_chart.rects if "bar-la" in r["class"]]

    book = openpyxl.load_workbook(xlsx)
    title = "Referrals to children's social care per 10,000 children aged 0-17"
    by_year = {
        r["Year"].value: r["Peterborough"]
        for r in _table(book["Front door"])
        if r["Indicator"].value == title
    }
    assert by_year[2023].value == "x"
    assert by_year[2023].comment is not None
    assert isinstance(by_year[2024].value, float | int)


# --- the Excel workbook ---------------------------------------------------------------------


def _table(sheet: Any) -> list[dict[str, Any]]:
    """The sheet's table (header in row 4) as one dict of cells per row, keyed by header."""
    header = [c.value for c in sheet[4]]
    rows: list[dict[str, Any]] = []
    for row in sheet.iter_rows(min_row=5):
        if row[0].value is None:
            break
        rows.append({h: c for h, c in zip(header, row, strict=False) if h})
    return rows


def test_workbook_sheets_panes_values_formats_and_charts(
    written: dict[str, tuple[Path, Path]], peterborough: Report, catalogue: cyp.Catalogue
) -> None:
    """Sheets by area (one row per indicator and year), frozen headers, the report's values
    (checked against DfE's published figures above) with the interval as two numeric columns,
    formats by unit, an autofilter on every table, native charts."""
    book = openpyxl.load_workbook(written["874"][1])
    assert book.sheetnames == ["Summary", *AREAS, "Neighbours", "Provenance"]
    assert book["Summary"].freeze_panes == "C5"
    for area in AREAS:
        assert book[area].freeze_panes == "C5"
    per_area = {area: len(sections) for area, sections in peterborough.areas}
    for area, n in per_area.items():
        assert len(book[area]._charts) == 2 * n
    for name in ["Summary", *AREAS, "Neighbours"]:
        table = _table(book[name])
        last = max(c.column for c in book[name][4] if c.value is not None)
        assert book[name].auto_filter.ref == (
            f"A4:{openpyxl.utils.get_column_letter(last)}{4 + len(table)}"
        ), name

    for s in peterborough.sections:
        rows = [r for r in _table(book[s.topic_label]) if r["Indicator"].value == s.title]
        assert [r["Year"].value for r in rows] == [p.year for p in s.series]
        fmt = "0" if s.decimal_places == 0 else "0.0"
        for r, p in zip(rows, s.series, strict=True):
            for header, shown in (
                ("Peterborough", p.la),
                ("England", p.england),
                ("Statistical neighbours (mean)", p.sn),
            ):
                cell = r[header]
                assert cell.value == shown.value, (s.indicator_id, p.year, header)
                assert cell.number_format == fmt
            for header, limit in (("95% CI lower", p.la_lower), ("95% CI upper", p.la_upper)):
                assert r[header].value == limit
                assert limit is None or r[header].number_format == fmt
            assert r["Unit"].value == ("%" if s.indicator_id.endswith("_pct") else "per 10,000")
            assert r["Figure source"].value == "computed"
    summary = {r["Indicator"].value: r for r in _table(book["Summary"])}
    for s in peterborough.sections:
        gap = summary[s.title]["Gap to England"]
        assert gap.value == pytest.approx(s.gap)
        assert gap.number_format.startswith("+0")
        now = s.series[-1]
        assert summary[s.title]["95% CI lower"].value == now.la_lower
        assert summary[s.title]["95% CI upper"].value == now.la_upper

    with zipfile.ZipFile(written["874"][1]) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 * len(peterborough.sections)
    bars = [c for c in charts if "<c:barChart>" in c]
    assert len(bars) == len(peterborough.sections)
    assert all("<c:lineChart>" in c for c in bars)  # England as a line on each bar chart
    assert all("<c:dPt>" in c and "0072B2" in c.upper() for c in bars)  # the LA's own colour

    prov = book["Provenance"]
    text = " ".join(str(c.value) for row in prov.iter_rows() for c in row if c.value is not None)
    assert "dfe_sn@2025" in text
    assert cyp.BUNDLED_VINTAGE in text
    assert all(key in text for key in peterborough.definition_keys)
    assert prov.auto_filter.ref


def test_summary_sheet_lists_each_indicator(written: dict[str, tuple[Path, Path]]) -> None:
    """The summary has one row per indicator with the LA's latest value as a number."""
    sheet = openpyxl.load_workbook(written["831"][1])["Summary"]
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[1]]
    titled = [r for r in rows if isinstance(r[3], int | float) or r[3] in {"c", "x", "z"}]
    assert len(titled) == len(CORE_INDICATORS)
    assert sheet["D4"].value == "Derby"


# --- the HTML page --------------------------------------------------------------------------


class _Svg:
    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs
        self.rects: list[dict[str, str]] = []
        self.symbols: list[dict[str, str]] = []
        self.lines: list[dict[str, str]] = []
        self.paths_by_series: dict[str, list[str]] = {}
        self.title_ids: set[str] = set()


class _Page(HTMLParser):
    """Collects what the tests check: SVGs and their marks, links, the title and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.svgs: dict[str, _Svg] = {}
        self.svg: _Svg | None = None
        self.links: list[tuple[str, str, str]] = []
        self.title = ""
        self.text: list[str] = []
        self.sections: dict[str, list[str]] = {}
        self._stack: list[str] = []
        self._symbol: dict[str, str] | None = None
        self._series: str | None = None
        self._in_title = False
        self._tooltip = False
        self._section: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        for key in ("src", "href", "xlink:href", "action", "poster", "data"):
            if key in attrs:
                self.links.append((tag, key, attrs[key]))
        if tag == "section" and attrs.get("id"):
            self._section = attrs["id"]
        if tag == "svg":
            self.svg = _Svg(attrs)
            self.svgs[attrs.get("id", str(len(self.svgs)))] = self.svg
        elif tag == "title" and self._symbol is not None:
            self._tooltip = True
        elif self.svg is not None:
            classes = attrs.get("class", "")
            if tag == "rect" and "bar" in classes.split():
                self.svg.rects.append(attrs)
            elif tag == "text" and "symbol" in classes.split():
                self._symbol = {**attrs, "text": ""}
            elif tag == "line" and "england-line" in classes:
                self.svg.lines.append(attrs)
            elif tag == "g" and classes.startswith("series "):
                self._series = classes.split("series-")[-1]
            elif tag == "path" and "line" in classes.split() and self._series:
                self.svg.paths_by_series.setdefault(self._series, []).append(attrs["d"])
            elif tag in {"title", "desc"} and attrs.get("id"):
                self.svg.title_ids.add(attrs["id"])
        if tag == "title" and self.svg is None:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg = None
        elif tag == "text" and self._symbol is not None and self.svg is not None:
            self.svg.symbols.append(self._symbol)
            self._symbol = None
        elif tag == "g":
            self._series = None
        elif tag == "title":
            self._in_title = False
            self._tooltip = False
        elif tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._symbol is not None and not self._tooltip:
            self._symbol["text"] += data.strip()
        self.text.append(data)
        if self._section:
            self.sections.setdefault(self._section, []).append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def test_html_has_one_accessible_svg_per_chart(
    written: dict[str, tuple[Path, Path]], peterborough: Report
) -> None:
    """Two charts per indicator, each an image with a title and a description; LA highlighted."""
    page = _parse(written["874"][0])
    assert page.title == peterborough.title
    assert len(page.svgs) == 2 * len(peterborough.sections)
    for s in peterborough.sections:
        bar = page.svgs[f"chart-{s.indicator_id}-neighbours"]
        line = page.svgs[f"chart-{s.indicator_id}-trend"]
        for svg in (bar, line):
            assert svg.attrs["role"] == "img"
            assert set(svg.attrs["aria-labelledby"].split()) == svg.title_ids
        la_bars = [r for r in bar.rects if "bar-la" in r["class"].split()]
        assert [r["data-la"] for r in la_bars] == ["874"]
        assert len(bar.rects) == 11
        assert set(line.paths_by_series) == {"la", "england", "sn"}


def test_bar_heights_are_proportional_and_england_is_a_line(
    written: dict[str, tuple[Path, Path]], derby: Report
) -> None:
    """Height / value is one constant; England's line sits at its value on the same scale."""
    page = _parse(written["831"][0])
    for s in derby.sections:
        bar = page.svgs[f"chart-{s.indicator_id}-neighbours"]
        tallest = max(bar.rects, key=lambda r: float(r["height"]))
        scale = float(tallest["height"]) / float(tallest["data-value"])
        for r in bar.rects:  # coordinates are written to 0.01 px
            assert float(r["height"]) == pytest.approx(float(r["data-value"]) * scale, abs=0.01)
        bases = {round(float(r["y"]) + float(r["height"]), 6) for r in bar.rects}
        assert len(bases) == 1
        (base,) = bases
        (england,) = bar.lines
        assert england["y1"] == england["y2"]  # horizontal
        assert float(england["data-value"]) == s.england.value
        assert base - float(england["y1"]) == pytest.approx(s.england.value * scale, abs=0.02)
        values = [float(r["data-value"]) for r in bar.rects]
        assert values == sorted(values, reverse=True)  # largest first


def test_html_is_self_contained(written: dict[str, tuple[Path, Path]]) -> None:
    """No script, no external stylesheet, font or image: no src/href to http(s) anywhere."""
    for html, _ in written.values():
        page = _parse(html)
        assert not [link for link in page.links if re.match(r"\s*(https?:)?//", link[2])]
        assert all(link[2].startswith("#") for link in page.links)  # in-page links only
        raw = html.read_text(encoding="utf-8")
        assert "<script" not in raw
        assert "@import" not in raw
        assert "@font-face" not in raw
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", raw)
        assert "@page" in raw
        assert "size: A4" in raw
        assert "break-before: page" in raw


def test_html_provenance_names_versions_sn_set_and_vintage(
    written: dict[str, tuple[Path, Path]], peterborough: Report
) -> None:
    """The provenance (overall and per indicator) names definition versions, SN set, vintage."""
    page = _parse(written["874"][0])
    provenance = " ".join(page.sections["provenance"])
    for key in peterborough.definition_keys:
        assert key in provenance
    assert "dfe_sn@2025" in provenance
    assert cyp.BUNDLED_VINTAGE in provenance
    text = " ".join(page.text)
    for s in peterborough.sections:
        assert s.provenance_text in text


# --- reorganised councils and the work one report does -------------------------------------------


def test_an_abolished_council_is_an_error_naming_its_successors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`report --la 909` exits 1 naming Cumberland and Westmorland and Furness."""
    from cyp_indicators.cli import main

    assert main(["report", "--la", "909", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Cumberland (942)" in err
    assert "Westmorland and Furness (943)" in err
    assert not list(tmp_path.iterdir())


def test_a_new_council_shows_its_predecessor_before_it_existed() -> None:
    """North Northamptonshire (940) from 2021, with Northamptonshire named before it."""
    report = build_report("940", indicators=["cin_rate_per_10k"])
    assert report.geography_notes == (
        "North Northamptonshire (940) was created on 1 April 2021; before it, Northamptonshire "
        "(928) reported for its area",
    )
    first = report.sections[0].series[0]
    assert (first.year, first.la.text) == (2021, "z")
    assert first.la.reason is not None
    assert "Northamptonshire (928)" in first.la.reason
    assert all(p.la.value is not None for p in report.sections[0].series[1:])


def test_one_report_looks_each_definition_up_once_and_builds_the_neighbours_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One catalogue look-up per indicator (all its versions at once), one neighbour frame."""
    calls = {"get": 0, "versions_by_year": 0, "frame": 0}
    catalogue_cls = cyp.Catalogue
    real_get, real_versions = catalogue_cls.get, catalogue_cls.versions_by_year
    real_frame = cyp.ComparatorSet._to_frame

    def counted(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(catalogue_cls, "get", counted("get", real_get))
    monkeypatch.setattr(
        catalogue_cls, "versions_by_year", counted("versions_by_year", real_versions)
    )
    monkeypatch.setattr(cyp.ComparatorSet, "_to_frame", counted("frame", real_frame))
    from cyp_indicators.compare import groups

    groups._frame_of.cache_clear()
    build_report("874", catalogue=cyp.load_catalogue())
    assert calls["get"] == 0
    assert calls["versions_by_year"] == len(CORE_INDICATORS)
    assert calls["frame"] == 1
