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

    ``produced_by`` names the function (``"compute"``, ``"published"``, ``"derive"``, ...),
    ``definitions`` the versions the rows hold, ``population_vintage`` the population estimates of
    a rate's denominators, ``source`` the published file or records, ``comparator_set`` the
    statistical-neighbour set (``dfe_sn@2025``) a comparison used, ``presented`` whether values
    are rounded and protected for publication.
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

    >>> import cyp_indicators as cyp, polars as pl
    >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> res = cyp.compute(d, pl.DataFrame({"cla": [416], "population_0_17": [57621]}))
    >>> isinstance(res, pl.DataFrame), res.definitions[0].key, res.provenance.produced_by
    (True, 'cla_rate_per_10k@1.0.0', 'compute')
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
    """A polars LazyFrame that carries its :class:`ResultProvenance`; ``collect()`` gives a
    :class:`ResultFrame` with it."""

    _cyp_provenance: ResultProvenance | None = None

    @property
    def provenance(self) -> ResultProvenance | None:
        """What produced the frame (None on a frame derived without it)."""
        return self._cyp_provenance

    @property
    def definitions(self) -> tuple[IndicatorDefinition, ...]:
        """The definition versions whose figures the rows hold."""
        return self._cyp_provenance.definitions if self._cyp_provenance is not None else ()

    def collect(self, *args: Any, **kwargs: Any) -> Any:
        """Collect as polars does; the result carries this frame's provenance."""
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
    """``frame`` as a :class:`ResultFrame` or :class:`ResultLazyFrame` carrying ``provenance``."""
    if isinstance(frame, pl.DataFrame):
        return _wrap_frame(frame, provenance)
    out = ResultLazyFrame._from_pyldf(frame._ldf)
    assert isinstance(out, ResultLazyFrame)
    out._cyp_provenance = provenance
    return out


def carried(frame: pl.DataFrame | pl.LazyFrame) -> ResultProvenance | None:
    """The provenance a frame carries, or None for a plain polars frame."""
    return getattr(frame, "_cyp_provenance", None)


def definition_for(
    definitions: Sequence[IndicatorDefinition],
    *,
    version: str | None = None,
    year: int | None = None,
) -> IndicatorDefinition:
    """The one of ``definitions`` with ``version``, or valid in collection ``year``; with neither,
    the only one. A :class:`DataError` names what was asked when none (or several) match."""
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
