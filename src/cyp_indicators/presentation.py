"""Presentation: round half away from zero, apply disclosure control, show symbols.

The only place values are rounded. Everything upstream keeps full precision, as DfE computes
percentages and rates from unrounded counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypeVar

import attrs
import polars as pl

from .errors import DataError
from .model import IndicatorDefinition
from .pandas_frames import pandas_frames
from .results import carried, carry
from .stats.rounding import round_half_away_expr
from .stats.symbols import reason_symbol

__all__ = ["format_fixed", "present", "unit_label"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)

#: The interval bounds the statistics core adds: lower_95, upper_99_8, ...
_BOUND = re.compile(r"^(lower|upper)_[0-9]+(_[0-9]+)?$")

_UNIT_LABELS = {
    "per_1000": "per 1,000",
    "per_10000": "per 10,000",
    "per_100000": "per 100,000",
    "percent": "%",
    "percentage_point": "percentage points",
    "proportion": "proportion",
    "count": "number",
    "day": "days",
    "working_day": "working days",
    "point": "points",
    "fte": "FTE",
    "pound": "£",
    "thousand_pounds": "£ thousands",
    "million_pounds": "£ millions",
    "pound_per_week": "£ per week",
    "month": "months",
    "year": "years",
}


def format_fixed(expr: pl.Expr | str, decimals: int) -> pl.Expr:
    """Numbers as text with exactly ``decimals`` places ("450.0"); round first, this only formats.

    Parameters
    ----------
    expr
        An expression, or a column name, of numbers.
    decimals
        Places shown.

    Returns
    -------
    polars.Expr
        String (null stays null).

    Examples
    --------
    >>> import polars as pl
    >>> pl.DataFrame({"v": [450.0, 2.5, None]}).select(format_fixed("v", 1)).to_series().to_list()
    ['450.0', '2.5', None]
    """
    e = pl.col(expr) if isinstance(expr, str) else expr
    return e.map_elements(lambda v: f"{v:.{decimals}f}", return_dtype=pl.String)


def unit_label(definition: IndicatorDefinition) -> str:
    """The unit as a reader would write it: "per 10,000", "%", "working days".

    Parameters
    ----------
    definition
        The definition whose unit is shown.

    Returns
    -------
    str
        The label; the unit's name for a unit without one.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> cat = cyp.load_catalogue()
    >>> unit_label(cat.get("cla_rate_per_10k")), unit_label(cat.get("re_referral_within_12_months_pct"))
    ('per 10,000', '%')
    """
    return _UNIT_LABELS.get(definition.unit_name, definition.unit_name)


def _giveaways(
    definition: IndicatorDefinition,
    inputs: Mapping[str, str | None],
    withhold: Sequence[str],
    suppress: pl.Expr,
) -> dict[str, pl.Expr]:
    """Each column that gives a withheld count away, with the rows where it does (see
    :func:`present`). ``inputs`` names the caller's numerator and denominator columns."""
    threshold = definition.disclosure.threshold
    hidden: dict[str, pl.Expr] = {}
    for side, column in inputs.items():
        small = pl.col(side).is_between(1, threshold).fill_null(False)
        when = (suppress | small) if side == "numerator" else small
        for name in (side, column):
            if name is not None:
                hidden.setdefault(name, when)
    for column in withhold:  # numbers or text: small counts are withheld wherever they stand
        small = pl.col(column).cast(pl.Float64, strict=False).is_between(1, threshold)
        hidden.setdefault(column, suppress | small.fill_null(False))
    return hidden


_VERSION_COLUMNS = ("indicator_version", "definition_version")


