"""The benchmarking report: one LA against England and its statistical neighbours, HTML and Excel.

:func:`report_figures` works out every indicator for every LA once (computed from DfE's counts or
read as DfE published it); :func:`report_for` picks one LA's :class:`Report` from them, with the
council's own figures beside DfE's where given (:func:`~.own_figures.read_own_figures`);
:func:`write_html` writes a report as one self-contained HTML file (inline SVG charts, prints to
A4) and :func:`write_xlsx` as an Excel workbook (a summary, a sheet per area with its table and
native charts, the charts' data, a provenance sheet). :func:`build_report` does it for one LA and
:func:`write_reports` writes the reports of many (every LA, or a region's) from figures computed
once.

>>> from cyp_indicators.reports.benchmark_report import build_report, write_html, write_xlsx
>>> report = build_report("874")                       # doctest: +SKIP
>>> write_html(report, "peterborough.html")            # doctest: +SKIP
>>> write_xlsx(report, "peterborough.xlsx")            # doctest: +SKIP
>>> write_reports(region="East of England", out_dir="out")   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from ..catalogue import Catalogue, load_catalogue
from ..compare.gaps import gap_unit_label
from ..compare.groups import ComparatorSet, neighbour_set
from ..datasets import csc_counts
from ..errors import DataError, UnknownAreaError, UnknownDefinitionError
from ..geography import (
    ENGLAND,
    area_status,
    areas,
    canonical_area,
    check_exists,
    la_codes,
    local_authorities,
    resolve_la,
)
from ..model import CIMethod, IndicatorDefinition, Polarity
from ..presentation import unit_label
from ..safe_output import write_atomically
from ..stats.rounding import round_half_away
from ._caveats import measure_caveats
from ._report_model import (
    TOPIC_LABELS,
    Bar,
    IndicatorSection,
    Report,
    Shown,
    Unavailable,
    YearPoint,
    topic_label,
)
from .core_rates import CORE_INDICATORS
from .figures import NO_TREND, IndicatorFigures, NoFigures, figures_for, plan_indicator
from .own_figures import OWN_LABEL, OwnFigures

__all__ = [
    "CORE_INDICATORS",
    "TOPIC_LABELS",
    "Bar",
    "IndicatorSection",
    "Report",
    "ReportFigures",
    "Shown",
    "Unavailable",
    "WrittenReports",
    "YearPoint",
    "build_report",
    "report_figures",
    "report_for",
    "report_las",
    "write_html",
    "write_reports",
    "write_xlsx",
]

_SN_METHODS = ("mean", "median")
_BUNDLED_SOURCE = (
    "DfE published counts bundled with cyp-indicators (csc_counts(): Explore Education Statistics, "
    "'Children in need' and 'Children looked after in England including adoptions')"
)
_POLARITY_LABELS = {
    Polarity.HIGH_IS_GOOD: "high is good",
    Polarity.LOW_IS_GOOD: "low is good",
    Polarity.NOT_APPLICABLE: "no polarity (neither high nor low is good in itself)",
}
_CI_WORDS = {
    CIMethod.WILSON: "Wilson score",
    CIMethod.BYAR_EXACT: "Byar's (exact Poisson below a count of 10)",
    CIMethod.EXACT: "exact",
    CIMethod.NORMAL: "normal",
    CIMethod.NONE: "no",
}


def _library_version() -> str:
    try:
        return package_version("cyp-indicators")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


@cache
def _names() -> dict[str, str]:
    """Every LA's name by old number (from its current ONS code row), and England's and the
    regions' by code: looked up once for every report."""
    table = la_codes()
    current = table.filter(pl.col("current"))
    out = dict(zip(table["old_la_code"], table["la_name"], strict=True))
    out |= dict(zip(current["old_la_code"], current["la_name"], strict=True))
    aggregates = areas()
    out |= dict(zip(aggregates["area_code"], aggregates["name"], strict=True))
    return out


def _shown(value: Any, text: str | None, reason: str | None) -> Shown:
    if value is None:
        symbol = text if text else "x"
        return Shown(value=None, text=symbol, reason=reason)
    return Shown(value=float(value), text=text or "", reason=None)


def _fixed(value: float | None, dps: int, *, sign: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:+.{dps}f}" if sign else f"{value:.{dps}f}"
    return text.replace("-", "−") if sign else text


