"""Apply a definition to a frame of counts: the one place the model meets the statistics core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import polars as pl

from .errors import DataError
from .inputs import is_tidy, tidy_input, tidy_year
from .model import CIMethod, Family, IndicatorDefinition
from .pandas_frames import pandas_frames_after_definition
from .results import ResultProvenance, carry
from .stats.difference import difference
from .stats.measures import RateMethod, count, mean, proportion, rate

__all__ = ["compute", "compute_by_year"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


@pandas_frames_after_definition
def compute(
    definition: IndicatorDefinition,
    frame: F,
    *,
    numerator: str | None = None,
    denominator: str | None = None,
    confidence: float | Sequence[float] | bool | None = True,
    by: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    filters: Mapping[str, str] | None = None,
) -> F:
    """Compute ``definition`` on ``frame`` of counts.

    ``numerator`` and ``denominator`` name the input columns; by default the columns the
    definition expects (``definition.numerator.column``). ``confidence`` defaults to the
    definition's levels (95 % and 99.8 %); pass levels to override or ``None`` for none. The result
    keeps the caller's columns, adds the statistics core's columns (``numerator``, ``denominator``,
    ``value``, ``lower_95``, ``upper_95``, ..., ``method``, ``reason``), then ``indicator_id`` and
    ``indicator_version``. Values are unrounded; :func:`present` rounds them for publication.
    The result is a :class:`~cyp_indicators.results.ResultFrame` (a polars DataFrame, or a
    ``ResultLazyFrame`` for a LazyFrame) carrying the definition and, where the frame has a
    ``population_vintage`` column (:func:`attach_population`), the population vintage.

    A frame in DfE's tidy-data layout (an EES file as read: ``time_period``,
    ``geographic_level``, area, filter and indicator columns) needs no column names: the
    definition's EES columns, its rows and, for a rate per 10,000 children, the bundled
    population are found by :func:`~cyp_indicators.inputs.tidy_input`; ``filters`` (column ->
    value) chooses the rows of a file that holds several series, and each row gains
    ``area_code`` and ``year``. A tidy row of a year outside the definition's valid years is an
    error: :func:`compute_by_year` chooses the version in force for each row.

    Parameters
    ----------
    definition
        The definition (one version): its family decides the calculation (:func:`rate`,
        :func:`proportion`, :func:`count`, :func:`mean`, or a difference).
    frame
        Counts: a DataFrame or LazyFrame (a pandas DataFrame is converted, and the result
        converted back), in the definition's columns or DfE's tidy layout.
    numerator, denominator
        The input columns, when not those the definition names.
    confidence
        True (default): the definition's levels (none for ``ci_method = "none"``); levels to
        override them; ``None`` or False for no interval.
    by
        Group columns: counts are summed within groups first (one row per group).
    keys
        Columns that must identify one row each.
    filters
        Column -> value: the rows of a tidy file to use.

    Returns
    -------
    F
        A :class:`~cyp_indicators.results.ResultFrame` (or ``ResultLazyFrame``): the caller's
        columns, the result columns, ``indicator_id`` and ``indicator_version``.

    Raises
    ------
    MissingColumnError
        A column is absent (naming the column and the definition).
    DataError
        A family ``compute`` does not calculate (``duration``), a tidy frame whose rows are
        split by a filter not chosen or that has rows of years outside the definition's valid
        years, or an input the statistics function refuses as :class:`DataError`.
    InvalidValueError
        Input values that break a rule (negative or fractional counts, ...), naming the rows.
    DuplicateKeyError
        ``keys`` that repeat.

    Examples
    --------
    >>> import polars as pl, cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> counts = pl.DataFrame({"la": ["874"], "cla_at_31_march": [416], "population_0_17": [57621]})
    >>> out = cyp.compute(d, counts)
    >>> out.select(pl.col("value", "lower_95").round(2, mode="half_away_from_zero"),
    ...            "method", "indicator_version").row(0)
    (72.2, 65.42, 'byars', '1.0.0')
    """
    context = f"definition {definition.key}"
    names = frame.columns if isinstance(frame, pl.DataFrame) else frame.collect_schema().names()
    if filters or is_tidy(names):
        frame = tidy_input(
            definition,
            frame,
            filters=filters,
            numerator=numerator,
            denominator=denominator,
            where="the input",
        )
        _check_in_force(definition, frame)
    levels: float | Sequence[float] | None
    if confidence is True:
        levels = None if definition.ci_method is CIMethod.NONE else definition.confidence_levels
    elif confidence is False:
        levels = None
    else:
        levels = confidence
    num = numerator or definition.numerator.column
    family = definition.family
    if family is Family.COUNT:
        # full-time equivalents (unit fte) are counts that need not be whole
        fte = definition.unit_name == "fte"
        result = count(frame, num, by=by, keys=keys, context=context, whole=not fte)
    elif family is Family.DIFFERENCE and definition.denominator is not None:
        # a gap between two groups' figures: the first minus the second (no interval)
        result = difference(
            frame, num, denominator or definition.denominator.column, keys=keys, context=context
        )
    elif family in (Family.MEAN, Family.POINTS) and definition.denominator is not None:
        sd = definition.spread.column if definition.spread and levels else None
        result = mean(
            frame, num, denominator or definition.denominator.column, sd=sd,
            confidence=levels, by=by, keys=keys, context=context,
        )  # fmt: skip
    elif family in (Family.RATE, Family.PROPORTION, Family.CONVERSION, Family.EXPECTED_PROGRESS):
        if definition.denominator is None:  # guarded by the model; kept for type narrowing
            msg = f"{context} has no denominator"
            raise DataError(msg)
        den = denominator or definition.denominator.column
        if family is Family.RATE:
            method: RateMethod = "exact" if definition.ci_method is CIMethod.EXACT else "byar_exact"
            result = rate(
                frame,
                num,
                den,
                multiplier=definition.multiplier,
                confidence=levels,
                method=method,
                by=by,
                keys=keys,
                context=context,
            )
        else:
            result = proportion(
                frame,
                num,
                den,
                multiplier=definition.multiplier,
                confidence=levels,
                by=by,
                keys=keys,
                context=context,
                flows=family is Family.CONVERSION,  # two flows of a year: may exceed 100 %
            )
    else:
        msg = (
            f"compute() calculates rate, proportion, conversion, expected-progress, count, mean, "
            f"points and difference definitions; "
            f"{definition.key} is a {family.value} definition"
        )
        raise DataError(msg)
    out = _labelled(result, definition)
    vintage = None
    if isinstance(frame, pl.DataFrame) and "population_vintage" in frame.columns:
        vintages = frame["population_vintage"].drop_nulls().unique().sort().to_list()
        vintage = "; ".join(map(str, vintages)) or None
    provenance = ResultProvenance(
        produced_by="compute", definitions=(definition,), population_vintage=vintage
    )
    return carry(out, provenance)


def _labelled(result: F, definition: IndicatorDefinition) -> F:
    """``result`` with ``indicator_id`` and ``indicator_version`` (an eager result gains them
    beside its columns without a query)."""
    labels = {"indicator_id": definition.id, "indicator_version": str(definition.version)}
    if isinstance(result, pl.DataFrame) and not set(labels) & set(result.columns):
        columns = [
            pl.Series(k, [v], pl.String).new_from_index(0, result.height) for k, v in labels.items()
        ]
        # concatenated, not hstack-ed: hstack makes the chunks of every column alike (a copy)
        return pl.concat([result, pl.DataFrame(columns)], how="horizontal")
    return result.with_columns(pl.lit(v, pl.String).alias(k) for k, v in labels.items())


def _check_in_force(definition: IndicatorDefinition, frame: pl.DataFrame | pl.LazyFrame) -> None:
    """Refuse rows of years outside the definition's valid years (their figures belong to
    another version, or to none)."""
    if "year" not in frame.collect_schema():
        return
    years = frame.lazy().select(pl.col("year").unique().sort()).collect().to_series().to_list()
    outside = [y for y in years if y is not None and not definition.valid_in(int(y))]
    if outside:
        valid = f"{definition.valid_from}-{definition.valid_to or ''}"
        msg = (
            f"{definition.key} is valid in {valid}; the frame has rows of "
            f"{', '.join(map(str, outside))}. compute_by_year() chooses the version in force "
            "for each row's year (the command line does this)"
        )
        raise DataError(msg)


def compute_by_year(
    definition: IndicatorDefinition | str,
    frame: pl.DataFrame,
    *,
    catalogue: Any | None = None,
    year: str | None = None,
    **kwargs: Any,
) -> pl.DataFrame:
    """Compute each row with the version of the definition in force in its year.

    Parameters
    ----------
    definition
        An id, or any version of it (the id is what counts).
    frame
        Rows of several years: DfE's tidy layout (the year from ``time_period``) or a frame
        with a ``year`` column (the collection year).
    catalogue
        Where versions are looked up (default: the bundled catalogue).
    year
        The collection-year column, when it is not ``year`` or ``time_period``.
    **kwargs
        Passed to :func:`compute` (``filters``, ``numerator``, ``confidence``...).

    Returns
    -------
    polars.DataFrame
        The rows of every year, each computed with its version (``indicator_version``); a row
        of a year in which no version is in force keeps its columns with a null value and the
        reason "z: no version of <id> is in force in <year>".

    Raises
    ------
    MissingColumnError
        No year column (``year``, ``time_period`` or the one named), or a column
        :func:`compute` needs.
    UnknownDefinitionError
        An id the catalogue does not hold.
    DataError
        What :func:`compute` raises for a year's rows.

    Examples
    --------
    >>> import polars as pl, cyp_indicators as cyp
    >>> f = pl.DataFrame({"year": [2013, 2014], "care_leavers_19_21_neet": [10, 12],
    ...                   "care_leavers_19_21": [100, 100]})
    >>> d = cyp.load_catalogue().get("care_leavers_neet_pct")
    >>> out = cyp.compute_by_year(d, f, numerator="care_leavers_19_21_neet",
    ...                           denominator="care_leavers_19_21")
    >>> out.select("year", "indicator_version").rows()
    [(2013, '1.0.0'), (2014, '2.0.0')]
    """
    from .catalogue import load_catalogue

    cat = catalogue if catalogue is not None else load_catalogue()
    ident = definition if isinstance(definition, str) else definition.id
    schema = frame.collect_schema()
    if year is not None:
        column = year
    elif "year" in schema:
        column = "year"
    elif "time_period" in schema:
        column = "time_period"
    else:
        from .errors import MissingColumnError

        raise MissingColumnError(
            "year", role="collection year", available=schema.names(), context=ident
        )
    keyed = frame.with_row_index("__cyp_row").with_columns(
        (tidy_year(column) if column == "time_period" else pl.col(column).cast(pl.Int64)).alias(
            "__cyp_year"
        )
    )
    years = keyed["__cyp_year"].unique().sort().to_list()
    versions: dict[str, IndicatorDefinition] = {}
    groups: dict[str, list[int]] = {}
    none: list[int | None] = []
    for y in years:
        in_force = cat.in_force(int(y)).get(ident) if y is not None else None
        if in_force is None:
            none.append(y)
            continue
        versions[in_force.key] = in_force
        groups.setdefault(in_force.key, []).append(int(y))
    parts: list[pl.DataFrame] = []
    for key, group_years in groups.items():
        rows = keyed.filter(pl.col("__cyp_year").is_in(group_years)).drop("__cyp_year")
        order = rows["__cyp_row"]
        result = pl.DataFrame(compute(versions[key], rows.drop("__cyp_row"), **kwargs))
        if result.height == order.len():  # compute keeps rows; a filter may have dropped some
            result = result.with_columns(order)
        parts.append(result)
    if none:
        rows = keyed.filter(
            pl.col("__cyp_year").is_in([y for y in none if y is not None])
            | (pl.col("__cyp_year").is_null() if None in none else pl.lit(False))
        )
        parts.append(
            rows.with_columns(
                pl.lit(None, dtype=pl.Float64).alias("value"),
                pl.format(
                    "z: no version of {} is in force in {}",
                    pl.lit(ident),
                    pl.col("__cyp_year").cast(pl.String).fill_null("an unknown year"),
                ).alias("reason"),
                pl.lit(ident).alias("indicator_id"),
                pl.lit(None, dtype=pl.String).alias("indicator_version"),
            ).drop("__cyp_year")
        )
    if not parts:
        return frame.clear()
    out = pl.concat(parts, how="diagonal_relaxed")
    if "__cyp_row" in out.columns:
        out = out.sort("__cyp_row", nulls_last=True).drop("__cyp_row")
    provenance = ResultProvenance(
        produced_by="compute_by_year",
        definitions=tuple(versions.values()),
    )
    return carry(out, provenance)
