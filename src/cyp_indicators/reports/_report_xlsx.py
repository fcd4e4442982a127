"""The benchmarking report as an Excel workbook, written with ``xlsxwriter``.

Every sheet holds one table with a header row, frozen panes and an autofilter:

* "Summary": the latest year of every indicator (value, 95 % interval as two numeric columns,
  England, the neighbours, significance against both, rank, band, gap, trend, the council's own
  figure), and a row with the reason for each indicator without figures;
* one sheet per area ("Front door", "Children in need", "Looked after", ...): one row per
  indicator and year (the LA with its interval, England, the neighbours, significance, the
  council's own figure with its interval, where each figure comes from, the definition version,
  the series break), then for each indicator its notes (trend, significance, provenance, series
  breaks, caveats) and two native charts: a column chart of the LA and its neighbours with
  England as a line (from the "Neighbours" sheet) and a line chart over the years (from the
  table above it; the charts keep showing rows a filter hides);
* "Neighbours": the latest year of the LA and each neighbour, per indicator (the column charts'
  data);
* "Provenance": the facts, then one row per indicator (definition versions, unit, polarity,
  interval, neighbours, population, source, series breaks, caveats) and the symbols.

Numbers are written rounded half away from zero to the definition's decimal places with a number
format of those places (percentages as numbers, "%" in the unit column): no float noise such as
0.30000000000000004. A missing value is its DfE symbol as text, with the reason as a cell note.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..stats.rounding import round_half_away
from ._report_model import IndicatorSection, Report, Shown, Unavailable, break_sentence
from ._report_svg import COLOURS
from .own_figures import OWN_LABEL

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
_CHART_ROWS = 20  # rows kept for each indicator's two charts


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


def rounded(value: float, dps: int) -> float:
    """``value`` rounded half away from zero to ``dps`` places, as the nearest float to the
    decimal (what Excel stores and shows): no float noise."""
    return float(f"{round_half_away(value, dps):.{dps}f}")


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
        self.la_label = book.add_format({"bold": True, "font_color": COLOURS["la"]})
        self.label = book.add_format({})
        self.text = book.add_format({"valign": "top"})
        self.own = book.add_format({"italic": True, "font_color": COLOURS["la"]})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.symbol = book.add_format({"align": "right", "bold": True, "font_color": "#505a5f"})
        self.note = book.add_format({"italic": True, "font_color": "#505a5f", "font_size": 9})
        self.key = book.add_format({"bold": True, "valign": "top"})
        self._numbers: dict[tuple[str, bool, bool], Fmt] = {}

    def number(self, pattern: str, *, bold: bool = False, italic: bool = False) -> Fmt:
        """A number format such as "0.0" (cached)."""
        key = (pattern, bold, italic)
        if key not in self._numbers:
            spec: dict[str, Any] = {"num_format": pattern, "bold": bold, "italic": italic}
            if italic:
                spec["font_color"] = COLOURS["la"]
            self._numbers[key] = self.book.add_format(spec)
        return self._numbers[key]


def _write_number(
    sheet: Sheet,
    row: int,
    col: int,
    value: float | None,
    fmts: _Formats,
    dps: int,
    *,
    pattern: str | None = None,
    bold: bool = False,
    italic: bool = False,
) -> None:
    """A number rounded to ``dps`` places with that format; a blank cell for ``None``."""
    fmt = fmts.number(pattern or _number_format(dps), bold=bold, italic=italic)
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, rounded(value, dps), fmt)


def _write_shown(
    sheet: Sheet,
    row: int,
    col: int,
    shown: Shown | None,
    fmts: _Formats,
    dps: int,
    *,
    bold: bool = False,
    italic: bool = False,
) -> None:
    """A value as a number with the definition's format, or its symbol with the reason as a note."""
    if shown is None:
        sheet.write_blank(row, col, None)
    elif shown.value is None:
        sheet.write_string(row, col, shown.text, fmts.symbol)
        if shown.reason:
            sheet.write_comment(row, col, shown.reason, {"x_scale": 2})
    else:
        _write_number(sheet, row, col, shown.value, fmts, dps, bold=bold, italic=italic)


