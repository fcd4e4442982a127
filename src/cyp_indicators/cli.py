"""The ``cyp-indicators`` command: a thin layer that parses, calls the library and prints."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from . import __version__
from .catalogue import Catalogue, load_catalogue
from .compare.aggregate import aggregate_neighbours
from .compare.groups import load_comparator_set, neighbour_set
from .compute import compute
from .datasets import csc_counts
from .errors import CypIndicatorsError, DataError
from .io import read_table
from .model import IndicatorDefinition
from .presentation import present
from .reports.core_rates import core_rates_table

__all__ = ["main"]


class _ProgressBar:
    """A progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = sys.stderr.isatty()

    def __call__(self, done: int, total: int, step: str) -> None:
        if not self.shown:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {done}/{total} {step[:40]:<40}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()


def _write_reports(la: str, years: int, sn: str, method: str, out: Path) -> tuple[Path, Path]:
    from .reports.benchmark_report import build_report, write_html, write_xlsx

    bar = _ProgressBar("report")
    try:
        report = build_report(la, years=years, sn_version=sn, sn_method=method, progress=bar)
    finally:
        bar.close()
    try:
        out.mkdir(parents=True, exist_ok=True)
        stem = f"benchmark_{report.la}"
        return write_html(report, out / f"{stem}.html"), write_xlsx(report, out / f"{stem}.xlsx")
    except OSError as exc:
        msg = f"cannot write the report to {str(out)!r}: {exc.strerror or exc}"
        raise DataError(msg) from exc


def _report(args: argparse.Namespace) -> int:
    html, xlsx = _write_reports(args.la, args.years, args.sn, args.method, Path(args.out))
    print(f"wrote {html}\nwrote {xlsx}")
    return 0


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
    if not args.no_report:
        html, xlsx = _write_reports(args.la, args.years, "2025", "mean", Path(args.out))
        print(
            f"Benchmarking report against statistical neighbours and England:\n  {html}\n  {xlsx}"
        )
    return 0


def _catalogue(args: argparse.Namespace) -> Catalogue:
    folders = getattr(args, "definitions", None) or []
    return load_catalogue(*folders)


def _definition(args: argparse.Namespace) -> IndicatorDefinition:
    cat = _catalogue(args)
    if getattr(args, "version", None) is not None:
        return cat.get(args.id, version=args.version)
    if getattr(args, "year", None) is not None:
        return cat.get(args.id, year=args.year)
    return cat.get(args.id)


def _write(frame: pl.DataFrame, output: str | None) -> None:
    if output is None:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=80):
            print(frame)
        return
    path = Path(output)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame.write_csv(path)
        elif suffix == ".parquet":
            frame.write_parquet(path)
        elif suffix == ".json":
            path.write_text(json.dumps(frame.to_dicts(), default=str, indent=2), encoding="utf-8")
        elif suffix == ".xlsx":
            frame.write_excel(path)
        else:
            msg = f"{output!r}: unsupported output type {suffix!r}; use .csv, .parquet, .xlsx or .json"
            raise DataError(msg)
    except ModuleNotFoundError as exc:
        msg = f"{output!r}: writing {suffix} needs {exc.name!r} (pip install xlsxwriter)"
        raise DataError(msg) from exc
    except OSError as exc:
        msg = f"cannot write {output!r}: {exc.strerror or exc}"
        raise DataError(msg) from exc
    print(f"wrote {path}", file=sys.stderr)


def _list(args: argparse.Namespace) -> int:
    cat = _catalogue(args)
    rows = cat.list(family=args.family, topic=args.topic, keyword=args.keyword, year=args.year)
    frame = pl.DataFrame(
        [
            {"id": d.id, "version": str(d.version), "family": d.family.value, "title": d.title}
            for d in rows
        ],
        schema={"id": pl.String, "version": pl.String, "family": pl.String, "title": pl.String},
    )
    if args.json:
        print(json.dumps(frame.to_dicts(), indent=2))
    else:
        _write(frame, None)
    return 0


