"""The benchmarking report as one self-contained HTML page: inline CSS and SVG, no script.

Nothing is fetched when the page is viewed (no CDN, no web font, no image file): the charts are
inline SVG from :mod:`._report_svg`, the fonts the reader's own. On screen the two charts of an
indicator sit side by side; printed (A4 portrait), each area starts a new page and charts stack.
"""

from __future__ import annotations

import re
from html import escape

from ._report_model import IndicatorSection, Report, Shown, Unavailable, break_sentence
from ._report_svg import COLOURS, bar_chart, line_chart
from .own_figures import OWN_LABEL

__all__ = ["render_html"]

_SYMBOLS = (
    ("c", "confidential: withheld to protect individuals (counts of 1 to 5)"),
    ("x", "not available"),
    ("z", "not applicable"),
    ("low", "rounds to 0 but is not 0"),
    ("u", "low reliability"),
)

_CSS = """
:root { --la: %(la)s; --sn: %(sn)s; --ink: #0b0c0c; --muted: #505a5f; --rule: #b1b4b6;
  --tint: #f3f2f1; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%%; text-size-adjust: 100%%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45; font-size: 16px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header.cover { border-top: 10px solid var(--la); background: var(--tint); padding: 24px 0 16px;
  margin-bottom: 24px; }
.kicker { text-transform: uppercase; letter-spacing: .06em; font-size: .8em; color: var(--muted);
  margin: 0; }
h1 { font-size: 2.3em; margin: .1em 0 .2em; line-height: 1.15; }
h2 { font-size: 1.6em; margin: 1.6em 0 .5em; padding-bottom: .2em;
  border-bottom: 3px solid var(--ink); }
h3 { font-size: 1.25em; margin: 0 0 .3em; }
.subtitle { font-size: 1.1em; margin: 0 0 .6em; }
nav ol { margin: .4em 0 0; padding-left: 1.4em; columns: 2; }
a { color: #1d70b8; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; width: 100%%;
  margin: .6em 0 1em; font-size: .92em; }
caption { text-align: left; font-weight: 700; padding: 0 0 4px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); text-align: right;
  vertical-align: top; }
th { background: var(--tint); font-weight: 700; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.num { white-space: nowrap; }
td.num small { color: var(--muted); }
td.num .ci { display: block; color: var(--muted); font-size: .8em; }
tr.la td:first-child { font-weight: 700; }
tr.group th { background: #fff; border-bottom: 2px solid var(--ink); padding-top: 12px;
  font-size: 1em; text-align: left; }
tbody th[scope="row"] { background: #fff; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em;
  vertical-align: -.05em; }
abbr.symbol { text-decoration: none; font-weight: 700; cursor: help; }
article.indicator { border-top: 1px solid var(--rule); padding: 18px 0 8px; }
.description { color: var(--muted); margin: 0 0 .8em; max-width: 75em; font-size: .92em; }
dl.key-figures { display: grid; gap: 8px; margin: 0 0 .6em;
  grid-template-columns: repeat(auto-fill, minmax(min(145px, 100%%), 1fr)); }
dl.key-figures div { background: var(--tint); border-left: 5px solid var(--rule);
  padding: 6px 10px; }
dl.key-figures div.la { border-left-color: var(--la); }
dl.key-figures div.sn { border-left-color: var(--sn); }
dl.key-figures div.england { border-left-color: var(--ink); }
dl.key-figures div.trend dd { font-size: 1em; }
dt { font-size: .78em; color: var(--muted); }
dd { margin: 0; font-size: 1.2em; font-weight: 700; }
dd small { display: block; font-size: .75em; font-weight: 400; color: var(--muted); }
p.trend { margin: .2em 0 .8em; }
.charts { display: grid; gap: 20px;
  grid-template-columns: repeat(auto-fit, minmax(min(480px, 100%%), 1fr)); }
figure { margin: 0; }
svg.chart { width: 100%%; height: auto; display: block; }
figcaption { font-size: .82em; color: var(--muted); margin-top: 2px; }
p.provenance-line { font-size: .8em; color: var(--muted); border-top: 1px dashed var(--rule);
  padding-top: 4px; margin: .4em 0 0; }
section.provenance dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
section.provenance dd { font-size: .95em; font-weight: 400; }
section.provenance dt { font-size: .95em; color: var(--ink); font-weight: 700; }
table.definitions th[scope="row"] { background: #fff; }
table.definitions .key { display: block; font-weight: 400; font-family: ui-monospace, monospace;
  font-size: .8em; color: var(--muted); }
table.definitions td.source { overflow-wrap: anywhere; }
.note { font-size: .85em; color: var(--muted); }
footer { margin: 32px auto 24px; font-size: .8em; color: var(--muted); }
.vs { display: block; font-size: .78em; font-weight: 400; color: var(--muted); }
.vs b { font-weight: 700; color: var(--ink); }
.own { display: block; font-size: .78em; font-style: italic; color: var(--la); }
tr.own-row th, tr.own-row td { font-style: italic; color: var(--la); }
th.break, td.break { border-left: 3px double var(--muted); }
.breaks, .caveats { font-size: .88em; margin: .4em 0; }
.caveats ul { margin: .2em 0; padding-left: 1.2em; }
p.significance { margin: .2em 0 .6em; font-size: .92em; }
tr.unavailable td { color: var(--muted); font-style: italic; text-align: left; }
article.unavailable { color: var(--muted); }
section.summary table { table-layout: auto; }
section.summary th { white-space: normal; overflow-wrap: break-word; hyphens: auto; }
@media (max-width: 900px) {
  .wrap { padding: 0 10px; }
  h1 { font-size: 1.8em; }
  section.summary table { font-size: .76em; }
  section.summary th, section.summary td { padding: 4px 3px; }
  section.summary td.num { white-space: normal; }
  section.summary tbody th[scope="row"] { min-width: 9em; }
  nav ol { columns: 1; }
  table.definitions { table-layout: fixed; }
  table.definitions th, table.definitions td { overflow-wrap: anywhere; padding: 4px 3px; }
  table.series { font-size: .85em; }
}
@page { size: A4 portrait; margin: 11mm 12mm 11mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 9.5pt; }
  .wrap { max-width: none; padding: 0; }
  header.cover { padding: 8mm 6mm 4mm; margin: 0 0 6mm; }
  h1 { font-size: 22pt; }
  h2 { font-size: 15pt; margin: 0 0 2mm; }
  h3 { font-size: 12pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  section.area, section.provenance { break-before: page; page-break-before: always; }
  article.indicator { break-inside: avoid-page; page-break-inside: avoid; padding-top: 2mm; }
  section.area h2 + article.indicator { border-top: 0; padding-top: 0; }
  .charts { display: block; }
  figure { width: 112mm; margin: 0 auto 1mm; break-inside: avoid; page-break-inside: avoid; }
  figcaption { font-size: 7.5pt; }
  h2, h3, caption { break-after: avoid; page-break-after: avoid; }
  .description { font-size: 8pt; line-height: 1.3; margin-bottom: 2mm; }
  p.provenance-line { font-size: 7pt; break-before: avoid; page-break-before: avoid; }
  table.series { margin: 1mm 0 2mm; }
  table.series caption { font-size: 8.5pt; }
  p.trend { margin: 1mm 0 2mm; }
  table.definitions { font-size: 8pt; }
  dl.key-figures, table.series { break-inside: avoid; page-break-inside: avoid; }
  th, td { padding: 3px 6px; }
  dl.key-figures { grid-template-columns: repeat(7, 1fr); gap: 2mm; }
  dl.key-figures div { padding: 1mm 2mm; border-left-width: 3px; }
  dt { font-size: 7pt; }
  dd { font-size: 10.5pt; }
  dd small { font-size: 6.5pt; }
  dl.key-figures div.trend dd { font-size: 8.5pt; }
  section.summary table { font-size: 8pt; }
  section.summary tbody th[scope="row"] { width: 34%%; }
  section.summary .note { font-size: 7.5pt; }
  header.cover { padding: 5mm 6mm 3mm; margin-bottom: 3mm; }
  table.definitions th[scope="row"] { width: 26%%; }
  table.definitions td.source { width: 20%%; }
  header.cover p { margin: 1mm 0; }
  table { font-size: 8.5pt; }
  footer { margin: 6mm 0 0; }
}
""" % {"la": COLOURS["la"], "sn": COLOURS["sn"]}  # noqa: UP031 - a CSS template full of braces


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _value(shown: Shown, unit: str = "") -> str:
    """A value for a table cell: the number, or the symbol with its reason as a tooltip."""
    if shown.value is None:
        reason = escape(shown.reason or "not available", quote=True)
        return f'<abbr class="symbol" title="{reason}">{escape(shown.text)}</abbr>'
    suffix = "%" if unit == "%" else ""
    return f"{escape(shown.text)}{suffix}"


