"""What a definition *is*: small frozen attrs classes, built from a schema-checked mapping.

The file format stays out of these classes: :meth:`IndicatorDefinition.from_mapping` takes the parsed
document (the catalogue reads and validates the TOML), and :meth:`to_mapping` gives it back, so
``from_mapping(d.to_mapping()) == d``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from ..units import parse_unit, unit_name, unit_scale
from .enums import CIMethod, Family, PeriodType, Polarity
from .matrix import ProgressMatrix
from .version import Version

__all__ = [
    "Breakdown",
    "BreakdownLevel",
    "ChangelogEntry",
    "DerivationRef",
    "Disclosure",
    "EESSeries",
    "IndicatorDefinition",
    "Measure",
    "PopulationSpec",
    "Presentation",
    "Provenance",
    "PupilRule",
]

_RATE_FAMILIES = {Family.RATE, Family.PROPORTION, Family.CONVERSION, Family.EXPECTED_PROGRESS}


def _tuple_of_str(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _tuple_of_float(value: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in value)


def _version(value: str | Version) -> Version:
    return Version.parse(value)


@attrs.frozen(kw_only=True)
class PopulationSpec:
    """A population denominator: the population series and the year offset from the collection year.

    DfE's reporting year Y uses the ONS mid-year estimate for mid-(Y-1): ``year_offset=-1``.

    Parameters
    ----------
    series
        The population series (``"ons_mye_0_17"``: :func:`~cyp_indicators.population_estimates`).
    year_offset
        Years from the collection year to the estimate's year: 0 or less.

    Raises
    ------
    ValueError
        A ``year_offset`` above 0.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> cyp.load_catalogue().get("cla_rate_per_10k").denominator.population
    PopulationSpec(series='ons_mye_0_17', year_offset=-1)
    """

    series: str
    year_offset: int = attrs.field(validator=attrs.validators.le(0))


@attrs.frozen(kw_only=True)
class Measure:
    """One side of a ratio: what is counted, the input column that holds it, its source.

    Parameters
    ----------
    meaning
        What is counted, in words.
    column
        The input column :func:`~cyp_indicators.compute` reads by default.
    source
        The collection it comes from (``"SSDA903 (children looked after return)"``).
    population
        For a population denominator, the series and year offset (:class:`PopulationSpec`).

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> num = cyp.load_catalogue().get("cla_rate_per_10k").numerator
    >>> num.column, num.source
    ('cla_at_31_march', 'SSDA903 (children looked after return)')
    """

    meaning: str
    column: str
    source: str
    population: PopulationSpec | None = None

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> Measure:
        """Build from the document form: a ``[numerator]``, ``[denominator]`` or ``[spread]`` table.

        Parameters
        ----------
        doc
            ``meaning``, ``column``, ``source`` and, optionally, ``population`` (``series``,
            ``year_offset``).

        Returns
        -------
        Measure
            The measure.
        """
        pop = doc.get("population")
        return cls(
            meaning=doc["meaning"],
            column=doc["column"],
            source=doc["source"],
            population=PopulationSpec(**pop) if pop else None,
        )

    def to_mapping(self) -> dict[str, Any]:
        """The document form (the population left out when there is none).

        Returns
        -------
        dict[str, Any]
            Accepted back by :meth:`from_mapping`.
        """
        out: dict[str, Any] = {
            "meaning": self.meaning,
            "column": self.column,
            "source": self.source,
        }
        if self.population is not None:
            out["population"] = attrs.asdict(self.population)
        return out


#: The rounding rules a definition may name (see :class:`Presentation`).
ROUNDING_RULES = ("half_away_from_zero", "half_away_from_zero_no_tolerance")


@attrs.frozen(kw_only=True)
class Presentation:
    """How a value is shown: decimal places, rounded half away from zero.

    Parameters
    ----------
    decimal_places
        Places shown (0 or more).
    rounding
        ``"half_away_from_zero"`` (DfE's ``round_five_up``, with its nudge of sqrt(machine
        epsilon): 1.005 shows as 1.01) or ``"half_away_from_zero_no_tolerance"`` (the double as
        stored, half up: DfE's attainment tables show 23/40 x 100 = 57.49999999999999 as 57).

    Raises
    ------
    ValueError
        Negative ``decimal_places`` or a rounding rule not in :data:`ROUNDING_RULES`.

    Examples
    --------
    >>> p = Presentation(decimal_places=1)
    >>> p.rounding, p.tolerance > 0
    ('half_away_from_zero', True)
    >>> Presentation(decimal_places=0, rounding="half_away_from_zero_no_tolerance").tolerance
    0.0
    """

    decimal_places: int = attrs.field(validator=attrs.validators.ge(0))
    rounding: str = attrs.field(
        default="half_away_from_zero", validator=attrs.validators.in_(ROUNDING_RULES)
    )

    @property
    def tolerance(self) -> float:
        """The nudge added before truncation (:func:`cyp_indicators.round_half_away`), or 0."""
        from ..stats.rounding import TOLERANCE

        return 0.0 if self.rounding == "half_away_from_zero_no_tolerance" else TOLERANCE


@attrs.frozen(kw_only=True)
class Disclosure:
    """Disclosure control at presentation: counts from 1 to ``threshold`` are shown as ``symbol``.

    Parameters
    ----------
    threshold
        The largest count withheld (0 or more; 0 withholds nothing).
    symbol
        The GSS symbol shown instead (``"c"``, confidential).
    applies_to
        The counts it applies to (``"numerator"``, ``"denominator"``).
    national_counts_rounded_to
        The rounding DfE applies to England and regional counts, where it does (10).
    note
        Why, in words.

    Raises
    ------
    ValueError
        A negative ``threshold``.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("cla_rate_per_10k").disclosure
    >>> d.threshold, d.symbol, d.applies_to, d.national_counts_rounded_to
    (5, 'c', ('numerator',), 10)
    """

    threshold: int = attrs.field(validator=attrs.validators.ge(0))
    symbol: str = "c"
    applies_to: tuple[str, ...] = attrs.field(default=("numerator",), converter=_tuple_of_str)
    national_counts_rounded_to: int | None = None
    note: str | None = None


def _filters(value: Any) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


@attrs.frozen(kw_only=True)
class EESSeries:
    """Where a published series sits in an Explore Education Statistics (EES) data file.

    Parameters
    ----------
    file
        The file's name as DfE publishes it (``la_cla_placement_stability.csv``).
    value_column
        The column holding the published figure (absent where the file holds only the components
        and the figure is published elsewhere, e.g. in LAIT).
    filters
        The values of other columns that pick the series' rows (``{"cla_group": "CLA on 31
        March"}``), kept as ``(column, value)`` pairs in the order given.
    breakdown_column
        For a definition with a breakdown: the column whose values are the levels' ``ees_value``.
    numerator_column, denominator_column
        The published components, where DfE publishes them, so the value can be reproduced.
    publication
        The EES publication, where given.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> ees = cyp.load_catalogue().get("cla_rate_per_10k").provenance.ees
    >>> ees.file, ees.value_column, ees.filter_map
    ('cla_number_and_rate_per_10k_children.csv', 'rate_per_10000', {'population_type': 'Children looked after on 31 March each year'})
    """

    file: str
    value_column: str | None = None
    filters: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_filters)
    breakdown_column: str | None = None
    numerator_column: str | None = None
    denominator_column: str | None = None
    publication: str | None = None

    @property
    def filter_map(self) -> dict[str, str]:
        """The filters as a dict (column -> value)."""
        return dict(self.filters)

    def to_mapping(self) -> dict[str, Any]:
        """The document form (empty fields left out).

        Returns
        -------
        dict[str, Any]
            Accepted back by the constructor as keywords.
        """
        out: dict[str, Any] = {"file": self.file}
        if self.value_column is not None:
            out["value_column"] = self.value_column
        if self.filters:
            out["filters"] = dict(self.filters)
        for key in ("breakdown_column", "numerator_column", "denominator_column", "publication"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@attrs.frozen(kw_only=True)
class Provenance:
    """Where the definition comes from and which published series it reproduces.

    Parameters
    ----------
    dfe_release, dfe_table
        The DfE statistical release and table.
    lait_measure_code
        LAIT's measure code.
    lait_short_name
        The one LAIT series the definition reproduces (its short name).
    lait_short_names
        For a definition with a breakdown that covers several LAIT rows, instead: their short
        names, in the order of its breakdown levels (each level's ``lait_short_name``).
    ees
        Where the series sits in an EES file (:class:`EESSeries`).
    csc_dashboard_metrics
        The metric texts of DfE's children's social care dashboard the definition stands for, as
        the dashboard writes them.
    national_indicator
        The former national indicator (``"NI 62"``).
    seed_references
        The project's internal references for where the definition was first written down.
    urls
        Links to the publications.
    notes
        Anything else, in words.

    Raises
    ------
    ValueError
        Both ``lait_short_name`` and ``lait_short_names`` given.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> prov = cyp.load_catalogue().get("cla_rate_per_10k").provenance
    >>> prov.lait_short_name, prov.lait_series
    ('LAC', ('LAC',))
    """

    dfe_release: str | None = None
    dfe_table: str | None = None
    lait_measure_code: str | None = None
    lait_short_name: str | None = None
    lait_short_names: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    ees: EESSeries | None = None
    csc_dashboard_metrics: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    national_indicator: str | None = None
    seed_references: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    urls: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    notes: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.lait_short_name is not None and self.lait_short_names:
            msg = "'lait_short_name' and 'lait_short_names' exclude each other: name one series or a breakdown's list"
            raise ValueError(msg)

    @property
    def lait_series(self) -> tuple[str, ...]:
        """Every LAIT short name the definition reproduces (one, several, or none)."""
        if self.lait_short_name is not None:
            return (self.lait_short_name,)
        return self.lait_short_names

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> Provenance:
        """Build from the document form (a ``[provenance]`` table, with an optional ``ees`` table).

        Parameters
        ----------
        doc
            The fields, by name.

        Returns
        -------
        Provenance
            The provenance.

        Raises
        ------
        ValueError
            Both ``lait_short_name`` and ``lait_short_names`` given.
        TypeError
            A field the class does not have.
        """
        fields = dict(doc)
        ees = fields.pop("ees", None)
        return cls(**fields, ees=EESSeries(**ees) if ees else None)

    def to_mapping(self) -> dict[str, Any]:
        """The document form (empty fields left out).

        Returns
        -------
        dict[str, Any]
            Accepted back by :meth:`from_mapping`.
        """
        out = _drop_none(attrs.asdict(self, recurse=False, filter=lambda a, _: a.name != "ees"))
        if self.ees is not None:
            out["ees"] = self.ees.to_mapping()
        return out


@attrs.frozen(kw_only=True)
class BreakdownLevel:
    """One level of a breakdown: its code (as results show it), label, and where DfE publishes it.

    Parameters
    ----------
    code
        The level's code, as results show it.
    label
        Its label in words.
    lait_short_name
        The LAIT series of this level, where LAIT publishes it.
    ees_value
        Its value in the EES file's ``breakdown_column``, where EES publishes it.
    csc_dashboard_metric
        Its metric text on DfE's children's social care dashboard, where there is one.
    aliases
        Other names accepted for it in an input column (compared trimmed, in any case).

    Examples
    --------
    >>> level = BreakdownLevel(code="under_1", label="Under 1 year", aliases=["<1"])
    >>> level.aliases, level.to_mapping()
    (('<1',), {'code': 'under_1', 'label': 'Under 1 year', 'aliases': ['<1']})
    """

    code: str
    label: str
    lait_short_name: str | None = None
    ees_value: str | None = None
    csc_dashboard_metric: str | None = None
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)

    def to_mapping(self) -> dict[str, Any]:
        """The document form (empty fields left out).

        Returns
        -------
        dict[str, Any]
            Accepted back by the constructor as keywords.
        """
        return _drop_none(attrs.asdict(self))


def _levels(value: Any) -> tuple[BreakdownLevel, ...]:
    return tuple(v if isinstance(v, BreakdownLevel) else BreakdownLevel(**v) for v in value)


@attrs.frozen(kw_only=True)
class Breakdown:
    """A dimension of a definition: one measure published for several groups.

    Duration bands, categories of abuse, pupil groups: one definition with levels rather than one
    near-identical definition per group. A value that is no level is an error naming it
    (:meth:`level`).

    Parameters
    ----------
    dimension
        Its name (``"duration"``).
    column
        The input and result column that holds a row's level (a level's code, label or alias).
    levels
        The groups in DfE's order (:class:`BreakdownLevel`, or mappings of their fields).
    total
        The code of the level that is the total of the others, where one is.

    Raises
    ------
    ValueError
        No level, a name (code, label or alias) used by two levels, or a ``total`` that is no
        level's code.

    Examples
    --------
    >>> b = Breakdown(dimension="age", column="age_band", levels=[
    ...     {"code": "under_1", "label": "Under 1 year"}, {"code": "1_to_4", "label": "1 to 4 years"}])
    >>> b.codes, b.level("Under 1 YEAR").code
    (('under_1', '1_to_4'), 'under_1')
    """

    dimension: str
    column: str
    levels: tuple[BreakdownLevel, ...] = attrs.field(converter=_levels)
    total: str | None = None

    def __attrs_post_init__(self) -> None:
        seen: dict[str, str] = {}
        for level in self.levels:
            for name in (level.code, level.label, *level.aliases):
                key = name.strip().lower()
                if key in seen and seen[key] != level.code:
                    msg = f"'breakdown' name {name!r} is used by levels {seen[key]!r} and {level.code!r}"
                    raise ValueError(msg)
                seen[key] = level.code
        if not self.levels:
            msg = "'breakdown' needs at least one level"
            raise ValueError(msg)
        if self.total is not None and self.total not in {lv.code for lv in self.levels}:
            msg = f"'breakdown' total {self.total!r} is not one of its level codes"
            raise ValueError(msg)

    @property
    def codes(self) -> tuple[str, ...]:
        """The level codes in order."""
        return tuple(level.code for level in self.levels)

    def lookup(self) -> dict[str, str]:
        """Every accepted name of a level, lower case and trimmed, to the level's code.

        Returns
        -------
        dict[str, str]
            Code, label and each alias of every level -> its code.

        Examples
        --------
        >>> b = Breakdown(dimension="age", column="age_band",
        ...               levels=[{"code": "under_1", "label": "Under 1 year", "aliases": ["<1"]}])
        >>> b.lookup()
        {'under_1': 'under_1', 'under 1 year': 'under_1', '<1': 'under_1'}
        """
        return {
            name.strip().lower(): level.code
            for level in self.levels
            for name in (level.code, level.label, *level.aliases)
        }

    def level(self, value: str) -> BreakdownLevel:
        """The level a code, label or alias names (compared trimmed, in any case).

        Parameters
        ----------
        value
            A code, label or alias.

        Returns
        -------
        BreakdownLevel
            The level.

        Raises
        ------
        KeyError
            ``value`` names no level (the message lists the levels).
        """
        code = self.lookup().get(str(value).strip().lower())
        if code is None:
            msg = f"{value!r} is not a level of breakdown {self.dimension!r}; levels: " + ", ".join(
                self.codes
            )
            raise KeyError(msg)
        return next(lv for lv in self.levels if lv.code == code)

    def to_mapping(self) -> dict[str, Any]:
        """The document form.

        Returns
        -------
        dict[str, Any]
            ``dimension``, ``column``, ``total`` (when set) and ``levels``; accepted back by the
            constructor as keywords.
        """
        out: dict[str, Any] = {"dimension": self.dimension, "column": self.column}
        if self.total is not None:
            out["total"] = self.total
        out["levels"] = [lv.to_mapping() for lv in self.levels]
        return out


def _params(value: Any) -> tuple[tuple[str, Any], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), tuple(v) if isinstance(v, list) else v) for k, v in items))


@attrs.frozen(kw_only=True)
class DerivationRef:
    """A record-level derivation of the library's registry, named with its parameters (data).

    Parameters
    ----------
    name
        The derivation (a name in ``cyp_indicators.records``' registry).
    parameters
        Its parameters (a mapping, or ``(name, value)`` pairs), kept sorted by name with lists as
        tuples so the reference is hashable.

    Examples
    --------
    >>> ref = DerivationRef(name="adoption_a1_days", parameters={"new_family_reasons": []})
    >>> ref.parameters, ref.params
    ((('new_family_reasons', ()),), {'new_family_reasons': []})
    """

    name: str
    parameters: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_params)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters as a dict (lists where the file gave lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.parameters}


@attrs.frozen(kw_only=True)
class PupilRule:
    """A pupil-level rule of the library's registry, with its parameters and the DfE rule it applies.

    The parameters are data (thresholds, codes, the pupil columns it reads); the registry
    (``cyp_indicators.progress.PUPIL_RULES``) holds the only code.
    :func:`~cyp_indicators.compute_from_pupils` applies it to pupil rows.

    Parameters
    ----------
    name
        The rule's name in the registry (``"ks4_english_and_maths"``).
    citation
        The DfE guidance it applies, quoted.
    parameters
        Its parameters (a mapping, or ``(name, value)`` pairs), kept sorted by name with lists as
        tuples.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> rule = cyp.load_catalogue().get("attainment_8").pupil_rule
    >>> rule.name, rule.params["maths_column"], rule.params["maths_weight"]
    ('attainment_8', 'maths_points', 2)
    """

    name: str
    citation: str
    parameters: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_params)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters as a dict (lists where the file gave lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.parameters}

    def to_mapping(self) -> dict[str, Any]:
        """The document form.

        Returns
        -------
        dict[str, Any]
            ``name``, ``citation`` and ``parameters`` (a dict).
        """
        return {"name": self.name, "citation": self.citation, "parameters": self.params}


@attrs.frozen(kw_only=True)
class ChangelogEntry:
    """One entry of a definition's own history.

    Parameters
    ----------
    version
        The version it describes (text such as ``"1.0.0"`` is parsed).
    date
        When (``YYYY-MM-DD``).
    change
        What changed, in words.

    Raises
    ------
    ValueError
        A version that is not ``major.minor.patch``.

    Examples
    --------
    >>> entry = ChangelogEntry(version="2.0.0", date="2026-01-05", change="New cohort.")
    >>> entry.version
    Version('2.0.0')
    """

    version: Version = attrs.field(converter=_version)
    date: str
    change: str


def _changelog(value: Any) -> tuple[ChangelogEntry, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class IndicatorDefinition:
    """One version of one aggregated indicator: measure, unit, polarity, period and intervals.

    Built by the catalogue from a schema-checked file (:meth:`from_mapping`); the fields are those
    of the file (``docs/definitions.md`` describes each). The value is ``numerator / denominator *
    multiplier`` for a rate or share, in ``unit``.

    Parameters
    ----------
    id
        The identifier, never reused for a different measure.
    version
        ``major.minor.patch`` (text is parsed); a change of meaning is a new major version.
    title, description
        The measure in words.
    topic
        Its topic (one of :attr:`~cyp_indicators.Catalogue.topics`).
    family
        The kind of measure (:class:`Family`, or its value): decides how
        :func:`~cyp_indicators.compute` calculates it.
    numerator, denominator, spread
        The counts (:class:`Measure`); the denominator is required for rates, shares, means and
        differences, the spread (a standard deviation) for normal intervals.
    unit
        A unit of the library's registry (``"per_10000"``, ``"percent"``).
    multiplier
        The unit's scale: unit magnitude times multiplier is 1 for a rate or share (``per_10000``
        with 10000, ``percent`` with 100).
    polarity, polarity_note
        Whether a higher value is better (:class:`Polarity`, or its value), and why.
    period_type
        The period one value covers (:class:`PeriodType`, or its value).
    ci_method, confidence_levels
        How intervals are computed (:class:`CIMethod`, or its value) and at which levels
        (default 95 % and 99.8 %).
    presentation, disclosure
        How a value is shown (:class:`Presentation`) and which counts are withheld
        (:class:`Disclosure`).
    valid_from, valid_to
        The first and last collection year (``valid_to`` None: still valid).
    keywords
        Words for search.
    provenance
        Where it comes from and which published series it reproduces (:class:`Provenance`).
    caveats
        Known limitations, one sentence each.
    changelog
        The definition's own history, oldest first, the last entry for this version.
    matrix
        The expected-progress matrix (:class:`ProgressMatrix`), for that family only.
    derivation
        The record-level derivation that produces its counts (:class:`DerivationRef`).
    breakdown
        Its dimension and levels, when it is published for several groups (:class:`Breakdown`).
    pupil_rule
        DfE's rule for one pupil's row (:class:`PupilRule`).
    source_file
        The file it was read from (not part of equality).

    Raises
    ------
    ValueError
        A field the model refuses, naming it: a multiplier that is not a finite number above 0 or
        does not match the unit, a confidence level outside (0, 1), a missing denominator, an
        interval method that does not suit the family, a matrix outside expected progress, a
        ``valid_to`` before ``valid_from``, a changelog out of order or not ending with this
        version, LAIT names or EES columns that do not match the breakdown.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
    >>> d.key, d.family, d.multiplier, d.period_type.value, d.confidence_levels
    ('cla_rate_per_10k@1.0.0', <Family.RATE: 'rate'>, 10000.0, 'snapshot_31_march', (0.95, 0.998))
    """

    id: str
    version: Version = attrs.field(converter=_version)
    title: str
    description: str
    topic: str
    family: Family = attrs.field(converter=Family)
    numerator: Measure
    denominator: Measure | None = None
    spread: Measure | None = None
    _unit: str = attrs.field(converter=unit_name, alias="unit")
    multiplier: float
    polarity: Polarity = attrs.field(converter=Polarity)
    polarity_note: str | None = None
    period_type: PeriodType = attrs.field(converter=PeriodType)
    ci_method: CIMethod = attrs.field(converter=CIMethod)
    confidence_levels: tuple[float, ...] = attrs.field(
        default=(0.95, 0.998), converter=_tuple_of_float
    )
    presentation: Presentation
    disclosure: Disclosure
    valid_from: int
    valid_to: int | None = None
    keywords: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    provenance: Provenance = attrs.field(factory=Provenance)
    caveats: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    changelog: tuple[ChangelogEntry, ...] = attrs.field(default=(), converter=_changelog)
    matrix: ProgressMatrix | None = None
    derivation: DerivationRef | None = None
    breakdown: Breakdown | None = None
    pupil_rule: PupilRule | None = None
    source_file: str | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not math.isfinite(self.multiplier) or self.multiplier <= 0:
            msg = f"'multiplier' must be a finite number above 0, got {self.multiplier!r}"
            raise ValueError(msg)
        bad_levels = [c for c in self.confidence_levels if not (math.isfinite(c) and 0 < c < 1)]
        if bad_levels:
            msg = f"'confidence_levels' must lie strictly between 0 and 1, got {bad_levels[0]!r}"
            raise ValueError(msg)
        self._check_breakdown()
        if self.family in _RATE_FAMILIES and self.denominator is None:
            msg = f"'denominator' is required for a {self.family.value} definition"
            raise ValueError(msg)
        scale = unit_scale(self._unit)
        if self.family in _RATE_FAMILIES and (
            scale is None or abs(scale * self.multiplier - 1) > 1e-12
        ):
            msg = (
                f"'multiplier' {self.multiplier:g} does not match unit {self._unit!r}: "
                "unit magnitude times multiplier must be 1 (per_10000 with 10000, percent with 100)"
            )
            raise ValueError(msg)
        if self.family is Family.RATE and self.ci_method not in {
            CIMethod.BYAR_EXACT,
            CIMethod.EXACT,
            CIMethod.NONE,
        }:
            msg = f"'ci_method' {self.ci_method.value!r} does not suit a rate; use byar_exact or exact"
            raise ValueError(msg)
        if self.family in {Family.PROPORTION, Family.CONVERSION} and self.ci_method not in {
            CIMethod.WILSON,
            CIMethod.NONE,
        }:
            msg = f"'ci_method' {self.ci_method.value!r} does not suit a {self.family.value}; use wilson"
            raise ValueError(msg)
        if (self.family is Family.EXPECTED_PROGRESS) != (self.matrix is not None):
            msg = "'matrix' is required for an expected_progress definition and only there"
            raise ValueError(msg)
        if self.family is Family.EXPECTED_PROGRESS and self.ci_method not in {
            CIMethod.WILSON,
            CIMethod.NONE,
        }:
            msg = (
                f"'ci_method' {self.ci_method.value!r} does not suit expected progress; use wilson"
            )
            raise ValueError(msg)
        if self.family is Family.DIFFERENCE and (
            self.denominator is None or self.ci_method is not CIMethod.NONE
        ):
            msg = (
                "a difference definition needs 'denominator' (the figure subtracted) and "
                'ci_method = "none"'
            )
            raise ValueError(msg)
        means = {Family.MEAN, Family.POINTS}
        if self.family in means and self.denominator is None:
            msg = f"'denominator' (the number of pupils) is required for a {self.family.value} definition"
            raise ValueError(msg)
        if self.family in means and self.ci_method not in {CIMethod.NORMAL, CIMethod.NONE}:
            msg = f"'ci_method' {self.ci_method.value!r} does not suit a mean; use normal or none"
            raise ValueError(msg)
        if self.ci_method is not CIMethod.NONE and not self.confidence_levels:
            msg = (
                f"'confidence_levels' is empty but 'ci_method' is {self.ci_method.value!r}: give "
                'the levels (e.g. [0.95, 0.998]) or ci_method = "none"'
            )
            raise ValueError(msg)
        if self.ci_method is CIMethod.NORMAL and (self.family not in means or self.spread is None):
            msg = "'ci_method' normal is for means and needs 'spread' (the standard deviation)"
            raise ValueError(msg)
        if self.valid_to is not None and self.valid_to < self.valid_from:
            msg = f"'valid_to' {self.valid_to} is before 'valid_from' {self.valid_from}"
            raise ValueError(msg)
        if self.changelog:
            if self.changelog[-1].version != self.version:
                msg = (
                    f"the last 'changelog' entry is for {self.changelog[-1].version}, "
                    f"not this version {self.version}"
                )
                raise ValueError(msg)
            versions = [e.version for e in self.changelog]
            if versions != sorted(versions):
                msg = "'changelog' entries must run oldest first"
                raise ValueError(msg)

    def _check_breakdown(self) -> None:
        prov = self.provenance
        if self.breakdown is None:
            if prov.lait_short_names:
                msg = "'lait_short_names' (several LAIT series) needs a 'breakdown' whose levels name them"
                raise ValueError(msg)
            if prov.ees is not None and prov.ees.breakdown_column is not None:
                msg = "'ees' has a breakdown_column but the definition has no 'breakdown'"
                raise ValueError(msg)
            return
        named = tuple(lv.lait_short_name for lv in self.breakdown.levels if lv.lait_short_name)
        if named and prov.lait_short_name is not None:
            msg = "'breakdown' levels name LAIT series: list them in 'lait_short_names', not 'lait_short_name'"
            raise ValueError(msg)
        if named != prov.lait_short_names:
            msg = (
                f"'lait_short_names' {list(prov.lait_short_names)} must list the breakdown levels' "
                f"LAIT short names in level order: {list(named)}"
            )
            raise ValueError(msg)
        metrics = tuple(
            lv.csc_dashboard_metric for lv in self.breakdown.levels if lv.csc_dashboard_metric
        )
        if metrics and not set(metrics) <= set(prov.csc_dashboard_metrics):
            msg = "'csc_dashboard_metrics' must list every breakdown level's csc_dashboard_metric"
            raise ValueError(msg)
        # the EES file may publish some levels only (the social care groups of an all-pupil
        # measure): those levels name their value in it
        if (
            prov.ees is not None
            and prov.ees.breakdown_column is not None
            and not any(lv.ees_value is not None for lv in self.breakdown.levels)
        ):
            msg = "'breakdown' has no level with an ees_value for the EES breakdown column"
            raise ValueError(msg)

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from the document form: the unit belongs to the library's own pint registry
        return (_from_document, (self.to_mapping(), self.source_file))

    @property
    def unit(self) -> Any:
        """The unit of the value, a unit of the library's pint registry; pint loads on first use.

        ``str()`` gives its name: ``"per_10000"``.
        """
        return parse_unit(self._unit)

    @property
    def unit_name(self) -> str:
        """The name of the unit (``"per_10000"``, ``"percent"``), without loading pint."""
        return self._unit

    @property
    def key(self) -> str:
        """``id@version``, the form year packs and provenance use."""
        return f"{self.id}@{self.version}"

    def valid_in(self, year: int) -> bool:
        """Whether collection ``year`` is within the definition's valid years.

        Parameters
        ----------
        year
            A collection year.

        Returns
        -------
        bool
            ``valid_from <= year`` and (no ``valid_to``, or ``year <= valid_to``).

        Examples
        --------
        >>> import cyp_indicators as cyp
        >>> d = cyp.load_catalogue().get("care_leavers_neet_pct", version="1")
        >>> d.valid_in(2013), d.valid_in(2014)
        (True, False)
        """
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    def with_polarity(
        self, polarity: Polarity | str, note: str | None = None
    ) -> IndicatorDefinition:
        """A copy for one use with ``polarity`` overridden (the catalogue's copy is unchanged).

        Parameters
        ----------
        polarity
            The polarity (:class:`Polarity`, or its value).
        note
            Why; by default a note saying it was overridden and what the catalogue says.

        Returns
        -------
        IndicatorDefinition
            The copy, with ``polarity`` and ``polarity_note`` replaced.

        Raises
        ------
        ValueError
            A text that is not a polarity's value.

        Examples
        --------
        >>> import cyp_indicators as cyp
        >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
        >>> mine = d.with_polarity("low_is_good")
        >>> mine.polarity, mine.polarity_note, d.polarity
        (<Polarity.LOW_IS_GOOD: 'low_is_good'>, 'polarity overridden for this use (catalogue: not_applicable)', <Polarity.NOT_APPLICABLE: 'not_applicable'>)
        """
        p = Polarity(polarity) if isinstance(polarity, str) else polarity
        text = note or f"polarity overridden for this use (catalogue: {self.polarity.value})"
        return attrs.evolve(self, polarity=p, polarity_note=text)

    @classmethod
    def from_mapping(
        cls, doc: Mapping[str, Any], *, source_file: str | None = None
    ) -> IndicatorDefinition:
        """Build from a parsed, schema-checked document (see ``validation/indicator.schema.json``).

        Parameters
        ----------
        doc
            The document (a definition file as parsed).
        source_file
            Recorded on the definition.

        Returns
        -------
        IndicatorDefinition
            The definition.

        Raises
        ------
        ValueError
            A field the model refuses (see the class).
        TypeError
            A table with a field its class does not have (the schema allows none).

        Examples
        --------
        >>> import cyp_indicators as cyp
        >>> d = cyp.load_catalogue().get("cla_rate_per_10k")
        >>> IndicatorDefinition.from_mapping(d.to_mapping()) == d
        True
        """
        den = doc.get("denominator")
        return cls(
            id=doc["id"],
            version=doc["version"],
            title=doc["title"],
            description=doc["description"].strip(),
            topic=doc["topic"],
            family=doc["family"],
            numerator=Measure.from_mapping(doc["numerator"]),
            denominator=Measure.from_mapping(den) if den else None,
            spread=Measure.from_mapping(doc["spread"]) if doc.get("spread") else None,
            unit=doc["unit"],
            multiplier=float(doc["multiplier"]),
            polarity=doc["polarity"],
            polarity_note=doc["polarity_note"].strip() if doc.get("polarity_note") else None,
            period_type=doc["period_type"],
            ci_method=doc["ci_method"],
            confidence_levels=doc.get("confidence_levels", (0.95, 0.998)),
            presentation=Presentation(**doc["presentation"]),
            disclosure=Disclosure(**doc["disclosure"]),
            valid_from=doc["valid_from"],
            valid_to=doc.get("valid_to"),
            keywords=doc.get("keywords", ()),
            provenance=Provenance.from_mapping(doc["provenance"]),
            caveats=doc.get("caveats", ()),
            changelog=[ChangelogEntry(**e) for e in doc["changelog"]],
            matrix=ProgressMatrix.from_mapping(doc["matrix"]) if doc.get("matrix") else None,
            derivation=DerivationRef(**doc["derivation"]) if doc.get("derivation") else None,
            breakdown=Breakdown(**doc["breakdown"]) if doc.get("breakdown") else None,
            pupil_rule=PupilRule(**doc["pupil_rule"]) if doc.get("pupil_rule") else None,
            source_file=source_file,
        )

    def to_mapping(self) -> dict[str, Any]:
        """The document form (plain JSON-able values), accepted back by :meth:`from_mapping`.

        Returns
        -------
        dict[str, Any]
            The fields as a definition file holds them.
        """
        out: dict[str, Any] = {
            "id": self.id,
            "version": str(self.version),
            "title": self.title,
            "description": self.description,
            "topic": self.topic,
            "family": self.family.value,
            "keywords": list(self.keywords),
            "numerator": self.numerator.to_mapping(),
        }
        if self.denominator is not None:
            out["denominator"] = self.denominator.to_mapping()
        if self.spread is not None:
            out["spread"] = self.spread.to_mapping()
        out |= {
            "unit": self._unit,
            "multiplier": self.multiplier,
            "polarity": self.polarity.value,
        }
        if self.polarity_note is not None:
            out["polarity_note"] = self.polarity_note
        out |= {
            "period_type": self.period_type.value,
            "ci_method": self.ci_method.value,
            "confidence_levels": list(self.confidence_levels),
            "presentation": attrs.asdict(self.presentation),
            "disclosure": _drop_none(attrs.asdict(self.disclosure)),
            "valid_from": self.valid_from,
        }
        if self.valid_to is not None:
            out["valid_to"] = self.valid_to
        out["provenance"] = self.provenance.to_mapping()
        out["caveats"] = list(self.caveats)
        out["changelog"] = [
            {"version": str(e.version), "date": e.date, "change": e.change} for e in self.changelog
        ]
        if self.matrix is not None:
            out["matrix"] = self.matrix.to_mapping()
        if self.derivation is not None:
            out["derivation"] = {"name": self.derivation.name, "parameters": self.derivation.params}
        if self.breakdown is not None:
            out["breakdown"] = self.breakdown.to_mapping()
        if self.pupil_rule is not None:
            out["pupil_rule"] = self.pupil_rule.to_mapping()
        return out


def _from_document(doc: dict[str, Any], source_file: str | None) -> IndicatorDefinition:
    return IndicatorDefinition.from_mapping(doc, source_file=source_file)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in d.items()
        if v is not None and v not in ([], ())
    }
