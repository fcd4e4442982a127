"""DfE's tidy data as it comes: an Explore Education Statistics (EES) file, ready for a definition.

EES files share one layout (DfE's "tidy data" standard): ``time_period`` and ``time_identifier``,
``geographic_level``, the area columns ``country_code``, ``region_code``, ``old_la_code``,
``new_la_code``, ``la_name`` (and names), then *filter* columns that split the rows (a
``population_type``, ``characteristic`` or ``category``) and *indicator* columns holding numbers
or DfE's symbols (``c``, ``x``, ``z``, ``low``, ``u``). :func:`tidy_input` reads a definition's
columns out of such a frame, so ``compute`` needs no column names:

* the definition's numerator and denominator columns come from the EES columns its provenance
  names (``provenance.ees.numerator_column``, ``denominator_column``) when the frame does not
  have them under the definition's own names;
* the rows are chosen by ``filters`` (``{"population_type": "Children looked after on 31 March
  each year"}``, the command line's ``--filter COLUMN=VALUE``) and, for a filter column the caller
  does not choose, by the definition's own (``provenance.ees.filters``: the rows its published
  figure comes from); a filter column still holding several values is an error listing them;
* each row gets ``area_code`` (the LA's old number, the region's or England's ONS code) and
  ``year`` (the collection year, from ``time_period``);
* where the definition divides by the ONS 0-17 population and the frame has none, the bundled
  estimates are attached (:func:`~cyp_indicators.attach_population`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

import polars as pl

from .errors import DataError, MissingColumnError
from .model import IndicatorDefinition
from .stats.symbols import split_numbers_and_symbols

__all__ = ["TIDY_COLUMNS", "is_tidy", "tidy_breakdowns", "tidy_input", "tidy_year"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)

#: The columns every EES file has (time, geography and their names): never a breakdown.
TIDY_COLUMNS = frozenset(
    {
        "time_period",
        "time_identifier",
        "geographic_level",
        "country_code",
        "country_name",
        "region_code",
        "region_name",
        "old_la_code",
        "new_la_code",
        "la_name",
        "lad_code",
        "lad_name",
        "opendata_id",
        "pcon_code",
        "pcon_name",
        "local_authority_selection_status",
    }
)
_SHOWN_VALUES = 12


def is_tidy(columns: Iterable[str]) -> bool:
    """Whether a frame with these columns is in DfE's tidy-data layout (``time_period`` and
    ``geographic_level``).

    Parameters
    ----------
    columns
        The frame's column names.

    Returns
    -------
    bool
        True when both ``time_period`` and ``geographic_level`` are there.

    Examples
    --------
    >>> is_tidy(["time_period", "geographic_level", "la_name", "children_count"])
    True
    """
    names = set(columns)
    return {"time_period", "geographic_level"} <= names


def _is_measure(series: pl.Series) -> bool:
    """A column of numbers (or numbers and DfE's symbols, as text): an indicator, not a filter."""
    if series.dtype.is_numeric() or series.dtype == pl.Null:
        return True
    if series.dtype != pl.String:
        return False
    frame = series.rename("v").to_frame()
    _, _, unreadable = split_numbers_and_symbols("v", name="v")
    return not bool(frame.select(unreadable.any()).item())


def tidy_breakdowns(
    frame: pl.DataFrame | pl.LazyFrame, *, ignore: Iterable[str] = ()
) -> dict[str, list[str]]:
    """The filter columns of a tidy frame that still split its rows: column -> its values.

    A tidy file holds one row per period and area for each combination of its filter columns.
    Where a period and area have several rows, the text columns that differ between them
    (neither time, geography nor an indicator of numbers and DfE's symbols) are the filters
    still to choose. ``ignore`` names columns the caller handles (a definition's breakdown,
    whose levels are meant to be rows of their own).

    Parameters
    ----------
    frame
        A tidy frame (``time_period``, ``geographic_level`` and area columns; or ``area_code``).
    ignore
        Columns not to report.

    Returns
    -------
    dict[str, list[str]]
        Filter column -> its values, sorted; empty when each period and area has one row.
        Repeated rows that differ in no text column are reported under
        ``"(no filter column)"``, with a sentence saying so.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"time_period": [2025, 2025], "geographic_level": ["National"] * 2,
    ...                   "population_type": ["Starts", "Ceased"], "children_count": ["5", "c"]})
    >>> tidy_breakdowns(f)
    {'population_type': ['Ceased', 'Starts']}
    """
    schema = frame.collect_schema()
    skip = TIDY_COLUMNS | set(ignore)
    candidates = [
        n for n, t in schema.items() if n not in skip and t in (pl.String, pl.Categorical)
    ]
    ignored = [n for n in ignore if n in schema]
    keys = [
        pl.col("time_period").cast(pl.String).alias("__cyp_time"),
        (
            pl.col("area_code").cast(pl.String) if "area_code" in schema else _area_code(schema)
        ).alias("__cyp_area"),
        pl.col("geographic_level").cast(pl.String).alias("__cyp_level"),
        *(pl.col(n).cast(pl.String) for n in ignored),
    ]
    names = ["__cyp_time", "__cyp_area", "__cyp_level", *ignored]
    data = (
        frame.lazy().select(*keys, *(pl.col(c) for c in candidates if c not in ignored)).collect()
    )
    repeated = data.filter(pl.len().over(names) > 1)
    if repeated.is_empty():
        return {}
    out: dict[str, list[str]] = {}
    for name in candidates:
        if name in ignored:
            continue
        column = repeated[name].cast(pl.String)
        if _is_measure(column):
            continue
        varies = repeated.select(pl.col(name).n_unique().over(names).max()).item()
        if varies is not None and varies > 1:
            out[name] = column.drop_nulls().unique().sort().to_list()
    if not out:
        out["(no filter column)"] = [
            f"{repeated.height} rows share a period and area, differing in no text column"
        ]
    return out


def _listing(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN_VALUES])
    more = len(values) - _SHOWN_VALUES
    return shown + (f" and {more} more" if more > 0 else "")


