"""``derive``: a catalogue definition computed from child-level records for any period.

The same definition gives DfE's annual figure (``Period.financial_year(2017)``) and the council's
monthly one (``Period.monthly(...)``): the definition names a derivation of the registry and its
parameters; ``derive`` runs it over every period in one pass over the records, attaches the
population for rates, and computes values and intervals with the statistics core.

Pooled records (``SSDA903.pool`` / ``CINCensus.pool``: several councils' returns, every table with
an ``la`` column) are derived in the same one pass: each child is the council's child (the same
identifier in two councils is two children), each period is each council's period, and every
result row, exclusion and accounting row carries its council.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Protocol, TypeVar

import attrs
import polars as pl

from ..compute import compute
from ..errors import DataError, Problem
from ..model import Family, IndicatorDefinition
from ..results import ResultProvenance, carry
from . import derivations as _registered  # noqa: F401  (registers the derivations)
from .accounting import EXCLUSION_SCHEMA, exclusions_frame, problems
from .registry import DERIVATIONS

__all__ = ["DFE_CODES", "Derivation", "derive"]

T = TypeVar("T")

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


#: What :func:`_memo` keeps: (what, id of the frame) -> (weak reference, stamp, value).
_MEMO: dict[tuple[str, int], tuple[weakref.ref[pl.DataFrame], tuple[Any, ...], Any]] = {}


def _memo(what: str, frame: pl.DataFrame, make: Callable[[pl.DataFrame], T]) -> T:
    """``make(frame)``, made once while ``frame`` lives.

    Record tables are not changed after reading (every polars operation gives a new frame), so
    what depends only on a table (its codes screened, a pooled table's council-unique child
    identifiers) is worked out once for all the definitions derived from it. The frame's
    height and schema are checked too, and the value is dropped with the frame.
    """
    key = (what, id(frame))
    stamp = (frame.height, tuple(frame.schema.items()))
    hit = _MEMO.get(key)
    if hit is not None and hit[0]() is frame and hit[1] == stamp:
        value: T = hit[2]
        return value
    value = make(frame)

    def forget(_: object, key: tuple[str, int] = key) -> None:
        _MEMO.pop(key, None)

    _MEMO[key] = (weakref.ref(frame, forget), stamp, value)
    return value


def _screen_codes(records: Any, tables: tuple[str, ...]) -> tuple[Any, pl.DataFrame]:
    """Move records with codes outside DfE's lists to exclusions ("unknown_code")."""
    excluded: list[pl.DataFrame] = []
    replacements: dict[str, pl.DataFrame] = {}
    for table in tables:
        frame = getattr(records, table, None)
        if not isinstance(frame, pl.DataFrame) or not DFE_CODES.get(table):
            continue
        kept, wrong = _memo(f"screen {table}", frame, partial(_screen_table, table))
        if kept is None or wrong is None:
            continue
        excluded.append(wrong)
        replacements[table] = kept
    if not replacements:
        return records, exclusions_frame()
    if isinstance(records, _Pooled):
        records = records.replace(**replacements)
    elif attrs.has(type(records)):
        records = attrs.evolve(records, **replacements)
    else:
        from types import SimpleNamespace

        records = SimpleNamespace(**{**vars(records), **replacements})
    return records, pl.concat(excluded)


