"""Every figure a benchmarking report shows, for every area at once.

:func:`plan_indicator` finds where an indicator's figures come from and which years they cover;
:func:`figures_for` works it out for every LA, region and England over the years of a report,
presents it as DfE does, compares every LA with its neighbours, all LAs, its region and England
(:func:`~cyp_indicators.comparisons`, with significance where there is an interval), runs the
recent-trend test for every LA, and indexes the rows by area and year, once. A report for one
LA, or for every LA of a region or of England, is then a matter of picking rows: nothing is
computed, looked up or presented again per LA.

Where the figures come from:

* **computed** from counts in DfE's layout (:func:`~cyp_indicators.csc_counts` by default) when
  the counts hold the definition's numerator column (and its denominator, or a population
  denominator: the bundled ONS estimates), in the years the counts hold it. England's and the
  regions' figures are DfE's own where the definition names a published series that holds them
  (a roll-up cannot reproduce a total that includes an LA whose count DfE withheld or marked
  unreliable), otherwise rolled up from the LA counts (:func:`~cyp_indicators.roll_up`) as DfE
  builds them, never recomputed from the rounded England and regional counts;
* **published**: DfE's own figures (:func:`~cyp_indicators.published`: LAIT, an EES file or DfE's
  children's social care dashboard) for any other definition, in the years DfE published them. A
  definition broken down into levels with no total (pupil groups, subjects) gives one set of
  figures per level;
* **none**: a definition neither computable from the counts nor published gives no figures
  (:class:`NoFigures`, with the reason): a report lists it rather than dropping it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs
import polars as pl

from ..catalogue import Catalogue, SeriesBreak
from ..compare.comparisons import comparisons
from ..compare.gaps import gap_direction
from ..compare.groups import ComparatorSet
from ..compare.significance import compare_with
from ..compare.trend import trend_markers
from ..compute import compute
from ..errors import DataError
from ..model import BreakdownLevel, Family, IndicatorDefinition
from ..population import attach_population
from ..presentation import format_fixed, present
from ..rollup import roll_up
from ..sources.published import published, published_series, published_with
from ..stats.rounding import round_half_away_expr

__all__ = [
    "AREA_COLUMNS",
    "FigureIndex",
    "IndicatorFigures",
    "NoFigures",
    "SourcePlan",
    "figures_for",
    "indicator_figures",
    "plan_indicator",
]

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

Kind = Literal["computed", "published", "none"]


@attrs.frozen(kw_only=True)
class SourcePlan:
    """Where one indicator's figures come from and the years they cover, before any is computed.

    Attributes
    ----------
    indicator_id, newest
        The definition and its newest version (the source is decided on it).
    kind
        ``"computed"`` (from the counts), ``"published"`` (DfE's figures) or ``"none"``.
    years
        The collection years with at least one area's value (and, for published figures, a
        version in force).
    reason
        For ``"none"``: why there are no figures.
    published
        For ``"published"``: DfE's figures as :func:`~cyp_indicators.published` serves them.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.reports.figures import plan_indicator
    >>> plan = plan_indicator(
    ...     "cla_rate_per_10k", catalogue=cyp.load_catalogue(), counts=cyp.csc_counts()
    ... )
    >>> plan.kind, plan.years, plan.source
    ('computed', (2021, 2022, 2023, 2024, 2025), "computed from DfE's published counts")
    """

    indicator_id: str
    newest: IndicatorDefinition
    kind: Kind
    years: tuple[int, ...]
    reason: str | None = None
    published: pl.DataFrame | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def source(self) -> str:
        """Where the figures come from, in words."""
        if self.kind == "computed":
            return "computed from DfE's published counts"
        if self.kind == "published":
            return f"DfE's published figures ({published_series(self.newest)})"
        return "no source"


@attrs.frozen(kw_only=True)
class FigureIndex:
    """One indicator's rows by area and year, ready for a report to pick from (built once).

    ``rows``: (area code, year) -> the :data:`AREA_COLUMNS` row; ``las``: (old LA number, year)
    -> the :func:`~cyp_indicators.comparisons` row with ``gap_direction``; ``trends``: old LA
    number -> the :func:`~cyp_indicators.trend_markers` row; ``years``: the years of ``rows``;
    ``vintages``: the population vintages of ``rows`` (so a council's report looks its rows up
    by key instead of scanning every council's).

    Attributes
    ----------
    rows
        (area code, year) -> the area's row: values, intervals, presented values, display.
    las
        (old LA number, year) -> the LA's comparisons row.
    trends
        Old LA number -> its recent-trend row (empty for DfE's published figures).
    trend_since
        The year the trend test starts from (the last series break), or ``None``.
    years, vintages
        The years of ``rows`` and their population vintages.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.reports.figures import figures_for, plan_indicator
    >>> plan = plan_indicator(
    ...     "cla_rate_per_10k", catalogue=cyp.load_catalogue(), counts=cyp.csc_counts()
    ... )
    >>> found = figures_for(plan, span=[2024, 2025], catalogue=cyp.load_catalogue(),
    ...                     sn=cyp.neighbour_set(), sn_method="mean", counts=cyp.csc_counts())
    >>> index = found[0].index
    >>> index.years, [r["display"] for r in index.of("874")]
    ((2024, 2025), ['75', '72'])
    """

    rows: dict[tuple[str, int], dict[str, Any]]
    las: dict[tuple[str, int], dict[str, Any]]
    trends: dict[str, dict[str, Any]]
    trend_since: int | None
    years: tuple[int, ...] = ()
    vintages: tuple[str, ...] = ()

    def of(self, area: str) -> list[dict[str, Any]]:
        """The rows of one area, by year.

        Parameters
        ----------
        area
            An area code: an old LA number, or England's or a region's ONS code.

        Returns
        -------
        list[dict[str, Any]]
            Its rows in year order (none for an area without figures).
        """
        return [r for y in self.years if (r := self.rows.get((area, y))) is not None]


@attrs.frozen(kw_only=True)
class IndicatorFigures:
    """One indicator (or one level of it) for every area and year, presented and compared.

    Attributes
    ----------
    definitions
        The version in force each year shown (``year -> definition``), looked up once.
    areas
        One row per area and year (:data:`AREA_COLUMNS`): the unrounded ``value`` and interval,
        the counts, the ``presented`` value and interval (rounded, small counts withheld),
        ``display`` (the text shown, or the symbol) and ``reason``.
    las
        :func:`~cyp_indicators.comparisons` of the presented LA values (``area_code``, ``year``,
        ``value``, ...): neighbours, ranks, band, England and region, gaps, significance.
    computed
        Whether the figures were computed from counts (else: DfE's published figures).
    source
        Where the values come from, in words.
    level
        The breakdown level these figures are of, for a definition with levels and no total.
    breaks
        Where the series is not comparable across the years shown (a new major version or a
        reform), from :meth:`Catalogue.breaks`.
    years_with_figures
        The years in which at least one area has a value.
    index
        The rows by area and year (:class:`FigureIndex`), built once for every LA's report.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.reports.figures import indicator_figures
    >>> figures = indicator_figures("cla_rate_per_10k", years=[2024, 2025],
    ...                             catalogue=cyp.load_catalogue(), sn=cyp.neighbour_set(),
    ...                             sn_method="mean", counts=cyp.csc_counts())
    >>> figures.key, figures.computed, figures.years_with_figures
    ('cla_rate_per_10k', True, (2024, 2025))
    """

    indicator_id: str
    definitions: dict[int, IndicatorDefinition]
    areas: pl.DataFrame = attrs.field(repr=False)
    las: pl.DataFrame = attrs.field(repr=False)
    computed: bool
    source: str
    level: BreakdownLevel | None = None
    breaks: tuple[SeriesBreak, ...] = ()
    years_with_figures: tuple[int, ...] = ()
    index: FigureIndex | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def latest(self) -> IndicatorDefinition:
        """The version in force in the latest year shown."""
        return self.definitions[max(self.definitions)]

    @property
    def key(self) -> str:
        """The indicator id, with the level's code for a level: ``"ks2_x_pct[fsm]"``."""
        return f"{self.indicator_id}[{self.level.code}]" if self.level else self.indicator_id


@attrs.frozen(kw_only=True)
class NoFigures:
    """An indicator (or one level of it) with no figures in a report's years, and why.

    Attributes
    ----------
    indicator_id, definition
        The definition, its newest version.
    reason
        Why there are no figures.
    level
        The breakdown level, for a definition published by level.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.reports.figures import figures_for, plan_indicator
    >>> cat, counts = cyp.load_catalogue(), cyp.csc_counts()
    >>> plan = plan_indicator("adoption_a1_days", catalogue=cat, counts=counts)
    >>> (none,) = figures_for(plan, span=[2025], catalogue=cat, sn=cyp.neighbour_set(),
    ...                       sn_method="mean", counts=counts)
    >>> print(none.reason)
    no figures: DfE publishes no series for adoption_a1_days and the counts have no column 'a1_total_days' to compute it from
    """

    indicator_id: str
    definition: IndicatorDefinition
    reason: str
    level: BreakdownLevel | None = None

    @property
    def key(self) -> str:
        """The indicator id, with the level's code for a level."""
        return f"{self.indicator_id}[{self.level.code}]" if self.level else self.indicator_id


def _computable(d: IndicatorDefinition, counts: pl.DataFrame) -> bool:
    if d.numerator.column not in counts.columns:
        return False
    den = d.denominator
    return den is None or den.column in counts.columns or den.population is not None


def _with_areas(counts: pl.DataFrame) -> pl.DataFrame:
    return counts.filter(pl.col("geographic_level") == "Local authority").with_columns(
        pl.col("old_la_code").alias("area_code"), pl.col("la_name").alias("area_name")
    )


def _span_text(years: Sequence[int]) -> str:
    years = sorted(years)
    if not years:
        return "no year"
    return f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}"


def plan_indicator(ident: str, *, catalogue: Catalogue, counts: pl.DataFrame | None) -> SourcePlan:
    """Where ``ident``'s figures come from (the counts, DfE's published figures, or nowhere)
    and the years they cover.

    Parameters
    ----------
    ident
        A definition id.
    catalogue
        The definitions.
    counts
        Counts in DfE's layout (:func:`cyp_indicators.csc_counts`); ``None``: published figures
        only.

    Returns
    -------
    SourcePlan
        The source (computed from the counts when they hold the newest version's columns, else
        DfE's published figures, else none with the reason) and its years.

    Raises
    ------
    UnknownDefinitionError
        For an id the catalogue does not hold (with close matches).

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.reports.figures import plan_indicator
    >>> plan = plan_indicator(
    ...     "cla_rate_per_10k", catalogue=cyp.load_catalogue(), counts=cyp.csc_counts()
    ... )
    >>> plan.kind, plan.years[-1]
    ('computed', 2025)
    """
    newest = catalogue.history(ident)[-1]
    if counts is not None and _computable(newest, counts):
        column = newest.numerator.column
        held = _with_areas(counts).filter(pl.col(column).is_not_null())["year"]
        years = tuple(sorted(int(y) for y in held.unique().to_list()))
        return SourcePlan(indicator_id=ident, newest=newest, kind="computed", years=years)
    if published_series(newest) != "none":
        pub = published(newest, catalogue=catalogue)
        pub = _total_rows(pub, newest)
        with_values = pub.filter(
            pl.col("definition_version").is_not_null() & pl.col("value").is_not_null()
        )
        years = tuple(sorted(int(y) for y in with_values["time_period"].unique().to_list()))
        return SourcePlan(
            indicator_id=ident, newest=newest, kind="published", years=years, published=pub
        )
    missing = newest.numerator.column
    reason = (
        f"no figures: DfE publishes no series for {ident} and the counts have no column "
        f"{missing!r} to compute it from"
        if counts is not None
        else f"no figures: DfE publishes no series for {ident} and no counts were given"
    )
    return SourcePlan(indicator_id=ident, newest=newest, kind="none", years=(), reason=reason)


def _total_rows(pub: pl.DataFrame, d: IndicatorDefinition) -> pl.DataFrame:
    """The breakdown's total rows, where it has a total; every row otherwise."""
    if d.breakdown is not None and d.breakdown.total is not None:
        return pub.filter(pl.col(d.breakdown.column) == d.breakdown.total)
    return pub


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


def _published_areas(
    pub: pl.DataFrame,
    versions: dict[int, IndicatorDefinition],
    level: BreakdownLevel | None = None,
) -> pl.DataFrame:
    """DfE's published rows for the years of ``versions`` (and ``level``), as presented."""
    latest = versions[max(versions)]
    pub = pub.filter(pl.col("time_period").is_in(list(versions)))
    if level is not None and latest.breakdown is not None:
        pub = pub.filter(pl.col(latest.breakdown.column) == level.code)
    else:
        pub = _total_rows(pub, latest)
    dps = latest.presentation.decimal_places
    rounded = round_half_away_expr(pl.col("value"), dps)
    return pl.DataFrame(pub).select(
        "area_code",
        "area_name",
        "geographic_level",
        pl.col("time_period").cast(pl.Int64).alias("year"),
        pl.col("definition_version").cast(pl.String),
        pl.col("value").cast(pl.Float64),
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


def _trend_method(d: IndicatorDefinition) -> Literal["counts", "weighted"]:
    return "counts" if d.family in (Family.PROPORTION, Family.CONVERSION) else "weighted"


#: Why DfE's published figures get no trend test.
NO_TREND = (
    "trend not tested: the recent-trend test needs counts or intervals, and DfE's published "
    "figures carry neither"
)


def _index(
    areas: pl.DataFrame,
    las: pl.DataFrame,
    latest: IndicatorDefinition,
    since: int | None,
    *,
    computed: bool,
) -> FigureIndex:
    """The rows by area and year, and every LA's recent trend (since the last break; only for
    figures computed from counts)."""
    rows = {(r["area_code"], r["year"]): r for r in areas.iter_rows(named=True)}
    la_rows = {(r["area_code"], r["year"]): r for r in las.iter_rows(named=True)}
    years = tuple(sorted({year for _, year in rows}))
    vintages = tuple(
        sorted(
            {
                str(r["population_vintage"])
                for r in rows.values()
                if r.get("population_vintage") is not None
            }
        )
    )
    if not computed:
        return FigureIndex(
            rows=rows, las=la_rows, trends={}, trend_since=since, years=years, vintages=vintages
        )
    raw = areas.filter(pl.col("geographic_level") == "Local authority")
    if since is not None:
        raw = raw.filter(pl.col("year") >= since)
    trends: dict[str, dict[str, Any]] = {}
    if raw.height:
        frame = raw.with_columns(
            pl.when(pl.col("presented").is_not_null()).then(pl.col("value")).alias("value")
        ).select("area_code", "year", "value", "numerator", "denominator", "lower_95", "upper_95")
        marks = trend_markers(
            frame, by="area_code", method=_trend_method(latest), polarity=latest.polarity
        )
        trends = {r["area_code"]: r for r in marks.iter_rows(named=True)}
    return FigureIndex(
        rows=rows, las=la_rows, trends=trends, trend_since=since, years=years, vintages=vintages
    )


def _compare(
    areas: pl.DataFrame,
    latest: IndicatorDefinition,
    *,
    computed: bool,
    sn: ComparatorSet,
    sn_method: str,
    break_years: Sequence[int],
) -> pl.DataFrame:
    """Every LA-year compared (with significance where there is an interval) and the gap's
    direction since the year before (none across a break)."""
    interval = (
        [pl.col("presented_lower_95").alias("lower_95"), pl.col("presented_upper_95").alias("upper_95")]
        if computed
        else []
    )  # fmt: skip
    values = areas.select(
        "area_code", "geographic_level", "year", pl.col("presented").alias("value"), *interval
    )
    las = pl.DataFrame(
        comparisons(
            values,
            latest,
            sn=sn,
            method="mean" if sn_method == "mean" else "median",
            year="year",
            rank_without_polarity=True,  # a committee reads "8/11, highest first" too
        )
    )
    if computed:  # the neighbours' aggregate as shown (rounded) against the interval as shown
        shown_sn = round_half_away_expr(pl.col("sn_value"), latest.presentation.decimal_places)
        lookup = areas.select(
            "area_code",
            "year",
            pl.col("presented_lower_95").alias("__lower"),
            pl.col("presented_upper_95").alias("__upper"),
        )
        las = (
            las.join(lookup, on=["area_code", "year"], how="left")
            .with_columns(
                compare_with(
                    shown_sn,
                    value="value",
                    lower="__lower",
                    upper="__upper",
                    polarity=latest.polarity,
                ).alias("vs_sn")
            )
            .drop("__lower", "__upper")
        )
    before = las.select(
        "area_code",
        (pl.col("year") + 1).alias("year"),
        pl.col("gap_to_england").alias("gap_before"),
    ).filter(~pl.col("year").is_in(list(break_years)))
    return las.join(before, on=["area_code", "year"], how="left").with_columns(
        gap_direction(
            "gap_to_england",
            "gap_before",
            polarity=latest.polarity,
            decimals=latest.presentation.decimal_places,  # the gaps as the reader sees them
        ).alias("gap_direction")
    )


def figures_for(
    plan: SourcePlan,
    *,
    span: Sequence[int],
    catalogue: Catalogue,
    sn: ComparatorSet,
    sn_method: str,
    counts: pl.DataFrame | None,
) -> list[IndicatorFigures | NoFigures]:
    """``plan``'s indicator for every area over the report's years ``span``: one
    :class:`IndicatorFigures` (one per level for a breakdown with levels and no total), or
    :class:`NoFigures` saying why there are none.

    The figures run from the first year of ``span`` with a value to the last year of ``span``,
    in the years a version is in force.

    Parameters
    ----------
    plan
        From :func:`plan_indicator`.
    span
        The report's collection years.
    catalogue
        The definitions.
    sn, sn_method
        The statistical-neighbour set and its aggregate ("mean" as LAIT, "median" as DfE's
        dashboard).
    counts
        Counts in DfE's layout, for a computed plan.

    Returns
    -------
    list[IndicatorFigures | NoFigures]
        One entry, or one per level.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.reports.figures import figures_for, plan_indicator
    >>> plan = plan_indicator(
    ...     "cla_rate_per_10k", catalogue=cyp.load_catalogue(), counts=cyp.csc_counts()
    ... )
    >>> (figures,) = figures_for(plan, span=[2025], catalogue=cyp.load_catalogue(),
    ...                          sn=cyp.neighbour_set(), sn_method="mean",
    ...                          counts=cyp.csc_counts())
    >>> figures.index.rows[("874", 2025)]["display"]
    '72'
    """
    newest = plan.newest
    ident = plan.indicator_id
    if plan.kind == "none":
        return [NoFigures(indicator_id=ident, definition=newest, reason=plan.reason or "")]
    inside = [y for y in plan.years if y in span]
    if not inside:
        held = f"{plan.source} hold {_span_text(plan.years)}" if plan.years else ""
        reason = f"no figures in {_span_text(span)}" + (f": {held}" if held else "")
        return [NoFigures(indicator_id=ident, definition=newest, reason=reason)]
    wanted = [y for y in span if y >= inside[0]]
    found = catalogue.versions_by_year(ident, wanted)
    versions = {y: d for y, d in found.items() if d is not None}
    if not versions:
        reason = f"no version of {ident} is in force in {_span_text(wanted)}"
        return [NoFigures(indicator_id=ident, definition=newest, reason=reason)]
    latest = versions[max(versions)]
    breaks = tuple(catalogue.breaks(ident, list(versions)))
    if plan.kind == "computed":
        assert counts is not None
        with_counts = {y: d for y, d in versions.items() if y in plan.years}
        if not with_counts:
            reason = f"no version of {ident} is in force in the years of its counts in the span"
            return [NoFigures(indicator_id=ident, definition=newest, reason=reason)]
        areas = _computed_areas(with_counts, counts)
        if published_series(latest) != "none":
            pub_rows = _published_areas(published_with(latest, versions), versions)
            areas = _published_aggregates(areas, pub_rows)
        pieces: list[tuple[BreakdownLevel | None, pl.DataFrame]] = [(None, areas)]
        sources = "computed from DfE's published counts"
    else:
        assert plan.published is not None
        levels: list[BreakdownLevel | None] = [None]
        bd = latest.breakdown
        if bd is not None and bd.total is None and bd.column in plan.published.columns:
            levels = list(bd.levels)
        pieces = [(lv, _published_areas(plan.published, versions, lv)) for lv in levels]
        keys = ", ".join(sorted({d.key for d in versions.values()}))
        sources = f"DfE's published figures ({published_series(latest)}; {keys})"
    out: list[IndicatorFigures | NoFigures] = []
    for level, areas in pieces:
        valued = areas.filter(pl.col("presented").is_not_null())
        has_la = valued.filter(pl.col("geographic_level") == "Local authority").height > 0
        if not has_la:
            reason = (
                f"no local-authority figures in {_span_text(wanted)} (England's only)"
                if valued.height
                else f"no figures in {_span_text(wanted)}"
            )
            out.append(NoFigures(indicator_id=ident, definition=newest, reason=reason, level=level))
            continue
        years_with = tuple(sorted(int(y) for y in valued["year"].unique().to_list()))
        break_years = [b.year for b in breaks]
        las = _compare(
            areas,
            latest,
            computed=plan.kind == "computed",
            sn=sn,
            sn_method=sn_method,
            break_years=break_years,
        )
        since = max(break_years) if break_years else None
        out.append(
            IndicatorFigures(
                indicator_id=ident,
                definitions=versions,
                areas=areas,
                las=las,
                computed=plan.kind == "computed",
                source=sources,
                level=level,
                breaks=breaks,
                years_with_figures=years_with,
                index=_index(areas, las, latest, since, computed=plan.kind == "computed"),
            )
        )
    return out


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

    Parameters
    ----------
    ident
        A definition id.
    years
        The collection years.
    catalogue
        The definitions.
    sn, sn_method
        The statistical-neighbour set and its aggregate ("mean" or "median").
    counts
        Counts in DfE's layout; ``None``: DfE's published figures only.

    Returns
    -------
    IndicatorFigures
        Its figures for every area.

    Raises
    ------
    UnknownDefinitionError
        For an id the catalogue does not hold (with close matches).
    DataError
        When there are no figures in ``years`` (the message says why), or the definition is
        broken down into levels with no total (use :func:`figures_for`, one result per level).

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.reports.figures import indicator_figures
    >>> figures = indicator_figures("cla_rate_per_10k", years=[2025],
    ...                             catalogue=cyp.load_catalogue(), sn=cyp.neighbour_set(),
    ...                             sn_method="mean", counts=cyp.csc_counts())
    >>> figures.index.rows[("874", 2025)]["display"], figures.latest.version
    ('72', Version('1.0.0'))
    """
    plan = plan_indicator(ident, catalogue=catalogue, counts=counts)
    found = figures_for(
        plan, span=sorted(years), catalogue=catalogue, sn=sn, sn_method=sn_method, counts=counts
    )
    first = found[0]
    if isinstance(first, NoFigures):
        raise DataError(f"{ident}: {first.reason}")
    if len(found) > 1:
        msg = f"{ident} has figures by level and no total: use figures_for"
        raise DataError(msg)
    return first
