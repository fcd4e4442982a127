"""The benchmarking report as an Excel workbook, written with ``xlsxwriter``.

Sheets: "Summary" (the latest year of every indicator), one sheet per area ("Front door",
"Children in need", "Child protection", "Looked after", ...) and "Provenance". Area sheets have
frozen header rows, numbers formatted to each definition's decimal places (percentages as numbers,
with "%" in the unit column), DfE symbols as text where a value is missing (with the reason as a
cell note), and for each indicator two native charts drawn from chart data written beside them: a
column chart of the LA and its neighbours with England as a line, and a line chart over the years.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._report_model import IndicatorSection, Report, Shown
from ._report_svg import COLOURS

__all__ = ["render_xlsx"]

# xlsxwriter's objects (Workbook, Worksheet, Format, Chart) are untyped for mypy.
Sheet = Any
Fmt = Any

_SYMBOLS = (
    ("c", "confidential: withheld to protect individuals (counts of 1 to 5)"),
    ("x", "not available"),
    ("z", "not applicable"),
    ("low", "rounds to 0 but is not 0"),
    ("u", "low reliability"),
)
_HEADER_ROW = 3  # 0-based: rows 0-2 hold the title, the subtitle and a blank row
_CHART_ROWS = 21  # rows kept for each indicator's charts and their data
_DATA_COL = 16  # column Q: the charts' data, beside the charts


def _lines(text: str, width: float) -> int:
    """About how many lines ``text`` wraps to in a column ``width`` characters wide."""
    per_line = max(int(width * 1.15), 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _wrapped_row(
    sheet: Sheet, row: int, values: Sequence[tuple[int, str, float]], fmt: Fmt
) -> None:
    """Write wrapped text cells (column, text, column width) and make the row tall enough."""
    for col, text, _ in values:
        sheet.write_string(row, col, text, fmt)
    lines = max((_lines(text, width) for _, text, width in values), default=1)
    if lines > 1:
        sheet.set_row(row, 15 * lines)


def _number_format(dps: int) -> str:
    return "0" if dps == 0 else "0." + "0" * dps


def _gap_format(dps: int) -> str:
    body = _number_format(dps)
    return f"+{body};-{body};{body}"


class _Formats:
    """The workbook's cell formats, made once and shared."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 16})
        self.subtitle = book.add_format({"italic": True, "font_color": "#505a5f"})
        self.header = book.add_format(
            {"bold": True, "bg_color": "#f3f2f1", "bottom": 2, "text_wrap": True, "valign": "top"}
        )
        self.header_num = book.add_format(
            {"bold": True, "bg_color": "#f3f2f1", "bottom": 2, "align": "right", "valign": "top",
             "text_wrap": True}
        )  # fmt: skip
        self.indicator = book.add_format({"bold": True, "font_size": 12, "top": 1})
        self.indicator_rest = book.add_format({"top": 1, "font_color": "#505a5f"})
        self.la_label = book.add_format({"bold": True, "font_color": COLOURS["la"]})
        self.label = book.add_format({})
        self.text = book.add_format({"valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.symbol = book.add_format({"align": "right", "bold": True, "font_color": "#505a5f"})
        self.note = book.add_format({"italic": True, "font_color": "#505a5f", "font_size": 9})
        self.key = book.add_format({"bold": True, "valign": "top"})
        self._numbers: dict[tuple[str, bool], Fmt] = {}

    def number(self, pattern: str, *, bold: bool = False) -> Fmt:
        """A number format such as "0.0" (cached)."""
        key = (pattern, bold)
        if key not in self._numbers:
            self._numbers[key] = self.book.add_format({"num_format": pattern, "bold": bold})
        return self._numbers[key]


def _write_shown(
    sheet: Sheet, row: int, col: int, shown: Shown, fmts: _Formats, dps: int, *, bold: bool = False
) -> None:
    """A value as a number with the definition's format, or its symbol with the reason as a note."""
    if shown.value is None:
        sheet.write_string(row, col, shown.text, fmts.symbol)
        if shown.reason:
            sheet.write_comment(row, col, shown.reason, {"x_scale": 2})
    else:
        sheet.write_number(row, col, shown.value, fmts.number(_number_format(dps), bold=bold))


def _title_rows(sheet: Sheet, report: Report, heading: str, fmts: _Formats) -> None:
    sheet.write_string(0, 0, f"{report.la_name} ({report.la}) – {heading}", fmts.title)
    sheet.write_string(
        1,
        0,
        f"{report.title}. Statistical neighbours {report.sn_set} ({report.sn_method}); population "
        f"{report.population_vintage}. Values rounded as DfE publishes them (England's from counts "
        "DfE rounds to 10, so it can differ in the last place); a missing value shows its DfE "
        "symbol (see Provenance).",
        fmts.subtitle,
    )
    sheet.set_row(0, 24)


_AREA_COLUMNS = (
    "Unit",
    "95% CI (latest year)",
    "Gap to England (latest)",
    "Gap unit",
    "Gap direction",
    "Rank among neighbours",
    "Quartile band",
    "Trend",
    "Definition",
)


def _area_sheet(
    book: Any, report: Report, area: str, sections: tuple[IndicatorSection, ...], fmts: _Formats
) -> None:
    sheet = book.add_worksheet(area)
    years = list(report.years)
    _title_rows(sheet, report, area, fmts)
    sheet.write_string(_HEADER_ROW, 0, "Indicator / area", fmts.header)
    for j, year in enumerate(years):
        sheet.write_number(_HEADER_ROW, 1 + j, year, fmts.header_num)
    first_extra = 1 + len(years)
    for j, name in enumerate(_AREA_COLUMNS):
        sheet.write_string(_HEADER_ROW, first_extra + j, name, fmts.header)
    sheet.set_row(_HEADER_ROW, 30)
    sheet.freeze_panes(_HEADER_ROW + 1, 1)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, len(years), 9)
    sheet.set_column(first_extra, first_extra, 11)
    sheet.set_column(first_extra + 1, first_extra + 1, 16)
    sheet.set_column(first_extra + 2, first_extra + 2, 12)
    sheet.set_column(first_extra + 3, first_extra + 3, 17)
    sheet.set_column(first_extra + 4, first_extra + 6, 12)
    sheet.set_column(first_extra + 7, first_extra + 7, 22)
    sheet.set_column(first_extra + 8, first_extra + 8, 34)
    sheet.set_column(_DATA_COL, _DATA_COL, 26)
    sheet.set_column(_DATA_COL + 1, _DATA_COL + 4, 11)
    row = _HEADER_ROW + 2
    for s in sections:
        row = _indicator_block(book, sheet, report, s, row, years, fmts)
    _print_setup(sheet, last_row=row, last_col=first_extra + len(_AREA_COLUMNS) - 1)


def _print_setup(sheet: Sheet, *, last_row: int, last_col: int, repeat: bool = True) -> None:
    """A4 landscape, one page wide, the header rows on every page; chart data left out."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.print_area(0, 0, last_row, last_col)
    if repeat:
        sheet.repeat_rows(0, _HEADER_ROW)


def _indicator_block(
    book: Any,
    sheet: Sheet,
    report: Report,
    s: IndicatorSection,
    row: int,
    years: list[int],
    fmts: _Formats,
) -> int:
    """Write one indicator's rows, charts and chart data from ``row``; return the next free row."""
    dps = s.decimal_places
    first_extra = 1 + len(years)
    sheet.write_string(row, 0, s.title, fmts.indicator)
    for col in range(1, first_extra + len(_AREA_COLUMNS)):
        sheet.write_blank(row, col, None, fmts.indicator_rest)
    sheet.write_string(row, first_extra + 8, s.versions_text, fmts.indicator_rest)
    by_year = {p.year: p for p in s.series}
    rows = (
        ("la", report.la_name, fmts.la_label),
        ("england", "England", fmts.label),
        ("sn", f"Statistical neighbours ({s.sn_method})", fmts.label),
    )
    for i, (kind, label, label_fmt) in enumerate(rows, start=1):
        r = row + i
        sheet.write_string(r, 0, label, label_fmt)
        for j, year in enumerate(years):
            point = by_year.get(year)
            if point is None:
                sheet.write_string(r, 1 + j, "x", fmts.symbol)
                sheet.write_comment(r, 1 + j, "x: no counts for this indicator in this year")
                continue
            shown = {"la": point.la, "england": point.england, "sn": point.sn}[kind]
            _write_shown(sheet, r, 1 + j, shown, fmts, dps, bold=kind == "la")
        sheet.write_string(r, first_extra, s.unit_label, fmts.text)
    la_row = row + 1
    sheet.write_string(la_row, first_extra + 1, s.ci_text or "–", fmts.text)
    if s.gap is not None:
        sheet.write_number(la_row, first_extra + 2, s.gap, fmts.number(_gap_format(dps)))
    else:
        sheet.write_string(la_row, first_extra + 2, "–", fmts.symbol)
    sheet.write_string(la_row, first_extra + 3, s.gap_unit, fmts.text)
    sheet.write_string(la_row, first_extra + 4, s.gap_direction or "–", fmts.text)
    sheet.write_string(la_row, first_extra + 5, s.rank_text, fmts.text)
    sheet.write_string(la_row, first_extra + 6, s.band or "–", fmts.text)
    if s.band is None:
        sheet.write_comment(la_row, first_extra + 6, s.band_note)
    sheet.write_string(la_row, first_extra + 7, s.trend, fmts.text)
    sheet.write_comment(la_row, first_extra + 7, s.trend_text, {"x_scale": 3, "y_scale": 1.5})
    sheet.write_string(row + 2, first_extra + 8, s.sn_set, fmts.text)
    sheet.write_string(row + 4, 0, f"Provenance: {s.provenance_text}.", fmts.note)
    sheet.write_string(row + 5, 0, f"Trend: {s.trend_text}", fmts.note)
    chart_row = row + 7
    used = _charts(book, sheet, report, s, chart_row, fmts)
    return chart_row + max(_CHART_ROWS, used) + 1


def _charts(
    book: Any, sheet: Sheet, report: Report, s: IndicatorSection, row: int, fmts: _Formats
) -> int:
    """Chart data beside the charts, then the column chart and the line chart drawn from it.

    Returns the number of rows the chart data takes.
    """
    name = sheet.get_name()
    dps = s.decimal_places
    number = fmts.number(_number_format(dps))
    col = _DATA_COL
    sheet.write_string(row, col, f"Chart data: {s.latest_year}", fmts.header)
    sheet.write_string(row, col + 1, s.unit_label, fmts.header_num)
    sheet.write_string(row, col + 2, "England", fmts.header_num)
    first = row + 1
    for i, bar in enumerate(s.bars):
        r = first + i
        label = bar.name if bar.shown.value is not None else f"{bar.name} ({bar.shown.text})"
        sheet.write_string(r, col, label, fmts.la_label if bar.is_la else fmts.label)
        if bar.shown.value is not None:
            sheet.write_number(r, col + 1, bar.shown.value, number)
        else:
            sheet.write_blank(r, col + 1, None, number)
        if s.england.value is not None:
            sheet.write_number(r, col + 2, s.england.value, number)
    last = first + len(s.bars) - 1
    bar = book.add_chart({"type": "column"})
    bar.add_series(
        {
            "name": f"Statistical neighbours ({report.la_name} in blue)",
            "categories": [name, first, col, last, col],
            "values": [name, first, col + 1, last, col + 1],
            "fill": {"color": COLOURS["neighbour"]},
            "gap": 60,
            "points": [{"fill": {"color": COLOURS["la"]}} if b.is_la else None for b in s.bars],
            "data_labels": {"value": True, "num_format": _number_format(dps), "font": {"size": 8}},
        }
    )
    if s.england.value is not None:
        england = book.add_chart({"type": "line"})
        england.add_series(
            {
                "name": f"England ({s.england.text})",
                "categories": [name, first, col, last, col],
                "values": [name, first, col + 2, last, col + 2],
                "line": {"color": COLOURS["england"], "width": 2, "dash_type": "dash"},
                "marker": {"type": "none"},
            }
        )
        bar.combine(england)
    bar.set_title({"name": f"{s.title}, {s.latest_year}", "name_font": {"size": 10, "bold": True}})
    bar.set_y_axis(
        {"name": s.unit_label, "min": 0, "num_format": "General",
         "major_gridlines": {"visible": True, "line": {"color": COLOURS["grid"]}}}
    )  # fmt: skip
    bar.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
    bar.set_legend({"position": "bottom"})
    bar.show_blanks_as("gap")
    bar.set_size({"width": 560, "height": 380})
    sheet.insert_chart(row, 0, bar, {"x_offset": 4, "y_offset": 4, "object_position": 1})

    series_row = last + 2
    sheet.write_string(series_row, col, "Year", fmts.header)
    labels = (report.la_name, "England", f"Statistical neighbours ({s.sn_method})")
    for j, label in enumerate(labels):
        sheet.write_string(series_row, col + 1 + j, label, fmts.header_num)
    for i, p in enumerate(s.series):
        r = series_row + 1 + i
        sheet.write_string(r, col, str(p.year), fmts.text)
        for j, shown in enumerate((p.la, p.england, p.sn)):
            if shown.value is not None:
                sheet.write_number(r, col + 1 + j, shown.value, number)
            else:
                sheet.write_blank(r, col + 1 + j, None, number)
    s_first, s_last = series_row + 1, series_row + len(s.series)
    line = book.add_chart({"type": "line"})
    styles = (
        (COLOURS["la"], "solid", "circle"),
        (COLOURS["england"], "dash", "square"),
        (COLOURS["sn"], "round_dot", "diamond"),
    )
    for j, (colour, dash, marker) in enumerate(styles):
        line.add_series(
            {
                "name": [name, series_row, col + 1 + j],
                "categories": [name, s_first, col, s_last, col],
                "values": [name, s_first, col + 1 + j, s_last, col + 1 + j],
                "line": {"color": colour, "width": 2.25, "dash_type": dash},
                "marker": {"type": marker, "size": 6, "fill": {"color": colour},
                           "border": {"color": colour}},
            }
        )  # fmt: skip
    span = f"{s.series[0].year} to {s.series[-1].year}"
    line.set_title({"name": f"{s.title}, {span}", "name_font": {"size": 10, "bold": True}})
    line.set_y_axis(
        {"name": s.unit_label, "min": 0, "num_format": "General",
         "major_gridlines": {"visible": True, "line": {"color": COLOURS["grid"]}}}
    )  # fmt: skip
    line.set_legend({"position": "bottom"})
    line.show_blanks_as("gap")
    line.set_size({"width": 520, "height": 380})
    sheet.insert_chart(row, 0, line, {"x_offset": 580, "y_offset": 4, "object_position": 1})
    return s_last - row + 1


def _summary_sheet(book: Any, report: Report, fmts: _Formats) -> None:
    sheet = book.add_worksheet("Summary")
    _title_rows(sheet, report, "summary, latest year", fmts)
    headers = (
        "Area", "Indicator", "Year", report.la_name, "95% CI", "England",
        f"Statistical neighbours ({report.sn_method})", "Unit", "Rank among neighbours",
        "Quartile band", "Gap to England", "Gap unit", "Gap direction", "Trend", "Definition",
    )  # fmt: skip
    numeric = {2, 3, 5, 6, 10}
    for j, h in enumerate(headers):
        sheet.write_string(_HEADER_ROW, j, h, fmts.header_num if j in numeric else fmts.header)
    sheet.set_row(_HEADER_ROW, 30)
    sheet.freeze_panes(_HEADER_ROW + 1, 2)
    widths = (17, 70, 7, 14, 16, 10, 14, 11, 12, 10, 11, 17, 13, 22, 40)
    for j, w in enumerate(widths):
        sheet.set_column(j, j, w)
    row = _HEADER_ROW + 1
    for area, sections in report.areas:
        for s in sections:
            dps = s.decimal_places
            sheet.write_string(row, 0, area, fmts.text)
            sheet.write_string(row, 1, s.title, fmts.text)
            sheet.write_number(row, 2, s.latest_year, fmts.number("0"))
            _write_shown(sheet, row, 3, s.la, fmts, dps, bold=True)
            sheet.write_string(row, 4, s.ci_text or "–", fmts.text)
            _write_shown(sheet, row, 5, s.england, fmts, dps)
            _write_shown(sheet, row, 6, s.sn, fmts, dps)
            sheet.write_string(row, 7, s.unit_label, fmts.text)
            sheet.write_string(row, 8, s.rank_text, fmts.text)
            sheet.write_string(row, 9, s.band or "–", fmts.text)
            if s.gap is not None:
                sheet.write_number(row, 10, s.gap, fmts.number(_gap_format(dps)))
            else:
                sheet.write_string(row, 10, "–", fmts.symbol)
            sheet.write_string(row, 11, s.gap_unit, fmts.text)
            sheet.write_string(row, 12, s.gap_direction or "–", fmts.text)
            sheet.write_string(row, 13, s.trend, fmts.text)
            sheet.write_string(row, 14, s.key, fmts.text)
            row += 1
    _print_setup(sheet, last_row=row + 1, last_col=len(headers) - 1)
    sheet.write_string(
        row + 1,
        0,
        "Rank: the LA among itself and its neighbours with a value (1 = best, or highest where the "
        "indicator has no polarity). Quartile band: LAIT's A (best) to D, only with a polarity. "
        "Gap: presented LA value minus England's. Trend: the recent-trend test over the last "
        "five years.",
        fmts.note,
    )


def _provenance_sheet(book: Any, report: Report, fmts: _Formats) -> None:
    sheet = book.add_worksheet("Provenance")
    sheet.write_string(0, 0, f"{report.la_name} – provenance", fmts.title)
    sheet.set_row(0, 24)
    widths = (30, 44, 16, 30, 11, 9, 20, 15, 14, 11, 26, 30, 60)
    for j, w in enumerate(widths):
        sheet.set_column(j, j, w)
    years = report.years
    facts = (
        ("Local authority", f"{report.la_name} (old LA number {report.la})"),
        ("ONS code", report.ons_code or "–"),
        ("Collection years", f"{years[0]} to {years[-1]} (2025 is the year ending 31 March 2025)"),
        ("Counts", report.data_source),
        *(("Local government reorganisation", note) for note in report.geography_notes),
        ("Statistical neighbours", f"{report.sn_set}: {report.sn_title}"),
        ("Neighbour aggregate", f"{report.sn_method} of the neighbours with a value"),
        ("Population vintage", report.population_vintage),
        ("Definitions", ", ".join(report.definition_keys)),
        ("Rounding", "Half away from zero to each definition's decimal places, with its "
                     "disclosure control (counts of 1 to 5 shown as c)"),
        ("Produced by", f"cyp-indicators {report.library_version}"),
    )  # fmt: skip
    row = 2
    for key, value in facts:
        sheet.write_string(row, 0, key, fmts.key)
        sheet.merge_range(row, 1, row, 4, "", fmts.wrap)
        _wrapped_row(sheet, row, [(1, value, sum(widths[1:5]))], fmts.wrap)
        row += 1
    row += 1
    headers = (
        "Indicator id", "Title", "Area", "Definition versions", "Unit", "Decimal places",
        "Polarity", "Interval", "Neighbour set", "Neighbour aggregate", "Population vintage",
        "Source (DfE release / table)", "Caveats",
    )  # fmt: skip
    _wrapped_row(sheet, row, [(j, h, widths[j]) for j, h in enumerate(headers)], fmts.header)
    row += 1
    for s in report.sections:
        values = (
            s.indicator_id, s.title, s.topic_label, s.versions_text, s.unit_label,
            str(s.decimal_places), s.polarity_label, f"{s.ci_method}, 95%", s.sn_set, s.sn_method,
            s.population_vintage or "none (a percentage of counts)", s.source or "–",
            " ".join(s.caveats) or "–",
        )  # fmt: skip
        _wrapped_row(sheet, row, [(j, v, widths[j]) for j, v in enumerate(values)], fmts.wrap)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Symbols", fmts.key)
    for symbol, meaning in _SYMBOLS:
        row += 1
        sheet.write_string(row, 0, symbol, fmts.text)
        sheet.write_string(row, 1, meaning, fmts.text)
    _print_setup(sheet, last_row=row, last_col=len(headers) - 1, repeat=False)


def render_xlsx(report: Report, path: Path) -> None:
    """Write the workbook to ``path`` (needs the ``xlsxwriter`` package)."""
    try:
        import xlsxwriter  # type: ignore[import-untyped]
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        msg = "writing the Excel report needs the xlsxwriter package: pip install xlsxwriter"
        raise ModuleNotFoundError(msg) from exc
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {"title": report.title, "subject": "Children's social care benchmarking",
         "comments": f"cyp-indicators {report.library_version}; {report.sn_set}; "
                     f"{report.population_vintage}"}
    )  # fmt: skip
    fmts = _Formats(book)
    _summary_sheet(book, report, fmts)
    for area, sections in report.areas:
        _area_sheet(book, report, area, sections, fmts)
    _provenance_sheet(book, report, fmts)
    book.close()
