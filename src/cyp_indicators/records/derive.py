"""``derive``: a catalogue definition computed from child-level records for any period.

The same definition gives DfE's annual figure (``Period.financial_year(2017)``) and the council's
monthly one (``Period.monthly(...)``): the definition names a derivation of the registry and its
parameters; ``derive`` runs it over every period in one pass over the records, attaches the
population for rates, and computes values and intervals with the statistics core.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import attrs
import polars as pl

from ..compute import compute
from ..errors import DataError, Problem
from ..model import Family, IndicatorDefinition
from ..results import ResultProvenance, carry
from . import derivations as _registered  # noqa: F401  (registers the derivations)
from .accounting import exclusions_frame, problems
from .registry import DERIVATIONS

__all__ = ["DFE_CODES", "Derivation", "derive"]

#: DfE's code lists for the SSDA903 episode fields the derivations read (2024-25 return).
DFE_CODES: dict[str, dict[str, frozenset[str]]] = {
    "episodes": {
        "RNE": frozenset({"S", "L", "P", "T", "B", "U"}),
        "LS": frozenset(
            {"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"}
        ),
        "REC": frozenset(
            {
                "E11",
                "E12",
                "E13",
                "E14",
                "E15",
                "E16",
                "E17",
                "E2",
                "E3",
                "E41",
                "E43",
                "E44",
                "E45",
                "E46",
                "E47",
                "E48",
                "E4A",
                "E4B",
                "E5",
                "E6",
                "E7",
                "E8",
                "E9",
                "E99",
                "X1",
            }
        ),
    }
}


def _screen_codes(records: Any, tables: tuple[str, ...]) -> tuple[Any, pl.DataFrame]:
    """Move records with codes outside DfE's lists to exclusions ("unknown_code")."""
    excluded: list[pl.DataFrame] = []
    replacements: dict[str, pl.DataFrame] = {}
    for table in tables:
        frame = getattr(records, table, None)
        lists = DFE_CODES.get(table)
        if not isinstance(frame, pl.DataFrame) or not lists:
            continue
        bad = pl.lit(None, pl.String)
        for column, allowed in reversed(list(lists.items())):
            if column in frame.columns:
                wrong = pl.col(column).is_not_null() & ~pl.col(column).is_in(sorted(allowed))
                bad = (
                    pl.when(wrong)
                    .then(
                        pl.format(
                            f"unknown_code: {column} '{{}}' is not a DfE code", pl.col(column)
                        )
                    )
                    .otherwise(bad)
                )
        marked = frame.with_columns(bad.alias("__bad"))
        if marked["__bad"].null_count() == marked.height:
            continue
        wrong_rows = marked.filter(pl.col("__bad").is_not_null())
        excluded.append(
            exclusions_frame(
                wrong_rows.select(
                    pl.lit(table).alias("table"),
                    (
                        pl.col("source_file")
                        if "source_file" in frame.columns
                        else pl.lit(None, pl.String)
                    ).alias("source_file"),
                    (
                        pl.col("source_row")
                        if "source_row" in frame.columns
                        else pl.lit(None, pl.Int64)
                    ).alias("source_row"),
                    pl.col("CHILD").cast(pl.String).alias("child")
                    if "CHILD" in frame.columns
                    else pl.lit(None, pl.String).alias("child"),
                    pl.lit(None, pl.String).alias("column"),
                    pl.lit(None, pl.String).alias("value"),
                    pl.col("__bad").alias("reason"),
                )
            )
        )
        replacements[table] = marked.filter(pl.col("__bad").is_null()).drop("__bad")
    if not replacements:
        return records, exclusions_frame()
    if attrs.has(type(records)):
        records = attrs.evolve(records, **replacements)
    else:
        from types import SimpleNamespace

        records = SimpleNamespace(**{**vars(records), **replacements})
    return records, pl.concat(excluded)


class _PeriodLike(Protocol):
    def to_frame(self) -> pl.DataFrame: ...


