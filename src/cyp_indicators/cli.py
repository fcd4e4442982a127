"""The ``cyp-indicators`` command: a thin layer that parses, calls the library and prints."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from . import __version__
from .catalogue import Catalogue, load_catalogue
from .compare.aggregate import aggregate_neighbours
from .compare.gaps import add_gap
from .compare.groups import ComparatorSet, load_comparator_set, neighbour_set
from .compute import compute
from .datasets import csc_counts
from .errors import CypIndicatorsError, DataError, InvalidValueError
from .geography import ENGLAND
from .io import read_table
from .model import Family, IndicatorDefinition, Version
from .presentation import present
from .reports.core_rates import core_rates_table

if TYPE_CHECKING:
    from .records import Period

__all__ = ["main"]

_EXCEL = (".xlsx", ".xlsm")
_TEXT_TABLES = (".csv", ".tsv", ".txt")
_MAX_LINES_SHOWN = 10


class _UsageError(Exception):
    """An option that does not fit the others: exit code 2, like argparse's own errors."""


def _positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        msg = f"must be a whole number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if number < 1:
        msg = f"must be at least 1, got {number}"
        raise argparse.ArgumentTypeError(msg)
    return number


def _version_pin(text: str) -> str:
    """An argparse type: a version pin the catalogue accepts (1, 1.2 or 1.2.3)."""
    try:
        Version.parse_pin(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


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


def _lists_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns (``sn_missing``) as text, members joined by ", ": CSV holds no nesting."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(
        pl.col(name).cast(pl.List(pl.String)).list.join(", ") for name in lists
    )


def _write(frame: pl.DataFrame, output: str | None) -> None:
    if output is None:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=80):
            print(frame)
        return
    path = Path(output)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            _lists_as_text(frame).write_csv(path)
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
#: Date columns that say when a child was born or died, not when the records' events happened.
_LIFE_DATES = ("DOB", "BirthDate", "DeathDate")
#: How far a period may run past the first or last date in the records before a warning: a
#: complete year's records rarely hold an event on the year's very first or last day.
_SLACK = timedelta(days=31)


def _read_input(path: str, sheet: str | None = None, *, folder_hint: str = "") -> pl.DataFrame:
    """The ``--input`` table; a folder or a ``--sheet`` on a non-Excel file is one line."""
    p = Path(path)
    if sheet is not None and p.suffix.lower() not in _EXCEL:
        msg = f"--sheet applies only to an Excel input (.xlsx), not {p.name!r}"
        raise _UsageError(msg)
    if p.is_dir():
        msg = (
            f"{path!r} is a folder; --input takes one table file "
            f"(.csv, .tsv, .parquet or .xlsx){folder_hint}"
        )
        raise DataError(msg)
    return read_table(p, sheet=sheet)


def _in_file(path: str, exc: DataError, kept: Sequence[int] | None = None) -> DataError:
    """``exc`` naming the input file and, for a CSV, the file's lines of the rows it names.

    ``kept``: the file's row positions of the frame's rows, when some rows were left out.
    """
    text = f"{path}: {exc}"
    if isinstance(exc, InvalidValueError) and Path(path).suffix.lower() in _TEXT_TABLES:
        rows = [kept[row] if kept is not None else row for row in exc.rows]
        lines = ", ".join(str(row + 2) for row in rows[:_MAX_LINES_SHOWN])
        more = f" and {len(rows) - _MAX_LINES_SHOWN} more" if len(rows) > _MAX_LINES_SHOWN else ""
        text += f" [line {lines}{more} of the file, the header being line 1]"
    return DataError(text)


def _record_period(d: IndicatorDefinition, year: int) -> Period:
    from .model import PeriodType
    from .records import Period

    try:
        if d.period_type is PeriodType.SNAPSHOT_31_MARCH:
            return Period.snapshot(date(year, 3, 31))
        if d.period_type is PeriodType.FINANCIAL_YEAR:
            return Period.financial_year(year)
    except ValueError as exc:
        msg = f"--year {year}: {exc}"
        raise _UsageError(msg) from exc
    msg = (
        f"{d.key} covers a {d.period_type.value} period; derive it from records with "
        "cyp_indicators.derive and a Period of your own"
    )
    raise DataError(msg)


