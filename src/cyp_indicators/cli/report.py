"""``cyp-indicators report`` and ``demo``: the benchmarking report, and the core rates table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..catalogue import Catalogue, load_catalogue
from ..compare.groups import neighbour_set, neighbour_set_versions
from ..datasets import csc_counts
from ..errors import DataError
from ..geography import resolve_la
from ..reports.core_rates import CORE_INDICATORS, core_rates_table
from ._common import (
    ProgressBar,
    UsageError,
    catalogue_of,
    in_file,
    is_write_error,
    positive_int,
    read_input,
    regular_input,
    table_config,
    with_definitions,
    write_error_reason,
)

if TYPE_CHECKING:  # the report's modules load when a report is asked for
    from ..reports.benchmark_report import WrittenReports
    from ..reports.own_figures import OwnFigures


def _indicators(args: argparse.Namespace, cat: Catalogue) -> tuple[str, ...]:
    """The ids of ``--indicators`` (each checked: an unknown one lists close matches) or of
    ``--topic``; the core social-care rates by default."""
    if args.topic is not None:
        return tuple(d.id for d in cat.list(topic=args.topic))
    if args.indicators:
        for ident in args.indicators:
            cat.history(ident)  # UnknownDefinitionError with close matches
        return tuple(dict.fromkeys(args.indicators))
    return CORE_INDICATORS


def _own(args: argparse.Namespace, indicators: Sequence[str], cat: Catalogue) -> OwnFigures | None:
    """The council's own figures of ``--input`` (errors name the file, the column, the lines)."""
    from ..reports.own_figures import own_figures

    if args.input is None:
        return None
    regular_input(args.input)
    frame = read_input(args.input, args.sheet)
    try:
        return own_figures(
            frame, la=resolve_la(args.la), indicators=indicators, catalogue=cat, where=args.input
        )
    except DataError as exc:
        if str(exc).startswith(args.input):
            raise
        raise in_file(args.input, exc) from exc


def _written(call: Callable[[], WrittenReports], out: Path) -> WrittenReports:
    try:
        return call()
    except Exception as exc:
        if not is_write_error(exc):
            raise
        msg = f"cannot write the report to {str(out)!r}: {write_error_reason(exc)}"
        raise DataError(msg) from exc


def write_one(
    la: str,
    out: Path,
    *,
    years: int = 5,
    sn: str | None = None,
    method: str = "mean",
    indicators: Sequence[str] = CORE_INDICATORS,
    catalogue: Catalogue | None = None,
    own: OwnFigures | None = None,
) -> tuple[Path, Path]:
    """Build the report for ``la`` and write its HTML and XLSX files into ``out``."""
    from ..reports.benchmark_report import report_figures, write_reports

    code = resolve_la(la)
    bar = ProgressBar("report")
    try:
        figures = report_figures(
            years=years, indicators=indicators, sn_version=sn, sn_method=method,
            catalogue=catalogue, progress=bar, own=own,
        )  # fmt: skip
    finally:
        bar.close()
    done = _written(lambda: write_reports([code], out, figures=figures, own=own), out)
    (_, html, xlsx), *_ = done.written
    return html, xlsx


