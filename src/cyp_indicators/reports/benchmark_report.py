"""The benchmarking report: one LA against England and its statistical neighbours, HTML and Excel.

:func:`build_report` computes every figure (with :func:`cyp_indicators.indicator_results` and
:func:`cyp_indicators.benchmark_table`) into a :class:`Report`; :func:`write_html` writes it as one
self-contained HTML file (inline SVG charts, prints to A4) and :func:`write_xlsx` as an Excel
workbook (a sheet per area, native charts, a provenance sheet).

>>> from cyp_indicators.reports.benchmark_report import build_report, write_html, write_xlsx
>>> report = build_report("874")                       # doctest: +SKIP
>>> write_html(report, "peterborough.html")            # doctest: +SKIP
>>> write_xlsx(report, "peterborough.xlsx")            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Literal

import attrs
import polars as pl

from ..catalogue import Catalogue, load_catalogue
from ..compare.gaps import gap_direction, gap_unit_label
from ..compare.groups import ComparatorSet, neighbour_set
from ..compare.trend import trend_markers
from ..datasets import csc_counts
from ..errors import DataError, UnknownDefinitionError
from ..geography import ENGLAND, area_status, check_exists, la_codes, la_name, resolve_la
from ..model import Family, IndicatorDefinition, Polarity
from ..presentation import unit_label
from ._report_model import (
    TOPIC_LABELS,
    Bar,
    IndicatorSection,
    Report,
    Shown,
    YearPoint,
)
from .core_rates import CORE_INDICATORS
from .figures import IndicatorFigures, indicator_figures

__all__ = [
    "CORE_INDICATORS",
    "TOPIC_LABELS",
    "Bar",
    "IndicatorSection",
    "Report",
    "ReportFigures",
    "Shown",
    "YearPoint",
    "build_report",
    "report_figures",
    "report_for",
    "write_html",
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


def _library_version() -> str:
    try:
        return package_version("cyp-indicators")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _resolve_la(la: str) -> str:
    return resolve_la(la)


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


def _trend(
    la_rows: pl.DataFrame, raw_rows: pl.DataFrame, definition: IndicatorDefinition
) -> tuple[str, str]:
    """The recent-trend verdict and a sentence with the change over the years shown.

    The test runs on the unrounded values and intervals (``raw_rows``), as Fingertips does; a year
    whose presented value is withheld or missing is a gap in the run. The sentence quotes the
    presented values (``la_rows``).
    """
    dps = definition.presentation.decimal_places
    method: Literal["counts", "weighted"] = (
        "counts" if definition.family in (Family.PROPORTION, Family.CONVERSION) else "weighted"
    )
    verdict = "not tested"
    detail = ""
    if la_rows.height:
        shown = la_rows.select("year", pl.col("value").alias("__shown"))
        frame = (
            raw_rows.join(shown, on="year", how="left")
            .with_columns(
                pl.when(pl.col("__shown").is_not_null()).then(pl.col("value")).alias("value")
            )
            .select(
                "area_code", "year", "value", "numerator", "denominator", "lower_95", "upper_95"
            )
        )
        marks = trend_markers(
            frame, by="area_code", method=method, polarity=definition.polarity
        ).row(0, named=True)
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
    shown = la_rows.filter(pl.col("value").is_not_null()).sort("year")
    if shown.height < 2:
        opening = "Fewer than two years with a value"
        return verdict, f"{opening}; {detail}." if detail else f"{opening}."
    first, last = shown.row(0, named=True), shown.row(-1, named=True)
    change = float(last["value"]) - float(first["value"])
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


def _direction(
    gap: float | None, before: float | None, definition: IndicatorDefinition
) -> str | None:
    """Whether the gap to England grew ("Increased"), shrank ("Declined") or held since last year."""
    if gap is None or before is None:
        return None
    expr = gap_direction(
        pl.lit(gap, pl.Float64),
        pl.lit(before, pl.Float64),
        polarity=definition.polarity,
        decimals=definition.presentation.decimal_places,  # the gaps as the reader sees them
    )
    value = pl.select(expr).item()
    return None if value is None else str(value)


def _not_applicable(code: str, year: int, definition: IndicatorDefinition) -> Shown | None:
    """The typed "not applicable" for a year the authority did not exist, naming the others."""
    status = area_status(code, year, definition.period_type)
    if status is None:
        return None
    return Shown(value=None, text="z", reason=f"z: {status.reason}")


def _section(
    figures: IndicatorFigures,
    code: str,
    years: Sequence[int],
    neighbours: Sequence[str],
    sn: ComparatorSet,
    sn_method: str,
) -> tuple[IndicatorSection, pl.DataFrame, pl.DataFrame]:
    ident = figures.indicator_id
    shown_years = [y for y in years if y in figures.definitions]
    if not shown_years:
        msg = f"no results for {ident} in the years asked for"
        raise DataError(msg)
    latest = shown_years[-1]
    definition = figures.definitions[latest]
    dps = definition.presentation.decimal_places
    areas = figures.areas.filter(pl.col("year").is_in(shown_years))
    by_area: dict[tuple[str, int], dict[str, Any]] = {
        (r["area_code"], r["year"]): r
        for r in areas.filter(pl.col("area_code").is_in([code, ENGLAND, *neighbours])).iter_rows(
            named=True
        )
    }
    mine = {
        r["year"]: r for r in figures.las.filter(pl.col("area_code") == code).iter_rows(named=True)
    }

    def shown_area(year: int, area: str) -> Shown:
        r = by_area.get((area, year))
        if r is None or (r["presented"] is None and not r["display"]):
            gone = (
                _not_applicable(area, year, figures.definitions[year])
                if area[0].isdigit()
                else None
            )
            return gone or Shown(value=None, text="x", reason="x: not published")
        if r["presented"] is None:
            gone = (
                _not_applicable(area, year, figures.definitions[year])
                if area[0].isdigit()
                else None
            )
            if gone is not None:
                return gone
        return _shown(r["presented"], r["display"], r["reason"])

    series: list[YearPoint] = []
    for year in shown_years:
        la = shown_area(year, code)
        la_r = by_area.get((code, year))
        m = mine.get(year) or {}
        sn_value = m.get("sn_value")
        sn_reason = m.get("sn_reason") or (
            f"z: not an LA with a group in {sn.key}"
            if not neighbours
            else "x: no neighbour had a value"
        )
        series.append(
            YearPoint(
                year=year,
                version=str(figures.definitions[year].version),
                la=la,
                la_lower=la_r["presented_lower_95"] if la_r and la.value is not None else None,
                la_upper=la_r["presented_upper_95"] if la_r and la.value is not None else None,
                england=shown_area(year, ENGLAND),
                sn=_shown(
                    sn_value,
                    _fixed(sn_value, dps) if sn_value is not None else sn_reason.split(":")[0],
                    None if sn_value is not None else sn_reason,
                ),
            )
        )
    now = series[-1]
    la_latest = mine.get(latest) or {}
    withheld = now.la.value is None
    gap = None if withheld else la_latest.get("gap_to_england")
    before = (mine.get(latest - 1) or {}).get("gap_to_england")
    direction = None if withheld else _direction(gap, before, definition)
    band = None if withheld else la_latest.get("band")
    ci = (
        f"{_fixed(now.la_lower, dps)} to {_fixed(now.la_upper, dps)}"
        if now.la_lower is not None and now.la_upper is not None
        else None
    )
    bar_rows: list[dict[str, Any]] = []
    bars: list[Bar] = []
    for rank_no, area in enumerate([code, *neighbours]):
        shown = shown_area(latest, area)
        name = la_name(area) or area
        bars.append(
            Bar(code=area, name=name, shown=shown, is_la=area == code, closeness_rank=rank_no)
        )
        bar_rows.append(
            {"indicator_id": ident, "year": latest, "area_code": area, "area_name": name,
             "is_la": area == code, "closeness_rank": rank_no, "presented": shown.value,
             "display": shown.text, "reason": shown.reason}
        )  # fmt: skip
    bars.sort(key=lambda b: (b.shown.value is None, -(b.shown.value or 0.0), b.closeness_rank))
    la_rows = areas.filter(pl.col("area_code") == code).select(
        "year", pl.col("presented").alias("value"), "display"
    )
    raw_rows = areas.filter(pl.col("area_code") == code)
    verdict, trend_text = _trend(la_rows, raw_rows, definition)
    vintages = areas["population_vintage"].drop_nulls().unique().to_list()
    vintage = "; ".join(sorted(map(str, vintages))) or None
    source = " / ".join(
        p for p in (definition.provenance.dfe_release, definition.provenance.dfe_table) if p
    )
    if not figures.computed:
        source = f"{source} ({figures.source})" if source else figures.source
    section = IndicatorSection(
        indicator_id=ident,
        version=str(definition.version),
        versions=tuple((p.year, p.version) for p in series),
        title=definition.title,
        description=" ".join(definition.description.split()),
        topic=definition.topic,
        topic_label=TOPIC_LABELS.get(definition.topic, definition.topic),
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
        caveats=definition.caveats,
    )
    unrounded = {
        (area, year): r["value"] for (area, year), r in by_area.items() if area in (code, ENGLAND)
    }
    tidy = _tidy_rows(section, mine, code, unrounded)
    return section, pl.DataFrame(bar_rows, infer_schema_length=None), tidy


def _tidy_rows(
    section: IndicatorSection,
    mine: dict[int, dict[str, Any]],
    code: str,
    unrounded: dict[tuple[str, int], float | None],
) -> pl.DataFrame:
    """The section's figures in :func:`benchmark_table`'s tidy layout (LA, England, neighbours):
    ``value`` unrounded, ``presented`` as shown."""
    rows: list[dict[str, Any]] = []
    for p in section.series:
        m = mine.get(p.year) or {}
        base = {
            "indicator_id": section.indicator_id, "indicator_version": p.version,
            "title": section.title, "year": p.year, "decimal_places": section.decimal_places,
            "polarity": section.polarity, "gap_unit": section.gap_unit,
        }  # fmt: skip
        rows.append({**base, "row": "la", "row_kind": "la", "presented": p.la.value,
                     "value": unrounded.get((code, p.year)) if p.la.value is not None else None,
                     "sn_rank": m.get("sn_rank"), "sn_rank_of": m.get("sn_rank_of"),
                     "la_rank": m.get("la_rank"), "la_rank_of": m.get("la_rank_of"),
                     "band": m.get("band"), "gap_to_england": m.get("gap_to_england"),
                     "lower_95": p.la_lower, "upper_95": p.la_upper})  # fmt: skip
        rows.append({**base, "row": "England", "row_kind": "england", "presented": p.england.value,
                     "value": unrounded.get((ENGLAND, p.year))})  # fmt: skip
        rows.append({**base, "row": "Statistical neighbours", "row_kind": "sn",
                     "presented": p.sn.value, "value": p.sn.value, "sn_n": m.get("sn_n"), "sn_of": m.get("sn_of"),
                     "sn_min": m.get("sn_min"), "sn_max": m.get("sn_max"),
                     "sn_set": section.sn_set, "sn_reason": p.sn.reason})  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None)


@attrs.frozen(kw_only=True)
class ReportFigures:
    """Every figure of a report for every LA: computed once, shared by each LA's report.

    ``figures`` holds each indicator (:class:`~cyp_indicators.reports.figures.IndicatorFigures`),
    ``years`` the collection years, ``sn`` the comparator set.
    """

    figures: tuple[IndicatorFigures, ...]
    years: tuple[int, ...]
    sn: ComparatorSet
    sn_method: str
    data_source: str


def report_figures(
    *,
    years: int = 5,
    indicators: Sequence[str] = CORE_INDICATORS,
    sn_version: str | None = None,
    sn_method: str = "mean",
    counts: pl.DataFrame | None = None,
    catalogue: Catalogue | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ReportFigures:
    """Every figure the reports of :func:`build_report` show, for every LA at once: each
    indicator computed (or read as published), presented and compared once.

    The latest ``years`` collection years of the counts (or, for a report of published-only
    measures, of the published figures) are shown. Raises as :func:`build_report`.
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
    for ident in indicators:
        if ident not in cat:
            cat.get(ident)  # an unknown id raises UnknownDefinitionError with close matches
    sn = neighbour_set(sn_version)
    frame = csc_counts() if counts is None else counts
    all_years: list[int] = sorted(frame["year"].unique().to_list())
    chosen = tuple(y for y in all_years if y > all_years[-1] - years)
    source = _BUNDLED_SOURCE if counts is None else "counts supplied by the caller (DfE layout)"
    out: list[IndicatorFigures] = []
    for step, ident in enumerate(indicators):
        if progress is not None:
            progress(step, len(indicators) + 1, f"computing {ident}")
        out.append(
            indicator_figures(
                ident, years=chosen, catalogue=cat, sn=sn, sn_method=sn_method, counts=frame
            )
        )
    return ReportFigures(
        figures=tuple(out), years=chosen, sn=sn, sn_method=sn_method, data_source=source
    )


