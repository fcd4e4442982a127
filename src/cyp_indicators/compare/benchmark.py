"""The benchmark table: an LA against England, its statistical neighbours and local comparators.

Two shapes of one result: ``tidy`` (one row per indicator, year and comparator row) for code and
charts, and ``wide`` (the committee layout of the seed scrutiny pack: rows LA / England /
Statistical neighbours / Local comparators, a column per year and a 3-year average, then the gap to
England, its direction, the SN rank "x/11" and the quartile band).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import attrs
import polars as pl

from ..catalogue import Catalogue
from ..compute import compute
from ..errors import DataError, UnknownAreaError, UnknownDefinitionError
from ..geography import ENGLAND, canonical_expr, canonical_la, la_name
from ..model import IndicatorDefinition
from ..population import attach_population
from ..presentation import format_fixed, present
from ..stats.rounding import round_half_away_expr
from .aggregate import AggregationMethod, aggregate_neighbours
from .gaps import gap_direction, gap_unit_label
from .groups import ComparatorSet, comparator_set
from .ranks import quartile_bands, rank_among_las

__all__ = ["BenchmarkTable", "benchmark_table", "indicator_results"]


@attrs.frozen
class BenchmarkTable:
    """The two shapes of one benchmark table (:func:`benchmark_table` builds it).

    Parameters
    ----------
    tidy
        One row per (indicator, year, row): ``row`` (the LA's name, "England", "Statistical
        neighbours (mean)", "Local comparators (mean)", extra groups), ``row_kind``, ``value``,
        ``presented``, the ranks, band and neighbours' counts, ``gap_to_england``.
    wide
        The committee layout: ``indicator``, ``row``, a column per year (presented values as
        text), the average (``3yr av.``), then on the LA's row ``gap_to_england``,
        ``gap_unit``, ``gap_direction``, ``sn_rank`` ("8/11") and ``band``.

    Examples
    --------
    >>> import polars as pl
    >>> t = BenchmarkTable(tidy=pl.DataFrame({"row": ["LA"]}), wide=pl.DataFrame({"row": ["LA"]}))
    >>> t.wide.columns
    ['row']
    """

    tidy: pl.DataFrame
    wide: pl.DataFrame


def indicator_results(
    counts: pl.DataFrame,
    catalogue: Catalogue,
    indicators: Sequence[str],
    *,
    years: Sequence[int] | None = None,
) -> pl.DataFrame:
    """Compute indicators for every area of a DfE-layout counts frame (see ``csc_counts()``).

    Each year uses the definition version in force that year; the bundled ONS population is
    attached as the denominator. A year with no figure at all for an indicator is left out, as
    DfE leaves it out.

    Parameters
    ----------
    counts
        One row per area and year in DfE's layout: ``year``, ``geographic_level``,
        ``region_code``, ``region_name``, ``old_la_code``, ``la_name`` and the count columns
        the definitions name.
    catalogue
        Where each indicator's version in force is looked up.
    indicators
        Indicator ids.
    years
        Only these collection years (default: every year in ``counts``).

    Returns
    -------
    polars.DataFrame
        One row per (area, year, indicator): ``area_code`` (old LA number, region code or
        ``E92000001``), ``area_name``, ``geographic_level``, ``year``, ``population_vintage``,
        the result columns (intervals at 95 % and 99.8 %) and ``indicator_id``/
        ``indicator_version``.

    Raises
    ------
    DataError
        The counts lack an indicator's numerator column, or a computation refuses them.
    MissingColumnError
        A column the population or the computation needs is missing.

    Examples
    --------
    >>> import polars as pl, cyp_indicators as cyp
    >>> cat = cyp.load_catalogue()
    >>> res = indicator_results(cyp.csc_counts(), cat, ["cla_rate_per_10k"], years=[2024, 2025])
    >>> res.filter(area_code="874").sort("year").select(
    ...     "year", pl.col("value").round(1, mode="half_away_from_zero"), "indicator_version").rows()
    [(2024, 74.8, '1.0.0'), (2025, 72.2, '1.0.0')]
    """
    frame = counts.with_columns(
        pl.when(pl.col("geographic_level") == "National")
        .then(pl.lit(ENGLAND))
        .when(pl.col("geographic_level") == "Regional")
        .then(pl.col("region_code"))
        .otherwise(pl.col("old_la_code"))
        .alias("area_code"),
        pl.when(pl.col("geographic_level") == "National")
        .then(pl.lit("England"))
        .when(pl.col("geographic_level") == "Regional")
        .then(pl.col("region_name"))
        .otherwise(pl.col("la_name"))
        .alias("area_name"),
    )
    if years is not None:
        frame = frame.filter(pl.col("year").is_in(list(years)))
    frame = attach_population(frame, area="area_code", year="year")
    keep = ["area_code", "area_name", "geographic_level", "year", "population_vintage"]
    pieces = []
    all_years = sorted(frame["year"].unique().to_list())
    for ident in indicators:
        # one computation per definition version, over every year it is in force
        versions: dict[str, tuple[IndicatorDefinition, list[int]]] = {}
        for year in all_years:
            try:
                definition = catalogue.get(ident, year=year)
            except UnknownDefinitionError:
                continue
            versions.setdefault(definition.key, (definition, []))[1].append(year)
        for definition, in_force in versions.values():
            column = definition.numerator.column
            if column not in frame.columns:
                msg = f"the counts have no column {column!r} for {definition.key}"
                raise DataError(msg)
            # a year with no figure at all for this indicator is left out, as DfE leaves it out
            some = frame.filter(
                pl.col("year").is_in(in_force) & pl.col(column).is_not_null().any().over("year")
            ).sort("year", maintain_order=True)
            if some.is_empty():
                continue
            result = compute(definition, some)
            pieces.append(
                result.select(*keep, "numerator", "denominator", "value", "lower_95", "upper_95",
                              "lower_99_8", "upper_99_8", "method", "reason", "indicator_id", "indicator_version")
            )  # fmt: skip
    return pl.concat(pieces, how="vertical_relaxed")


def _local_set(local: ComparatorSet | Sequence[str] | None, la: str) -> ComparatorSet | None:
    if local is None or isinstance(local, ComparatorSet):
        return local
    return comparator_set("local_comparators", [(la, list(local))], kind="local_comparators")


def benchmark_table(
    results: pl.DataFrame,
    *,
    la: str,
    sn: ComparatorSet,
    definitions: Mapping[str, IndicatorDefinition] | Catalogue,
    years: int | Sequence[int] = 3,
    sn_method: AggregationMethod = "mean",
    local_comparators: ComparatorSet | Sequence[str] | None = None,
    average_of: Literal["presented", "unrounded"] = "presented",
    extra_rows: pl.DataFrame | None = None,
) -> BenchmarkTable:
    """Benchmark one LA on several indicators over several years.

    The 3-year average and the neighbours' aggregate, rank and band use the ``presented``
    values by default (rounded, small counts withheld: what DfE's dashboard and LAIT average and
    rank, and what a committee table shows); ``"unrounded"`` uses full precision. Gaps to England
    are presented value minus presented England value, in percentage points for percentages.

    Parameters
    ----------
    results
        One row per (area, year, indicator): ``area_code`` (LA number or ONS code, region code,
        ``E92000001`` for England), ``year``, ``indicator_id``, ``value`` (as from
        :func:`indicator_results`).
    la
        The LA benchmarked (old number or ONS code).
    sn
        The statistical-neighbour set.
    definitions
        Each indicator's presentation and polarity: id -> definition, or a catalogue (which
        resolves the version in force each year).
    years
        A count of latest years, or a list of years.
    sn_method
        How the neighbours are aggregated (:func:`~cyp_indicators.aggregate_neighbours`).
    local_comparators
        A second comparator group: a set, or the LAs' codes.
    average_of
        ``"presented"`` or ``"unrounded"`` values (see above).
    extra_rows
        Rows such as pupil groups (columns ``indicator_id``, ``year``, ``row``, ``value``) added
        below the others.

    Returns
    -------
    BenchmarkTable
        ``tidy`` and ``wide``.

    Raises
    ------
    UnknownAreaError
        The LA is in neither the SN set nor the results (naming the LA and the set's version).
    DataError
        No results in the years chosen, or ``extra_rows`` without its columns.
    UnknownDefinitionError
        With a catalogue: an indicator not in force in a year of the results.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> cat = cyp.load_catalogue()
    >>> res = indicator_results(cyp.csc_counts(), cat, ["cla_rate_per_10k"], years=[2023, 2024, 2025])
    >>> table = benchmark_table(res, la="874", sn=cyp.neighbour_set("2025"), definitions=cat)
    >>> table.wide.select("row", "2023", "2024", "2025", "3yr av.").rows()[:2]
    [('Peterborough', '74', '75', '72', '74'), ('England', '70', '69', '67', '69')]
    >>> table.wide.select("gap_to_england", "sn_rank").row(0)
    (5.0, '8/11')
    """
    code = canonical_la(la)
    in_results = code is not None and results.filter(_is_la(code)).height > 0
    if code is None or (code not in sn.las and not in_results):
        msg = f"LA {la!r} is in neither comparator set {sn.key} nor the results"
        raise UnknownAreaError(msg)
    all_years = sorted(results["year"].unique().to_list())
    chosen = all_years[-years:] if isinstance(years, int) else sorted(years)
    local = _local_set(local_comparators, code)
    tidy_parts: list[pl.DataFrame] = []
    for ident in results["indicator_id"].unique(maintain_order=True).to_list():
        rows = results.filter(pl.col("indicator_id") == ident)
        for year in chosen:
            one = rows.filter(pl.col("year") == year)
            if one.is_empty():
                continue
            definition = (
                definitions.get(ident, year=year)
                if isinstance(definitions, Catalogue)
                else definitions[ident]
            )
            part = _one_year(one, definition, code, year, sn, sn_method, local, average_of)
            if extra_rows is not None:
                part = _with_extra(part, extra_rows, ident, year, definition)
            tidy_parts.append(part)
    if not tidy_parts:
        msg = f"no results for years {chosen}"
        raise DataError(msg)
    tidy = pl.concat(tidy_parts, how="vertical_relaxed")
    return BenchmarkTable(tidy=tidy, wide=_wide(tidy, chosen, average_of))


def _with_extra(
    part: pl.DataFrame, extra: pl.DataFrame, ident: str, year: int, definition: IndicatorDefinition
) -> pl.DataFrame:
    missing = {"indicator_id", "year", "row", "value"} - set(extra.columns)
    if missing:
        msg = f"extra_rows needs columns indicator_id, year, row, value; missing {sorted(missing)}"
        raise DataError(msg)
    rows = extra.filter((pl.col("indicator_id") == ident) & (pl.col("year") == year))
    if rows.is_empty():
        return part
    first = part.row(0, named=True)
    dps = definition.presentation.decimal_places
    added = rows.select(
        *(
            pl.lit(first[c]).alias(c)
            for c in ("indicator_id", "indicator_version", "title", "decimal_places", "polarity")
        ),
        pl.col("year").cast(pl.Int64),
        pl.col("row").cast(pl.String),
        pl.lit("group").alias("row_kind"),
        pl.col("value").cast(pl.Float64),
        round_half_away_expr(pl.col("value").cast(pl.Float64), dps).alias("presented"),
        pl.lit(first["gap_unit"]).alias("gap_unit"),
    )
    return pl.concat([part, added], how="diagonal_relaxed")


def _is_la(code: str) -> pl.Expr:
    """Rows of the LA whose old number is ``code``, whether ``area_code`` holds it or its ONS code."""
    return canonical_expr("area_code") == code


def _one_year(
    one: pl.DataFrame,
    definition: IndicatorDefinition,
    code: str,
    year: int,
    sn: ComparatorSet,
    method: AggregationMethod,
    local: ComparatorSet | None,
    average_of: str,
) -> pl.DataFrame:
    dps = definition.presentation.decimal_places
    las = one.filter(canonical_expr("area_code").is_not_null())
    # the neighbours' figures as published (rounded, small counts withheld), as DfE's dashboard
    # and LAIT average and rank them; or unrounded
    compared = _as_published(las, definition) if average_of == "presented" else las
    with_sn = aggregate_neighbours(
        compared, sn, method=method, la="area_code", value="value", definition=definition
    )
    with_sn = rank_among_las(with_sn, la="area_code", value="value", definition=definition)
    with_sn = quartile_bands(with_sn, la="area_code", value="value", definition=definition)
    mine = with_sn.filter(_is_la(code))
    england = one.filter(pl.col("area_code") == ENGLAND)
    name = la_name(code) or code
    base = {"indicator_id": definition.id, "indicator_version": str(definition.version), "title": definition.title, "year": year, "decimal_places": dps, "polarity": definition.polarity.value}  # fmt: skip
    out: list[dict[str, object]] = []

    def row(label: str, kind: str, value: object, **extra: object) -> None:
        out.append({**base, "row": label, "row_kind": kind, "value": value, **extra})

    m = mine.row(0, named=True) if mine.height else None
    own = las.filter(_is_la(code))
    o = own.row(0, named=True) if own.height else {}
    if m is not None:
        row(name, "la", o.get("value"), sn_rank=m["sn_rank"], sn_rank_of=m["sn_rank_of"], la_rank=m["la_rank"],
            la_rank_of=m["la_rank_of"], band=m["band"], lower_95=o.get("lower_95"), upper_95=o.get("upper_95"))  # fmt: skip
    else:
        row(name, "la", None)
    row("England", "england", england["value"][0] if england.height else None)
    if m is not None:
        row(f"Statistical neighbours ({method})", "sn", m["sn_value"], sn_n=m["sn_n"], sn_of=m["sn_of"],
            sn_min=m["sn_min"], sn_max=m["sn_max"], sn_set=m["sn_set"], sn_reason=m["sn_reason"])  # fmt: skip
    if local is not None:
        lc = aggregate_neighbours(
            compared, local, method=method, la="area_code", value="value", definition=definition
        )
        lc_row = lc.filter(_is_la(code))
        if lc_row.height:
            r = lc_row.row(0, named=True)
            row(f"Local comparators ({method})", "local", r["sn_value"], sn_n=r["sn_n"], sn_of=r["sn_of"],
                sn_min=r["sn_min"], sn_max=r["sn_max"], sn_set=r["sn_set"])  # fmt: skip
    frame = pl.DataFrame(out, infer_schema_length=None)
    frame = frame.with_columns(
        pl.col("value").cast(pl.Float64),
        round_half_away_expr(pl.col("value").cast(pl.Float64), dps).alias("presented"),
        pl.lit(gap_unit_label(definition)).alias("gap_unit"),
    )
    england_presented = frame.filter(pl.col("row_kind") == "england")["presented"]
    eng = england_presented[0] if england_presented.len() else None
    return frame.with_columns(
        pl.when(pl.col("row_kind") == "la")
        .then(pl.col("presented") - pl.lit(eng, pl.Float64))
        .alias("gap_to_england")
    )


def _as_published(las: pl.DataFrame, definition: IndicatorDefinition) -> pl.DataFrame:
    """LA values as published: presented (rounded half away from zero, disclosure control
    applied) where the frame is a full result, else only rounded."""
    if {"numerator", "denominator", "reason"} <= set(las.columns):
        return present(las, definition).drop("display")
    dps = definition.presentation.decimal_places
    return las.with_columns(round_half_away_expr(pl.col("value").cast(pl.Float64), dps))


def _wide(tidy: pl.DataFrame, years: Sequence[int], average_of: str) -> pl.DataFrame:
    parts = []
    for ident in tidy["indicator_id"].unique(maintain_order=True).to_list():
        t = tidy.filter(pl.col("indicator_id") == ident)
        dps = int(t["decimal_places"][0])
        shown = t.with_columns(
            pl.when(pl.col("presented").is_not_null())
            .then(format_fixed("presented", dps))
            .otherwise(pl.lit("x"))
            .alias("text")
        )
        wide = shown.pivot(
            on="year", index=["title", "row", "row_kind"], values="text", aggregate_function="first"
        )
        source = "presented" if average_of == "presented" else "value"
        avg = t.group_by("row", maintain_order=True).agg(
            pl.when(pl.col(source).count() == len(years)).then(pl.col(source).mean()).alias("avg")
        )
        wide = (
            wide.join(avg, on="row", how="left", maintain_order="left")
            .with_columns(
                pl.when(pl.col("avg").is_not_null())
                .then(format_fixed(round_half_away_expr("avg", dps), dps))
                .alias(f"{len(years)}yr av.")
            )
            .drop("avg")
        )
        latest = t.filter(pl.col("year") == max(t["year"]))
        previous = t.filter(pl.col("year") == max(t["year"]) - 1)
        la_latest = latest.filter(pl.col("row_kind") == "la")
        la_prev = previous.filter(pl.col("row_kind") == "la")
        extra = {
            "gap_to_england": la_latest["gap_to_england"][0] if la_latest.height else None,
            "gap_unit": t["gap_unit"][0],
            "gap_direction": (
                pl.select(gap_direction(pl.lit(la_latest["gap_to_england"][0], pl.Float64), pl.lit(la_prev["gap_to_england"][0], pl.Float64), polarity=t["polarity"][0], decimals=dps)).item()
                if la_latest.height and la_prev.height else None
            ),
            "sn_rank": (
                f"{la_latest['sn_rank'][0]}/{la_latest['sn_rank_of'][0]}"
                if la_latest.height and la_latest["sn_rank"][0] is not None else None
            ),
            "band": la_latest["band"][0] if la_latest.height else None,
        }  # fmt: skip
        wide = wide.with_columns(
            *(
                pl.when(pl.col("row_kind") == "la").then(pl.lit(v)).alias(k)
                for k, v in extra.items()
            )
        )
        year_cols = [str(y) for y in years if str(y) in wide.columns]
        parts.append(
            wide.select("title", "row", *year_cols, f"{len(years)}yr av.", *extra.keys()).rename(
                {"title": "indicator"}
            )
        )
    return pl.concat(parts, how="diagonal_relaxed")