def _trend_text(
    marks: dict[str, Any] | None,
    la_rows: list[dict[str, Any]],
    definition: IndicatorDefinition,
    since: int | None,
    *,
    untested: str | None = None,
) -> tuple[str, str]:
    """The recent-trend verdict and a sentence with the change over the years shown.

    The test ran on the unrounded values and intervals (as Fingertips does; a year whose
    presented value is withheld or missing is a gap in the run), since the last series break
    when the series breaks; the sentence quotes the presented values.
    """
    dps = definition.presentation.decimal_places
    verdict = "not tested"
    detail = untested or ""
    if marks is not None:
        if marks["trend"] is not None:
            verdict = str(marks["trend"])
            assessed = f", {marks['trend_assessment']}" if marks["trend_assessment"] else ""
            detail = (
                f"{verdict}{assessed} over the last {marks['trend_points']} years "
                f"(χ² {marks['trend_chi2']:.1f}; significant above 9.55)"
            )
        else:
            reason = str(marks["trend_reason"] or "").split(": ", 1)[-1]
            detail = f"trend not tested: {reason}"
        if since is not None:
            detail += f", since the series break in {since}"
    shown = sorted(
        (
            r
            for r in la_rows
            if r["presented"] is not None and (since is None or r["year"] >= since)
        ),
        key=lambda r: r["year"],
    )
    if len(shown) < 2:
        opening = "Fewer than two years with a value" + (
            f" since the series break in {since}" if since is not None else ""
        )
        return verdict, f"{opening}; {detail}." if detail else f"{opening}."
    first, last = shown[0], shown[-1]
    change = float(last["presented"]) - float(first["presented"])
    word = "up" if change > 0 else "down" if change < 0 else "unchanged"
    unit = "percentage points" if definition.unit_name == "percent" else unit_label(definition)
    amount = f" {_fixed(abs(change), dps)} {unit}" if change else ""
    move = (
        f"From {first['display']} in {first['year']} to {last['display']} in {last['year']} "
        f"({word}{amount})"
    )
    return verdict, f"{move}; {detail}." if detail else f"{move}."


def _rank(rank: object, of: object, withheld: bool) -> str:
    return f"{rank}/{of}" if rank is not None and not withheld else "–"


def _band_note(band: str | None, definition: IndicatorDefinition) -> str:
    if band is not None:
        return "LAIT quartile band among all LAs (A best, D worst)"
    if definition.polarity is Polarity.NOT_APPLICABLE:
        return "no quartile band: the definition has no polarity"
    return "no quartile band: no value this year or fewer than 4 LAs with data"


def _not_applicable(code: str, year: int, definition: IndicatorDefinition) -> Shown | None:
    """The typed "not applicable" for a year the authority did not exist, naming the others."""
    status = area_status(code, year, definition.period_type)
    if status is None:
        return None
    return Shown(value=None, text="z", reason=f"z: {status.reason}")


def _significance(definition: IndicatorDefinition, computed: bool, sn_method: str) -> str:
    """Which interval the better / similar / worse verdicts use, in words."""
    if not computed:
        return "not tested: DfE's published figures carry no confidence interval"
    if definition.ci_method is CIMethod.NONE:
        return "not tested: the definition has no confidence interval"
    return (
        f"the {_CI_WORDS[definition.ci_method]} 95% confidence interval of the LA's value: "
        f"England's value or the neighbours' {sn_method} inside it is similar, outside it the "
        "LA is better or worse"
        + (" (higher or lower: the measure has no polarity)" if definition.polarity is Polarity.NOT_APPLICABLE else "")
    )  # fmt: skip


def _own_shown(row: dict[str, Any] | None) -> Shown | None:
    if row is None:
        return None
    reason = row["reason"] if row["presented"] is None else None
    return _shown(row["presented"], row["display"], reason)