def report_for(la: str, figures: ReportFigures) -> Report:
    """One LA's report from figures computed for every LA (:func:`report_figures`).

    Raises :class:`~cyp_indicators.AreaNotApplicableError` naming the authorities that cover its
    area when the LA did not exist in the latest year shown (an abolished council: report on its
    successors), and :class:`UnknownAreaError` for an unknown code. A council created within the
    years shown has its earlier years as "not applicable", naming the authority that reported for
    its area (``Report.geography_notes``).
    """
    code = _resolve_la(la)
    name = la_name(code) or code
    period_type = figures.figures[0].latest.period_type if figures.figures else "snapshot_31_march"
    # a report is of the authority as it is in the latest year: an abolished council is an error
    # naming its successors; a new one shows its predecessor's years as not applicable
    check_exists(code, figures.years[-1:], period_type)
    try:
        neighbours = figures.sn.neighbours(code)
    except UnknownDefinitionError:
        neighbours = ()
    sections: list[IndicatorSection] = []
    bar_frames: list[pl.DataFrame] = []
    tidy_frames: list[pl.DataFrame] = []
    for f in figures.figures:
        section, bar_frame, tidy = _section(
            f, code, figures.years, neighbours, figures.sn, figures.sn_method
        )
        sections.append(section)
        bar_frames.append(bar_frame)
        tidy_frames.append(tidy)
    vintages = sorted(
        {v for f in figures.figures for v in f.areas["population_vintage"].drop_nulls().to_list()}
    )
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
        population_vintage="; ".join(str(v) for v in vintages),
        data_source=figures.data_source,
        library_version=_library_version(),
        sections=tuple(sections),
        tidy=pl.concat(tidy_frames, how="diagonal_relaxed"),
        neighbours=pl.concat(bar_frames, how="diagonal_relaxed"),
        geography_notes=tuple(dict.fromkeys(notes)),
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
        How many of the latest collection years of the counts to show (5 by default); the trend test
        uses up to the last five.
    indicators
        Definition ids; by default the core children's social care rates (:data:`CORE_INDICATORS`).
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
        The LA did not exist in the years shown (naming its successors or predecessors).
    DataError
        ``years`` is below 1.
    ValueError
        ``sn_method`` is neither "mean" nor "median".
    """
    code = _resolve_la(la)
    figures = report_figures(
        years=years, indicators=indicators, sn_version=sn_version, sn_method=sn_method,
        counts=counts, catalogue=catalogue, progress=progress,
    )  # fmt: skip
    report = report_for(code, figures)
    if progress is not None:
        progress(len(indicators) + 1, len(indicators) + 1, "done")
    return report


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
    """
    from ._report_xlsx import render_xlsx

    out = Path(path)
    render_xlsx(report, out)
    return out