def _show(args: argparse.Namespace) -> int:
    d = _definition(args)
    doc = d.to_mapping()
    if args.json:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
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
            f"  denominator: {d.denominator.meaning} (column {d.denominator.column!r}; {d.denominator.source})"
        )
    for caveat in d.caveats:
        print(f"  caveat: {caveat}")
    for entry in d.changelog:
        print(f"  {entry.version} ({entry.date}): {entry.change}")
    return 0


_READERS = ("ssda903", "cin-census", "cin-tables")


def _record_period(d: IndicatorDefinition, year: int) -> object:
    from datetime import date

    from .model import PeriodType
    from .records import Period

    if d.period_type is PeriodType.SNAPSHOT_31_MARCH:
        return Period.snapshot(date(year, 3, 31))
    if d.period_type is PeriodType.FINANCIAL_YEAR:
        return Period.financial_year(year)
    msg = (
        f"{d.key} covers a {d.period_type.value} period; derive it from records with "
        "cyp_indicators.derive and a Period of your own"
    )
    raise DataError(msg)


def _compute_from_records(args: argparse.Namespace, d: IndicatorDefinition) -> int:
    from .population import population_estimates
    from .records import derive, read_cin_census, read_cin_tables, read_ssda903

    if args.year is None:
        msg = "--records needs --year: the collection year to derive (2019 is FY 2018-19)"
        raise DataError(msg)
    reader = {
        "ssda903": read_ssda903,
        "cin-census": read_cin_census,
        "cin-tables": read_cin_tables,
    }[args.records]
    records = reader(args.input)
    population: float | pl.DataFrame | None = args.population
    if args.la is not None:
        from .compare.codes import canonical_la

        if canonical_la(args.la) is None:
            msg = f"LA code {args.la!r} does not exist"
            raise DataError(msg)
        population = (
            population_estimates()
            .filter(pl.col("old_la_code") == args.la)
            .select("mid_year", "population")
        )
    result = derive(d, records, period=_record_period(d, args.year), population=population)
    excluded = result.exclusions.height
    print(f"{excluded} record(s) not counted (see --exclusions)", file=sys.stderr)
    if args.exclusions:
        _write(result.exclusions, args.exclusions)
    _write(present(result.values, d) if args.present else result.values, args.output)
    return 0


def _compute(args: argparse.Namespace) -> int:
    d = _definition(args)
    if args.records:
        return _compute_from_records(args, d)
    frame = read_table(args.input, sheet=args.sheet)
    result = compute(d, frame, numerator=args.numerator, denominator=args.denominator)
    given = [c for c in (args.numerator, args.denominator) if c is not None]
    _write(present(result, d, withhold=given) if args.present else result, args.output)
    return 0


def _compare(args: argparse.Namespace) -> int:
    d = _definition(args)
    frame = read_table(args.input)
    sn = load_comparator_set(args.groups) if args.groups else neighbour_set(args.sn)
    result = aggregate_neighbours(
        frame,
        sn,
        method=args.method,
        la=args.la_column,
        year=args.year_column,
        value=args.value,
        definition=d,
    )
    if args.la:
        from .compare.codes import canonical_la

        code = canonical_la(args.la)
        if code is None:
            msg = f"LA code {args.la!r} does not exist"
            raise DataError(msg)
        result = result.filter(pl.col(args.la_column).cast(pl.String).is_in([args.la, code]))
    _write(result, args.output)
    return 0


