"""Local government reorganisation: which authorities replaced which, and when each existed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

import attrs
import polars as pl

from ..errors import AreaNotApplicableError
from ..model.enums import PeriodType
from ..resources import data_file
from ..stats.symbols import Symbol
from ..years import period_end
from ._areas import la_name, resolve_la

__all__ = [
    "NotApplicable",
    "Reorganisation",
    "area_status",
    "check_exists",
    "exists_on",
    "predecessors",
    "reorganisations",
    "successors",
]


@attrs.frozen
class Reorganisation:
    """One predecessor-to-successor step of local government reorganisation.

    From ``effective`` the ``successor`` covers (part of) the area the ``predecessor`` covered the
    day before. An authority split in two is two steps; authorities merged into one are one step
    each.

    Parameters
    ----------
    effective
        The first day of the successor.
    predecessor, successor
        Old LA numbers.
    note
        What happened, in words.

    Examples
    --------
    >>> steps = reorganisations().filter(predecessor="909")
    >>> steps.select("effective", "successor").rows()
    [(datetime.date(2023, 4, 1), '942'), (datetime.date(2023, 4, 1), '943')]
    """

    effective: date
    predecessor: str
    successor: str
    note: str


@cache
def _steps() -> tuple[Reorganisation, ...]:
    frame = pl.read_csv(data_file("geography/reorganisations.csv"), infer_schema_length=0)
    return tuple(
        Reorganisation(
            date.fromisoformat(r["effective"]), r["predecessor"], r["successor"], r["note"]
        )
        for r in frame.iter_rows(named=True)
    )


def reorganisations() -> pl.DataFrame:
    """Every reorganisation step, as a frame (``data/geography/reorganisations.csv``).

    Returns
    -------
    polars.DataFrame
        ``effective`` (Date), ``predecessor``, ``successor``, ``note``: one :class:`Reorganisation`
        a row.

    Examples
    --------
    >>> reorganisations().columns
    ['effective', 'predecessor', 'successor', 'note']
    """
    steps = _steps()
    return pl.DataFrame(
        {
            "effective": [s.effective for s in steps],
            "predecessor": [s.predecessor for s in steps],
            "successor": [s.successor for s in steps],
            "note": [s.note for s in steps],
        },
        schema={
            "effective": pl.Date,
            "predecessor": pl.String,
            "successor": pl.String,
            "note": pl.String,
        },
    )


def successors(code: str) -> tuple[str, ...]:
    """The authorities (old LA numbers) that replaced ``code``.

    Parameters
    ----------
    code
        An LA's old number or ONS code.

    Returns
    -------
    tuple[str, ...]
        Their old numbers; empty for an authority that was not abolished.

    Raises
    ------
    UnknownAreaError
        A code that is no LA's.

    Examples
    --------
    >>> successors("928"), successors("874")
    (('940', '941'), ())
    """
    old = resolve_la(code)
    return tuple(s.successor for s in _steps() if s.predecessor == old)


def predecessors(code: str) -> tuple[str, ...]:
    """The authorities (old LA numbers) that ``code`` replaced.

    Parameters
    ----------
    code
        An LA's old number or ONS code.

    Returns
    -------
    tuple[str, ...]
        Their old numbers, sorted; empty for one not created by a reorganisation in the records.

    Raises
    ------
    UnknownAreaError
        A code that is no LA's.

    Examples
    --------
    >>> predecessors("839")
    ('835', '836', '837')
    """
    old = resolve_la(code)
    return tuple(sorted(s.predecessor for s in _steps() if s.successor == old))


def _created(old: str) -> date | None:
    dates = [s.effective for s in _steps() if s.successor == old]
    return min(dates) if dates else None


def _abolished(old: str) -> date | None:
    """The first day the authority no longer existed."""
    dates = [s.effective for s in _steps() if s.predecessor == old]
    return min(dates) if dates else None


def exists_on(code: str, day: date) -> bool:
    """Whether the authority existed on ``day``.

    Parameters
    ----------
    code
        An LA's old number or ONS code.
    day
        The day.

    Returns
    -------
    bool
        On or after its creation (if it was created) and before its abolition (if it was abolished).

    Raises
    ------
    UnknownAreaError
        A code that is no LA's.

    Examples
    --------
    >>> from datetime import date
    >>> exists_on("909", date(2023, 3, 31)), exists_on("909", date(2023, 4, 1))
    (True, False)
    """
    old = resolve_la(code)
    created, abolished = _created(old), _abolished(old)
    return (created is None or day >= created) and (abolished is None or day < abolished)


def _names(codes: Iterable[str]) -> str:
    named = [f"{la_name(c) or c} ({c})" for c in codes]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


@attrs.frozen
class NotApplicable:
    """A typed "not applicable" (GSS symbol ``z``): the authority did not exist in that year.

    Parameters
    ----------
    code
        The authority (old LA number).
    year
        The collection year asked for.
    others
        The authorities that covered its area then (successors after it was abolished,
        predecessors before it was created).
    reason
        A sentence saying so.
    symbol
        ``Symbol.NOT_APPLICABLE`` (``z``, :class:`~cyp_indicators.Symbol`).

    Examples
    --------
    >>> status = area_status("909", 2024)
    >>> status.others, status.symbol.value
    (('942', '943'), 'z')
    """

    code: str
    year: int
    others: tuple[str, ...]
    reason: str
    symbol: Symbol = Symbol.NOT_APPLICABLE


def area_status(
    code: str, year: int, period_type: PeriodType | str = PeriodType.SNAPSHOT_31_MARCH
) -> NotApplicable | None:
    """Whether the authority existed on the last day of collection ``year``'s period.

    Parameters
    ----------
    code
        An LA's old number or ONS code.
    year
        The collection year.
    period_type
        The period of the figure (:class:`~cyp_indicators.PeriodType`, or its value): the 31 March
        2021 snapshot is Northamptonshire's, calendar year 2021 North Northamptonshire's.

    Returns
    -------
    NotApplicable or None
        None when it existed; else a :class:`NotApplicable` naming the authorities that covered its
        area.

    Raises
    ------
    UnknownAreaError
        A code that is no LA's.
    ValueError
        A period type that is not one.

    Examples
    --------
    >>> area_status("909", 2023) is None
    True
    >>> area_status("909", 2024).reason
    'Cumbria (909) was replaced on 1 April 2023 by Cumberland (942) and Westmorland and Furness (943)'
    >>> area_status("942", 2023).reason
    'Cumberland (942) was created on 1 April 2023; before it, Cumbria (909) reported for its area'
    """
    old = resolve_la(code)
    day = period_end(year, period_type)
    created, abolished = _created(old), _abolished(old)
    name = f"{la_name(old) or old} ({old})"
    if abolished is not None and day >= abolished:
        after = successors(old)
        reason = f"{name} was replaced on {_day(abolished)} by {_names(after)}"
        return NotApplicable(old, year, after, reason)
    if created is not None and day < created:
        before = predecessors(old)
        reason = f"{name} was created on {_day(created)}; before it, {_names(before)} reported for its area"
        return NotApplicable(old, year, before, reason)
    return None


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def check_exists(
    code: str,
    years: Iterable[int],
    period_type: PeriodType | str = PeriodType.SNAPSHOT_31_MARCH,
) -> tuple[int, ...]:
    """The years (of ``years``) in which the authority existed, or an error when it existed in none.

    Parameters
    ----------
    code
        An LA's old number or ONS code.
    years
        Collection years.
    period_type
        The period of the figures (as for :func:`area_status`).

    Returns
    -------
    tuple[int, ...]
        The years it existed in, sorted (empty when ``years`` is empty).

    Raises
    ------
    AreaNotApplicableError
        It existed in none of them: naming its successors or predecessors.
    UnknownAreaError
        A code that is no LA's.

    Examples
    --------
    >>> check_exists("909", [2024, 2022, 2023])
    (2022, 2023)
    """
    wanted = sorted(set(years))
    missing = [area_status(code, y, period_type) for y in wanted]
    kept = tuple(y for y, m in zip(wanted, missing, strict=True) if m is None)
    if kept or not wanted:
        return kept
    first = next(m for m in missing if m is not None)
    span = f"{wanted[0]}" if len(wanted) == 1 else f"{wanted[0]} to {wanted[-1]}"
    reason = f"no figures for {span}: {first.reason}"
    raise AreaNotApplicableError(first.code, reason, first.others)
