"""``cyp-indicators show``: one definition in full."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import definition_of, print_json, with_definitions, with_pin


def run(args: argparse.Namespace) -> int:
    d = definition_of(args)
    doc = d.to_mapping()
    if args.json:
        print_json(doc)
        return 0
    print(f"{d.title}  [{d.key}]")
    print(f"  {d.description}")
    for key in (
        "family",
        "unit",
        "multiplier",
        "polarity",
        "period_type",
        "ci_method",
        "valid_from",
        "valid_to",
    ):
        print(f"  {key}: {doc.get(key)}")
    print(
        f"  numerator: {d.numerator.meaning} (column {d.numerator.column!r}; {d.numerator.source})"
    )
    if d.denominator is not None:
        print(
            f"  denominator: {d.denominator.meaning} (column {d.denominator.column!r}; "
            f"{d.denominator.source})"
        )
    for caveat in d.caveats:
        print(f"  caveat: {caveat}")
    for entry in d.changelog:
        print(f"  {entry.version} ({entry.date}): {entry.change}")
    return 0


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    show = sub.add_parser("show", help="show one definition in full", parents=parents)
    show.add_argument("id")
    with_pin(show, "the version in force for this collection year")
    show.add_argument("--json", action="store_true", help="print the definition as JSON")
    with_definitions(show)
    show.set_defaults(func=run)
