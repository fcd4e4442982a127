"""Reading Explore Education Statistics (EES) data files into the published-values frame.

An EES file is tidy: one row per time period, geography and combination of filter values
(``time_period``, ``time_identifier``, ``geographic_level``, ``country_code``, ``region_code``,
``region_name``, ``old_la_code``, ``new_la_code``, ``la_name``, then filters such as
``population_type`` or ``cla_group``, then indicator columns). A definition's
:class:`~cyp_indicators.model.EESSeries` names the file, the value column and the filter values
that pick its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import polars as pl

from ..errors import PublishedDataError
from ..model import Breakdown, EESSeries
from ..years import parse_time_label
from ._tidy import check_values, parse_values
from .manifest import bundled_source

__all__ = ["EES_GEOGRAPHY", "ees_rows", "ees_table", "read_ees"]

#: The columns every EES file used here must have.
EES_GEOGRAPHY = ("time_period", "geographic_level")
_LEVELS = ("National", "Regional", "Local authority")
_OPTIONAL = ("region_code", "region_name", "old_la_code", "new_la_code", "la_name")


@cache
def _bundled(name: str) -> pl.DataFrame:
    return pl.read_parquet(bundled_source(name).path)


def read_ees(file: str, path: str | Path | None = None) -> pl.DataFrame:
    """An EES file as published, every column text: the bundled copy, or a newer download.

    Parameters
    ----------
    file
        The file's name as DfE publishes it (``"la_cla_swcount.csv"``), for the bundled copy.
    path
        A download to read instead (CSV or Parquet); a CSV's column names lose a byte-order mark
        and surrounding spaces.

    Returns
    -------
    polars.DataFrame
        The file, every column text; a new frame on every call.

    Raises
    ------
    PublishedDataError
        ``file`` is not a bundled file (with ``path`` None).

    Examples
    --------
    >>> frame = read_ees("cla_number_and_rate_per_10k_children.csv")
    >>> frame.columns[:3], frame.schema["time_period"]
    (['time_period', 'time_identifier', 'geographic_level'], String)
    """
    if path is None:
        return _bundled(file).clone()  # the cached table stays the library's
    p = Path(path)
    if p.suffix.lower() == ".parquet":
        frame = pl.read_parquet(p)
        return frame.with_columns(pl.all().cast(pl.String))
    frame = pl.read_csv(p, infer_schema_length=0, encoding="utf8")
    frame.columns = [c.lstrip("\ufeff").strip() for c in frame.columns]
    return frame


def _check_shape(frame: pl.DataFrame, series: EESSeries, file: str, columns: Sequence[str]) -> None:
    needed = [*EES_GEOGRAPHY, *columns, *series.filter_map]
    if series.breakdown_column is not None:
        needed.append(series.breakdown_column)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = (
            f"not the EES file the definition names ({series.file}): expected columns "
            f"{', '.join(map(repr, needed))}; missing {', '.join(map(repr, missing))}"
        )
        raise PublishedDataError(file, msg)


def _filtered(frame: pl.DataFrame, series: EESSeries, file: str) -> pl.DataFrame:
    for column, wanted in series.filters:
        values = frame[column].unique().drop_nulls().to_list()
        if wanted not in values:
            shown = ", ".join(map(repr, sorted(values)[:20]))
            msg = f"filter {column} = {wanted!r} matches no row; the column holds: {shown}"
            raise PublishedDataError(file, msg)
        frame = frame.filter(pl.col(column) == wanted)
    return frame


def ees_table(
    series: EESSeries,
    columns: Sequence[str],
    *,
    breakdown: Breakdown | None = None,
    path: str | Path | None = None,
) -> pl.DataFrame:
    """The rows a series' filters pick, tidy, with the columns asked for as published (text).

    Rows of other geographic levels (local authority districts, statistical-neighbour rows) are
    left out.

    Parameters
    ----------
    series
        Where the series sits (a definition's ``provenance.ees``).
    columns
        The indicator columns to keep (text, as published).
    breakdown
        The definition's breakdown: its levels' rows are kept, their codes in the breakdown's
        column.
    path
        A download to read instead of the bundled file.

    Returns
    -------
    polars.DataFrame
        The time columns (``time_period`` as the collection year, ``time_label``, ``time_span``,
        ``status``), the geography of :func:`cyp_indicators.published`, the breakdown's column,
        then ``columns``.

    Raises
    ------
    PublishedDataError
        A file without the columns needed, or a filter value or breakdown value the file does not
        hold (naming what it holds).
    DataError
        A ``time_period`` of no known form.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> series = cyp.load_catalogue().get("cla_rate_per_10k").provenance.ees
    >>> table = ees_table(series, ["children_count", "population_estimate"])
    >>> table.filter(area_code="874", time_period=2025).select("children_count", "population_estimate").row(0)
    ('416', '57621')
    """
    file = str(path) if path is not None else series.file
    frame = read_ees(series.file, path)
    _check_shape(frame, series, file, columns)
    frame = _filtered(frame, series, file).filter(pl.col("geographic_level").is_in(_LEVELS))
    extra: list[pl.Expr] = []
    if breakdown is not None and series.breakdown_column is not None:
        levels = {lv.ees_value: lv.code for lv in breakdown.levels if lv.ees_value is not None}
        frame = frame.filter(pl.col(series.breakdown_column).is_in(list(levels)))
        held = set(frame[series.breakdown_column].unique().to_list())
        absent = [v for v in levels if v not in held]
        if absent:
            msg = f"breakdown values {absent} not found in column {series.breakdown_column!r}"
            raise PublishedDataError(file, msg)
        extra.append(
            pl.col(series.breakdown_column)
            .replace_strict(list(levels), list(levels.values()), return_dtype=pl.String)
            .alias(breakdown.column)
        )
    labels = frame["time_period"].unique().to_list()
    what = f"{series.file} {', '.join(columns)}"
    parsed = {t: parse_time_label(t, measure=what) for t in labels}
    keys = list(parsed)
    for column in _OPTIONAL:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    level = pl.col("geographic_level")
    return frame.select(
        pl.col("time_period").replace_strict(
            keys, [parsed[k].year for k in keys], return_dtype=pl.Int64
        ),
        pl.col("time_period").alias("time_label"),
        pl.col("time_period")
        .replace_strict(keys, [parsed[k].span for k in keys], return_dtype=pl.Int64)
        .alias("time_span"),
        pl.col("time_period")
        .replace_strict(keys, [parsed[k].status for k in keys], return_dtype=pl.String)
        .alias("status"),
        level,
        pl.when(level != "National").then(pl.col("region_code")).alias("region_code"),
        pl.when(level != "National").then(pl.col("region_name")).alias("region_name"),
        pl.when(level == "Local authority").then(pl.col("old_la_code")).alias("old_la_code"),
        pl.when(level == "Local authority").then(pl.col("new_la_code")).alias("new_la_code"),
        pl.when(level == "National")
        .then(pl.lit("E92000001"))
        .when(level == "Regional")
        .then(pl.col("region_code"))
        .otherwise(pl.col("old_la_code"))
        .alias("area_code"),
        pl.when(level == "National")
        .then(pl.lit("England"))
        .when(level == "Regional")
        .then(pl.col("region_name"))
        .otherwise(pl.col("la_name"))
        .alias("area_name"),
        *extra,
        *(pl.col(c) for c in columns),
    )


def ees_rows(
    series: EESSeries,
    *,
    breakdown: Breakdown | None = None,
    path: str | Path | None = None,
    source: str | None = None,
) -> pl.DataFrame:
    """The rows of an EES series as the published-values frame, with the breakdown's column.

    See :func:`cyp_indicators.published` for the frame and :func:`ees_table` for the rows kept.

    Parameters
    ----------
    series
        Where the series sits (a definition's ``provenance.ees``).
    breakdown
        The definition's breakdown, when it has one.
    path
        A download to read instead of the bundled file.
    source
        The ``source`` text (default: the bundled file's citation, or the download's name).

    Returns
    -------
    polars.DataFrame
        ``series`` (the value column), the time and geography columns, the breakdown's column,
        ``value`` (Float64), ``symbol``, ``source``, ``source_file``, ``vintage`` (null for a
        download).

    Raises
    ------
    PublishedDataError
        A series without a value column (DfE publishes the figure elsewhere), a file of another
        shape, a filter or breakdown value the file does not hold, or a value that is neither a
        number nor a symbol.
    DataError
        A ``time_period`` of no known form.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> series = cyp.load_catalogue().get("cla_rate_per_10k").provenance.ees
    >>> ees_rows(series).filter(area_code="874", time_period=2025).select("series", "value").row(0)
    ('rate_per_10000', 72.0)
    """
    file = str(path) if path is not None else series.file
    if series.value_column is None:
        msg = f"the definition names no value column of {series.file}: DfE publishes the figure elsewhere"
        raise PublishedDataError(file, msg)
    column = series.value_column
    frame = ees_table(series, [column], breakdown=breakdown, path=path)
    check_values(frame, column, file)
    value, symbol = parse_values(column)
    if source is None:
        source = f"EES download {Path(path).name}" if path else bundled_source(series.file).label
    vintage = None if path is not None else bundled_source(series.file).vintage
    return frame.select(
        pl.lit(column).alias("series"),
        pl.exclude(column),
        value.alias("value"),
        symbol.alias("symbol"),
        pl.lit(source).alias("source"),
        pl.lit(file).alias("source_file"),
        pl.lit(vintage, pl.String).alias("vintage"),
    )
