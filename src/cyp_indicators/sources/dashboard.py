"""DfE's children's social care dashboard ("Outcomes and Enablers"): its 68 summary metrics.

The dashboard's own list (``summary_page_metadata.csv``) gives each metric's text, the processed
dataset it reads, the value column and the filters (an R ``list(...)`` of column = value pairs).
:func:`dashboard_metrics` reads that list; :func:`dashboard_rows` reads one metric's values from
the bundled processed datasets as the published-values frame. A joint return of two LAs that
share a children's services trust (North and West Northamptonshire; Kingston upon Thames and
Richmond upon Thames) keeps both LA numbers in its area code ("940 / 941"): it is no single LA's
figure, so comparisons among single LAs leave it out. The dashboard stores a symbol as a
negative number (-100 for ``c``, -200 ``low``, -250 ``u``, -300 ``x``, -400 ``z``); those are read
back as symbols.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from ..errors import PublishedDataError
from ..geography import ENGLAND, areas, canonical_la
from ..io import DFE_SENTINELS
from ..years import parse_time_label
from .manifest import bundled_source

__all__ = ["dashboard_metric", "dashboard_metrics", "dashboard_rows"]

_PAIR = re.compile(r"""(?:'([^']*)'|(\w+))\s*=\s*(?:'([^']*)'|"([^"]*)")""")
_LEVELS = ("National", "Regional", "Local authority")


