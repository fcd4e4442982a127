"""Reading tabular inputs safely: CSV (with or without a UTF-8 BOM), Parquet, XLSX.

Every column of a CSV is read as text, so DfE's symbols (``c``, ``x``, ``low``) and LA codes with
leading zeros survive; the statistics core parses counts itself and reports what it cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl

from .errors import DataError

__all__ = ["DFE_SENTINELS", "from_dfe_sentinels", "read_table"]

#: Negative numbers the DfE CSC dashboard stores in place of symbols, so tables sort. Read-only:
#: a caller cannot change how the library reads the dashboard for everyone else.
DFE_SENTINELS: Mapping[float, str] = MappingProxyType(
    {-100.0: "c", -200.0: "low", -250.0: "u", -300.0: "x", -400.0: "z"}
)

_BOM = "\ufeff"


def _clean(name: str) -> str:
    return name.lstrip(_BOM).strip()


def _clean_names(frame: pl.DataFrame) -> pl.DataFrame:
    names = [_clean(c) for c in frame.columns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        msg = f"duplicate column name(s) after trimming: {', '.join(map(repr, dup))}"
        raise DataError(msg)
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


def _header(path: Path, suffix: str, sheet: str | None) -> list[str]:
    """The header row as written (polars renames a repeated name: ``cla``, ``cla_duplicated_0``)."""
    if suffix in {".csv", ".tsv", ".txt"}:
        first = pl.read_csv(
            path,
            has_header=False,
            n_rows=1,
            infer_schema_length=0,
            separator="\t" if suffix == ".tsv" else ",",
            encoding="utf8",
        )
    elif suffix in {".xlsx", ".xlsm"}:
        first = _read_workbook(path, sheet, has_header=False, read_options={"n_rows": 1})
    else:  # Parquet holds each name once
        return []
    return [] if first.is_empty() else [str(c) for c in first.row(0) if c is not None]


def _check_header(path: Path, names: list[str]) -> None:
    cleaned = [_clean(n) for n in names]
    repeated = sorted({n for n in cleaned if n and cleaned.count(n) > 1})
    if repeated:
        msg = (
            f"{str(path)!r}: the header names column(s) {', '.join(map(repr, repeated))} more "
            "than once; each column needs a name of its own"
        )
        raise DataError(msg)


def _read_workbook(path: Path, sheet: str | None, **options: Any) -> pl.DataFrame:
    options.setdefault("infer_schema_length", None)
    try:
        # every row decides a column's type (polars' default looks at the first 100 only)
        frame: pl.DataFrame = pl.read_excel(path, sheet_name=sheet, **options)
    except Exception as exc:
        # fastexcel's CalamineError (not a workbook, or a damaged one) is not a polars error
        if type(exc).__module__.lstrip("_").startswith("fastexcel"):
            raise ValueError(str(exc).splitlines()[0]) from exc
        raise
    return frame


def read_table(path: str | Path, *, sheet: str | None = None) -> pl.DataFrame:
    """Read a table from ``.csv``, ``.tsv``, ``.parquet`` or ``.xlsx``, keeping DfE's symbols.

    CSV and TSV columns are text; Parquet and XLSX keep their types. An XLSX column's type is
    inferred from every row, so a column of counts with a "c" or "x" in row 150 is text (symbols
    and unreadable cells kept for the statistics core to read or reject), never numbers with the
    symbols turned into empty cells. Column names lose a leading byte-order mark and surrounding
    spaces. Only a regular file is read: a named pipe or a device would never end.

    Parameters
    ----------
    path
        The file (``.csv``, ``.tsv``, ``.txt`` as CSV, ``.parquet``, ``.xlsx``, ``.xlsm``).
    sheet
        An XLSX sheet, by name (default: the first).

    Returns
    -------
    polars.DataFrame
        The table.

    Raises
    ------
    FileNotFoundError
        No such file.
    DataError
        Not a regular file, an unsupported file type, a header that names a column twice (polars
        would rename the second copy, and the first would be used without a word), names that
        repeat once trimmed, a CSV that is not UTF-8 text, a missing sheet or a file that cannot
        be read, each naming the file.

    Examples
    --------
    >>> from cyp_indicators.resources import data_file
    >>> codes = read_table(data_file("geography/la_codes.csv"))
    >>> codes.filter(old_la_code="874").select("new_la_code", "la_name", "current").row(0)
    ('E06000031', 'Peterborough', 'true')
    """
    p = Path(path)
    if not p.is_file():
        if p.exists():
            msg = f"{str(p)!r} is not a regular file (a folder, a pipe or a device?)"
            raise DataError(msg)
        msg = f"no such file: {str(p)!r}"
        raise FileNotFoundError(msg)
    suffix = p.suffix.lower()
    if suffix not in {".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm"}:
        msg = f"{str(p)!r}: unsupported file type {suffix!r}; use .csv, .tsv, .parquet or .xlsx"
        raise DataError(msg)
    try:
        _check_header(p, _header(p, suffix, sheet))
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
    except DataError:
        raise
    except (pl.exceptions.PolarsError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if suffix in {".csv", ".tsv", ".txt"} and "utf-8" in first.lower():
            msg = (
                f'{str(p)!r} is not UTF-8 text ({first}); save it as UTF-8 (in Excel: "CSV UTF-8")'
            )
            raise DataError(msg) from exc
        what = f" (sheet {sheet!r})" if sheet else ""
        kind = "an Excel workbook" if suffix in {".xlsx", ".xlsm"} else suffix
        msg = f"{str(p)!r}{what}: could not be read as {kind}: {first}"
        raise DataError(msg) from exc
    return _clean_names(frame)


def from_dfe_sentinels(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Turn the DfE dashboard's negative sentinels back into symbols, as text columns.

    ``-100`` becomes ``c``, ``-200`` ``low``, ``-250`` ``u``, ``-300`` ``x``, ``-400`` ``z``
    (:data:`DFE_SENTINELS`). The statistics and comparison functions then read the symbols as
    typed reasons.

    Parameters
    ----------
    frame
        A frame read from the dashboard's data.
    columns
        The columns to convert (numbers, or text holding numbers).

    Returns
    -------
    polars.DataFrame
        ``frame`` with those columns as text: a sentinel as its symbol, any other value as written.

    Raises
    ------
    DataError
        A column the frame does not have, or a negative number that is no sentinel (a rate or
        count cannot be negative), naming the column and values.

    Examples
    --------
    >>> import polars as pl
    >>> from_dfe_sentinels(pl.DataFrame({"rate": [72.2, -100.0, -400.0]}), ["rate"])["rate"].to_list()
    ['72.2', 'c', 'z']
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
