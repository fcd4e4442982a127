"""What every command shares: usage errors, argument types, reading the input and writing output."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ..catalogue import Catalogue, load_catalogue
from ..errors import DataError, InvalidValueError
from ..io import read_table
from ..model import IndicatorDefinition, Version
from ..safe_output import (
    codec_name,
    json_text,
    neutralise_formulas,
    printable,
    refuse_inputs,
    write_atomically,
)

__all__ = [
    "ProgressBar",
    "UsageError",
    "catalogue_of",
    "check_outputs",
    "definition_of",
    "in_file",
    "is_write_error",
    "positive_int",
    "positive_number",
    "print_json",
    "read_input",
    "regular_input",
    "table_config",
    "version_pin",
    "with_definitions",
    "with_pin",
    "write",
    "write_error_reason",
]

EXCEL = (".xlsx", ".xlsm")
TEXT_TABLES = (".csv", ".tsv", ".txt")
OUTPUTS = (".csv", ".parquet", ".xlsx", ".json")
_MAX_LINES_SHOWN = 10


class UsageError(Exception):
    """An option that does not fit the others: exit code 2, like argparse's own errors."""


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        msg = f"must be a whole number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if number < 1:
        msg = f"must be at least 1, got {number}"
        raise argparse.ArgumentTypeError(msg)
    return number


def positive_number(text: str) -> float:
    """An argparse type: a finite number above 0 (``nan``, ``inf`` and ``1e400`` are not)."""
    try:
        number = float(text)
    except ValueError:
        msg = f"must be a number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not (math.isfinite(number) and number > 0):
        msg = f"must be a finite number above 0, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


def version_pin(text: str) -> str:
    """An argparse type: a version pin the catalogue accepts (1, 1.2 or 1.2.3)."""
    try:
        Version.parse_pin(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


class ProgressBar:
    """A progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = sys.stderr.isatty()

    def __call__(self, done: int, total: int, step: str) -> None:
        if not self.shown:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        # the stream under the command line's SafeStream: the carriage return must pass
        stream = getattr(sys.stderr, "raw", sys.stderr)
        stream.write(f"\r{self.label} [{bar}] {done}/{total} {printable(step)[:40]:<40}")
        stream.flush()

    def close(self) -> None:
        if self.shown:
            stream = getattr(sys.stderr, "raw", sys.stderr)
            stream.write("\r" + " " * 100 + "\r")
            stream.flush()


def with_definitions(p: argparse.ArgumentParser) -> None:
    """``--definitions DIR`` (repeatable): a council's own definitions beside the bundled ones."""
    p.add_argument(
        "--definitions",
        action="append",
        metavar="DIR",
        help="also load a folder of your own definitions",
    )


def filter_pair(text: str) -> tuple[str, str]:
    """``COLUMN=VALUE`` of ``--filter`` (the value may hold '=' and spaces; quotes are the
    shell's)."""
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        msg = f"--filter takes COLUMN=VALUE, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return column.strip(), value.strip()


def with_filter(p: argparse.ArgumentParser) -> None:
    """``--filter COLUMN=VALUE`` (repeatable): the rows of a DfE file to use."""
    p.add_argument(
        "--filter",
        dest="filters",
        action="append",
        type=filter_pair,
        default=[],
        metavar="COLUMN=VALUE",
        help="keep the rows whose COLUMN holds VALUE (repeatable), e.g. "
        '--filter population_type="Children looked after on 31 March each year"',
    )


def filters_of(args: argparse.Namespace) -> dict[str, str]:
    """The ``--filter`` pairs as a mapping; a column given twice is a usage error."""
    out: dict[str, str] = {}
    for column, value in getattr(args, "filters", None) or []:
        if column in out and out[column] != value:
            msg = f"--filter names column {column!r} twice ({out[column]!r} and {value!r})"
            raise UsageError(msg)
        out[column] = value
    return out


def with_pin(p: argparse.ArgumentParser, year_help: str) -> None:
    """``--version V | --year Y``: a pinned version or the version in force that year."""
    pin = p.add_mutually_exclusive_group()
    pin.add_argument(
        "--version", dest="version", type=version_pin, help="a version pin: 1, 1.2 or 1.2.3"
    )
    pin.add_argument("--year", type=int, help=year_help)


def catalogue_of(args: argparse.Namespace) -> Catalogue:
    """The bundled catalogue with the folders of ``--definitions``."""
    folders = getattr(args, "definitions", None) or []
    if any(not folder.strip() for folder in folders):
        # Path("") is the current folder: every .toml under it would load (pyproject.toml too)
        msg = "--definitions needs a folder name, got an empty one"
        raise UsageError(msg)
    return load_catalogue(*folders)


def definition_of(args: argparse.Namespace) -> IndicatorDefinition:
    """``args.id`` from the catalogue: pinned, in force for ``--year``, or the latest."""
    cat = catalogue_of(args)
    if getattr(args, "version", None) is not None:
        return cat.get(args.id, version=args.version)
    if getattr(args, "year", None) is not None:
        return cat.get(args.id, year=args.year)
    return cat.get(args.id)


def regular_input(path: str, option: str = "--input") -> Path:
    """``path`` when it is a regular file or a folder; a pipe or a device (which would never
    end) or a missing path is a :class:`DataError` naming it."""
    p = Path(path)
    if not p.exists():
        msg = f"{option} {path!r} does not exist"
        raise DataError(msg)
    if not (p.is_file() or p.is_dir()):
        msg = f"{option} {path!r} is not a regular file or a folder (a pipe or a device?)"
        raise DataError(msg)
    return p


def read_input(path: str, sheet: str | None = None, *, folder_hint: str = "") -> pl.DataFrame:
    """The ``--input`` table; a folder or a ``--sheet`` on a non-Excel file is one line."""
    p = Path(path)
    if sheet is not None and p.suffix.lower() not in EXCEL:
        msg = f"--sheet applies only to an Excel input (.xlsx), not {p.name!r}"
        raise UsageError(msg)
    if p.is_dir():
        msg = (
            f"{path!r} is a folder; --input takes one table file "
            f"(.csv, .tsv, .parquet or .xlsx){folder_hint}"
        )
        raise DataError(msg)
    return read_table(p, sheet=sheet)


def in_file(path: str, exc: DataError, kept: Sequence[int] | None = None) -> DataError:
    """``exc`` naming the input file and, for a CSV, the file's lines of the rows it names.

    ``kept``: the file's row positions of the frame's rows, when some rows were left out.
    """
    text = f"{path}: {exc}"
    if isinstance(exc, InvalidValueError) and Path(path).suffix.lower() in TEXT_TABLES:
        rows = [kept[row] if kept is not None else row for row in exc.rows]
        lines = ", ".join(str(row + 2) for row in rows[:_MAX_LINES_SHOWN])
        more = f" and {len(rows) - _MAX_LINES_SHOWN} more" if len(rows) > _MAX_LINES_SHOWN else ""
        text += f" [line {lines}{more} of the file, the header being line 1]"
    return DataError(text)


def _lists_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns (``sn_missing``) as text, members joined by ", ": CSV holds no nesting."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(
        pl.col(name).cast(pl.List(pl.String)).list.join(", ") for name in lists
    )