def _section(
    figures: IndicatorFigures,
    code: str,
    la_name: str,
    years: Sequence[int],
    neighbours: Sequence[str],
    sn: ComparatorSet,
    sn_method: str,
    own: dict[int, dict[str, Any]] | None = None,
    own_source: str | None = None,
) -> tuple[IndicatorSection, list[dict[str, Any]], pl.DataFrame]:
    ident = figures.indicator_id
    index = figures.index
    assert index is not None
    own = {y: r for y, r in (own or {}).items() if y in years}
    shown_years = sorted({y for y in years if y in figures.definitions} | set(own))
    with_figures = [y for y in figures.years_with_figures if y in years]
    latest = with_figures[-1] if with_figures else max(figures.definitions)
    definition = figures.definitions[latest]
    dps = definition.presentation.decimal_places
    names = _names()
    break_years = {b.year for b in figures.breaks}

    def shown_area(year: int, area: str) -> Shown:
        if year not in figures.definitions:
            return Shown(value=None, text="x", reason=f"x: not published for {year}")
        r = index.rows.get((area, year))
        if r is None or r["presented"] is None:
            gone = (
                _not_applicable(area, year, figures.definitions[year])
                if area[0].isdigit()
                else None
            )
            if gone is not None:
                return gone
            if r is None or not r["display"]:
                return Shown(value=None, text="x", reason="x: not published")
        return _shown(r["presented"], r["display"], r["reason"])

    series: list[YearPoint] = []
    for year in shown_years:
        la = shown_area(year, code)
        la_r = index.rows.get((code, year))
        m = index.las.get((code, year)) or {}
        sn_raw = m.get("sn_value")
        sn_value = None if sn_raw is None else round_half_away(sn_raw, dps)
        sn_reason = (
            f"x: not published for {year}"
            if year not in figures.definitions
            else m.get("sn_reason")
            or (
                f"z: not an LA with a group in {sn.key}"
                if not neighbours
                else "x: no neighbour had a value"
            )
        )
        own_row = own.get(year)
        version = (
            str(figures.definitions[year].version)
            if year in figures.definitions
            else str(own_row["definition_version"] if own_row else definition.version)
        )
        series.append(
            YearPoint(
                year=year,
                version=version,
                la=la,
                la_lower=la_r["presented_lower_95"] if la_r and la.value is not None else None,
                la_upper=la_r["presented_upper_95"] if la_r and la.value is not None else None,
                england=shown_area(year, ENGLAND),
                sn=_shown(
                    sn_value,
                    _fixed(sn_value, dps) if sn_value is not None else sn_reason.split(":")[0],
                    None if sn_value is not None else sn_reason,
                ),
                own=_own_shown(own_row),
                own_lower=own_row["presented_lower_95"] if own_row else None,
                own_upper=own_row["presented_upper_95"] if own_row else None,
                vs_england=m.get("vs_england") if la.value is not None else None,
                vs_sn=m.get("vs_sn") if la.value is not None else None,
                new_basis=year in break_years,
            )
        )
    now = next(p for p in series if p.year == latest) if latest in shown_years else series[-1]
    la_latest = index.las.get((code, latest)) or {}
    withheld = now.la.value is None
    gap_raw = None if withheld else la_latest.get("gap_to_england")
    gap = None if gap_raw is None else round_half_away(gap_raw, dps)
    direction = None if withheld else la_latest.get("gap_direction")
    band = None if withheld else la_latest.get("band")
    ci = (
        f"{_fixed(now.la_lower, dps)} to {_fixed(now.la_upper, dps)}"
        if now.la_lower is not None and now.la_upper is not None
        else None
    )
    level = figures.level
    title = f"{definition.title}: {level.label}" if level else definition.title
    bar_rows: list[dict[str, Any]] = []
    bars: list[Bar] = []
    for rank_no, area in enumerate([code, *neighbours]):
        shown = shown_area(latest, area)
        name = names.get(area, area)
        bars.append(
            Bar(code=area, name=name, shown=shown, is_la=area == code, closeness_rank=rank_no)
        )
        bar_rows.append(
            {"indicator_id": ident, "level": level.code if level else None, "year": latest,
             "area_code": area, "area_name": name, "is_la": area == code,
             "closeness_rank": rank_no, "presented": shown.value, "display": shown.text,
             "reason": shown.reason}
        )  # fmt: skip
    bars.sort(key=lambda b: (b.shown.value is None, -(b.shown.value or 0.0), b.closeness_rank))
    la_rows = index.of(code)
    verdict, trend_text = _trend_text(
        index.trends.get(code) if la_rows else None,
        la_rows,
        definition,
        index.trend_since,
        untested=None if figures.computed else NO_TREND,
    )
    vintage = "; ".join(index.vintages) or None
    source = " / ".join(
        p for p in (definition.provenance.dfe_release, definition.provenance.dfe_table) if p
    )
    if not figures.computed:
        source = f"{source} ({figures.source})" if source else figures.source
    section = IndicatorSection(
        indicator_id=ident,
        version=str(definition.version),
        versions=tuple((p.year, p.version) for p in series),
        title=title,
        description=" ".join(definition.description.split()),
        topic=definition.topic,
        topic_label=topic_label(definition.topic),
        unit=definition.unit_name,
        unit_label=unit_label(definition),
        gap_unit=gap_unit_label(definition),
        decimal_places=dps,
        polarity=definition.polarity.value,
        polarity_label=_POLARITY_LABELS[definition.polarity],
        ci_method=definition.ci_method.value,
        latest_year=latest,
        la=now.la,
        ci_text=ci,
        england=now.england,
        sn=now.sn,
        sn_method=sn_method,
        sn_n=la_latest.get("sn_n"),
        sn_of=la_latest.get("sn_of"),
        rank_text=_rank(la_latest.get("sn_rank"), la_latest.get("sn_rank_of"), withheld),
        la_rank_text=_rank(la_latest.get("la_rank"), la_latest.get("la_rank_of"), withheld),
        band=band,
        band_note=_band_note(band, definition),
        trend=verdict,
        trend_text=trend_text,
        gap=gap,
        gap_text=_fixed(gap, dps, sign=True),
        gap_direction=direction,
        bars=tuple(bars),
        series=tuple(series),
        sn_set=sn.key,
        population_vintage=vintage
        if definition.denominator is not None and definition.denominator.population is not None
        else None,
        source=source or None,
        caveats=measure_caveats(definition.caveats),
        level=level.code if level else None,
        level_label=level.label if level else None,
        vs_england=now.vs_england,
        vs_sn=now.vs_sn,
        significance=_significance(definition, figures.computed, sn_method),
        breaks=figures.breaks,
        trend_since=index.trend_since,
        own_source=own_source if own else None,
        computed=figures.computed,
    )
    tidy = _tidy_rows(section, index.las, index.rows, code, la_name, figures.computed)
    return section, bar_rows, tidy


