"""Reading tabular inputs safely: CSV (with or without a UTF-8 BOM), Parquet, XLSX.

Every column of a CSV is read as text, so DfE's symbols (``c``, ``x``, ``low``) and LA codes with
leading zeros survive; the statistics core parses counts itself and reports what it cannot read.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .errors import DataError

__all__ = ["read_table"]

_BOM = "\ufeff"


def _clean_names(frame: pl.DataFrame) -> pl.DataFrame:
    names = [c.lstrip(_BOM).strip() for c in frame.columns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        msg = f"duplicate column name(s) after trimming: {', '.join(map(repr, dup))}"
        raise DataError(msg)
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


def read_table(path: str | Path, *, sheet: str | None = None) -> pl.DataFrame:
    """Read a table from ``.csv``, ``.tsv``, ``.parquet`` or ``.xlsx``.

    CSV and TSV columns are text; Parquet and XLSX keep their types. Column names lose a leading
    byte-order mark and surrounding spaces. XLSX needs the optional ``fastexcel`` package
    (``pip install cyp-indicators[excel]``); ``sheet`` picks a sheet by name.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"no such file: {str(p)!r}"
        raise FileNotFoundError(msg)
    suffix = p.suffix.lower()
    try:
        if suffix in {".csv", ".tsv", ".txt"}:
            frame = pl.read_csv(
                p,
                separator="\t" if suffix == ".tsv" else ",",
                infer_schema_length=0,
                encoding="utf8",
            )
        elif suffix == ".parquet":
            frame = pl.read_parquet(p)
        elif suffix in {".xlsx", ".xlsm"}:
            frame = pl.read_excel(p, sheet_name=sheet) if sheet else pl.read_excel(p)
        else:
            msg = f"{str(p)!r}: unsupported file type {suffix!r}; use .csv, .tsv, .parquet or .xlsx"
            raise DataError(msg)
    except ModuleNotFoundError as exc:
        msg = (
            f"{str(p)!r}: reading {suffix} needs {exc.name!r}; pip install 'cyp-indicators[excel]'"
        )
        raise DataError(msg) from exc
    except pl.exceptions.ComputeError as exc:
        msg = f"{str(p)!r}: could not be read as {suffix}: {exc}"
        raise DataError(msg) from exc
    return _clean_names(frame)