def _with_unit(shown: Shown, unit: str) -> str:
    if shown.value is None:
        return _value(shown)
    if unit == "%":
        return f"{escape(shown.text)}%"
    return f"{escape(shown.text)} <small>{escape(unit)}</small>"


def _rank_note(section: IndicatorSection) -> str:
    if section.polarity == "not_applicable":
        return "1 = highest (no polarity)"
    return "1 = best (" + section.polarity_label + ")"


def _gap(section: IndicatorSection, *, short: bool = True) -> str:
    if section.gap is None:
        return "–"
    unit = "pp" if short and section.gap_unit == "percentage points" else section.gap_unit
    return f"{escape(section.gap_text)} <small>{escape(unit)}</small>"


def _vs(verdict: str | None, la_name: str, against: str, significance: str) -> str:
    """ "Peterborough: similar" under a comparator's value, with the interval used as a tip."""
    if verdict is None:
        return ""
    tip = escape(f"{la_name} against {against}: {verdict}; {significance}", quote=True)
    return f'<span class="vs" title="{tip}">{escape(la_name)}: <b>{escape(verdict)}</b></span>'


def _own_note(s: IndicatorSection) -> str:
    """The council's own figure for the latest year it gives, under the LA's value."""
    points = [p for p in s.own_points if p.own is not None]
    if not points:
        return ""
    p = points[-1]
    assert p.own is not None
    text = _value(p.own, s.unit_label)
    return f'<span class="own">{p.year}: {text} ({escape(OWN_LABEL)})</span>'