def _title_rows(sheet: Sheet, report: Report, heading: str, fmts: _Formats) -> None:
    sheet.write_string(0, 0, f"{report.la_name} ({report.la}) – {heading}", fmts.title)
    own = (
        f" Figures marked {OWN_LABEL} are the council's own ({report.own_source}); DfE's are the "
        "ones compared."
        if report.own_source
        else ""
    )
    sheet.write_string(
        1,
        0,
        f"{report.title}. Statistical neighbours {report.sn_set} ({report.sn_method}); population "
        f"{report.population_vintage}. Values rounded as DfE publishes them; a missing value "
        f"shows its DfE symbol (see Provenance).{own}",
        fmts.subtitle,
    )
    sheet.set_row(0, 24)


def _table_header(
    sheet: Sheet, headers: Sequence[str], numeric: set[int], fmts: _Formats, widths: Sequence[float]
) -> None:
    for j, h in enumerate(headers):
        sheet.write_string(_HEADER_ROW, j, h, fmts.header_num if j in numeric else fmts.header)
    sheet.set_row(_HEADER_ROW, 45)
    for j, w in enumerate(widths):
        sheet.set_column(j, j, w)


def _print_setup(sheet: Sheet, *, last_row: int, last_col: int, repeat: bool = True) -> None:
    """A4 landscape, one page wide, the header rows on every page."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.print_area(0, 0, last_row, last_col)
    if repeat:
        sheet.repeat_rows(0, _HEADER_ROW)


# --- the summary ----------------------------------------------------------------------------


def _summary_headers(report: Report) -> tuple[str, ...]:
    return (
        "Area", "Indicator", "Year", report.la_name, "95% CI lower", "95% CI upper", "England",
        f"Statistical neighbours ({report.sn_method})", "Unit", "Against England",
        "Against neighbours", "Rank among neighbours", "Quartile band", "Gap to England",
        "Gap unit", "Gap direction", "Trend", "Council's own figure", "Own figure year",
        "Definition", "Note",
    )  # fmt: skip


def _own_latest(s: IndicatorSection) -> tuple[int, Shown] | None:
    points = [p for p in s.own_points if p.own is not None]
    if not points:
        return None
    p = points[-1]
    assert p.own is not None
    return p.year, p.own


def _summary_sheet(book: Any, report: Report, fmts: _Formats) -> None:
    sheet = book.add_worksheet("Summary")
    _title_rows(sheet, report, "summary, latest year", fmts)
    headers = _summary_headers(report)
    numeric = {2, 3, 4, 5, 6, 7, 13, 17, 18}
    widths = (17, 60, 7, 14, 9, 9, 10, 14, 11, 11, 11, 12, 9, 10, 17, 13, 22, 12, 9, 34, 60)
    _table_header(sheet, headers, numeric, fmts, widths)
    sheet.freeze_panes(_HEADER_ROW + 1, 2)
    row = _HEADER_ROW + 1
    for area, sections in report.areas:
        for s in sections:
            dps = s.decimal_places
            sheet.write_string(row, 0, area, fmts.text)
            sheet.write_string(row, 1, s.title, fmts.text)
            sheet.write_number(row, 2, s.latest_year, fmts.number("0"))
            _write_shown(sheet, row, 3, s.la, fmts, dps, bold=True)
            now = next((p for p in s.series if p.year == s.latest_year), None)
            _write_number(sheet, row, 4, now.la_lower if now else None, fmts, dps)
            _write_number(sheet, row, 5, now.la_upper if now else None, fmts, dps)
            _write_shown(sheet, row, 6, s.england, fmts, dps)
            _write_shown(sheet, row, 7, s.sn, fmts, dps)
            sheet.write_string(row, 8, s.unit_label, fmts.text)
            sheet.write_string(row, 9, s.vs_england or "–", fmts.text)
            sheet.write_string(row, 10, s.vs_sn or "–", fmts.text)
            sheet.write_string(row, 11, s.rank_text, fmts.text)
            sheet.write_string(row, 12, s.band or "–", fmts.text)
            if s.band is None:
                sheet.write_comment(row, 12, s.band_note)
            if s.gap is not None:
                _write_number(sheet, row, 13, s.gap, fmts, dps, pattern=_gap_format(dps))
            else:
                sheet.write_string(row, 13, "–", fmts.symbol)
            sheet.write_string(row, 14, s.gap_unit, fmts.text)
            sheet.write_string(row, 15, s.gap_direction or "–", fmts.text)
            sheet.write_string(row, 16, s.trend, fmts.text)
            sheet.write_comment(row, 16, s.trend_text, {"x_scale": 3, "y_scale": 1.5})
            own = _own_latest(s)
            if own is not None:
                _write_shown(sheet, row, 17, own[1], fmts, dps, italic=True)
                sheet.write_number(row, 18, own[0], fmts.number("0"))
            else:
                sheet.write_blank(row, 17, None)
                sheet.write_blank(row, 18, None)
            sheet.write_string(row, 19, s.key, fmts.text)
            note = f"Significance: {s.significance}" + "".join(
                f". {break_sentence(b)}" for b in s.breaks
            )
            sheet.write_string(row, 20, note, fmts.text)
            row += 1
        for u in report.unavailable_in(area):
            sheet.write_string(row, 0, area, fmts.text)
            sheet.write_string(row, 1, u.title, fmts.text)
            sheet.write_string(row, 20, f"No figures: {u.reason}", fmts.text)
            row += 1
    last = row - 1
    sheet.autofilter(_HEADER_ROW, 0, last, len(headers) - 1)
    _print_setup(sheet, last_row=last + 2, last_col=len(headers) - 1)
    sheet.write_string(
        last + 2,
        0,
        "Against England / neighbours: better, similar or worse (higher or lower without a "
        "polarity): whether the figure lies outside the LA's 95% confidence interval; '–' where "
        "there is no interval (DfE's published figures carry none). Rank: the LA among itself "
        "and its neighbours with a value (1 = best, or highest where the indicator has no "
        "polarity). Quartile band: LAIT's A (best) to D, only with a polarity. Gap: presented "
        "LA value minus England's. Trend: the recent-trend test over the last five years, since "
        "the last series break.",
        fmts.note,
    )


# --- the area sheets ------------------------------------------------------------------------


def _area_headers(report: Report) -> tuple[str, ...]:
    return (
        "Indicator", "Year", report.la_name, "95% CI lower", "95% CI upper", "England",
        f"Statistical neighbours ({report.sn_method})", "Unit", "Against England",
        "Against neighbours", "Council's own figure", "Own 95% CI lower", "Own 95% CI upper",
        "Figure source", "Definition version", "Series break", "Note",
    )  # fmt: skip


_LA, _LOW, _HIGH, _ENG, _SN, _OWN = 2, 3, 4, 5, 6, 10


def _area_sheet(
    book: Any,
    report: Report,
    area: str,
    sections: tuple[IndicatorSection, ...],
    unavailable: tuple[Unavailable, ...],
    neighbour_rows: dict[str, tuple[int, int]],
    fmts: _Formats,
) -> None:
    sheet = book.add_worksheet(area)
    _title_rows(sheet, report, area, fmts)
    headers = _area_headers(report)
    numeric = {1, 2, 3, 4, 5, 6, 10, 11, 12}
    widths = (52, 7, 13, 9, 9, 10, 14, 11, 11, 11, 12, 9, 9, 18, 11, 40, 50)
    _table_header(sheet, headers, numeric, fmts, widths)
    sheet.freeze_panes(_HEADER_ROW + 1, 2)
    row = _HEADER_ROW + 1
    spans: list[tuple[IndicatorSection, int, int]] = []
    for s in sections:
        first = row
        for p in s.series:
            row = _series_row(sheet, report, s, p, row, fmts)
        spans.append((s, first, row - 1))
    for u in unavailable:
        sheet.write_string(row, 0, u.title, fmts.text)
        sheet.write_string(row, 16, f"No figures: {u.reason}", fmts.text)
        row += 1
    last = row - 1
    sheet.autofilter(_HEADER_ROW, 0, last, len(headers) - 1)
    row += 2
    for s, first, end in spans:
        row = _indicator_block(book, sheet, report, s, row, (first, end), neighbour_rows, fmts)
    _print_setup(sheet, last_row=row, last_col=len(headers) - 1)


def _series_row(
    sheet: Sheet, report: Report, s: IndicatorSection, p: Any, row: int, fmts: _Formats
) -> int:
    dps = s.decimal_places
    own_only = p.own is not None and p.la.value is None and p.la.text == "x"
    sheet.write_string(row, 0, s.title, fmts.text)
    sheet.write_number(row, 1, p.year, fmts.number("0"))
    _write_shown(sheet, row, _LA, p.la, fmts, dps, bold=True)
    _write_number(sheet, row, _LOW, p.la_lower, fmts, dps)
    _write_number(sheet, row, _HIGH, p.la_upper, fmts, dps)
    _write_shown(sheet, row, _ENG, p.england, fmts, dps)
    _write_shown(sheet, row, _SN, p.sn, fmts, dps)
    sheet.write_string(row, 7, s.unit_label, fmts.text)
    sheet.write_string(row, 8, p.vs_england or "–", fmts.text)
    sheet.write_string(row, 9, p.vs_sn or "–", fmts.text)
    _write_shown(sheet, row, _OWN, p.own, fmts, dps, italic=True)
    _write_number(sheet, row, 11, p.own_lower, fmts, dps, italic=True)
    _write_number(sheet, row, 12, p.own_upper, fmts, dps, italic=True)
    source = OWN_LABEL if own_only else ("computed" if s.computed else "published")
    sheet.write_string(row, 13, source, fmts.own if own_only else fmts.text)
    sheet.write_string(row, 14, f"{s.indicator_id}@{p.version}", fmts.text)
    broken = next((b for b in s.breaks if b.year == p.year), None)
    sheet.write_string(row, 15, break_sentence(broken) if broken else "", fmts.text)
    note = f"{OWN_LABEL} only: DfE has not published this year" if own_only else (p.la.reason or "")
    sheet.write_string(row, 16, note, fmts.text)
    return row + 1


def _indicator_block(
    book: Any,
    sheet: Sheet,
    report: Report,
    s: IndicatorSection,
    row: int,
    span: tuple[int, int],
    neighbour_rows: dict[str, tuple[int, int]],
    fmts: _Formats,
) -> int:
    """One indicator's notes and charts from ``row``; return the next free row."""
    sheet.write_string(row, 0, s.title, fmts.indicator)
    notes = [
        f"Trend: {s.trend_text}",
        f"Significance: {s.significance}.",
        *(break_sentence(b) for b in s.breaks),
        *(f"Caveat: {c}" for c in s.caveats),
        f"Provenance: {s.provenance_text}.",
    ]
    for i, text in enumerate(notes, start=1):
        sheet.write_string(row + i, 0, text, fmts.note)
    chart_row = row + len(notes) + 2
    _charts(book, sheet, report, s, chart_row, span, neighbour_rows.get(s.anchor))
    return chart_row + _CHART_ROWS + 1


