"""Area codes and names: local authorities (old LA numbers, ONS codes), regions and England."""

from __future__ import annotations

import difflib
import re
from functools import cache

import polars as pl

from ..errors import UnknownAreaError
from ..resources import data_file

__all__ = [
    "ENGLAND",
    "area_name",
    "areas",
    "canonical_area",
    "canonical_expr",
    "canonical_la",
    "is_aggregate_code",
    "is_england",
    "la_codes",
    "la_name",
    "local_authorities",
    "region_of",
    "resolve_la",
]

#: England's ONS code, the area code of national rows.
ENGLAND = "E92000001"
_AGGREGATE = re.compile(r"^(E92000001|E1[23]\d{6}|9[7-9]\d)$")


@cache
def _la_codes() -> pl.DataFrame:
    frame = pl.read_csv(data_file("geography/la_codes.csv"), infer_schema_length=0)
    return frame.with_columns(pl.col("current") == "true")


@cache
def _local_authorities() -> pl.DataFrame:
    las = pl.read_csv(data_file("geography/local_authorities.csv"), infer_schema_length=0)
    names = _areas().select(
        pl.col("area_code").alias("region_code"), pl.col("name").alias("region_name")
    )
    return las.join(names, on="region_code", how="left", maintain_order="left").select(
        "old_la_code", "la_name", "la_type", "region_code", "region_name", "london_subregion_code"
    )


@cache
def _areas() -> pl.DataFrame:
    return pl.read_csv(data_file("geography/areas.csv"), infer_schema_length=0)


def la_codes() -> pl.DataFrame:
    """Every LA's old number with each ONS code it has had (``current`` marks the latest).

    Columns ``old_la_code``, ``new_la_code``, ``la_name``, ``region_name``, ``current``. A new
    frame on every call: changing it changes nothing in the library.
    """
    return _la_codes().clone()


def local_authorities() -> pl.DataFrame:
    """One row per local authority that has reported since 2013, abolished ones included.

    Columns ``old_la_code``, ``la_name``, ``la_type`` (UA, MD, SC, ILB, OLB as LAIT gives them),
    ``region_code`` and ``region_name`` (the ONS region; London for London boroughs),
    ``london_subregion_code`` (Inner or Outer London, as DfE's files place each borough).
    """
    return _local_authorities().clone()


def areas() -> pl.DataFrame:
    """England and the regions: ``area_code``, ``name``, ``geographic_level``, ``parent_code``,
    ``lait_number`` (LAIT's 970 for England, 980-990 for regions)."""
    return _areas().clone()


@cache
def _lookup() -> dict[str, str]:
    table = _la_codes()
    out = {old: old for old in table["old_la_code"]}
    out |= dict(zip(table["new_la_code"], table["old_la_code"], strict=True))
    return out


@cache
def _aggregate_lookup() -> dict[str, str]:
    table = _areas()
    out = {code: code for code in table["area_code"]}
    out |= dict(zip(table["lait_number"], table["area_code"], strict=True))
    out |= {
        name.upper(): code for name, code in zip(table["name"], table["area_code"], strict=True)
    }
    return out


def is_aggregate_code(code: str) -> bool:
    """Whether ``code`` names England or a region (ONS ``E92``/``E12``/``E13`` or LAIT 970-990)."""
    return bool(_AGGREGATE.match(str(code).strip()))


def canonical_la(code: str) -> str | None:
    """The old 3-digit LA number for an old number or an ONS code; None if unknown."""
    return _lookup().get(str(code).strip().upper())  # "e06000031" is E06000031


def canonical_area(code: str) -> str | None:
    """An LA's old number, or England's and a region's ONS code (from an ONS code, a LAIT number
    or the name); None if unknown.

    >>> canonical_area("970"), canonical_area("E06000031"), canonical_area("987")
    ('E92000001', '874', 'E13000001')
    """
    text = str(code).strip().upper()
    return _lookup().get(text) or _aggregate_lookup().get(text)


def resolve_la(code: str) -> str:
    """The old LA number of an LA code, or :class:`UnknownAreaError` with close matches (codes
    and names)."""
    old = canonical_la(code)
    if old is not None:
        return old
    table = _la_codes()
    names = {
        str(n).lower(): str(o) for n, o in zip(table["la_name"], table["old_la_code"], strict=True)
    }
    known = [*table["old_la_code"].unique().to_list(), *table["new_la_code"].to_list()]
    close = difflib.get_close_matches(str(code).strip(), known, n=3)
    close += [
        f"{names[n]} ({n.title()})"
        for n in difflib.get_close_matches(str(code).strip().lower(), list(names), n=3)
    ]
    msg = f"unknown local authority code {code!r}: neither an old LA number nor an ONS code"
    raise UnknownAreaError(msg, close)


def la_name(code: str) -> str | None:
    """The LA's name (from its current ONS code row), or None."""
    old = canonical_la(code)
    if old is None:
        return None
    rows = _la_codes().filter((pl.col("old_la_code") == old) & pl.col("current"))
    return str(rows["la_name"][0]) if rows.height else None


def area_name(code: str) -> str | None:
    """The name of an LA, a region or England, from any code :func:`canonical_area` reads."""
    found = canonical_area(code)
    if found is None:
        return None
    if found[0].isdigit():
        return la_name(found)
    row = _areas().filter(pl.col("area_code") == found)
    return str(row["name"][0])


def region_of(code: str, *, london: str = "region") -> str:
    """The ONS region code of an LA (``london="subregion"``: Inner/Outer London for a borough).

    Raises :class:`UnknownAreaError` for a code that is no LA.
    """
    old = resolve_la(code)
    row = _local_authorities().filter(pl.col("old_la_code") == old).row(0, named=True)
    if london == "subregion" and row["london_subregion_code"]:
        return str(row["london_subregion_code"])
    return str(row["region_code"])


def is_england(column: str, schema: pl.Schema | None = None) -> pl.Expr:
    """England's rows of a frame: ``E92000001`` (or LAIT's 970) in ``column``, or a DfE
    download's national row (``geographic_level == "National"``, when the frame has that
    column: pass its ``schema``)."""
    code = pl.col(column).cast(pl.String).str.strip_chars()
    england = code.is_in([ENGLAND, "970"])
    if schema is not None and "geographic_level" in schema:
        england = england | (pl.col("geographic_level").cast(pl.String) == "National")
    return england.fill_null(False)


def canonical_expr(column: str) -> pl.Expr:
    """An expression mapping a code column to old LA numbers (null where not an LA code)."""
    lookup = _lookup()
    return (
        pl.col(column)
        .cast(pl.String)
        .str.strip_chars()
        .str.to_uppercase()
        .replace_strict(list(lookup), list(lookup.values()), default=None, return_dtype=pl.String)
    )