def _summary(report: Report) -> list[str]:
    latest = max((s.latest_year for s in report.sections), default=report.years[-1])
    name = escape(report.la_name)
    out = [
        '<section class="summary" aria-labelledby="summary-heading">',
        f'<h2 id="summary-heading">Summary, {latest}</h2>',
        '<table class="summary-table">',
        f"<caption>{name} against England and its statistical neighbours "
        f"({escape(report.sn_set)}, {escape(report.sn_method)}), latest year of each indicator"
        "</caption>",
        '<thead><tr><th scope="col">Indicator</th>'
        f'<th scope="col">{name} (95% CI)</th><th scope="col">England</th>'
        f'<th scope="col">Neighbours ({escape(report.sn_method)})</th>'
        '<th scope="col">Rank among neighbours</th><th scope="col">Quartile band</th>'
        '<th scope="col">Gap to England</th><th scope="col" class="text">Trend</th></tr></thead>',
        "<tbody>",
    ]
    for area, sections in report.areas:
        out.append(f'<tr class="group"><th scope="rowgroup" colspan="8">{escape(area)}</th></tr>')
        for s in sections:
            ci = f'<span class="ci">{escape(s.ci_text)}</span>' if s.ci_text else ""
            year = f" <small>({s.latest_year})</small>" if s.latest_year != latest else ""
            out.append(
                f'<tr><th scope="row" class="text"><a href="#ind-{escape(s.anchor)}">'
                f"{escape(s.title)}</a>{year}</th>"
                f'<td class="num">{_value(s.la, s.unit_label)}{ci}{_own_note(s)}</td>'
                f'<td class="num">{_value(s.england, s.unit_label)}'
                f"{_vs(s.vs_england, report.la_name, 'England', s.significance)}</td>"
                f'<td class="num">{_value(s.sn, s.unit_label)}'
                f"{_vs(s.vs_sn, report.la_name, 'its neighbours', s.significance)}</td>"
                f'<td class="num">{escape(s.rank_text)}</td>'
                f'<td class="num">{escape(s.band or "–")}</td>'
                f'<td class="num">{_gap(s)}</td>'
                f'<td class="text">{escape(s.trend)}</td></tr>'
            )
        for u in report.unavailable_in(area):
            out.append(
                f'<tr class="unavailable"><th scope="row" class="text">'
                f'<a href="#ind-{escape(u.anchor)}">{escape(u.title)}</a></th>'
                f'<td colspan="7">{escape(u.reason)}</td></tr>'
            )
    own = (
        f" Figures marked {escape(OWN_LABEL)} are the council's own ({escape(report.own_source)}), "
        "shown beside DfE's; where both exist, DfE's figure is the one compared."
        if report.own_source
        else ""
    )
    out += [
        "</tbody></table>",
        "<p class=\"note\">LA values computed from DfE's counts (or DfE's own published figures) "
        "and rounded half away from zero to each definition's decimal places, as DfE publishes "
        "them; England's and the regions' values are DfE's own where it publishes them, else "
        "summed from the LA counts. The neighbours' figure and ranks use the values as "
        "published. Under England's and the neighbours' figure: whether the LA is better, "
        "similar or worse (higher or lower without a polarity), judged by whether the figure "
        "lies outside the LA's 95% confidence interval; not shown where there is no interval "
        "(DfE's published figures carry none). Rank: the LA among itself and its neighbours "
        "with a value; 1 is best, or highest where the indicator has no polarity. Quartile "
        "band: LAIT's bands A (best) to D among all LAs, only where the indicator has a "
        "polarity. Gap: the LA's presented value minus England's, in percentage points (pp) "
        "for percentages. Trend: the recent-trend test over the last five years (χ² above 9.55 "
        f"at 99.8 %), since the last series break.{own} Symbols: see "
        '<a href="#provenance">Provenance</a>.</p>',
        "</section>",
    ]
    return out


