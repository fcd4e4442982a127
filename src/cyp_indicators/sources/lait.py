"""Reading LAIT's published data (``bds_long``) and its data dictionary into tidy frames.

LAIT's file has one row per measure (``Short Desc``), year label (``Years``) and area (``LA and
Regions`` with its ``LA Number``: 970 England, 980-990 the regions, three-digit LA numbers), the
value as text (``-`` where LAIT shows no figure). :func:`lait_rows` reads the rows of some
measures as the library's published-values frame (see :func:`cyp_indicators.published`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import polars as pl

from ..errors import PublishedDataError
from ..years import parse_time_label
from ._tidy import check_values, geography_columns, parse_values
from .manifest import bundled_source

__all__ = ["LAIT_COLUMNS", "lait_dictionary", "lait_measure_names", "lait_rows", "read_lait"]

#: The columns a LAIT data file must have.
LAIT_COLUMNS = ("Short Desc", "Years", "LA and Regions", "Values", "LA Number")
_DICTIONARY_COLUMNS = ("Measure_code", "Topic", "Measure_short", "Polarity", "dps", "Year_Type")


@cache
def _bundled() -> pl.DataFrame:
    return pl.read_parquet(bundled_source("lait").path)


def read_lait(path: str | Path | None = None) -> pl.DataFrame:
    """LAIT's data file as published: the bundled one, or a newer download.

    Parameters
    ----------
    path
        A LAIT download (Parquet, or CSV with LAIT's columns); None for the bundled file.

    Returns
    -------
    polars.DataFrame
        LAIT's columns (:data:`LAIT_COLUMNS` and any others), ``Values`` as text and ``LA Number``
        as a number; a new frame on every call.

    Raises
    ------
    PublishedDataError
        A file without LAIT's columns (naming those expected and those missing).

    Examples
    --------
    >>> lait = read_lait()
    >>> lait.filter(pl.col("Short Desc") == "LAC", pl.col("LA Number") == 874, pl.col("Years") == "2025")["Values"].to_list()
    ['72']
    """
    if path is None:
        return _bundled().clone()  # the cached table stays the library's
    p = Path(path)
    frame = (
        pl.read_parquet(p)
        if p.suffix.lower() == ".parquet"
        else pl.read_csv(p, infer_schema_length=0, encoding="utf8")
    )
    missing = [c for c in LAIT_COLUMNS if c not in frame.columns]
    if missing:
        msg = (
            f"not a LAIT data file: expected columns {', '.join(map(repr, LAIT_COLUMNS))}; "
            f"missing {', '.join(map(repr, missing))}"
        )
        raise PublishedDataError(str(p), msg)
    return frame.with_columns(
        pl.col("Values").cast(pl.String), pl.col("LA Number").cast(pl.Float64, strict=False)
    )


@cache
def _dictionary() -> pl.DataFrame:
    return pl.read_parquet(bundled_source("lait_dictionary").path)


@cache
def lait_measure_names() -> frozenset[str]:
    """Every short name in LAIT's bundled data dictionary (what definitions may name)."""
    return frozenset(_dictionary()["Measure_short"].to_list())


def lait_dictionary() -> pl.DataFrame:
    """LAIT's data dictionary: one row per measure, all as text ("NA" where LAIT has none).

    A new frame on every call.

    Returns
    -------
    polars.DataFrame
        ``Measure_code``, ``Topic``, ``Measure``, ``Measure_short``, ``Polarity``,
        ``Description``, ``Methodology``, ``Hyperlink(s)``, ``dps``, ``Year_Type``,
        ``No_Quartile``, ``Table_status``, ...

    Raises
    ------
    PublishedDataError
        The bundled dictionary lacks a column the library reads (the tests check it does not).

    Examples
    --------
    >>> lait_dictionary().filter(Measure_short="LAC").select("Measure_code", "Year_Type").row(0)
    ('124', 'Annual')
    """
    frame = _dictionary()
    missing = [c for c in _DICTIONARY_COLUMNS if c not in frame.columns]
    if missing:  # pragma: no cover - the bundled file is checked by the tests
        raise PublishedDataError("lait_data_dictionary", f"missing columns {missing}")
    return frame.clone()


def lait_rows(
    short_names: Sequence[str], *, path: str | Path | None = None, source: str | None = None
) -> pl.DataFrame:
    """The rows of LAIT measures ``short_names`` as a tidy published-values frame.

    A year label that does not parse is an error naming it and the measure, except LAIT's
    placeholder label ``0`` on rows that hold no figure, which are left out.

    Parameters
    ----------
    short_names
        LAIT's short names (``Short Desc``: ``"LAC"``).
    path
        A LAIT download to read instead of the bundled file.
    source
        The ``source`` text (default: the bundled file's citation, or the download's name).

    Returns
    -------
    polars.DataFrame
        ``series`` (the short name), ``time_period``, ``time_label``, ``time_span``, ``status``,
        the geography columns, ``value`` (Float64, null where LAIT shows ``-``) and ``symbol``
        (``"x"`` there: LAIT shows no figure), ``source``, ``source_file``, ``vintage`` (null for a
        download).

    Raises
    ------
    PublishedDataError
        A file without LAIT's columns, or a value that is neither a number nor a symbol.
    DataError
        A year label of no known form (naming it and the measure).

    Examples
    --------
    >>> rows = lait_rows(["LAC"])
    >>> rows.filter(area_code="874", time_period=2025).select("value", "symbol", "area_name").row(0)
    (72.0, None, 'Peterborough')
    """
    raw = read_lait(path)
    rows = raw.filter(pl.col("Short Desc").is_in(list(short_names)))
    file = str(path) if path is not None else Path(bundled_source("lait").original).name
    label = source or (f"LAIT download {Path(path).name}" if path else bundled_source("lait").label)
    vintage = None if path is not None else bundled_source("lait").vintage
    labels = rows.select("Short Desc", "Years").unique()
    mapping: dict[str, tuple[int, int, str | None]] = {}
    for measure, text in labels.iter_rows():
        if text in mapping:
            continue
        try:
            t = parse_time_label(text, measure=f"LAIT measure {measure!r}")
        except Exception:
            empty = rows.filter(
                (pl.col("Years") == text) & (pl.col("Values").str.strip_chars() != "-")
            )
            if text.strip() == "0" and empty.is_empty():
                continue  # LAIT's placeholder year with no figures (CINPermExclusion)
            raise
        mapping[text] = (t.year, t.span, t.status)
    rows = rows.filter(pl.col("Years").is_in(list(mapping)))
    keys = list(mapping)
    check_values(rows, "Values", file)
    value, symbol = parse_values("Values")
    code = pl.col("LA Number").cast(pl.Int64, strict=False).cast(pl.String)
    return rows.select(
        pl.col("Short Desc").alias("series"),
        pl.col("Years")
        .replace_strict(keys, [mapping[k][0] for k in keys], return_dtype=pl.Int64)
        .alias("time_period"),
        pl.col("Years").alias("time_label"),
        pl.col("Years")
        .replace_strict(keys, [mapping[k][1] for k in keys], return_dtype=pl.Int64)
        .alias("time_span"),
        pl.col("Years")
        .replace_strict(keys, [mapping[k][2] for k in keys], return_dtype=pl.String)
        .alias("status"),
        *geography_columns(code, pl.col("LA and Regions")),
        value.alias("value"),
        symbol.alias("symbol"),
        pl.lit(label).alias("source"),
        pl.lit(file).alias("source_file"),
        pl.lit(vintage, pl.String).alias("vintage"),
    )
