"""The benchmark cases. Each runs in its own spawned process: :func:`run_case` is the entry.

A case builds its data (untimed), runs the library and each baseline once to check that they
agree (which also warms them up), then times them alternately (:func:`benchmarks._timing.alternate`)
and returns one or more result rows (plain dicts, written to the JSON as they are).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

import cyp_indicators as cyp

from . import _data, _floors, _pandas
from ._timing import Side, alternate, peak_rss_mb, reset_peak, side_summary

__all__ = ["run_case"]

LEVELS = (0.95, 0.998)
PROGRESS_DEFINITION = ("ks2_ks4_expected_progress", 2011)


# --- helpers ---------------------------------------------------------------------------------


def _column(frame: Any, name: str) -> np.ndarray:
    if isinstance(frame, pl.DataFrame):
        return frame[name].cast(pl.Float64).to_numpy()
    return np.asarray(frame[name].to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _agree(lib: Any, other: Any, columns: Sequence[str], *, rtol: float = 1e-9) -> dict[str, Any]:
    """Whether two results hold the same numbers (nulls in the same rows), and the worst gap."""
    worst = 0.0
    problems: list[str] = []
    if len(lib) != len(other):
        return {"agree": False, "problems": [f"{len(lib)} rows vs {len(other)}"]}
    for name in columns:
        a, b = _column(lib, name), _column(other, name)
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            problems.append(
                f"{name}: nulls differ in {int((np.isnan(a) != np.isnan(b)).sum())} rows"
            )
            continue
        ok = ~np.isnan(a)
        if ok.any():
            gap = np.abs(a[ok] - b[ok]) / np.maximum(np.abs(b[ok]), 1e-300)
            gap = np.where(np.abs(a[ok] - b[ok]) < 1e-12, 0.0, gap)
            worst = max(worst, float(gap.max()))
    if worst > rtol:
        problems.append(f"largest relative difference {worst:.3g} > {rtol:g}")
    return {"agree": not problems, "max_rel_diff": worst, "problems": problems}


def _row(
    case: str,
    size: int,
    unit: str,
    description: str,
    library: Side,
    baselines: Sequence[Side] = (),
    **extra: Any,
) -> dict[str, Any]:
    return {
        "case": case,
        "size": size,
        "unit": unit,
        "description": description,
        "library": side_summary(library),
        "baselines": {b.name: side_summary(b) for b in baselines},
        **extra,
    }


def _levels_columns(levels: Sequence[float]) -> list[str]:
    return ["value", *(f"{s}_{_floors.label(c)}" for c in levels for s in ("lower", "upper"))]


# --- intervals --------------------------------------------------------------------------------


def _interval_case(spec: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    size = int(spec["size"])
    reps = int(spec["reps"])
    notes: list[str] = []
    if kind == "rate_ci":
        frame = _data.rate_counts(size)
        num, den, mult = "n", "d", 100_000.0

        def lib_on(f: pl.DataFrame) -> pl.DataFrame:
            return cyp.rate(f, num, den, multiplier=mult, confidence=list(LEVELS))

        def floor() -> pl.DataFrame:
            return _floors.rate_floor(frame, num, den, multiplier=mult, levels=LEVELS)

        build: Callable[..., pl.Expr] = cyp.expr.rate
        rowwise: Callable[..., Any] = _pandas.rate_rowwise
        description = "cyp.rate, exact (<10) / Byar's 95 % and 99.8 % limits, per 100,000"
    else:
        frame = _data.proportion_counts(size)
        num, den, mult = "x", "n", 100.0

        def lib_on(f: pl.DataFrame) -> pl.DataFrame:
            return cyp.proportion(f, num, den, multiplier=mult, confidence=list(LEVELS))

        def floor() -> pl.DataFrame:
            return _floors.proportion_floor(frame, num, den, multiplier=mult, levels=LEVELS)

        build = cyp.expr.proportion
        rowwise = _pandas.proportion_rowwise
        description = "cyp.proportion, Wilson 95 % and 99.8 % limits, percent"

    def library() -> pl.DataFrame:
        return lib_on(frame)

    name = "rate" if kind == "rate_ci" else "proportion"

    def expr() -> pl.DataFrame:
        struct = build(num, den, multiplier=mult, confidence=list(LEVELS), aggregate=False)
        return frame.lazy().with_columns(struct).unnest(name).collect()

    columns = _levels_columns(LEVELS)
    checks = {
        "polars": _agree(library(), floor(), columns),
        "expr": _agree(library(), expr(), columns),
    }
    sides = [Side("library", library, reps), Side("polars", floor, reps), Side("expr", expr, reps)]
    notes.append(
        f"expr: cyp.expr.{name}(..., aggregate=False) in a lazy with_columns, unnested (the same "
        "statistics as one struct expression; shown for comparison, no target)"
    )
    if spec.get("pandas"):
        if _pandas.available():
            pdf = _pandas.to_pandas(frame)
            head = frame.head(2_000)
            checks["pandas"] = _agree(
                lib_on(head), rowwise(_pandas.to_pandas(head), num, den, mult, LEVELS), columns
            )
            pandas_reps = int(spec["pandas_reps"])
            sides.append(Side("pandas", lambda: rowwise(pdf, num, den, mult, LEVELS), pandas_reps))
            if pandas_reps < reps:
                notes.append(
                    f"pandas row-wise baseline timed {pandas_reps}x (slow); library and polars {reps}x"
                )
        else:
            notes.append("pandas/pyarrow not installed: pandas row-wise baseline skipped")
    setup_peak = peak_rss_mb()
    alternate(sides)
    return [
        _row(kind, size, "rows", description, sides[0], sides[1:], checks=checks, notes=notes,
             setup_peak_rss_mb=round(setup_peak, 1))
    ]  # fmt: skip


# --- expected progress ------------------------------------------------------------------------


def _progress_inputs() -> tuple[cyp.IndicatorDefinition, pl.DataFrame]:
    ident, year = PROGRESS_DEFINITION
    definition = cyp.load_catalogue().get(ident, year=year)
    assert definition.matrix is not None
    _floors.check_maps(definition.matrix.lookup("rows"), definition.matrix.lookup("columns"))
    return definition, _floors.cells_table(definition.matrix.as_table())


def _progress_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    size = int(spec["size"])
    reps = int(spec["reps"])
    notes: list[str] = []
    definition, cells = _progress_inputs()
    pupils = _data.pupils(size)

    def library() -> tuple[pl.DataFrame, pl.DataFrame]:
        out = cyp.classify_progress(pupils, definition, prior="ks2", outcome="gcse")
        return out, cyp.progress_rates(out, by=["fsm"])

    def floor() -> tuple[pl.DataFrame, pl.DataFrame]:
        return _floors.progress_floor(pupils, cells, prior="ks2", outcome="gcse", by=["fsm"])

    counted = ["pupils", "made", "not_made", "not_included", "value", "lower_95", "upper_95"]
    lib_rates = library()[1].sort("fsm")
    checks = {"polars": _agree(lib_rates, floor()[1].sort("fsm"), counted)}
    sides = [Side("library", library, reps), Side("polars", floor, reps)]
    if spec.get("pandas"):
        if _pandas.available():
            pdf = _pandas.to_pandas(pupils)
            cells_pd = _pandas.to_pandas(cells)

            def merge() -> tuple[Any, Any]:
                return _pandas.progress_merge(
                    pdf, cells_pd, _floors.KS2_TO_CODE, _floors.GCSE_TO_CODE,
                    prior="ks2", outcome="gcse", by=["fsm"],
                )  # fmt: skip

            checks["pandas"] = _agree(
                lib_rates, merge()[1].sort_values("fsm").reset_index(drop=True), counted
            )
            sides.append(Side("pandas", merge, reps))
        else:
            notes.append("pandas/pyarrow not installed: pandas merge baseline skipped")
    setup_peak = peak_rss_mb()
    alternate(sides)
    median = statistics.median(sides[0].times)
    return [
        _row(
            "progress", size, "pupils",
            "cyp.classify_progress (KS2->KS4 2011 matrix) then cyp.progress_rates by fsm",
            sides[0], sides[1:], checks=checks, notes=notes,
            setup_peak_rss_mb=round(setup_peak, 1),
            throughput={"pupils_per_s": size / median if median else None},
        )
    ]  # fmt: skip


# --- the full catalogue -----------------------------------------------------------------------


def _catalogue_floor(
    counts: pl.DataFrame, definitions: dict[int, list[cyp.IndicatorDefinition]]
) -> pl.DataFrame:
    """Every (LA, year, definition) in one long frame per kind, then one pass of each formula."""
    groups: dict[str, list[pl.DataFrame]] = {}
    for (year,), frame in counts.partition_by("year", as_dict=True).items():
        for d in definitions[int(str(year))]:
            fam = d.family
            with_ci = d.ci_method is not cyp.CIMethod.NONE
            if fam is cyp.Family.COUNT:
                kind = "count"
            elif fam is cyp.Family.RATE:
                kind = "rate" if with_ci else "ratio"
            elif fam in (cyp.Family.MEAN, cyp.Family.POINTS):
                kind = "mean_sd" if with_ci and d.spread is not None else "mean"
            elif fam is cyp.Family.DIFFERENCE:
                kind = "difference"
            else:
                kind = "wilson" if with_ci else "ratio"
            den = d.denominator.column if d.denominator is not None else None
            sd = d.spread.column if d.spread is not None and kind == "mean_sd" else None
            groups.setdefault(kind, []).append(
                frame.select(
                    "la",
                    "year",
                    pl.lit(d.id).alias("indicator_id"),
                    pl.col(d.numerator.column).cast(pl.Float64).alias("num"),
                    (pl.col(den) if den else pl.lit(None)).cast(pl.Float64).alias("den"),
                    (pl.col(sd) if sd else pl.lit(None)).cast(pl.Float64).alias("sd"),
                    pl.lit(d.multiplier).alias("mult"),
                )
            )
    out: list[pl.DataFrame] = []
    for kind, parts in groups.items():
        long = pl.concat(parts)
        if kind == "rate":
            out.append(
                _floors.rate_floor(long, "num", "den", multiplier=pl.col("mult"), levels=LEVELS)
            )
        elif kind == "wilson":
            out.append(
                _floors.proportion_floor(
                    long, "num", "den", multiplier=pl.col("mult"), levels=LEVELS
                )
            )
        elif kind == "mean_sd":
            out.append(_floors.mean_floor(long, "num", "den", "sd", levels=LEVELS))
        elif kind == "mean":
            out.append(_floors.mean_floor(long, "num", "den", None, levels=LEVELS))
        elif kind == "count":
            out.append(long.with_columns(pl.col("num").alias("value")))
        elif kind == "difference":  # a gap between two groups' figures: the first minus the second
            out.append(long.with_columns((pl.col("num") - pl.col("den")).alias("value")))
        else:
            out.append(
                long.with_columns((pl.col("num") / pl.col("den") * pl.col("mult")).alias("value"))
            )
    return pl.concat(out, how="diagonal_relaxed")


def _catalogue_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    reps = int(spec["reps"])
    catalogue = cyp.load_catalogue()
    years = list(range(int(spec["first_year"]), int(spec["last_year"]) + 1))
    las = sorted(set(cyp.la_codes()["old_la_code"].to_list()))[: spec.get("las") or None]
    definitions = _data.catalogue_definitions(catalogue, years)
    counts = _data.catalogue_counts(definitions, las)
    computed = sum(len(v) for v in definitions.values())
    skipped = sorted(
        {
            d.key
            for y in years
            for d in catalogue.in_force(y).values()
            if d.family in _data.COMPUTABLE_SKIPPED
        }
    )

    # One compute call per definition version, over every year it is in force (as
    # cyp.indicator_results does); the per-(year, definition) loop is timed beside it.
    versions: dict[str, tuple[Any, list[int]]] = {}
    for year in years:
        for d in definitions.get(year, []):
            versions.setdefault(d.key, (d, []))[1].append(year)

    def library() -> list[pl.DataFrame]:
        return [
            cyp.compute(d, counts.filter(pl.col("year").is_in(in_force)))
            for d, in_force in versions.values()
        ]

    def per_year_calls() -> list[pl.DataFrame]:
        out: list[pl.DataFrame] = []
        for (year,), frame in counts.partition_by("year", as_dict=True).items():
            for d in definitions[int(str(year))]:
                out.append(cyp.compute(d, frame))
        return out

    def floor() -> pl.DataFrame:
        return _catalogue_floor(counts, definitions)

    keys = ["la", "year", "indicator_id"]

    def long(results: list[pl.DataFrame]) -> pl.DataFrame:
        wanted = ("value", "lower_95", "upper_95")
        return pl.concat(
            [r.select(*keys, *(c for c in wanted if c in r.columns)) for r in results],
            how="diagonal_relaxed",
        ).sort(keys)

    lib_long = long(library())
    floor_long = floor().select(lib_long.columns).sort(keys)
    per_year_long = long(per_year_calls()).select(lib_long.columns)
    checks = {
        "polars": _agree(lib_long, floor_long, ["value", "lower_95", "upper_95"]),
        "per_year_calls": _agree(lib_long, per_year_long, ["value", "lower_95", "upper_95"]),
    }
    sides = [
        Side("library", library, reps),
        Side("polars", floor, reps),
        Side("per_year_calls", per_year_calls, reps),
    ]
    setup_peak = peak_rss_mb()
    alternate(sides)
    notes = [
        f"{len(las)} LAs x {len(years)} years ({years[0]}-{years[-1]}); {computed} (year, definition) "
        f"pairs of {len(versions)} definition versions: the library makes one compute call per "
        f"version over the years it is in force; per_year_calls makes {computed} calls",
        f"skipped (not computable from counts): {', '.join(skipped) or 'none'}; no duration "
        "definitions exist in the catalogue",
    ]
    return [
        _row(
            "catalogue", len(las) * len(years), "LA-years",
            "cyp.compute for every definition in force each year (rate, proportion, conversion, "
            "count, mean, points), every LA",
            sides[0], sides[1:], checks=checks, notes=notes, setup_peak_rss_mb=round(setup_peak, 1),
        )
    ]  # fmt: skip


def _benchmark_table_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    reps = int(spec["reps"])
    catalogue = cyp.load_catalogue()
    counts = cyp.csc_counts()
    ids = sorted(
        d.id
        for d in catalogue.list()
        if d.numerator.column in counts.columns
        and (
            d.denominator is None
            or d.denominator.column in counts.columns
            or d.denominator.population is not None
        )
    )
    sn = cyp.neighbour_set("2025")

    years = spec.get("years")

    def results() -> pl.DataFrame:
        return cyp.indicator_results(counts, catalogue, ids, years=years)

    table_input = results()

    def table() -> cyp.BenchmarkTable:
        return cyp.benchmark_table(table_input, la="874", sn=sn, definitions=catalogue)

    table()
    sides = [Side("indicator_results", results, reps), Side("benchmark_table", table, reps)]
    setup_peak = peak_rss_mb()
    alternate(sides)
    n_years = len(years) if years else counts["year"].n_unique()
    common: dict[str, Any] = {"setup_peak_rss_mb": round(setup_peak, 1), "checks": {}}
    return [
        _row(
            "indicator_results", table_input.select("area_code", "year").n_unique(), "area-years",
            f"cyp.indicator_results on the bundled DfE counts: {len(ids)} indicators x {n_years} years, "
            "every area", sides[0], notes=[f"indicators: {', '.join(ids)}"], **common,
        ),
        _row(
            "benchmark_table", len(ids), "indicators",
            "cyp.benchmark_table for LA 874 (Peterborough), DfE SN 2025, latest 3 years",
            sides[1], notes=[], **common,
        ),
    ]  # fmt: skip


# --- record-level derivations -------------------------------------------------------------------


@dataclass
class _County:
    """A synthetic large county's records and the periods to derive them for."""

    cin: Any
    ssda903: Any
    year: cyp.Period
    series_last: dt.date
    population: int
    source: str
    folder: Path | None = None  # the generated files, when the county was written and read

    def pick(self, definition: cyp.IndicatorDefinition) -> Any:
        """The return a definition's derivation reads."""
        tables = _tables_read(definition)
        return self.ssda903 if tables <= set(self.ssda903.TABLES) else self.cin

    def holds(self, definition: cyp.IndicatorDefinition) -> bool:
        """Whether the county has rows of every table the derivation cannot do without (the
        SSDA903 OC2, OC3, UASC, missing, social worker and placed for adoption tables: a
        derivation refuses records
        without them)."""
        records = self.pick(definition)
        needed = _tables_read(definition) & _REQUIRED_TABLES
        return all(records.table(t).height > 0 for t in needed)

    def rows(self) -> dict[str, int]:
        out = {f"cin.{t}": self.cin.table(t).height for t in self.cin.TABLES}
        out |= {f"ssda903.{t}": self.ssda903.table(t).height for t in self.ssda903.TABLES}
        return {k: v for k, v in out.items() if v}

    def read(self) -> tuple[Any, Any]:
        """Read the generated files again (the records_read case)."""
        assert self.folder is not None
        return (
            cyp.read_cin_census(self.folder / "cin_census.xml"),
            cyp.read_ssda903(self.folder / "ssda903"),
        )