def _tidy_rows(
    section: IndicatorSection,
    las: dict[tuple[str, int], dict[str, Any]],
    rows: dict[tuple[str, int], dict[str, Any]],
    code: str,
    la_name: str,
    computed: bool,
) -> pl.DataFrame:
    """The section's figures in :func:`benchmark_table`'s tidy layout (LA, England, neighbours,
    and the council's own figures): ``value`` unrounded, ``presented`` as shown;
    ``figure_source`` says where each figure comes from."""
    out: list[dict[str, Any]] = []
    source = "computed" if computed else "published"
    for p in section.series:
        m = las.get((code, p.year)) or {}
        la_r = rows.get((code, p.year)) or {}
        england_r = rows.get((ENGLAND, p.year)) or {}
        base = {
            "indicator_id": section.indicator_id, "level": section.level,
            "indicator_version": p.version, "title": section.title, "year": p.year,
            "decimal_places": section.decimal_places, "polarity": section.polarity,
            "gap_unit": section.gap_unit, "series_break": p.new_basis,
        }  # fmt: skip
        out.append({**base, "row": "la", "row_kind": "la", "figure_source": source,
                    "presented": p.la.value,
                    "value": la_r.get("value") if p.la.value is not None else None,
                    "sn_rank": m.get("sn_rank"), "sn_rank_of": m.get("sn_rank_of"),
                    "la_rank": m.get("la_rank"), "la_rank_of": m.get("la_rank_of"),
                    "band": m.get("band"), "gap_to_england": m.get("gap_to_england"),
                    "lower_95": p.la_lower, "upper_95": p.la_upper,
                    "vs_england": p.vs_england, "vs_sn": p.vs_sn,
                    "significance": section.significance})  # fmt: skip
        if p.own is not None:
            out.append({**base, "row": f"{la_name}: {OWN_LABEL}", "row_kind": "la_own",
                        "figure_source": OWN_LABEL, "presented": p.own.value,
                        "lower_95": p.own_lower, "upper_95": p.own_upper})  # fmt: skip
        out.append({**base, "row": "England", "row_kind": "england", "figure_source": source,
                    "presented": p.england.value, "value": england_r.get("value")})  # fmt: skip
        out.append({**base, "row": "Statistical neighbours", "row_kind": "sn",
                    "figure_source": source, "presented": p.sn.value, "value": p.sn.value,
                    "sn_n": m.get("sn_n"), "sn_of": m.get("sn_of"), "sn_min": m.get("sn_min"),
                    "sn_max": m.get("sn_max"), "sn_set": section.sn_set,
                    "sn_reason": p.sn.reason})  # fmt: skip
    return pl.DataFrame(out, infer_schema_length=None)


@attrs.frozen(kw_only=True)
class ReportFigures:
    """Every figure of a report for every LA: computed once, shared by each LA's report.

    ``figures`` holds each indicator (or level) with figures
    (:class:`~cyp_indicators.reports.figures.IndicatorFigures`), ``unavailable`` those with
    none in the years shown (with the reason), ``years`` the collection years, ``sn`` the
    comparator set.

    Attributes
    ----------
    figures
        Each indicator (or level) with figures, for every area.
    years
        The collection years shown.
    sn, sn_method
        The statistical-neighbour set and its aggregate ("mean" or "median").
    data_source
        Where the counts come from, in words.
    unavailable
        The indicators (or levels) without figures in ``years``, with the reason.
    order
        The keys of ``figures`` and ``unavailable`` in the order asked for.

    Examples
    --------
    >>> from cyp_indicators.reports.benchmark_report import report_figures
    >>> figures = report_figures(indicators=["cla_rate_per_10k"], years=2)
    >>> figures.years, figures.sn.key, figures.period_type
    ((2024, 2025), 'dfe_sn@2025', 'snapshot_31_march')
    """

    figures: tuple[IndicatorFigures, ...]
    years: tuple[int, ...]
    sn: ComparatorSet
    sn_method: str
    data_source: str
    unavailable: tuple[NoFigures, ...] = ()
    order: tuple[str, ...] = ()

    @property
    def period_type(self) -> str:
        """The period type of the first indicator (whether an LA existed is judged on it)."""
        if self.figures:
            return str(self.figures[0].latest.period_type.value)
        return "snapshot_31_march"


