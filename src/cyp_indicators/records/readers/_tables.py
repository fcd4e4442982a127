"""Shared machinery of the readers: table specs, typing, row checks, duplicates and CSV files.

Every reader turns its input into *raw* frames first: one String column per field (list columns
stay lists), plus ``source_file``, ``source_row`` and the private ``__file`` (the position of the
file in the order read). :func:`type_rows` then types the columns and moves rows that cannot be
used to the exclusions frame; the ``drop_*`` helpers remove duplicates. Each step returns the rows
kept and the rows excluded, so kept + excluded == read, table by table.
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

import attrs
import polars as pl

from ...errors import DataError, MissingColumnError
from ..accounting import EXCLUSION_SCHEMA, RecordFileWarning, exclusions_frame

Kind = Literal["id", "code", "text", "date", "int", "bool", "list"]

#: The polars dtype of each kind of column.
DTYPES: dict[str, pl.DataType] = {
    "id": pl.String(),
    "code": pl.String(),
    "text": pl.String(),
    "date": pl.Date(),
    "int": pl.Int64(),
    "bool": pl.Boolean(),
    "list": pl.List(pl.String()),
}

#: Columns every reader adds after the data columns.
SOURCE_SCHEMA: dict[str, pl.DataType] = {"source_file": pl.String(), "source_row": pl.Int64()}

FILE = "__file"
_REASON, _COLUMN, _VALUE = "__reason", "__column", "__value"

_DMY = r"^\d{1,2}/\d{1,2}/\d{4}$"
_YMD = r"^\d{4}-\d{1,2}-\d{1,2}$"
_MIDNIGHT = r"(?:[ T]00:00(?::00(?:\.0+)?)?)$"
_TRUE = ("true", "1", "y", "yes", "t")
_FALSE = ("false", "0", "n", "no", "f")


@attrs.frozen
class Column:
    """One field of a table.

    ``required`` columns must be in every file (else :class:`MissingColumnError`); the others
    are filled with nulls when absent. ``needed`` dates must hold a value on every row (else the
    row is excluded as ``missing_date``). ``aliases`` are other names the field goes by.
    """

    name: str
    kind: Kind = "code"
    required: bool = False
    needed: bool = False
    aliases: tuple[str, ...] = ()


@attrs.frozen
class TableSpec:
    """A table: its name, child-id column, fields and (start, end) date pairs."""

    name: str
    child: str
    columns: tuple[Column, ...]
    ends: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> list[str]:
        """The data column names, in order."""
        return [c.name for c in self.columns]

    @property
    def event_dates(self) -> list[str]:
        """Dates of what happened in the collection year (the needed dates and the ends), which
        no return holds after its 31 March; dates of birth and targets are not among them."""
        ends = [end for _, end in self.ends]
        return [c.name for c in self.columns if c.kind == "date" and (c.needed or c.name in ends)]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Data columns then ``source_file``, ``source_row``: the schema of the typed frame."""
        return {c.name: DTYPES[c.kind] for c in self.columns} | SOURCE_SCHEMA

    def empty(self) -> pl.DataFrame:
        """A frame with no rows and this table's schema."""
        return pl.DataFrame(schema=self.schema)

    @property
    def raw_schema(self) -> dict[str, pl.DataType]:
        """The schema of a raw frame: String (or list of String) data columns and the sources."""
        data = {
            c.name: (pl.List(pl.String()) if c.kind == "list" else pl.String())
            for c in self.columns
        }
        return data | SOURCE_SCHEMA | {FILE: pl.Int64()}


def strings(value: Iterable[str]) -> tuple[str, ...]:
    """A tuple of the strings (an attrs converter)."""
    return tuple(value)


