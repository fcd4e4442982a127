"""Local-authority codes: old 3-digit LA numbers and 9-character ONS codes, both accepted.

The old LA number ("874") is the canonical key: it survives the ONS recoding of an unchanged
authority (Buckinghamshire E10000002 -> E06000060). England is ``E92000001``; regions are
``E12...`` (and ``E13...`` for Inner and Outer London).
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from ..resources import data_file

__all__ = ["ENGLAND", "canonical_la", "is_aggregate_code", "la_codes", "la_name"]

#: England's ONS code, the area code of national rows.
ENGLAND = "E92000001"
_AGGREGATE = re.compile(r"^(E92000001|E1[23]\d{6}|9[7-9]\d)$")


@cache
def la_codes() -> pl.DataFrame:
    """Every LA's old number with each ONS code it has had (``current`` marks the latest)."""
    frame = pl.read_csv(data_file("la_codes.csv"), infer_schema_length=0)
    return frame.with_columns(pl.col("current") == "true")


@cache
def _lookup() -> dict[str, str]:
    table = la_codes()
    out = {old: old for old in table["old_la_code"]}
    out |= dict(zip(table["new_la_code"], table["old_la_code"], strict=True))
    return out


def is_aggregate_code(code: str) -> bool:
    """Whether ``code`` names England or a region rather than an LA."""
    return bool(_AGGREGATE.match(code.strip()))


def canonical_la(code: str) -> str | None:
    """The old 3-digit LA number for an old number or an ONS code; None if unknown."""
    return _lookup().get(str(code).strip().upper())  # "e06000031" is E06000031


def la_name(code: str) -> str | None:
    """The LA's name (from its current ONS code row), or None."""
    old = canonical_la(code)
    if old is None:
        return None
    rows = la_codes().filter((pl.col("old_la_code") == old) & pl.col("current"))
    return str(rows["la_name"][0]) if rows.height else None


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
