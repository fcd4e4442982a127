"""Results that carry their definition: a polars frame with the definition version(s) and the
provenance that produced it.

:class:`ResultFrame` *is* a :class:`polars.DataFrame` (a subclass with two read-only attributes),
so a result keeps the frame contract: every polars method, function and test helper takes it as
it is. What it adds travels with it to the next layer:

* ``definitions``: the definition version(s) whose figures the rows hold (the rows'
  ``indicator_version`` or ``definition_version`` column says which row is which), so
  :func:`~cyp_indicators.present`, :func:`~cyp_indicators.comparisons` and the report never look a
  definition up again from an id;
* ``provenance``: a :class:`ResultProvenance` naming what produced the frame, the population
  vintage, the published source, the comparator set, and whether it has been presented (rounded
  and protected), so a result is never presented twice.

A frame *derived* from a result by a polars operation (``filter``, ``with_columns``, ``join``)
is a plain DataFrame: once changed, it no longer vouches for its provenance. The library's own
functions keep and extend it; :func:`carried` reads it from whatever frame is passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import attrs
import polars as pl

from .errors import DataError
from .model import IndicatorDefinition

__all__ = [
    "ResultFrame",
    "ResultLazyFrame",
    "ResultProvenance",
    "carried",
    "carry",
    "definition_for",
]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def _definitions(value: Iterable[IndicatorDefinition]) -> tuple[IndicatorDefinition, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ResultProvenance:
    """What produced a result, and from what.

    Parameters
    ----------
    produced_by
        The function (``"compute"``, ``"published"``, ``"derive"``, ...).
    definitions
        The definition versions the rows hold.
    population_vintage
        The population estimates of a rate's denominators.
    source
        The published file or records.
    comparator_set
        The statistical-neighbour set (``dfe_sn@2025``) a comparison used.
    presented
        Whether values are rounded and protected for publication.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> ResultProvenance(produced_by="compute", definitions=[d]).keys
    ('cla_rate_per_10k@1.0.0',)
    """

    produced_by: str
    definitions: tuple[IndicatorDefinition, ...] = attrs.field(converter=_definitions)
    population_vintage: str | None = None
    source: str | None = None
    comparator_set: str | None = None
    presented: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        """``id@version`` of each definition."""
        return tuple(d.key for d in self.definitions)


class ResultFrame(pl.DataFrame):
    """A polars DataFrame that carries its :class:`ResultProvenance` (see the module docstring).

    Built by the library's functions (:func:`carry`); a polars operation on it gives a plain
    DataFrame. The constructor is polars'.

    Attributes
    ----------
    provenance
        What produced the frame (:class:`ResultProvenance`), or None.
    definitions
        The definition versions whose figures the rows hold.

    Examples
    --------
    >>> import cyp_indicators as cyp, polars as pl
    >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> res = cyp.compute(d, pl.DataFrame({"cla_at_31_march": [416], "population_0_17": [57621]}))
    >>> isinstance(res, pl.DataFrame), res.definitions[0].key, res.provenance.produced_by
    (True, 'cla_rate_per_10k@1.0.0', 'compute')
    >>> type(res.filter(pl.col("value") > 0)).__name__  # derived: no longer vouches for it
    'DataFrame'
    """

    _cyp_provenance: ResultProvenance | None = None

    @property
    def provenance(self) -> ResultProvenance | None:
        """What produced the frame (None on a frame copied without it)."""
        return self._cyp_provenance

    @property
    def definitions(self) -> tuple[IndicatorDefinition, ...]:
        """The definition versions whose figures the rows hold (empty when unknown)."""
        return self._cyp_provenance.definitions if self._cyp_provenance is not None else ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_frame, (pl.DataFrame(self), self._cyp_provenance))


class ResultLazyFrame(pl.LazyFrame):
    """A polars LazyFrame that carries its :class:`ResultProvenance` to what it collects.

    ``collect()`` gives a :class:`ResultFrame` with it.

    Attributes
    ----------
    provenance
        What produced the frame (:class:`ResultProvenance`), or None.
    definitions
        The definition versions whose figures the rows hold.

    Examples
    --------
    >>> import cyp_indicators as cyp, polars as pl
    >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> lazy = cyp.compute(d, pl.LazyFrame({"cla_at_31_march": [416], "population_0_17": [57621]}))
    >>> type(lazy).__name__, type(lazy.collect()).__name__, lazy.collect().provenance.produced_by
    ('ResultLazyFrame', 'ResultFrame', 'compute')
    """

    _cyp_provenance: ResultProvenance | None = None

    @property
    def provenance(self) -> ResultProvenance | None:
        """What produced the frame (None on a frame derived without it)."""
        return self._cyp_provenance

    @property
    def definitions(self) -> tuple[IndicatorDefinition, ...]:
        """The definition versions whose figures the rows hold (empty when unknown)."""
        return self._cyp_provenance.definitions if self._cyp_provenance is not None else ()

    def collect(self, *args: Any, **kwargs: Any) -> Any:
        """Collect as polars does; the result carries this frame's provenance.

        Parameters
        ----------
        *args, **kwargs
            As for :meth:`polars.LazyFrame.collect`.

        Returns
        -------
        ResultFrame or Any
            A :class:`ResultFrame` carrying the provenance; what polars returns otherwise (a frame
            without provenance, or polars' other results).
        """
        out = super().collect(*args, **kwargs)
        if self._cyp_provenance is None or not isinstance(out, pl.DataFrame):
            return out
        return _wrap_frame(out, self._cyp_provenance)


def _wrap_frame(frame: pl.DataFrame, provenance: ResultProvenance | None) -> ResultFrame:
    out = ResultFrame._from_pydf(frame._df)
    assert isinstance(out, ResultFrame)
    out._cyp_provenance = provenance
    return out


def _rebuild_frame(frame: pl.DataFrame, provenance: ResultProvenance | None) -> ResultFrame:
    return _wrap_frame(frame, provenance)


def carry(frame: F, provenance: ResultProvenance) -> F:
    """``frame`` as a :class:`ResultFrame` or :class:`ResultLazyFrame` carrying ``provenance``.

    Parameters
    ----------
    frame
        A polars DataFrame or LazyFrame (the data is shared, not copied).
    provenance
        What produced it.

    Returns
    -------
    F
        The same data, as a result of the same kind.

    Examples
    --------
    >>> import polars as pl
    >>> out = carry(pl.DataFrame({"value": [1.0]}), ResultProvenance(produced_by="me", definitions=[]))
    >>> type(out).__name__, carried(out).produced_by
    ('ResultFrame', 'me')
    """
    if isinstance(frame, pl.DataFrame):
        return _wrap_frame(frame, provenance)
    out = ResultLazyFrame._from_pyldf(frame._ldf)
    assert isinstance(out, ResultLazyFrame)
    out._cyp_provenance = provenance
    return out


def carried(frame: pl.DataFrame | pl.LazyFrame) -> ResultProvenance | None:
    """The provenance a frame carries, or None for a plain polars frame.

    Parameters
    ----------
    frame
        Any polars frame.

    Returns
    -------
    ResultProvenance or None
        The frame's provenance.

    Examples
    --------
    >>> import polars as pl
    >>> carried(pl.DataFrame({"value": [1.0]})) is None
    True
    """
    return getattr(frame, "_cyp_provenance", None)


def definition_for(
    definitions: Sequence[IndicatorDefinition],
    *,
    version: str | None = None,
    year: int | None = None,
) -> IndicatorDefinition:
    """The one of ``definitions`` asked for: by version, by collection year, or the only one.

    Parameters
    ----------
    definitions
        The definition versions a result carries.
    version
        The version wanted (``"2.0.0"``).
    year
        A collection year the version wanted is valid in.

    Returns
    -------
    IndicatorDefinition
        The one that matches.

    Raises
    ------
    DataError
        None, or several, match (naming what was asked and the versions carried).

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> versions = cyp.load_catalogue().history("care_leavers_neet_pct")
    >>> definition_for(versions, year=2013).key, definition_for(versions, version="2.0.0").key
    ('care_leavers_neet_pct@1.0.0', 'care_leavers_neet_pct@2.0.0')
    """
    if version is not None:
        found = [d for d in definitions if str(d.version) == str(version)]
    elif year is not None:
        found = [d for d in definitions if d.valid_in(year)]
    else:
        found = list(definitions)
    if len(found) == 1:
        return found[0]
    keys = ", ".join(d.key for d in definitions) or "none"
    what = f"version {version}" if version is not None else f"year {year}" if year else "one"
    msg = f"the result carries definitions {keys}: cannot pick {what}"
    raise DataError(msg)
