"""The council's own figures, shown in its report beside DfE's.

A council often has figures for a year DfE has not published yet (its own return, before the
release), or wants its own calculation beside the published one. :func:`read_own_figures` reads
them from a file (:func:`own_figures` from a frame) in one of two layouts:

**A table of figures**, one row per indicator and collection year:

===================  ==========================================================================
column               holds
===================  ==========================================================================
``indicator_id``     the definition id (may be left out when the report has one indicator)
``year``             the collection year (2025 is the year ending 31 March 2025, or 2024/25)
``value``            the figure, unrounded or rounded (a number, or a DfE symbol: c, x, z, low, u)
``numerator``        optional: the count; with ``denominator`` and no ``value`` column, the
                     value and its 95 % interval are computed with the definition in force
``denominator``      optional: the denominator (the population for a rate)
``lower_95``         optional: the 95 % interval's lower limit (``lower`` is read too)
``upper_95``         optional: its upper limit (``upper`` is read too)
``area_code``        optional: the LA's old number or ONS code (``old_la_code``,
                     ``new_la_code`` are read too); rows of other areas are left out and counted
===================  ==========================================================================

**A DfE tidy file** (an Explore Education Statistics download or a file in its layout:
``time_period``, ``geographic_level`` and the area columns), from which each of the report's
indicators whose columns the file holds is computed with the version in force each year
(:func:`~cyp_indicators.compute_by_year`); the LA's rows are kept.

Each figure is presented as DfE would: rounded half away from zero to the decimal places of the
version in force that year. An error names the file (``where``) and the column, with the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from ..catalogue import Catalogue, load_catalogue
from ..compare._values import cannot_be_negative
from ..compute import compute, compute_by_year
from ..errors import DataError, DuplicateKeyError, InvalidValueError, MissingColumnError
from ..geography import canonical_la, resolve_la
from ..inputs import is_tidy
from ..io import read_table
from ..model import IndicatorDefinition
from ..presentation import present
from ..stats.rounding import round_half_away
from ..stats.symbols import split_numbers_and_symbols

__all__ = ["OWN_COLUMNS", "OWN_LABEL", "OwnFigures", "own_figures", "read_own_figures"]

#: How the report marks a figure from the council's own file.
OWN_LABEL = "council's own figures"

#: The columns of :attr:`OwnFigures.rows`.
OWN_COLUMNS = (
    "indicator_id",
    "year",
    "definition_version",
    "value",
    "lower_95",
    "upper_95",
    "numerator",
    "denominator",
    "presented",
    "presented_lower_95",
    "presented_upper_95",
    "display",
    "reason",
)
_AREA_COLUMNS = ("area_code", "old_la_code", "new_la_code")
_ALIASES = {"lower_95": ("lower_95", "lower"), "upper_95": ("upper_95", "upper")}


@attrs.frozen(kw_only=True)
class OwnFigures:
    """The council's own figures for one LA, presented: one row per indicator and year.

    Attributes
    ----------
    la
        The LA's old number.
    source
        Where they came from (the file name).
    rows
        :data:`OWN_COLUMNS`: the unrounded value and interval, the counts where given, the
        ``presented`` value and interval (rounded to the definition's places), ``display`` (the
        text shown, or the symbol) and ``reason`` (why a value is missing).
    left_out
        How many rows of the file were of other areas (not used).

    Examples
    --------
    >>> import polars as pl
    >>> from cyp_indicators.reports.own_figures import own_figures
    >>> frame = pl.DataFrame({"indicator_id": ["cla_rate_per_10k"], "year": [2026],
    ...                       "value": [85.26], "lower_95": [81.04], "upper_95": [89.6]})
    >>> own = own_figures(frame, la="831", indicators=["cla_rate_per_10k"])
    >>> own.la, own.years, own.of("cla_rate_per_10k")[2026]["display"]
    ('831', (2026,), '85')
    """

    la: str
    source: str
    rows: pl.DataFrame = attrs.field(repr=False, eq=False)
    left_out: int = 0

    @property
    def years(self) -> tuple[int, ...]:
        """The collection years the figures cover."""
        return tuple(sorted(int(y) for y in self.rows["year"].unique().to_list()))

    def of(self, ident: str) -> dict[int, dict[str, Any]]:
        """One indicator's figures by year.

        Parameters
        ----------
        ident
            A definition id.

        Returns
        -------
        dict[int, dict[str, Any]]
            Collection year -> the row (:data:`OWN_COLUMNS`); empty for an indicator the file
            has no figures for.
        """
        rows = self.rows.filter(pl.col("indicator_id") == ident)
        return {int(r["year"]): r for r in rows.iter_rows(named=True)}


def _bad(frame: pl.DataFrame, column: str, mask: pl.Expr, rule: str) -> None:
    found = frame.with_row_index("__row").filter(mask.fill_null(False))
    if found.height:
        raise InvalidValueError(column, rule, found["__row"].to_list(), found[column].to_list())


def _number(frame: pl.DataFrame, column: str, *, symbols: bool, what: str) -> pl.DataFrame:
    """``column`` as Float64 (``__{column}``) and its symbol (``__{column}_symbol``)."""
    text = pl.col(column).cast(pl.String)
    number, symbol, unreadable = split_numbers_and_symbols(text, name=f"__{column}")
    frame = frame.with_columns(number, symbol, unreadable)
    rule = "neither a number nor a DfE symbol (c, x, z, low, u)" if symbols else "not a number"
    bad = pl.col(f"__{column}_unreadable")
    if not symbols:
        bad = bad | pl.col(f"__{column}_symbol").is_not_null()
    _bad(frame, column, bad, f"{rule} ({what})")
    _bad(
        frame,
        column,
        pl.col(f"__{column}_number").is_infinite() | pl.col(f"__{column}_number").is_nan(),
        f"not a finite number ({what})",
    )
    return frame.rename({f"__{column}_number": f"__{column}"}).drop(f"__{column}_unreadable")


def _for_la(frame: pl.DataFrame, la: str, where: str) -> tuple[pl.DataFrame, int]:
    """The LA's rows where the frame has an area column; the number of other rows."""
    column = next((c for c in _AREA_COLUMNS if c in frame.columns), None)
    if column is None:
        return frame, 0
    codes = frame[column].cast(pl.String).to_list()
    mine = [canonical_la(str(c)) == la if c is not None else False for c in codes]
    kept = frame.filter(pl.Series(mine, dtype=pl.Boolean))
    if kept.is_empty():
        shown = sorted({str(c) for c in codes if c is not None})[:10]
        msg = (
            f"{where}: no rows for LA {la} in column {column!r} (it holds {', '.join(shown)}"
            f"{' and more' if len(set(codes)) > 10 else ''})"
        )
        raise DataError(msg)
    return kept, frame.height - kept.height


