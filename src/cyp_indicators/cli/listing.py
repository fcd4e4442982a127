"""``cyp-indicators list``: the definitions, filtered."""

from __future__ import annotations

import argparse
from typing import Any

import polars as pl

from ..model import Family
from ._common import catalogue_of, print_json, with_definitions, write


def run(args: argparse.Namespace) -> int:
    cat = catalogue_of(args)
    rows = cat.list(family=args.family, topic=args.topic, keyword=args.keyword, year=args.year)
    columns = ("id", "version", "topic", "family", "title")
    frame = pl.DataFrame(
        [
            {
                "id": d.id,
                "version": str(d.version),
                "topic": d.topic,
                "family": d.family.value,
                "title": d.title,
            }
            for d in rows
        ],
        schema=dict.fromkeys(columns, pl.String),
    )
    if args.json:
        print_json(frame.to_dicts())
    else:
        write(frame, None)
    return 0


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    ls = sub.add_parser(
        "list", help="list definitions (filter by family, topic, keyword, year)", parents=parents
    )
    ls.add_argument("--family", choices=[f.value for f in Family])
    ls.add_argument(
        "--topic",
        help="a topic as list and show print it (children_in_need, care_leavers, ...) or its title",
    )
    ls.add_argument("--keyword")
    ls.add_argument("--year", type=int, help="only the definitions in force this collection year")
    ls.add_argument("--json", action="store_true", help="print JSON")
    with_definitions(ls)
    ls.set_defaults(func=run)
