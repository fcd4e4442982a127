"""What a definition *is*: small frozen attrs classes, built from a schema-checked mapping.

The file format stays out of these classes: :meth:`IndicatorDefinition.from_mapping` takes the parsed
document (the catalogue reads and validates the TOML), and :meth:`to_mapping` gives it back, so
``from_mapping(d.to_mapping()) == d``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..units import Quantity, parse_unit
from .enums import CIMethod, Family, PeriodType, Polarity
from .matrix import ProgressMatrix
from .version import Version

__all__ = [
    "ChangelogEntry",
    "DerivationRef",
    "Disclosure",
    "IndicatorDefinition",
    "Measure",
    "PopulationSpec",
    "Presentation",
    "Provenance",
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


@attrs.frozen(kw_only=True)
class Presentation:
    """How a value is shown: decimal places, rounded half away from zero."""

    decimal_places: int = attrs.field(validator=attrs.validators.ge(0))
    rounding: str = "half_away_from_zero"


@attrs.frozen(kw_only=True)
class Disclosure:
    """Disclosure control at presentation: counts from 1 to ``threshold`` are shown as ``symbol``."""

    threshold: int = attrs.field(validator=attrs.validators.ge(0))
    symbol: str = "c"
    applies_to: tuple[str, ...] = attrs.field(default=("numerator",), converter=_tuple_of_str)
    national_counts_rounded_to: int | None = None
    note: str | None = None


@attrs.frozen(kw_only=True)
class Provenance:
    """Where the definition comes from: DfE release and table, LAIT measure, former NI number."""

    dfe_release: str | None = None
    dfe_table: str | None = None
    lait_measure_code: str | None = None
    lait_short_name: str | None = None
    national_indicator: str | None = None
    seed_references: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    urls: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    notes: str | None = None


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
    unit: Any = attrs.field(converter=parse_unit, eq=str, hash=False)
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
    source_file: str | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.family in _RATE_FAMILIES and self.denominator is None:
            msg = f"'denominator' is required for a {self.family.value} definition"
            raise ValueError(msg)
        scale = (
            Quantity(1, self.unit).to("dimensionless").magnitude
            if self.unit.dimensionless
            else None
        )
        if self.family in _RATE_FAMILIES and (
            scale is None or abs(scale * self.multiplier - 1) > 1e-12
        ):
            msg = (
                f"'multiplier' {self.multiplier:g} does not match unit {str(self.unit)!r}: "
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
            provenance=Provenance(**doc["provenance"]),
            caveats=doc.get("caveats", ()),
            changelog=[ChangelogEntry(**e) for e in doc["changelog"]],
            matrix=ProgressMatrix.from_mapping(doc["matrix"]) if doc.get("matrix") else None,
            derivation=DerivationRef(**doc["derivation"]) if doc.get("derivation") else None,
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
            "unit": str(self.unit),
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
        out["provenance"] = _drop_none(attrs.asdict(self.provenance))
        out["caveats"] = list(self.caveats)
        out["changelog"] = [
            {"version": str(e.version), "date": e.date, "change": e.change} for e in self.changelog
        ]
        if self.matrix is not None:
            out["matrix"] = self.matrix.to_mapping()
        if self.derivation is not None:
            out["derivation"] = {"name": self.derivation.name, "parameters": self.derivation.params}
        return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in d.items()
        if v is not None and v not in ([], ())
    }
