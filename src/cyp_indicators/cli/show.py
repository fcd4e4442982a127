"""``cyp-indicators show``: one definition in full."""

from __future__ import annotations

import argparse
from typing import Any

from ..model import IndicatorDefinition
from ..model.topics import topic_title
from ._common import definition_of, print_json, with_definitions, with_pin


def _provenance_lines(d: IndicatorDefinition) -> list[str]:
    """Where DfE publishes the measure, in words: release, table, LAIT, EES, dashboard, links."""
    p = d.provenance
    lines = []
    if p.dfe_release:
        table = f" (table {p.dfe_table})" if p.dfe_table else ""
        lines.append(f"published in: {p.dfe_release}{table}")
    if p.lait_series:
        code = f" {p.lait_measure_code}" if p.lait_measure_code else ""
        lines.append(f"LAIT measure{code}: {', '.join(p.lait_series)}")
    if p.ees is not None:
        parts = [f"file {p.ees.file}"]
        for label, column in (
            ("value", p.ees.value_column),
            ("numerator", p.ees.numerator_column),
            ("denominator", p.ees.denominator_column),
            ("breakdown", p.ees.breakdown_column),
        ):
            if column:
                parts.append(f"{label} column {column}")
        parts += [f"rows where {c} = {v!r}" for c, v in p.ees.filters]
        lines.append("EES: " + "; ".join(parts))
    lines += [f"DfE dashboard metric: {m}" for m in p.csc_dashboard_metrics]
    if p.national_indicator:
        lines.append(f"national indicator: {p.national_indicator}")
    if p.notes:
        lines.append(f"notes: {p.notes}")
    lines += [f"link: {url}" for url in p.urls]
    if d.derivation is not None:
        lines.append(f"derived from records by: {d.derivation.name}")
    return lines


def run(args: argparse.Namespace) -> int:
    d = definition_of(args)
    doc = d.to_mapping()
    if args.json:
        print_json(doc)
        return 0
    print(f"{d.title}  [{d.key}]")
    print(f"  {d.description}")
    print(f"  topic: {d.topic} ({topic_title(d.topic)})")
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
    for line in _provenance_lines(d):
        print(f"  {line}")
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