def _inputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The files and folders a command reads, as ``(option, path)`` pairs."""
    found = [
        (f"--{option}", given)
        for option in ("input", "groups", "source")
        if isinstance(given := getattr(args, option, None), str) and Path(given).exists()
    ]
    found += [("--definitions", folder) for folder in getattr(args, "definitions", None) or []]
    return found


def check_outputs(args: argparse.Namespace, *options: str) -> None:
    """Refuse, before any work, an output of the wrong type, one that names an input (or lies in
    an input folder), a folder, or two outputs that name one file."""
    seen: dict[str, str] = {}
    for option in options:
        output = getattr(args, option, None)
        if output is None:
            continue
        flag = f"--{option}"
        suffix = Path(output).suffix.lower()
        if suffix not in OUTPUTS:
            msg = f"{flag} {output!r}: unsupported output type {suffix!r}; use {', '.join(OUTPUTS)}"
            raise UsageError(msg)
        if Path(output).is_dir():
            msg = f"{flag} {output!r} is a folder; give a file name"
            raise UsageError(msg)
        try:
            refuse_inputs(output, _inputs(args))
        except DataError as exc:
            raise UsageError(f"{flag} {exc}") from exc
        real = str(Path(output).resolve())
        if real in seen:
            msg = f"{flag} and {seen[real]} name the same file {output!r}"
            raise UsageError(msg)
        seen[real] = flag


def is_write_error(exc: BaseException) -> bool:
    """An error from writing a file: the OS's, polars' (a Parquet writer that met a full disk
    says "Invalid thrift"), or xlsxwriter's (which are not ``OSError``)."""
    return isinstance(exc, OSError | pl.exceptions.PolarsError) or (
        type(exc).__module__.split(".")[0] == "xlsxwriter"
    )


def write_error_reason(exc: BaseException) -> str:
    """An OS error's reason without ``[Errno 28]``; xlsxwriter wraps the OS error it met."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
    return getattr(inner, "strerror", None) or str(inner).splitlines()[0]


def print_json(data: object) -> None:
    """Print ``data`` as JSON that the console can show and any reader can parse."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(json_text(data, encoding=encoding))


def table_config(**options: Any) -> pl.Config:
    """polars' table options for printing, in ASCII where the console cannot show box-drawing
    characters (a cp1252 console)."""
    encoding = codec_name(getattr(sys.stdout, "encoding", None) or "utf-8")
    if not encoding.startswith("utf"):
        options.setdefault("tbl_formatting", "ASCII_FULL_CONDENSED")
    return pl.Config(**options)


def _write_file(frame: pl.DataFrame, suffix: str, path: Path) -> None:
    if suffix == ".csv":
        neutralise_formulas(_lists_as_text(frame)).write_csv(path)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".json":
        path.write_text(json_text(frame.to_dicts()) + "\n", encoding="utf-8")
    else:  # .xlsx: polars stores text as text, never as a formula
        frame.write_excel(path)


def write(frame: pl.DataFrame, output: str | None) -> None:
    """Print ``frame``, or write it to ``output`` (.csv, .parquet, .xlsx or .json).

    The file is written beside the target and renamed over it only when complete, so an error or
    Ctrl-C leaves what was there. CSV text cells that a spreadsheet would run as a formula are
    prefixed with ``'``; JSON holds ``null`` for any NaN or infinity.
    """
    if output is None:
        with table_config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=80):
            print(frame)
        return
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in OUTPUTS:
        msg = f"{output!r}: unsupported output type {suffix!r}; use {', '.join(OUTPUTS)}"
        raise DataError(msg)
    try:
        write_atomically(path, lambda temporary: _write_file(frame, suffix, temporary))
    except ModuleNotFoundError as exc:
        msg = f"{output!r}: writing {suffix} needs {exc.name!r} (pip install xlsxwriter)"
        raise DataError(msg) from exc
    except Exception as exc:
        if not is_write_error(exc):
            raise
        msg = f"cannot write {output!r}: {write_error_reason(exc)}"
        raise DataError(msg) from exc
    print(f"wrote {path}", file=sys.stderr)