def _apply_filters(
    frame: pl.LazyFrame, schema: pl.Schema, filters: Mapping[str, str], where: str
) -> pl.LazyFrame:
    for column, wanted in filters.items():
        if column not in schema:
            raise MissingColumnError(column, role="filter", available=list(schema), context=where)
        held = (
            frame.select(pl.col(column).cast(pl.String).str.strip_chars().unique().sort())
            .collect()
            .to_series()
            .drop_nulls()
            .to_list()
        )
        if str(wanted).strip() not in held:
            msg = (
                f"filter {column}={wanted!r}: {where} has no such value in column {column!r}; "
                f"its values are {_listing(held)}"
            )
            raise DataError(msg)
        frame = frame.filter(
            pl.col(column).cast(pl.String).str.strip_chars() == str(wanted).strip()
        )
    return frame


def _area_code(schema: pl.Schema) -> pl.Expr:
    """The area of a tidy row: the LA's old number (as LAIT and the bundled data key LAs), the
    region's code, or England's."""

    def text(name: str) -> pl.Expr:
        if name not in schema:
            return pl.lit(None, dtype=pl.String)
        return pl.col(name).cast(pl.String).str.strip_chars().replace("", None)

    level = pl.col("geographic_level").cast(pl.String).str.to_lowercase()
    return (
        pl.when(level == "national")
        .then(pl.lit("E92000001"))
        .when(level == "regional")
        .then(text("region_code"))
        .otherwise(pl.coalesce(text("old_la_code"), text("new_la_code")))
    )