def _la_population(la: str) -> pl.DataFrame:
    """The bundled ONS estimates (``mid_year``, ``population``) of an LA number or ONS code."""
    from .geography import canonical_la
    from .population import population_estimates

    code = canonical_la(la)
    if code is None:
        msg = f"LA code {la!r} does not exist"
        raise DataError(msg)
    rows = population_estimates().filter(pl.col("old_la_code") == code)
    if rows.is_empty():
        msg = f"the bundled population estimates have no rows for LA {la!r}; give --population"
        raise DataError(msg)
    return rows.select("mid_year", "population")


def _record_dates(d: IndicatorDefinition, records: Any, where: str) -> tuple[date, date] | None:
    """The first and last event date in the tables ``d`` is derived from (None: derive decides).

    A table the derivation needs but the records lack, or dates found nowhere, is a DataError.
    """
    from .records import DERIVATIONS

    spec = DERIVATIONS.get(d.derivation.name) if d.derivation is not None else None
    if spec is None or not set(spec.tables) <= set(records.TABLES):
        return None  # derive() names the problem: no derivation, or the wrong kind of records
    empty = [t for t in spec.tables if records.table(t).is_empty()]
    if empty:
        msg = (
            f"{d.key} is derived from the {records.KIND} {' and '.join(empty)} table(s), "
            f"but the records in {where} have no rows there"
        )
        raise DataError(msg)
    dates = pl.concat(
        [
            records.table(t).select(pl.col(name).alias("date"))
            for t in spec.tables
            for name, dtype in records.table(t).schema.items()
            if dtype == pl.Date and not any(word in name for word in _LIFE_DATES)
        ]
        or [pl.DataFrame({"date": []}, schema={"date": pl.Date})]
    )["date"].drop_nulls()
    if dates.is_empty():
        msg = f"the records in {where} hold no dates in the tables {d.key} is derived from"
        raise DataError(msg)
    first, last = dates.min(), dates.max()
    assert isinstance(first, date)
    assert isinstance(last, date)
    return first, last


def _check_coverage(period: Period, span: tuple[date, date], year: int, where: str) -> None:
    """A period outside the collection years of the records is an error; partly inside, a warning.

    The records cover whole collection years (1 April to 31 March), from the year of their first
    date to the year of their last.
    """
    first, last = span
    start = date(first.year if first.month >= 4 else first.year - 1, 4, 1)
    end = date(last.year + 1 if last.month >= 4 else last.year, 3, 31)
    if period.end < start or period.start > end:
        msg = (
            f"--year {year}: the period {period.label} lies outside the dates in the records of "
            f"{where} ({first} to {last}: collection years {start.year + 1} to {end.year})"
        )
        raise DataError(msg)
    if period.start < first - _SLACK or period.end > last + _SLACK:
        print(
            f"cyp-indicators: warning: the records of {where} run from {first} to {last}, so the "
            f"period {period.label} is only partly covered; the figure may be incomplete",
            file=sys.stderr,
        )


def _compute_from_records(args: argparse.Namespace, d: IndicatorDefinition) -> int:
    from .records import derive, read_cin_census, read_cin_tables, read_ssda903

    reader = {
        "ssda903": read_ssda903,
        "cin-census": read_cin_census,
        "cin-tables": read_cin_tables,
    }[args.records]
    period = _record_period(d, args.year)
    population: float | pl.DataFrame | None = args.population
    if args.la is not None:
        population = _la_population(args.la)
    records = reader(args.input)
    span = _record_dates(d, records, repr(args.input))
    if span is not None:
        _check_coverage(period, span, args.year, repr(args.input))
    result = derive(d, records, period=period, population=population)
    excluded = result.exclusions.height
    print(f"{excluded} record(s) not counted (see --exclusions)", file=sys.stderr)
    if args.exclusions:
        _write(result.exclusions, args.exclusions)
    _write(present(result.values, d) if args.present else result.values, args.output)
    return 0