@pandas_frames
def present(
    result: F,
    definition: IndicatorDefinition | None = None,
    *,
    numerator: str | None = None,
    denominator: str | None = None,
    withhold: Sequence[str] = (),
) -> F:
    """Round a result for publication and apply the definition's disclosure control.

    ``value`` and the interval bounds (``lower_95``, ``upper_99_8``, ...) are rounded half away
    from zero to the definition's decimal places. Where a count the disclosure rule covers lies
    between 1 and the threshold, the value, its interval and ``method`` are withheld, ``reason``
    says so with the rule's symbol. Counts are withheld as DfE withholds them: any numerator or
    denominator between 1 and the threshold is withheld wherever it stands (0 of a cohort of 3
    shows 0 % beside a withheld cohort, as DfE's tables do), and the numerator and the caller's
    ``withhold`` columns (input columns of other names, or further counts such as a group's
    pupils) on every row whose value is withheld (a numerator beside a withheld cohort would
    disclose it). The caller's input columns go with the count they hold: ``numerator`` and
    ``denominator`` name them as for :func:`compute` (default: the columns the definition names),
    when the result still carries them. Adds ``display``: the rounded value as text with fixed
    decimals, or the symbol; and ``value_unrounded``: the value before rounding (null where the
    value is withheld), for those who need it.

    ``definition`` may be left out for a result that carries its definition(s) (what
    :func:`compute` and :func:`published` return): each row is presented with the version it
    was computed with (its ``indicator_version`` or ``definition_version``). A result that was
    presented already is refused: rounding twice is how 2.45 becomes 3.

    Parameters
    ----------
    result
        A result of :func:`compute` (or of the statistics functions): a DataFrame or LazyFrame
        (a pandas DataFrame is converted, and the result converted back).
    definition
        The definition whose decimal places and disclosure rule apply; by default the one(s) the
        result carries.
    numerator, denominator
        The caller's input columns holding the counts, withheld with them (default: the
        columns the definition names).
    withhold
        Further count columns to withhold where they lie between 1 and the threshold, and on
        every row whose value is withheld.

    Returns
    -------
    F
        The same kind of frame: values and bounds rounded, counts withheld, ``display`` and
        ``value_unrounded`` added; a result that carried provenance carries it marked presented.

    Raises
    ------
    DataError
        When the result lacks the result columns or a ``withhold`` column, already has
        ``value_unrounded``, was presented already, carries no definition and none is given, or
        carries several versions without a version column (or rows of a version it does not
        carry).

    Examples
    --------
    >>> import cyp_indicators as cyp, polars as pl
    >>> d = cyp.load_catalogue().get("re_referral_within_12_months_pct")
    >>> res = cyp.compute(d, pl.DataFrame({"re_referrals": [761, 3], "referrals": [3850, 10]}))
    >>> shown = cyp.present(res)
    >>> shown.select("display", "value_unrounded", "re_referrals").rows()[1]
    ('c', None, None)
    >>> shown["display"].to_list(), shown["reason"][1]
    (['19.8', 'c'], 'c: count between 1 and 5 withheld (disclosure control)')
    """
    provenance = carried(result)
    if provenance is not None and provenance.presented:
        msg = "present(): this result has been presented already (rounded and protected)"
        raise DataError(msg)
    if definition is None:
        return _present_carried(
            result, numerator=numerator, denominator=denominator, withhold=withhold
        )
    out = _present(
        result, definition, numerator=numerator, denominator=denominator, withhold=withhold
    )
    if provenance is None:
        return out
    return carry(out, attrs.evolve(provenance, presented=True))


