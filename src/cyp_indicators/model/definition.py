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
    """A population denominator: the series and the year offset from the collection year.

    DfE's reporting year Y uses the ONS mid-year estimate for mid-(Y-1): ``year_offset=-1``.
    """

    series: str
    year_offset: int = attrs.field(validator=attrs.validators.le(0))


@attrs.frozen(kw_only=True)
class Measure:
    """One side of a ratio: what is counted, the input column that holds it, its source."""

    meaning: str
    column: str
    source: str
    population: PopulationSpec | None = None

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> Measure:
        pop = doc.get("population")
        return cls(
            meaning=doc["meaning"],
            column=doc["column"],
            source=doc["source"],
            population=PopulationSpec(**pop) if pop else None,
        )

    def to_mapping(self) -> dict[str, Any]:
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

    ``rounding`` is ``"half_away_from_zero"`` (DfE's ``round_five_up``, with its nudge of
    sqrt(machine epsilon): 1.005 shows as 1.01) or ``"half_away_from_zero_no_tolerance"`` (the
    double as stored, half up: DfE's attainment tables show 23/40 x 100 = 57.49999999999999 as
    57).
    """

    decimal_places: int = attrs.field(validator=attrs.validators.ge(0))
    rounding: str = attrs.field(
        default="half_away_from_zero", validator=attrs.validators.in_(ROUNDING_RULES)
    )

    @property
    def tolerance(self) -> float:
        """The nudge added before truncation (:func:`cyp_indicators.round_half_away`)."""
        from ..stats.rounding import TOLERANCE

        return 0.0 if self.rounding == "half_away_from_zero_no_tolerance" else TOLERANCE


@attrs.frozen(kw_only=True)
class Disclosure:
    """Disclosure control at presentation: counts from 1 to ``threshold`` are shown as ``symbol``."""

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

    ``file`` is the file's name as DfE publishes it (``la_cla_placement_stability.csv``),
    ``value_column`` the column holding the published figure (absent where the file holds only the
    components and the figure is published elsewhere, e.g. in LAIT), ``filters`` the values of other columns
    that pick the series' rows (``{"cla_group": "CLA on 31 March"}``), and for a definition with a
    breakdown ``breakdown_column`` the column whose values are the levels' ``ees_value``.
    ``numerator_column`` and ``denominator_column`` name the published components, where DfE
    publishes them, so the value can be reproduced from them.
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
        """The filters as a dict."""
        return dict(self.filters)

    def to_mapping(self) -> dict[str, Any]:
        """The document form."""
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
    """Where the definition comes from: DfE release and table, the published series it reproduces
    (a LAIT measure, or an EES file and column), former NI number, DfE dashboard metrics.

    ``lait_short_name`` names one LAIT series; a definition with a breakdown that covers several
    LAIT rows names them in ``lait_short_names`` instead, in the order of its breakdown levels
    (each level's ``lait_short_name``). ``csc_dashboard_metrics`` are the metric texts of DfE's
    children's social care dashboard the definition stands for, as the dashboard writes them.
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
        """Build from the document form."""
        fields = dict(doc)
        ees = fields.pop("ees", None)
        return cls(**fields, ees=EESSeries(**ees) if ees else None)

    def to_mapping(self) -> dict[str, Any]:
        """The document form (empty fields left out)."""
        out = _drop_none(attrs.asdict(self, recurse=False, filter=lambda a, _: a.name != "ees"))
        if self.ees is not None:
            out["ees"] = self.ees.to_mapping()
        return out


@attrs.frozen(kw_only=True)
class BreakdownLevel:
    """One level of a breakdown: its code (as results show it), label, and where DfE publishes it."""

    code: str
    label: str
    lait_short_name: str | None = None
    ees_value: str | None = None
    csc_dashboard_metric: str | None = None
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)

    def to_mapping(self) -> dict[str, Any]:
        """The document form."""
        return _drop_none(attrs.asdict(self))


def _levels(value: Any) -> tuple[BreakdownLevel, ...]:
    return tuple(v if isinstance(v, BreakdownLevel) else BreakdownLevel(**v) for v in value)


@attrs.frozen(kw_only=True)
class Breakdown:
    """A dimension of a definition: one measure published for several groups (duration bands,
    categories of abuse, pupil groups), rather than one near-identical definition per group.

    ``dimension`` names it (``"duration"``), ``column`` is the input and result column that holds a
    row's level (a level's code, label or alias), ``levels`` are the groups in DfE's order. A value
    that is no level is an error naming it (:meth:`level`).
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
        """Every accepted name (code, label, alias; lower case, trimmed) -> level code."""
        return {
            name.strip().lower(): level.code
            for level in self.levels
            for name in (level.code, level.label, *level.aliases)
        }

    def level(self, value: str) -> BreakdownLevel:
        """The level a code, label or alias names; ``KeyError`` listing the levels otherwise."""
        code = self.lookup().get(str(value).strip().lower())
        if code is None:
            msg = f"{value!r} is not a level of breakdown {self.dimension!r}; levels: " + ", ".join(
                self.codes
            )
            raise KeyError(msg)
        return next(lv for lv in self.levels if lv.code == code)

    def to_mapping(self) -> dict[str, Any]:
        """The document form."""
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
    """A record-level derivation of the library's registry, named with its parameters (data)."""

    name: str
    parameters: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_params)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters as a dict (lists where the file gave lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.parameters}


@attrs.frozen(kw_only=True)
class PupilRule:
    """A pupil-level rule of the library's registry (``cyp_indicators.progress.PUPIL_RULES``),
    named with its parameters (data: thresholds, codes, the pupil columns it reads) and the DfE
    rule it applies, cited. :func:`~cyp_indicators.compute_from_pupils` applies it to pupil rows.
    """

    name: str
    citation: str
    parameters: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_params)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters as a dict (lists where the file gave lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.parameters}

    def to_mapping(self) -> dict[str, Any]:
        """The document form."""
        return {"name": self.name, "citation": self.citation, "parameters": self.params}


@attrs.frozen(kw_only=True)
class ChangelogEntry:
    """One entry of a definition's own history."""

    version: Version = attrs.field(converter=_version)
    date: str
    change: str


def _changelog(value: Any) -> tuple[ChangelogEntry, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class IndicatorDefinition:
    """One version of one aggregated indicator.

    ``unit`` is a unit of the library's pint registry (``per_10000``, ``percent``, ...) and
    ``multiplier`` its scale (``value = numerator / denominator * multiplier``). ``polarity`` says
    whether high is good; :meth:`with_polarity` overrides it for one use.
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
        """The unit of the value, a unit of the library's pint registry (``str()`` gives its name:
        ``"per_10000"``); pint loads on first use."""
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
        """Whether collection ``year`` is within the definition's valid years."""
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    def with_polarity(
        self, polarity: Polarity | str, note: str | None = None
    ) -> IndicatorDefinition:
        """A copy for one use with ``polarity`` overridden (the catalogue's copy is unchanged)."""
        p = Polarity(polarity) if isinstance(polarity, str) else polarity
        text = note or f"polarity overridden for this use (catalogue: {self.polarity.value})"
        return attrs.evolve(self, polarity=p, polarity_note=text)

    @classmethod
    def from_mapping(
        cls, doc: Mapping[str, Any], *, source_file: str | None = None
    ) -> IndicatorDefinition:
        """Build from a parsed, schema-checked document (see ``validation/indicator.schema.json``)."""
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
        """The document form (plain JSON-able values), accepted back by :meth:`from_mapping`."""
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