def report_figures(
    *,
    years: int = 5,
    indicators: Sequence[str] = CORE_INDICATORS,
    sn_version: str | None = None,
    sn_method: str = "mean",
    counts: pl.DataFrame | None = None,
    catalogue: Catalogue | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    own: OwnFigures | None = None,
) -> ReportFigures:
    """Every figure the reports of :func:`build_report` show, for every LA at once: each
    indicator computed (or read as published), presented and compared once.

    Each indicator's years are those of its source (the counts, or DfE's published figures);
    the report shows ``years`` collection years up to the latest year of them all (and of the
    council's own figures, ``own``); a year an indicator has no figures for shows "x". An
    indicator with no figures in those years is listed in ``unavailable`` with the reason.

    Parameters
    ----------
    years, indicators, sn_version, sn_method, counts, catalogue, own
        As for :func:`build_report`.
    progress
        Called as ``progress(done, total, indicator)`` after each indicator.

    Returns
    -------
    ReportFigures
        Every indicator's figures for every area, shared by each LA's report
        (:func:`report_for`, :func:`write_reports`).

    Raises
    ------
    UnknownDefinitionError
        An unknown indicator id or SN-set version (with close matches).
    DataError
        ``years`` below 1, no indicators, or no indicator with a figure.
    ValueError
        ``sn_method`` is neither "mean" nor "median".

    Examples
    --------
    >>> figures = report_figures(indicators=["cla_rate_per_10k", "adoption_a1_days"], years=2)
    >>> [f.indicator_id for f in figures.figures], [u.indicator_id for u in figures.unavailable]
    (['cla_rate_per_10k'], ['adoption_a1_days'])
    """
    if sn_method not in _SN_METHODS:
        msg = f"sn_method must be 'mean' or 'median', got {sn_method!r}"
        raise ValueError(msg)
    if years < 1:
        msg = f"years must be at least 1, got {years}"
        raise DataError(msg)
    if not indicators:
        msg = "no indicators asked for"
        raise DataError(msg)
    cat = catalogue if catalogue is not None else load_catalogue()
    wanted = list(dict.fromkeys(indicators))
    for ident in wanted:
        if ident not in cat:
            cat.history(ident)  # an unknown id raises UnknownDefinitionError with close matches
    sn = neighbour_set(sn_version)
    frame = csc_counts() if counts is None else counts
    source = _BUNDLED_SOURCE if counts is None else "counts supplied by the caller (DfE layout)"
    total = 2 * len(wanted) + 1
    plans = []
    for step, ident in enumerate(wanted):
        if progress is not None:
            progress(step, total, f"reading {ident}")
        plans.append(plan_indicator(ident, catalogue=cat, counts=frame))
    held = {y for p in plans for y in p.years} | set(own.years if own is not None else ())
    if not held:
        reasons = "; ".join(f"{p.indicator_id}: {p.reason or 'no figures'}" for p in plans)
        msg = f"no figures for any indicator asked for ({reasons})"
        raise DataError(msg)
    latest = max(held)
    chosen = tuple(range(latest - years + 1, latest + 1))
    out: list[IndicatorFigures] = []
    missing: list[NoFigures] = []
    order: list[str] = []
    for step, plan in enumerate(plans):
        if progress is not None:
            progress(len(wanted) + step, total, f"computing {plan.indicator_id}")
        for found in figures_for(
            plan, span=chosen, catalogue=cat, sn=sn, sn_method=sn_method, counts=frame
        ):
            order.append(found.key)
            (missing if isinstance(found, NoFigures) else out).append(found)  # type: ignore[arg-type]
    return ReportFigures(
        figures=tuple(out),
        years=chosen,
        sn=sn,
        sn_method=sn_method,
        data_source=source,
        unavailable=tuple(missing),
        order=tuple(order),
    )


def _unavailable(
    found: NoFigures, own: dict[int, dict[str, Any]] | None, years: Sequence[int]
) -> Unavailable:
    d = found.definition
    reason = found.reason
    if own:
        shown = ", ".join(f"{y} {r['display']}" for y, r in sorted(own.items()) if y in years)
        if shown:
            reason += f"; the council's own figures: {shown}"
    return Unavailable(
        indicator_id=found.indicator_id,
        title=f"{d.title}: {found.level.label}" if found.level else d.title,
        topic=d.topic,
        topic_label=topic_label(d.topic),
        reason=reason,
        caveats=measure_caveats(d.caveats),
        level=found.level.code if found.level else None,
    )