def _key_figures(report: Report, s: IndicatorSection) -> list[str]:
    unit = s.unit_label
    ci = f"<small>95% CI {escape(s.ci_text)}</small>" if s.ci_text else ""
    sn_n = f"<small>{s.sn_n} of {s.sn_of} neighbours with data</small>" if s.sn_of else ""
    direction = f"<small>gap {escape(s.gap_direction.lower())}</small>" if s.gap_direction else ""
    vs_e = _vs(s.vs_england, report.la_name, "England", s.significance)
    vs_sn = _vs(s.vs_sn, report.la_name, "its neighbours", s.significance)
    tiles = [
        ("la", f"{escape(report.la_name)}, {s.latest_year}",
         f"{_with_unit(s.la, unit)}{ci}{_own_note(s)}"),
        ("england", "England", f"{_with_unit(s.england, unit)}{vs_e}"),
        ("sn", f"Statistical neighbours ({escape(s.sn_method)})",
         f"{_with_unit(s.sn, unit)}{sn_n}{vs_sn}"),
        ("", "Rank among neighbours",
         f"{escape(s.rank_text)}<small>{escape(_rank_note(s))}</small>"),
        ("", "Quartile band", f"{escape(s.band or '–')}<small>{escape(s.band_note)}</small>"),
        ("", "Gap to England", f"{_gap(s, short=False)}{direction}"),
        ("trend", "Trend",
         f"{escape(s.trend)}<small>rank among all LAs {escape(s.la_rank_text)}</small>"),
    ]  # fmt: skip
    out = [f'<dl class="key-figures" aria-label="Key figures, {s.latest_year}">']
    for kind, term, value in tiles:
        cls = f' class="{kind}"' if kind else ""
        out.append(f"<div{cls}><dt>{term}</dt><dd>{value}</dd></div>")
    out.append("</dl>")
    return out


