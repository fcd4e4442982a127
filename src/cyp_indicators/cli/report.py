"""``cyp-indicators report`` and ``demo``: the benchmarking report, and the core rates table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import polars as pl

from ..catalogue import load_catalogue
from ..compare.groups import neighbour_set, neighbour_set_versions
from ..datasets import csc_counts
from ..errors import DataError
from ..reports.core_rates import core_rates_table
from ..safe_output import write_atomically
from ._common import (
    ProgressBar,
    is_write_error,
    positive_int,
    table_config,
    write_error_reason,
)


def write_reports(la: str, years: int, sn: str | None, method: str, out: Path) -> tuple[Path, Path]:
    """Build the report for ``la`` and write its HTML and XLSX files into ``out``."""
    from ..reports.benchmark_report import build_report, write_html, write_xlsx

    bar = ProgressBar("report")
    try:
        report = build_report(la, years=years, sn_version=sn, sn_method=method, progress=bar)
    finally:
        bar.close()
    stem = f"benchmark_{report.la}"
    html, xlsx = out / f"{stem}.html", out / f"{stem}.xlsx"
    try:
        out.mkdir(parents=True, exist_ok=True)
        # each file written beside its target and renamed when whole: Ctrl-C or a full disk
        # leaves the files there were, never half a report
        write_atomically(html, lambda temporary: write_html(report, temporary))
        write_atomically(xlsx, lambda temporary: write_xlsx(report, temporary))
    except Exception as exc:
        if not is_write_error(exc):
            raise
        msg = f"cannot write the report to {str(out)!r}: {write_error_reason(exc)}"
        raise DataError(msg) from exc
    return html, xlsx


def run_report(args: argparse.Namespace) -> int:
    html, xlsx = write_reports(args.la, args.years, args.sn, args.method, Path(args.out))
    print(f"wrote {html}\nwrote {xlsx}")
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
        html, xlsx = write_reports(args.la, args.years, None, "mean", Path(args.out))
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
        "report", help="the benchmarking report (HTML and Excel) for one LA", parents=parents
    )
    rep.add_argument("--la", default="874", help="old LA number or ONS code (default 874)")
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
    rep.set_defaults(func=run_report)
