"""The one pint registry of cyp-indicators, and the few helpers that use it.

Units are attached to definitions and results, never to polars columns (polars has no unit dtype).
Shares and rates are dimensionless scalings (``2.5 percent == 250 per_10000``); a gap between two
percentages is in percentage points, its own dimension, so it cannot be mistaken for a share.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pint

__all__ = ["Quantity", "Unit", "gap", "parse_unit", "registry"]

#: The one pint registry of the library: shares, rates, percentage points, days, working days, points.
registry: Any = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
with resources.as_file(resources.files(__package__) / "units.txt") as _path:
    registry.load_definitions(str(_path))

#: Quantities of :data:`registry` (``Quantity(2.5, "percent").to("per_10000")``).
Quantity: Any = registry.Quantity
Unit: Any = registry.Unit

_PERCENT = registry.Unit("percent")


_UNIT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_unit(text: str) -> Any:
    """Return the registry's unit for ``text`` ("per_10000", "percent", "working_days", ...).

    Raises ``ValueError`` naming the text when the unit is not defined.
    """
    if isinstance(text, registry.Unit):  # already a unit (attrs.evolve converts again)
        return text
    msg = (
        f"unknown unit {text!r}; defined units include percent, per_1000, per_10000, per_100000, "
        "percentage_point, day, working_day, month, year, point, count, pound, pound_per_week"
    )
    # one unit name, never an expression: pint would parse "1/0" or "per_10000 ** (" itself
    if not isinstance(text, str) or not _UNIT_NAME.fullmatch(text):
        raise ValueError(msg)
    try:
        return registry.Unit(text)
    except (pint.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError) as exc:
        raise ValueError(msg) from exc


def gap(value: Any, comparator: Any) -> Any:
    """Return ``value - comparator``; a gap between two percentages is in percentage points.

    Both arguments are quantities of the registry. Gaps between rates keep the rate's unit
    (per 10,000 children minus per 10,000 children is per 10,000 children).
    """
    difference = value - comparator.to(value.units)
    if difference.units == _PERCENT:
        return Quantity(difference.magnitude, "percentage_point")
    return difference