def run_report(args: argparse.Namespace) -> int:
    from ..reports.benchmark_report import report_figures, report_las, write_reports

    cat = catalogue_of(args)
    many = args.all or args.region is not None
    if many and args.input is not None:
        msg = "--input gives one council's own figures: use it with --la, not --all or --region"
        raise UsageError(msg)
    indicators = _indicators(args, cat)
    out = Path(args.out)
    if not many:
        own = _own(args, indicators, cat)
        html, xlsx = write_one(
            args.la, out, years=args.years, sn=args.sn, method=args.method,
            indicators=indicators, catalogue=cat, own=own,
        )  # fmt: skip
        print(f"wrote {html}\nwrote {xlsx}")
        return 0
    bar = ProgressBar("figures")
    try:
        figures = report_figures(
            years=args.years, indicators=indicators, sn_version=args.sn,
            sn_method=args.method, catalogue=cat, progress=bar,
        )  # fmt: skip
    finally:
        bar.close()
    codes, skipped = report_las(
        args.region, year=figures.years[-1], period_type=figures.period_type
    )
    for code, reason in skipped:
        print(f"cyp-indicators: skipped {code}: {reason}", file=sys.stderr)
    bar = ProgressBar("reports")
    try:
        done = _written(lambda: write_reports(codes, out, figures=figures, progress=bar), out)
    finally:
        bar.close()
    print(f"wrote {2 * len(done.written)} files for {len(done.written)} councils to {out}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    table = core_rates_table(csc_counts(), load_catalogue(), la=args.la, years=args.years)
    name = table["la_name"][0]
    print(f"Core children's social care rates: {name} ({args.la}), latest {args.years} years")
    print("Values and 95% intervals rounded half away from zero to DfE's published precision.")
    print(f"Population denominators: {table['population_vintage'].drop_nulls()[0]}\n")
    with table_config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=200,
        fmt_str_lengths=60,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
    ):
        for indicator in table["indicator"].unique(maintain_order=True):
            part = table.filter(pl.col("indicator") == indicator)
            print(f"{indicator} [{part['indicator_id'][0]}, {part['unit'][0]}]")
            print(
                part.select("year", "version", "count", "denominator", "value", "ci_95", "reason")
            )
            print()
    if not args.no_report:
        html, xlsx = write_one(args.la, Path(args.out), years=args.years)
        print(
            f"Benchmarking report against statistical neighbours and England:\n  {html}\n  {xlsx}"
        )
    return 0


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser(
        "demo", help="core social-care rates of one LA on the bundled DfE data", parents=parents
    )
    demo.add_argument(
        "--la", default="874", help="old LA number or ONS code (default 874, Peterborough)"
    )
    demo.add_argument(
        "--years", type=positive_int, default=5, help="how many latest years (default 5)"
    )
    demo.add_argument("--out", default="out", help="folder for the report files (default out/)")
    demo.add_argument("--no-report", action="store_true", help="print the table only")
    demo.set_defaults(func=run_demo)

    rep = sub.add_parser(
        "report",
        help="the benchmarking report (HTML and Excel) for one LA, a region's or every LA",
        description="The benchmarking report: each indicator against England and the "
        "statistical neighbours, as HTML and Excel. Any definition: computed from DfE's counts "
        "where they hold its columns, else DfE's published figures.",
        parents=parents,
    )
    who = rep.add_mutually_exclusive_group()
    who.add_argument("--la", default="874", help="old LA number or ONS code (default 874)")
    who.add_argument(
        "--all",
        action="store_true",
        help="every LA existing in the latest year (abolished ones are named and skipped)",
    )
    who.add_argument(
        "--region", metavar="R", help="every LA of a region (ONS code, LAIT number or name)"
    )
    what = rep.add_mutually_exclusive_group()
    what.add_argument(
        "--indicators",
        nargs="+",
        metavar="ID",
        help="definition ids, computed or published (default: the core social-care rates)",
    )
    what.add_argument(
        "--topic", metavar="T", help="every definition of a topic (as `list` shows them)"
    )
    rep.add_argument(
        "--input",
        metavar="FILE",
        help="the council's own figures, shown beside DfE's: a table with indicator_id, year, "
        "value (or numerator and denominator; optional lower_95, upper_95) or a DfE tidy file",
    )
    rep.add_argument("--sheet", help="with --input: the XLSX sheet to read (default: the first)")
    rep.add_argument(
        "--years", type=positive_int, default=5, help="how many latest years (default 5)"
    )
    rep.add_argument(
        "--sn",
        choices=list(neighbour_set_versions()),
        help=f"statistical-neighbour set (default: DfE's current set, {neighbour_set().version})",
    )
    rep.add_argument("--method", default="mean", choices=["mean", "median"], help="SN aggregation")
    rep.add_argument("--out", default="out", help="folder for the report files (default out/)")
    with_definitions(rep)
    rep.set_defaults(func=run_report)
