"""Gaps, change and averages over years.

A gap is ``value - comparator`` in the value's unit, except that a gap between two percentages is
in percentage points. The seeds' "Gap Direction" words describe the shortfall against the
comparator from one year to the next: Increased (further behind), Declined (closer), No change.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

from ..errors import DataError
from ..model import IndicatorDefinition, Polarity
from ..presentation import unit_label
from ..stats.checks import check_columns, check_unique
from ..stats.rounding import round_half_away_expr
from ._values import cannot_be_negative, number

__all__ = ["add_change", "add_gap", "gap_direction", "gap_unit_label", "rolling_average"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def gap_unit_label(definition: IndicatorDefinition) -> str:
    """The unit of a gap: "percentage points" for percentages, else the value's unit.

    Parameters
    ----------
    definition
        The definition whose values are compared.

    Returns
    -------
    str
        The label (as :func:`~cyp_indicators.unit_label` writes units).

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> cat = cyp.load_catalogue()
    >>> gap_unit_label(cat.get("re_referral_within_12_months_pct")), gap_unit_label(cat.get("cla_rate_per_10k"))
    ('percentage points', 'per 10,000')
    """
    return "percentage points" if definition.unit_name == "percent" else unit_label(definition)


def add_gap(
    frame: F,
    *,
    value: str = "value",
    comparator: str,
    name: str | None = None,
    definition: IndicatorDefinition | None = None,
) -> F:
    """Add ``name`` = value - comparator (null where either is null) and ``<name>_unit``.

    With a definition the unit column says "percentage points" for percentages (a gap is never
    "%"). Text columns may hold GSS symbols ("c", "x", ...): the gap is null there.

    Parameters
    ----------
    frame
        A DataFrame or LazyFrame with both columns.
    value
        The LA's value column.
    comparator
        The comparator's column (England, the neighbours' average, ...).
    name
        The gap column; ``gap_to_<comparator>`` by default.
    definition
        The definition compared: names the unit, and refuses negative values where its values
        cannot be negative (rates, proportions, counts). Without it ``<name>_unit`` is null.

    Returns
    -------
    F
        The same kind of frame with ``name`` (Float64) and ``<name>_unit`` added.

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    DataError
        The frame already has a column ``name``, or a column holds neither numbers nor text.
    InvalidValueError
        A value that is text neither a number nor a GSS symbol, not a finite number, or negative
        where the definition's values cannot be, naming the column and rows.

    Examples
    --------
    >>> import polars as pl, cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("re_referral_within_12_months_pct")
    >>> f = pl.DataFrame({"value": ["21.5", "c"], "england": [22.5, 22.5]})
    >>> add_gap(f, comparator="england", definition=d).rows()
    [('21.5', 22.5, -1.0, 'percentage points'), ('c', 22.5, None, 'percentage points')]
    """
    schema = frame.collect_schema()
    check_columns(schema, [(value, "value"), (comparator, "comparator")], context="gap")
    out = name or f"gap_to_{comparator}"
    if out in schema:
        msg = f"the frame already has a column {out!r}"
        raise DataError(msg)
    unit = gap_unit_label(definition) if definition is not None else None
    what = cannot_be_negative(definition)
    own = number(frame, value, schema, not_negative=what)
    other = number(frame, comparator, schema, not_negative=what)
    return frame.with_columns(
        (own - other).alias(out),
        pl.lit(unit, pl.String).alias(f"{out}_unit"),
    )


def gap_direction(
    now: pl.Expr | str,
    before: pl.Expr | str,
    *,
    polarity: Polarity | str = Polarity.HIGH_IS_GOOD,
    decimals: int | None = None,
) -> pl.Expr:
    """ "Increased", "Declined" or "No change" for gaps (value - comparator) a year apart.

    The words follow the seeds' committee tables: they describe the *shortfall* against the
    comparator in absolute terms (points, not a ratio). For high is good the shortfall is
    comparator - value, for low is good value - comparator; "Increased" means the LA fell
    further behind (or its lead shrank), "Declined" that it closed the gap (or extended a lead).
    With no polarity the size of the gap is compared.

    Parameters
    ----------
    now, before
        Expressions or column names: this year's gap and last year's.
    polarity
        The definition's polarity (:class:`~cyp_indicators.Polarity`, or its value).
    decimals
        Compare the gaps as presented (rounded half away from zero), as a committee reads them.

    Returns
    -------
    polars.Expr
        String: the word, or null where either gap is null.

    Raises
    ------
    ValueError
        A polarity that is not one.

    Examples
    --------
    >>> import polars as pl
    >>> gaps = pl.DataFrame({"now": [-2.0, -1.0, 1.04], "before": [-1.0, -2.0, 1.0]})
    >>> gaps.select(gap_direction("now", "before").alias("high"),
    ...             gap_direction("now", "before", polarity="low_is_good").alias("low"),
    ...             gap_direction("now", "before", decimals=1).alias("shown")).rows()
    [('Increased', 'Declined', 'Increased'), ('Declined', 'Increased', 'Declined'), ('Declined', 'Increased', 'No change')]
    """
    pol = Polarity(polarity) if isinstance(polarity, str) else polarity
    a = pl.col(now) if isinstance(now, str) else now
    b = pl.col(before) if isinstance(before, str) else before
    if decimals is not None:
        a, b = round_half_away_expr(a, decimals), round_half_away_expr(b, decimals)
    if pol is Polarity.HIGH_IS_GOOD:
        size_now, size_before = -a, -b
    elif pol is Polarity.LOW_IS_GOOD:
        size_now, size_before = a, b
    else:
        size_now, size_before = a.abs(), b.abs()
    return (
        pl.when(a.is_null() | b.is_null())
        .then(None)
        .when(size_now > size_before)
        .then(pl.lit("Increased"))
        .when(size_now < size_before)
        .then(pl.lit("Declined"))
        .otherwise(pl.lit("No change"))
    )


def add_change(
    frame: F, *, by: str | list[str], year: str = "year", value: str = "value", name: str = "change"
) -> F:
    """Add the change from the previous year (null unless the previous row is the year before).

    A text ``value`` may hold GSS symbols: the change to or from a symbol is null. The rows come
    back sorted by ``by`` and ``year``.

    Parameters
    ----------
    frame
        A DataFrame or LazyFrame, one row per group and year.
    by
        The group column(s) (the LA).
    year
        The year column.
    value
        The value column.
    name
        The column added.

    Returns
    -------
    F
        The same kind of frame, sorted, with ``name`` (Float64) added.

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    DuplicateKeyError
        More than one row for a group and year.
    InvalidValueError
        A value that is text neither a number nor a GSS symbol, or not a finite number, naming the
        rows.
    DataError
        A value column that holds neither numbers nor text.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"la": ["874"] * 4, "year": [2021, 2022, 2023, 2025],
    ...                   "value": [60.0, 62.0, 65.0, 70.0]})
    >>> add_change(f, by="la")["change"].to_list()
    [None, 2.0, 3.0, None]
    """
    keys: list[str] = [by] if isinstance(by, str) else list(by)
    schema = frame.collect_schema()
    check_columns(
        schema, [(k, "group") for k in keys] + [(year, "year"), (value, "value")], context="change"
    )
    check_unique(frame, [*keys, year], context="change")
    v = number(frame, value, schema)
    lf = frame.lazy().sort([*keys, year])
    prev_year = pl.col(year).shift(1).over(keys)
    lf = lf.with_columns(
        pl.when(prev_year == pl.col(year) - 1).then(v - v.shift(1).over(keys)).alias(name)
    )
    return lf.collect() if isinstance(frame, pl.DataFrame) else lf


def rolling_average(
    frame: F,
    *,
    by: str | list[str],
    year: str = "year",
    value: str = "value",
    n: int = 3,
    name: str | None = None,
) -> F:
    """The mean of the last ``n`` consecutive years' values (the seeds' "3yr av.").

    It averages exactly the values given: pass presented (rounded) values to reproduce a table
    that averaged what it displayed, unrounded values for the precise mean. Null unless all ``n``
    years are present with values (a GSS symbol in a text ``value`` is no value). The rows come
    back sorted by ``by`` and ``year``.

    Parameters
    ----------
    frame
        A DataFrame or LazyFrame, one row per group and year.
    by
        The group column(s) (the LA).
    year
        The year column.
    value
        The value column.
    n
        The number of years averaged.
    name
        The column added; ``avg_<n>yr`` by default.

    Returns
    -------
    F
        The same kind of frame, sorted, with the average (Float64) added.

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    DuplicateKeyError
        More than one row for a group and year.
    InvalidValueError
        A value that is text neither a number nor a GSS symbol, or not a finite number, naming the
        rows.
    DataError
        A value column that holds neither numbers nor text.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"la": ["874"] * 4, "year": [2021, 2022, 2023, 2025],
    ...                   "value": [60.0, 62.0, 67.0, 70.0]})
    >>> rolling_average(f, by="la")["avg_3yr"].to_list()
    [None, None, 63.0, None]
    """
    keys: list[str] = [by] if isinstance(by, str) else list(by)
    out = name or f"avg_{n}yr"
    schema = frame.collect_schema()
    required = [(k, "group") for k in keys] + [(year, "year"), (value, "value")]
    check_columns(schema, required, context="rolling average")
    check_unique(frame, [*keys, year], context="rolling average")
    v = number(frame, value, schema)
    lf = frame.lazy().sort([*keys, year])
    span_ok = (pl.col(year) - pl.col(year).shift(n - 1).over(keys)) == n - 1
    complete = v.is_not_null().cast(pl.Int32).rolling_sum(n).over(keys) == n
    lf = lf.with_columns(pl.when(span_ok & complete).then(v.rolling_mean(n).over(keys)).alias(out))
    return lf.collect() if isinstance(frame, pl.DataFrame) else lf
