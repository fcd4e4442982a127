"""``cyp-indicators compare``: each LA against its statistical neighbours and England."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import polars as pl

from ..compare._values import cannot_be_negative, check_readable
from ..compare.aggregate import aggregate_neighbours
from ..compare.comparisons import present_comparisons
from ..compare.gaps import add_gap
from ..compare.groups import (
    ComparatorSet,
    load_comparator_set,
    neighbour_set,
    neighbour_set_versions,
)
from ..errors import DataError
from ..geography import ENGLAND, canonical_expr, canonical_la, is_england
from ..inputs import is_tidy
from ._common import (
    UsageError,
    catalogue_of,
    check_outputs,
    definition_of,
    filters_of,
    in_file,
    read_input,
    with_definitions,
    with_filter,
    with_pin,
    write,
)


def _filtered(args: argparse.Namespace, raw: pl.DataFrame) -> pl.DataFrame:
    """A council's table with the rows ``--filter`` chooses."""
    filters = filters_of(args)
    for column in filters:
        if column not in raw.columns:
            msg = (
                f"{args.input}: --filter column {column!r} is not in the file; its columns are "
                f"{', '.join(map(repr, raw.columns))}"
            )
            raise DataError(msg)
    if not filters:
        return raw
    return raw.filter(
        *(pl.col(c).cast(pl.String).str.strip_chars() == v for c, v in filters.items())
    )


def _comparator_set(args: argparse.Namespace) -> ComparatorSet:
    if args.groups is None:
        return neighbour_set(args.sn)
    path = Path(args.groups)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        if path.exists() and not path.is_dir():
            what = "is not a regular file (a pipe or a device?)"
        msg = f"comparator-set file {args.groups!r} {what}"
        raise DataError(msg)
    return load_comparator_set(path)


def _england_values(frame: pl.DataFrame, args: argparse.Namespace) -> pl.DataFrame | None:
    """England's value each year, from the input's England rows (None when there are none)."""
    if args.la_column not in frame.columns or args.year_column not in frame.columns:
        return None  # aggregate_neighbours names the missing column
    rows = frame.filter(is_england(args.la_column, frame.schema))
    if rows.is_empty() or args.value not in rows.columns:
        return None
    years = rows.select(args.year_column, pl.col(args.value).alias("england_value")).unique()
    repeated = years.filter(pl.col(args.year_column).is_duplicated())[args.year_column]
    if repeated.len():
        msg = (
            f"{args.input}: more than one England row with different values for year(s) "
            f"{', '.join(map(str, sorted(set(repeated.to_list()))))}"
        )
        raise DataError(msg)
    return years


def _without_blank_codes(frame: pl.DataFrame, column: str) -> tuple[pl.DataFrame, list[int]]:
    """Rows with no LA code (a DfE download's national and regional rows, England's code) left out.

    Returns the rows kept and their positions in ``frame``.
    """
    if column not in frame.columns:
        return frame, list(range(frame.height))  # aggregate_neighbours names the missing column
    code = pl.col(column).cast(pl.String).str.strip_chars()
    la_row = code.is_not_null() & (code != "") & (code != ENGLAND)
    kept = frame.with_row_index("__row").filter(la_row)
    if kept.height < frame.height:
        left_out = frame.height - kept.height
        print(
            f"{left_out} row(s) with no LA code in column {column!r} (England, regions) left out "
            "of the neighbour comparison",
            file=sys.stderr,
        )
    return kept.drop("__row"), kept["__row"].to_list()


def _published(args: argparse.Namespace, code: str | None) -> int:
    """Without --input: DfE's published figures, compared as LAIT compares them."""
    from ..compare.comparisons import comparisons, present_comparisons
    from ..sources import published

    d = definition_of(args)
    frame = published(d)
    if args.year is not None:
        frame = frame.filter(pl.col("time_period") == args.year)
    result = comparisons(frame, d, sn=_comparator_set(args), method=args.method)
    if code is not None:
        result = result.filter(pl.col("area_code") == code)
        if result.is_empty():
            msg = f"LA {args.la!r} has no published figures for {d.key}"
            raise DataError(msg)
    write(present_comparisons(pl.DataFrame(result), d), args.output)
    return 0