def _series_table(report: Report, s: IndicatorSection) -> list[str]:
    years = [p.year for p in s.series]
    breaks = {p.year for p in s.series[1:] if p.new_basis}

    def cls(year: int, extra: str = "") -> str:
        names = " ".join(n for n in (extra, "break" if year in breaks else "") if n)
        return f' class="{names}"' if names else ""

    head = "".join(
        f'<th scope="col"{cls(y)}>{y}'
        + (
            ' <abbr title="series break: a new basis from this year">¦</abbr>'
            if y in breaks
            else ""
        )
        + "</th>"
        for y in years
    )
    rows: list[tuple[str, str, str, list[Shown | None]]] = [
        ("la", report.la_name, COLOURS["la"], [p.la for p in s.series]),
    ]
    if s.own_points:
        rows.append(
            ("own-row", f"{report.la_name}: {OWN_LABEL}", COLOURS["la"], [p.own for p in s.series])
        )
    rows += [
        ("england", "England", COLOURS["england"], [p.england for p in s.series]),
        ("sn", f"Statistical neighbours ({s.sn_method})", COLOURS["sn"], [p.sn for p in s.series]),
    ]
    unit = "%" if s.unit_label == "%" else s.unit_label
    out = [
        '<table class="series">',
        f"<caption>{escape(s.title)}, {escape(unit)}, by collection year</caption>",
        f'<thead><tr><th scope="col" class="text">Area</th>{head}</tr></thead><tbody>',
    ]
    for kind, label, colour, shown in rows:
        cells = "".join(
            f"<td{cls(y)}>{_value(v) if v is not None else '–'}</td>"
            for y, v in zip(years, shown, strict=True)
        )
        out.append(
            f'<tr class="{kind}"><th scope="row" class="text"><span class="swatch" '
            f'style="background:{colour}" aria-hidden="true"></span>{escape(label)}</th>'
            f"{cells}</tr>"
        )
    ci_cells = "".join(
        f"<td{cls(p.year)}>{escape(_interval(p.la_lower, p.la_upper, s.decimal_places))}</td>"
        for p in s.series
    )
    out.append(
        f'<tr class="ci"><th scope="row" class="text">{escape(report.la_name)} 95% interval</th>'
        f"{ci_cells}</tr>"
    )
    vs_cells = "".join(
        f"<td{cls(p.year)}>{escape(p.vs_england or '–')} / {escape(p.vs_sn or '–')}</td>"
        for p in s.series
    )
    if any(p.vs_england or p.vs_sn for p in s.series):
        out.append(
            f'<tr class="vs-row"><th scope="row" class="text">{escape(report.la_name)} against '
            f"England / neighbours</th>{vs_cells}</tr>"
        )
    out.append("</tbody></table>")
    return out


def _interval(lower: float | None, upper: float | None, dps: int) -> str:
    if lower is None or upper is None:
        return "–"
    return f"{lower:.{dps}f} to {upper:.{dps}f}"


def _notes(s: IndicatorSection) -> list[str]:
    """The series breaks (with the version notes) and the definition's caveats."""
    out: list[str] = []
    if s.breaks:
        out.append('<div class="breaks"><strong>Series break.</strong><ul>')
        out += [f"<li>{escape(break_sentence(b))}</li>" for b in s.breaks]
        out.append("</ul></div>")
    if s.caveats:
        out.append('<div class="caveats"><strong>Caveats.</strong><ul>')
        out += [f"<li>{escape(c)}</li>" for c in s.caveats]
        out.append("</ul></div>")
    return out


