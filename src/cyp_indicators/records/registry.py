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
    """What a derivation returns.

    ``counts``: one row per period with ``period_label``, ``period_start``, ``period_end``,
    ``numerator`` and (for shares) ``denominator``. ``records``: for each input table read, one
    row per input record with ``table``, ``source_row``, ``child``, ``counted`` (bool) and
    ``reason`` (null when counted) — the row accounting.
    """

    counts: pl.DataFrame
    records: pl.DataFrame


@attrs.frozen
class DerivationSpec:
    """A registered derivation: its name, the tables it reads, its parameters and defaults."""

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
    """Register a derivation function under ``name`` (a definition's ``derivation.name``)."""

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