def normalise_name(name: str) -> str:
    """A column or file name reduced to lower-case letters and digits (BOM and spaces dropped)."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


# --- raw frames -------------------------------------------------------------------------------


def raw_from_frames(
    frames: Mapping[str, pl.DataFrame], specs: Mapping[str, TableSpec], kind: str
) -> dict[str, list[pl.DataFrame]]:
    """In-memory frames keyed by table name, conformed to their raw schemas (rows numbered
    from 0, no source file). A name that is not one of ``specs`` is a ``KeyError``."""
    unknown = sorted(set(frames) - set(specs))
    if unknown:
        msg = f"not {kind} tables: {', '.join(unknown)}; the tables are {', '.join(specs)}"
        raise KeyError(msg)
    return {
        name: [
            conform(
                frame,
                specs[name],
                where=f"the {name} frame",
                source_file=None,
                file_index=0,
                row_base=0,
            )
        ]
        for name, frame in frames.items()
    }


def conform(
    frame: pl.DataFrame,
    spec: TableSpec,
    *,
    where: str,
    source_file: str | None,
    file_index: int,
    row_base: int = 1,
) -> pl.DataFrame:
    """Rename, check and order the columns of ``frame`` into the raw schema of ``spec``.

    Column names match whatever their case, spaces and underscores (``place provider`` is
    ``PLACE_PROVIDER``). Columns of other types are turned to text (dates as yyyy-mm-dd) so
    that one code path types everything. Columns the spec does not name are dropped.

    Raises
    ------
    MissingColumnError
        A required column is absent; ``context`` names ``where`` (the file or frame).
    """
    lookup: dict[str, str] = {}
    for col in frame.columns:
        lookup.setdefault(normalise_name(col), col)
    selected: list[pl.Expr] = []
    for column in spec.columns:
        found = next(
            (lookup[k] for k in map(normalise_name, (column.name, *column.aliases)) if k in lookup),
            None,
        )
        if found is None:
            if column.required:
                raise MissingColumnError(
                    column.name,
                    role=f"required {spec.name}",
                    available=frame.columns,
                    context=where,
                )
            kind = pl.List(pl.String()) if column.kind == "list" else pl.String()
            selected.append(pl.lit(None, kind).alias(column.name))
            continue
        selected.append(_as_text(frame.schema[found], pl.col(found), column).alias(column.name))
    n = frame.height
    return frame.select(
        *selected,
        pl.lit(source_file, pl.String()).alias("source_file"),
        pl.int_range(row_base, n + row_base, dtype=pl.Int64).alias("source_row"),
        pl.lit(file_index, pl.Int64()).alias(FILE),
    )


def _as_text(dtype: pl.DataType, expr: pl.Expr, column: Column) -> pl.Expr:
    if column.kind == "list":
        if isinstance(dtype, pl.List):
            return expr.cast(pl.List(pl.String()))
        text = expr.cast(pl.String())
        # "HAND , HEAR,," -> ["HAND", "HEAR"]: spaces around commas go before the split
        return (
            text.str.strip_chars()
            .str.replace_all(r"\s*,\s*", ",")
            .str.split(",")
            .list.filter(pl.element() != "")
        )
    if dtype == pl.String():
        return expr
    if dtype in (pl.Date(),) or isinstance(dtype, pl.Datetime):
        return expr.dt.strftime("%Y-%m-%d")
    return expr.cast(pl.String())


def concat_raw(
    frames: Sequence[pl.DataFrame],
    spec: TableSpec,
    extra: Mapping[str, pl.DataType] | None = None,
) -> pl.DataFrame:
    """The raw frames of one table stacked in order (an empty raw frame when there are none).

    ``extra`` are private columns (``__`` names) to carry along, null where a frame lacks one.
    """
    schema = dict(spec.raw_schema) | dict(extra or {})
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(
        [
            f.select(
                pl.col(n) if n in f.columns else pl.lit(None, d).alias(n) for n, d in schema.items()
            )
            for f in frames
        ],
        how="vertical",
    )


# --- typing and row checks ---------------------------------------------------------------------


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Strip spaces; an empty string becomes null."""
    stripped = expr.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def clean_code(expr: pl.Expr) -> pl.Expr:
    """:func:`clean_text`, and a whole number written as a float ("1.0") loses its ".0"."""
    return clean_text(expr).str.replace(r"^(\d+)\.0+$", "${1}")


def parse_date(text: pl.Expr) -> pl.Expr:
    """Dates from cleaned text in dd/mm/yyyy or yyyy-mm-dd (an optional midnight time allowed).

    Anything else, including impossible dates (31/02/2012) and two-digit years, gives null.
    """
    bare = text.str.replace(_MIDNIGHT, "")
    return (
        pl.when(bare.str.contains(_DMY))
        .then(bare.str.strptime(pl.Date(), "%d/%m/%Y", strict=False))
        .when(bare.str.contains(_YMD))
        .then(bare.str.strptime(pl.Date(), "%Y-%m-%d", strict=False))
        .otherwise(None)
    )


def _typed(column: Column, raw: pl.Expr) -> pl.Expr:
    if column.kind == "list":
        # a list column as given (Parquet, frames) may hold padded items: strip each one
        stripped = raw.list.eval(pl.element().str.strip_chars())
        return stripped.list.filter(pl.element().is_not_null() & (pl.element() != ""))
    if column.kind == "text":
        return clean_text(raw)
    if column.kind in ("id", "code"):
        return clean_code(raw)
    if column.kind == "date":
        return parse_date(clean_text(raw))
    if column.kind == "int":
        return clean_code(raw).cast(pl.Int64(), strict=False)
    lowered = clean_text(raw).str.to_lowercase()
    return (
        pl.when(lowered.is_in(_TRUE))
        .then(pl.lit(True))
        .when(lowered.is_in(_FALSE))
        .then(pl.lit(False))
        .otherwise(None)
    )


