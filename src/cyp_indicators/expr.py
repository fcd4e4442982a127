"""Statistics as polars expressions: a rate, proportion, count or mean as one struct.

Each builder returns one struct expression whose fields are the result columns of the frame
function of the same name (:func:`cyp_indicators.rate` and the others), in the same order and with
the same dtypes::

    numerator, denominator, value, lower_<level>, upper_<level> (per level), method, reason

It works wherever polars takes an expression. With ``aggregate=True`` (the default) numerator and
denominator are summed over the rows of the context first: each group in ``group_by().agg()``,
each window in ``.over()``, the whole frame in ``select``; a group holding a GSS symbol or a
missing count gives a null value with a reason, as ``rate(..., by=...)`` does. With
``aggregate=False`` the statistic is computed row by row, as ``rate(...)`` does without ``by``.

Inputs are column names or expressions. Numbers may be any numeric dtype; text columns may hold
numbers and the DfE/GSS symbols (``c``, ``x``, ``z``, ``low``, ``u``, bracketed or legacy forms),
whose symbol opens the ``reason``.

An expression cannot raise in the middle of a query, so a row that breaks a rule the frame
functions refuse with an error (text that is neither a number nor a symbol, a value that is not a
finite number, a negative count, a fractional count of a rate or count, a numerator above its
denominator in a proportion without ``flows``) gives a null value with a reason here instead:
``"x: numerator is negative"`` for the row, ``"x: numerator includes a negative value"`` for a group
holding it. Arguments (multiplier, confidence levels, method) are checked when the expression is
built and raise ``ValueError`` there.

Speed: in a lazy query the row-by-row form costs about 1.3x (rate) to 2x (proportion) the frame
function, which checks each rule with one reduction instead of row by row; an eager
``DataFrame.with_columns`` is slower, as polars shares repeated subexpressions only in lazy
queries. Summed over groups, ``frame.lazy().group_by(...).agg(...)`` is as fast as
``rate(..., by=...)`` (the eager ``group_by`` runs polars' in-memory engine, about 3x slower).

Examples
--------
>>> import polars as pl
>>> import cyp_indicators as cyp
>>> counts = pl.DataFrame(
...     {
...         "region": ["north", "north", "south"],
...         "cla": ["416", "87", "c"],
...         "pop": [57621, 12000, 9000],
...     }
... )
>>> out = counts.group_by("region", maintain_order=True).agg(
...     cyp.expr.rate("cla", "pop", multiplier=10_000, confidence=[0.95, 0.998])
... )
>>> out.unnest("rate").select("region", pl.col("value").round(2, mode="half_away_from_zero"), "method", "reason").rows()
[('north', 72.25, 'byars', None), ('south', None, None, "c: numerator includes 'c' (confidential, suppressed to protect individuals)")]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from .errors import DataError
from .stats.fields import (
    Input,
    Kind,
    RateMethod,
    aggregates,
    also_refuse,
    check_multiplier,
    check_rate_method,
    checked_input,
    measure_fields,
    summed_input,
)
from .stats.intervals import normalise_confidence
from .stats.measures import result_columns

__all__ = ["count", "mean", "proportion", "rate"]

IntoInput = str | pl.Expr


class _Finish:
    """The fields of a measure from its summed inputs: one polars query over the sums (a row per
    group, window or frame), which ``map_batches`` runs once over every group's sums.

    Polars eliminates common subexpressions in a ``select`` but not inside ``group_by().agg()``
    or ``.over()``, where each of the dozen fields would sum the inputs again (a hundred times
    slower); so the expression sums (a few cheap reductions, in polars) and this computes the
    fields from the sums, as ``rate(..., by=...)`` does after its ``group_by``. (The streaming
    engine applies it to a window's sums after broadcasting them to the rows, in batches: slower
    than the in-memory engine for ``.over()``, and still correct.)
    """

    def __init__(self, kind: Kind, has_den: bool, options: dict[str, Any]) -> None:
        self.kind = kind
        self.has_den = has_den
        self.options = options

    def __call__(self, sums: pl.Series) -> pl.Series:
        frame = sums.struct.unnest()
        symbols = any(
            frame[c].null_count() < frame.height
            for c in ("num_symbol", "den_symbol")
            if c in frame.columns
        )
        num = summed_input("num", checked=True)
        den = summed_input("den", checked=True) if self.has_den else None
        fields = measure_fields(
            num, den, kind=self.kind, grouped=True, symbols=symbols, **self.options
        )
        out = frame.lazy().select(pl.struct(*fields.values()).alias(self.kind))
        return out.collect().to_series()


def _struct(
    kind: Kind,
    num: Input,
    den: Input | None,
    *,
    aggregate: bool,
    multiplier: float,
    levels: Sequence[float],
    rate_method: RateMethod = "byar_exact",
    flows: bool = False,
    sd: Input | None = None,
) -> pl.Expr:
    options: dict[str, Any] = {
        "multiplier": multiplier,
        "levels": levels,
        "rate_method": rate_method,
        "flows": flows,
    }
    if aggregate:
        if sd is not None:  # guarded by mean(); kept for the types
            msg = "a summed mean has no interval"
            raise DataError(msg)
        sums = pl.struct(
            *aggregates(num, "num"), *(aggregates(den, "den") if den is not None else [])
        )
        dtype = pl.Struct(
            {
                c: pl.String if c in ("method", "reason") else pl.Float64
                for c in result_columns(levels)
            }
        )
        finish = _Finish(kind, den is not None, options)
        return sums.map_batches(finish, return_dtype=dtype, is_elementwise=True).alias(kind)
    if sd is not None and sd.invalid is not None and sd.ok is not None:
        # a bad standard deviation refuses the row like a bad total (a missing one: no interval)
        num = also_refuse(num, sd.invalid, ~sd.ok)
    fields = measure_fields(
        num, den, kind=kind, sd=sd.number if sd is not None else None, **options
    )
    # The fields are computed from the numbers as given and masked once at the end where a row
    # breaks a rule: polars eliminates repeated subexpressions, but not those holding a when.
    row_ok = [side.ok for side in (num, den) if side is not None and side.ok is not None]
    masks = {
        "numerator": num.ok,
        "denominator": den.ok if den is not None else None,
        "reason": None,
    }
    ok = pl.all_horizontal(row_ok) if len(row_ok) > 1 else (row_ok[0] if row_ok else None)
    masked = []
    for name, expr in fields.items():
        mask = masks.get(name, ok)
        masked.append(pl.when(mask).then(expr).alias(name) if mask is not None else expr)
    return pl.struct(*masked).alias(kind)


def rate(
    numerator: IntoInput,
    denominator: IntoInput,
    *,
    multiplier: float = 10_000,
    confidence: float | Sequence[float] | None = 0.95,
    method: RateMethod = "byar_exact",
    aggregate: bool = True,
) -> pl.Expr:
    """A crude rate ``numerator / denominator * multiplier`` with Poisson limits, as a struct.

    Parameters
    ----------
    numerator, denominator
        Column names or expressions: the event count (a whole number, >= 0) and the population
        (>= 0); numbers, or text that may hold GSS symbols.
    multiplier
        Rate base (10,000 gives "per 10,000 children"); a finite number > 0.
    confidence
        One level or several (``[0.95, 0.998]``); ``None`` for no interval.
    method
        ``"byar_exact"`` (PHE practice: exact below 10 events, Byar's from 10) or ``"exact"``.
    aggregate
        True: sum numerator and denominator over the rows of the context (group, window, frame)
        first; False: row by row.

    Returns
    -------
    pl.Expr
        A struct named ``rate`` with the fields of :func:`cyp_indicators.rate`'s result columns
        (:func:`cyp_indicators.result_columns`): ``numerator``, ``denominator``, ``value``,
        ``lower_<level>``/``upper_<level>``, ``method``, ``reason``.

    Raises
    ------
    ValueError
        For a multiplier that is not a finite number > 0, a confidence level outside (0, 1), or an
        unknown method (when the expression is built).
    TypeError
        For a multiplier or confidence level that is not a number.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> frame = pl.DataFrame({"la": ["a", "a", "b"], "cla": [30, 12, 5], "pop": [5000, 2000, 900]})
    >>> rates = frame.group_by("la", maintain_order=True).agg(cyp.expr.rate("cla", "pop"))
    >>> rates.unnest("rate").select("la", "numerator", pl.col("value").round(1, mode="half_away_from_zero"), "method").rows()
    [('a', 42.0, 60.0, 'byars'), ('b', 5.0, 55.6, 'exact')]
    >>> each = frame.with_columns(cyp.expr.rate("cla", "pop").over("la").struct.field("value"))
    >>> each["value"].round(1, mode="half_away_from_zero").to_list()
    [60.0, 60.0, 55.6]
    """
    check_rate_method(method)
    check_multiplier(multiplier)
    levels = normalise_confidence(confidence)
    grouped = aggregate
    num = checked_input(numerator, role="numerator", whole=True, grouped=grouped)
    den = checked_input(denominator, role="denominator", grouped=grouped)
    return _struct(
        "rate",
        num,
        den,
        aggregate=aggregate,
        multiplier=multiplier,
        levels=levels,
        rate_method=method,
    )


def proportion(
    numerator: IntoInput,
    denominator: IntoInput,
    *,
    multiplier: float = 100,
    confidence: float | Sequence[float] | None = 0.95,
    flows: bool = False,
    aggregate: bool = True,
) -> pl.Expr:
    """A proportion ``numerator / denominator * multiplier`` with Wilson limits, as a struct.

    As :func:`cyp_indicators.proportion`: ``multiplier`` 100 gives a percentage; counts need not be
    whole; a numerator above its denominator is refused (a null value with the reason
    ``"x: numerator exceeds the denominator"``) unless ``flows=True``, where such a row keeps its
    value but has no interval and no method. Other parameters and the struct's fields are as for
    :func:`rate`; the struct is named ``proportion`` and ``method`` is "wilson".

    Parameters
    ----------
    numerator, denominator
        Column names or expressions: the events and the cohort (>= 0); numbers, or text that
        may hold GSS symbols.
    multiplier
        100 gives a percentage, 1 a proportion of 1; a finite number > 0.
    confidence
        One level or several; ``None`` for no interval.
    flows
        The two are flows of the same period (conferences over enquiries): the numerator may
        exceed the denominator.
    aggregate
        True: sum over the rows of the context first; False: row by row.

    Returns
    -------
    pl.Expr
        A struct named ``proportion`` with the result columns' fields.

    Raises
    ------
    ValueError
        For a multiplier that is not a finite number > 0 or a confidence level outside (0, 1)
        (when the expression is built).
    TypeError
        For a multiplier or confidence level that is not a number.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> f = pl.DataFrame({"re_referrals": [139_080], "referrals": [621_880]})
    >>> f.select(cyp.expr.proportion("re_referrals", "referrals")).unnest("proportion").select(
    ...     pl.col("value", "lower_95", "upper_95").round(2, mode="half_away_from_zero")
    ... ).rows()
    [(22.36, 22.26, 22.47)]
    """
    check_multiplier(multiplier)
    levels = normalise_confidence(confidence)
    grouped = aggregate
    num = checked_input(numerator, role="numerator", grouped=grouped)
    den = checked_input(denominator, role="denominator", grouped=grouped)
    if not flows:
        exceeds = "x: numerator exceeds the denominator" + (" in a row" if grouped else "")
        den_ok = den.ok if den.ok is not None else pl.lit(True)
        broken = den_ok & (num.number > den.number) & (den.number != 0)  # 3 of 0 is "z"
        num = also_refuse(num, pl.lit(exceeds), broken)
    return _struct(
        "proportion",
        num,
        den,
        aggregate=aggregate,
        multiplier=multiplier,
        levels=levels,
        flows=flows,
    )


def count(numerator: IntoInput, *, aggregate: bool = True) -> pl.Expr:
    """A count as a struct: ``value`` is the count (summed over the context with ``aggregate``).

    The fields are those of :func:`cyp_indicators.count`: ``numerator``, ``denominator`` (null),
    ``value``, ``method`` (null) and ``reason``. Counts are whole numbers >= 0; text may hold GSS
    symbols.

    Parameters
    ----------
    numerator
        A column name or expression: the count.
    aggregate
        True: sum over the rows of the context first; False: row by row.

    Returns
    -------
    pl.Expr
        A struct named ``count``.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> f = pl.DataFrame({"la": ["a", "a", "b"], "cin": ["12", "3", "[c]"]})
    >>> out = f.group_by("la", maintain_order=True).agg(cyp.expr.count("cin")).unnest("count")
    >>> out.select("la", "value", "reason").rows()
    [('a', 15.0, None), ('b', None, "c: numerator includes 'c' (confidential, suppressed to protect individuals)")]
    """
    num = checked_input(numerator, role="numerator", whole=True, grouped=aggregate)
    return _struct("count", num, None, aggregate=aggregate, multiplier=1, levels=())


def mean(
    total: IntoInput,
    pupils: IntoInput,
    *,
    sd: IntoInput | None = None,
    confidence: float | Sequence[float] | None = 0.95,
    aggregate: bool = True,
) -> pl.Expr:
    """A mean ``total / pupils`` from aggregated inputs, as a struct.

    As :func:`cyp_indicators.mean`: totals may be negative (Progress 8), pupils are whole numbers
    >= 0. With ``sd`` (the pupil-level standard deviation) and ``aggregate=False`` the limits are
    ``mean -/+ z sd / sqrt(pupils)`` and ``method`` is "normal"; without ``sd`` there is no
    interval (no limit fields). A summed mean has no interval.

    Parameters
    ----------
    total
        A column name or expression: the sum of the pupils' scores or points.
    pupils
        A column name or expression: the number of pupils.
    sd
        The standard deviation of the pupils' scores, for an interval (with ``aggregate=False``).
    confidence
        One level or several, used with ``sd``; ``None`` for no interval.
    aggregate
        True: sum totals and pupils over the rows of the context first; False: row by row.

    Returns
    -------
    pl.Expr
        A struct named ``mean``.

    Raises
    ------
    DataError
        For ``sd`` with ``aggregate=True``: an interval for a group needs pupil-level data.
    ValueError
        For a confidence level outside (0, 1) (when the expression is built).

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> f = pl.DataFrame({"total": [-12.4, 30.0], "pupils": [100, 150], "sd": [1.2, 1.2]})
    >>> out = f.select(cyp.expr.mean("total", "pupils", sd="sd", aggregate=False)).unnest("mean")
    >>> out.select(pl.col("value", "lower_95").round(4, mode="half_away_from_zero"), "method").rows()
    [(-0.124, -0.3592, 'normal'), (0.2, 0.008, 'normal')]
    """
    if sd is not None and aggregate:
        msg = (
            "a summed mean's interval needs pupil-level data; use aggregate=False with each "
            "group's total, pupils and standard deviation"
        )
        raise DataError(msg)
    levels = normalise_confidence(confidence) if sd is not None else ()
    num = checked_input(total, role="numerator", allow_negative=True, grouped=aggregate)
    den = checked_input(pupils, role="denominator", whole=True, grouped=aggregate)
    spread = checked_input(sd, role="standard deviation") if sd is not None else None
    return _struct("mean", num, den, aggregate=aggregate, multiplier=1, levels=levels, sd=spread)
