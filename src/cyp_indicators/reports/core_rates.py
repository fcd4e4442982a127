"""The core social-care rates of one local authority: the table ``make demo`` prints."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..catalogue import Catalogue
from ..compute import compute
from ..errors import DataError
from ..population import attach_population
from ..presentation import format_fixed, present, unit_label

__all__ = ["CORE_INDICATORS", "core_rates_table"]

#: The indicators of the table, in the order shown.
CORE_INDICATORS = (
    "cin_rate_per_10k",
    "referral_rate_per_10k",
    "re_referral_within_12_months_pct",
    "cpp_rate_per_10k",
    "cpp_second_or_subsequent_pct",
    "cla_rate_per_10k",
    "cla_starts_rate_per_10k",
    "cla_ceased_rate_per_10k",
)


def core_rates_table(
    counts: pl.DataFrame,
    catalogue: Catalogue,
    *,
    la: str = "874",
    years: int = 5,
    indicators: Sequence[str] = CORE_INDICATORS,
) -> pl.DataFrame:
    """One LA's core rates for its latest ``years`` collection years, presented.

    ``counts`` has DfE's layout (see :func:`cyp_indicators.datasets.csc_counts`); ``la`` is an old
    3-digit LA number or a 9-character ONS code. Each row: indicator, definition version (the one in
    force that year), year, count, denominator, value as published (rounded half away from zero),
    95 % interval (``ci_95``, rounded likewise), unit and the population vintage of rate denominators.

    Parameters
    ----------
    counts
        Counts in DfE's layout.
    catalogue
        The definitions (the version in force each year is used).
    la
        An old LA number or an ONS code; Peterborough (874) by default.
    years
        How many of the LA's latest collection years.
    indicators
        Definition ids whose numerator and denominator the counts hold (the core rates by
        default).

    Returns
    -------
    pl.DataFrame
        ``la_name``, ``indicator``, ``indicator_id``, ``version``, ``year``, ``count``,
        ``denominator``, ``value``, ``unit``, ``ci_95``, ``reason``, ``population_vintage``.

    Raises
    ------
    DataError
        No such LA in the counts, or the counts lack an indicator's numerator column.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> table = core_rates_table(cyp.csc_counts(), cyp.load_catalogue(), la="874", years=1,
    ...                          indicators=["cla_rate_per_10k"])
    >>> table.select("year", "value", "ci_95").row(0)
    (2025, '72', '65 to 79')
    """
    code = la.strip()
    rows = counts.filter(
        (pl.col("geographic_level") == "Local authority")
        & ((pl.col("old_la_code") == code) | (pl.col("new_la_code") == code))
    )
    if rows.is_empty():
        las = counts.filter(pl.col("geographic_level") == "Local authority")["old_la_code"]
        known = sorted(str(c) for c in las.drop_nulls().unique())
        msg = f"no local authority {la!r} in the counts; codes run from {known[0]} to {known[-1]}"
        raise DataError(msg)
    latest = rows["year"].max()
    assert isinstance(latest, int)
    rows = rows.filter(pl.col("year") > latest - years)
    rows = attach_population(rows, area="old_la_code", year="year")
    pieces: list[pl.DataFrame] = []
    for ident in indicators:
        for year in sorted(rows["year"].unique().to_list()):
            definition = catalogue.get(ident, year=year)
            one = rows.filter(pl.col("year") == year)
            num = definition.numerator.column
            if num not in one.columns:
                msg = f"the counts have no column {num!r} for {definition.key}"
                raise DataError(msg)
            if one[num].is_null().all():  # not collected that year (CLA counts start in 2021)
                continue
            result = present(compute(definition, one), definition)
            vintage = (
                result["population_vintage"]
                if definition.denominator is not None and definition.denominator.population
                else pl.Series([None] * result.height, dtype=pl.String)
            )
            pieces.append(
                result.select(
                    pl.col("la_name"),
                    pl.lit(definition.title).alias("indicator"),
                    pl.col("indicator_id"),
                    pl.col("indicator_version").alias("version"),
                    pl.col("year"),
                    pl.col("numerator").cast(pl.Int64).alias("count"),
                    pl.col("denominator").cast(pl.Int64),
                    pl.col("display").alias("value"),
                    pl.lit(unit_label(definition)).alias("unit"),
                    _interval_text(definition.presentation.decimal_places).alias("ci_95"),
                    pl.col("reason"),
                ).with_columns(vintage.alias("population_vintage"))
            )
    return pl.concat(pieces, how="vertical_relaxed")


def _interval_text(dps: int) -> pl.Expr:
    """The presented 95 % interval as text, "65 to 79", null where there is none."""
    return pl.when(pl.col("lower_95").is_not_null()).then(
        pl.concat_str(format_fixed("lower_95", dps), pl.lit(" to "), format_fixed("upper_95", dps))
    )