def tidy_input(
    definition: IndicatorDefinition,
    frame: F,
    *,
    filters: Mapping[str, str] | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    population: bool = True,
    where: str = "the frame",
) -> F:
    """``frame`` (DfE's tidy layout) with the columns ``definition`` reads, ready for
    :func:`~cyp_indicators.compute`.

    Parameters
    ----------
    definition
        The definition to compute; its ``provenance.ees`` names the EES columns of its numerator
        and denominator and the rows its published figure comes from.
    frame
        An EES file as read (``time_period``, ``geographic_level``, area columns, filter and
        indicator columns). A frame without ``time_period`` and ``geographic_level`` only has
        ``filters`` applied.
    filters
        Column -> value: the rows to keep (``--filter COLUMN=VALUE``). A filter column the caller
        does not name is chosen by the definition's own filters where it has one.
    numerator, denominator
        Input column names, overriding the definition's and its EES file's.
    population
        Attach the bundled ONS 0-17 estimates when the definition divides by them and the frame
        has no denominator column.
    where
        How errors name the frame (a file name).

    Returns
    -------
    polars.DataFrame or polars.LazyFrame
        As given: the chosen rows with the caller's columns, plus the definition's numerator and
        denominator columns (copied from the EES columns where named differently),
        ``area_code`` and ``year`` where absent, and the population columns when attached.

    Raises
    ------
    MissingColumnError
        A filter column, or a ``numerator`` or ``denominator`` the caller names, is not in the
        frame (where the definition's own columns are absent, no column is added and
        :func:`~cyp_indicators.compute` names the one missing).
    DataError
        A filter value the column does not hold (the error lists the values held), or a filter
        column that still splits the rows (the error lists each column and its values, and how
        to choose one).

    Examples
    --------
    >>> import polars as pl, cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> f = pl.DataFrame({
    ...     "time_period": [2025, 2025], "geographic_level": ["Local authority"] * 2,
    ...     "old_la_code": ["874", "874"], "new_la_code": ["E06000031"] * 2,
    ...     "population_type": ["Children looked after on 31 March each year",
    ...                         "Children starting to be looked after each year"],
    ...     "population_estimate": ["52000", "52000"], "children_count": ["416", "150"]})
    >>> tidy_input(d, f).select("area_code", "year", "cla_at_31_march").rows()
    [('874', 2025, '416')]
    """
    schema = frame.collect_schema()
    if not is_tidy(schema.names()):
        if not filters:
            return frame
        chosen_only = _apply_filters(frame.lazy(), schema, dict(filters), where)
        return chosen_only.collect() if isinstance(frame, pl.DataFrame) else chosen_only
    ees = definition.provenance.ees
    chosen = dict(filters or {})
    if ees is not None:
        for column, value in ees.filters:
            if column in schema and column not in chosen:
                chosen[column] = value
    lazy = _apply_filters(frame.lazy(), schema, chosen, where)
    ignore = set(chosen)
    if ees is not None and ees.breakdown_column is not None:
        ignore.add(ees.breakdown_column)
    if definition.breakdown is not None:
        ignore.add(definition.breakdown.column)
    split = tidy_breakdowns(lazy, ignore=ignore)
    if split:
        lines = "; ".join(f"{c}: {_listing(v)}" for c, v in split.items())
        first = next(iter(split))
        msg = (
            f"{where} holds several series for {definition.key}: column(s) "
            f"{', '.join(map(repr, split))} split its rows ({lines}). Choose one with "
            f'--filter {first}="{split[first][0]}" (in Python: filters={{"{first}": '
            f'"{split[first][0]}"}})'
        )
        raise DataError(msg)
    additions: list[pl.Expr] = []
    names = schema.names()
    num_target = definition.numerator.column
    num_source = _source_column(
        numerator, num_target, ees.numerator_column if ees else None, names, where
    )
    if num_source is not None and num_source != num_target and num_target not in names:
        additions.append(pl.col(num_source).alias(num_target))
    attach = False
    if definition.denominator is not None:
        den_target = definition.denominator.column
        den_source = _source_column(
            denominator, den_target, ees.denominator_column if ees else None, names, where
        )
        if den_source is not None and den_source != den_target and den_target not in names:
            additions.append(pl.col(den_source).alias(den_target))
        pop = definition.denominator.population
        attach = (
            population and den_source is None and pop is not None and pop.series == "ons_mye_0_17"
        )
    if "area_code" not in names:
        additions.append(_area_code(schema).alias("area_code"))
    if "year" not in names:
        additions.append(tidy_year().alias("year"))
    out = lazy.with_columns(additions) if additions else lazy
    if attach and definition.denominator is not None:
        from .population import attach_population

        pop = definition.denominator.population
        assert pop is not None
        out = attach_population(
            out,
            area="area_code",
            year="year",
            name=definition.denominator.column,
            year_offset=pop.year_offset,
        )
    return out.collect() if isinstance(frame, pl.DataFrame) else out


def _source_column(
    given: str | None, target: str, ees_column: str | None, names: list[str], where: str
) -> str | None:
    """Which column holds a component: the caller's, the definition's, then the EES file's."""
    for candidate in (given, target, ees_column):
        if candidate is not None and candidate in names:
            return candidate
    if given is not None:
        raise MissingColumnError(given, role="input", available=names, context=where)
    return None


def tidy_year(column: str = "time_period") -> pl.Expr:
    """The collection year of an EES ``time_period`` (2025; 202425 or 2024/25 -> 2025).

    Parameters
    ----------
    column
        The column holding the period (numbers or text).

    Returns
    -------
    polars.Expr
        Int64: the last year of a six-digit period, else the first four digits; null where
        there are none.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(pl.Series("time_period", [2025, 202324, 201516])).select(tidy_year()).to_series().to_list()
    [2025, 2024, 2016]
    """
    text = pl.col(column).cast(pl.String).str.strip_chars()
    digits = text.str.replace_all(r"[^0-9]", "")
    return (
        pl.when(digits.str.len_chars() == 6)
        .then(digits.str.slice(0, 2) + digits.str.slice(4, 2))
        .otherwise(digits.str.slice(0, 4))
        .cast(pl.Int64, strict=False)
    )