@attrs.frozen
class Derivation:
    """The result of :func:`derive`.

    Parameters
    ----------
    definition
        The definition computed.
    values
        One row per period (``period_label``, ``period_start``, ``period_end``) with the
        statistics core's columns (``numerator``, ``denominator``, ``value``, intervals,
        ``method``, ``reason``) and ``indicator_id``/``indicator_version``, carrying the
        definition and the records' files (a :class:`~cyp_indicators.results.ResultFrame`).
    exclusions
        Every input record not counted, with the reason (reader exclusions included), in the
        schema of :data:`~cyp_indicators.records.EXCLUSION_SCHEMA`.
    accounting
        Per table read: ``rows_in``, ``counted``, ``not_counted``, and ``excluded_on_reading``
        (by the reader, or for a code outside DfE's lists); the last three add up to
        ``rows_in``.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.records import SSDA903, Period
    >>> records = SSDA903.from_frames(episodes=pl.DataFrame({
    ...     "CHILD": ["A", "B"], "DECOM": ["01/05/2016", "03/10/2016"], "RNE": ["S", "S"],
    ...     "LS": ["C2", "C2"], "CIN": ["N1", "N1"], "PLACE": ["U1", "U1"],
    ...     "DEC": [None, "01/01/2017"], "REC": [None, "E13"],
    ... }))
    >>> definition = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> result = derive(definition, records, period=Period.financial_year(2017))
    >>> result.accounting.rows()
    [('episodes', 2, 1, 1, 0)]
    >>> [p.code for p in result.problems]  # B left care before 31 March
    ['outside_period']
    """

    definition: IndicatorDefinition
    values: pl.DataFrame
    exclusions: pl.DataFrame
    accounting: pl.DataFrame

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every record not counted as a :class:`~cyp_indicators.Problem` (the record type
        definition loading uses too): the reason code, its words, and where the record is
        (file, row, column; the table as the field)."""
        return problems(self.exclusions)


def _periods(period: Any) -> pl.DataFrame:
    frame: pl.DataFrame
    if hasattr(period, "to_frame"):
        frame = period.to_frame()
    elif all(hasattr(period, a) for a in ("start", "end", "label")):
        frame = pl.DataFrame(
            {
                "period_label": [period.label],
                "period_start": [period.start],
                "period_end": [period.end],
            }
        )
    else:
        msg = f"period must be a Period or PeriodSeries, got {type(period).__name__}"
        raise TypeError(msg)
    return frame.select(
        pl.col("period_label").cast(pl.String),
        pl.col("period_start").cast(pl.Date),
        pl.col("period_end").cast(pl.Date),
    )


def _collection_year(end: dt.date) -> int:
    """The collection year a date falls in: the year ending 31 March."""
    return end.year + 1 if end.month > 3 else end.year


def _population(
    counts: pl.DataFrame, definition: IndicatorDefinition, population: Any
) -> pl.DataFrame:
    if population is None:
        return counts.with_columns(pl.lit(None, pl.Float64).alias("denominator"))
    if isinstance(population, int | float):
        return counts.with_columns(pl.lit(float(population)).alias("denominator"))
    if isinstance(population, pl.DataFrame):
        if not {"mid_year", "population"} <= set(population.columns):
            msg = "population frame needs columns mid_year and population (e.g. population_estimates() for one LA)"
            raise DataError(msg)
        offset = (
            definition.denominator.population.year_offset
            if definition.denominator is not None and definition.denominator.population is not None
            else -1
        )
        years = counts.with_columns(
            pl.col("period_end")
            .map_elements(_collection_year, return_dtype=pl.Int64)
            .alias("__year")
        ).with_columns((pl.col("__year") + offset).alias("__mid"))
        if population.group_by("mid_year").len()["len"].max() not in (None, 1):
            msg = "population frame must have one row per mid_year (filter it to one area)"
            raise DataError(msg)
        pop = population.select(
            pl.col("mid_year").cast(pl.Int64).alias("__mid"),
            pl.col("population").cast(pl.Float64).alias("denominator"),
        )
        return years.join(pop, on="__mid", how="left", maintain_order="left").drop(
            "__year", "__mid"
        )
    msg = f"population must be a number, a frame (mid_year, population) or None, got {type(population).__name__}"
    raise TypeError(msg)


def derive(
    definition: IndicatorDefinition,
    records: Any,
    *,
    period: _PeriodLike | Any,
    population: float | pl.DataFrame | None = None,
    confidence: float | list[float] | bool | None = True,
) -> Derivation:
    """Compute ``definition`` from child-level ``records`` for each period of ``period``.

    Records with a code outside DfE's lists (episodes' RNE, LS, REC) are excluded
    (``unknown_code``) before the derivation runs.

    Parameters
    ----------
    definition
        A definition that names a record-level derivation (``[derivation]``) and its
        parameters.
    records
        From :func:`~cyp_indicators.records.read_ssda903`,
        :func:`~cyp_indicators.records.read_cin_census` or
        :func:`~cyp_indicators.records.read_cin_tables` (or their ``from_frames``).
    period
        A :class:`~cyp_indicators.records.Period`, or a
        :class:`~cyp_indicators.records.PeriodSeries` (every period in one pass).
    population
        The denominator of a rate: a number, or a frame of ``mid_year`` and ``population`` for
        the LA (the definition's year offset picks mid-(Y-1) for collection year Y); without it
        a rate has counts only (null value, reason "denominator is missing"). Not used for
        other families.
    confidence
        As for :func:`~cyp_indicators.compute`: True (default) for the definition's levels, a
        level or levels (0.95) to override them, None or False for no interval.

    Returns
    -------
    Derivation
        The values per period, every record not counted with its reason, and the row
        accounting per table.

    Raises
    ------
    DataError
        The definition names no derivation, one this library does not have, or a parameter it
        does not take; or the population frame lacks ``mid_year``/``population`` or has more
        than one row per ``mid_year``.
    TypeError
        ``period`` is not a period or series, or ``population`` not a number, frame or None.

    Examples
    --------
    Children looked after at 31 March 2017 (A; B left in January) per 10,000 children:

    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> from cyp_indicators.records import SSDA903, Period
    >>> records = SSDA903.from_frames(episodes=pl.DataFrame({
    ...     "CHILD": ["A", "B"], "DECOM": ["01/05/2016", "03/10/2016"], "RNE": ["S", "S"],
    ...     "LS": ["C2", "C2"], "CIN": ["N1", "N1"], "PLACE": ["U1", "U1"],
    ...     "DEC": [None, "01/01/2017"], "REC": [None, "E13"],
    ... }))
    >>> definition = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> result = derive(
    ...     definition, records, period=Period.financial_year(2017), population=2_000
    ... )
    >>> result.values.select("period_label", "numerator", "denominator", "value").row(0)
    ('FY 2016-17', 1.0, 2000.0, 5.0)
    """
    ref = definition.derivation
    if ref is None:
        msg = f"{definition.key} names no record-level derivation; compute it from counts with compute()"
        raise DataError(msg)
    spec = DERIVATIONS.get(ref.name)
    if spec is None:
        msg = f"{definition.key} names derivation {ref.name!r}, which this version of the library does not have"
        raise DataError(msg)
    params = {**spec.parameters, **ref.params}
    unknown = set(ref.params) - set(spec.parameters)
    if unknown:
        msg = f"{definition.key}: derivation {ref.name!r} has no parameter(s) {sorted(unknown)}; it takes {sorted(spec.parameters)}"
        raise DataError(msg)
    periods = _periods(period)
    records, code_exclusions = _screen_codes(records, spec.tables)
    counted = spec.function(records, periods, params)
    counts = counted.counts
    if definition.family is Family.RATE:
        counts = _population(counts.drop("denominator", strict=False), definition, population)
    values = compute(
        definition, counts, numerator="numerator", denominator="denominator", confidence=confidence
    )
    values = values.select(
        "period_label",
        "period_start",
        "period_end",
        *[c for c in values.columns if not c.startswith("period_")],
    )
    reader = getattr(records, "exclusions", None)
    tables = set(spec.tables)
    reader_excl = pl.concat(
        [
            exclusions_frame(reader.filter(pl.col("table").is_in(list(tables))))
            if isinstance(reader, pl.DataFrame) and reader.height
            else exclusions_frame(),
            code_exclusions,
        ]
    )
    not_counted = counted.records.filter(~pl.col("counted")).select(
        "table", "source_file", "source_row", "child",
        pl.lit(None, pl.String).alias("column"), pl.lit(None, pl.String).alias("value"), "reason",
    )  # fmt: skip
    exclusions = pl.concat([exclusions_frame(reader_excl), exclusions_frame(not_counted)])
    per_table = counted.records.group_by("table").agg(
        pl.col("counted").sum().cast(pl.Int64).alias("counted"),
        (~pl.col("counted")).sum().cast(pl.Int64).alias("not_counted"),
    )
    read_out = reader_excl.group_by("table").agg(
        pl.len().cast(pl.Int64).alias("excluded_on_reading")
    )
    accounting = (
        per_table.join(read_out, on="table", how="full", coalesce=True)
        .with_columns(pl.col("counted", "not_counted", "excluded_on_reading").fill_null(0))
        .with_columns(
            (pl.col("counted") + pl.col("not_counted") + pl.col("excluded_on_reading")).alias(
                "rows_in"
            )
        )
        .select("table", "rows_in", "counted", "not_counted", "excluded_on_reading")
        .sort("table")
    )
    files = getattr(records, "files", ())
    provenance = ResultProvenance(
        produced_by="derive",
        definitions=(definition,),
        source=f"{getattr(records, 'KIND', 'records')}: {', '.join(map(str, files))}"
        if files
        else getattr(records, "KIND", None),
    )
    return Derivation(
        definition=definition,
        values=carry(values, provenance),
        exclusions=exclusions,
        accounting=accounting,
    )