def report_for(la: str, figures: ReportFigures, *, own: OwnFigures | None = None) -> Report:
    """One LA's report from figures computed for every LA (:func:`report_figures`).

    A council created within the years shown has its earlier years as "not applicable", naming
    the authority that reported for its area (``Report.geography_notes``).

    Parameters
    ----------
    la
        An old LA number or an ONS code.
    figures
        From :func:`report_figures`.
    own
        The council's own figures (:func:`~.own_figures.read_own_figures`), shown beside the
        published ones; a year the published data does not have appears, marked as the
        council's own figures.

    Returns
    -------
    Report
        The LA's report.

    Raises
    ------
    AreaNotApplicableError
        The LA did not exist in the latest year shown: naming the authorities that cover its
        area (an abolished council's successors, a council not yet created's predecessor).
    UnknownAreaError
        An unknown code.
    DataError
        ``own`` holds another council's figures.

    Examples
    --------
    >>> figures = report_figures(indicators=["cla_rate_per_10k"], years=2)
    >>> [report_for(la, figures).sections[0].la.text for la in ("874", "831")]
    ['72', '88']
    >>> report_for("909", figures)
    Traceback (most recent call last):
    ...
    cyp_indicators.errors.AreaNotApplicableError: ...Cumberland (942) and Westmorland and Furness (943)...
    """
    code = resolve_la(la)
    names = _names()
    name = names.get(code, code)
    period_type = figures.period_type
    # a report is of the authority as it is in the latest year: an abolished council is an error
    # naming its successors; a new one shows its predecessor's years as not applicable
    check_exists(code, figures.years[-1:], period_type)
    if own is not None and own.la != code:
        msg = f"the council's own figures ({own.source}) are of LA {own.la}, not {code}"
        raise DataError(msg)
    try:
        neighbours = figures.sn.neighbours(code)
    except UnknownDefinitionError:
        neighbours = ()
    sections: dict[str, IndicatorSection] = {}
    bar_rows: list[dict[str, Any]] = []
    tidy_frames: list[pl.DataFrame] = []
    for f in figures.figures:
        own_rows = own.of(f.indicator_id) if own is not None and f.level is None else None
        section, bars, tidy = _section(
            f, code, name, figures.years, neighbours, figures.sn, figures.sn_method,
            own_rows, own.source if own is not None else None,
        )  # fmt: skip
        sections[f.key] = section
        bar_rows += bars
        tidy_frames.append(tidy)
    missing = {
        u.key: _unavailable(u, own.of(u.indicator_id) if own is not None else None, figures.years)
        for u in figures.unavailable
    }
    order = figures.order or tuple(sections)
    vintages = sorted({v for f in figures.figures if f.index is not None for v in f.index.vintages})
    current = la_codes().filter((pl.col("old_la_code") == code) & pl.col("current"))
    notes = tuple(
        status.reason
        for year in figures.years
        if (status := area_status(code, year, period_type)) is not None
    )
    return Report(
        la=code,
        la_name=name,
        ons_code=str(current["new_la_code"][0]) if current.height else None,
        years=figures.years,
        sn_set=figures.sn.key,
        sn_title=figures.sn.title,
        sn_method=figures.sn_method,
        population_vintage="; ".join(str(v) for v in vintages)
        or "none (no rate with a population denominator)",
        data_source=figures.data_source,
        library_version=_library_version(),
        sections=tuple(sections[k] for k in order if k in sections),
        tidy=pl.concat(tidy_frames, how="diagonal_relaxed") if tidy_frames else pl.DataFrame(),
        neighbours=pl.DataFrame(bar_rows, infer_schema_length=None),
        geography_notes=tuple(dict.fromkeys(notes)),
        unavailable=tuple(missing[k] for k in order if k in missing),
        own_source=own.source if own is not None else None,
    )