def _check_compute_options(args: argparse.Namespace) -> None:
    """Options that belong to the other way of computing are usage errors, not ignored."""
    if args.records and args.year is None:
        msg = (
            "--records needs --year: the collection year to derive (2019 is 31 March 2019 "
            "or FY 2018-19), which also picks the definition's version"
        )
        raise _UsageError(msg)
    if args.records:
        foreign, where = (
            ("sheet", "numerator", "denominator"),
            "to a table of counts, not with --records",
        )
    else:
        foreign, where = ("la", "population", "exclusions"), "with --records"
    for name in foreign:
        if getattr(args, name) is not None:
            msg = f"--{name} applies only {where}"
            raise _UsageError(msg)


def _compute(args: argparse.Namespace) -> int:
    _check_compute_options(args)
    d = _definition(args)
    if args.records:
        return _compute_from_records(args, d)
    frame = _read_input(args.input, args.sheet, folder_hint=", or with --records record files")
    try:
        result = compute(d, frame, numerator=args.numerator, denominator=args.denominator)
        shown = (
            present(result, d, numerator=args.numerator, denominator=args.denominator)
            if args.present
            else result
        )
    except DataError as exc:
        raise _in_file(args.input, exc) from exc
    _write(shown, args.output)
    return 0


def _comparator_set(args: argparse.Namespace) -> ComparatorSet:
    if args.groups is None:
        return neighbour_set(args.sn or "2025")
    path = Path(args.groups)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        msg = f"comparator-set file {args.groups!r} {what}"
        raise DataError(msg)
    return load_comparator_set(path)


def _is_england(frame: pl.DataFrame, column: str) -> pl.Expr:
    """England's rows: E92000001 in the LA column, or a DfE download's national row."""
    code = pl.col(column).cast(pl.String).str.strip_chars()
    england = code == ENGLAND
    if "geographic_level" in frame.columns:
        england = england | (pl.col("geographic_level").cast(pl.String) == "National")
    return england.fill_null(False)


def _england_values(frame: pl.DataFrame, args: argparse.Namespace) -> pl.DataFrame | None:
    """England's value each year, from the input's England rows (None when there are none)."""
    if args.la_column not in frame.columns or args.year_column not in frame.columns:
        return None  # aggregate_neighbours names the missing column
    rows = frame.filter(_is_england(frame, args.la_column))
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


def _compare(args: argparse.Namespace) -> int:
    from .geography import canonical_expr, canonical_la

    if args.groups is not None and args.sn is not None:
        msg = "give --sn or --groups, not both"
        raise _UsageError(msg)
    code = None
    if args.la:
        code = canonical_la(args.la)
        if code is None:
            msg = f"LA code {args.la!r} does not exist"
            raise DataError(msg)
    d = _definition(args)
    raw = _read_input(args.input, args.sheet)
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
        raise _in_file(args.input, exc, kept) from exc
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
    _write(result, args.output)
    return 0


def _validate_file(path: Path, *, alone: bool) -> str:
    """Check one file: a definition (against the bundled ones unless alone), pack or SN set."""
    from .loader import read_definition, read_pack

    if path.suffix.lower() != ".toml":
        msg = f"{str(path)!r} is not a .toml file; validate takes a folder or one .toml file"
        raise DataError(msg)
    if path.parent.name == "comparators":
        sn = load_comparator_set(path)
        return f"comparator set {sn.id}@{sn.version}"
    if path.parent.name == "packs":
        pack = read_pack(path)
        return f"year pack {pack.year}; the definitions it names are checked with its folder"
    d = read_definition(path)
    base = load_catalogue(bundled=not alone)
    Catalogue([*base, d], base.packs)  # raises if it clashes with a bundled definition
    return d.key