def _county(spec: dict[str, Any], notes: list[str]) -> _County:
    """The county of ``benchmarks/records_large_county.py`` (its writers, scaled by
    ``spec["scale"]``, then the library's readers), or ``benchmarks/_records.py``'s if that
    module's API is not there."""
    import random

    scale = float(spec["scale"])
    needed = ("write_cin_census", "write_ssda903", "SEED", "YEAR", "POPULATION", "SERIES_LAST")
    try:
        from . import records_large_county as rlc

        missing = [n for n in needed if not hasattr(rlc, n)]
    except Exception as exc:  # a module being written may not import yet
        missing = [f"import failed: {exc!r}"]
    if not missing:
        for name in ("REFERRALS", "EPISODES"):  # its sizes are module constants
            if hasattr(rlc, name):
                setattr(rlc, name, max(int(getattr(rlc, name) * scale), 50))
        folder = Path(tempfile.mkdtemp(prefix="cyp-bench-records-", dir=spec.get("tmp", "/tmp")))
        rng = random.Random(rlc.SEED)
        rlc.write_cin_census(folder / "cin_census.xml", rng)
        rlc.write_ssda903(folder / "ssda903", rng)
        county = _County(None, None, rlc.YEAR, rlc.SERIES_LAST, int(rlc.POPULATION),
                         f"benchmarks/records_large_county.py (scaled x{scale:g})", folder)  # fmt: skip
        county.cin, county.ssda903 = county.read()
        return county
    from . import _records

    notes.append(f"benchmarks/records_large_county.py not usable ({'; '.join(missing)}): "
                 "benchmarks/_records.py generated the county")  # fmt: skip
    last_year = int(spec["last_year"])
    generated = _records.large_county(scale, last_year=last_year)
    return _County(generated.cin, generated.ssda903, cyp.Period.financial_year(last_year),
                   dt.date(last_year, 3, 31), 300_000, f"benchmarks/_records.py (x{scale:g})")  # fmt: skip


