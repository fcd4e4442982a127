"""Reading tabular inputs safely: CSV (with or without a UTF-8 BOM), Parquet, XLSX.

Every column of a CSV is read as text, so DfE's symbols (``c``, ``x``, ``low``) and LA codes with
leading zeros survive; the statistics core parses counts itself and reports what it cannot read.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .errors import DataError

__all__ = ["DFE_SENTINELS", "from_dfe_sentinels", "read_table"]

#: Negative numbers the DfE CSC dashboard stores in place of symbols, so tables sort.
DFE_SENTINELS = {-100.0: "c", -200.0: "low", -250.0: "u", -300.0: "x", -400.0: "z"}

_BOM = "\ufeff"


def _clean_names(frame: pl.DataFrame) -> pl.DataFrame:
    names = [c.lstrip(_BOM).strip() for c in frame.columns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        msg = f"duplicate column name(s) after trimming: {', '.join(map(repr, dup))}"
        raise DataError(msg)
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


def _read_workbook(path: Path, sheet: str | None) -> pl.DataFrame:
    try:
        # every row decides a column's type (polars' default looks at the first 100 only)
        return pl.read_excel(path, sheet_name=sheet, infer_schema_length=None)
    except Exception as exc:
        # fastexcel's CalamineError (not a workbook, or a damaged one) is not a polars error
        if type(exc).__module__.lstrip("_").startswith("fastexcel"):
            raise ValueError(str(exc).splitlines()[0]) from exc
        raise


def read_table(path: str | Path, *, sheet: str | None = None) -> pl.DataFrame:
    """Read a table from ``.csv``, ``.tsv``, ``.parquet`` or ``.xlsx``.

    CSV and TSV columns are text; Parquet and XLSX keep their types. An XLSX column's type is
    inferred from every row, so a column of counts with a "c" or "x" in row 150 is text (symbols
    and unreadable cells kept for the statistics core to read or reject), never numbers with the
    symbols turned into empty cells. Column names lose a leading byte-order mark and surrounding
    spaces. ``sheet`` picks an XLSX sheet by name (default:
    the first); a missing sheet or an unreadable file is a :class:`DataError` naming it.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"no such file: {str(p)!r}"
        raise FileNotFoundError(msg)
    suffix = p.suffix.lower()
    if suffix not in {".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm"}:
        msg = f"{str(p)!r}: unsupported file type {suffix!r}; use .csv, .tsv, .parquet or .xlsx"
        raise DataError(msg)
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
        else:
            frame = _read_workbook(p, sheet)
    except ModuleNotFoundError as exc:
        msg = f"{str(p)!r}: reading {suffix} needs {exc.name!r}; reinstall cyp-indicators"
        raise DataError(msg) from exc
    except (pl.exceptions.PolarsError, ValueError, OSError) as exc:
        what = f" (sheet {sheet!r})" if sheet else ""
        kind = "an Excel workbook" if suffix in {".xlsx", ".xlsm"} else suffix
        msg = f"{str(p)!r}{what}: could not be read as {kind}: {str(exc).splitlines()[0]}"
        raise DataError(msg) from exc
    return _clean_names(frame)


def from_dfe_sentinels(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Turn the DfE dashboard's negative sentinels back into symbols, as text columns.

    ``-100`` becomes ``c``, ``-200`` ``low``, ``-250`` ``u``, ``-300`` ``x``, ``-400`` ``z``; any
    other negative number is an error naming the column and value, since a rate or count cannot be
    negative. The statistics and comparison functions then read the symbols as typed reasons.
    """
    out = []
    for column in columns:
        if column not in frame.columns:
            msg = (
                f"column {column!r} not found; the frame has {', '.join(map(repr, frame.columns))}"
            )
            raise DataError(msg)
        number = frame[column].cast(pl.Float64, strict=False)
        odd = frame.filter((number < 0) & ~number.is_in(list(DFE_SENTINELS)))[column]
        if odd.len():
            msg = f"column {column!r}: negative value(s) {odd.unique().to_list()[:5]} are not DfE sentinels"
            raise DataError(msg)
        symbol = number.replace_strict(
            list(DFE_SENTINELS), list(DFE_SENTINELS.values()), default=None, return_dtype=pl.String
        )
        out.append(pl.coalesce(pl.lit(symbol), frame[column].cast(pl.String)).alias(column))
    return frame.with_columns(out)
