"""The closed registry of record-level derivations.

A definition names one of these in its ``[derivation]`` table (with parameters as data); the only
code is here, reviewed and tested once. Each derivation takes the records, a frame of periods
(``period_label``, ``period_start``, ``period_end``; both ends inclusive) and its parameters, and
returns per-period counts and the row accounting of every input record it read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import polars as pl

__all__ = ["DERIVATIONS", "Counted", "DerivationSpec", "derivation"]


@attrs.frozen
class Counted:
    """What a derivation returns: per-period counts and the row accounting.

    Parameters
    ----------
    counts
        One row per period with ``period_label``, ``period_start``, ``period_end``,
        ``numerator`` and (for shares) ``denominator``.
    records
        For each input table read, one row per input record with ``table``, ``source_row``,
        ``child``, ``counted`` (bool) and ``reason`` (null when counted): the row accounting.
        Given as a frame or as a query (a ``LazyFrame``), run when ``records`` is first read
        (:func:`~cyp_indicators.records.derive` runs it only when its accounting is read).

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> counted = Counted(
    ...     counts=pl.DataFrame({
    ...         "period_label": ["FY 2016-17"], "period_start": [date(2016, 4, 1)],
    ...         "period_end": [date(2017, 3, 31)], "numerator": [1],
    ...     }),
    ...     records=pl.DataFrame({
    ...         "table": ["episodes", "episodes"], "source_row": [1, 2], "child": ["A", "B"],
    ...         "counted": [True, False], "reason": [None, "outside_period: ended before"],
    ...     }),
    ... )
    >>> counted.records["counted"].sum(), counted.counts["numerator"].item()
    (1, 1)
    """

    counts: pl.DataFrame
    _records: pl.DataFrame | pl.LazyFrame = attrs.field(alias="records")
    _ran: list[pl.DataFrame] = attrs.field(factory=list, init=False, repr=False, eq=False)

    @property
    def records(self) -> pl.DataFrame:
        """The row accounting (the query given run once, on first read)."""
        if isinstance(self._records, pl.DataFrame):
            return self._records
        if not self._ran:
            self._ran.append(self._records.collect())
        return self._ran[0]

    def lazy_records(self) -> pl.LazyFrame:
        """The row accounting as a query (not run).

        Returns
        -------
        polars.LazyFrame
            The frame or query given as ``records``, as a ``LazyFrame``.

        Examples
        --------
        >>> import polars as pl
        >>> counted = Counted(counts=pl.DataFrame(), records=pl.LazyFrame({"counted": [True]}))
        >>> counted.lazy_records().collect()["counted"].to_list()
        [True]
        """
        return self._ran[0].lazy() if self._ran else self._records.lazy()


@attrs.frozen
class DerivationSpec:
    """A registered derivation: its name, the tables it reads, its parameters and defaults.

    Parameters
    ----------
    name
        The name a definition's ``[derivation]`` table gives.
    function
        The derivation: ``(records, periods, parameters) -> Counted``, where ``periods`` is a
        frame of ``period_label``, ``period_start``, ``period_end`` (both ends inclusive).
    tables
        The tables of the records it reads (``"episodes"``, ``"cin_details"`` ...).
    parameters
        Every parameter it takes, with its default; a definition may override these only.
    description
        One line: the first line of the function's docstring.

    Examples
    --------
    >>> spec = DERIVATIONS["looked_after_at_date"]
    >>> spec.tables, dict(spec.parameters)
    (('episodes',), {'exclude_legal_status': ['V3', 'V4']})
    >>> spec.description
    'Children looked after at the end of each period (distinct children).'
    """

    name: str
    function: Callable[[Any, pl.DataFrame, Mapping[str, Any]], Counted]
    tables: tuple[str, ...]
    parameters: Mapping[str, Any]
    description: str


DERIVATIONS: dict[str, DerivationSpec] = {}


def derivation(
    name: str, *, tables: tuple[str, ...], parameters: Mapping[str, Any] | None = None
) -> Callable[
    [Callable[[Any, pl.DataFrame, Mapping[str, Any]], Counted]],
    Callable[[Any, pl.DataFrame, Mapping[str, Any]], Counted],
]:
    """Register a derivation function under ``name`` (a definition's ``derivation.name``).

    A decorator: the function is added to :data:`DERIVATIONS` as a :class:`DerivationSpec` and
    returned unchanged. The registry is closed: only the library's own modules register.

    Parameters
    ----------
    name
        The derivation's name, unique in the registry.
    tables
        The tables of the records the function reads.
    parameters
        The parameters it takes, with their defaults (none by default).

    Returns
    -------
    Callable
        The decorator, which registers the function it is given and returns it.

    Raises
    ------
    ValueError
        ``name`` is registered already (raised when the decorator is applied).

    Examples
    --------
    >>> register = derivation("looked_after_at_date", tables=("episodes",))
    >>> try:
    ...     register(lambda records, periods, parameters: Counted(periods, periods))
    ... except ValueError as err:
    ...     print(err)
    derivation 'looked_after_at_date' is registered twice
    """

    def register(
        fn: Callable[[Any, pl.DataFrame, Mapping[str, Any]], Counted],
    ) -> Callable[[Any, pl.DataFrame, Mapping[str, Any]], Counted]:
        if name in DERIVATIONS:
            msg = f"derivation {name!r} is registered twice"
            raise ValueError(msg)
        DERIVATIONS[name] = DerivationSpec(
            name=name, function=fn, tables=tables, parameters=dict(parameters or {}),
            description=(fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "",
        )  # fmt: skip
        return fn

    return register