#: Tables a derivation refuses to run without, naming them (see cyp_indicators.records).
_REQUIRED_TABLES = {
    "oc2",
    "oc3",
    "uasc",
    "missing",
    "sw_episodes",
    "placed_for_adoption",
    "reviews",
}
#: Annual tables: their derivations take periods ending 31 March only.
_ANNUAL_TABLES = {"oc2", "oc3"}


def _tables_read(definition: cyp.IndicatorDefinition) -> set[str]:
    from cyp_indicators.records import DERIVATIONS

    assert definition.derivation is not None
    return set(DERIVATIONS[definition.derivation.name].tables)


def _derivation_definitions(
    county: _County, *, monthly: bool = False
) -> list[cyp.IndicatorDefinition]:
    """The definitions with a derivation the county's records can feed (for a monthly series,
    not those of the annual OC2 and OC3 tables)."""
    return [
        d
        for d in cyp.load_catalogue().list()
        if d.derivation is not None
        and county.holds(d)
        and not (monthly and _tables_read(d) & _ANNUAL_TABLES)
    ]


def _records_year_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    reps = int(spec["reps"])
    notes: list[str] = []
    county = _county(spec, notes)
    try:
        definitions = _derivation_definitions(county)
        year = county.year

        def library() -> list[cyp.Derivation]:
            return [
                cyp.derive(d, county.pick(d), period=year, population=county.population)
                for d in definitions
            ]

        library()
        sides = [Side("library", library, reps)]
        if county.folder is not None:
            sides.append(Side("read", county.read, reps))
        setup_peak = peak_rss_mb()
        alternate(sides)
    finally:
        if county.folder is not None:
            shutil.rmtree(county.folder, ignore_errors=True)
    rows = county.rows()
    described = ", ".join(f"{k}={v}" for k, v in rows.items())
    out = [
        _row(
            "records_year", sum(rows.values()), "records",
            f"cyp.derive for each of {len(definitions)} record-level definitions over one "
            f"financial year ({year.label}) of a synthetic large county",
            sides[0], checks={}, setup_peak_rss_mb=round(setup_peak, 1),
            notes=[*notes, f"records from {county.source}: {described}"],
        )
    ]  # fmt: skip
    if len(sides) > 1:
        out.append(
            _row(
                "records_read", sum(rows.values()), "records",
                "cyp.read_cin_census (XML) + cyp.read_ssda903 (CSVs) of the same county",
                sides[1], checks={}, setup_peak_rss_mb=round(setup_peak, 1), notes=[],
            )
        )  # fmt: skip
    return out


