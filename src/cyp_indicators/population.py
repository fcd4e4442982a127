"""Population denominators: ONS mid-year estimates of children aged 0 to 17, with their vintage.

DfE's rates per 10,000 for reporting year Y (the year ending 31 March Y) divide by the ONS mid-year
estimate for mid-(Y-1): Peterborough's 2025 CLA rate uses 57,621, the mid-2024 estimate. The
estimates are revised from time to time (a *vintage*), so a rate's provenance names the vintage it
used; :data:`BUNDLED_VINTAGE` is the one bundled here.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

import polars as pl

from .errors import DataError
from .geography import ENGLAND
from .resources import data_file
from .stats.checks import check_columns, check_unique

__all__ = ["BUNDLED_VINTAGE", "attach_population", "population_estimates", "population_of"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)

#: The vintage of the bundled estimates (see ``src/cyp_indicators/data/README.md``).
BUNDLED_VINTAGE = "ONS mid-year estimates 0-17, mid-2012 to mid-2024 series (DfE extract, 2026-04)"


@cache
def _bundled() -> pl.DataFrame:
    raw = pl.read_csv(data_file("ons_mye_0_17.csv"), infer_schema_length=0)
    return raw.with_columns(
        pl.col("mid_year").cast(pl.Int64),
        pl.col("population").cast(pl.Int64, strict=False).alias("population"),
        pl.col("population").alias("population_text"),
        pl.lit(BUNDLED_VINTAGE).alias("population_vintage"),
    )


def population_estimates(series: str = "ons_mye_0_17") -> pl.DataFrame:
    """The bundled population estimates, one row per geography and mid-year.

    A new frame on every call: changing it changes nothing in the library or for any other caller.

    Parameters
    ----------
    series
        The series: only ``"ons_mye_0_17"`` (children aged 0 to 17) is bundled.

    Returns
    -------
    polars.DataFrame
        ``mid_year``, ``geographic_level``, ``region_code``, ``region_name``, ``old_la_code``,
        ``new_la_code``, ``la_name``, ``population`` (null where ONS gives no figure, e.g. an
        authority that did not exist that year), ``population_text`` (as published, with symbols),
        ``population_vintage``.

    Raises
    ------
    DataError
        Any other series (pass your own estimates to :func:`attach_population` instead).

    Examples
    --------
    >>> pop = population_estimates()
    >>> pop.filter(old_la_code="874", mid_year=2024).select("la_name", "population").row(0)
    ('Peterborough', 57621)
    """
    if series != "ons_mye_0_17":
        msg = (
            f"population series {series!r} is not bundled (only 'ons_mye_0_17'); "
            "pass your own estimates with attach_population(..., estimates=frame)"
        )
        raise DataError(msg)
    return _bundled().clone()


def population_of(area: str) -> pl.DataFrame:
    """The bundled 0-17 estimates of one area, by mid-year.

    Parameters
    ----------
    area
        An LA's old number or ONS code, a region's ONS code or England's (or LAIT's numbers).

    Returns
    -------
    polars.DataFrame
        ``mid_year``, ``population``, ``population_vintage``, oldest first.

    Raises
    ------
    UnknownAreaError
        A code the geography does not know (with close matches).
    DataError
        The estimates hold no row for it.

    Examples
    --------
    >>> population_of("874").filter(mid_year=2024)["population"].item()
    57621
    """
    from .geography import canonical_area, resolve_la

    code = canonical_area(area)
    if code is None:
        resolve_la(area)  # an error naming the code, with close matches
    table = _lookup(_bundled())
    rows = table.filter(pl.col("area_code") == code).sort("mid_year")
    if rows.is_empty():
        msg = f"the bundled population estimates have no rows for area {area!r}"
        raise DataError(msg)
    return rows.select("mid_year", "population", "population_vintage")


def _lookup(estimates: pl.DataFrame) -> pl.DataFrame:
    """One row per (area_code, mid_year): LA old and new codes, region and England codes."""
    cols = ["mid_year", "population", "population_vintage"]
    level = pl.col("geographic_level")
    parts = [
        estimates.filter(level == "Local authority").select(
            pl.col("old_la_code").alias("area_code"), *cols
        ),
        estimates.filter(level == "Local authority").select(
            pl.col("new_la_code").alias("area_code"), *cols
        ),
        estimates.filter(level == "Regional").select(
            pl.col("region_code").alias("area_code"), *cols
        ),
        estimates.filter(level == "National").select(pl.lit(ENGLAND).alias("area_code"), *cols),
    ]
    table = pl.concat(parts).filter(pl.col("area_code").is_not_null())
    check_unique(table, ["area_code", "mid_year"], context="population estimates")
    return table


def attach_population(
    frame: F,
    *,
    area: str,
    year: str,
    name: str = "population_0_17",
    year_offset: int = -1,
    estimates: pl.DataFrame | None = None,
) -> F:
    """Add the population denominator for each row's area and collection year.

    The estimate used is for mid-(year + ``year_offset``): mid-(Y-1) by default, as DfE does
    (Peterborough's 2025 rate divides by the mid-2024 estimate). Rows with no estimate get nulls
    (a rate on them is then null with the reason "denominator is missing").

    Parameters
    ----------
    frame
        A DataFrame or LazyFrame.
    area
        The column of areas: old 3-digit LA numbers ("874"), 9-character ONS codes
        ("E06000031"), region codes ("E12000006") or England ("E92000001").
    year
        The column of collection years.
    name
        The name of the population column added.
    year_offset
        Years from the collection year to the estimate's mid-year.
    estimates
        Replaces the bundled estimates: a frame with ``mid_year``, ``geographic_level``,
        ``region_code``, ``old_la_code``, ``new_la_code``, ``population`` and
        ``population_vintage``.

    Returns
    -------
    F
        The same kind of frame, rows in order, with ``name``, ``population_year`` and
        ``population_vintage`` added.

    Raises
    ------
    MissingColumnError
        ``area`` or ``year`` is not in the frame.
    DataError
        The frame already has a column of one of those names.
    DuplicateKeyError
        ``estimates`` with more than one row for an area and mid-year.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"la": ["874", "E92000001"], "year": [2025, 2025]})
    >>> out = attach_population(f, area="la", year="year")
    >>> out.select("la", "population_0_17", "population_year").rows()
    [('874', 57621, 2024), ('E92000001', 12183016, 2024)]
    """
    schema = frame.collect_schema()
    check_columns(schema, [(area, "area"), (year, "year")], context="attach_population")
    for taken in (name, "population_year", "population_vintage"):
        if taken in schema:
            msg = f"the frame already has a column {taken!r}; attach_population would overwrite it"
            raise DataError(msg)
    table = _lookup(estimates if estimates is not None else _bundled())
    table = table.rename({"population": name})
    joined = (
        frame.lazy()
        .with_columns(
            pl.col(area).cast(pl.String).str.strip_chars().alias("__cyp_area"),
            (pl.col(year).cast(pl.Int64) + year_offset).alias("population_year"),
        )
        .join(
            table.lazy(),
            left_on=["__cyp_area", "population_year"],
            right_on=["area_code", "mid_year"],
            how="left",
            maintain_order="left",
        )
        .drop("__cyp_area")
    )
    if isinstance(frame, pl.DataFrame):
        return joined.collect()
    return joined