def _article(report: Report, s: IndicatorSection) -> list[str]:
    ident = escape(s.anchor)
    bar_id, line_id = f"chart-{ident}-neighbours", f"chart-{ident}-trend"
    own = (
        f" Hollow points: {escape(OWN_LABEL)} ({escape(s.own_source or '')})."
        if s.own_points
        else ""
    )
    return [
        f'<article class="indicator" id="ind-{ident}" aria-labelledby="ind-{ident}-h">',
        f'<h3 id="ind-{ident}-h">{escape(s.title)}</h3>',
        f'<p class="description">{escape(s.description)}</p>',
        *_key_figures(report, s),
        f'<p class="significance"><strong>Significance.</strong> {escape(s.significance)}.</p>',
        f'<p class="trend"><strong>Trend.</strong> {escape(s.trend_text)}</p>',
        '<div class="charts">',
        f'<figure aria-labelledby="{bar_id}-cap">',
        bar_chart(s, report.la_name, bar_id),
        f'<figcaption id="{bar_id}-cap">{escape(report.la_name)} (blue) and its statistical '
        f"neighbours in {s.latest_year}, largest first; the dashed line is England. "
        f"Definition {escape(s.key)}; neighbours {escape(s.sn_set)}.</figcaption>",
        "</figure>",
        f'<figure aria-labelledby="{line_id}-cap">',
        line_chart(s, report.la_name, line_id),
        f'<figcaption id="{line_id}-cap">{escape(report.la_name)} with its 95% intervals, '
        f"England and the {escape(s.sn_method)} of its statistical neighbours by collection year. "
        f"Definition {escape(s.versions_text)}.{own}</figcaption>",
        "</figure>",
        "</div>",
        *_series_table(report, s),
        *_notes(s),
        f'<p class="provenance-line"><strong>Provenance.</strong> {escape(s.provenance_text)}.</p>',
        "</article>",
    ]


def _unavailable_article(u: Unavailable) -> list[str]:
    ident = escape(u.anchor)
    out = [
        f'<article class="indicator unavailable" id="ind-{ident}" aria-labelledby="ind-{ident}-h">',
        f'<h3 id="ind-{ident}-h">{escape(u.title)}</h3>',
        f"<p><strong>No figures.</strong> {escape(u.reason)}.</p>",
    ]
    if u.caveats:
        out.append('<div class="caveats"><strong>Caveats.</strong><ul>')
        out += [f"<li>{escape(c)}</li>" for c in u.caveats]
        out.append("</ul></div>")
    out.append("</article>")
    return out


