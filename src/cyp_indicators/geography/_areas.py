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
    """Every LA's old number with each ONS code it has had.

    A new frame on every call: changing it changes nothing in the library.

    Returns
    -------
    polars.DataFrame
        ``old_la_code``, ``new_la_code`` (ONS), ``la_name``, ``region_name``, ``current`` (true
        for the latest ONS code of the authority).

    Examples
    --------
    >>> la_codes().filter(old_la_code="826").rows()
    [('826', 'E06000042', 'Milton Keynes', 'South East', True)]
    """
    return _la_codes().clone()


def local_authorities() -> pl.DataFrame:
    """One row per local authority that has reported since 2013, abolished ones included.

    A new frame on every call.

    Returns
    -------
    polars.DataFrame
        ``old_la_code``, ``la_name``, ``la_type`` (UA, MD, SC, ILB, OLB as LAIT gives them),
        ``region_code`` and ``region_name`` (the ONS region; London for London boroughs),
        ``london_subregion_code`` (Inner or Outer London, as DfE's files place each borough; null
        outside London).

    Examples
    --------
    >>> local_authorities().filter(old_la_code="874").row(0)
    ('874', 'Peterborough', 'UA', 'E12000006', 'East of England', None)
    """
    return _local_authorities().clone()


def areas() -> pl.DataFrame:
    """England and the regions, with their codes.

    A new frame on every call.

    Returns
    -------
    polars.DataFrame
        ``area_code`` (ONS), ``name``, ``geographic_level`` (``"National"``, ``"Regional"``, ...),
        ``parent_code``, ``lait_number`` (LAIT's 970 for England, 980-990 for regions).

    Examples
    --------
    >>> areas().filter(area_code="E92000001").row(0)
    ('E92000001', 'England', 'National', None, '970')
    """
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
    """Whether ``code`` names England or a region rather than a local authority.

    Parameters
    ----------
    code
        A code: ONS ``E92``/``E12``/``E13`` codes and LAIT's 970-999 are aggregates.

    Returns
    -------
    bool
        True for England or a region (by the code's form; whether it exists is not checked).

    Examples
    --------
    >>> is_aggregate_code("E12000006"), is_aggregate_code("985"), is_aggregate_code("874")
    (True, True, False)
    """
    return bool(_AGGREGATE.match(str(code).strip()))


def canonical_la(code: str) -> str | None:
    """The old 3-digit LA number for an old number or an ONS code (in any case, trimmed).

    Parameters
    ----------
    code
        An LA's old number (``"874"``) or any ONS code it has had (``"E06000031"``).

    Returns
    -------
    str or None
        The old number; None for a code that is no LA's.

    Examples
    --------
    >>> canonical_la("E06000031"), canonical_la(" e06000031"), canonical_la("E92000001")
    ('874', '874', None)
    """
    return _lookup().get(str(code).strip().upper())  # "e06000031" is E06000031


def canonical_area(code: str) -> str | None:
    """An LA's old number, or England's and a region's ONS code, from any code or name for it.

    Parameters
    ----------
    code
        An LA's old number or ONS code, or England's or a region's ONS code, LAIT number or name
        (in any case, trimmed).

    Returns
    -------
    str or None
        The LA's old number or the aggregate's ONS code; None if unknown.

    Examples
    --------
    >>> canonical_area("970"), canonical_area("E06000031"), canonical_area("987")
    ('E92000001', '874', 'E13000001')
    >>> canonical_area("east of england")
    'E12000006'
    """
    text = str(code).strip().upper()
    return _lookup().get(text) or _aggregate_lookup().get(text)


