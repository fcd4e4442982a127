"""Hand-written SVG charts for the HTML report: the LA among its neighbours, and a time series.

The charts are drawn from the data, from a zero baseline: a bar's height is proportional to its
value, England is a horizontal line across the bars, and a missing value draws no bar or point but
shows its DfE symbol where it would be. Each chart is an accessible image (``role="img"`` with a
``<title>`` and a ``<desc>`` that says what it shows in words) and needs no script, font or file
from anywhere else. Colours are from the Okabe-Ito palette (safe for colour-blind readers) and are
set as attributes, so a chart copied out of the page draws the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from ._report_model import IndicatorSection, Shown

__all__ = ["COLOURS", "bar_chart", "line_chart", "nice_scale"]

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


def _legend(items: Sequence[tuple[str, str, str]], x: float, y: float) -> list[str]:
    """A legend row: (kind, colour, label) with kind "box", "line" or "dash"."""
    out = ['<g class="legend" aria-hidden="true">']
    for kind, colour, label in items:
        if kind == "box":
            out.append(
                f'<rect x="{_n(x)}" y="{_n(y - 9)}" width="12" height="12" fill="{colour}"/>'
            )
        else:
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            out.append(
                f'<line x1="{_n(x)}" y1="{_n(y - 3)}" x2="{_n(x + 18)}" y2="{_n(y - 3)}" '
                f'stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        width = 18 if kind != "box" else 12
        out.append(
            f'<text x="{_n(x + width + 5)}" y="{_n(y + 1)}" font-size="13">{escape(label)}</text>'
        )
        x += width + 5 + 7.2 * len(label) + 18
    out.append("</g>")
    return out


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


def bar_chart(section: IndicatorSection, la_name: str, chart_id: str) -> str:
    """The LA and its statistical neighbours in the latest year, England as a horizontal line.

    Bars are ordered largest first (missing values last, shown as their symbol); the LA's bar has
    the class ``bar-la`` and its own colour. Each bar carries ``data-value`` and an ``aria-label``.
    """
    bars = section.bars
    longest = max((len(_ellipsis(b.name)) for b in bars), default=8)
    bottom = 24.0 + 0.643 * 6.8 * longest  # room for the names, written at 40 degrees
    width, height = 640, round(260 + bottom)
    left, right, top = 58.0, 70.0, 54.0
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
    out += _legend(
        [
            ("box", COLOURS["la"], la_name),
            ("box", COLOURS["neighbour"], f"Statistical neighbours ({section.sn_set})"),
            ("dash", COLOURS["england"], "England"),
        ],
        0,
        38,
    )
    out += _y_axis(left, top, plot_w, plot_h, scale_top, step, unit)
    base = round(top + plot_h, 2)
    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.66, 48.0)
    out.append('<g class="bars">')
    for i, bar in enumerate(bars):
        cx = left + slot * (i + 0.5)
        kind = "bar bar-la" if bar.is_la else "bar bar-neighbour"
        colour = COLOURS["la"] if bar.is_la else COLOURS["neighbour"]
        label = f"{bar.name}: {_with_unit(bar.shown, unit)}"
        if bar.shown.value is not None:
            h = round(bar.shown.value / scale_top * plot_h, 2)  # y + height is the baseline
            out.append(
                f'<rect class="{kind}" x="{_n(cx - bar_w / 2)}" y="{_n(base - h)}" '
                f'width="{_n(bar_w)}" height="{_n(h)}" fill="{colour}" '
                f'data-la="{escape(bar.code)}" data-value="{bar.shown.value}" '
                f'aria-label="{escape(label)}"><title>{escape(label)}</title></rect>'
            )
            weight = ' font-weight="700"' if bar.is_la else ""
            out.append(
                f'<text class="value-label" paint-order="stroke" stroke="#fff" stroke-width="3" '
                f'x="{_n(cx)}" y="{_n(base - h - 4)}" font-size="11.5" text-anchor="middle" '
                f'fill="{COLOURS["text"]}"{weight}>{escape(bar.shown.text)}</text>'
            )
        else:
            out.append(
                f'<text class="symbol{" symbol-la" if bar.is_la else ""}" x="{_n(cx)}" '
                f'y="{_n(base - 6)}" font-size="13" font-weight="700" text-anchor="middle" '
                f'fill="{colour if bar.is_la else COLOURS["axis"]}" data-la="{escape(bar.code)}" '
                f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
                f"{escape(bar.shown.text)}</text>"
            )
        weight = ' font-weight="700"' if bar.is_la else ""
        out.append(
            f'<text class="category" x="{_n(cx + 3)}" y="{_n(base + 14)}" font-size="12" '
            f'text-anchor="end" fill="{COLOURS["text"]}"{weight} '
            f'transform="rotate(-40 {_n(cx + 3)} {_n(base + 14)})">'
            f"<title>{escape(bar.name)}</title>{escape(_ellipsis(bar.name))}</text>"
        )
    out.append("</g>")
    if section.england.value is not None:
        y = base - section.england.value / scale_top * plot_h
        out.append(
            f'<g class="england"><line class="england-line" x1="{_n(left)}" y1="{_n(y)}" '
            f'x2="{_n(left + plot_w)}" y2="{_n(y)}" stroke="{COLOURS["england"]}" '
            f'stroke-width="2" stroke-dasharray="6 4" data-value="{section.england.value}" '
            f'aria-label="England: {escape(_with_unit(section.england, unit))}"/>'
            f'<text x="{_n(left + plot_w + 6)}" y="{_n(y - 2)}" font-size="12" '
            f'fill="{COLOURS["england"]}">England</text>'
            f'<text x="{_n(left + plot_w + 6)}" y="{_n(y + 11)}" font-size="12" font-weight="700" '
            f'fill="{COLOURS["england"]}">{escape(section.england.text)}</text></g>'
        )
    else:
        out.append(
            f'<text class="symbol" x="{_n(left + plot_w + 6)}" y="{_n(base - 6)}" font-size="12" '
            f'fill="{COLOURS["england"]}">England {escape(section.england.text)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8" fill="{colour}"/>'
    return (
        f'<path d="M{_n(x)} {_n(y - 5.5)}L{_n(x + 5.5)} {_n(y)}L{_n(x)} {_n(y + 5.5)}'
        f'L{_n(x - 5.5)} {_n(y)}Z" fill="{colour}"/>'
    )


def line_chart(section: IndicatorSection, la_name: str, chart_id: str) -> str:
    """The LA (with its 95 % intervals), England and the neighbours' aggregate over the years.

    A missing value breaks its line and shows its symbol at the foot of the chart in the series'
    colour. Each series is a ``<g class="series series-...">`` with ``data-values``.
    """
    width, height = 640, 330
    left, right, top, bottom = 58.0, 24.0, 54.0, 44.0
    plot_w, plot_h = width - left - right, height - top - bottom
    points = section.series
    unit = section.unit_label
    sn_label = f"Statistical neighbours ({section.sn_method})"
    series: list[tuple[str, str, str, str, str, list[Shown]]] = [
        ("la", la_name, COLOURS["la"], "", "circle", [p.la for p in points]),
        ("england", "England", COLOURS["england"], "6 4", "square", [p.england for p in points]),
        ("sn", sn_label, COLOURS["sn"], "2 3", "diamond", [p.sn for p in points]),
    ]
    values = [s.value for *_, shown in series for s in shown if s.value is not None]
    values += [p.la_upper for p in points if p.la_upper is not None]
    scale_top, step = nice_scale(max(values, default=0.0))
    years = [p.year for p in points]
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    title = f"{section.title}: {la_name}, England and statistical neighbours, {span}"

    def words(shown: list[Shown]) -> str:
        return ", ".join(f"{y} {s.text}" for y, s in zip(years, shown, strict=True))

    desc = (
        f"Line chart, {unit}, by collection year. {la_name}: {words(series[0][5])}. England: "
        f"{words(series[1][5])}. Statistical neighbours ({section.sn_set}, {section.sn_method}): "
        f"{words(series[2][5])}. {section.trend_text}"
    )
    heading = f"{_ellipsis(la_name, 30)}, England and statistical neighbours, {span}"
    out = _open(chart_id, width, height, title, heading, desc, "line-chart")
    out += _legend(
        [
            ("line", COLOURS["la"], f"{la_name} (95% interval)"),
            ("dash", COLOURS["england"], "England"),
            ("line", COLOURS["sn"], sn_label),
        ],
        0,
        38,
    )
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
    for order, (key, label, colour, dash, marker, shown) in enumerate(reversed(series)):
        data = ",".join("" if s.value is None else f"{s.value}" for s in shown)
        out.append(
            f'<g class="series series-{key}" data-values="{data}" '
            f'aria-label="{escape(label)}: {escape(words(shown))}">'
        )
        segments: list[list[tuple[float, float]]] = [[]]
        for i, s in enumerate(shown):
            if s.value is None:
                segments.append([])
            else:
                segments[-1].append((x_of(i), y_of(s.value)))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for seg in segments:
            if len(seg) >= 2:
                d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in seg)
                out.append(
                    f'<path class="line" d="{d}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>'
                )
        for i, s in enumerate(shown):
            if s.value is not None:
                out.append(_marker(marker, x_of(i), y_of(s.value), colour))
            else:
                y = base - 6 - 13 * (2 - order)
                out.append(
                    f'<text class="symbol" x="{_n(x_of(i))}" y="{_n(y)}" font-size="12" '
                    f'font-weight="700" text-anchor="middle" fill="{colour}">'
                    f"<title>{escape(label)} {years[i]}: {escape(_with_unit(s, unit))}</title>"
                    f"{escape(s.text)}</text>"
                )
        if key == "la":
            for i, s in enumerate(shown):
                if s.value is not None:
                    out.append(
                        f'<text class="value-label" paint-order="stroke" stroke="#fff" '
                        f'stroke-width="3" x="{_n(x_of(i) + 7)}" '
                        f'y="{_n(y_of(s.value) - 7)}" font-size="11.5" font-weight="700" '
                        f'fill="{colour}">{escape(s.text)}</text>'
                    )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
