"""A definition against the published series it names: does it say what LAIT says?

:func:`lait_consistency` lists, as :class:`~cyp_indicators.Problem` records, where a definition
that names LAIT measures departs from LAIT's data dictionary without saying why: a measure code
other than LAIT's, a polarity that contradicts LAIT's (or a polarity where LAIT has none) without
a ``polarity_note`` that argues it, decimal places other than LAIT's, or a period type that does
not fit LAIT's year type, without a caveat that explains the difference. The catalogue's own
tests run it over every bundled definition; a council can run it over its own.
"""

from __future__ import annotations

from ..errors import Location, Problem
from ..model import IndicatorDefinition, PeriodType, Polarity
from .lait import lait_dictionary

__all__ = ["YEAR_TYPES", "lait_consistency"]

#: LAIT's ``Year_Type`` and the period types that fit it.
YEAR_TYPES: dict[str, frozenset[PeriodType]] = {
    "Financial Year": frozenset(
        {
            PeriodType.FINANCIAL_YEAR,
            PeriodType.SNAPSHOT_31_MARCH,
            PeriodType.YEAR_TO_DATE,
            PeriodType.ROLLING_12_MONTHS,
        }
    ),
    "Annual": frozenset({PeriodType.SNAPSHOT_31_MARCH, PeriodType.FINANCIAL_YEAR}),
    "Academic Year": frozenset(
        {PeriodType.ACADEMIC_YEAR, PeriodType.SNAPSHOT_31_AUGUST, PeriodType.SNAPSHOT_JANUARY}
    ),
    "Calendar Year": frozenset({PeriodType.CALENDAR_YEAR}),
    "Annual (end of Sept)": frozenset({PeriodType.SNAPSHOT_30_SEPTEMBER}),
    "Annual - January": frozenset({PeriodType.SNAPSHOT_JANUARY}),
}
_POLARITY = {"High": Polarity.HIGH_IS_GOOD, "Low": Polarity.LOW_IS_GOOD}


def _explained(definition: IndicatorDefinition, *words: str) -> bool:
    """Whether a caveat mentions LAIT and one of ``words`` (the reason is written down)."""
    for caveat in definition.caveats:
        text = caveat.lower()
        if "lait" in text and any(w in text for w in words):
            return True
    return False


def lait_consistency(definition: IndicatorDefinition) -> list[Problem]:
    """Where ``definition`` departs from LAIT's dictionary for the measures it names, unexplained.

    Parameters
    ----------
    definition
        Any definition; one that names no LAIT measure has nothing to check.

    Returns
    -------
    list[Problem]
        Empty when the definition agrees with LAIT or says why not; else one problem per
        departure, located at the definition's file and field (codes ``lait_code``,
        ``lait_polarity``, ``lait_decimals``, ``lait_period``).

    Examples
    --------
    >>> import attrs, cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("breastfeeding_6_8_weeks_pct")
    >>> lait_consistency(d)
    []
    >>> odd = attrs.evolve(d, presentation=attrs.evolve(d.presentation, decimal_places=1))
    >>> [(p.code, p.location.field) for p in lait_consistency(odd)]
    [('lait_decimals', '$.presentation.decimal_places')]
    """
    names = definition.provenance.lait_series
    if not names:
        return []
    table = lait_dictionary()
    rows = [r for r in table.iter_rows(named=True) if r["Measure_short"] in names]
    problems: list[Problem] = []

    def add(code: str, field: str, message: str) -> None:
        where = Location(file=definition.source_file, field=field)
        problems.append(Problem(code, f"{definition.key}: {message}", where))

    codes = {r["Measure_code"] for r in rows if r["Measure_code"] not in (None, "NA")}
    claimed = definition.provenance.lait_measure_code
    if codes and claimed is not None and claimed not in codes:
        add(
            "lait_code",
            "$.provenance.lait_measure_code",
            f"LAIT gives {', '.join(sorted(codes))} for {', '.join(names)}, not {claimed}",
        )
    polarities = {r["Polarity"] for r in rows}
    theirs = {_POLARITY.get(p, Polarity.NOT_APPLICABLE) for p in polarities}
    ours = definition.polarity
    if ours not in theirs:
        argued = definition.polarity_note is not None or _explained(definition, "polarity")
        if not argued:
            shown = "/".join(sorted(polarities))
            add(
                "lait_polarity",
                "$.polarity",
                f"polarity {ours.value} where LAIT's is {shown!r}, and no polarity_note or caveat "
                "says why",
            )
    decimals = {int(r["dps"]) for r in rows if r["dps"] not in (None, "NA")}
    dps = definition.presentation.decimal_places
    if decimals and dps not in decimals and not _explained(definition, "decimal"):
        add(
            "lait_decimals",
            "$.presentation.decimal_places",
            f"{dps} decimal places where LAIT's dictionary gives {sorted(decimals)}, and no caveat "
            "says why",
        )
    kinds = {r["Year_Type"] for r in rows}
    fits = set().union(*(YEAR_TYPES.get(k, frozenset()) for k in kinds))
    explained_period = _explained(definition, "period", "year type", "snapshot", "census")
    if definition.period_type not in fits and not explained_period:
        add(
            "lait_period",
            "$.period_type",
            f"period type {definition.period_type.value} does not fit LAIT's year type "
            f"{', '.join(sorted(kinds))}, and no caveat says why",
        )
    return problems
