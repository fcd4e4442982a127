"""One comparison entry point for any measure, computed or published.

:func:`comparisons` takes the values of one measure for LAs, regions and England (what
:func:`~cyp_indicators.published` returns, or a computed result with area codes) and gives every
LA-year its benchmarks at once: the statistical neighbours' aggregate, rank among the neighbours
and among all LAs, quartile band, England's and the region's value, the gaps to them, and
significance where the value has an interval. With the defaults it reproduces LAIT's own
statistics: the neighbours' mean of the May 2025 list (neighbours with a value), the rank among
all LAs with a value (ties share the lowest rank; rank 1 is best by polarity), and quartile bands
A-D (type-7 quartiles, each band inclusive at its upper bound, none without a polarity), all on
unrounded values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from ..errors import DataError
from ..geography import ENGLAND, local_authorities
from ..geography._areas import canonical_expr
from ..model import IndicatorDefinition, Polarity
from ..pandas_frames import pandas_frames
from ..results import ResultProvenance, carried, carry
from ..stats.checks import check_columns
from ._values import cannot_be_negative, check_readable, parsed_value, resolve_polarity
from .aggregate import aggregate_neighbours
from .gaps import gap_unit_label
from .groups import ComparatorSet, neighbour_set
from .ranks import quartile_bands, rank_among_las
from .significance import compare_with

__all__ = ["COMPARISON_COLUMNS", "FIGURE_COLUMNS", "comparisons", "present_comparisons"]

#: The columns :func:`comparisons` adds, in order.
COMPARISON_COLUMNS = (
    "england_value",
    "gap_to_england",
    "region_code",
    "region_value",
    "gap_to_region",
    "gap_unit",
    "sn_value",
    "sn_method",
    "sn_set",
    "sn_group",
    "sn_n",
    "sn_of",
    "sn_min",
    "sn_max",
    "sn_missing",
    "sn_rank",
    "sn_rank_of",
    "sn_rank_order",
    "sn_reason",
    "gap_to_sn",
    "la_rank",
    "la_rank_of",
    "la_rank_order",
    "band",
    "band_q1",
    "band_q2",
    "band_q3",
    "band_method",
    "band_reason",
    "vs_england",
    "vs_sn",
    "significance",
)
_KEY = "__cyp_key"
_LONDON = "E12000007"


def _definition(
    frame: pl.DataFrame, definition: IndicatorDefinition | None
) -> IndicatorDefinition | None:
    if definition is not None:
        return definition
    provenance = carried(frame)
    if provenance is None or not provenance.definitions:
        return None
    return max(provenance.definitions, key=lambda d: d.version)  # the latest version's polarity


def _region_lookup() -> pl.DataFrame:
    las = local_authorities()
    return las.select(
        pl.col("old_la_code").alias("__la"),
        pl.col("region_code").alias("__region"),
        pl.col("london_subregion_code").alias("__subregion"),
    )


@pandas_frames
def comparisons(
    values: pl.DataFrame,
    definition: IndicatorDefinition | None = None,
    *,
    sn: ComparatorSet | None = None,
    method: Literal["mean", "median"] = "mean",
    la: str = "area_code",
    year: str = "time_period",
    value: str = "value",
    by: Sequence[str] = (),
    polarity: Polarity | str | None = None,
    quartiles: bool = True,
    lower: str = "lower_95",
    upper: str = "upper_95",
    rank_without_polarity: bool = False,
) -> pl.DataFrame:
    """Every LA-year of a measure beside its neighbours, all LAs, its region and England.

    Parameters
    ----------
    values
        One row per area and year (and ``by`` group): LA rows (old LA numbers or ONS codes in
        ``la``) and, where available, England's (``E92000001``) and the regions' rows (ONS region
        codes). :func:`~cyp_indicators.published` output is read as it is; a computed result needs
        an area column. ``value`` may be text with DfE symbols.
    definition
        Gives the polarity (rank 1 is best; bands A-D best to worst) and the gap's unit. Default:
        the definition the frame carries (:func:`compute`, :func:`published`); with neither, no
        polarity (ranks run highest first, no bands).
    sn
        The comparator set; default the DfE set the data marks as current (May 2025), as LAIT
        and DfE's dashboard use for every year.
    method
        ``"mean"`` of the neighbours with a value (LAIT) or ``"median"`` (DfE's dashboard).
    la, year, value
        Column names (defaults: those of :func:`published`).
    by
        Further columns that separate series (a breakdown, a pupil group): every statistic is
        taken within (year, by).
    polarity
        Overrides the definition's polarity for this use.
    quartiles
        False for a measure LAIT does not band (its dictionary's ``No_Quartile``): no band, with
        the reason.
    lower, upper
        The interval columns, where the values have an interval: ``vs_england`` and ``vs_sn``
        say whether England's value or the neighbours' lie outside it.
    rank_without_polarity
        Rank a measure without a polarity too, highest first (LAIT leaves such measures
        unranked, the default).

    Returns
    -------
    polars.DataFrame
        The LA rows with their columns, then :data:`COMPARISON_COLUMNS`: England's and the
        region's value and the gaps to them (percentage points for percentages: ``gap_unit``),
        the neighbours' aggregate with what went into it (see
        :func:`~cyp_indicators.aggregate_neighbours`), the rank among all LAs with a value that
        year (``la_rank``/``la_rank_of``; ranks only where the measure has a polarity, as LAIT),
        the quartile band, and ``vs_england``/``vs_sn``
        ("better", "similar", "worse"; "higher"/"lower" without a polarity; null with
        ``significance`` saying why when there is no interval). A London borough's region value
        is Inner or Outer London's, or London's where those are not published (as LAIT does).

    Raises
    ------
    MissingColumnError
        For an absent column.
    InvalidValueError
        For a value or interval limit that is text but neither a number nor a GSS symbol, that is
        not a finite number (NaN, an infinity), or that is negative where the definition's
        values cannot be (rates, proportions, counts), naming the column and the rows.
    DuplicateKeyError
        For two rows of one LA in one year (and group).
    DataError
        For a frame with no LA rows, a code that is neither an LA's nor England's or a region's,
        or a value column that holds neither numbers nor text.
    ValueError
        For a method other than ``"mean"`` or ``"median"``, or a polarity that is not one.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> out = cyp.comparisons(cyp.published("cla_rate_per_10k"))
    >>> row = out.filter((out["area_code"] == "874") & (out["time_period"] == 2025)).row(0, named=True)
    >>> row["value"], round(row["sn_value"], 1), row["england_value"], row["sn_n"]
    (72.0, 75.3, 67.0, 10)
    """
    schema = values.collect_schema()
    group = list(by)
    check_columns(
        schema,
        [(la, "area"), (year, "year"), (value, "value"), *((g, "group") for g in group)],
        context="comparisons",
    )
    d = _definition(values, definition)
    what = cannot_be_negative(d)
    has_interval = lower in schema and upper in schema
    for column in (value, *((lower, upper) if has_interval else ())):
        check_readable(values, column, schema[column], not_negative=what)
    pol = resolve_polarity(polarity, d)
    sets = sn if sn is not None else neighbour_set()
    key = pl.concat_str(
        [pl.col(year).cast(pl.String), *(pl.col(g).cast(pl.String) for g in group)], separator="|"
    )
    code = pl.col(la).cast(pl.String).str.strip_chars()
    national = code == ENGLAND
    if "geographic_level" in schema:
        national = national | (pl.col("geographic_level") == "National")
    base = (
        values.lazy()
        .with_row_index("__cyp_order")
        .with_columns(
            key.alias(_KEY),
            canonical_expr(la).alias("__la"),
            parsed_value(value, schema[value], alias="__v")[0],
        )
    )
    england = (
        base.filter(national.fill_null(False))
        .group_by(_KEY)
        .agg(pl.col("__v").first().alias("england_value"))
    )
    regions = (
        base.filter(
            code.str.contains(r"^E1[23]\d{6}$").fill_null(False) & ~national.fill_null(False)
        )
        .select(_KEY, code.alias("__area"), pl.col("__v").alias("__region_v"))
        .unique([_KEY, "__area"], keep="first")
    )
    las = base.filter(pl.col("__la").is_not_null())
    la_frame = las.drop("__v").collect()
    if la_frame.is_empty():
        msg = f"comparisons: no LA rows in column {la!r} (old LA numbers or ONS codes)"
        raise DataError(msg)
    with_sn = aggregate_neighbours(
        la_frame.drop("__la"), sets, method=method, la=la, year=_KEY, value=value, polarity=pol
    )
    ranked = rank_among_las(with_sn, la=la, year=_KEY, value=value, polarity=pol)
    banded = quartile_bands(ranked, la=la, year=_KEY, value=value, polarity=pol, min_las=1)
    if pol == Polarity.NOT_APPLICABLE.value and not rank_without_polarity:
        # LAIT ranks only where high or low is good
        banded = banded.with_columns(
            pl.lit(None, pl.Int64).alias(c) for c in ("la_rank", "sn_rank")
        ).with_columns(
            pl.lit("no rank: the measure has no polarity").alias(c)
            for c in ("la_rank_order", "sn_rank_order")
        )
    if not quartiles:
        banded = banded.with_columns(
            pl.lit(None, pl.String).alias("band"),
            pl.lit("z: no quartile bands for this measure (its range is too small)").alias(
                "band_reason"
            ),
        )
    lookup = _region_lookup().lazy()
    out = (
        banded.lazy()
        .with_columns(
            canonical_expr(la).alias("__la"), parsed_value(value, schema[value], alias="__v")[0]
        )
        .join(lookup, on="__la", how="left")
        .join(england, on=_KEY, how="left")
        .join(
            regions.rename({"__area": "__subregion", "__region_v": "__sub_v"}),
            on=[_KEY, "__subregion"],
            how="left",
        )
        .join(
            regions.rename({"__area": "__region", "__region_v": "__reg_v"}),
            on=[_KEY, "__region"],
            how="left",
        )
        .with_columns(
            pl.when(pl.col("__sub_v").is_not_null())
            .then(pl.col("__subregion"))
            .otherwise(pl.col("__region"))
            .alias("region_code"),
            pl.coalesce("__sub_v", "__reg_v").alias("region_value"),
        )
    )
    gap_unit = gap_unit_label(d) if d is not None else None
    interval = {}
    if has_interval:
        interval = {
            "value": pl.col("__v"),
            "lower": parsed_value(lower, schema[lower], alias=lower)[0],
            "upper": parsed_value(upper, schema[upper], alias=upper)[0],
        }
    out = out.with_columns(
        (pl.col("__v") - pl.col("england_value")).alias("gap_to_england"),
        (pl.col("__v") - pl.col("region_value")).alias("gap_to_region"),
        pl.lit(gap_unit, pl.String).alias("gap_unit"),
        (pl.col("__v") - pl.col("sn_value")).alias("gap_to_sn"),
        (
            compare_with("england_value", polarity=pol, **interval)
            if has_interval
            else pl.lit(None, pl.String)
        ).alias("vs_england"),
        (
            compare_with("sn_value", polarity=pol, **interval)
            if has_interval
            else pl.lit(None, pl.String)
        ).alias("vs_sn"),
        pl.lit(
            f"the comparator against the value's interval ({lower}, {upper}): outside it is "
            "better or worse"
            if has_interval
            else "not tested: the values have no confidence interval"
        ).alias("significance"),
    )
    kept = [c for c in with_sn.columns if c not in COMPARISON_COLUMNS and not c.startswith("__")]
    # the LA rows in the order given (the joins and group-bys above keep no order)
    result = out.sort("__cyp_order").select(*kept, *COMPARISON_COLUMNS).collect()
    result = result.select([c for c in result.columns if c in schema or c in COMPARISON_COLUMNS])
    provenance = carried(values)
    base_provenance = provenance or ResultProvenance(
        produced_by="comparisons", definitions=(d,) if d is not None else ()
    )
    import attrs

    return carry(result, attrs.evolve(base_provenance, comparator_set=sets.key))


#: Columns of :func:`comparisons` that hold figures in the measure's unit (rounded for display).
FIGURE_COLUMNS = (
    "value",
    "england_value",
    "gap_to_england",
    "region_value",
    "gap_to_region",
    "sn_value",
    "sn_min",
    "sn_max",
    "gap_to_sn",
    "band_q1",
    "band_q2",
    "band_q3",
)


def present_comparisons(frame: pl.DataFrame, definition: IndicatorDefinition) -> pl.DataFrame:
    """A :func:`comparisons` result with its figures rounded to the definition's places.

    Rounded half away from zero, with the definition's rounding rule (a gap between percentages
    in percentage points to the same places); ``value_unrounded`` keeps the value before
    rounding.

    Parameters
    ----------
    frame
        The result of :func:`comparisons` (or any frame with some of its figure columns).
    definition
        Gives the decimal places and DfE's rounding rule.

    Returns
    -------
    polars.DataFrame
        The frame with ``value``, England's, the region's and the neighbours' figures, the gaps,
        the quartile bounds and the interval limits rounded; ``value_unrounded`` after ``value``.

    Examples
    --------
    >>> import polars as pl, cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("re_referral_within_12_months_pct")
    >>> f = pl.DataFrame({"value": [21.2], "england_value": [24.0]})
    >>> f = f.with_columns((pl.col("value") - pl.col("england_value")).alias("gap_to_england"))
    >>> f["gap_to_england"][0]
    -2.8000000000000007
    >>> present_comparisons(f, d)["gap_to_england"][0]
    -2.8
    """
    from ..stats.rounding import round_half_away_expr

    dps = definition.presentation.decimal_places
    tolerance = definition.presentation.tolerance
    limits = [c for c in frame.columns if c.startswith(("lower_", "upper_"))]
    figures = [
        c for c in (*FIGURE_COLUMNS, *limits) if c in frame.columns and frame.schema[c].is_numeric()
    ]
    out = frame.with_columns(
        round_half_away_expr(c, dps, tolerance=tolerance).alias(c) for c in figures
    )
    if "value" in figures and "value_unrounded" not in frame.columns:
        out = out.with_columns(frame["value"].alias("value_unrounded"))
        order = list(frame.columns)
        order.insert(order.index("value") + 1, "value_unrounded")
        out = out.select(order)
    return out