def _presented(value: float | None, dps: int) -> float | None:
    return None if value is None else round_half_away(value, dps)


def _text(value: float | None, dps: int) -> str | None:
    return None if value is None else f"{value:.{dps}f}"


def _versions(
    ident: str, years: Sequence[int], cat: Catalogue, frame: pl.DataFrame
) -> dict[int, IndicatorDefinition]:
    found = cat.versions_by_year(ident, sorted(set(years)))
    missing = [y for y, d in found.items() if d is None]
    if missing:
        mask = (pl.col("__ident") == ident) & pl.col("__year").is_in(missing)
        _bad(frame, "year", mask, f"no version of {ident} is in force in that year")
    return {y: d for y, d in found.items() if d is not None}


def _from_table(
    frame: pl.DataFrame, *, la: str, indicators: Sequence[str], cat: Catalogue, where: str
) -> tuple[pl.DataFrame, int]:
    columns = frame.columns
    if "year" not in columns:
        raise MissingColumnError("year", role="collection year", available=columns, context=where)
    wanted = list(dict.fromkeys(indicators))
    has_value = "value" in columns
    counts = "numerator" in columns and "denominator" in columns
    if not has_value and not counts:
        raise MissingColumnError(
            "value", role="figure (or 'numerator' and 'denominator')", available=columns,
            context=where,
        )  # fmt: skip
    if "indicator_id" in columns:
        ident = pl.col("indicator_id").cast(pl.String).str.strip_chars()
    elif len(wanted) == 1:
        ident = pl.lit(wanted[0])
    else:
        raise MissingColumnError(
            "indicator_id",
            role=f"indicator id (the report has {len(wanted)} indicators)",
            available=columns,
            context=where,
        )
    frame, left_out = _for_la(frame, la, where)
    frame = frame.with_columns(ident.alias("__ident"))
    _bad(
        frame,
        "indicator_id",
        ~pl.col("__ident").is_in(wanted) | pl.col("__ident").is_null(),
        f"not one of the report's indicators ({', '.join(wanted)})",
    )
    year_text = pl.col("year").cast(pl.String).str.strip_chars()
    academic = year_text.str.extract(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", 1)
    frame = frame.with_columns(
        pl.when(academic.is_not_null())
        .then(academic.cast(pl.Int64, strict=False) + 1)
        .otherwise(year_text.cast(pl.Int64, strict=False))
        .alias("__year")
    )
    _bad(
        frame,
        "year",
        pl.col("__year").is_null() | ~pl.col("__year").is_between(1900, 2100),
        "not a collection year (2025, or 2024/25)",
    )
    dupes = frame.group_by("__ident", "__year").len().filter(pl.col("len") > 1)
    if dupes.height:
        raise DuplicateKeyError(
            ["indicator_id", "year"],
            [(r[0], r[1]) for r in dupes.select("__ident", "__year").rows()],
        )
    if has_value:
        frame = _number(frame, "value", symbols=True, what="the figure")
    for name, aliases in _ALIASES.items():
        given = next((a for a in aliases if a in columns), None)
        if given is not None:
            frame = _number(frame, given, symbols=False, what="an interval limit")
            frame = frame.rename({f"__{given}": f"__{name}"}) if given != name else frame
    for name in ("numerator", "denominator"):
        if name in columns:
            frame = _number(frame, name, symbols=True, what="a count")
    out: list[dict[str, Any]] = []
    for ident_value in wanted:
        part = frame.filter(pl.col("__ident") == ident_value)
        if part.is_empty():
            continue
        versions = _versions(ident_value, part["__year"].to_list(), cat, frame)
        for year, d in versions.items():
            out += _figures(part.filter(pl.col("__year") == year), d, year, has_value, frame)
    return pl.DataFrame(out, schema=_SCHEMA), left_out


_SCHEMA = {
    "indicator_id": pl.String,
    "year": pl.Int64,
    "definition_version": pl.String,
    "value": pl.Float64,
    "lower_95": pl.Float64,
    "upper_95": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "presented": pl.Float64,
    "presented_lower_95": pl.Float64,
    "presented_upper_95": pl.Float64,
    "display": pl.String,
    "reason": pl.String,
}


def _figures(
    rows: pl.DataFrame, d: IndicatorDefinition, year: int, has_value: bool, whole: pl.DataFrame
) -> list[dict[str, Any]]:
    """One indicator-year's row, presented with the version ``d``."""
    dps = d.presentation.decimal_places
    (r,) = rows.iter_rows(named=True)
    what = cannot_be_negative(d)
    if has_value:
        value = r["__value"]
        if what is not None and value is not None and value < 0:
            mask = (pl.col("__ident") == d.id) & (pl.col("__year") == year)
            _bad(whole, "value", mask, f"negative, but {d.id} is {what}")
        lower, upper = r.get("__lower_95"), r.get("__upper_95")
        if lower is not None and upper is not None and lower > upper:
            mask = (pl.col("__ident") == d.id) & (pl.col("__year") == year)
            column = "lower_95" if "lower_95" in whole.columns else "lower"
            _bad(whole, column, mask, "the interval's lower limit is above its upper limit")
        symbol = r["__value_symbol"] if value is None else None
        shown = _presented(value, dps)
        return [
            {
                "indicator_id": d.id, "year": year, "definition_version": str(d.version),
                "value": value, "lower_95": lower, "upper_95": upper,
                "numerator": r.get("__numerator"), "denominator": r.get("__denominator"),
                "presented": shown, "presented_lower_95": _presented(lower, dps),
                "presented_upper_95": _presented(upper, dps),
                "display": _text(shown, dps) or symbol or "x",
                "reason": None if value is not None else f"{symbol or 'x'}: the file gives "
                f"{symbol or 'no figure'}",
            }
        ]  # fmt: skip
    counts = pl.DataFrame(
        {"numerator": [r["__numerator"]], "denominator": [r["__denominator"]]},
        schema={"numerator": pl.Float64, "denominator": pl.Float64},
    )
    result = pl.DataFrame(
        compute(d, counts, numerator="numerator", denominator="denominator", confidence=[0.95])
    )
    return _computed_rows(result, d, year)


def _computed_rows(result: pl.DataFrame, d: IndicatorDefinition, year: int) -> list[dict[str, Any]]:
    shown = pl.DataFrame(present(result, d))
    out = []
    for raw, pres in zip(result.iter_rows(named=True), shown.iter_rows(named=True), strict=True):
        out.append(
            {
                "indicator_id": d.id, "year": year, "definition_version": str(d.version),
                "value": raw["value"], "lower_95": raw.get("lower_95"),
                "upper_95": raw.get("upper_95"),
                "numerator": _float(raw.get("numerator")),
                "denominator": _float(raw.get("denominator")),
                "presented": pres["value"], "presented_lower_95": pres.get("lower_95"),
                "presented_upper_95": pres.get("upper_95"), "display": pres["display"],
                "reason": pres["reason"],
            }
        )  # fmt: skip
    return out


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _from_tidy(
    frame: pl.DataFrame, *, la: str, indicators: Sequence[str], cat: Catalogue, where: str
) -> tuple[pl.DataFrame, int]:
    out: list[dict[str, Any]] = []
    problems: list[str] = []
    left_out = 0
    for ident in dict.fromkeys(indicators):
        try:
            result = pl.DataFrame(compute_by_year(ident, frame, catalogue=cat, confidence=[0.95]))
        except MissingColumnError as exc:
            problems.append(f"{ident}: {exc}")
            continue
        if "area_code" not in result.columns:
            continue
        mine = result.filter(pl.col("area_code").cast(pl.String) == la)
        left_out = max(left_out, result.height - mine.height)
        for version in mine["indicator_version"].drop_nulls().unique().to_list():
            d = cat.get(ident, version=str(version))
            part = mine.filter(pl.col("indicator_version") == version)
            for year in sorted(part["year"].unique().to_list()):
                out += _computed_rows(part.filter(pl.col("year") == year), d, int(year))
    if not out:
        detail = "; ".join(problems) or f"it has no rows for LA {la}"
        msg = (
            f"{where}: a DfE tidy file from which none of the report's indicators could be "
            f"computed for LA {la}: {detail}"
        )
        raise DataError(msg)
    rows = pl.DataFrame(out, schema=_SCHEMA)
    dupes = rows.group_by("indicator_id", "year").len().filter(pl.col("len") > 1)
    if dupes.height:
        msg = (
            f"{where}: several rows for LA {la} in one year (filter the file to one series: "
            f"{', '.join(f'{i} {y}' for i, y, _ in dupes.rows()[:5])})"
        )
        raise DataError(msg)
    return rows, left_out


def own_figures(
    frame: pl.DataFrame,
    *,
    la: str,
    indicators: Sequence[str],
    catalogue: Catalogue | None = None,
    where: str = "the own figures",
) -> OwnFigures:
    """The council's own figures for ``la`` from ``frame`` (see the module for the layouts).

    Parameters
    ----------
    frame
        A table of figures (``indicator_id``, ``year``, ``value`` ...) or a DfE tidy file.
    la
        The LA the figures are of: an old LA number or an ONS code.
    indicators
        The report's indicators: a row of another indicator is an error.
    catalogue
        The definitions (the bundled catalogue by default).
    where
        How errors name the input (the file name).

    Returns
    -------
    OwnFigures
        The figures, presented.

    Raises
    ------
    MissingColumnError
        A required column is absent (naming it and the columns there are).
    InvalidValueError
        A year, value, count or interval limit that cannot be read, an indicator the report does
        not show, a negative rate, a year no version of the indicator is in force (naming the
        column and the rows).
    DuplicateKeyError
        Two rows for one indicator and year.
    DataError
        No rows for the LA.

    Examples
    --------
    >>> import polars as pl
    >>> from cyp_indicators.reports.own_figures import own_figures
    >>> frame = pl.DataFrame({"indicator_id": ["cla_rate_per_10k"], "year": [2026],
    ...                       "value": [85.26], "lower_95": [81.04], "upper_95": [89.6]})
    >>> own = own_figures(frame, la="831", indicators=["cla_rate_per_10k"])
    >>> row = own.of("cla_rate_per_10k")[2026]
    >>> row["presented"], row["presented_lower_95"], row["presented_upper_95"]
    (85.0, 81.0, 90.0)
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    code = resolve_la(la)
    if frame.is_empty():
        msg = f"{where}: the file has no rows"
        raise DataError(msg)
    if is_tidy(frame.columns) and "value" not in frame.columns and "year" not in frame.columns:
        rows, left_out = _from_tidy(frame, la=code, indicators=indicators, cat=cat, where=where)
    else:
        rows, left_out = _from_table(frame, la=code, indicators=indicators, cat=cat, where=where)
    return OwnFigures(la=code, source=where, rows=rows, left_out=left_out)


def read_own_figures(
    path: str | Path,
    *,
    la: str,
    indicators: Sequence[str],
    catalogue: Catalogue | None = None,
    sheet: str | None = None,
) -> OwnFigures:
    """:func:`own_figures` from a file (.csv, .tsv, .parquet or .xlsx; ``sheet`` for Excel).

    Parameters
    ----------
    path
        The file.
    la, indicators, catalogue
        As for :func:`own_figures`.
    sheet
        For an Excel file: the sheet to read (default: the first).

    Returns
    -------
    OwnFigures
        The figures, presented.

    Raises
    ------
    MissingColumnError
        A required column is absent.
    DataError
        A file that cannot be read, or any error of :func:`own_figures`, naming the file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "derby.csv"
    >>> _ = path.write_text("indicator_id,year,value\\ncla_rate_per_10k,2026,85.26\\n")
    >>> read_own_figures(path, la="831", indicators=["cla_rate_per_10k"]).years
    (2026,)
    >>> _ = path.write_text("indicator_id,year,value\\ncla_rate_per_10k,2026,-1\\n")
    >>> read_own_figures(path, la="831", indicators=["cla_rate_per_10k"])
    Traceback (most recent call last):
    ...
    cyp_indicators.errors.DataError: derby.csv: ...
    """
    name = Path(path).name
    frame = read_table(path, sheet=sheet)
    try:
        return own_figures(frame, la=la, indicators=indicators, catalogue=catalogue, where=name)
    except (InvalidValueError, DuplicateKeyError) as exc:
        msg = f"{name}: {exc}"
        raise DataError(msg) from exc