def _charts(
    book: Any,
    sheet: Sheet,
    report: Report,
    s: IndicatorSection,
    row: int,
    span: tuple[int, int],
    bars: tuple[int, int] | None,
) -> None:
    """The column chart (from the Neighbours sheet) and the line chart (from the table)."""
    name = sheet.get_name()
    dps = s.decimal_places
    if bars is not None:
        first, last = bars
        bar = book.add_chart({"type": "column"})
        bar.add_series(
            {
                "name": f"Statistical neighbours ({report.la_name} in blue)",
                "categories": ["Neighbours", first, 2, last, 2],
                "values": ["Neighbours", first, 5, last, 5],
                "fill": {"color": COLOURS["neighbour"]},
                "gap": 60,
                "points": [{"fill": {"color": COLOURS["la"]}} if b.is_la else None for b in s.bars],
                "data_labels": {
                    "value": True, "num_format": _number_format(dps), "font": {"size": 8},
                },
            }
        )  # fmt: skip
        if s.england.value is not None:
            england = book.add_chart({"type": "line"})
            england.add_series(
                {
                    "name": f"England ({s.england.text})",
                    "categories": ["Neighbours", first, 2, last, 2],
                    "values": ["Neighbours", first, 6, last, 6],
                    "line": {"color": COLOURS["england"], "width": 2, "dash_type": "dash"},
                    "marker": {"type": "none"},
                }
            )
            bar.combine(england)
        bar.set_title(
            {"name": f"{s.title}, {s.latest_year}", "name_font": {"size": 10, "bold": True}}
        )
        bar.set_y_axis(
            {"name": s.unit_label, "min": 0, "num_format": "General",
             "major_gridlines": {"visible": True, "line": {"color": COLOURS["grid"]}}}
        )  # fmt: skip
        bar.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
        bar.set_legend({"position": "bottom"})
        bar.show_blanks_as("gap")
        bar.show_hidden_data()
        bar.set_size({"width": 560, "height": 380})
        sheet.insert_chart(row, 0, bar, {"x_offset": 4, "y_offset": 4, "object_position": 1})

    first, last = span
    line = book.add_chart({"type": "line"})
    styles = [
        (_LA, COLOURS["la"], "solid", "circle", "automatic"),
        (_ENG, COLOURS["england"], "dash", "square", "automatic"),
        (_SN, COLOURS["sn"], "round_dot", "diamond", "automatic"),
    ]
    if s.own_points:
        styles.append((_OWN, COLOURS["la"], "square_dot", "circle", "#ffffff"))
    for col, colour, dash, marker, fill in styles:
        line.add_series(
            {
                "name": [name, _HEADER_ROW, col],
                "categories": [name, first, 1, last, 1],
                "values": [name, first, col, last, col],
                "line": {"color": colour, "width": 2.25, "dash_type": dash},
                "marker": {"type": marker, "size": 6,
                           "fill": {"color": colour if fill == "automatic" else fill},
                           "border": {"color": colour}},
            }
        )  # fmt: skip
    span_text = f"{s.series[0].year} to {s.series[-1].year}"
    line.set_title({"name": f"{s.title}, {span_text}", "name_font": {"size": 10, "bold": True}})
    line.set_y_axis(
        {"name": s.unit_label, "min": 0, "num_format": "General",
         "major_gridlines": {"visible": True, "line": {"color": COLOURS["grid"]}}}
    )  # fmt: skip
    line.set_legend({"position": "bottom"})
    line.show_blanks_as("gap")
    line.show_hidden_data()
    line.set_size({"width": 520, "height": 380})
    sheet.insert_chart(row, 0, line, {"x_offset": 580, "y_offset": 4, "object_position": 1})


