"""Hand-written SVG charts for the HTML report: the LA among its neighbours, and a time series.

The charts are drawn from the data, from a zero baseline: a bar's height is proportional to its
value, England is a horizontal line across the bars, and a missing value draws no bar or point but
shows its DfE symbol where it would be. Each chart is an accessible image (``role="img"`` with a
``<title>`` and a ``<desc>`` that says what it shows in words) and needs no script, font or file
from anywhere else. Colours are from the Okabe-Ito palette (safe for colour-blind readers) and are
set as attributes, so a chart copied out of the page draws the same.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from html import escape

from ._report_model import IndicatorSection, Shown

__all__ = ["COLOURS", "bar_chart", "crosses", "label_box", "line_chart", "nice_scale"]

#: Series colours: the LA, its neighbours' bars, England, the neighbours' aggregate, gridlines.
COLOURS = {
    "la": "#0072b2",
    "neighbour": "#bfc1c3",
    "england": "#0b0c0c",
    "sn": "#d55e00",
    "grid": "#e4e5e6",
    "axis": "#505a5f",
    "text": "#0b0c0c",
}
_FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"


def nice_scale(top_value: float, ticks: int = 5) -> tuple[float, float]:
    """An axis from 0 for values up to ``top_value``: its top and a step of 1, 2, 2.5 or 5 x 10^k.

    Parameters
    ----------
    top_value
        The largest value to show (0 or less gives an axis from 0 to 1).
    ticks
        About how many steps the axis should have.

    Returns
    -------
    tuple of float
        ``(top, step)``: ``top`` is a whole number of steps at least 6 % above ``top_value``.
    """
    if not top_value > 0 or math.isinf(top_value):
        return 1.0, 0.2
    target = top_value * 1.06  # headroom for the value labels above the tallest bar
    raw = target / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw * (1 - 1e-9))
    return math.ceil(target / step - 1e-9) * step, step


def _tick_text(value: float, step: float) -> str:
    decimals = 0 if float(step).is_integer() else max(0, -math.floor(math.log10(step)) + 1)
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _n(value: float) -> str:
    """A coordinate with at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _ellipsis(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _legend(
    items: Sequence[tuple[str, str, str]], x: float, y: float, width: float = 640
) -> tuple[list[str], float]:
    """A legend: (kind, colour, label) with kind "box", "line", "dash", "dot" or "hollow",
    wrapped onto a new row where a row is full. Returns the elements and the last row's y."""
    out = ['<g class="legend" aria-hidden="true">']
    start = x
    for kind, colour, label in items:
        mark = 12 if kind in ("box", "hollow") else 18
        size = mark + 5 + 7.2 * len(label) + 18
        if x > start and x + size - 18 > width:
            x, y = start, y + 17
        if kind == "box":
            out.append(
                f'<rect x="{_n(x)}" y="{_n(y - 9)}" width="12" height="12" fill="{colour}"/>'
            )
        elif kind == "hollow":
            out.append(
                f'<circle cx="{_n(x + 6)}" cy="{_n(y - 3)}" r="4.5" fill="#fff" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        else:
            dash = {"dash": ' stroke-dasharray="6 4"', "dot": ' stroke-dasharray="2 3"'}.get(
                kind, ""
            )
            out.append(
                f'<line x1="{_n(x)}" y1="{_n(y - 3)}" x2="{_n(x + 18)}" y2="{_n(y - 3)}" '
                f'stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        out.append(
            f'<text x="{_n(x + mark + 5)}" y="{_n(y + 1)}" font-size="13">{escape(label)}</text>'
        )
        x += size
    out.append("</g>")
    return out, y


# --- label placement: a value label never sits on a reference line ----------------------------

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (y grows downwards)
Segment = tuple[float, float, float, float]


def label_box(x: float, y: float, text: str, size: float, anchor: str = "start") -> Box:
    """The box a label of ``size`` px drawn at baseline ``(x, y)`` covers, generously (every
    character as wide as a bold digit, and a margin), so a browser's box lies inside it."""
    width = 0.66 * size * len(text) + 2
    x0 = {"start": x - 1, "middle": x - width / 2, "end": x - width + 1}[anchor]
    return (x0, y - 0.95 * size - 1, x0 + width, y + 0.3 * size + 1)


def _inside(px: float, py: float, box: Box) -> bool:
    return box[0] <= px <= box[2] and box[1] <= py <= box[3]


def crosses(segment: Segment, box: Box) -> bool:
    """Whether a line segment touches a box (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = segment
    # wholly on one side of the box: no touch (equality is a touch, so strict comparisons)
    if (
        (x0 < box[0] and x1 < box[0])
        or (x0 > box[2] and x1 > box[2])
        or (y0 < box[1] and y1 < box[1])
        or (y0 > box[3] and y1 > box[3])
    ):
        return False
    if _inside(x0, y0, box) or _inside(x1, y1, box):
        return True
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _segments(points: Sequence[tuple[float, float]]) -> list[Segment]:
    return [(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(points)]


def _y_axis(
    left: float, top: float, width: float, height: float, scale_top: float, step: float, unit: str
) -> list[str]:
    out = ['<g class="y-axis" aria-hidden="true">']
    steps = round(scale_top / step)
    for i in range(steps + 1):
        value = i * step
        y = top + height - value / scale_top * height
        colour = COLOURS["axis"] if i == 0 else COLOURS["grid"]
        out.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + width)}" y2="{_n(y)}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" font-size="12" text-anchor="end" '
            f'fill="{COLOURS["axis"]}">{_tick_text(value, step)}</text>'
        )
    mid = top + height / 2
    out.append(
        f'<text class="axis-title" x="14" y="{_n(mid)}" font-size="12" text-anchor="middle" '
        f'fill="{COLOURS["axis"]}" transform="rotate(-90 14 {_n(mid)})">{escape(unit)}</text>'
    )
    out.append("</g>")
    return out


def _open(
    chart_id: str, width: int, height: int, title: str, heading: str, desc: str, kind: str
) -> list[str]:
    return [
        f'<svg class="chart {kind}" id="{chart_id}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'style="{_FONT}" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<text class="chart-title" x="0" y="16" font-size="15" font-weight="700" '
        f'fill="{COLOURS["text"]}" aria-hidden="true">{escape(heading)}</text>',
    ]


def _with_unit(shown: Shown, unit: str) -> str:
    if shown.value is None:
        return f"{shown.text} (no value: {shown.reason or 'not available'})"
    return f"{shown.text}%" if unit == "%" else f"{shown.text} {unit}"


def _clear_of(
    y: float, x: float, text: str, size: float, anchor: str, lines: Sequence[Segment]
) -> float:
    """A baseline at or above ``y`` where the label does not touch a line: ``y`` itself, or just
    above the highest line it would touch (the lines are horizontal here)."""
    for _ in range(len(lines) + 1):
        box = label_box(x, y, text, size, anchor)
        hit = [seg for seg in lines if crosses(seg, (box[0], box[1] - 1.5, box[2], box[3] + 1.5))]
        if not hit:
            return y
        y = min(min(seg[1], seg[3]) for seg in hit) - 0.3 * size - 4
    return y


def bar_chart(section: IndicatorSection, la_name: str, chart_id: str) -> str:
    """The LA and its statistical neighbours in the latest year, England as a horizontal line.

    Bars are ordered largest first (missing values last, shown as their symbol); the LA's bar has
    the class ``bar-la`` and its own colour. Each bar carries ``data-value`` and an ``aria-label``.
    A value label never sits on England's line: the line is drawn beneath the labels, and a label
    it would cross is moved above it.
    """
    bars = section.bars
    longest = max((len(_ellipsis(b.name)) for b in bars), default=8)
    bottom = 24.0 + 0.643 * 6.8 * longest  # room for the names, written at 40 degrees
    width = 640
    legend, legend_y = _legend(
        [
            ("box", COLOURS["la"], la_name),
            ("box", COLOURS["neighbour"], f"Statistical neighbours ({section.sn_set})"),
            ("dash", COLOURS["england"], "England"),
        ],
        0,
        38,
        width,
    )
    left, right, top = 58.0, 70.0, legend_y + 16
    height = round(top + 206 + bottom)
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [b.shown.value for b in bars if b.shown.value is not None]
    if section.england.value is not None:
        values.append(section.england.value)
    scale_top, step = nice_scale(max(values, default=0.0))
    unit = section.unit_label
    title = f"{section.title}: {la_name} and its statistical neighbours, {section.latest_year}"
    shown_bars = ", ".join(f"{b.name} {b.shown.text}" for b in bars)
    desc = (
        f"Bar chart, {unit}, largest first. {la_name} {_with_unit(section.la, unit)}, rank "
        f"{section.rank_text} among itself and its neighbours ({section.sn_set}). England "
        f"{_with_unit(section.england, unit)}, drawn as a horizontal line. Values: {shown_bars}."
    )
    heading = f"{_ellipsis(la_name, 30)} and its statistical neighbours, {section.latest_year}"
    out = _open(chart_id, width, height, title, heading, desc, "bar-chart")
    out += legend
    out += _y_axis(left, top, plot_w, plot_h, scale_top, step, unit)
    base = round(top + plot_h, 2)
    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.66, 48.0)
    england_y = (
        base - section.england.value / scale_top * plot_h
        if section.england.value is not None
        else None
    )
    lines: list[Segment] = (
        [(left, england_y, left + plot_w, england_y)] if england_y is not None else []
    )
    marks: list[str] = ['<g class="bars">']
    labels: list[str] = ['<g class="value-labels">']
    for i, bar in enumerate(bars):
        cx = left + slot * (i + 0.5)
        kind = "bar bar-la" if bar.is_la else "bar bar-neighbour"
        colour = COLOURS["la"] if bar.is_la else COLOURS["neighbour"]
        label = f"{bar.name}: {_with_unit(bar.shown, unit)}"
        weight = ' font-weight="700"' if bar.is_la else ""
        if bar.shown.value is not None:
            h = round(bar.shown.value / scale_top * plot_h, 2)  # y + height is the baseline
            marks.append(
                f'<rect class="{kind}" x="{_n(cx - bar_w / 2)}" y="{_n(base - h)}" '
                f'width="{_n(bar_w)}" height="{_n(h)}" fill="{colour}" '
                f'data-la="{escape(bar.code)}" data-value="{bar.shown.value}" '
                f'aria-label="{escape(label)}"><title>{escape(label)}</title></rect>'
            )
            y = _clear_of(base - h - 4, cx, bar.shown.text, 11.5, "middle", lines)
            moved = ' data-moved="clear of a reference line"' if y != base - h - 4 else ""
            labels.append(
                f'<text class="value-label" paint-order="stroke" stroke="#fff" stroke-width="3" '
                f'x="{_n(cx)}" y="{_n(y)}" font-size="11.5" text-anchor="middle" '
                f'fill="{COLOURS["text"]}"{weight}{moved}>{escape(bar.shown.text)}</text>'
            )
        else:
            y = _clear_of(base - 6, cx, bar.shown.text, 13, "middle", lines)
            labels.append(
                f'<text class="symbol{" symbol-la" if bar.is_la else ""}" x="{_n(cx)}" '
                f'y="{_n(y)}" font-size="13" font-weight="700" text-anchor="middle" '
                f'paint-order="stroke" stroke="#fff" stroke-width="3" '
                f'fill="{colour if bar.is_la else COLOURS["axis"]}" data-la="{escape(bar.code)}" '
                f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
                f"{escape(bar.shown.text)}</text>"
            )
        marks.append(
            f'<text class="category" x="{_n(cx + 3)}" y="{_n(base + 14)}" font-size="12" '
            f'text-anchor="end" fill="{COLOURS["text"]}"{weight} '
            f'transform="rotate(-40 {_n(cx + 3)} {_n(base + 14)})">'
            f"<title>{escape(bar.name)}</title>{escape(_ellipsis(bar.name))}</text>"
        )
    marks.append("</g>")
    labels.append("</g>")
    out += marks
    if england_y is not None:  # beneath the value labels
        out.append(
            f'<g class="england"><line class="england-line reference-line" x1="{_n(left)}" '
            f'y1="{_n(england_y)}" x2="{_n(left + plot_w)}" y2="{_n(england_y)}" '
            f'stroke="{COLOURS["england"]}" stroke-width="2" stroke-dasharray="6 4" '
            f'data-value="{section.england.value}" '
            f'aria-label="England: {escape(_with_unit(section.england, unit))}"/>'
            f'<text x="{_n(left + plot_w + 6)}" y="{_n(england_y - 2)}" font-size="12" '
            f'fill="{COLOURS["england"]}">England</text>'
            f'<text x="{_n(left + plot_w + 6)}" y="{_n(england_y + 11)}" font-size="12" '
            f'font-weight="700" fill="{COLOURS["england"]}">{escape(section.england.text)}</text>'
            "</g>"
        )
    else:
        out.append(
            f'<text class="symbol" x="{_n(left + plot_w + 6)}" y="{_n(base - 6)}" font-size="12" '
            f'fill="{COLOURS["england"]}">England {escape(section.england.text)}</text>'
        )
    out += labels
    out.append("</svg>")
    return "\n".join(out)


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "hollow":
        return (
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="#fff" stroke="{colour}" '
            f'stroke-width="2"/>'
        )
    if kind == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8" fill="{colour}"/>'
    return (
        f'<path d="M{_n(x)} {_n(y - 5.5)}L{_n(x + 5.5)} {_n(y)}L{_n(x)} {_n(y + 5.5)}'
        f'L{_n(x - 5.5)} {_n(y)}Z" fill="{colour}"/>'
    )


#: Where a point's value label may go: (dx, dy, anchor), in order of preference.
_PLACES = (
    (7.0, -7.0, "start"),
    (7.0, 16.0, "start"),
    (-7.0, -7.0, "end"),
    (-7.0, 16.0, "end"),
    (0.0, -11.0, "middle"),
    (0.0, 20.0, "middle"),
    (10.0, 4.0, "start"),
    (-10.0, 4.0, "end"),
)


def _place(
    x: float,
    y: float,
    text: str,
    reference: Sequence[Segment],
    others: Sequence[Segment],
    bounds: Box,
) -> tuple[float, float, str]:
    """A place for a point's label that touches no reference line (England's, the neighbours')
    and as few other lines as can be; the first place when every one touches a reference line
    (the label is drawn above the lines with a white halo)."""
    best: tuple[int, int, int] | None = None
    chosen = (x + _PLACES[0][0], y + _PLACES[0][1], _PLACES[0][2])
    for order, (dx, dy, anchor) in enumerate(_PLACES):
        box = label_box(x + dx, y + dy, text, 11.5, anchor)
        outside = not (
            bounds[0] <= box[0]
            and box[2] <= bounds[2]
            and bounds[1] <= box[1]
            and box[3] <= bounds[3]
        )
        score = (
            sum(crosses(seg, box) for seg in reference) + (1 if outside else 0),
            sum(crosses(seg, box) for seg in others),
            order,
        )
        if best is None or score < best:
            best, chosen = score, (x + dx, y + dy, anchor)
        if score[:2] == (0, 0):  # touches nothing: no later place can score lower
            break
    return chosen


def line_chart(section: IndicatorSection, la_name: str, chart_id: str) -> str:
    """The LA (with its 95 % intervals), England and the neighbours' aggregate over the years.

    A missing value breaks its line and shows its symbol at the foot of the chart in the series'
    colour. Each series is a ``<g class="series series-...">`` with ``data-values``; the council's
    own figures (where given) are ``series-own``, hollow points on a dotted line. A series break
    (a new definition, a reform) is a gap in every line and a labelled vertical marker
    (``<g class="series-break">``). The LA's value labels are placed clear of England's and the
    neighbours' lines, and drawn above every line with a white halo.
    """
    width = 640
    points = section.series
    unit = section.unit_label
    sn_label = f"Statistical neighbours ({section.sn_method})"
    own_label = f"{la_name}: council's own figures"
    has_own = any(p.own is not None for p in points)
    legend, legend_y = _legend(
        [
            ("line", COLOURS["la"], f"{la_name} (95% interval)"),
            ("dash", COLOURS["england"], "England"),
            ("dot", COLOURS["sn"], sn_label),
            *([("hollow", COLOURS["la"], own_label)] if has_own else []),
        ],
        0,
        38,
        width,
    )
    left, right, top, bottom = 58.0, 24.0, legend_y + 16, 44.0
    height = round(top + 232 + bottom)
    plot_w, plot_h = width - left - right, height - top - bottom
    series: list[tuple[str, str, str, str, str, list[Shown | None]]] = [
        ("la", la_name, COLOURS["la"], "", "circle", [p.la for p in points]),
        ("england", "England", COLOURS["england"], "6 4", "square", [p.england for p in points]),
        ("sn", sn_label, COLOURS["sn"], "2 3", "diamond", [p.sn for p in points]),
    ]
    if has_own:
        series.append(("own", own_label, COLOURS["la"], "1 4", "hollow", [p.own for p in points]))
    values = [
        v.value for *_, shown in series for v in shown if v is not None and v.value is not None
    ]
    values += [p.la_upper for p in points if p.la_upper is not None]
    values += [p.own_upper for p in points if p.own_upper is not None]
    scale_top, step = nice_scale(max(values, default=0.0))
    years = [p.year for p in points]
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    title = f"{section.title}: {la_name}, England and statistical neighbours, {span}"
    breaks = [i for i, p in enumerate(points) if p.new_basis and i > 0]

    def words(shown: list[Shown | None]) -> str:
        return ", ".join(f"{y} {s.text}" for y, s in zip(years, shown, strict=True) if s)

    desc = (
        f"Line chart, {unit}, by collection year. {la_name}: {words(series[0][5])}. England: "
        f"{words(series[1][5])}. Statistical neighbours ({section.sn_set}, {section.sn_method}): "
        f"{words(series[2][5])}. "
        + (f"{own_label}: {words(series[3][5])}. " if has_own else "")
        + "".join(
            f"The series breaks in {points[i].year}: figures before it are on another basis. "
            for i in breaks
        )
        + section.trend_text
    )
    heading = f"{_ellipsis(la_name, 30)}, England and statistical neighbours, {span}"
    out = _open(chart_id, width, height, title, heading, desc, "line-chart")
    out += legend
    out += _y_axis(left, top, plot_w, plot_h, scale_top, step, unit)
    base = top + plot_h
    slot = plot_w / max(len(points), 1)

    def x_of(i: int) -> float:
        return left + slot * (i + 0.5)

    def y_of(v: float) -> float:
        return base - v / scale_top * plot_h

    out.append('<g class="x-axis" aria-hidden="true">')
    for i, year in enumerate(years):
        out.append(
            f'<text x="{_n(x_of(i))}" y="{_n(base + 17)}" font-size="12" text-anchor="middle" '
            f'fill="{COLOURS["axis"]}">{year}</text>'
        )
    out.append("</g>")
    for i in breaks:
        x = (x_of(i - 1) + x_of(i)) / 2
        out.append(
            f'<g class="series-break" data-year="{points[i].year}">'
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(base)}" '
            f'stroke="{COLOURS["axis"]}" stroke-width="1.5" stroke-dasharray="3 3"/>'
            f'<text x="{_n(x + 4)}" y="{_n(top + 11)}" font-size="11" paint-order="stroke" '
            f'stroke="#fff" stroke-width="3" fill="{COLOURS["axis"]}">'
            f"<title>The series breaks in {points[i].year}: a new basis</title>"
            f"Series break</text></g>"
        )
    ci = ['<g class="interval" aria-hidden="true">']
    for i, p in enumerate(points):
        if p.la_lower is not None and p.la_upper is not None:
            x, y0, y1 = x_of(i), y_of(p.la_lower), y_of(p.la_upper)
            ci.append(
                f'<path d="M{_n(x)} {_n(y0)}V{_n(y1)}M{_n(x - 4)} {_n(y0)}H{_n(x + 4)}'
                f'M{_n(x - 4)} {_n(y1)}H{_n(x + 4)}" stroke="{COLOURS["la"]}" stroke-width="1.2" '
                f'fill="none" opacity="0.7"/>'
            )
    ci.append("</g>")
    out += ci
    lines_of: dict[str, list[Segment]] = {}
    for key, label, colour, dash, marker, shown in reversed(series):
        data = ",".join("" if s is None or s.value is None else f"{s.value}" for s in shown)
        out.append(
            f'<g class="series series-{key}" data-values="{data}" '
            f'aria-label="{escape(label)}: {escape(words(shown))}">'
        )
        segments: list[list[tuple[float, float]]] = [[]]
        for i, s in enumerate(shown):
            if i in breaks:
                segments.append([])
            if s is None or s.value is None:
                segments.append([])
            else:
                segments[-1].append((x_of(i), y_of(s.value)))
        lines_of[key] = [seg for part in segments for seg in _segments(part)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        kind = "line reference-line" if key in ("england", "sn") else "line"
        for seg in segments:
            if len(seg) >= 2:
                d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in seg)
                out.append(
                    f'<path class="{kind}" d="{d}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>'
                )
        for i, s in enumerate(shown):
            if s is None:
                continue
            if s.value is not None:
                out.append(_marker(marker, x_of(i), y_of(s.value), colour))
            else:
                y = base - 6 - 13 * {"la": 0, "england": 1, "sn": 2, "own": 3}[key]
                out.append(
                    f'<text class="symbol" x="{_n(x_of(i))}" y="{_n(y)}" font-size="12" '
                    f'font-weight="700" text-anchor="middle" fill="{colour}">'
                    f"<title>{escape(label)} {years[i]}: {escape(_with_unit(s, unit))}</title>"
                    f"{escape(s.text)}</text>"
                )
        out.append("</g>")
    reference = lines_of.get("england", []) + lines_of.get("sn", [])
    others = lines_of.get("la", []) + lines_of.get("own", [])
    bounds = (left, top, left + plot_w + right, base)
    labelled: list[tuple[int, Shown, str]] = [
        (i, p.la, COLOURS["la"]) for i, p in enumerate(points) if p.la.value is not None
    ]
    labelled += [
        (i, p.own, COLOURS["la"])
        for i, p in enumerate(points)
        if p.own is not None and p.own.value is not None and p.la.value is None
    ]
    out.append('<g class="value-labels">')
    for i, s, colour in sorted(labelled, key=lambda t: t[0]):
        assert s.value is not None
        x, y, anchor = _place(x_of(i), y_of(s.value), s.text, reference, others, bounds)
        first = (x_of(i) + _PLACES[0][0], y_of(s.value) + _PLACES[0][1], _PLACES[0][2])
        moved = ' data-moved="clear of a line"' if (x, y, anchor) != first else ""
        out.append(
            f'<text class="value-label" paint-order="stroke" stroke="#fff" stroke-width="3" '
            f'x="{_n(x)}" y="{_n(y)}" font-size="11.5" font-weight="700" '
            f'text-anchor="{anchor}" fill="{colour}"{moved}>{escape(s.text)}</text>'
        )
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
