"""The one pint registry of cyp-indicators, and the few helpers that use it.

Units are attached to definitions and results, never to polars columns (polars has no unit dtype).
Shares and rates are dimensionless scalings (``2.5 percent == 250 per_10000``); a gap between two
percentages is in percentage points, its own dimension, so it cannot be mistaken for a share.

pint (and numpy, which pint imports) load on the first use of :data:`registry`,
:data:`Quantity`, :data:`Unit`, :func:`parse_unit` or :func:`gap`: reading the catalogue checks a
definition's unit against ``units.txt`` itself (:func:`unit_name`), so a process that only
computes never pays for pint.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import attrs

__all__ = ["Quantity", "Unit", "gap", "parse_unit", "registry", "unit_name", "unit_scale"]

if TYPE_CHECKING:
    #: The one pint registry of the library: shares, rates, percentage points, days, points.
    registry: Any
    #: Quantities of :data:`registry` (``Quantity(2.5, "percent").to("per_10000")``).
    Quantity: Any
    Unit: Any

_UNIT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9.eE+-]+")


def _definitions_text() -> str:
    return (resources.files(__package__) / "units.txt").read_text(encoding="utf-8")


@cache
def _registry() -> Any:
    import pint

    reg: Any = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
    with resources.as_file(resources.files(__package__) / "units.txt") as path:
        reg.load_definitions(str(path))
    return reg


def __getattr__(name: str) -> Any:
    if name == "registry":
        return _registry()
    if name == "Quantity":
        return _registry().Quantity
    if name == "Unit":
        return _registry().Unit
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


@attrs.frozen
class _Defined:
    """One unit of ``units.txt``: its name and, for a dimensionless unit, its scale."""

    name: str
    scale: float | None


@cache
def _spellings() -> dict[str, _Defined]:
    """Every name and alias of ``units.txt`` -> the unit it names.

    ``units.txt`` is pint's definition syntax, ``name = relation [= symbol] [= alias ...]``; a
    relation that is a number (or ``1``) makes a dimensionless scaling, anything else (a new
    dimension in brackets, or a multiple of a dimensioned unit) does not. The tests check this
    reading against pint's own for every spelling.
    """
    out: dict[str, _Defined] = {}
    for raw in _definitions_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("=")]
        name, relation, names = parts[0], parts[1], parts[2:]
        scale = float(relation) if _NUMBER.fullmatch(relation) else None
        unit = _Defined(name, scale)
        for spelling in (name, *names):
            out[spelling] = unit
    return out


def _lookup(text: str) -> _Defined | None:
    known = _spellings()
    if text in known:
        return known[text]
    # pint reads a trailing "s" as a plural ("percents"), not after one letter ("ds")
    if text.endswith("s") and len(text) > 2 and text[:-1] in known:
        return known[text[:-1]]
    return None


def _unknown(text: object) -> str:
    return (
        f"unknown unit {text!r}; defined units include percent, per_1000, per_10000, per_100000, "
        "percentage_point, day, working_day, month, year, point, count, pound, pound_per_week"
    )


def unit_name(text: str) -> str:
    """The name of the unit ``text`` spells (``"per_10k"``: ``"per_10000"``), without pint.

    Parameters
    ----------
    text
        A name, symbol or alias of ``units.txt`` (a plural ``s`` allowed), or a unit of the
        registry.

    Returns
    -------
    str
        The unit's name.

    Raises
    ------
    ValueError
        ``units.txt`` defines no such unit (naming the text).

    Examples
    --------
    >>> unit_name("working_days"), unit_name("pct")
    ('working_day', 'percent')
    """
    if isinstance(text, str) and _UNIT_NAME.fullmatch(text):
        found = _lookup(text)
        if found is not None:
            return found.name
    if not isinstance(text, str) and hasattr(text, "dimensionality"):
        return unit_name(str(text))  # a pint unit of the registry
    raise ValueError(_unknown(text))


def unit_scale(name: str) -> float | None:
    """The scale of a dimensionless unit (``percent`` -> 0.01), or None for a dimensioned one.

    Parameters
    ----------
    name
        A unit (any spelling :func:`unit_name` reads).

    Returns
    -------
    float or None
        The scale; None for a unit with a dimension (days, points, pounds).

    Raises
    ------
    ValueError
        An unknown unit.

    Examples
    --------
    >>> unit_scale("per_10000"), unit_scale("day")
    (0.0001, None)
    """
    found = _lookup(unit_name(name))
    assert found is not None
    return found.scale


def parse_unit(text: str) -> Any:
    """The registry's unit for ``text`` (``"per_10000"``, ``"percent"``, ``"working_days"``, ...).

    Loads pint on first use.

    Parameters
    ----------
    text
        A unit (any spelling :func:`unit_name` reads).

    Returns
    -------
    pint.Unit
        A unit of :data:`registry`.

    Raises
    ------
    ValueError
        An unknown unit (naming the text).

    Examples
    --------
    >>> str(parse_unit("per_10k"))
    'per_10000'
    """
    return _unit(unit_name(text))


@cache
def _unit(name: str) -> Any:
    return _registry().Unit(name)


def gap(value: Any, comparator: Any) -> Any:
    """``value - comparator``; a gap between two percentages is in percentage points.

    Gaps between rates keep the rate's unit (per 10,000 children minus per 10,000 children is per
    10,000 children); ``comparator`` is converted to ``value``'s unit first.

    Parameters
    ----------
    value, comparator
        Quantities of :data:`registry`.

    Returns
    -------
    pint.Quantity
        The difference, in percentage points for two percentages, else in ``value``'s unit.

    Raises
    ------
    pint.DimensionalityError
        Quantities that cannot be compared (percent and days); a ``TypeError``.

    Examples
    --------
    >>> from cyp_indicators.units import Quantity
    >>> gap(Quantity(12.5, "percent"), Quantity(10, "percent"))
    <Quantity(2.5, 'percentage_point')>
    >>> gap(Quantity(72, "per_10000"), Quantity(0.7, "percent"))
    <Quantity(2.0, 'per_10000')>
    """
    reg = _registry()
    difference = value - comparator.to(value.units)
    if difference.units == reg.Unit("percent"):
        return reg.Quantity(difference.magnitude, "percentage_point")
    return difference