def _screen_table(
    table: str, frame: pl.DataFrame
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """``table`` without its rows holding codes outside DfE's lists, and those rows as
    exclusions (with ``la`` for pooled records); ``(None, None)`` when every code is DfE's."""
    checked = [(c, sorted(allowed)) for c, allowed in DFE_CODES[table].items() if c in frame]
    wrong = {c: pl.col(c).is_not_null() & ~pl.col(c).is_in(allowed) for c, allowed in checked}
    # one cheap pass first: most returns hold DfE's codes only
    if not wrong or not frame.select(pl.any_horizontal(list(wrong.values())).any()).item():
        return None, None
    bad = pl.lit(None, pl.String)
    for column, _ in reversed(checked):
        bad = (
            pl.when(wrong[column])
            .then(pl.format(f"unknown_code: {column} '{{}}' is not a DfE code", pl.col(column)))
            .otherwise(bad)
        )
    marked = frame.with_columns(bad.alias("__bad"))
    child = "__child" if "__child" in frame.columns else "CHILD"
    excluded = marked.filter(pl.col("__bad").is_not_null()).select(
        *(["la"] if "la" in frame.columns else []),
        pl.lit(table).alias("table"),
        (pl.col("source_file") if "source_file" in frame.columns else pl.lit(None, pl.String))
        .alias("source_file"),
        (pl.col("source_row") if "source_row" in frame.columns else pl.lit(None, pl.Int64))
        .alias("source_row"),
        (pl.col(child).cast(pl.String) if child in frame.columns else pl.lit(None, pl.String))
        .alias("child"),
        pl.lit(None, pl.String).alias("column"),
        pl.lit(None, pl.String).alias("value"),
        pl.col("__bad").alias("reason"),
    )  # fmt: skip
    return marked.filter(pl.col("__bad").is_null()).drop("__bad"), excluded


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

        ``exclusions`` and ``accounting`` may be given as frames or as queries
        (``LazyFrame``); either way they are worked out when one of them is first read, both
        at once, and kept.
    deferred
        Instead of ``exclusions`` and ``accounting``: a function of no arguments returning the
        two, called when one of them is first read. :func:`derive` gives the values so, without
        paying for a reason per record until the accounting is asked for.

    Raises
    ------
    TypeError
        Neither both of ``exclusions`` and ``accounting`` nor ``deferred`` is given.

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
    _exclusions: pl.DataFrame | pl.LazyFrame | None = attrs.field(
        alias="exclusions", default=None, repr=False, eq=False
    )
    _accounting: pl.DataFrame | pl.LazyFrame | None = attrs.field(
        alias="accounting", default=None, repr=False, eq=False
    )
    _deferred: Callable[[], tuple[pl.DataFrame, pl.DataFrame]] | None = attrs.field(
        alias="deferred", default=None, repr=False, eq=False, kw_only=True
    )
    _ledger: _Ledger = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        make = self._deferred
        if make is None:
            if self._exclusions is None or self._accounting is None:
                msg = "a Derivation needs its exclusions and accounting, or deferred"
                raise TypeError(msg)
            make = partial(_run, self._exclusions, self._accounting)
        object.__setattr__(self, "_ledger", _Ledger(make))
        object.__setattr__(self, "_deferred", None)  # the ledger holds it until first read

    @property
    def exclusions(self) -> pl.DataFrame:
        """Every input record not counted, with its reason (worked out on first read)."""
        return self._ledger.frames()[0]

    @property
    def accounting(self) -> pl.DataFrame:
        """Rows in, counted, not counted and excluded on reading, per table (worked out on
        first read)."""
        return self._ledger.frames()[1]

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled with the accounting worked out (a query is not sent between processes)
        return (Derivation, (self.definition, self.values, self.exclusions, self.accounting))

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every record not counted as a :class:`~cyp_indicators.Problem` (the record type
        definition loading uses too): the reason code, its words, and where the record is
        (file, row, column; the table as the field)."""
        return problems(self.exclusions)


def _run(
    exclusions: pl.DataFrame | pl.LazyFrame, accounting: pl.DataFrame | pl.LazyFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two frames or queries as frames (queries run side by side)."""
    lazy = [f for f in (exclusions, accounting) if isinstance(f, pl.LazyFrame)]
    done = iter(pl.collect_all(lazy)) if lazy else iter(())
    first = exclusions if isinstance(exclusions, pl.DataFrame) else next(done)
    second = accounting if isinstance(accounting, pl.DataFrame) else next(done)
    return first, second


class _Ledger:
    """A derivation's exclusions and accounting, made by ``make`` when first asked for (once;
    ``make`` and what it holds are let go then)."""

    __slots__ = ("_frames", "_lock", "_make")

    def __init__(self, make: Callable[[], tuple[pl.DataFrame, pl.DataFrame]]) -> None:
        self._make: Callable[[], tuple[pl.DataFrame, pl.DataFrame]] | None = make
        self._frames: tuple[pl.DataFrame, pl.DataFrame] | None = None
        self._lock = threading.Lock()

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        with self._lock:
            if self._frames is None:
                assert self._make is not None
                self._frames = self._make()
                self._make = None
            return self._frames


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


def _collection_year(end: pl.Expr) -> pl.Expr:
    """The collection year a date falls in: the year ending 31 March."""
    return end.dt.year().cast(pl.Int64) + (end.dt.month() > 3).cast(pl.Int64)


def _population(
    counts: pl.DataFrame,
    definition: IndicatorDefinition,
    population: Any,
    councils: list[str] | None,
) -> pl.DataFrame:
    keys = ["la"] if councils is not None else []
    if population is None:
        return counts.with_columns(pl.lit(None, pl.Float64).alias("denominator"))
    if isinstance(population, int | float) and not isinstance(population, bool):
        if councils is not None:
            msg = (
                "pooled records (several councils) need each council's population: a frame of "
                "la, mid_year and population, or a mapping of council code to population"
            )
            raise DataError(msg)
        return counts.with_columns(pl.lit(float(population)).alias("denominator"))
    if councils is not None and isinstance(population, Mapping):
        missing = [c for c in councils if c not in population]
        if missing:
            msg = f"population: no population for council(s) {', '.join(missing)}"
            raise DataError(msg)
        pop = pl.DataFrame(
            {"la": councils, "denominator": [float(population[c]) for c in councils]},
            schema={"la": pl.String, "denominator": pl.Float64},
        ).with_columns(pl.col("la").cast(counts.schema["la"]))
        return counts.join(pop, on="la", how="left", maintain_order="left")
    if isinstance(population, pl.DataFrame):
        needed = {"mid_year", "population", *keys}
        if not needed <= set(population.columns):
            msg = (
                "population frame needs columns la, mid_year and population (one row per "
                "council and mid-year) for pooled records"
                if councils is not None
                else "population frame needs columns mid_year and population (e.g. population_estimates() for one LA)"
            )
            raise DataError(msg)
        offset = (
            definition.denominator.population.year_offset
            if definition.denominator is not None and definition.denominator.population is not None
            else -1
        )
        la = counts.schema["la"] if councils is not None else None
        # checked and shaped once for all the definitions derived with this population
        pop = _memo(
            f"population for {councils} as {la}",
            population,
            partial(_population_rows, councils=councils, la=la),
        )
        return (
            counts.lazy()
            .with_columns((_collection_year(pl.col("period_end")) + offset).alias("__mid"))
            .join(pop.lazy(), on=[*keys, "__mid"], how="left", maintain_order="left")
            .drop("__mid")
            .collect()
        )
    msg = f"population must be a number, a frame (mid_year, population) or None, got {type(population).__name__}"
    raise TypeError(msg)


def _population_rows(
    population: pl.DataFrame, *, councils: list[str] | None, la: pl.DataType | None
) -> pl.DataFrame:
    """The population frame checked (one row per council and mid-year) and shaped for the join:
    ``la`` (pooled records: the councils pooled, coded as the records are), ``__mid`` and
    ``denominator``."""
    keys = ["la"] if councils is not None else []
    if population.group_by(*keys, "mid_year").len()["len"].max() not in (None, 1):
        msg = (
            "population frame must have one row per la and mid_year"
            if councils is not None
            else "population frame must have one row per mid_year (filter it to one area)"
        )
        raise DataError(msg)
    if councils is not None and la is not None:  # the pooled councils' rows, coded as theirs
        population = population.filter(pl.col("la").cast(pl.String).is_in(councils)).with_columns(
            pl.col("la").cast(pl.String).cast(la)
        )
    return population.select(
        *keys,
        pl.col("mid_year").cast(pl.Int64).alias("__mid"),
        pl.col("population").cast(pl.Float64).alias("denominator"),
    )


# --- pooled records: several councils in one pass --------------------------------------------

#: Joins a council's code and a child's (or a period's) own label into one key.
_SEP = "\x1f"
#: The child identifier column of each return.
_CHILD_COLUMNS = ("CHILD", "LAchildID")


class _Pooled:
    """Pooled records as the derivations see them: every table's child identifier prefixed
    with the council's code, so that children of different councils never meet (the
    identifier as given stays in ``__child``, which the row accounting reports); tables are
    made on first use (a derivation reads a few of them)."""

    def __init__(self, records: Any, tables: Mapping[str, pl.DataFrame] | None = None) -> None:
        self._records = records
        self._tables: dict[str, pl.DataFrame] = dict(tables or {})

    def replace(self, **tables: pl.DataFrame) -> _Pooled:
        return _Pooled(self._records, {**self._tables, **tables})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._tables:
            return self._tables[name]
        value = getattr(self._records, name)
        if name == "exclusions" or not isinstance(value, pl.DataFrame) or "la" not in value.columns:
            return value
        value = _memo("pooled", value, _council_children)
        self._tables[name] = value
        return value


def _council_children(frame: pl.DataFrame) -> pl.DataFrame:
    """A pooled table whose child identifier is prefixed with the council's code (the
    identifier as given in ``__child``, a number per council's child in ``__child_no``)."""
    child = next((c for c in _CHILD_COLUMNS if c in frame.columns), None)
    if child is None:
        return frame
    return frame.with_columns(
        pl.concat_str(pl.col("la").cast(pl.String), pl.lit(_SEP), pl.col(child)).alias(child),
        pl.col(child).alias("__child"),
        # a number per council's child, in council and identifier order (sorting by it is
        # sorting by council and identifier, cheaper than by text)
        pl.struct(pl.col("la").to_physical(), pl.col(child)).rank("dense").alias("__child_no"),
    )


def _councils(records: Any, tables: tuple[str, ...]) -> list[str] | None:
    """The councils of pooled records (their tables have ``la``), else None."""
    for name in tables:
        frame = getattr(records, name, None)
        if isinstance(frame, pl.DataFrame) and "la" in frame.columns:
            dtype = frame.schema["la"]
            if isinstance(dtype, pl.Enum):
                return list(dtype.categories)
            return [str(c) for c in frame["la"].unique(maintain_order=True).drop_nulls()]
    return None


def _council_periods(
    periods: pl.DataFrame, councils: list[str], dtype: pl.DataType
) -> pl.DataFrame:
    """Each period of each council: ``la`` (the records' dtype), ``period_label`` (council and
    label in one key), ``period_start``, ``period_end`` and ``__label`` (the period's own
    label). Made once for the same periods and councils (every definition derived from a
    partnership's returns over the same years asks for it)."""
    return _council_periods_of(tuple(periods.iter_rows()), tuple(councils), dtype)


@functools.lru_cache(maxsize=64)
def _council_periods_of(
    rows: tuple[tuple[Any, ...], ...], councils: tuple[str, ...], dtype: pl.DataType
) -> pl.DataFrame:
    periods = pl.DataFrame(
        list(rows),
        schema={"period_label": pl.String, "period_start": pl.Date, "period_end": pl.Date},
        orient="row",
    )
    la = pl.DataFrame({"la": councils}, schema={"la": pl.String}).with_columns(
        pl.col("la").cast(dtype)
    )
    return la.join(periods, how="cross").select(
        "la",
        pl.concat_str(pl.col("la").cast(pl.String), pl.lit(_SEP), pl.col("period_label")).alias(
            "period_label"
        ),
        "period_start",
        "period_end",
        pl.col("period_label").alias("__label"),
    )


def derive(
    definition: IndicatorDefinition,
    records: Any,
    *,
    period: _PeriodLike | Any,
    population: float | Mapping[str, float] | pl.DataFrame | None = None,
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
        :func:`~cyp_indicators.records.read_cin_tables` (or their ``from_frames``); or several
        councils' records pooled with ``SSDA903.pool`` / ``CINCensus.pool`` (every table has an
        ``la`` column), derived in one pass with each council kept apart: a child is the
        council's child (the same identifier in two councils is two children) and each council
        gets exactly the counts, exclusions and accounting it gets derived alone.
    period
        A :class:`~cyp_indicators.records.Period`, or a
        :class:`~cyp_indicators.records.PeriodSeries` (every period in one pass).
    population
        The denominator of a rate: a number, or a frame of ``mid_year`` and ``population`` for
        the LA (the definition's year offset picks mid-(Y-1) for collection year Y). For pooled
        records: a frame of ``la``, ``mid_year`` and ``population``, or a mapping of council
        code to a number. Without it a rate has counts only (null value, reason "denominator
        is missing"). Not used for other families.
    confidence
        As for :func:`~cyp_indicators.compute`: True (default) for the definition's levels, a
        level or levels (0.95) to override them, None or False for no interval.

    Returns
    -------
    Derivation
        The values per period, every record not counted with its reason, and the row
        accounting per table. For pooled records ``values`` has one row per council and
        period (the councils in the order pooled) and ``values``, ``exclusions`` and
        ``accounting`` start with a column ``la``.

    Raises
    ------
    DataError
        The definition names no derivation, one this library does not have, or a parameter it
        does not take; the records lack a table the derivation needs; or the population frame
        lacks ``mid_year``/``population`` or has more than one row per ``mid_year`` (for
        pooled records: a single number, or a council without one).
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
    councils = _councils(records, spec.tables)
    view: Any = records
    work_periods = periods
    if councils is not None:
        view = _Pooled(records)
        work_periods = _council_periods(periods, councils, _la_dtype(records, spec.tables))
    view, code_exclusions = _screen_codes(view, spec.tables)
    counted = spec.function(view, work_periods.drop("__label", strict=False), params)
    counts = counted.counts
    accounted = counted.lazy_records()
    if councils is not None:
        rest = [c for c in counts.columns if c not in ("la", "period_label")]
        if counts["period_label"].equals(work_periods["period_label"]):  # periods in order
            counts = counts.select(
                work_periods["la"], work_periods["__label"].alias("period_label"), *rest
            )
        else:
            labels = work_periods.select("la", "period_label", "__label")
            counts = counts.join(
                labels, on="period_label", how="left", maintain_order="left"
            ).select("la", pl.col("__label").alias("period_label"), *rest)
    if definition.family is Family.RATE:
        counts = _population(
            counts.drop("denominator", strict=False), definition, population, councils
        )
    values = compute(
        definition, counts, numerator="numerator", denominator="denominator", confidence=confidence
    )
    lead = ["la"] if councils is not None else []
    order = [
        *lead,
        "period_label",
        "period_start",
        "period_end",
        *[c for c in values.columns if not c.startswith("period_") and c not in lead],
    ]
    if values.columns != order:
        values = values.select(order)
    deferred = partial(
        _accounting,
        accounted,
        getattr(records, "exclusions", None),
        code_exclusions,
        spec.tables,
        work_periods.schema["la"] if councils is not None else None,
    )
    files = getattr(records, "files", ())
    provenance = ResultProvenance(
        produced_by="derive",
        definitions=(definition,),
        source=f"{getattr(records, 'KIND', 'records')}: {', '.join(map(str, files))}"
        if files
        else getattr(records, "KIND", None),
    )
    return Derivation(definition=definition, values=carry(values, provenance), deferred=deferred)


def _accounting(
    accounted: pl.LazyFrame,
    reader: Any,
    code_exclusions: pl.DataFrame,
    tables: tuple[str, ...],
    la: pl.DataType | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The exclusions (reader's, codes', not counted) and the accounting per table (and
    council, ``la`` given), as one query (its parts run side by side)."""
    lead = [] if la is None else ["la"]

    def excluded(frame: pl.LazyFrame) -> pl.LazyFrame:
        council = [pl.col("la").cast(la)] if la is not None else []
        return frame.select(
            *council, *(pl.col(name).cast(dtype) for name, dtype in EXCLUSION_SCHEMA.items())
        )

    parts = [excluded(code_exclusions.lazy())] if code_exclusions.height else []
    read_counts: list[pl.LazyFrame]
    if isinstance(reader, pl.DataFrame) and reader.height:
        # the reader's exclusions of these tables, and their count per table (and council),
        # are the same for every definition derived from these records: worked out once
        def of_tables(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
            given = exclusions_frame(frame) if la is None else frame
            rows = excluded(given.lazy().filter(pl.col("table").is_in(list(tables)))).collect()
            per = rows.group_by(*lead, "table").agg(pl.len().alias("excluded_on_reading"))
            return rows, per

        reader_rows, reader_counts = _memo(
            f"exclusions of {sorted(set(tables))}", reader, of_tables
        )
        parts.insert(0, reader_rows.lazy())
        read_counts = [reader_counts.lazy()]
    else:
        read_counts = []
    if len(parts) > len(read_counts):  # codes outside DfE's lists
        read_counts.append(
            parts[-1].group_by(*lead, "table").agg(pl.len().alias("excluded_on_reading"))
        )
    read_out = (
        pl.concat(read_counts)
        .group_by(*lead, "table")
        .agg(pl.col("excluded_on_reading").sum())
        if read_counts
        else pl.LazyFrame(
            schema={**({"la": la} if la is not None else {}), "table": pl.String,
                    "excluded_on_reading": pl.UInt32}
        )
    )  # fmt: skip
    # run once: the exclusions and the summary both read it (a plan holding a Python function
    # is not shared between queries, so left lazy it would run twice)
    counted = accounted.collect().lazy()
    not_counted = counted.filter(~pl.col("counted")).select(
        *lead, "table", "source_file", "source_row", "child",
        pl.lit(None, pl.String).alias("column"), pl.lit(None, pl.String).alias("value"), "reason",
    )  # fmt: skip
    exclusions = excluded(not_counted)
    keys = [*lead, "table"]
    per_table = counted.group_by(keys).agg(
        pl.col("counted").sum().alias("counted"), (~pl.col("counted")).sum().alias("not_counted")
    )
    summary = (
        per_table.join(read_out, on=keys, how="full", coalesce=True)
        .with_columns(
            pl.col("counted", "not_counted", "excluded_on_reading").fill_null(0).cast(pl.Int64)
        )
        .select(
            *keys,
            (pl.col("counted") + pl.col("not_counted") + pl.col("excluded_on_reading")).alias(
                "rows_in"
            ),
            "counted",
            "not_counted",
            "excluded_on_reading",
        )
        .sort(*keys)  # councils in the order pooled (an Enum sorts so)
    )
    done = pl.collect_all([exclusions, summary, *parts])
    # stacked without copying: the reader's part is the same for every definition
    return pl.concat([*done[2:], done[0]], how="vertical", rechunk=False), done[1]


def _la_dtype(records: Any, tables: tuple[str, ...]) -> pl.DataType:
    for name in tables:
        frame = getattr(records, name, None)
        if isinstance(frame, pl.DataFrame) and "la" in frame.columns:
            return frame.schema["la"]
    return pl.String()
