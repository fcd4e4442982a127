"""``cyp-indicators compute``: a definition on a table of counts, or derived from child-level files."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import polars as pl

from ..compute import compute, compute_by_year
from ..errors import DataError
from ..inputs import is_tidy
from ..model import IndicatorDefinition
from ..presentation import present
from ._common import (
    UsageError,
    catalogue_of,
    check_outputs,
    definition_of,
    filters_of,
    in_file,
    positive_number,
    read_input,
    regular_input,
    with_definitions,
    with_filter,
    with_pin,
    write,
)

_READERS = ("ssda903", "cin-census", "cin-tables")


def _check_options(args: argparse.Namespace) -> None:
    """Options that belong to the other way of computing are usage errors, not ignored."""
    if args.records and args.year is None:
        msg = (
            "--records needs --year: the collection year to derive (2019 is 31 March 2019 "
            "or FY 2018-19), which also picks the definition's version"
        )
        raise UsageError(msg)
    if args.records:
        foreign, where = (
            ("sheet", "numerator", "denominator"),
            "to a table of counts, not with --records",
        )
    else:
        foreign, where = ("la", "population", "exclusions"), "with --records"
    if args.records and args.filters:
        msg = "--filter applies to a table of counts, not with --records"
        raise UsageError(msg)
    for name in foreign:
        if getattr(args, name) is not None:
            msg = f"--{name} applies only {where}"
            raise UsageError(msg)


def _from_records(args: argparse.Namespace, d: IndicatorDefinition) -> int:
    from ..population import population_of
    from ..records import (
        Period,
        coverage,
        derive,
        read_cin_census,
        read_cin_tables,
        read_ssda903,
        record_span,
    )

    reader = {
        "ssda903": read_ssda903,
        "cin-census": read_cin_census,
        "cin-tables": read_cin_tables,
    }[args.records]
    try:
        period = Period.for_collection_year(args.year, d.period_type)
    except ValueError as exc:
        msg = f"--year {args.year}: {exc}"
        raise UsageError(msg) from exc
    population: float | pl.DataFrame | None = args.population
    if args.la is not None:
        population = population_of(args.la).select("mid_year", "population")
    records = reader(regular_input(args.input))
    where = repr(args.input)
    span = record_span(d, records, where)
    if span is not None:
        found = coverage(period, span, where)
        if found.status == "outside":
            raise DataError(f"--year {args.year}: {found.message}")
        if found.status == "partial":
            print(f"cyp-indicators: warning: {found.message}", file=sys.stderr)
    result = derive(d, records, period=period, population=population)
    print(f"{result.exclusions.height} record(s) not counted (see --exclusions)", file=sys.stderr)
    if args.exclusions:
        write(result.exclusions, args.exclusions)
    write(present(result.values, d) if args.present else result.values, args.output)
    return 0


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    check_outputs(args, "exclusions", "output")
    d = definition_of(args)
    if args.records:
        return _from_records(args, d)
    frame = read_input(args.input, args.sheet, folder_hint=", or with --records record files")
    options: dict[str, Any] = {
        "numerator": args.numerator,
        "denominator": args.denominator,
        "filters": filters_of(args),
    }
    pinned = args.version is not None or args.year is not None
    by_year = not pinned and ("year" in frame.columns or is_tidy(frame.columns))
    try:
        if by_year:  # each row with the version in force in its year
            result = compute_by_year(d.id, frame, catalogue=catalogue_of(args), **options)
        else:
            result = compute(d, frame, **options)
        shown = (
            present(result, numerator=args.numerator, denominator=args.denominator)
            if args.present
            else result
        )
    except DataError as exc:
        raise in_file(args.input, exc) from exc
    write(shown, args.output)
    return 0


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    comp = sub.add_parser(
        "compute", help="compute a definition on a table of counts", parents=parents
    )
    comp.add_argument("id")
    comp.add_argument(
        "--input",
        required=True,
        help="CSV (UTF-8), TSV, Parquet or XLSX with the counts; with --records, the record "
        "files or folder",
    )
    comp.add_argument(
        "--records",
        choices=_READERS,
        help="derive from child-level records: an SSDA903 folder, a CIN census XML or CIN tables "
        "(needs --year; a rate needs --population or --la)",
    )
    denominator = comp.add_mutually_exclusive_group()
    denominator.add_argument(
        "--population", type=positive_number, help="with --records: the rate's denominator"
    )
    denominator.add_argument(
        "--la", help="with --records: take the population from the bundled ONS estimates"
    )
    comp.add_argument("--exclusions", help="with --records: write every record not counted here")
    comp.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
    comp.add_argument("--numerator", help="numerator column (default: the definition's)")
    comp.add_argument("--denominator", help="denominator column (default: the definition's)")
    with_filter(comp)
    comp.add_argument(
        "--present",
        action="store_true",
        help="round as the definition says and apply disclosure control (value_unrounded keeps "
        "the unrounded value)",
    )
    comp.add_argument(
        "--output", help="write to .csv, .parquet, .xlsx or .json instead of printing"
    )
    with_pin(
        comp,
        "the version in force for this collection year; with --records also the period derived",
    )
    with_definitions(comp)
    comp.set_defaults(func=run)
