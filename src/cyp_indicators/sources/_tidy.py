"""Shared pieces of the published-values frame: geography columns and values with symbols."""

from __future__ import annotations

from functools import cache

import polars as pl

from ..errors import PublishedDataError
from ..geography import ENGLAND, areas, la_codes, local_authorities
from ..stats.symbols import split_numbers_and_symbols

__all__ = ["GEOGRAPHY", "check_values", "geography_columns", "parse_values"]

#: The geography columns of every published-values frame, in order.
GEOGRAPHY = (
    "geographic_level",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "area_code",
    "area_name",
)


@cache
def _tables() -> dict[str, dict[str, str | None]]:
    """Look-ups from a LAIT code (LA number, 970, 980-990) to each geography column."""
    ons = la_codes().filter(pl.col("current"))
    new = dict(zip(ons["old_la_code"], ons["new_la_code"], strict=True))
    names = dict(zip(ons["old_la_code"], ons["la_name"], strict=True))
    regions = areas()
    region_names = dict(zip(regions["area_code"], regions["name"], strict=True))
    las = local_authorities()
    out: dict[str, dict[str, str | None]] = {
        k: {} for k in ("level", "region_code", "region_name", "old", "new", "area", "name")
    }
    for row in las.iter_rows(named=True):
        code = row["old_la_code"]
        region = row["london_subregion_code"] or row["region_code"]  # as DfE's files place them
        out["level"][code] = "Local authority"
        out["region_code"][code] = region
        out["region_name"][code] = region_names.get(region)
        out["old"][code] = code
        out["new"][code] = new.get(code)
        out["area"][code] = code
        out["name"][code] = names.get(code, row["la_name"])
    for row in regions.iter_rows(named=True):
        code = row["lait_number"]
        national = row["area_code"] == ENGLAND
        out["level"][code] = "National" if national else "Regional"
        out["region_code"][code] = None if national else row["area_code"]
        out["region_name"][code] = None if national else row["name"]
        out["old"][code] = None
        out["new"][code] = None
        out["area"][code] = row["area_code"]
        out["name"][code] = row["name"]
    return out


def geography_columns(code: pl.Expr, name: pl.Expr) -> list[pl.Expr]:
    """The :data:`GEOGRAPHY` columns from LAIT's area code (LA number or 970/980-990) and name.

    An LA number the library does not know keeps its number and the file's name, with no ONS code
    or region (the bundled geography may be older than the file).
    """
    t = _tables()

    def look(key: str, default: pl.Expr | None = None) -> pl.Expr:
        table = t[key]
        return code.replace_strict(
            list(table),
            list(table.values()),
            default=default if default is not None else pl.lit(None, pl.String),
            return_dtype=pl.String,
        )

    return [
        look("level", pl.lit("Local authority")).alias("geographic_level"),
        look("region_code").alias("region_code"),
        look("region_name").alias("region_name"),
        look("old", code).alias("old_la_code"),
        look("new").alias("new_la_code"),
        look("area", code).alias("area_code"),
        look("name", name).alias("area_name"),
    ]


def parse_values(column: str) -> tuple[pl.Expr, pl.Expr]:
    """A published text column as ``(value, symbol)``: Float64 (null for a symbol or an empty
    cell) and the GSS symbol (``-`` and other legacy marks read as their current symbol)."""
    number, symbol, _ = split_numbers_and_symbols(column, name=column)
    empty = pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")
    return number, pl.when(empty & symbol.is_null()).then(pl.lit("x")).otherwise(symbol)


def check_values(frame: pl.DataFrame, column: str, file: str) -> None:
    """Text in a published value column that is neither a number nor a symbol is a
    :class:`PublishedDataError` naming the file, the column and the first rows."""
    _, _, unreadable = split_numbers_and_symbols(column, name=column)
    bad = frame.with_row_index("__row").filter(unreadable).head(5)
    if bad.height:
        shown = ", ".join(f"row {r}: {v!r}" for r, v in bad.select("__row", column).iter_rows())
        msg = f"column {column!r} holds text that is neither a number nor a DfE symbol ({shown})"
        raise PublishedDataError(file, msg)