def _validate(args: argparse.Namespace) -> int:
    cat = load_catalogue(args.folder, bundled=not args.alone)
    print(f"{args.folder}: valid ({cat})")
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
    demo.add_argument("--out", default="out", help="folder for the report files (default out/)")
    demo.add_argument("--no-report", action="store_true", help="print the table only")
    demo.set_defaults(func=_demo)

    def with_definitions(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--definitions",
            action="append",
            metavar="DIR",
            help="also load a folder of your own definitions",
        )

    def with_pin(p: argparse.ArgumentParser) -> None:
        pin = p.add_mutually_exclusive_group()
        pin.add_argument("--version", dest="version", help="a version pin: 1, 1.2 or 1.2.3")
        pin.add_argument("--year", type=int, help="the version in force for this collection year")

    ls = sub.add_parser("list", help="list definitions (filter by family, topic, keyword, year)")
    ls.add_argument("--family")
    ls.add_argument("--topic")
    ls.add_argument("--keyword")
    ls.add_argument("--year", type=int)
    ls.add_argument("--json", action="store_true", help="print JSON")
    with_definitions(ls)
    ls.set_defaults(func=_list)

    show = sub.add_parser("show", help="show one definition in full")
    show.add_argument("id")
    with_pin(show)
    show.add_argument("--json", action="store_true", help="print the definition as JSON")
    with_definitions(show)
    show.set_defaults(func=_show)

    comp = sub.add_parser("compute", help="compute a definition on a table of counts")
    comp.add_argument("id")
    comp.add_argument(
        "--input",
        required=True,
        help="CSV, Parquet or XLSX with the counts; with --records, the record files or folder",
    )
    comp.add_argument(
        "--records",
        choices=_READERS,
        help="derive from child-level records: an SSDA903 folder, a CIN census XML or CIN tables "
        "(needs --year; a rate needs --population or --la)",
    )
    comp.add_argument("--population", type=float, help="with --records: the rate's denominator")
    comp.add_argument(
        "--la", help="with --records: take the population from the bundled ONS estimates"
    )
    comp.add_argument("--exclusions", help="with --records: write every record not counted here")
    comp.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
    comp.add_argument("--numerator", help="numerator column (default: the definition's)")
    comp.add_argument("--denominator", help="denominator column (default: the definition's)")
    comp.add_argument("--present", action="store_true", help="round and apply disclosure control")
    comp.add_argument(
        "--output", help="write to .csv, .parquet, .xlsx or .json instead of printing"
    )
    with_pin(comp)
    with_definitions(comp)
    comp.set_defaults(func=_compute)

    cmp_ = sub.add_parser("compare", help="each LA against its statistical neighbours")
    cmp_.add_argument("id")
    cmp_.add_argument("--input", required=True, help="a table of values: LA code, year, value")
    cmp_.add_argument("--la", help="show only this LA (old number or ONS code)")
    cmp_.add_argument("--sn", default="2025", help="DfE statistical-neighbour set: 2021 or 2025")
    cmp_.add_argument("--groups", help="a comparator-set TOML file of your own instead")
    cmp_.add_argument("--method", default="median", choices=["median", "mean"], help="aggregation")
    cmp_.add_argument("--la-column", default="la_code")
    cmp_.add_argument("--year-column", default="year")
    cmp_.add_argument("--value", default="value", help="the value column")
    cmp_.add_argument("--output")
    with_pin(cmp_)
    with_definitions(cmp_)
    cmp_.set_defaults(func=_compare)

    rep = sub.add_parser("report", help="the benchmarking report (HTML and Excel) for one LA")
    rep.add_argument("--la", default="874", help="old LA number or ONS code (default 874)")
    rep.add_argument("--years", type=int, default=5)
    rep.add_argument(
        "--sn", default="2025", choices=["2021", "2025"], help="statistical-neighbour set"
    )
    rep.add_argument("--method", default="mean", choices=["mean", "median"], help="SN aggregation")
    rep.add_argument("--out", default="out", help="folder for the report files (default out/)")
    rep.set_defaults(func=_report)

    val = sub.add_parser("validate", help="check a folder of definitions against the schema")
    val.add_argument("folder")
    val.add_argument("--alone", action="store_true", help="without the bundled catalogue")
    val.set_defaults(func=_validate)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 data problem, 2 usage)."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (CypIndicatorsError, FileNotFoundError) as exc:
        if args.debug:
            raise
        print(f"cyp-indicators: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