def _records_series_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    reps = int(spec["reps"])
    months = int(spec["months"])
    notes: list[str] = []
    county = _county(spec, notes)
    if county.folder is not None:
        shutil.rmtree(county.folder, ignore_errors=True)
    definitions = _derivation_definitions(county, monthly=True)
    last = county.series_last
    index = last.year * 12 + last.month - 1 - (months - 1)
    first = dt.date(index // 12, index % 12 + 1, 28)

    def kind(d: cyp.IndicatorDefinition) -> str:
        # month-end snapshots for "at 31 March" counts, year to date for flows (as councils report)
        return "snapshot" if d.period_type.value.startswith("snapshot") else "year_to_date"

    series = {d.id: cyp.Period.monthly(first, last, kind=kind(d)) for d in definitions}
    pop = county.population

    def library() -> list[pl.DataFrame]:
        return [
            cyp.derive(d, county.pick(d), period=series[d.id], population=pop).values
            for d in definitions
        ]

    def single_calls() -> list[pl.DataFrame]:
        return [
            pl.concat(
                [
                    cyp.derive(d, county.pick(d), period=p, population=pop).values
                    for p in series[d.id]
                ]
            )
            for d in definitions
        ]

    cols = ["numerator", "denominator", "value"]
    lib_all = pl.concat([v.select(cols) for v in library()])
    one_all = pl.concat([v.select(cols) for v in single_calls()])
    checks = {"single_calls": _agree(lib_all, one_all, cols)}
    sides = [Side("library", library, reps), Side("single_calls", single_calls, reps)]
    setup_peak = peak_rss_mb()
    alternate(sides)
    rows = county.rows()
    described = ", ".join(f"{k}={v}" for k, v in rows.items())
    return [
        _row(
            "records_series", months, "months",
            f"cyp.derive over a {months}-month PeriodSeries (month-end snapshots or year to date) "
            f"in one call per definition ({len(definitions)} definitions); baseline: {months} "
            "single-period calls each",
            sides[0], sides[1:], checks=checks, setup_peak_rss_mb=round(setup_peak, 1),
            notes=[*notes, f"records from {county.source}: {described}"],
        )
    ]  # fmt: skip


# --- a region's child-level returns (issue 16, target 3) ---------------------------------------


def _region_setup(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Write the partnership's returns (CIN census XML, SSDA903 CSVs) under ``spec["folder"]``."""
    from . import _region

    members = _region.councils(int(spec["councils"]), scale=float(spec["scale"]))
    written = _region.write_partnership(Path(spec["folder"]), members, spec["years"])
    return [{"partnership": written.to_json(), "peak_rss_mb": round(peak_rss_mb(), 1)}]


def _partnership(spec: dict[str, Any]) -> Any:
    from . import _region

    return _region.Partnership.from_json(spec["partnership"])


def _read_partnership(partnership: Any) -> tuple[Any, Any]:
    """Every council's SSDA903 (CSV) and CIN census (XML) read with the library, pooled."""
    import warnings

    from cyp_indicators.records import SSDA903, CINCensus, RecordFileWarning

    # small councils' years may have no adoption (an AD1 file with a header row only): the
    # readers keep the note in ``warnings``
    warnings.simplefilter("ignore", RecordFileWarning)
    ssda903 = SSDA903.pool(
        {c.la: cyp.read_ssda903(partnership.ssda903_folder(c.la)) for c in partnership.councils}
    )
    cin = CINCensus.pool(
        {c.la: cyp.read_cin_census(partnership.cin_folder(c.la)) for c in partnership.councils}
    )
    return ssda903, cin


def _pooled_cache(partnership: Any) -> Path:
    return Path(partnership.folder) / "pooled"


def _save_pooled(partnership: Any, ssda903: Any, cin: Any) -> None:
    """The pooled records as Parquet (untimed), so that the derivation case need not read the
    XML again."""
    for kind, records in (("ssda903", ssda903), ("cin", cin)):
        folder = _pooled_cache(partnership) / kind
        folder.mkdir(parents=True, exist_ok=True)
        frames = [*records.TABLES, "exclusions", *(["header"] if kind == "cin" else [])]
        for name in frames:
            getattr(records, name).write_parquet(folder / f"{name}.parquet")
        meta = {"files": list(records.files), "rows_read": dict(records.rows_read),
                "warnings": list(records.warnings)}  # fmt: skip
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _load_pooled(partnership: Any) -> tuple[Any, Any]:
    """The pooled records from :func:`_save_pooled`, or read from the files if not saved."""
    from cyp_indicators.records import SSDA903, CINCensus

    cache = _pooled_cache(partnership)
    if not (cache / "cin" / "meta.json").exists():
        ssda903, cin = _read_partnership(partnership)
        _save_pooled(partnership, ssda903, cin)
        return ssda903, cin
    loaded: list[Any] = []
    for kind, cls in (("ssda903", SSDA903), ("cin", CINCensus)):
        folder = cache / kind
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        frames = [*cls.TABLES, "exclusions", *(["header"] if kind == "cin" else [])]
        tables = {name: pl.read_parquet(folder / f"{name}.parquet") for name in frames}
        loaded.append(cls(**tables, **meta))
    return loaded[0], loaded[1]


def _region_read_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    import warnings
    import xml.etree.ElementTree as ET

    from cyp_indicators.records import SSDA903, CINCensus, RecordFileWarning

    warnings.simplefilter("ignore", RecordFileWarning)  # kept in each record set's warnings
    partnership = _partnership(spec)
    reps = int(spec["read_reps"])
    councils = partnership.councils

    def xml_library() -> Any:
        return CINCensus.pool({c.la: cyp.read_cin_census(partnership.cin_folder(c.la))
                               for c in councils})  # fmt: skip

    def xml_floor() -> int:
        # the floor for reading XML in Python: a bare iterparse that only counts elements
        n = 0
        for path in partnership.xml_files:
            for _ in ET.iterparse(path):
                n += 1
        return n

    def csv_library() -> Any:
        return SSDA903.pool({c.la: cyp.read_ssda903(partnership.ssda903_folder(c.la))
                             for c in councils})  # fmt: skip

    def csv_floor() -> list[pl.DataFrame]:
        return [pl.read_csv(path, infer_schema_length=0) for path in partnership.csv_files]

    cin, ssda903, elements = xml_library(), csv_library(), xml_floor()
    checks = {}
    for name, records in (("cin", cin), ("ssda903", ssda903)):
        accounting = records.accounting()
        problems = [
            f"{name}.{r['table']}: read {r['read']} != kept {r['kept']} + excluded {r['excluded']}"
            for r in accounting.iter_rows(named=True)
            if r["read"] != r["kept"] + r["excluded"]
        ]
        checks[f"{name}_rows_read"] = {"agree": not problems, "problems": problems}
    _save_pooled(partnership, ssda903, cin)
    xml_sides = [Side("library", xml_library, reps), Side("iterparse", xml_floor, reps)]
    csv_sides = [Side("library", csv_library, reps), Side("polars_read_csv", csv_floor, reps)]
    setup_peak = peak_rss_mb()
    alternate(xml_sides)
    alternate(csv_sides)
    cin_rows = sum(cin.rows_read.values())
    csv_rows = sum(ssda903.rows_read.values())
    n = len(councils)
    years = f"{len(partnership.years)} years ({partnership.years[0]}-{partnership.years[-1]})"
    return [
        _row(
            "region_read_xml", cin_rows, "records",
            f"cyp.read_cin_census of each council's folder of CIN census XML ({n} councils x "
            f"{years}), pooled with CINCensus.pool",
            xml_sides[0], xml_sides[1:], checks={"cin_rows_read": checks["cin_rows_read"]},
            setup_peak_rss_mb=round(setup_peak, 1),
            notes=[
                f"CIN census XML: {len(partnership.xml_files)} files, "
                f"{partnership.xml_bytes / 1e6:.0f} MB, {elements:,} elements; records read "
                + ", ".join(f"{t}={v:,}" for t, v in cin.rows_read.items() if v),
                "baseline iterparse: xml.etree.ElementTree.iterparse over the same files, "
                "counting elements only (the floor for reading XML in Python)",
            ],
        ),
        _row(
            "region_read_csv", csv_rows, "records",
            f"cyp.read_ssda903 of each council's folder of SSDA903 CSVs ({n} councils x {years}), "
            "pooled with SSDA903.pool",
            csv_sides[0], csv_sides[1:], checks={"ssda903_rows_read": checks["ssda903_rows_read"]},
            setup_peak_rss_mb=round(setup_peak, 1),
            notes=[
                f"SSDA903 CSVs: {len(partnership.csv_files)} files, "
                f"{partnership.csv_bytes / 1e6:.1f} MB; rows read "
                + ", ".join(f"{t}={v:,}" for t, v in ssda903.rows_read.items() if v),
                "baseline polars_read_csv: pl.read_csv of every file, all columns as text, no "
                "checks (shown for comparison, no target)",
            ],
        ),
    ]  # fmt: skip


def _region_series(definition: cyp.IndicatorDefinition, years: Sequence[int]) -> cyp.PeriodSeries:
    """The collection years as the definition's periods (31 March, or the financial year)."""
    return cyp.PeriodSeries(
        [cyp.Period.for_collection_year(y, definition.period_type) for y in years]
    )


def _region_pick(definition: cyp.IndicatorDefinition, ssda903: Any, cin: Any) -> Any:
    return ssda903 if _tables_read(definition) <= set(ssda903.TABLES) else cin


def _region_definitions(ssda903: Any, cin: Any) -> list[cyp.IndicatorDefinition]:
    """The definitions with a derivation the partnership's returns can feed (the synthetic
    returns hold no OC2, OC3, UASC, missing, social worker or placed for adoption table: the
    derivations that read one refuse records without it)."""
    out = []
    for d in cyp.load_catalogue().list():
        if d.derivation is None:
            continue
        records = _region_pick(d, ssda903, cin)
        needed = _tables_read(d) & _REQUIRED_TABLES
        if all(records.table(t).height > 0 for t in needed):
            out.append(d)
    return out


def _region_accounting(results: Sequence[Any], ssda903: Any, cin: Any) -> dict[str, Any]:
    """Every record counted or excluded with a reason, in every derivation: per council and
    table, counted + not counted + excluded on reading = rows in; per table, rows in = the
    rows read; every record not counted is listed with a reason."""
    problems: list[str] = []
    totals = {"rows_in": 0, "counted": 0, "not_counted": 0, "excluded_on_reading": 0}
    for result in results:
        ident = result.definition.id
        acc = result.accounting
        records = _region_pick(result.definition, ssda903, cin)
        bad = acc.filter(
            pl.col("counted") + pl.col("not_counted") + pl.col("excluded_on_reading")
            != pl.col("rows_in")
        )
        problems += [f"{ident}: {r}" for r in bad.head(3).iter_rows(named=True)]
        for table, rows_in in acc.group_by("table").agg(pl.col("rows_in").sum()).iter_rows():
            if rows_in != records.rows_read[table]:
                problems.append(
                    f"{ident}.{table}: rows in {rows_in} != read {records.rows_read[table]}"
                )
        listed = result.exclusions.height
        expected = int(acc["not_counted"].sum() + acc["excluded_on_reading"].sum())
        if listed != expected:
            problems.append(f"{ident}: {listed} exclusions listed, {expected} not counted")
        if result.exclusions["reason"].null_count():
            problems.append(f"{ident}: exclusions without a reason")
        for key in totals:
            totals[key] += int(acc[key].sum())
    return {"agree": not problems, "problems": problems, "unbalanced": len(problems), **totals}


def _region_counts(values: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    return values.select(
        pl.col("la").cast(pl.String),
        (pl.col("period_end").dt.year() + (pl.col("period_end").dt.month() > 3).cast(pl.Int32))
        .cast(pl.Int32)
        .alias("year"),
        *(pl.col(c).cast(pl.Float64) for c in columns),
    ).sort("la", "year")


def _region_derive_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    from . import _region_floors

    partnership = _partnership(spec)
    reps = int(spec["reps"])
    ssda903, cin = _load_pooled(partnership)
    population = partnership.population()
    years = list(partnership.years)
    definitions = _region_definitions(ssda903, cin)
    series = {d.key: _region_series(d, years) for d in definitions}

    def derive(d: cyp.IndicatorDefinition) -> Any:
        return cyp.derive(
            d, _region_pick(d, ssda903, cin), period=series[d.key], population=population
        )

    def library() -> list[Any]:
        return [derive(d) for d in definitions]

    def read(result: Any) -> Any:
        """``result`` with its accounting and exclusions worked out (they are on first read)."""
        result.accounting  # noqa: B018
        return result

    def with_accounting() -> list[Any]:
        return [read(derive(d)) for d in definitions]

    first = time.perf_counter()
    results = library()
    cold = time.perf_counter() - first
    accounting = _region_accounting(results, ssda903, cin)
    catalogue = cyp.load_catalogue()
    pairs: list[tuple[str, str, list[Side], dict[str, Any]]] = []
    for ident, (short, kind, table, floor) in _region_floors.FLOORS.items():
        d = catalogue.get(ident)
        frame = getattr(ssda903 if kind == "ssda903" else cin, table)

        def lib(d: cyp.IndicatorDefinition = d) -> Any:
            return derive(d)

        def base(floor: Any = floor, frame: pl.DataFrame = frame) -> pl.DataFrame:
            return floor(frame, years)

        def lib_read(d: cyp.IndicatorDefinition = d) -> Any:
            return read(derive(d))

        ours = lib().values
        theirs = base()
        columns = [c for c in ("numerator", "denominator") if c in theirs.columns]
        grid = _region_counts(ours, columns).select("la", "year")
        expected = grid.join(
            theirs.with_columns(pl.col("la").cast(pl.String), pl.col("year").cast(pl.Int32)),
            on=["la", "year"], how="left",
        ).with_columns(pl.col(columns).fill_null(0).cast(pl.Float64)).sort("la", "year")  # fmt: skip
        check = _agree(_region_counts(ours, columns), expected, columns, rtol=0.0)
        pairs.append((short, ident, [Side("library", lib, reps), Side("polars", base, reps),
                                     Side("with_accounting", lib_read, reps)],
                      {"polars": check}))  # fmt: skip
    sides = [Side("library", library, reps), Side("with_accounting", with_accounting, reps)]
    setup_peak = peak_rss_mb()
    alternate(sides)
    for _, _, pair, _ in pairs:
        alternate(pair)
    n = len(partnership.councils)
    rows_in = accounting["rows_in"]
    out = [
        _row(
            "region_derive", rows_in, "records",
            f"cyp.derive of each of {len(definitions)} record-level definitions, one call per "
            f"definition over the pooled returns of {n} councils and {len(years)} collection "
            f"years ({years[0]}-{years[-1]}: 31 March snapshots or financial years)",
            sides[0], sides[1:],
            checks={"accounting": {k: accounting[k] for k in ("agree", "problems")}},
            setup_peak_rss_mb=round(setup_peak, 1),
            accounting=accounting,
            notes=[
                f"records considered, summed over the {len(definitions)} derivations: "
                f"{rows_in:,} = counted {accounting['counted']:,} + not counted (with a reason) "
                f"{accounting['not_counted']:,} + excluded on reading (with a reason) "
                f"{accounting['excluded_on_reading']:,}; unbalanced: {accounting['unbalanced']}",
                f"first call of all {len(definitions)} (codes screened and pooled child keys made "
                f"once per table, then reused): {cold:.2f} s",
                "with_accounting: the same calls with each result's accounting and exclusions "
                "read (a Derivation works them out when first read; no target)",
            ],
        )
    ]  # fmt: skip
    for short, ident, pair, checks in pairs:
        out.append(
            _row(
                f"region_{short}", rows_in, "records",
                f"cyp.derive({ident}) over the partnership (one call), against a hand-written "
                "polars floor of the same counts (benchmarks/_region_floors.py)",
                pair[0], pair[1:], checks=checks, setup_peak_rss_mb=round(setup_peak, 1),
                notes=["with_accounting: the call with its accounting and exclusions read, "
                       "which the floor does not produce (no target)"],
            )
        )  # fmt: skip
    return out


def _region_memory(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Read every council's files, pool them and derive every definition, alone in a fresh
    process: its peak RSS is the target's."""
    partnership = _partnership(spec)
    reset_peak()
    start = time.perf_counter()
    ssda903, cin = _read_partnership(partnership)
    population = partnership.population()
    for d in _region_definitions(ssda903, cin):
        period = _region_series(d, list(partnership.years))
        cyp.derive(d, _region_pick(d, ssda903, cin), period=period, population=population)
    return [{"seconds": time.perf_counter() - start, "peak_rss_mb": round(peak_rss_mb(), 1)}]


# --- start-up -------------------------------------------------------------------------------------

_PROBE = """
import json, resource, time
t0 = time.perf_counter()
{body}
print(json.dumps({{"times": times, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
_LIBRARY_BODY = """
import cyp_indicators
t1 = time.perf_counter()
cyp_indicators.load_catalogue()
t2 = time.perf_counter()
times = {"import": t1 - t0, "load": t2 - t1}
"""
_FIRST_RATE_BODY = """
import sys
import polars as pl
import cyp_indicators as cyp
definition = cyp.load_catalogue().get("cla_rate_per_10k")
frame = pl.DataFrame({{"cla_at_31_march": [416, 7], "population_0_17": [57621, 9000]}})
t1 = time.perf_counter()
cyp.compute(definition, frame)
t2 = time.perf_counter()
cyp.compute(definition, frame)
t3 = time.perf_counter()
times = {{"first": t2 - t1, "second": t3 - t2, "scipy_stats": float("scipy.stats" in sys.modules),
         "scipy": float("scipy" in sys.modules)}}
"""
_POLARS_BODY = """
import polars
times = {"import": time.perf_counter() - t0}
"""
_TOML_BODY = """
import pathlib, tomllib
for path in sorted(pathlib.Path({folder!r}).rglob("*.toml")):
    tomllib.loads(path.read_text(encoding="utf-8"))
times = {{"load": time.perf_counter() - t0}}
"""


def _fresh(body: str) -> dict[str, Any]:
    """Run ``body`` in a fresh interpreter; its report, with the process's wall time as ``wall_s``
    (interpreter start-up to exit, as a user running a script waits for it)."""
    code = _PROBE.format(body=body)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    wall = time.perf_counter() - start
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def _startup_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    from cyp_indicators.resources import bundled_definitions

    reps = int(spec["reps"])
    folder = str(bundled_definitions())
    toml_body = _TOML_BODY.format(folder=folder)
    probes: dict[str, list[dict[str, Any]]] = {
        "library": [], "polars": [], "tomllib": [], "first_rate": []
    }  # fmt: skip
    bodies = {
        "library": _LIBRARY_BODY, "polars": _POLARS_BODY, "tomllib": toml_body,
        "first_rate": _FIRST_RATE_BODY.format(),
    }  # fmt: skip
    for i in range(reps):
        order = list(bodies) if i % 2 == 0 else list(reversed(bodies))
        for name in order:
            probes[name].append(_fresh(bodies[name]))

    def side(name: str, key: str, source: str) -> Side:
        s = Side(name, lambda: None, reps)
        s.times = [p["wall_s"] if key == "wall" else p["times"][key] for p in probes[source]]
        s.peaks = [p["peak_rss_mb"] for p in probes[source]]
        return s

    def imported(module: str) -> bool:
        return any(p["times"][module] for p in probes["first_rate"])

    lib_import = side("library", "import", "library")
    lib_load = side("library", "load", "library")
    total = [p["times"]["import"] + p["times"]["load"] for p in probes["library"]]
    common: dict[str, Any] = {"checks": {}, "setup_peak_rss_mb": None}
    return [
        _row(
            "import", 1, "process", "import cyp_indicators in a fresh interpreter (in-process time)",
            lib_import, [side("polars", "import", "polars")],
            notes=["baseline: import polars alone in a fresh interpreter"],
            import_plus_load_s=statistics.median(total), **common,
        ),
        _row(
            "catalogue_load", 1, "process",
            "cyp.load_catalogue() right after the import, in a fresh interpreter "
            "(reads, schema-validates and builds every definition and year pack)",
            lib_load, [side("tomllib", "load", "tomllib")],
            notes=["baseline: tomllib.loads of the same TOML files, no validation"],
            import_plus_load_s=statistics.median(total), **common,
        ),
        _row(
            "first_rate", 1, "process",
            "the first cyp.compute of a rate with 95 % and 99.8 % intervals in a fresh interpreter "
            "(after import and load_catalogue; pays any lazy import the intervals need)",
            side("library", "first", "first_rate"), [side("second_call", "second", "first_rate")],
            notes=[
                "baseline: the same compute called again in that process",
                f"after the first rate: scipy.stats imported: {imported('scipy_stats')}; "
                f"scipy at all: {imported('scipy')}",
            ],
            **common,
        ),
        _row(
            "first_call", 1, "process",
            "a whole fresh process (interpreter start to exit) that imports the library, loads the "
            "catalogue and computes one rate with 95 % and 99.8 % intervals twice",
            side("library", "wall", "first_rate"), [side("polars", "wall", "polars")],
            notes=["baseline: a whole fresh process that only imports polars"],
            **common,
        ),
    ]  # fmt: skip


# --- streaming --------------------------------------------------------------------------------------


def _streaming_setup(spec: dict[str, Any]) -> list[dict[str, Any]]:
    start = time.perf_counter()
    paths = _data.write_pupil_parquet(
        Path(spec["folder"]),
        int(spec["size"]),
        files=int(spec["files"]),
        row_group_size=int(spec["row_group_size"]),
    )
    return [
        {
            "seconds": time.perf_counter() - start,
            "files": len(paths),
            "bytes": sum(p.stat().st_size for p in paths),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    ]


def _streaming_queries(
    spec: dict[str, Any],
) -> tuple[Callable[[], pl.DataFrame], Callable[[], pl.DataFrame]]:
    definition, cells = _progress_inputs()
    source = str(Path(spec["folder"]) / "*.parquet")

    def library() -> pl.DataFrame:
        lazy = cyp.classify_progress(
            pl.scan_parquet(source), definition, prior="ks2", outcome="gcse"
        )
        return cyp.progress_rates(lazy, by=["fsm"]).collect(engine="streaming")

    def floor() -> pl.DataFrame:
        query = _floors.progress_floor_lazy(
            pl.scan_parquet(source), cells, prior="ks2", outcome="gcse", by=["fsm"]
        )
        return query.collect(engine="streaming")

    return library, floor


def _streaming_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    reps = int(spec["reps"])
    size = int(spec["size"])
    library, floor = _streaming_queries(spec)
    counted = ["pupils", "made", "not_made", "not_included", "value", "lower_95"]
    checks = {"polars": _agree(library().sort("fsm"), floor().sort("fsm"), counted)}
    sides = [Side("library", library, reps), Side("polars", floor, reps)]
    setup_peak = peak_rss_mb()
    alternate(sides)
    median = statistics.median(sides[0].times)
    return [
        _row(
            "streaming", size, "pupils",
            "pl.scan_parquet -> cyp.classify_progress (lazy) -> cyp.progress_rates by fsm -> "
            "collect(engine='streaming')",
            sides[0], sides[1:], checks=checks, notes=[], setup_peak_rss_mb=round(setup_peak, 1),
            throughput={"pupils_per_s": size / median if median else None},
        )
    ]  # fmt: skip


def _streaming_memory(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The library's pipeline once, alone in a fresh process: its peak RSS is the target's."""
    library, _ = _streaming_queries(spec)
    reset_peak()
    start = time.perf_counter()
    library()
    return [{"seconds": time.perf_counter() - start, "peak_rss_mb": round(peak_rss_mb(), 1)}]


# --- entry ------------------------------------------------------------------------------------------

CASES: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "rate_ci": lambda spec: _interval_case(spec, "rate_ci"),
    "proportion_ci": lambda spec: _interval_case(spec, "proportion_ci"),
    "progress": _progress_case,
    "catalogue": _catalogue_case,
    "benchmark_table": _benchmark_table_case,
    "records_year": _records_year_case,
    "records_series": _records_series_case,
    "startup": _startup_case,
    "streaming_setup": _streaming_setup,
    "streaming": _streaming_case,
    "streaming_memory": _streaming_memory,
    "report_all": __import__("benchmarks.report_all", fromlist=["_"]).report_all_case,
    "region_setup": _region_setup,
    "region_read": _region_read_case,
    "region_derive": _region_derive_case,
    "region_memory": _region_memory,
}


def run_case(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one case (in a fresh process); never raises: errors come back as text."""
    try:
        rows = CASES[spec["kind"]](spec)
    except Exception:
        return {"rows": [], "error": traceback.format_exc(), "case_peak_rss_mb": peak_rss_mb()}
    case_peak = max(
        [peak_rss_mb()]
        + [r.get("setup_peak_rss_mb") or 0.0 for r in rows]
        + [(r.get("library") or {}).get("peak_rss_mb") or 0.0 for r in rows]
        + [b.get("peak_rss_mb") or 0.0 for r in rows for b in (r.get("baselines") or {}).values()]
    )
    return {"rows": rows, "error": None, "case_peak_rss_mb": round(case_peak, 1)}