def _filters(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    return {(m[1] or m[2]): (m[3] if m[3] is not None else m[4]) for m in _PAIR.finditer(text)}


@cache
def _metadata() -> pl.DataFrame:
    frame = pl.read_parquet(bundled_source("summary_page_metadata.csv").path)
    return frame.with_columns(
        pl.col("metric_display_text").str.strip_chars(),
        pl.col("dimensional_filters")
        .map_elements(lambda t: repr(sorted(_filters(t).items())), return_dtype=pl.String)
        .alias("filters"),
    )


def dashboard_metrics() -> pl.DataFrame:
    """The dashboard's 68 summary metrics, as its own list gives them.

    A new frame on every call.

    Returns
    -------
    polars.DataFrame
        ``sort_order``, ``tab_name``, ``accordion_text``, ``heading_text``,
        ``metric_display_text`` (the metric as the dashboard writes it), ``dataset_name``,
        ``value_column``, ``value_format``, ``dimensional_filters`` (as the file writes them), the
        file's other columns, and ``filters`` (read: a list of column, value pairs as text).

    Examples
    --------
    >>> metrics = dashboard_metrics()
    >>> metrics.height
    68
    """
    return _metadata().clone()


def dashboard_metric(text: str) -> dict[str, object]:
    """One metric's row of the dashboard's list, with its filters as a dict.

    Parameters
    ----------
    text
        The metric as the dashboard writes it (trimmed).

    Returns
    -------
    dict[str, object]
        The row's columns by name (see :func:`dashboard_metrics`), ``filters`` as a dict.

    Raises
    ------
    PublishedDataError
        No such metric (with close matches).

    Examples
    --------
    >>> m = dashboard_metric("Rate of children looked after on 31 March, per 10,000 children")
    >>> m["dataset_name"], m["value_column"], m["filters"]
    ('cla_rates', 'rate_per_10000', {'population_count': 'Children looked after on 31 March each year'})
    """
    rows = _metadata().filter(pl.col("metric_display_text") == text.strip())
    if rows.is_empty():
        known = _metadata()["metric_display_text"].to_list()
        import difflib

        close = difflib.get_close_matches(text, known, n=3)
        hint = f"; did you mean: {', '.join(map(repr, close))}?" if close else ""
        raise PublishedDataError("summary_page_metadata.csv", f"no metric {text!r}{hint}")
    row = rows.row(0, named=True)
    row["filters"] = _filters(row["dimensional_filters"])
    return row


@cache
def _dataset(name: str) -> pl.DataFrame:
    return pl.read_parquet(bundled_source(f"dashboard:{name}").path)


def _old_codes(new: str) -> str | None:
    parts = [canonical_la(p) for p in str(new).split(" / ")]
    return None if any(p is None for p in parts) else " / ".join(p for p in parts if p)


def _region_codes() -> dict[str, str]:
    table = areas()
    names = dict(zip(table["name"], table["area_code"], strict=True))
    names |= {"Yorkshire and the Humber": "E12000003", "London (Inner)": "E13000001"}
    names |= {"London (Outer)": "E13000002", "England": ENGLAND}
    return names


def dashboard_rows(text: str) -> pl.DataFrame:
    """The values of dashboard metric ``text`` for England, the regions and every LA.

    The published-values frame (see :func:`cyp_indicators.published`); ``series`` is the metric.
    A sentinel (-100, ...) is read back as its symbol, a missing value as ``x``.

    Parameters
    ----------
    text
        The metric as the dashboard writes it.

    Returns
    -------
    polars.DataFrame
        The time and geography columns (a joint return's area code holds both LA numbers,
        ``"940 / 941"``), ``value``, ``symbol``, ``series``, ``source``, ``source_file``,
        ``vintage``.

    Raises
    ------
    PublishedDataError
        No such metric, a dataset without the columns the metric names, no rows for its filters,
        or LA codes the geography does not know.
    DataError
        A ``time_period`` of no known form.

    Examples
    --------
    >>> rows = dashboard_rows("Rate of children looked after on 31 March, per 10,000 children")
    >>> rows.filter(area_code="874", time_period=2025).select("value", "symbol").row(0)
    (72.0, None)
    """
    meta = dashboard_metric(text)
    dataset = str(meta["dataset_name"])
    frame = _dataset(dataset)
    column = str(meta["value_column"])
    filters = meta["filters"]
    assert isinstance(filters, dict)
    file = f"{dataset} (dashboard)"
    missing = [
        c for c in [column, "time_period", "geographic_level", *filters] if c not in frame.columns
    ]
    if missing:
        raise PublishedDataError(file, f"missing columns {missing}")
    for key, wanted in filters.items():
        frame = frame.filter(pl.col(key).cast(pl.String) == wanted)
    frame = frame.filter(pl.col("geographic_level").is_in(_LEVELS))
    if frame.is_empty():
        raise PublishedDataError(file, f"no rows for metric {text!r} with filters {filters}")
    year_text = pl.col("time_period").cast(pl.String).str.replace(r"\.0$", "")
    frame = frame.with_columns(year_text.alias("__label"))
    labels = frame["__label"].unique().to_list()
    parsed = {t: parse_time_label(t, measure=f"dashboard metric {text!r}") for t in labels}
    keys = list(parsed)
    raw = pl.col(column)
    if frame.schema[column] == pl.String:
        raw = raw.cast(pl.Float64, strict=False)
    sentinel = raw.replace_strict(
        list(DFE_SENTINELS), list(DFE_SENTINELS.values()), default=None, return_dtype=pl.String
    )
    level = pl.col("geographic_level")
    name = pl.col("geo_breakdown") if "geo_breakdown" in frame.columns else pl.lit(None, pl.String)
    regions = _region_codes()
    region_code = name.replace_strict(list(regions), list(regions.values()), default=None)
    old_given = (
        pl.col("old_la_code").cast(pl.String).str.replace(r"\.0$", "")
        if "old_la_code" in frame.columns
        else pl.lit(None, pl.String)
    )
    # an LA row without its old number takes it from its ONS code; a joint return (two LAs that
    # share a children's services trust, "940 / 941") keeps both numbers
    from_new = (
        pl.col("new_la_code").map_elements(_old_codes, return_dtype=pl.String)
        if "new_la_code" in frame.columns
        else pl.lit(None, pl.String)
    )
    old = pl.coalesce(old_given, from_new)
    source = bundled_source(f"dashboard:{dataset}")
    out = frame.select(
        pl.col("__label")
        .replace_strict(keys, [parsed[k].year for k in keys], return_dtype=pl.Int64)
        .alias("time_period"),
        pl.col("__label").alias("time_label"),
        pl.col("__label")
        .replace_strict(keys, [parsed[k].span for k in keys], return_dtype=pl.Int64)
        .alias("time_span"),
        pl.col("__label")
        .replace_strict(keys, [parsed[k].status for k in keys], return_dtype=pl.String)
        .alias("status"),
        level,
        pl.when(level == "Regional").then(region_code).alias("region_code"),
        pl.when(level == "Regional").then(name).alias("region_name"),
        pl.when(level == "Local authority").then(old).alias("old_la_code"),
        pl.when(level == "Local authority")
        .then(pl.col("new_la_code") if "new_la_code" in frame.columns else pl.lit(None, pl.String))
        .alias("new_la_code"),
        pl.when(level == "National")
        .then(pl.lit(ENGLAND))
        .when(level == "Regional")
        .then(pl.coalesce(region_code, name))
        .otherwise(old)
        .alias("area_code"),
        pl.when(level == "National").then(pl.lit("England")).otherwise(name).alias("area_name"),
        pl.when(sentinel.is_null()).then(raw).alias("value"),
        pl.when(raw.is_null()).then(pl.lit("x")).otherwise(sentinel).alias("symbol"),
        pl.lit(text).alias("series"),
        pl.lit(source.label).alias("source"),
        pl.lit(file).alias("source_file"),
        pl.lit(source.vintage).alias("vintage"),
    )
    unknown = [
        c
        for c in out.filter(pl.col("geographic_level") == "Local authority")["area_code"]
        .unique()
        .to_list()
        if c is None or any(canonical_la(part) is None for part in c.split(" / "))
    ]
    if unknown:
        raise PublishedDataError(file, f"LA codes the geography does not know: {unknown[:5]}")
    return out