def _validate(args: argparse.Namespace) -> int:
    path = Path(args.folder)
    if path.is_file():
        print(f"{args.folder}: valid ({_validate_file(path, alone=args.alone)})")
        return 0
    if not path.is_dir():
        msg = f"no such folder or file: {args.folder!r}"
        raise DataError(msg)
    files = [
        p
        for p in path.rglob("*.toml")
        if not {"comparators", "packs"} & set(p.relative_to(path).parts)
    ]
    if not files:
        msg = f"{args.folder}: no definition files (*.toml) found in the folder"
        raise DataError(msg)
    cat = load_catalogue(path, bundled=not args.alone)
    print(f"{args.folder}: valid ({cat})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cyp-indicators",
        description="Children's-services performance indicators for English local authorities.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    # --debug after the subcommand too; SUPPRESS keeps the value given before it.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[debug])

    demo = command("demo", "core social-care rates of one LA on the bundled DfE data")
    demo.add_argument(
        "--la", default="874", help="old LA number or ONS code (default 874, Peterborough)"
    )
    demo.add_argument(
        "--years", type=_positive_int, default=5, help="how many latest years (default 5)"
    )
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

    def with_pin(p: argparse.ArgumentParser, year_help: str) -> None:
        pin = p.add_mutually_exclusive_group()
        pin.add_argument(
            "--version", dest="version", type=_version_pin, help="a version pin: 1, 1.2 or 1.2.3"
        )
        pin.add_argument("--year", type=int, help=year_help)

    in_force = "the version in force for this collection year"

    ls = command("list", "list definitions (filter by family, topic, keyword, year)")
    ls.add_argument("--family", choices=[f.value for f in Family])
    ls.add_argument("--topic")
    ls.add_argument("--keyword")
    ls.add_argument("--year", type=int, help="only the definitions in force this collection year")
    ls.add_argument("--json", action="store_true", help="print JSON")
    with_definitions(ls)
    ls.set_defaults(func=_list)

    show = command("show", "show one definition in full")
    show.add_argument("id")
    with_pin(show, in_force)
    show.add_argument("--json", action="store_true", help="print the definition as JSON")
    with_definitions(show)
    show.set_defaults(func=_show)

    comp = command("compute", "compute a definition on a table of counts")
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
        "--population", type=float, help="with --records: the rate's denominator"
    )
    denominator.add_argument(
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
    with_pin(comp, f"{in_force}; with --records also the period derived")
    with_definitions(comp)
    comp.set_defaults(func=_compute)

    cmp_ = command("compare", "each LA against its statistical neighbours")
    cmp_.add_argument("id")
    cmp_.add_argument(
        "--input", required=True, help="a table of values: LA code, year, value (CSV, XLSX ...)"
    )
    cmp_.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
    cmp_.add_argument("--la", help="show only this LA (old number or ONS code)")
    cmp_.add_argument("--sn", help="DfE statistical-neighbour set: 2021 or 2025 (default 2025)")
    cmp_.add_argument("--groups", help="a comparator-set TOML file of your own instead")
    cmp_.add_argument("--method", default="median", choices=["median", "mean"], help="aggregation")
    cmp_.add_argument(
        "--la-column", default="la_code", help="LA numbers or ONS codes (default la_code)"
    )
    cmp_.add_argument("--year-column", default="year", help="the year column (default year)")
    cmp_.add_argument("--value", default="value", help="the value column (default value)")
    cmp_.add_argument(
        "--output", help="write to .csv, .parquet, .xlsx or .json instead of printing"
    )
    with_pin(cmp_, in_force)
    with_definitions(cmp_)
    cmp_.set_defaults(func=_compare)

    rep = command("report", "the benchmarking report (HTML and Excel) for one LA")
    rep.add_argument("--la", default="874", help="old LA number or ONS code (default 874)")
    rep.add_argument(
        "--years", type=_positive_int, default=5, help="how many latest years (default 5)"
    )
    rep.add_argument(
        "--sn", default="2025", choices=["2021", "2025"], help="statistical-neighbour set"
    )
    rep.add_argument("--method", default="mean", choices=["mean", "median"], help="SN aggregation")
    rep.add_argument("--out", default="out", help="folder for the report files (default out/)")
    rep.set_defaults(func=_report)

    val = command("validate", "check a folder (or one file) of definitions against the schema")
    val.add_argument("folder", metavar="PATH")
    val.add_argument("--alone", action="store_true", help="without the bundled catalogue")
    val.set_defaults(func=_validate)
    return parser


def _one_line(exc: BaseException) -> str:
    """An error for stderr; an OS error as its file and reason, without ``[Errno 2]``."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{str(exc.filename)!r}: {exc.strerror}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 data problem, 2 usage)."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    except (_UsageError, CypIndicatorsError, OSError) as exc:
        if args.debug:
            raise
        print(f"cyp-indicators: {_one_line(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, _UsageError) else 1
    return code


if __name__ == "__main__":
    sys.exit(main())