def _iso(expr: pl.Expr) -> pl.Expr:
    return expr.dt.strftime("%Y-%m-%d")


def type_rows(raw: pl.DataFrame, spec: TableSpec) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Type the raw rows of ``spec``; rows that cannot be used go to the exclusions.

    A row is excluded (first reason only, in this order) when it is blank (``not_counted``),
    has no child id (``not_counted``), holds a date that is not a date (``impossible_date``,
    the first such column), lacks a needed date (``missing_date``), or ends before it starts
    (``end_before_start``). Returns ``(kept, exclusions)``; ``kept`` keeps the private
    columns (``__file`` and any ``__`` link columns) for the later steps.
    """
    private = [c for c in raw.columns if c.startswith("__")]
    typed_cols = {c.name: _typed(c, pl.col(c.name)) for c in spec.columns}
    frame = raw.with_columns(
        [e.alias(f"__t_{n}") for n, e in typed_cols.items()]
        + [
            clean_text(pl.col(c.name)).alias(f"__c_{c.name}")
            for c in spec.columns
            if c.kind != "list"
        ]
    )
    checks: list[tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]] = []
    scalar = [c for c in spec.columns if c.kind != "list"]
    blank = pl.all_horizontal([pl.col(f"__c_{c.name}").is_null() for c in scalar])
    checks.append((blank, pl.lit("not_counted: the row is blank"), pl.lit(None), pl.lit(None)))
    checks.append(
        (
            pl.col(f"__c_{spec.child}").is_null(),
            pl.lit(f"not_counted: the row has no {spec.child} (child id)"),
            pl.lit(spec.child),
            pl.lit(None),
        )
    )
    dates = [c for c in spec.columns if c.kind == "date"]
    for c in dates:
        text, parsed = pl.col(f"__c_{c.name}"), pl.col(f"__t_{c.name}")
        checks.append(
            (
                text.is_not_null() & parsed.is_null(),
                pl.format(
                    "impossible_date: {} '{}' is not a date (dd/mm/yyyy or yyyy-mm-dd)",
                    pl.lit(c.name),
                    text,
                ),
                pl.lit(c.name),
                text,
            )
        )
    for c in dates:
        if c.needed:
            checks.append(
                (
                    pl.col(f"__c_{c.name}").is_null(),
                    pl.lit(f"missing_date: {c.name} is empty"),
                    pl.lit(c.name),
                    pl.lit(None),
                )
            )
    for start, end in spec.ends:
        s, e = pl.col(f"__t_{start}"), pl.col(f"__t_{end}")
        checks.append(
            (
                e < s,
                pl.format(
                    "end_before_start: {} {} is before {} {}",
                    pl.lit(end),
                    _iso(e),
                    pl.lit(start),
                    _iso(s),
                ),
                pl.lit(end),
                pl.col(f"__c_{end}"),
            )
        )
    # whether a row fails a check first (cheap); the words only for the rows that do
    frame = frame.with_columns(
        pl.any_horizontal([check[0].fill_null(False) for check in checks]).alias("__failed")
    )
    bad = frame.filter(pl.col("__failed")).with_columns(
        _first_match(checks, 1).alias(_REASON),
        _first_match(checks, 2).alias(_COLUMN),
        _first_match(checks, 3).alias(_VALUE),
    )
    excluded = _exclusions(
        bad.with_columns(pl.col(f"__c_{spec.child}").alias("__child")), spec.name
    )
    kept = frame.filter(~pl.col("__failed")).select(
        *[pl.col(f"__t_{n}").alias(n) for n in spec.names],
        "source_file",
        "source_row",
        *private,
    )
    return kept, excluded


def _first_match(checks: Sequence[tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]], i: int) -> pl.Expr:
    """Item ``i`` of the first check whose condition holds (null when none does)."""
    expr: pl.Expr = pl.lit(None, pl.String())
    for check in reversed(checks):
        expr = pl.when(check[0].fill_null(False)).then(check[i].cast(pl.String())).otherwise(expr)
    return expr


def _exclusions(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Exclusion rows from a frame holding ``__child``, ``__reason``, ``__column``, ``__value``."""
    return exclusions_frame(
        frame.select(
            pl.lit(table, pl.String()).alias("table"),
            pl.col("source_file"),
            pl.col("source_row"),
            pl.col("__child").cast(pl.String()).alias("child"),
            pl.col(_COLUMN).cast(pl.String()).alias("column"),
            pl.col(_VALUE).cast(pl.String()).alias("value"),
            pl.col(_REASON).alias("reason"),
        )
    )