def resolve_la(code: str) -> str:
    """The old LA number of an LA code, or an error listing the close matches.

    Parameters
    ----------
    code
        An LA's old number or any ONS code it has had.

    Returns
    -------
    str
        The old number.

    Raises
    ------
    UnknownAreaError
        A code that is no LA's, with close codes and names (LA names are matched too, so a name
        given by mistake is suggested with its number).

    Examples
    --------
    >>> resolve_la("E06000031")
    '874'
    """
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
    """The LA's name (from its current ONS code row).

    Parameters
    ----------
    code
        An LA's old number or any ONS code it has had.

    Returns
    -------
    str or None
        The name; None for a code that is no LA's.

    Examples
    --------
    >>> la_name("874"), la_name("E06000031"), la_name("E92000001")
    ('Peterborough', 'Peterborough', None)
    """
    old = canonical_la(code)
    if old is None:
        return None
    rows = _la_codes().filter((pl.col("old_la_code") == old) & pl.col("current"))
    return str(rows["la_name"][0]) if rows.height else None


def area_name(code: str) -> str | None:
    """The name of an LA, a region or England, from any code :func:`canonical_area` reads.

    Parameters
    ----------
    code
        An LA's, region's or England's code (or LAIT number).

    Returns
    -------
    str or None
        The name; None if unknown.

    Examples
    --------
    >>> area_name("970"), area_name("E12000006"), area_name("874")
    ('England', 'East of England', 'Peterborough')
    """
    found = canonical_area(code)
    if found is None:
        return None
    if found[0].isdigit():
        return la_name(found)
    row = _areas().filter(pl.col("area_code") == found)
    return str(row["name"][0])


def region_of(code: str, *, london: str = "region") -> str:
    """The ONS region code of an LA.

    Parameters
    ----------
    code
        An LA's old number or any ONS code it has had.
    london
        ``"subregion"``: Inner or Outer London (``E13000001``/``E13000002``) for a London borough,
        as DfE's files place it; anything else (the default ``"region"``): London, ``E12000007``.

    Returns
    -------
    str
        The region's ONS code.

    Raises
    ------
    UnknownAreaError
        A code that is no LA's.

    Examples
    --------
    >>> region_of("874"), region_of("202"), region_of("202", london="subregion")
    ('E12000006', 'E12000007', 'E13000001')
    """
    old = resolve_la(code)
    row = _local_authorities().filter(pl.col("old_la_code") == old).row(0, named=True)
    if london == "subregion" and row["london_subregion_code"]:
        return str(row["london_subregion_code"])
    return str(row["region_code"])


def is_england(column: str, schema: pl.Schema | None = None) -> pl.Expr:
    """An expression marking England's rows of a frame.

    Parameters
    ----------
    column
        The area-code column: ``E92000001`` or LAIT's ``970`` (trimmed) is England.
    schema
        The frame's schema: when it has a ``geographic_level`` column (a DfE download), a
        ``"National"`` row is England's too.

    Returns
    -------
    polars.Expr
        Boolean, never null.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"code": ["970", "874", None],
    ...                   "geographic_level": ["National", "Local authority", "National"]})
    >>> f.select(is_england("code")).to_series().to_list()
    [True, False, False]
    >>> f.select(is_england("code", f.schema)).to_series().to_list()
    [True, False, True]
    """
    code = pl.col(column).cast(pl.String).str.strip_chars()
    england = code.is_in([ENGLAND, "970"])
    if schema is not None and "geographic_level" in schema:
        england = england | (pl.col("geographic_level").cast(pl.String) == "National")
    return england.fill_null(False)


def canonical_expr(column: str) -> pl.Expr:
    """An expression mapping a code column to old LA numbers (null where not an LA code).

    Parameters
    ----------
    column
        A column of LA codes: old numbers or ONS codes, in any case, trimmed.

    Returns
    -------
    polars.Expr
        String, the old number or null.

    Examples
    --------
    >>> import polars as pl
    >>> codes = pl.DataFrame({"code": ["E06000031", " e06000031", "874", "E12000006"]})
    >>> codes.select(canonical_expr("code")).to_series().to_list()
    ['874', '874', '874', None]
    """
    lookup = _lookup()
    return (
        pl.col(column)
        .cast(pl.String)
        .str.strip_chars()
        .str.to_uppercase()
        .replace_strict(list(lookup), list(lookup.values()), default=None, return_dtype=pl.String)
    )
