"""The report's layout: value labels clear of reference lines, breaks in the line chart, and the
workbook's numbers (rounded, two interval columns, an autofilter on each table)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

import cyp_indicators as cyp
from cyp_indicators.reports._report_model import Shown
from cyp_indicators.reports._report_svg import bar_chart, crosses, label_box, line_chart
from cyp_indicators.reports.benchmark_report import Report, build_report, write_xlsx

openpyxl = pytest.importorskip("openpyxl")


class _Svg(HTMLParser):
    """The SVG's value labels, England's line, the series' paths and the break markers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: list[dict[str, str]] = []
        self.england: list[dict[str, str]] = []
        self.paths: dict[str, list[str]] = {}
        self.breaks: list[str] = []
        self._series: str | None = None
        self._label: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs_list}
        classes = a.get("class", "").split()
        if tag == "text" and "value-label" in classes:
            self._label = {**a, "text": ""}
        elif tag == "line" and "england-line" in classes:
            self.england.append(a)
        elif tag == "g" and "series" in classes:
            self._series = classes[-1].removeprefix("series-")
        elif tag == "g" and "series-break" in classes:
            self.breaks.append(a["data-year"])
        elif tag == "path" and "line" in classes and self._series:
            self.paths.setdefault(self._series, []).append(a["d"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "text" and self._label is not None:
            self.labels.append(self._label)
            self._label = None
        elif tag == "g":
            self._series = None

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label["text"] += data


def _parse(svg: str) -> _Svg:
    page = _Svg()
    page.feed(svg)
    page.close()
    return page


@pytest.fixture(scope="module")
def derby() -> Report:
    return build_report("831")


def test_a_box_and_a_segment_touch_as_drawn_by_hand() -> None:
    """Boxes are (x0, y0, x1, y1) with y downwards; segments (x0, y0, x1, y1)."""
    box = (10.0, 10.0, 20.0, 20.0)
    assert crosses((0, 15, 30, 15), box)  # straight through
    assert crosses((12, 12, 40, 40), box)  # starts inside
    assert crosses((0, 0, 30, 30), box)  # the diagonal
    assert not crosses((0, 25, 30, 25), box)  # below
    assert not crosses((0, 0, 9, 30), box)  # to the left
    assert not crosses((21, 0, 40, 10), box)  # past a corner
    x0, y0, x1, y1 = label_box(100, 50, "123", 10, "middle")
    assert (x0 + x1) / 2 == pytest.approx(100)
    assert y1 > 50 > y0  # the baseline inside: descenders below it
    assert x1 - x0 >= 3 * 0.6 * 10  # at least a digit's width each


def test_a_bar_label_england_would_strike_through_moves_above_the_line(derby: Report) -> None:
    """England's value set just above the LA's bar: the LA's label sits above England's line,
    the line is drawn before the labels (beneath them)."""
    s = derby.sections[0]
    la = next(b for b in s.bars if b.is_la)
    assert la.shown.value is not None
    tallest = max(b.shown.value for b in s.bars if b.shown.value is not None)
    england = la.shown.value * 1.02 + 0.01 * tallest  # a few px above the bar's top
    moved = attrs.evolve(s, england=Shown(value=england, text=f"{england:.1f}"))
    svg = bar_chart(moved, derby.la_name, "chart-test")
    page = _parse(svg)
    (line,) = page.england
    line_y = float(line["y1"])
    (label,) = [lb for lb in page.labels if lb["text"] == la.shown.text and lb.get("font-weight")]
    assert label["data-moved"]
    # the text's descent is below its baseline: the baseline at least 4 px above the line
    assert float(label["y"]) <= line_y - 4
    assert svg.index('class="england"') < svg.index('class="value-labels"')


def test_a_series_break_splits_every_line_and_is_marked(derby: Report) -> None:
    """A break before the middle year: each series is two paths, a marker names the year."""
    s = derby.sections[0]
    middle = s.series[2].year
    series = tuple(attrs.evolve(p, new_basis=p.year == middle) for p in s.series)
    broken = attrs.evolve(s, series=series)
    page = _parse(line_chart(broken, derby.la_name, "chart-test"))
    assert page.breaks == [str(middle)]
    for key in ("la", "england", "sn"):
        assert len(page.paths[key]) == 2, key
    unbroken = _parse(line_chart(s, derby.la_name, "chart-test"))
    assert unbroken.breaks == []
    assert all(len(unbroken.paths[k]) == 1 for k in ("la", "england", "sn"))


def _decimals(number_format: str) -> int | None:
    found = re.fullmatch(r"\+?0(?:\.(0+))?(?:;.*)?", number_format)
    if found is None:
        return None
    return len(found.group(1) or "")


def test_workbook_numbers_are_rounded_with_their_format(
    derby: Report, catalogue: cyp.Catalogue, tmp_path: Path
) -> None:
    """Every number in every sheet is the decimal its format shows (no 0.30000000000000004), and
    every table has an autofilter; the intervals are two numeric columns."""
    reports = [
        derby,
        build_report("330", indicators=[d.id for d in catalogue.list(topic="finance")]),
    ]
    numbers = 0
    for i, report in enumerate(reports):
        book = openpyxl.load_workbook(write_xlsx(report, tmp_path / f"{i}.xlsx"))
        for sheet in book.worksheets:
            assert sheet.auto_filter.ref, sheet.title
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, bool) or not isinstance(cell.value, int | float):
                        continue
                    places = _decimals(cell.number_format)
                    assert places is not None, (sheet.title, cell.coordinate, cell.number_format)
                    assert cell.value == float(f"{cell.value:.{places}f}"), (
                        sheet.title,
                        cell.coordinate,
                        cell.value,
                    )
                    numbers += 1
        summary = book["Summary"]
        header = [c.value for c in summary[4]]
        low, high = header.index("95% CI lower"), header.index("95% CI upper")
        rows = summary.iter_rows(min_row=5, max_row=4 + len(report.sections))
        for row in rows:
            lower, upper = row[low].value, row[high].value
            assert (lower is None) == (upper is None)
            if lower is not None:
                assert isinstance(lower, float | int)
                assert isinstance(upper, float | int)
                assert lower <= upper
    assert numbers > 500