def _provenance(report: Report) -> list[str]:
    years = report.years
    out = [
        '<section class="provenance" id="provenance" aria-labelledby="provenance-heading">',
        '<h2 id="provenance-heading">Provenance</h2>',
        "<dl>",
        f"<dt>Local authority</dt><dd>{escape(report.la_name)} (old LA number {escape(report.la)}"
        + (f", ONS code {escape(report.ons_code)}" if report.ons_code else "")
        + ")</dd>",
        f"<dt>Collection years</dt><dd>{years[0]} to {years[-1]} (2025 is the year ending "
        "31 March 2025)</dd>",
        f"<dt>Counts</dt><dd>{escape(report.data_source)}</dd>",
        *(
            [f"<dt>Council's own figures</dt><dd>{escape(report.own_source)}: shown beside "
             "DfE's, marked as the council's own; DfE's figure is the one compared</dd>"]
            if report.own_source
            else []
        ),
        *(
            f"<dt>Local government reorganisation</dt><dd>{escape(note)}</dd>"
            for note in report.geography_notes
        ),
        f"<dt>Statistical neighbours</dt><dd>{escape(report.sn_set)}: "
        f"{escape(report.sn_title)}; aggregate: {escape(report.sn_method)} of the neighbours "
        "with a value (symbols and missing years leave the aggregate)</dd>",
        f"<dt>Population vintage</dt><dd>{escape(report.population_vintage)} (the estimate for "
        "mid-year Y−1 divides collection year Y, as DfE does)</dd>",
        "<dt>Definitions</dt><dd>" + escape(", ".join(report.definition_keys)) + "</dd>",
        "<dt>Rounding</dt><dd>Half away from zero to each definition's decimal places, with "
        "its disclosure control (counts of 1 to 5 shown as c); gaps and averages use the "
        "rounded values, as committee tables do</dd>",
        f"<dt>Produced by</dt><dd>cyp-indicators {escape(report.library_version)}</dd>",
        "</dl>",
        '<table class="definitions">',
        "<caption>Each indicator's definition, statistical-neighbour set and population</caption>",
        '<thead><tr><th scope="col" class="text">Indicator and definition versions</th>'
        '<th scope="col" class="text">Unit</th><th scope="col" class="text">Polarity</th>'
        '<th scope="col" class="text">Interval</th>'
        '<th scope="col" class="text">Neighbours</th>'
        '<th scope="col" class="text">Population vintage</th>'
        '<th scope="col" class="text">Source (DfE release / table)</th></tr></thead><tbody>',
    ]  # fmt: skip
    for s in report.sections:
        dps = f"{s.decimal_places} dp"
        polarity = "none" if s.polarity == "not_applicable" else s.polarity_label
        population = s.population_vintage or "none (a percentage of counts)"
        out.append(
            f'<tr><th scope="row" class="text">{escape(s.title)}'
            f'<span class="key">{escape(s.versions_text)}</span></th>'
            f'<td class="text">{escape(s.unit_label)}, {dps}</td>'
            f'<td class="text">{escape(polarity)}</td>'
            f'<td class="text">{escape(s.ci_method)}, 95%</td>'
            f'<td class="text">{escape(s.sn_set)}, {escape(s.sn_method)}</td>'
            f'<td class="text">{escape(population)}</td>'
            f'<td class="text source">{escape(s.source or "–")}</td></tr>'
        )
    out.append("</tbody></table>")
    out.append("<h3>Symbols</h3><dl>")
    out += [f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in _SYMBOLS]
    out.append("</dl>")
    out.append("</section>")
    return out


def render_html(report: Report) -> str:
    """The whole page as text (UTF-8, ``<!DOCTYPE html>``)."""
    years = report.years
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    codes = f"old LA number {report.la}" + (
        f" · ONS code {report.ons_code}" if report.ons_code else ""
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="cyp-indicators {escape(report.library_version)}">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<header class="cover"><div class="wrap">',
        f'<p class="kicker">{escape(report.subject.capitalize())} · benchmarking report</p>',
        f"<h1>{escape(report.la_name)}</h1>",
        f'<p class="subtitle">Collection years {span} · {escape(codes)}</p>',
        f"<p>Each indicator against England and {escape(report.la_name)}'s statistical "
        f"neighbours ({escape(report.sn_title)}, <code>{escape(report.sn_set)}</code>), whose "
        f"values are aggregated by the {escape(report.sn_method)}."
        + (
            f" Rates use {escape(report.population_vintage)}."
            if not report.population_vintage.startswith("none")
            else ""
        )
        + "</p>",
        '<nav aria-label="Contents"><ol>',
        '<li><a href="#summary-heading">Summary</a></li>',
        *(f'<li><a href="#area-{_slug(area)}">{escape(area)}</a></li>' for area, _ in report.areas),
        '<li><a href="#provenance">Provenance</a></li>',
        "</ol></nav>",
        "</div></header>",
        '<main class="wrap">',
        *_summary(report),
    ]
    for area, sections in report.areas:
        parts.append(
            f'<section class="area" id="area-{_slug(area)}" aria-labelledby="area-{_slug(area)}-h">'
        )
        parts.append(f'<h2 id="area-{_slug(area)}-h">{escape(area)}</h2>')
        for s in sections:
            parts += _article(report, s)
        for u in report.unavailable_in(area):
            parts += _unavailable_article(u)
        parts.append("</section>")
    parts += _provenance(report)
    parts += [
        "</main>",
        f'<footer class="wrap">{escape(report.title)}. Produced by cyp-indicators '
        f"{escape(report.library_version)} from {escape(report.data_source)}.</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)
