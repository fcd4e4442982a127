"""``cyp-indicators published``: DfE's published figures for a definition, and where they come from."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import DataError
from ..geography import canonical_area
from ..sources import published, published_sources
from ._common import (
    UsageError,
    catalogue_of,
    check_outputs,
    regular_input,
    with_definitions,
    write,
)

_BUNDLED = ("lait", "ees", "dashboard")


def run(args: argparse.Namespace) -> int:
    check_outputs(args, "output")
    if args.sources:
        if args.id is not None:
            raise UsageError("give an id or --sources, not both")
        write(published_sources(), args.output)
        return 0
    if args.id is None:
        raise UsageError("give a definition id (or --sources for the bundled files)")
    cat = catalogue_of(args)
    if args.source not in (None, *_BUNDLED) and Path(args.source).exists():
        regular_input(args.source, "--source")  # a pipe or a device would never end
    frame = published(cat.get(args.id), source=args.source, catalogue=cat)
    if args.la is not None:
        code = canonical_area(args.la)
        if code is None:
            msg = f"area code {args.la!r} does not exist"
            raise DataError(msg)
        frame = frame.filter(pl.col("area_code") == code)
    if args.year is not None:
        frame = frame.filter(pl.col("time_period") == args.year)
    write(pl.DataFrame(frame), args.output)
    return 0


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    pub = sub.add_parser(
        "published",
        help="DfE's published figures for a definition (LAIT, EES or DfE's dashboard)",
        parents=parents,
    )
    pub.add_argument("id", nargs="?")
    pub.add_argument(
        "--source",
        help="lait, ees or dashboard (the bundled series), or a newer LAIT or EES download",
    )
    pub.add_argument("--la", help="only this area (LA number, ONS code, region code, 970 England)")
    pub.add_argument("--year", type=int, help="only this collection year")
    pub.add_argument(
        "--sources", action="store_true", help="list the bundled published files and their origin"
    )
    pub.add_argument("--output", help="write to .csv, .parquet, .xlsx or .json instead of printing")
    with_definitions(pub)
    pub.set_defaults(func=run)
