"""Readers for record-level returns: SSDA903 (children looked after) and the CIN census.

Each reader returns a frozen object holding one typed polars frame per table (DfE field names),
an ``exclusions`` frame (every row read but not kept, with the reason; schema in
:mod:`cyp_indicators.records.accounting`) and an :meth:`accounting` summary in which, table by
table, rows read == rows kept + rows excluded.
"""

from __future__ import annotations

from .cin_census import (
    CIN_HEADER_SCHEMA,
    CIN_TABLES,
    CINCensus,
    read_cin_census,
    read_cin_tables,
)
from .ssda903 import SSDA903, SSDA903_TABLES, read_ssda903

__all__ = [
    "CIN_HEADER_SCHEMA",
    "CIN_TABLES",
    "SSDA903",
    "SSDA903_TABLES",
    "CINCensus",
    "read_cin_census",
    "read_cin_tables",
    "read_ssda903",
]