def build_report(
    la: str = "874",
    *,
    years: int = 5,
    indicators: Sequence[str] = CORE_INDICATORS,
    sn_version: str | None = None,
    sn_method: str = "mean",
    counts: pl.DataFrame | None = None,
    catalogue: Catalogue | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    own: OwnFigures | None = None,
) -> Report:
    """Benchmark one LA on several indicators: figures, charts' data and provenance.

    ``progress``, if given, is called as ``progress(done, total, step)`` while the report is built
    (the command line shows a progress bar with it). Each indicator is computed from the counts
    where they hold its columns, else read from DfE's published figures (LAIT, an EES file or
    DfE's dashboard), and compared for every LA at once (:func:`report_figures`); the LA's report
    picks its rows (:func:`report_for`).

    Parameters
    ----------
    la
        An old 3-digit LA number ("874") or an ONS code ("E06000031"); Peterborough by default.
    years
        How many of the latest collection years to show (5 by default): the latest years over
        the indicators' figures (each from where its figures come from: the counts or DfE's
        published figures) and the council's own figures; the trend test uses up to the last
        five (since the last series break).
    indicators
        Definition ids, computed or published; by default the core children's social care rates
        (:data:`CORE_INDICATORS`). One with no figures in the years shown is listed as such
        (``Report.unavailable``); a definition broken down into levels with no total gives a
        section per level.
    sn_version
        DfE's statistical-neighbour set: ``"2025"`` (May 2025) or ``"2021"``; default the set the
        data marks as DfE's current one.
    sn_method
        How the neighbours' values are aggregated: ``"mean"`` (LAIT) or ``"median"`` (DfE's CSC
        dashboard).
    counts
        Counts in DfE's layout (see :func:`cyp_indicators.csc_counts`, the default).
    catalogue
        The definitions; the bundled catalogue by default.
    progress
        Called as ``progress(done, total, step)`` while the report is built (the command line
        shows a progress bar with it).
    own
        The council's own figures (:func:`~.own_figures.read_own_figures`), shown beside DfE's.

    Returns
    -------
    Report
        The sections (one per indicator), the tidy benchmark rows and the provenance.

    Raises
    ------
    UnknownDefinitionError
        An unknown indicator id or SN-set version; :class:`UnknownAreaError` (a subclass) an
        unknown LA code, naming it with close matches.
    AreaNotApplicableError
        The LA did not exist in the latest year shown (naming its successors).
    DataError
        ``years`` is below 1, or no indicator has a figure.
    ValueError
        ``sn_method`` is neither "mean" nor "median".

    Examples
    --------
    >>> report = build_report("831", indicators=["cla_rate_per_10k"], years=2)
    >>> report.la_name, report.years
    ('Derby', (2024, 2025))
    >>> cla = report.sections[0]
    >>> cla.la.text, cla.ci_text, cla.england.text, cla.vs_england
    ('88', '81 to 95', '67', 'higher')
    """
    code = resolve_la(la)
    figures = report_figures(
        years=years, indicators=indicators, sn_version=sn_version, sn_method=sn_method,
        counts=counts, catalogue=catalogue, progress=progress, own=own,
    )  # fmt: skip
    report = report_for(code, figures, own=own)
    if progress is not None:
        progress(1, 1, "done")
    return report


def _region(region: str) -> tuple[str, str]:
    """A region's ONS code and name from its code, LAIT number or name."""
    code = canonical_area(region)
    table = areas()
    regional = table.filter(pl.col("geographic_level") == "Regional")
    names = dict(zip(regional["area_code"], regional["name"], strict=True))
    if code is None or code not in names:
        msg = f"unknown region {region!r}"
        raise UnknownAreaError(msg, sorted(names.values()))
    return code, names[code]


