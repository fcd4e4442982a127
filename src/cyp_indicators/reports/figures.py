"""Every figure a benchmarking report shows, for every area at once.

:func:`indicator_figures` works out one indicator for every LA, region and England over the
years asked for, presents it as DfE does, and compares every LA with its neighbours, all LAs,
its region and England (:func:`~cyp_indicators.comparisons`), once. A report for one LA, or for
every LA of a region or of England, is then a matter of picking rows: nothing is computed,
looked up or presented again per LA.

Where the figures come from:

* **computed** from counts in DfE's layout (:func:`~cyp_indicators.csc_counts` by default) when
  the counts hold the definition's numerator column (and its denominator, or a population
  denominator: the bundled ONS estimates). England's and the regions' figures are DfE's own
  where the definition names a published series that holds them (a roll-up cannot reproduce a
  total that includes an LA whose count DfE withheld or marked unreliable), otherwise rolled up
  from the LA counts (:func:`~cyp_indicators.roll_up`) as DfE builds them, never recomputed from
  the rounded England and regional counts;
* **published**: DfE's own figures (:func:`~cyp_indicators.published`: LAIT, an EES file or DfE's
  children's social care dashboard) for any other definition.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import polars as pl

from ..catalogue import Catalogue
from ..compare.comparisons import comparisons
from ..compare.groups import ComparatorSet
from ..compute import compute
from ..errors import DataError
from ..model import IndicatorDefinition
from ..population import attach_population
from ..presentation import format_fixed, present
from ..rollup import roll_up
from ..sources.published import published_series, published_with
from ..stats.rounding import round_half_away_expr

__all__ = ["IndicatorFigures", "indicator_figures"]

#: The columns of :attr:`IndicatorFigures.areas`.
AREA_COLUMNS = (
    "area_code",
    "area_name",
    "geographic_level",
    "year",
    "definition_version",
    "value",
    "lower_95",
    "upper_95",
    "numerator",
    "denominator",
    "presented",
    "presented_lower_95",
    "presented_upper_95",
    "display",
    "reason",
    "population_vintage",
)


@attrs.frozen(kw_only=True)
class IndicatorFigures:
    """One indicator for every area and year, presented and compared.

    Attributes
    ----------
    definitions
        The version in force each year (``year -> definition``), looked up once.
    areas
        One row per area and year (:data:`AREA_COLUMNS`): the unrounded ``value`` and interval,
        the counts, the ``presented`` value and interval (rounded, small counts withheld),
        ``display`` (the text shown, or the symbol) and ``reason``.
    las
        :func:`~cyp_indicators.comparisons` of the presented LA values (``area_code``, ``year``,
        ``value``, ...): neighbours, ranks, band, England and region, gaps.
    computed
        Whether the figures were computed from counts (else: DfE's published figures).
    source
        Where the values come from, in words.
    """

    indicator_id: str
    definitions: dict[int, IndicatorDefinition]
    areas: pl.DataFrame = attrs.field(repr=False)
    las: pl.DataFrame = attrs.field(repr=False)
    computed: bool
    source: str

    @property
    def latest(self) -> IndicatorDefinition:
        """The version in force in the latest year shown."""
        return self.definitions[max(self.definitions)]


def _computable(d: IndicatorDefinition, counts: pl.DataFrame) -> bool:
    if d.numerator.column not in counts.columns:
        return False
    den = d.denominator
    return den is None or den.column in counts.columns or den.population is not None


def _with_areas(counts: pl.DataFrame) -> pl.DataFrame:
    return counts.filter(pl.col("geographic_level") == "Local authority").with_columns(
        pl.col("old_la_code").alias("area_code"), pl.col("la_name").alias("area_name")
    )


def _computed_areas(versions: dict[int, IndicatorDefinition], counts: pl.DataFrame) -> pl.DataFrame:
    """Each version over its years: LAs from their counts, England and regions rolled up."""
    las = _with_areas(counts)
    pieces: list[pl.DataFrame] = []
    by_version: dict[str, tuple[IndicatorDefinition, list[int]]] = {}
    for year, d in versions.items():
        by_version.setdefault(d.key, (d, []))[1].append(year)
    for d, years in by_version.values():
        rows = las.filter(pl.col("year").is_in(years))
        num = d.numerator.column
        den = d.denominator.column if d.denominator is not None else None
        frame = rows
        if d.denominator is not None and d.denominator.population is not None:
            spec = d.denominator.population
            frame = attach_population(
                rows, area="area_code", year="year", name=d.denominator.column,
                year_offset=spec.year_offset,
            ) if d.denominator.column not in rows.columns else rows  # fmt: skip
        if den is not None:
            ups = pl.concat(
                [
                    roll_up(
                        frame, numerator=num, denominator=den, to=to, la="area_code", by=["year"]
                    )
                    for to in ("region", "england")
                ],
                how="vertical_relaxed",
            ).with_columns(pl.lit(None, pl.String).alias("population_vintage"))
            if "population_vintage" in frame.columns:
                vintages = frame["population_vintage"].drop_nulls().unique().to_list()
                ups = ups.with_columns(
                    pl.lit(vintages[0] if vintages else None).alias("population_vintage")
                )
            frame = pl.concat(
                [
                    frame.select("area_code", "area_name", "geographic_level", "year", num, den,
                                 *(["population_vintage"] if "population_vintage" in frame.columns else [])),
                    ups.select("area_code", "area_name", "geographic_level", "year", num, den, "population_vintage"),
                ],
                how="diagonal_relaxed",
            )  # fmt: skip
        result = compute(d, frame, confidence=[0.95])
        shown = present(result, d).select(
            pl.col("value").alias("presented"),
            pl.col("lower_95").alias("presented_lower_95"),
            pl.col("upper_95").alias("presented_upper_95"),
            "display",
            pl.col("reason").alias("presented_reason"),
        )
        combined = pl.concat([pl.DataFrame(result), shown], how="horizontal")
        pieces.append(
            combined.select(
                "area_code",
                "area_name",
                "geographic_level",
                pl.col("year").cast(pl.Int64),
                pl.lit(str(d.version)).alias("definition_version"),
                "value",
                "lower_95",
                "upper_95",
                pl.col("numerator").cast(pl.Float64),
                pl.col("denominator").cast(pl.Float64),
                "presented",
                "presented_lower_95",
                "presented_upper_95",
                "display",
                pl.coalesce("presented_reason", "reason").alias("reason"),
                pl.col("population_vintage").cast(pl.String)
                if "population_vintage" in combined.columns
                else pl.lit(None, pl.String).alias("population_vintage"),
            )
        )
    return pl.concat(pieces, how="vertical_relaxed")


def _published_areas(versions: dict[int, IndicatorDefinition]) -> pl.DataFrame:
    latest = versions[max(versions)]
    pub = published_with(latest, versions).filter(pl.col("time_period").is_in(list(versions)))
    if latest.breakdown is not None and latest.breakdown.total is not None:
        pub = pub.filter(pl.col(latest.breakdown.column) == latest.breakdown.total)
    dps = latest.presentation.decimal_places
    rounded = round_half_away_expr(pl.col("value"), dps)
    return pl.DataFrame(pub).select(
        "area_code",
        "area_name",
        "geographic_level",
        pl.col("time_period").alias("year"),
        "definition_version",
        "value",
        pl.lit(None, pl.Float64).alias("lower_95"),
        pl.lit(None, pl.Float64).alias("upper_95"),
        pl.lit(None, pl.Float64).alias("numerator"),
        pl.lit(None, pl.Float64).alias("denominator"),
        rounded.alias("presented"),
        pl.lit(None, pl.Float64).alias("presented_lower_95"),
        pl.lit(None, pl.Float64).alias("presented_upper_95"),
        pl.when(pl.col("value").is_not_null())
        .then(format_fixed(rounded, dps))
        .otherwise(pl.col("symbol"))
        .alias("display"),
        pl.when(pl.col("value").is_null())
        .then(pl.format("{}: DfE published '{}'", pl.col("symbol"), pl.col("symbol")))
        .alias("reason"),
        pl.lit(None, pl.String).alias("population_vintage"),
    )


def _published_aggregates(computed: pl.DataFrame, published_rows: pl.DataFrame) -> pl.DataFrame:
    """England's and the regions' rows as DfE published them, where it did; the roll-up else."""
    aggregates = published_rows.filter(
        (pl.col("geographic_level") != "Local authority") & pl.col("presented").is_not_null()
    )
    keys = ["area_code", "year"]
    kept = computed.join(aggregates.select(keys), on=keys, how="anti")
    return pl.concat([kept, aggregates.select(computed.columns)], how="vertical_relaxed")


def indicator_figures(
    ident: str,
    *,
    years: Sequence[int],
    catalogue: Catalogue,
    sn: ComparatorSet,
    sn_method: str,
    counts: pl.DataFrame | None,
) -> IndicatorFigures:
    """One indicator for every area over ``years``: computed from ``counts`` where they hold its
    columns, else DfE's published figures; presented; every LA compared.

    Raises
    ------
    UnknownDefinitionError
        For an id the catalogue does not hold (with close matches).
    DataError
        When the definition is in force in none of the years, or can neither be computed from
        the counts nor read from a published series.
    """
    found = catalogue.versions_by_year(ident, years)
    versions = {y: d for y, d in found.items() if d is not None}
    if not versions:
        msg = f"{ident} is in force in none of the years {list(years)}"
        raise DataError(msg)
    latest = versions[max(versions)]
    if counts is not None and _computable(latest, counts):
        areas = _computed_areas(versions, counts)
        computed = True
        source = "computed from DfE's published counts"
        if published_series(latest) != "none":
            areas = _published_aggregates(areas, _published_areas(versions))
    elif published_series(latest) != "none":
        areas = _published_areas(versions)
        computed = False
        sources = ", ".join(sorted({d.key for d in versions.values()}))
        source = f"DfE's published figures ({published_series(latest)}; {sources})"
    else:
        msg = (
            f"{latest.key}: the counts have no column {latest.numerator.column!r} and the "
            "definition names no published series"
        )
        raise DataError(msg)
    if areas.is_empty():
        msg = f"no figures for {ident} in the years {list(years)}"
        raise DataError(msg)
    values = areas.select(
        "area_code", "geographic_level", "year", pl.col("presented").alias("value"),
        pl.col("presented_lower_95").alias("lower_95"),
        pl.col("presented_upper_95").alias("upper_95"),
    )  # fmt: skip
    las = comparisons(
        values,
        latest,
        sn=sn,
        method="mean" if sn_method == "mean" else "median",
        year="year",
        rank_without_polarity=True,  # a committee reads "8/11, highest first" too
    )
    return IndicatorFigures(
        indicator_id=ident,
        definitions=versions,
        areas=areas,
        las=pl.DataFrame(las),
        computed=computed,
        source=source,
    )