def split(
    frame: pl.DataFrame,
    spec: TableSpec,
    reason: pl.Expr,
    column: pl.Expr | None = None,
    value: pl.Expr | None = None,
    *,
    excluded: pl.Expr | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows where ``reason`` is null are kept; the others become exclusions of ``spec``.

    ``excluded``, when given, says which rows ``reason`` is not null for, and ``reason``,
    ``column`` and ``value`` then hold no window (they are worked out for those rows only).
    """
    if excluded is not None:
        flagged = frame.with_columns(excluded.fill_null(False).alias("__excluded"))
        out = flagged.filter(pl.col("__excluded"))
        if out.is_empty():
            return frame, _exclusions(
                out.with_columns(
                    pl.lit(None, pl.String()).alias(_REASON),
                    pl.lit(None, pl.String()).alias(_COLUMN),
                    pl.lit(None, pl.String()).alias(_VALUE),
                    pl.col(spec.child).alias("__child"),
                ),
                spec.name,
            )
        kept = flagged.filter(~pl.col("__excluded")).drop("__excluded")
        bad = out.drop("__excluded").with_columns(
            reason.cast(pl.String()).alias(_REASON),
            (pl.lit(None, pl.String()) if column is None else column.cast(pl.String())).alias(
                _COLUMN
            ),
            (pl.lit(None, pl.String()) if value is None else value.cast(pl.String())).alias(_VALUE),
            pl.col(spec.child).alias("__child"),
        )
        return kept, _exclusions(bad, spec.name)
    marked = frame.with_columns(
        reason.cast(pl.String()).alias(_REASON),
        (pl.lit(None, pl.String()) if column is None else column.cast(pl.String())).alias(_COLUMN),
        (pl.lit(None, pl.String()) if value is None else value.cast(pl.String())).alias(_VALUE),
    )
    kept = marked.filter(pl.col(_REASON).is_null()).drop(_REASON, _COLUMN, _VALUE)
    bad = marked.filter(pl.col(_REASON).is_not_null()).with_columns(
        pl.col(spec.child).alias("__child")
    )
    return kept, _exclusions(bad, spec.name)


def _where(file: pl.Expr, row: pl.Expr) -> pl.Expr:
    """``file row n`` (or ``row n`` for frames not read from a file)."""
    return (
        pl.when(file.is_null())
        .then(pl.format("row {}", row))
        .otherwise(pl.format("{} row {}", file, row))
    )


def _key(spec: TableSpec, columns: Iterable[str]) -> pl.Expr:
    kinds = {c.name: c.kind for c in spec.columns}
    parts = [pl.col(n).list.join("\x1f") if kinds[n] == "list" else pl.col(n) for n in columns]
    return pl.struct(parts)


def drop_exact_duplicates(
    frame: pl.DataFrame, spec: TableSpec, *, ignore: Sequence[str] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows equal in every data column to an earlier row are excluded as ``duplicate``.

    ``frame`` must be in the order read; the first row of each set is kept.
    """
    columns = [n for n in spec.names if n not in ignore]
    key = _key(spec, columns)
    marked = frame.with_columns(key.is_first_distinct().alias("__first"))
    if marked["__first"].all():
        return split(frame, spec, pl.lit(None, pl.String()), excluded=pl.lit(False))
    marked = marked.with_columns(
        pl.col("source_file").first().over(key).alias("__first_file"),
        pl.col("source_row").first().over(key).alias("__first_row"),
    )
    reason = pl.format(
        "duplicate: the same row as {} (the first is kept)",
        _where(pl.col("__first_file"), pl.col("__first_row")),
    )
    kept, out = split(marked, spec, reason, excluded=~pl.col("__first"))
    return kept.drop("__first", "__first_file", "__first_row"), out


def drop_later_files(
    frame: pl.DataFrame, spec: TableSpec, key: Sequence[str], what: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Of rows sharing ``key`` that come from several files, only the latest file's are kept.

    The others are excluded as ``duplicate``: the same record sent again in a later year's
    return, where it is more complete (an episode open at 31 March gains its end date).
    """
    latest = pl.col(FILE).max().over(key)
    latest_name = pl.col("source_file").filter(pl.col(FILE) == latest).first().over(key)
    reason = (
        pl.when(pl.col(FILE) >= latest)
        .then(None)
        .otherwise(
            pl.format(
                "duplicate: the same {} ({}) is in a later file, {} (the latest is kept)",
                pl.lit(what),
                pl.lit(", ".join(key)),
                latest_name.fill_null("(a later frame)"),
            )
        )
    )
    return split(frame, spec, reason)


def drop_repeated_children(
    frame: pl.DataFrame, spec: TableSpec, dob: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep one row per child: the latest return's row that has a date of birth (else the
    latest return's); within one file, the first.

    DfE: "Local authorities update the database every year, including making amendments to
    previous years' records where there have been changes" (children looked after
    methodology), so a later return's date of birth is the corrected one. A row whose ``dob``
    differs from the kept row's is excluded as ``conflicting_dob``; any other as ``duplicate``.
    ``frame`` carries ``__file``, the recency rank of its file (see :func:`rank_files`).
    """
    child = spec.child
    ordered = frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("__pos"))
    recency = -pl.col(FILE) if FILE in frame.columns else pl.lit(0)
    rank = pl.struct(pl.col(dob).is_null(), recency, pl.col("__pos")).rank("ordinal").over(child)
    ordered = ordered.with_columns(rank.alias("__rank"))
    kept_dob = pl.col(dob).filter(pl.col("__rank") == 1).first().over(child)
    kept_where = _where(
        pl.col("source_file").filter(pl.col("__rank") == 1).first().over(child),
        pl.col("source_row").filter(pl.col("__rank") == 1).first().over(child),
    )
    conflict = pl.col(dob).is_not_null() & kept_dob.is_not_null() & (pl.col(dob) != kept_dob)
    reason = (
        pl.when(pl.col("__rank") == 1)
        .then(None)
        .when(conflict)
        .then(
            pl.format(
                "conflicting_dob: {} {} has {} {} here but {} in the row kept ({}, the latest "
                "return's)",
                pl.lit(child),
                pl.col(child),
                pl.lit(dob),
                _iso(pl.col(dob)),
                _iso(kept_dob),
                kept_where,
            )
        )
        .otherwise(
            pl.format(
                "duplicate: {} {} already has a row ({}, which is kept)",
                pl.lit(child),
                pl.col(child),
                kept_where,
            )
        )
    )
    column = pl.when(conflict & (pl.col("__rank") != 1)).then(pl.lit(dob))
    value = pl.when(conflict & (pl.col("__rank") != 1)).then(_iso(pl.col(dob)))
    kept, excluded = split(ordered, spec, reason, column, value)
    return kept.drop("__pos", "__rank"), excluded


def drop_conflicts(
    frame: pl.DataFrame, spec: TableSpec, key: Sequence[str], what: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows of one return that share ``key`` but differ are all excluded (``conflicting_episode``).

    Run after :func:`drop_exact_duplicates` and :func:`drop_later_files`, so the rows left
    sharing a key come from one file and are not identical: the return holds two versions of
    one record and nothing says which is right (an episode that both ends and stays open would
    count the child as ceased and as looked after). Neither is used; both are reported.
    """
    shared = pl.len().over(key) > 1
    rows = pl.col("source_row").cast(pl.String).str.join(", ").over(key)
    reason = pl.when(shared).then(
        pl.format(
            "conflicting_episode: {} rows of one return give the same {} ({}) differently "
            "(rows {}); neither is used",
            pl.len().over(key),
            pl.lit(what),
            pl.lit(", ".join(key)),
            rows,
        )
    )
    return split(frame, spec, reason)


def drop_children_without(
    frame: pl.DataFrame, spec: TableSpec, children: pl.Series, parent: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows whose child is not in ``children`` are excluded as ``child_without_header``."""
    reason = (
        pl.when(pl.col(spec.child).is_in(children.implode()))
        .then(None)
        .otherwise(
            pl.format(
                "child_without_header: {} {} has no usable row in {}",
                pl.lit(spec.child),
                pl.col(spec.child),
                pl.lit(parent),
            )
        )
    )
    return split(frame, spec, reason, pl.lit(spec.child), pl.col(spec.child))


def finish(frame: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """The public frame: data columns then ``source_file``, ``source_row``, typed, in read order."""
    if FILE in frame.columns:
        frame = frame.sort(FILE, "source_row", maintain_order=True)
    return frame.select(pl.col(n).cast(d) for n, d in spec.schema.items())


def stack_exclusions(parts: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """All exclusion frames in one, in the accounting schema."""
    frames = [p for p in parts if p.height]
    if not frames:
        return exclusions_frame()
    return pl.concat(frames, how="vertical").select(
        pl.col(n).cast(d) for n, d in EXCLUSION_SCHEMA.items()
    )


def accounting_frame(
    tables: Sequence[str],
    get: Callable[[str], pl.DataFrame],
    exclusions: pl.DataFrame,
    rows_read: Mapping[str, int],
) -> pl.DataFrame:
    """The accounting frame shared by the readers' classes."""
    excluded = dict(exclusions.group_by("table").len().iter_rows())
    rows = []
    for t in tables:
        kept = get(t).height
        rows.append({
            "table": t,
            "read": rows_read.get(t, 0),
            "kept": kept,
            "excluded": excluded.get(t, 0),
        })  # fmt: skip
    return pl.DataFrame(
        rows,
        schema={"table": pl.String, "read": pl.Int64, "kept": pl.Int64, "excluded": pl.Int64},
    )


# --- CSV files ---------------------------------------------------------------------------------

_EMPTY_PROBE = 4096


def check_utf8(path: Path) -> None:
    """Refuse a file that is not UTF-8 text, naming it and the first bad byte's line.

    Decoding lossily would turn different bytes into one replacement character, so two
    different children (``A\\xe9`` and ``A\\xe8`` in Latin-1) would become one.

    Raises
    ------
    DataError
        The file holds bytes that are not UTF-8.
    """
    pending = b""
    line, offset = 1, 0
    with path.open("rb") as f:
        while True:
            chunk = f.read(1 << 20)
            data = pending + chunk
            try:
                _, used = codecs.utf_8_decode(data, "strict", not chunk)
            except UnicodeDecodeError as exc:
                at = line + data[: exc.start].count(b"\n")
                msg = (
                    f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {at}, byte "
                    f"{offset + exc.start + 1} of the file); save it as UTF-8 (CSV UTF-8 in Excel)"
                )
                raise DataError(msg) from exc
            line += data[:used].count(b"\n")
            offset += used
            pending = data[used:]
            if not chunk:
                return


def warn(message: str, notes: list[str] | None) -> None:
    """Issue ``message`` as a :class:`RecordFileWarning` and keep it in ``notes``."""
    warnings.warn(message, RecordFileWarning, stacklevel=4)
    if notes is not None:
        notes.append(message)


def read_csv_raw(
    path: Path, spec: TableSpec, file_index: int, notes: list[str] | None = None
) -> pl.DataFrame:
    """One CSV file as a raw frame of ``spec`` (every value text; dates are typed later).

    A file with a header row and no data rows is read as an empty table, with a
    :class:`RecordFileWarning` (kept in ``notes``).

    Raises
    ------
    DataError
        The file is empty (not even a header row), is not UTF-8 text, or is not readable as
        CSV; the message names it.
    MissingColumnError
        A required column is absent; names the column and the file.
    """
    name = str(path)
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{name}: the file is empty (not even a header row)")
    if size <= _EMPTY_PROBE:
        head = path.read_bytes()
        if not head.removeprefix(b"\xef\xbb\xbf").strip():
            raise DataError(f"{name}: the file is empty (not even a header row)")
    check_utf8(path)
    try:
        frame = pl.read_csv(path, infer_schema_length=0, encoding="utf8")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"{name}: cannot be read as CSV ({exc})") from exc
    frame = frame.rename({c: c.removeprefix("\ufeff").strip() for c in frame.columns})
    if frame.height == 0:
        warn(f"{name}: the file has a header row but no data rows (read as an empty "
             f"{spec.name} table)", notes)  # fmt: skip
    return conform(frame, spec, where=f"file {name}", source_file=name, file_index=file_index)


def files_in(
    source: str | Path | Sequence[str | Path], suffixes: Sequence[str]
) -> list[tuple[Path, bool]]:
    """The files of ``source`` and whether each was found in a folder (rather than named).

    A folder gives its files with one of ``suffixes`` (sorted by name); a file gives itself; a
    list gives each item in the order given. A file met twice is read once.

    Raises
    ------
    FileNotFoundError
        A path that does not exist.
    """
    items: Sequence[str | Path] = [source] if isinstance(source, str | Path) else source
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes),
                key=lambda p: p.name,
            )
            pairs = [(p, True) for p in found]
        elif path.exists():
            pairs = [(path, False)]
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
        for p, in_folder in pairs:
            resolved = p.resolve()
            if resolved not in seen:
                seen.add(resolved)
                out.append((p, in_folder))
    return out


def match_table(path: Path, names: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The table a file holds, from its name: the first ``(table, tokens)`` with a token in it.

    Tokens are matched on the lower-case stem with ``-`` and spaces read as ``_``; list longer
    tokens first (``sw_episodes`` before ``episodes``).
    """
    stem = re.sub(r"[\s\-]+", "_", path.stem.lower())
    for table, tokens in names:
        if any(token in stem for token in tokens):
            return table
    return None


# --- which return is latest ---------------------------------------------------------------------

_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@attrs.frozen
class FileRead:
    """A file read: its position in the order read, the return it belongs to (files of one
    return share a ``group``: the folder and the name without its table word) and the
    collection year it declares (the CIN census XML header), if any."""

    index: int
    path: str
    group: str
    declared_year: int | None = None


def return_group(path: Path, tokens: Sequence[str]) -> str:
    """The return a CSV belongs to: its folder and its name without the table's word, so that
    ``2019-header.csv`` and ``2019-episodes.csv`` are one return."""
    stem = re.sub(r"[\s\-]+", "_", path.stem.lower())
    for token in sorted(tokens, key=len, reverse=True):
        stem = stem.replace(token, "")
    return f"{path.resolve().parent}/{stem}"


def collection_year(date: pl.Expr) -> pl.Expr:
    """The collection year (the year ending 31 March) a date falls in."""
    return date.dt.year() + (date.dt.month() > 3).cast(pl.Int32)


def rank_files(
    raw: Mapping[str, Sequence[pl.DataFrame]],
    specs: Mapping[str, TableSpec],
    files: Sequence[FileRead],
    notes: list[str] | None = None,
) -> dict[str, list[pl.DataFrame]]:
    """The raw frames with ``__file`` turned from the order read into recency: the rank of
    each file's return by its collection year, so that the order the files were given does
    not decide which is latest.

    A return's collection year is the one it declares, else the collection year most of the
    event dates (:attr:`TableSpec.event_dates`) of its file fall in (a return's episodes end,
    and most begin, in its year; a stray date after 31 March does not move it), the latest
    over the files of one return, else a year in its file names. Files whose year none of these tells rank before
    the others, in the order read, with a :class:`RecordFileWarning` when that order decides.
    """
    counts: dict[int, dict[int, int]] = {}
    # a file that declares its year (a CIN census header) is not dated from its records
    declared = {f.index for f in files if f.declared_year is not None}
    for name, frames in raw.items():
        columns = specs[name].event_dates
        for frame in frames:
            if not columns or frame.is_empty():
                continue
            indexes = frame[FILE]
            if indexes.min() == indexes.max() and indexes[0] in declared:
                continue
            found = (
                frame.select(
                    FILE,
                    *(collection_year(parse_date(clean_text(pl.col(c)))).alias(c) for c in columns),
                )
                .unpivot(index=FILE, value_name="__year")
                .drop_nulls("__year")
                .group_by(FILE, "__year")
                .len()
            )
            for index, year, n in found.iter_rows():
                per_file = counts.setdefault(index, {})
                per_file[year] = per_file.get(year, 0) + n
    # the year most event dates fall in (ties: the later), so a stray date does not move it
    years = {i: max(c, key=lambda y: (c[y], y)) for i, c in counts.items()}
    group_year: dict[str, int] = {}
    for f in files:
        year = f.declared_year if f.declared_year is not None else years.get(f.index)
        if year is not None:
            group_year[f.group] = max(group_year.get(f.group, year), year)
    for f in files:
        if f.group not in group_year:
            named = [int(y) for y in _YEAR_IN_NAME.findall(Path(f.path).name)]
            if named:
                group_year[f.group] = max(named)
    order = sorted(
        files, key=lambda f: (f.group in group_year, group_year.get(f.group, 0), f.index)
    )
    rank = {f.index: position for position, f in enumerate(order)}
    unknown = [f.path for f in files if f.group not in group_year]
    if unknown and len({f.group for f in files}) > 1:
        warn(
            f"cannot tell the collection year of {', '.join(unknown)} (no dated records and no "
            "year in the name); taken as older than the other files, in the order given",
            notes,
        )
    out: dict[str, list[pl.DataFrame]] = {}
    for name, frames in raw.items():
        ranked = [
            frame.with_columns(pl.col(FILE).replace_strict(rank, return_dtype=pl.Int64))
            for frame in frames
            if frame.height
        ]
        # stacked oldest first, so "the first of identical rows" does not hang on the order given
        out[name] = sorted(ranked, key=lambda f: int(f[FILE][0]))
    return out


class RecordSet:
    """What every record set shares: its tables by name, the row accounting and a short repr.

    Subclasses (frozen attrs classes) name their ``TABLES`` and ``KIND`` and hold one frame per
    table plus ``exclusions``, ``files`` and ``rows_read``.
    """

    __slots__ = ()
    TABLES: ClassVar[tuple[str, ...]]
    KIND: ClassVar[str]
    exclusions: pl.DataFrame
    files: tuple[str, ...]
    rows_read: Mapping[str, int]
    warnings: tuple[str, ...]

    @classmethod
    def pool(cls, returns: Mapping[str, Self]) -> Self:
        """Several councils' records as one record set, each row marked with its council.

        A partnership's (or a region's) pooled returns: every table, the exclusions (and, for
        a CIN census, the header) of each council stacked in the order given, with a first
        column ``la`` holding the council's code (a polars ``Enum`` of the codes in the order
        given, so the councils and their order travel with every table). Child identifiers are a council's
        own, so the same identifier in two councils names two children: :func:`derive` keeps
        each council's children and counts apart (one row per council and period), and gives
        each council the counts it would get derived alone.

        Parameters
        ----------
        returns
            Council code (e.g. the old LA code ``"201"``) -> that council's records, all of
            this class (read with the same reader, one or several years each).

        Returns
        -------
        The pooled record set: ``files`` and ``warnings`` are every council's in order (each
        warning prefixed with ``la <code>:``); ``rows_read`` is summed per table, so
        ``rows_read[table]`` still equals the table's height plus its exclusions.

        Raises
        ------
        DataError
            No councils; a code that is not a non-empty string without surrounding spaces; a
            value that is not of this class, or is already pooled (its tables have ``la``).

        Examples
        --------
        >>> import polars as pl
        >>> from cyp_indicators.records import SSDA903
        >>> one = SSDA903.from_frames(episodes=pl.DataFrame({
        ...     "CHILD": ["1"], "DECOM": ["01/06/2016"], "RNE": ["S"], "LS": ["C2"],
        ...     "CIN": ["N1"], "PLACE": ["U1"], "DEC": [None], "REC": [None]}))
        >>> SSDA903.pool({"201": one, "202": one}).episodes.select("la", "CHILD").rows()
        [('201', '1'), ('202', '1')]
        """
        if not returns:
            raise DataError(f"{cls.__name__}.pool: no councils given")
        for code, records in returns.items():
            if not isinstance(code, str) or not code or code != code.strip():
                msg = f"{cls.__name__}.pool: council code {code!r} must be a non-empty string"
                raise DataError(msg)
            if not isinstance(records, cls):
                msg = (
                    f"{cls.__name__}.pool: the records of council {code} are "
                    f"{type(records).__name__}, not {cls.__name__}"
                )
                raise DataError(msg)
            if any("la" in records.table(t).columns for t in cls.TABLES):
                msg = f"{cls.__name__}.pool: the records of council {code} are already pooled"
                raise DataError(msg)
        codes = pl.Enum(list(returns))
        values: dict[str, Any] = {}
        for field in attrs.fields(cls):  # type: ignore[arg-type]  # subclasses are attrs classes
            parts = [(code, getattr(r, field.name)) for code, r in returns.items()]
            first = parts[0][1]
            if isinstance(first, pl.DataFrame):
                values[field.name] = pl.concat(
                    [f.select(pl.lit(code, codes).alias("la"), pl.all()) for code, f in parts],
                    how="vertical",
                )
            elif field.name == "rows_read":
                total: dict[str, int] = {}
                for _, counts in parts:
                    for table, n in counts.items():
                        total[table] = total.get(table, 0) + n
                values[field.name] = total
            elif field.name == "warnings":
                values[field.name] = tuple(f"la {code}: {w}" for code, ws in parts for w in ws)
            else:
                values[field.name] = tuple(item for _, items in parts for item in items)
        pooled: Self = cls(**values)
        return pooled

    def table(self, name: str) -> pl.DataFrame:
        """The table called ``name`` (one of :attr:`TABLES`)."""
        if name not in self.TABLES:
            msg = f"no {self.KIND} table {name!r}; the tables are {', '.join(self.TABLES)}"
            raise KeyError(msg)
        frame: pl.DataFrame = getattr(self, name)
        return frame

    def accounting(self) -> pl.DataFrame:
        """Per table: ``table``, ``read``, ``kept``, ``excluded`` (read == kept + excluded)."""
        return accounting_frame(self.TABLES, self.table, self.exclusions, self.rows_read)

    def __repr__(self) -> str:
        tables = ", ".join(
            f"{t}={self.table(t).height}" for t in self.TABLES if self.table(t).height
        )
        return (
            f"{type(self).__name__}({tables or 'no rows'}; exclusions={self.exclusions.height}, "
            f"files={len(self.files)})"
        )
