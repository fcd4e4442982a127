"""Rates and proportions with confidence intervals, over polars frames.

Both functions take a DataFrame or LazyFrame and return the same kind, keeping every caller column
and appending the public result columns, in this order::

    numerator, denominator, value, lower_<level>, upper_<level> (per level), method, reason

``numerator`` and ``denominator`` are the counts used (Float64; GSS symbols read as null),
``value`` is ``numerator / denominator * multiplier``, ``method`` names the interval used
("wilson", "byars" or "exact"), and ``reason`` is null unless ``value`` is null, when it says why,
opening with a GSS symbol: ``"z: denominator is zero"``, ``"c: numerator is 'c' (confidential,
...)"``, ``"x: numerator is missing"``.

Input rules, one for every entry point here: text that is neither a number (ASCII digits, with
optional thousands separators and exponent) nor a GSS symbol, a value that is not a finite number
(NaN, an infinity), a negative count or population, a fractional count of a rate or count, a
fractional number of pupils, and a numerator above its denominator in a proportion (without
``flows``) are refused with :class:`~cyp_indicators.InvalidValueError` naming the column, the
rule and the row positions, for a DataFrame as for a LazyFrame (checked before it is returned).
A ``multiplier`` or confidence level that is not a finite number in range is a ``ValueError``.
:mod:`cyp_indicators.expr` builds the same result as one struct expression; since an expression
cannot raise mid-query, it gives such rows a null value with a reason instead.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Literal, NamedTuple, TypeVar

import polars as pl
import polars.selectors as cs

from ..errors import DataError
from ..pandas_frames import pandas_frames
from .checks import check_columns, check_unique, raise_for_rows
from .fields import Input, RateMethod, check_multiplier, check_rate_method, measure_fields
from .intervals import confidence_label, normalise_confidence
from .symbols import split_numbers_and_symbols

__all__ = ["RESULT_COLUMNS", "RateMethod", "count", "mean", "proportion", "rate", "result_columns"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)

#: The result columns that do not depend on the confidence levels.
RESULT_COLUMNS = ("numerator", "denominator", "value", "method", "reason")

_NUM, _NUM_SYM, _DEN, _DEN_SYM = "__cyp_num", "__cyp_num_sym", "__cyp_den", "__cyp_den_sym"
_SD = "__cyp_sd"
_DEN_OK = "__cyp_den_ok"
_TEMP = (_NUM, _NUM_SYM, _DEN, _DEN_SYM)


def result_columns(confidence: float | Sequence[float] | None) -> list[str]:
    """The names of the result columns for these confidence levels, in order.

    Parameters
    ----------
    confidence
        One level, several, or None (as the measure functions take it).

    Returns
    -------
    list[str]
        ``numerator``, ``denominator``, ``value``, ``lower_<level>`` and ``upper_<level>`` per
        level, ``method``, ``reason``.

    Raises
    ------
    ValueError
        A level outside (0, 1) that is not a percentage either.
    TypeError
        A level that is not a number.

    Examples
    --------
    >>> result_columns([0.95, 0.998])
    ['numerator', 'denominator', 'value', 'lower_95', 'upper_95', 'lower_99_8', 'upper_99_8', 'method', 'reason']
    >>> result_columns(None)
    ['numerator', 'denominator', 'value', 'method', 'reason']
    """
    bounds = [
        f"{side}_{confidence_label(c)}"
        for c in normalise_confidence(confidence)
        for side in ("lower", "upper")
    ]
    return ["numerator", "denominator", "value", *bounds, "method", "reason"]


@pandas_frames
def rate(
    frame: F,
    numerator: str,
    denominator: str,
    *,
    multiplier: float = 10_000,
    confidence: float | Sequence[float] | None = 0.95,
    method: RateMethod = "byar_exact",
    by: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    context: str = "",
) -> F:
    """Crude rate ``numerator / denominator * multiplier`` with Poisson confidence intervals.

    Parameters
    ----------
    frame
        Counts, one row per area/period (or many rows per group, with ``by``): a polars DataFrame
        or LazyFrame (a pandas DataFrame is converted, and the result converted back).
    numerator, denominator
        Column names: the event count (a whole number, >= 0) and the population (>= 0). Text
        columns may hold GSS symbols (``c``, ``x``, ``z``, ``low``, ``u`` and legacy forms).
    multiplier
        Rate base; 10,000 gives "per 10,000 children" (the default).
    confidence
        One level or several (``[0.95, 0.998]``; percentages such as 95 are read as such);
        ``None`` for no interval.
    method
        ``"byar_exact"`` (default; PHE practice): the exact chi-square interval for counts
        below 10, Byar's approximation from 10 up; ``"exact"``: exact for every count.
    by
        Group columns: numerators and denominators are summed within groups first, and the
        result has one row per group (a group holding a symbol or a missing count gives null).
    keys
        Columns that must identify one row each; duplicates raise :class:`DuplicateKeyError`.
    context
        Named in error messages (``compute`` passes the definition id).

    Returns
    -------
    F
        The same kind of frame, with the result columns appended (see the module docstring): the
        caller's columns (or, with ``by``, the group columns) first. A zero denominator gives a
        null value with the reason ``"z: denominator is zero"``.

    Raises
    ------
    MissingColumnError
        A column the frame does not have (naming its role and the context).
    InvalidValueError
        Rows that break an input rule (see the module docstring), naming the column, the rule and
        the rows; for a LazyFrame too, checked before it is returned.
    DuplicateKeyError
        ``keys`` that repeat.
    DataError
        A column that holds neither numbers nor text, or a frame that already has a result column
        (other than the input columns themselves).
    ValueError
        A multiplier or confidence level that is not a finite number in range.
    TypeError
        A frame that is neither a polars nor a pandas frame, or a level that is not a number.

    Examples
    --------
    >>> import polars as pl
    >>> counts = pl.DataFrame({"la": ["874"], "cla": [416], "pop": [57621]})
    >>> rate(counts, "cla", "pop", confidence=None)["value"].round(3, mode="half_away_from_zero").to_list()
    [72.196]
    """
    check_rate_method(method)
    return _measure(
        frame,
        numerator,
        denominator,
        kind="rate",
        multiplier=multiplier,
        confidence=confidence,
        rate_method=method,
        by=by,
        keys=keys,
        context=context,
    )


@pandas_frames
def proportion(
    frame: F,
    numerator: str,
    denominator: str,
    *,
    multiplier: float = 100,
    confidence: float | Sequence[float] | None = 0.95,
    by: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    context: str = "",
    flows: bool = False,
) -> F:
    """Proportion (or conversion rate) ``numerator / denominator * multiplier``, Wilson intervals.

    The numerator may not exceed the denominator (an error naming the rows), unless
    ``flows=True``. Counts need not be whole numbers (weighted counts are accepted). ``method`` is
    "wilson".

    Parameters
    ----------
    frame
        Counts, as for :func:`rate`.
    numerator, denominator
        Column names: the events and the cohort (numbers >= 0, or text with GSS symbols).
    multiplier
        100 (the default) gives a percentage; 1 a proportion of 1.
    confidence
        One level or several; ``None`` for no interval.
    by, keys, context
        As for :func:`rate`.
    flows
        The two are counts of the same period, not a cohort and its successes (ICPCs held over
        section 47 enquiries started in a year), so more conferences than enquiries is possible:
        such a row has its value (above 100 %) but no interval and no ``method``.

    Returns
    -------
    F
        The same kind of frame, with the result columns appended.

    Raises
    ------
    MissingColumnError
        A column the frame does not have (naming its role and the context).
    InvalidValueError
        Rows that break an input rule (see the module docstring), naming the column, the rule and
        the rows; for a LazyFrame too, checked before it is returned.
    DuplicateKeyError
        ``keys`` that repeat.
    DataError
        A column that holds neither numbers nor text, or a frame that already has a result column
        (other than the input columns themselves).
    ValueError
        A multiplier or confidence level that is not a finite number in range.
    TypeError
        A frame that is neither a polars nor a pandas frame, or a level that is not a number.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"re_referrals": [139_080], "referrals": [621_880]})
    >>> proportion(f, "re_referrals", "referrals")["value"].round(2, mode="half_away_from_zero").to_list()
    [22.36]
    >>> g = pl.DataFrame({"icpcs": [5], "s47s": [2]})
    >>> proportion(g, "icpcs", "s47s", flows=True).select("value", "lower_95", "method").rows()
    [(250.0, None, None)]
    """
    return _measure(
        frame,
        numerator,
        denominator,
        kind="proportion",
        multiplier=multiplier,
        confidence=confidence,
        rate_method="byar_exact",
        by=by,
        keys=keys,
        context=context,
        flows=flows,
    )


@pandas_frames
def count(
    frame: F,
    numerator: str,
    *,
    by: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    context: str = "",
    whole: bool = True,
) -> F:
    """A count as a result: ``value`` is the count (summed within ``by`` groups).

    The result has the same columns as :func:`rate` without intervals: ``denominator`` and
    ``method`` are null.

    Parameters
    ----------
    frame
        Counts, as for :func:`rate`.
    numerator
        The count column: whole numbers >= 0, or text with GSS symbols.
    by, keys, context
        As for :func:`rate`.
    whole
        Refuse fractions (the default); False for full-time equivalents, which need not be whole.

    Returns
    -------
    F
        The same kind of frame, with the result columns appended.

    Raises
    ------
    MissingColumnError
        A column the frame does not have (naming its role and the context).
    InvalidValueError
        Rows that break an input rule (see the module docstring), naming the column, the rule and
        the rows; for a LazyFrame too, checked before it is returned.
    DuplicateKeyError
        ``keys`` that repeat.
    DataError
        A column that holds neither numbers nor text, or a frame that already has a result column
        (other than the input columns themselves).
    ValueError
        A multiplier or confidence level that is not a finite number in range.
    TypeError
        A frame that is neither a polars nor a pandas frame, or a level that is not a number.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"la": ["a", "a", "b"], "cin": ["12", "3", "c"]})
    >>> count(f, "cin", by=["la"]).select("la", "value", "reason").rows()
    [('a', 15.0, None), ('b', None, "c: numerator includes 'c' (confidential, suppressed to protect individuals)")]
    """
    return _measure(
        frame,
        numerator,
        None,
        kind="count",
        multiplier=1,
        confidence=None,
        rate_method="byar_exact",
        by=by,
        keys=keys,
        context=context,
        whole_counts=whole,
    )


@pandas_frames
def mean(
    frame: F,
    total: str,
    pupils: str,
    *,
    sd: str | None = None,
    confidence: float | Sequence[float] | None = 0.95,
    by: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    context: str = "",
) -> F:
    """A mean from aggregated inputs: ``total`` (sum of scores or points) / ``pupils``.

    With ``sd`` (the standard deviation of the pupil-level scores; for Progress 8 DfE uses the
    national one) the interval is ``mean -/+ z sd / sqrt(pupils)`` and ``method`` is "normal";
    without it there is no interval.

    Parameters
    ----------
    frame
        Totals, as for :func:`rate`.
    total
        The sum of the pupils' scores or points (may be negative: Progress 8).
    pupils
        The number of pupils (whole, >= 0).
    sd
        The standard deviation column, for an interval.
    confidence
        One level or several; ``None`` for no interval (there is none without ``sd``).
    by
        Group columns: totals and pupils are summed within groups (no interval then: ``sd`` with
        ``by`` is an error).
    keys, context
        As for :func:`rate`.

    Returns
    -------
    F
        The same kind of frame, with the result columns appended.

    Raises
    ------
    MissingColumnError
        A column the frame does not have (naming its role and the context).
    InvalidValueError
        Rows that break an input rule (see the module docstring), naming the column, the rule and
        the rows; for a LazyFrame too, checked before it is returned.
    DuplicateKeyError
        ``keys`` that repeat.
    DataError
        A column that holds neither numbers nor text, or a frame that already has a result column
        (other than the input columns themselves), or ``sd`` with ``by`` (a grouped mean's interval
        needs pupil-level data).
    ValueError
        A multiplier or confidence level that is not a finite number in range.
    TypeError
        A frame that is neither a polars nor a pandas frame, or a level that is not a number.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"total": [46.0, -12.4], "pupils": [10, 100], "sd": [1.2, 1.2]})
    >>> out = mean(f, "total", "pupils", sd="sd", confidence=0.95)
    >>> out.select(pl.col("value", "lower_95").round(4, mode="half_away_from_zero"), "method").rows()
    [(4.6, 3.8562, 'normal'), (-0.124, -0.3592, 'normal')]
    """
    return _measure(
        frame,
        total,
        pupils,
        kind="mean",
        multiplier=1,
        confidence=confidence,
        rate_method="byar_exact",
        by=by,
        keys=keys,
        context=context,
        sd=sd,
    )


def _parsed(column: str, dtype: pl.DataType, num: str, sym: str) -> list[pl.Expr]:
    if dtype == pl.String:
        number, symbol, _ = split_numbers_and_symbols(column, name=column)
        return [number.alias(num), symbol.alias(sym)]
    return [pl.col(column).cast(pl.Float64).alias(num), pl.lit(None, pl.String).alias(sym)]


def _check_dtype(column: str, dtype: pl.DataType, role: str) -> None:
    if not (dtype.is_numeric() or dtype == pl.String or dtype == pl.Null):
        msg = f"{role} column {column!r} must hold numbers (or text with GSS symbols), got {dtype}"
        raise DataError(msg)


class _Check(NamedTuple):
    """A rule over the input rows: ``rows`` marks the rows breaking it, ``flag`` says if any do."""

    rows: pl.Expr
    column: str
    rule: str
    flag: pl.Expr | None = None  # a cheaper reduction than ``rows.any()``, where there is one


def _validate(
    frame: pl.LazyFrame,
    numerator: str,
    denominator: str | None,
    schema: Mapping[str, pl.DataType],
    *,
    kind: str,
    sd: str | None = None,
    flows: bool = False,
    whole_counts: bool = True,
) -> list[_Check]:
    checks: list[_Check] = []
    sides = [(numerator, "numerator", _NUM)]
    if denominator is not None:
        sides.append((denominator, "denominator", _DEN))
    if sd is not None:
        sides.append((sd, "standard deviation", _SD))
    # A check the column's dtype already guarantees is skipped: integers are finite and whole,
    # unsigned integers are not negative (a whole pass over the rows saved for each).
    whole = {c for c in (numerator, denominator) if c is not None and schema[c].is_integer()}
    for column, role, temp in sides:
        dtype = schema[column]
        if dtype == pl.String:
            _, _, unreadable = split_numbers_and_symbols(column, name=column)
            checks.append(
                _Check(unreadable, column, f"{role} text is neither a number nor a GSS symbol")
            )
        if column not in whole:
            checks.append(
                _Check(~pl.col(temp).is_finite(), column, f"{role} must be a finite number")
            )
        signed = not dtype.is_unsigned_integer()
        if signed and not (kind == "mean" and role == "numerator"):  # a total may be negative
            # a minimum is one cheap reduction over the column as given (no mask, no cast)
            flag = pl.col(column).min() < 0 if dtype.is_numeric() else None
            checks.append(_Check(pl.col(temp) < 0, column, f"{role} must not be negative", flag))
    if kind == "mean" and denominator is not None and denominator not in whole:
        checks.append(
            _Check(
                pl.col(_DEN) != pl.col(_DEN).floor(),
                denominator,
                "a number of pupils must be a whole number",
            )
        )
    if kind in ("rate", "count") and numerator not in whole and whole_counts:
        checks.append(
            _Check(
                pl.col(_NUM) != pl.col(_NUM).floor(), numerator, "a count must be a whole number"
            )
        )
    if kind == "proportion" and denominator is not None and not flows:
        checks.append(
            _Check(
                (pl.col(_NUM) > pl.col(_DEN)) & (pl.col(_DEN) != 0),  # 0: "z", not an error
                numerator,
                f"numerator must not exceed the denominator ({denominator!r}) in a proportion",
            )
        )
    return checks


def _check_flags(checks: list[_Check]) -> list[pl.Expr]:
    """One boolean per check, true when any row breaks it (broadcast over the rows)."""
    return [
        (c.rows.any() if c.flag is None else c.flag).fill_null(False).alias(f"__check{i}")
        for i, c in enumerate(checks)
    ]


def _raise_broken(frame: pl.LazyFrame, checks: list[_Check], flags: pl.DataFrame) -> None:
    """Raise for the first check whose flag is set, naming its rows."""
    for i, check in enumerate(checks):
        if flags.height and flags[f"__check{i}"][0]:
            raise_for_rows(frame, check.rows.fill_null(False), column=check.column, rule=check.rule)


@functools.lru_cache(maxsize=256)
def _fields(
    kind: Literal["rate", "proportion", "count", "mean"],
    multiplier: float,
    levels: tuple[float, ...],
    rate_method: RateMethod,
    flows: bool,
    spread: bool,
    grouped: bool,
    symbols: bool,
    whole_inputs: bool,
) -> tuple[pl.Expr, ...]:
    """The result columns over the measure's working columns, built once for each shape of
    call (a catalogue computed for every council builds a few hundred calls' expressions;
    expressions are immutable values, so one may serve them all)."""
    fields = measure_fields(
        Input(pl.col(_NUM), pl.col(_NUM_SYM)),
        Input(pl.col(_DEN), pl.col(_DEN_SYM)) if kind != "count" else None,
        kind=kind,
        multiplier=multiplier,
        levels=levels,
        rate_method=rate_method,
        flows=flows,
        sd=pl.col(_SD) if spread else None,
        grouped=grouped,
        symbols=symbols,
        den_ok=pl.col(_DEN_OK) if kind != "count" else None,
        whole_inputs=whole_inputs,
    )
    return tuple(fields.values())


def _measure(
    frame: F,
    numerator: str,
    denominator: str | None,
    *,
    kind: Literal["rate", "proportion", "count", "mean"],
    multiplier: float,
    confidence: float | Sequence[float] | None,
    rate_method: RateMethod,
    by: Sequence[str] | None,
    keys: Sequence[str] | None,
    context: str,
    sd: str | None = None,
    flows: bool = False,
    whole_counts: bool = True,
) -> F:
    if not isinstance(frame, pl.DataFrame | pl.LazyFrame):
        msg = f"frame must be a polars DataFrame or LazyFrame, got {type(frame).__name__}"
        raise TypeError(msg)
    check_multiplier(multiplier)
    levels = normalise_confidence(confidence)
    if kind == "mean" and sd is None:
        levels = ()  # an interval for a mean needs the standard deviation
    schema = _Columns(frame) if isinstance(frame, pl.DataFrame) else frame.collect_schema()
    group_cols: list[str] = list(by or [])
    if kind == "mean" and sd is not None and group_cols:
        msg = "a grouped mean's interval needs pupil-level data; compute each group's mean and SD first"
        raise DataError(msg)
    required = [(numerator, "numerator"), *((g, "group") for g in group_cols)]
    if denominator is not None:
        required.insert(1, (denominator, "denominator"))
    if sd is not None:
        required.append((sd, "standard deviation"))
    check_columns(schema, required, context=context)
    _check_dtype(numerator, schema[numerator], "numerator")
    if denominator is not None:
        _check_dtype(denominator, schema[denominator], "denominator")
    if keys:
        check_unique(frame, keys, context=context)

    outputs = result_columns(levels)
    kept = group_cols if group_cols else list(schema)
    replaceable = {numerator} & {"numerator"} | {denominator} & {"denominator"}
    clashes = [c for c in outputs if c in kept and c not in replaceable]
    if clashes:
        msg = (
            f"the frame already has result column(s) {', '.join(map(repr, clashes))}; "
            "rename them before computing"
        )
        raise DataError(msg)

    den_columns = (
        _parsed(denominator, schema[denominator], _DEN, _DEN_SYM)
        if denominator is not None
        else [pl.lit(None, pl.Float64).alias(_DEN), pl.lit(None, pl.String).alias(_DEN_SYM)]
    )
    sd_columns = _parsed(sd, schema[sd], _SD, "__cyp_sd_sym")[:1] if sd is not None else []
    # An eager, ungrouped frame is computed on the columns the measure reads only and the
    # caller's columns are put back beside the result without a copy: a wide frame (hundreds of
    # columns) then costs what a narrow one does.
    inputs = list(dict.fromkeys(c for c in (numerator, denominator, sd) if c is not None))
    narrow = isinstance(frame, pl.DataFrame) and not group_cols and len(schema) > len(inputs)
    source = frame.lazy().select(cs.by_name(inputs)) if narrow else frame.lazy()
    lf = source.with_columns(
        *_parsed(numerator, schema[numerator], _NUM, _NUM_SYM), *den_columns, *sd_columns
    )
    checks = _validate(
        lf, numerator, denominator, schema, kind=kind, sd=sd, flows=flows,
        whole_counts=whole_counts,
    )  # fmt: skip
    checked = lf
    if isinstance(frame, pl.LazyFrame):  # a lazy result cannot be inspected: check first
        _raise_broken(checked, checks, checked.select(_check_flags(checks)).collect())

    grouped = bool(group_cols)
    if grouped:
        lf = lf.group_by(group_cols, maintain_order=True).agg(
            *(
                pl.when(pl.col(c).null_count() == 0).then(pl.col(c).sum()).alias(c)
                for c in (_NUM, _DEN)
            ),
            *(pl.col(s).drop_nulls().first().alias(s) for s in (_NUM_SYM, _DEN_SYM)),
        )

    text_input = schema[numerator] == pl.String or (
        denominator is not None and schema[denominator] == pl.String
    )
    # Rows without a value are those with a missing count or a zero denominator; arithmetic on a
    # null propagates, so only a zero denominator needs masking (no per-column conditions).
    if kind != "count":
        lf = lf.with_columns(pl.when(pl.col(_DEN) != 0).then(pl.col(_DEN)).alias(_DEN_OK))
    # integer columns bound every quotient (see measure_fields): no per-row overflow test
    whole_inputs = schema[numerator].is_integer() and (
        denominator is None or schema[denominator].is_integer()
    )
    columns = list(
        _fields(
            kind, multiplier, levels, rate_method, flows, sd is not None, grouped,
            text_input or grouped, whole_inputs,
        )
    )  # fmt: skip

    base = [c for c in kept if c not in outputs]
    # one selector of literal names for the caller's columns (a wide frame's hundreds of columns
    # cost one expression, not one each; a name such as "^a.*$" is a name, not a pattern)
    kept_columns = [cs.by_name(base)] if base and not narrow else []
    result = lf.select(*kept_columns, *columns)
    if isinstance(frame, pl.LazyFrame):
        return result
    # An eager frame is checked and computed together; the result is dropped if a check fails.
    # Text inputs are parsed once for both queries (a shared, cached subplan); numeric ones are
    # not cached: the checks read the columns as given, and a cache would stop the result fusing.
    parsed_text = text_input or (sd is not None and schema[sd] == pl.String)
    out, flags = pl.collect_all(
        [result, checked.select(_check_flags(checks))],
        optimizations=pl.QueryOptFlags(comm_subplan_elim=parsed_text),
    )
    _raise_broken(checked, checks, flags)
    if narrow and base:
        assert isinstance(frame, pl.DataFrame)
        # every column of the caller's kept: put beside it, no copy (concatenated: DataFrame.hstack
        # would make the chunks of every column alike, a copy of the result)
        if len(base) == frame.width:
            return pl.concat([frame, out], how="horizontal")
        return pl.concat([frame.select(cs.by_name(base)), out], how="horizontal")
    return out


class _Columns(Mapping[str, pl.DataType]):
    """An eager frame's columns and their types, each type read when asked for: building the
    whole schema of a wide frame (hundreds of columns) costs more than a narrow measure."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame
        self._names = frame.columns
        self._known = set(self._names)

    def __getitem__(self, name: str) -> pl.DataType:
        if name not in self._known:
            raise KeyError(name)
        return self._frame.get_column(name).dtype

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
