"""The ``cyp-indicators`` command: a thin layer that parses, calls the library and prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import polars as pl

from . import __version__
from .catalogue import load_catalogue
from .datasets import csc_counts
from .errors import CypIndicatorsError
from .reports.core_rates import core_rates_table

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    table = core_rates_table(csc_counts(), load_catalogue(), la=args.la, years=args.years)
    name = table["la_name"][0]
    print(f"Core children's social care rates: {name} ({args.la}), latest {args.years} years")
    print("Values and 95% intervals rounded half away from zero to DfE's published precision.")
    print(f"Population denominators: {table['population_vintage'].drop_nulls()[0]}\n")
    with pl.Config(
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
                part.select(
                    "year",
                    "version",
                    "count",
                    "denominator",
                    "value",
                    "ci_95",
                    "reason",
                )
            )
            print()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cyp-indicators",
        description="Children's-services performance indicators for English local authorities.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="core social-care rates of one LA on the bundled DfE data")
    demo.add_argument(
        "--la", default="874", help="old LA number or ONS code (default 874, Peterborough)"
    )
    demo.add_argument("--years", type=int, default=5, help="how many latest years (default 5)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 data problem, 2 usage)."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except CypIndicatorsError as exc:
        print(f"cyp-indicators: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
