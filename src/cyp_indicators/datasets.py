"""Bundled reference data: DfE's published LA-level children's social care counts.

Read with every count as text, so DfE's symbols (``c``, ``x``, ``z``, ``low``) stay typed values
until the statistics core reads them. Provenance: ``src/cyp_indicators/data/README.md``.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from .resources import data_file

__all__ = ["COUNT_COLUMNS", "csc_counts"]

#: The count columns of :func:`csc_counts`, each named as the definitions expect.
COUNT_COLUMNS = (
    "cin_at_31_march",
    "referrals",
    "re_referrals",
    "cpp_at_31_march",
    "cpp_starts",
    "cpp_starts_second_or_subsequent",
    "cla_at_31_march",
    "cla_starts",
    "cla_ceased",
)


@cache
def _read() -> pl.DataFrame:
    frame = pl.read_csv(data_file("csc_counts.csv"), infer_schema_length=0)
    return frame.with_columns(pl.col("year").cast(pl.Int64))


def csc_counts() -> pl.DataFrame:
    """DfE's published counts for England, regions and LAs, one row per geography and year.

    CIN, referral and CPP counts cover 2013 to 2025; CLA counts 2021 to 2025. England and regional
    counts are rounded to the nearest 10 by DfE. A new frame on every call: changing it
    (``frame[0, "cla_at_31_march"] = ...``) changes nothing in the library or for any other caller.

    Returns
    -------
    polars.DataFrame
        ``year`` (collection year: 2025 is the year ending 31 March 2025), ``geographic_level``
        ("National", "Regional", "Local authority"), ``region_code``, ``region_name``,
        ``old_la_code`` ("874"), ``new_la_code`` ("E06000031"), ``la_name``, then the counts of
        :data:`COUNT_COLUMNS`, as text.

    Examples
    --------
    >>> counts = csc_counts()
    >>> counts.filter(old_la_code="874", year=2025).select("cla_at_31_march", "referrals").row(0)
    ('416', '3850')
    """
    return _read().clone()