# --- the neighbours' sheet ------------------------------------------------------------------


def _neighbours_sheet(book: Any, report: Report, fmts: _Formats) -> None:
    """Each indicator's bars (the latest year of the LA and its neighbours), in the order of the
    sections: the column charts' data."""
    sheet = book.add_worksheet("Neighbours")
    _title_rows(sheet, report, "the LA and its statistical neighbours, latest year", fmts)
    headers = (
        "Indicator", "Year", "Area", "Area code", "Closeness (0 = the LA)", "Value", "England",
        "Unit", "Note",
    )  # fmt: skip
    _table_header(sheet, headers, {1, 4, 5, 6}, fmts, (52, 7, 30, 10, 11, 10, 10, 11, 50))
    sheet.freeze_panes(_HEADER_ROW + 1, 1)
    row = _HEADER_ROW + 1
    for s in report.sections:
        dps = s.decimal_places
        for b in s.bars:
            sheet.write_string(row, 0, s.title, fmts.text)
            sheet.write_number(row, 1, s.latest_year, fmts.number("0"))
            sheet.write_string(row, 2, b.name, fmts.la_label if b.is_la else fmts.label)
            sheet.write_string(row, 3, b.code, fmts.text)
            sheet.write_number(row, 4, b.closeness_rank, fmts.number("0"))
            if b.shown.value is not None:
                _write_number(sheet, row, 5, b.shown.value, fmts, dps, bold=b.is_la)
            else:
                sheet.write_blank(row, 5, None)
            _write_number(sheet, row, 6, s.england.value, fmts, dps)
            sheet.write_string(row, 7, s.unit_label, fmts.text)
            sheet.write_string(row, 8, b.shown.reason or "", fmts.text)
            row += 1
    sheet.autofilter(_HEADER_ROW, 0, max(row - 1, _HEADER_ROW), len(headers) - 1)
    _print_setup(sheet, last_row=row, last_col=len(headers) - 1)