def _present_carried(
    result: F, *, numerator: str | None, denominator: str | None, withhold: Sequence[str]
) -> F:
    provenance = carried(result)
    if provenance is None or not provenance.definitions:
        msg = "present() needs a definition: the result carries none (pass definition=)"
        raise DataError(msg)
    done = attrs.evolve(provenance, presented=True)
    definitions = provenance.definitions
    if len(definitions) == 1:
        out = _present(
            result, definitions[0], numerator=numerator, denominator=denominator, withhold=withhold
        )
        return carry(out, done)
    schema = result.collect_schema()
    column = next((c for c in _VERSION_COLUMNS if c in schema), None)
    if column is None:
        msg = "present(): the result carries several definition versions but no version column"
        raise DataError(msg)
    versions = [str(d.version) for d in definitions]
    indexed = result.with_row_index("__cyp_order")
    stray = indexed.lazy().filter(~pl.col(column).is_in(versions)).select(column).head(1).collect()
    if stray.height:
        msg = (
            f"present(): a row of version {stray[column][0]!r} has no carried definition "
            f"(carried: {', '.join(versions)})"
        )
        raise DataError(msg)
    # a row of a year in which no version is in force (compute_by_year) has no value: it goes
    # with the first version's rows, which keeps its reason and shows its symbol
    first = str(definitions[0].version)
    parts = [
        _present(
            indexed.filter(
                (pl.col(column) == str(d.version))
                | (pl.col(column).is_null() & pl.lit(str(d.version) == first))
            ),
            d,
            numerator=numerator,
            denominator=denominator,
            withhold=withhold,
        )
        for d in definitions
    ]
    combined = pl.concat(parts, how="vertical_relaxed").sort("__cyp_order").drop("__cyp_order")
    return carry(combined, done)


def _present(
    result: F,
    definition: IndicatorDefinition,
    *,
    numerator: str | None,
    denominator: str | None,
    withhold: Sequence[str],
) -> F:
    schema = result.collect_schema()
    missing = [c for c in ("numerator", "denominator", "value", "reason") if c not in schema]
    if missing:
        msg = f"present() needs a result of compute(); missing column(s): {', '.join(missing)}"
        raise DataError(msg)
    absent = [c for c in withhold if c not in schema]
    if absent:
        msg = f"present(): column(s) to withhold not in the result: {', '.join(map(repr, absent))}"
        raise DataError(msg)
    dps = definition.presentation.decimal_places
    rule = definition.disclosure
    bounds: list[str] = [c for c in schema if _BOUND.match(c) and schema[c].is_numeric()]
    suppress = pl.lit(False)
    if rule.threshold > 0:
        for side in rule.applies_to:
            suppress = suppress | pl.col(side).is_between(1, rule.threshold).fill_null(False)
    note = f"{rule.symbol}: count between 1 and {rule.threshold} withheld (disclosure control)"
    inputs = {
        "numerator": numerator or definition.numerator.column,
        "denominator": denominator
        or (definition.denominator.column if definition.denominator is not None else None),
    }
    hidden = _giveaways(definition, inputs, withhold, suppress) if rule.threshold > 0 else {}
    withheld = [
        pl.when(when).then(None).otherwise(pl.col(c)).alias(c)
        for c, when in hidden.items()
        if c in schema
    ]
    rounded = [
        pl.when(suppress)
        .then(None)
        .otherwise(round_half_away_expr(c, dps, tolerance=definition.presentation.tolerance))
        .alias(c)
        for c in ["value", *bounds]
    ]
    if "value_unrounded" in schema:
        msg = "present(): the result already has a value_unrounded column"
        raise DataError(msg)
    lf = result.lazy().with_columns(
        # the value before rounding, for those who want it; withheld with the value
        pl.when(suppress).then(None).otherwise(pl.col("value")).alias("value_unrounded"),
        *rounded,
        *withheld,
        pl.when(suppress).then(None).otherwise(pl.col("method")).alias("method")
        if "method" in schema
        else pl.lit(None, pl.String).alias("method"),
        pl.when(suppress).then(pl.lit(note)).otherwise(pl.col("reason")).alias("reason"),
    )
    text = format_fixed("value", dps)
    lf = lf.with_columns(
        pl.when(pl.col("value").is_not_null())
        .then(text)
        .otherwise(pl.coalesce(reason_symbol(pl.col("reason")), pl.lit("x")))
        .alias("display")
    )
    if isinstance(result, pl.DataFrame):
        return lf.collect()
    return lf