def report_las(
    region: str | None = None, *, year: int, period_type: str = "snapshot_31_march"
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The LAs to report on: every LA (of ``region``: an ONS region code, a LAIT number or a
    name, Inner and Outer London too) that existed in collection ``year``, in LA-number order,
    and the abolished ones left out with the reason (naming their successors).

    Parameters
    ----------
    region
        A region's ONS code, LAIT number or name; ``None``: England.
    year
        The collection year the LAs must exist in.
    period_type
        The period of the figures (a financial year ends on 31 March of ``year``; see
        :func:`cyp_indicators.geography.area_status`).

    Returns
    -------
    tuple[tuple[str, ...], tuple[tuple[str, str], ...]]
        The old LA numbers to report on, and ``(la, reason)`` for each left out.

    Raises
    ------
    UnknownAreaError
        An unknown region (listing the regions).

    Examples
    --------
    >>> kept, skipped = report_las("North West", year=2025)
    >>> len(kept), [code for code, _ in skipped]
    (24, ['909'])
    >>> print(skipped[0][1])
    Cumbria (909) was replaced on 1 April 2023 by Cumberland (942) and Westmorland and Furness (943)
    """
    las = local_authorities()
    if region is not None:
        code, _ = _region(region)
        las = las.filter(
            (pl.col("region_code") == code) | (pl.col("london_subregion_code") == code)
        )
    kept: list[str] = []
    skipped: list[tuple[str, str]] = []
    for old in sorted(las["old_la_code"].to_list()):
        status = area_status(old, year, period_type)
        if status is None:
            kept.append(old)
        else:
            skipped.append((old, status.reason))
    return tuple(kept), tuple(skipped)


@attrs.frozen(kw_only=True)
class WrittenReports:
    """What :func:`write_reports` wrote: ``(la, html, xlsx)`` for each LA, and the LAs left out
    (abolished before the latest year shown) with the reason.

    Attributes
    ----------
    written
        ``(la, html, xlsx)`` for each LA written, in the order given (in LA-number order for
        every LA or a region's).
    skipped
        ``(la, reason)`` for each LA left out.

    Examples
    --------
    >>> import tempfile
    >>> figures = report_figures(indicators=["cla_rate_per_10k"], years=1)
    >>> done = write_reports(None, tempfile.mkdtemp(), figures=figures, region="North West")
    >>> len(done.written), [code for code, _ in done.skipped]
    (24, ['909'])
    """

    written: tuple[tuple[str, Path, Path], ...]
    skipped: tuple[tuple[str, str], ...] = ()


def _write_pair(report: Report, out: Path) -> tuple[Path, Path]:
    stem = f"benchmark_{report.la}"
    html, xlsx = out / f"{stem}.html", out / f"{stem}.xlsx"
    # each file written beside its target and renamed when whole: Ctrl-C or a full disk leaves
    # the files there were, never half a report
    write_atomically(html, lambda temporary: write_html(report, temporary))
    write_atomically(xlsx, lambda temporary: write_xlsx(report, temporary))
    return html, xlsx


def write_reports(
    las: Sequence[str] | None = None,
    out_dir: str | Path = "out",
    *,
    figures: ReportFigures | None = None,
    region: str | None = None,
    own: OwnFigures | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> WrittenReports:
    """Write the HTML and Excel report of each LA into ``out_dir`` (``benchmark_<la>.html`` and
    ``.xlsx``), from figures computed once for every LA.

    Parameters
    ----------
    las
        Old LA numbers or ONS codes; ``None``: every LA that exists in the latest year shown
        (of ``region`` when given), the abolished ones left out and listed in ``skipped``.
    out_dir
        The folder (created if missing).
    figures
        From :func:`report_figures`; computed with its defaults when not given.
    region
        With ``las=None``: the LAs of one region (ONS code, LAIT number or name).
    own
        The council's own figures, for a single LA's report.
    progress
        Called as ``progress(done, total, la)`` after each LA.

    Returns
    -------
    WrittenReports
        The files written and the LAs left out.

    Raises
    ------
    AreaNotApplicableError
        An LA named in ``las`` that did not exist in the latest year shown.
    UnknownAreaError
        An unknown LA code or region.
    DataError
        ``own`` with several LAs, or a file that cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp())
    >>> figures = report_figures(indicators=["cla_rate_per_10k"], years=1)
    >>> done = write_reports(["874", "E06000015"], out, figures=figures)
    >>> [(code, html.name, xlsx.name) for code, html, xlsx in done.written]
    [('874', 'benchmark_874.html', 'benchmark_874.xlsx'),
     ('831', 'benchmark_831.html', 'benchmark_831.xlsx')]
    """
    data = figures if figures is not None else report_figures()
    skipped: tuple[tuple[str, str], ...] = ()
    if las is None:
        codes, skipped = report_las(region, year=data.years[-1], period_type=data.period_type)
    else:
        codes = tuple(dict.fromkeys(resolve_la(la) for la in las))
    if own is not None and codes != (own.la,):
        msg = "the council's own figures go in one council's report, not several"
        raise DataError(msg)
    out = Path(out_dir)
    written: list[tuple[str, Path, Path]] = []
    for done, code in enumerate(codes, start=1):
        report = report_for(code, data, own=own)
        if not written:  # no folder for a report that cannot be made (an abolished council)
            out.mkdir(parents=True, exist_ok=True)
        html, xlsx = _write_pair(report, out)
        written.append((code, html, xlsx))
        if progress is not None:
            progress(done, len(codes), code)
    return WrittenReports(written=tuple(written), skipped=skipped)


def write_html(report: Report, path: str | Path) -> Path:
    """Write the report as one self-contained HTML file (inline SVG charts; prints to A4).

    Parameters
    ----------
    report
        From :func:`build_report`.
    path
        The file to write (UTF-8); its folder must exist.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> report = build_report("874", indicators=["cla_rate_per_10k"], years=2)
    >>> page = write_html(report, Path(tempfile.mkdtemp()) / "peterborough.html")
    >>> text = page.read_text(encoding="utf-8")
    >>> "<h1>Peterborough</h1>" in text, "<script" in text
    (True, False)
    """
    from ._report_html import render_html

    out = Path(path)
    out.write_text(render_html(report), encoding="utf-8")
    return out


def write_xlsx(report: Report, path: str | Path) -> Path:
    """Write the report as an Excel workbook: a summary, a sheet per area, a provenance sheet.

    Each area sheet has frozen header rows, values formatted to the definition's decimal places
    (percentages as numbers beside a "%" unit column), missing values as their DfE symbol, and for
    each indicator a native column chart of the LA and its neighbours (England as a line) and a
    line chart of the LA, England and the neighbours' aggregate over the years. Needs the
    ``xlsxwriter`` package.

    Parameters
    ----------
    report
        From :func:`build_report`.
    path
        The ``.xlsx`` file to write; its folder must exist.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> import zipfile
    >>> from pathlib import Path
    >>> report = build_report("874", indicators=["cla_rate_per_10k"], years=2)
    >>> book = write_xlsx(report, Path(tempfile.mkdtemp()) / "peterborough.xlsx")
    >>> "xl/workbook.xml" in zipfile.ZipFile(book).namelist()
    True
    """
    from ._report_xlsx import render_xlsx

    out = Path(path)
    render_xlsx(report, out)
    return out
