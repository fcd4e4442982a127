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

import polars as pl

from ..catalogue import Catalogue, load_catalogue
from ..compare.benchmark import benchmark_table, indicator_results
from ..compare.gaps import gap_direction
from ..compare.groups import ComparatorSet, neighbour_set
from ..compare.trend import trend_markers
from ..datasets import csc_counts
from ..errors import DataError, UnknownDefinitionError
from ..geography import ENGLAND, la_codes, la_name, resolve_la
from ..model import Family, IndicatorDefinition, Polarity
from ..presentation import present, unit_label
from ._report_model import (
    TOPIC_LABELS,
    Bar,
    IndicatorSection,
    Report,
    Shown,
    YearPoint,
)
from .core_rates import CORE_INDICATORS

__all__ = [
    "CORE_INDICATORS",
    "TOPIC_LABELS",
    "Bar",
    "IndicatorSection",
    "Report",
    "Shown",
    "YearPoint",
    "build_report",
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


def _presented(results: pl.DataFrame, catalogue: Catalogue, ident: str) -> pl.DataFrame:
    """Each year's rows of one indicator, presented with that year's definition."""
    rows = results.filter(pl.col("indicator_id") == ident)
    parts = [
        present(rows.filter(pl.col("year") == year), catalogue.get(ident, year=year))
        for year in sorted(rows["year"].unique().to_list())
    ]
    return pl.concat(parts, how="vertical_relaxed")


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
    unit = "percentage points" if str(definition.unit) == "percent" else unit_label(definition)
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


def _benchmark_tidy(
    results: pl.DataFrame,
    code: str,
    sn: ComparatorSet,
    catalogue: Catalogue,
    years: Sequence[int],
    sn_method: str,
) -> pl.DataFrame:
    """:func:`benchmark_table`'s tidy rows for the years, one year at a time.

    One year at a time gives the same rows; it also keeps clear of the committee layout
    (``.wide``), which cannot yet be built when the LA has no value in the latest or the previous
    year (an untyped null in its gap-direction step); the report computes that direction itself.
    """
    method: Literal["mean", "median"] = "mean" if sn_method == "mean" else "median"
    present_years = set(results["year"].unique().to_list())
    parts = [
        benchmark_table(
            results, la=code, sn=sn, definitions=catalogue, years=[year], sn_method=method
        ).tidy
        for year in years
        if year in present_years
    ]
    return pl.concat(parts, how="diagonal_relaxed")


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


def _section(
    ident: str,
    catalogue: Catalogue,
    tidy: pl.DataFrame,
    raw: pl.DataFrame,
    presented: pl.DataFrame,
    code: str,
    neighbours: Sequence[str],
    sn: ComparatorSet,
    sn_method: str,
) -> tuple[IndicatorSection, pl.DataFrame]:
    t = tidy.filter(pl.col("indicator_id") == ident)
    if t.is_empty():
        msg = f"no results for {ident} in the years asked for"
        raise DataError(msg)
    years = sorted(t["year"].unique().to_list())
    latest = years[-1]
    definition = catalogue.get(ident, year=latest)
    dps = definition.presentation.decimal_places

    def tidy_row(year: int, kind: str) -> dict[str, Any] | None:
        r = t.filter((pl.col("year") == year) & (pl.col("row_kind") == kind))
        return r.row(0, named=True) if r.height else None

    def area_row(year: int, area: str) -> dict[str, Any] | None:
        r = presented.filter((pl.col("year") == year) & (pl.col("area_code") == area))
        return r.row(0, named=True) if r.height else None

    def shown_area(year: int, area: str) -> Shown:
        r = area_row(year, area)
        if r is None:
            return Shown(value=None, text="x", reason="x: not in the counts")
        return _shown(r["value"], r["display"], r["reason"])

    series: list[YearPoint] = []
    for year in years:
        la = shown_area(year, code)
        la_r = area_row(year, code)
        sn_r = tidy_row(year, "sn")
        sn_value = sn_r["presented"] if sn_r else None
        sn_reason = (sn_r or {}).get("sn_reason") or "x: no neighbour had a value"
        series.append(
            YearPoint(
                year=year,
                version=str(catalogue.get(ident, year=year).version),
                la=la,
                la_lower=la_r["lower_95"] if la_r and la.value is not None else None,
                la_upper=la_r["upper_95"] if la_r and la.value is not None else None,
                england=shown_area(year, ENGLAND),
                sn=_shown(
                    sn_value,
                    _fixed(sn_value, dps) if sn_value is not None else sn_reason.split(":")[0],
                    None if sn_value is not None else sn_reason,
                ),
            )
        )
    now = series[-1]
    la_latest = tidy_row(latest, "la") or {}
    sn_latest = tidy_row(latest, "sn") or {}
    withheld = now.la.value is None
    gap = None if withheld else la_latest.get("gap_to_england")
    la_before = tidy_row(latest - 1, "la") or {}
    direction = None if withheld else _direction(gap, la_before.get("gap_to_england"), definition)
    rank = la_latest.get("sn_rank")
    la_rank = la_latest.get("la_rank")
    band = None if withheld else la_latest.get("band")
    ci = (
        f"{_fixed(now.la_lower, dps)} to {_fixed(now.la_upper, dps)}"
        if now.la_lower is not None and now.la_upper is not None
        else None
    )
    bar_rows: list[dict[str, Any]] = []
    bars: list[Bar] = []
    for rank_no, area in enumerate([code, *neighbours]):
        s = shown_area(latest, area)
        name = la_name(area) or area
        bars.append(Bar(code=area, name=name, shown=s, is_la=area == code, closeness_rank=rank_no))
        bar_rows.append(
            {"indicator_id": ident, "year": latest, "area_code": area, "area_name": name,
             "is_la": area == code, "closeness_rank": rank_no, "presented": s.value,
             "display": s.text, "reason": s.reason}
        )  # fmt: skip
    bars.sort(key=lambda b: (b.shown.value is None, -(b.shown.value or 0.0), b.closeness_rank))
    la_rows = presented.filter(pl.col("area_code") == code)
    raw_rows = raw.filter(pl.col("area_code") == code)
    verdict, trend_text = _trend(la_rows, raw_rows, definition)
    vintage = (
        str(presented["population_vintage"].drop_nulls()[0])
        if definition.denominator is not None
        and definition.denominator.population is not None
        and presented["population_vintage"].drop_nulls().len()
        else None
    )
    source = " / ".join(
        p for p in (definition.provenance.dfe_release, definition.provenance.dfe_table) if p
    )
    section = IndicatorSection(
        indicator_id=ident,
        version=str(definition.version),
        versions=tuple((p.year, p.version) for p in series),
        title=definition.title,
        description=" ".join(definition.description.split()),
        topic=definition.topic,
        topic_label=TOPIC_LABELS.get(definition.topic, definition.topic),
        unit=str(definition.unit),
        unit_label=unit_label(definition),
        gap_unit=str(t["gap_unit"][0]),
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
        sn_n=sn_latest.get("sn_n"),
        sn_of=sn_latest.get("sn_of"),
        rank_text=_rank(rank, la_latest.get("sn_rank_of"), withheld),
        la_rank_text=_rank(la_rank, la_latest.get("la_rank_of"), withheld),
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
        population_vintage=vintage,
        source=source or None,
        caveats=definition.caveats,
    )
    return section, pl.DataFrame(bar_rows, infer_schema_length=None)


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
    (the command line shows a progress bar with it).

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
        An unknown LA code (naming it, with close matches), indicator id or SN-set version.
    DataError
        The LA has no rows in the counts, or ``years`` is below 1.
    ValueError
        ``sn_method`` is neither "mean" nor "median".
    """
    code = _resolve_la(la)
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
        cat.get(ident)  # an unknown id raises UnknownDefinitionError with close matches
    sn = neighbour_set(sn_version)
    source = _BUNDLED_SOURCE if counts is None else "counts supplied by the caller (DfE layout)"
    frame = csc_counts() if counts is None else counts
    mine = frame.filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col("old_la_code") == code)
    )
    name = la_name(code) or code
    if mine.is_empty():
        msg = f"local authority {la!r} ({name}) has no rows in the counts"
        raise DataError(msg)
    all_years: list[int] = sorted(frame["year"].unique().to_list())
    chosen = [y for y in all_years if y > all_years[-1] - years]
    total = len(indicators) + 2
    if progress is not None:
        progress(0, total, "computing indicators for every area")
    results = indicator_results(frame, cat, list(indicators), years=chosen)
    if progress is not None:
        progress(1, total, "comparing with England and neighbours")
    tidy = _benchmark_tidy(results, code, sn, cat, chosen, sn_method)
    try:
        neighbours = sn.neighbours(code)
    except UnknownDefinitionError:
        neighbours = ()
    sections: list[IndicatorSection] = []
    bar_frames: list[pl.DataFrame] = []
    for step, ident in enumerate(indicators, start=2):
        if progress is not None:
            progress(step, total, ident)
        raw = results.filter(pl.col("indicator_id") == ident)
        presented = _presented(raw, cat, ident)
        section, bar_frame = _section(
            ident, cat, tidy, raw, presented, code, neighbours, sn, sn_method
        )
        sections.append(section)
        bar_frames.append(bar_frame)
    vintages = results["population_vintage"].drop_nulls().unique(maintain_order=True).to_list()
    current = la_codes().filter((pl.col("old_la_code") == code) & pl.col("current"))
    return Report(
        la=code,
        la_name=name,
        ons_code=str(current["new_la_code"][0]) if current.height else None,
        years=tuple(sorted(tidy["year"].unique().to_list())),
        sn_set=sn.key,
        sn_title=sn.title,
        sn_method=sn_method,
        population_vintage="; ".join(str(v) for v in vintages),
        data_source=source,
        library_version=_library_version(),
        sections=tuple(sections),
        tidy=tidy,
        neighbours=pl.concat(bar_frames, how="diagonal_relaxed"),
    )


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