# --- provenance -----------------------------------------------------------------------------


def _provenance_sheet(book: Any, report: Report, fmts: _Formats) -> None:
    sheet = book.add_worksheet("Provenance")
    sheet.write_string(0, 0, f"{report.la_name} – provenance", fmts.title)
    sheet.set_row(0, 24)
    widths = (30, 44, 16, 30, 11, 9, 20, 15, 14, 11, 26, 30, 40, 60)
    for j, w in enumerate(widths):
        sheet.set_column(j, j, w)
    years = report.years
    facts = (
        ("Local authority", f"{report.la_name} (old LA number {report.la})"),
        ("ONS code", report.ons_code or "–"),
        ("Collection years", f"{years[0]} to {years[-1]} (2025 is the year ending 31 March 2025)"),
        ("Counts", report.data_source),
        *((("Council's own figures", f"{report.own_source}: shown beside DfE's, marked "
            f"{OWN_LABEL}; DfE's figure is the one compared"),) if report.own_source else ()),
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
        "Source (DfE release / table)", "Series breaks", "Caveats",
    )  # fmt: skip
    header = row
    _wrapped_row(sheet, row, [(j, h, widths[j]) for j, h in enumerate(headers)], fmts.header)
    row += 1
    for s in report.sections:
        values = (
            s.indicator_id, s.title, s.topic_label, s.versions_text, s.unit_label,
            str(s.decimal_places), s.polarity_label, f"{s.ci_method}, 95%", s.sn_set, s.sn_method,
            s.population_vintage or "none (a percentage of counts)", s.source or "–",
            " ".join(break_sentence(b) for b in s.breaks) or "–", " ".join(s.caveats) or "–",
        )  # fmt: skip
        _wrapped_row(sheet, row, [(j, v, widths[j]) for j, v in enumerate(values)], fmts.wrap)
        row += 1
    for u in report.unavailable:
        given = (u.indicator_id, u.title, u.topic_label, f"no figures: {u.reason}")
        _wrapped_row(sheet, row, [(j, v, widths[j]) for j, v in enumerate(given)], fmts.wrap)
        for j in range(len(given), len(headers) - 1):
            sheet.write_string(row, j, "–", fmts.wrap)
        sheet.write_string(row, len(headers) - 1, " ".join(u.caveats) or "–", fmts.wrap)
        row += 1
    sheet.autofilter(header, 0, row - 1, len(headers) - 1)
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
    # in memory: no temporary file per part (most of the time of a small workbook)
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties(
        {"title": report.title, "subject": f"{report.subject.capitalize()} benchmarking",
         "comments": f"cyp-indicators {report.library_version}; {report.sn_set}; "
                     f"{report.population_vintage}"}
    )  # fmt: skip
    fmts = _Formats(book)
    _summary_sheet(book, report, fmts)
    # the neighbours' sheet comes after the areas, but the charts on the area sheets refer to its
    # rows: they are known beforehand (each section's bars, in order)
    neighbour_rows = {
        s.anchor: (
            _HEADER_ROW + 1 + sum(len(t.bars) for t in report.sections[:i]),
            _HEADER_ROW + sum(len(t.bars) for t in report.sections[: i + 1]),
        )
        for i, s in enumerate(report.sections)
    }
    for area, sections in report.areas:
        _area_sheet(book, report, area, sections, report.unavailable_in(area), neighbour_rows, fmts)
    _neighbours_sheet(book, report, fmts)
    _provenance_sheet(book, report, fmts)
    book.close()