def _tidy(args: argparse.Namespace, raw: pl.DataFrame, code: str | None) -> int:
    """--input in DfE's tidy layout: the figure the file publishes for the definition (or, where
    it publishes only the components, the figure computed from them with the version in force
    each year), every LA against its neighbours, its region and England."""
    from ..compare.comparisons import comparisons, present_comparisons
    from ..compute import compute_by_year
    from ..inputs import tidy_input

    d = definition_of(args)
    filters = filters_of(args)
    ees = d.provenance.ees
    try:
        if ees is not None and ees.value_column is not None and ees.value_column in raw.columns:
            frame = tidy_input(d, raw, filters=filters, population=False, where="the input")
            frame = frame.with_columns(pl.col(ees.value_column).alias("value"))
        else:
            frame = pl.DataFrame(
                compute_by_year(d.id, raw, catalogue=catalogue_of(args), filters=filters)
            )
        if args.year is not None:
            frame = frame.filter(pl.col("year") == args.year)
        result = comparisons(
            frame, d, sn=_comparator_set(args), method=args.method, la="area_code", year="year"
        )
    except DataError as exc:
        raise in_file(args.input, exc) from exc
    if code is not None:
        result = result.filter(canonical_expr("area_code") == code)
        if result.is_empty():
            msg = f"{args.input}: LA {args.la!r} has no rows for {d.key}"
            raise DataError(msg)
    write(present_comparisons(pl.DataFrame(result), d), args.output)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.groups is not None and args.sn is not None:
        msg = "give --sn or --groups, not both"
        raise UsageError(msg)
    check_outputs(args, "output")
    code = None
    if args.la:
        code = canonical_la(args.la)
        if code is None:
            msg = f"LA code {args.la!r} does not exist"
            raise DataError(msg)
    if args.input is None:
        return _published(args, code)
    raw = read_input(args.input, args.sheet)
    named = any(getattr(args, n) is not None for n in ("la_column", "year_column", "value"))
    if is_tidy(raw.columns) and not named:  # a DfE file as downloaded: no column flags needed
        return _tidy(args, raw, code)
    args.la_column = args.la_column or "la_code"
    args.year_column = args.year_column or "year"
    args.value = args.value or "value"
    raw = _filtered(args, raw)
    d = definition_of(args)
    if args.value in raw.columns:  # every row, England's too, by its line in the file
        try:
            check_readable(
                raw, args.value, raw.schema[args.value], not_negative=cannot_be_negative(d)
            )
        except DataError as exc:
            raise in_file(args.input, exc) from exc
    england = _england_values(raw, args)
    frame, kept = _without_blank_codes(raw, args.la_column)
    sn = _comparator_set(args)
    try:
        result = aggregate_neighbours(
            frame,
            sn,
            method=args.method,
            la=args.la_column,
            year=args.year_column,
            value=args.value,
            definition=d,
        )
    except DataError as exc:
        raise in_file(args.input, exc, kept) from exc
    if england is None:
        print(
            f"no England row in {args.input} (LA code {ENGLAND}, or a national row): "
            "no comparison with England",
            file=sys.stderr,
        )
    else:
        result = add_gap(
            result.join(england, on=args.year_column, how="left", maintain_order="left"),
            value=args.value,
            comparator="england_value",
            name="gap_to_england",
            definition=d,
        )
    if code is not None:
        result = result.filter(canonical_expr(args.la_column) == code)
        if result.is_empty():
            msg = f"{args.input}: LA {args.la!r} not found in column {args.la_column!r}"
            raise DataError(msg)
    write(present_comparisons(result, d), args.output)
    return 0


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    cmp_ = sub.add_parser(
        "compare", help="each LA against its statistical neighbours", parents=parents
    )
    cmp_.add_argument("id")
    cmp_.add_argument(
        "--input",
        help="a DfE file as downloaded (EES tidy data: recognised without column flags) or a "
        "table of values: LA code, year, value (CSV, XLSX ...); without it, DfE's published "
        "figures for the definition",
    )
    cmp_.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
    with_filter(cmp_)
    cmp_.add_argument("--la", help="show only this LA (old number or ONS code)")
    versions = ", ".join(neighbour_set_versions())
    cmp_.add_argument(
        "--sn",
        help=f"DfE statistical-neighbour set: {versions} (default: DfE's current set, "
        f"{neighbour_set().version})",
    )
    cmp_.add_argument("--groups", help="a comparator-set TOML file of your own instead")
    cmp_.add_argument("--method", default="median", choices=["median", "mean"], help="aggregation")
    cmp_.add_argument(
        "--la-column",
        help="LA numbers or ONS codes (default la_code; a DfE file needs none of these three)",
    )
    cmp_.add_argument("--year-column", help="the year column (default year)")
    cmp_.add_argument("--value", help="the value column (default value)")
    cmp_.add_argument(
        "--output", help="write to .csv, .parquet, .xlsx or .json instead of printing"
    )
    with_pin(cmp_, "the version in force for this collection year")
    with_definitions(cmp_)
    cmp_.set_defaults(func=run)
