"""The catalogue: every version of every definition, resolved by version pin or collection year.

Collection-year resolution follows the Data to Insight year chain: the pack in force for year N is
the pack of the previous year plus the definitions ``added_or_changed`` in year N, minus those
``removed`` (files in ``definitions/packs/``). An id that no pack mentions (a council's local
indicator loaded without packs) is in force in the years its own ``valid_from``/``valid_to`` allow,
at its highest version valid that year.
"""

from __future__ import annotations

import builtins
import difflib
import itertools
import os
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import attrs
import polars as pl

from .errors import (
    DefinitionError,
    Problem,
    SchemaIssue,
    UnknownDefinitionError,
    UnknownTopicError,
)
from .loader import Replacement, YearPack, locate, read_definition, read_pack, read_toml
from .model import Family, IndicatorDefinition, Version
from .model.topics import TOPICS, topic_title
from .resources import bundled_definitions

__all__ = ["Catalogue", "SeriesBreak", "load_catalogue"]


@attrs.frozen
class SeriesBreak:
    """A typed marker: a time series of one measure is not comparable across ``year``.

    Parameters
    ----------
    year
        The collection year of the first figure on the new basis.
    kind
        ``"new_version"`` (DfE changed the definition: a new major version) or ``"replaced"`` (a
        reform: the measure replaced another, e.g. levels by the expected standard in 2016).
    before, after
        The ``id@version`` on either side of the break.
    note
        Why the series breaks, in words (the changelog entry or the year pack's note).

    Examples
    --------
    >>> b = load_catalogue().breaks("care_leavers_neet_pct")[0]
    >>> b.year, b.kind, b.before, b.after
    (2014, 'new_version', 'care_leavers_neet_pct@1.0.0', 'care_leavers_neet_pct@2.0.0')
    """

    year: int
    kind: str
    before: str
    after: str
    note: str


class Catalogue:
    """An immutable set of definitions and year packs, looked up by id, version pin or year.

    Build it with :func:`load_catalogue` (the bundled definitions, and a council's own); the
    constructor is for a set already in memory. Iterating yields every version of every id;
    ``len()`` counts versions; ``id in catalogue`` asks whether an id is held.

    Parameters
    ----------
    definitions
        Every version of every definition to hold.
    packs
        The year packs (the Data to Insight year chain: which version is in force from which
        collection year). Without packs, an id is in force in the years its own
        ``valid_from``/``valid_to`` allow, at its highest version valid that year.

    Raises
    ------
    DefinitionError
        A version defined twice, a pack that adds a definition the catalogue lacks, removes one
        not in force or changes one twice in a year, a replacement naming an unknown id, or a year
        chain that keeps a definition in force outside its valid years (naming the pack's file).

    Examples
    --------
    >>> cat = load_catalogue()
    >>> "cla_rate_per_10k" in cat, cat.packs[0].year
    (True, 2008)
    >>> small = Catalogue(cat.history("care_leavers_neet_pct"))
    >>> small.ids, len(small), str(small.get("care_leavers_neet_pct", year=2013).version)
    (['care_leavers_neet_pct'], 2, '1.0.0')
    """

    def __init__(
        self, definitions: Iterable[IndicatorDefinition], packs: Iterable[YearPack] = ()
    ) -> None:
        by_id: dict[str, dict[Version, IndicatorDefinition]] = {}
        for d in definitions:
            versions = by_id.setdefault(d.id, {})
            if d.version in versions:
                other = versions[d.version].source_file
                raise DefinitionError(
                    str(d.source_file),
                    [SchemaIssue("$.version", f"{d.key} is defined twice (also in {other})")],
                )
            versions[d.version] = d
        self._by_id = {k: dict(sorted(v.items())) for k, v in sorted(by_id.items())}
        self._packs = tuple(sorted(packs, key=lambda p: p.year))
        self._chain = self._build_chain()
        self._replacements = self._check_replacements()

    # --- the year chain -------------------------------------------------------------------------

    def _build_chain(self) -> dict[int, dict[str, IndicatorDefinition]]:
        chain: dict[int, dict[str, IndicatorDefinition]] = {}
        current: dict[str, IndicatorDefinition] = {}
        added_by: dict[str, YearPack] = {}
        for year in sorted({p.year for p in self._packs}):
            added_here: dict[str, YearPack] = {}
            for pack in (p for p in self._packs if p.year == year):
                issues: list[Problem] = []
                for i, ident in enumerate(pack.removed):
                    if ident not in current:
                        issues.append(
                            SchemaIssue(
                                f"$.removed[{i}]",
                                f"{ident!r} is not in force before {year}, so it cannot be removed",
                            )
                        )
                    current.pop(ident, None)
                for i, (ident, version) in enumerate(pack.added_or_changed):
                    d = self._by_id.get(ident, {}).get(version)
                    if d is None:
                        issues.append(
                            SchemaIssue(
                                f"$.added_or_changed[{i}]",
                                f"no definition {ident}@{version}" + self._hint(ident),
                            )
                        )
                    elif ident in added_here:
                        issues.append(
                            SchemaIssue(
                                f"$.added_or_changed[{i}]",
                                f"{ident} is also changed for {year} by {added_here[ident].source_file}",
                            )
                        )
                    else:
                        added_here[ident] = pack
                        added_by[d.key] = pack
                        current[ident] = d
                if issues:
                    raise DefinitionError(str(pack.source_file), issues)
            chain[year] = dict(current)
        self._check_validity(chain, added_by)
        return chain

    def _check_replacements(self) -> tuple[Replacement, ...]:
        """Every id a pack says is replaced, and every id replacing it, must be in the catalogue."""
        found: list[Replacement] = []
        for pack in self._packs:
            issues: list[Problem] = []
            for i, r in enumerate(pack.replaced):
                for j, ident in enumerate((r.id, *r.by)):
                    if ident not in self._by_id:
                        where = f"$.replaced[{i}]." + ("id" if j == 0 else f"by[{j - 1}]")
                        issues.append(
                            SchemaIssue(where, f"no definition {ident!r}" + self._hint(ident))
                        )
            if issues:
                raise DefinitionError(str(pack.source_file), issues)
            found.extend(pack.replaced)
        return tuple(sorted(found, key=lambda r: (r.year, r.id)))

    def _check_validity(
        self, chain: dict[int, dict[str, IndicatorDefinition]], added_by: dict[str, YearPack]
    ) -> None:
        """Every definition must be valid in every year the chain keeps it in force."""
        years = sorted(chain)
        for i, year in enumerate(years):
            last = years[i + 1] - 1 if i + 1 < len(years) else None
            for d in chain[year].values():
                if d.valid_in(year) and (d.valid_in(last) if last else d.valid_to is None):
                    continue
                span = f"{year}" if last == year else f"{year} to {last or 'later years'}"
                valid = f"{d.valid_from} to {d.valid_to or 'now'}"
                fix = (
                    "a later pack must remove or replace it"
                    if year >= d.valid_from
                    else "it is added before its valid_from"
                )
                pack = added_by[f"{d.key}"]
                raise DefinitionError(
                    str(pack.source_file),
                    [
                        SchemaIssue(
                            "$.added_or_changed",
                            f"the year chain keeps {d.key} in force {span}, outside its valid years "
                            f"{valid}: {fix}",
                        )
                    ],
                )

    def _hint(self, ident: str) -> str:
        if ident in self._by_id:
            return f"; versions held: {', '.join(map(str, self._by_id[ident]))}"
        close = difflib.get_close_matches(ident, self._by_id, n=3)
        return f"; did you mean: {', '.join(close)}?" if close else ""

    def _chained_ids(self) -> set[str]:
        return {ident for p in self._packs for ident, _ in p.added_or_changed}

    def in_force(self, year: int) -> dict[str, IndicatorDefinition]:
        """Every definition in force for collection ``year``, by id (the year chain).

        Parameters
        ----------
        year
            The collection year.

        Returns
        -------
        dict[str, IndicatorDefinition]
            Id -> the version in force, sorted by id; an id with no version in force is absent.

        Examples
        --------
        >>> cat = load_catalogue()
        >>> in_force = cat.in_force(2013)
        >>> in_force["care_leavers_neet_pct"].key, "attainment_8" in in_force
        ('care_leavers_neet_pct@1.0.0', False)
        """
        out: dict[str, IndicatorDefinition] = {}
        chain_years = [y for y in self._chain if y <= year]
        if chain_years:
            out.update(self._chain[max(chain_years)])
        chained = self._chained_ids()
        for ident, versions in self._by_id.items():
            if ident in chained:
                continue
            valid = [d for d in versions.values() if d.valid_in(year)]
            if valid:
                out[ident] = valid[-1]
        return dict(sorted(out.items()))

    # --- look-ups -------------------------------------------------------------------------------

    def get(
        self, id: str, *, version: str | int | None = None, year: int | None = None
    ) -> IndicatorDefinition:
        """One definition: the latest version, a pinned version, or the version in force in a year.

        Parameters
        ----------
        id
            The definition's id (``"cla_rate_per_10k"``).
        version
            A pin: ``"1"`` (the latest 1.x.y), ``"1.2"``, ``"1.2.3"``, ``"v1"`` or ``1``.
        year
            A collection year: the version the year chain keeps in force then.

        Returns
        -------
        IndicatorDefinition
            The definition (the latest version when neither ``version`` nor ``year`` is given).

        Raises
        ------
        UnknownDefinitionError
            An id the catalogue does not hold, a version it does not hold or an id not in force in
            ``year``; a ``KeyError``, listing close matches or the versions held.
        ValueError
            Both ``version`` and ``year`` given, or a pin that is not a version.

        Examples
        --------
        >>> cat = load_catalogue()
        >>> cat.get("care_leavers_neet_pct").key
        'care_leavers_neet_pct@2.0.0'
        >>> cat.get("care_leavers_neet_pct", version="1").key
        'care_leavers_neet_pct@1.0.0'
        >>> cat.get("care_leavers_neet_pct", year=2013).key
        'care_leavers_neet_pct@1.0.0'
        """
        if version is not None and year is not None:
            msg = "give either version= or year=, not both"
            raise ValueError(msg)
        versions = self._versions(id)
        if year is not None:
            found = self.in_force(int(year)).get(id)
            if found is None:
                held = ", ".join(
                    f"{d.version} ({d.valid_from}-{d.valid_to or 'now'})" for d in versions.values()
                )
                raise UnknownDefinitionError(
                    f"{id!r} is not in force in collection year {year}; versions: {held}"
                )
            return found
        if version is None:
            return next(reversed(versions.values()))
        pin = Version.parse_pin(version)
        matching = [d for v, d in versions.items() if v.matches(pin)]
        if not matching:
            raise UnknownDefinitionError(
                f"{id!r} has no version {version!r}", [str(v) for v in versions]
            )
        return matching[-1]

    def versions_by_year(
        self, id: str, years: Iterable[int]
    ) -> dict[int, IndicatorDefinition | None]:
        """The version of ``id`` in force each collection year: one look-up for a whole series.

        The year chain is applied as :meth:`get` with ``year=`` does.

        Parameters
        ----------
        id
            The definition's id.
        years
            Collection years.

        Returns
        -------
        dict[int, IndicatorDefinition | None]
            Year -> the version in force, or None where no version is.

        Raises
        ------
        UnknownDefinitionError
            An id the catalogue does not hold (listing close matches).

        Examples
        --------
        >>> cat = load_catalogue()
        >>> found = cat.versions_by_year("care_leavers_neet_pct", [2007, 2013, 2024])
        >>> {y: d and str(d.version) for y, d in found.items()}
        {2007: None, 2013: '1.0.0', 2024: '2.0.0'}
        """
        versions = self._versions(id)
        chained = id in self._chained_ids()
        out: dict[int, IndicatorDefinition | None] = {}
        for year in years:
            if chained:
                chain_years = [y for y in self._chain if y <= year]
                out[year] = self._chain[max(chain_years)].get(id) if chain_years else None
            else:
                valid = [d for d in versions.values() if d.valid_in(year)]
                out[year] = valid[-1] if valid else None
        return out

    def _versions(self, id: str) -> dict[Version, IndicatorDefinition]:
        try:
            return self._by_id[id]
        except KeyError:
            close = difflib.get_close_matches(id, self._by_id, n=5, cutoff=0.5)
            if not close:
                close = [i for i in self._by_id if id.lower() in i][:5]
            raise UnknownDefinitionError(f"no definition with id {id!r}", close) from None

    def history(
        self, id: str, *, across_reforms: bool = False
    ) -> builtins.list[IndicatorDefinition]:
        """Every version of ``id``, oldest first; optionally the measures it replaced before them.

        With ``across_reforms=True`` the versions of the measures it replaced (year packs'
        ``replaced``) come first, oldest measure first, so the whole chain a time series may cross
        is there (:meth:`breaks` says where it breaks).

        Parameters
        ----------
        id
            The definition's id.
        across_reforms
            Include the measures ``id`` replaced, and those they replaced, before its own versions.

        Returns
        -------
        list[IndicatorDefinition]
            The versions, oldest first.

        Raises
        ------
        UnknownDefinitionError
            An id the catalogue does not hold (listing close matches).

        Examples
        --------
        >>> cat = load_catalogue()
        >>> [d.key for d in cat.history("care_leavers_neet_pct")]
        ['care_leavers_neet_pct@1.0.0', 'care_leavers_neet_pct@2.0.0']
        >>> [d.key for d in cat.history("attainment_8", across_reforms=True)]
        ['ks4_5ac_including_english_maths_by_sen_pct@1.0.0', 'ks4_5ac_pct@1.0.0', 'attainment_8@1.0.0']
        """
        own = list(self._versions(id).values())
        if not across_reforms:
            return own
        before: list[IndicatorDefinition] = []
        for r in self.replaced(id):
            for d in self.history(r.id, across_reforms=True):
                if d not in before:
                    before.append(d)
        return [*before, *own]

    def replaced(self, id: str) -> builtins.list[Replacement]:
        """The reforms in which ``id`` replaced another measure.

        Parameters
        ----------
        id
            The definition's id.

        Returns
        -------
        list[Replacement]
            Each reform's year, the old id, the ids replacing it and why; empty if ``id`` replaced
            nothing.

        Raises
        ------
        UnknownDefinitionError
            An id the catalogue does not hold (listing close matches).

        Examples
        --------
        >>> [(r.year, r.id) for r in load_catalogue().replaced("attainment_8")]
        [(2016, 'ks4_5ac_including_english_maths_by_sen_pct'), (2016, 'ks4_5ac_pct')]
        """
        self._versions(id)
        return [r for r in self._replacements if id in r.by]

    def replaced_by(self, id: str) -> builtins.list[Replacement]:
        """The reforms in which ``id`` was replaced.

        Parameters
        ----------
        id
            The definition's id.

        Returns
        -------
        list[Replacement]
            Each reform's year, the new ids and why; empty if ``id`` was never replaced.

        Raises
        ------
        UnknownDefinitionError
            An id the catalogue does not hold (listing close matches).

        Examples
        --------
        >>> [(r.year, r.by) for r in load_catalogue().replaced_by("ks4_5ac_pct")]
        [(2016, ('attainment_8',))]
        """
        self._versions(id)
        return [r for r in self._replacements if r.id == id]

    def breaks(self, id: str, years: Iterable[int] | None = None) -> builtins.list[SeriesBreak]:
        """Where a time series of ``id`` is not comparable across years.

        A break is a new major version (DfE changed the measure's meaning) or a reform that replaced
        the measure it continues. Each :class:`SeriesBreak` names the year of the first figure on
        the new basis, what is on either side, and why.

        Parameters
        ----------
        id
            The definition's id.
        years
            Limit the answer to breaks between two of these years (a report's span): a break in year
            Y is kept when the earliest year < Y <= the latest.

        Returns
        -------
        list[SeriesBreak]
            By year, then kind.

        Raises
        ------
        UnknownDefinitionError
            An id the catalogue does not hold (listing close matches).

        Examples
        --------
        >>> cat = load_catalogue()
        >>> [(b.year, b.kind) for b in cat.breaks("care_leavers_neet_pct")]
        [(2014, 'new_version')]
        >>> cat.breaks("care_leavers_neet_pct", years=[2015, 2024])
        []
        """
        versions = self.history(id)
        out: list[SeriesBreak] = []
        for before, after in itertools.pairwise(versions):
            if after.version.major != before.version.major:
                change = next(
                    (e.change for e in after.changelog if e.version == after.version), after.title
                )
                out.append(
                    SeriesBreak(
                        year=after.valid_from, kind="new_version", before=before.key,
                        after=after.key, note=change,
                    )
                )  # fmt: skip
        for r in self.replaced(id):
            old = self.history(r.id)[-1]
            new = self.versions_by_year(id, [r.year]).get(r.year) or versions[0]
            out.append(
                SeriesBreak(
                    year=r.year, kind="replaced", before=old.key, after=new.key, note=r.note
                )
            )
        if years is not None:
            span = sorted(set(years))
            out = [b for b in out if span and span[0] < b.year <= span[-1]]
        return sorted(out, key=lambda b: (b.year, b.kind))

    def list(
        self,
        *,
        family: str | Family | None = None,
        topic: str | None = None,
        keyword: str | None = None,
        year: int | None = None,
    ) -> builtins.list[IndicatorDefinition]:
        """Latest versions (or those in force in ``year``), filtered by family, topic and keyword.

        Parameters
        ----------
        family
            Only this family (a :class:`~cyp_indicators.Family` or its value, ``"rate"``).
        topic
            Only this topic, as :attr:`topics` writes it (``"care_leavers"``) or by its title
            (``"Care leavers"``).
        keyword
            Only definitions whose id, title, description, keywords, topic, family, LAIT short name
            or national indicator mention it (case-insensitive).
        year
            The versions in force in this collection year instead of the latest ones.

        Returns
        -------
        list[IndicatorDefinition]
            By id.

        Raises
        ------
        UnknownTopicError
            A topic the catalogue does not hold (listing the topics), never an empty list.
        ValueError
            A family that is not one of :class:`~cyp_indicators.Family`'s values.

        Examples
        --------
        >>> cat = load_catalogue()
        >>> neet = cat.list(topic="Care leavers", keyword="neet")
        >>> "care_leavers_neet_pct" in [d.id for d in neet], {d.topic for d in neet}
        (True, {'care_leavers'})
        """
        pool = (
            list(self.in_force(year).values())
            if year is not None
            else [next(reversed(v.values())) for v in self._by_id.values()]
        )
        fam = Family(family) if isinstance(family, str) else family
        wanted = self._topic(topic) if topic is not None else None
        return [
            d
            for d in pool
            if (fam is None or d.family is fam)
            and (wanted is None or d.topic == wanted)
            and (keyword is None or _matches(d, keyword))
        ]

    @property
    def topics(self) -> builtins.list[str]:
        """The topics of the definitions held, in the catalogue's order (``model.topics.TOPICS``)."""
        held = {d.topic for versions in self._by_id.values() for d in versions.values()}
        order = [t for t in TOPICS if t in held]
        return order + sorted(held - set(order))

    def _topic(self, topic: str) -> str:
        """A topic as written (``"care_leavers"``) or by its title (``"Care leavers"``); anything
        else is :class:`UnknownTopicError` listing the topics."""
        text = topic.strip()
        known = self.topics
        if text in known:
            return text
        by_title = {topic_title(t).lower(): t for t in known}
        if text.lower() in by_title:
            return by_title[text.lower()]
        close = difflib.get_close_matches(text, known, n=3, cutoff=0.5)
        msg = f"no topic {topic!r}; the topics are {', '.join(known)}"
        raise UnknownTopicError(msg, close)

    def search(self, text: str) -> builtins.list[IndicatorDefinition]:
        """Latest versions whose id, title, description, keywords or provenance mention ``text``.

        The same as :meth:`list` with ``keyword=text``.

        Parameters
        ----------
        text
            The text to look for (case-insensitive).

        Returns
        -------
        list[IndicatorDefinition]
            By id.

        Examples
        --------
        >>> found = load_catalogue().search("re-referral")
        >>> "re_referral_within_12_months_pct" in [d.id for d in found]
        True
        """
        return self.list(keyword=text)

    @property
    def ids(self) -> builtins.list[str]:
        """Every id held, sorted."""
        return builtins.list(self._by_id)

    @property
    def packs(self) -> tuple[YearPack, ...]:
        """The year packs, oldest first."""
        return self._packs

    def to_frame(self, *, year: int | None = None) -> pl.DataFrame:
        """A one-row-per-definition summary (latest versions, or those in force in ``year``).

        Parameters
        ----------
        year
            Summarise the versions in force in this collection year instead of the latest ones.

        Returns
        -------
        polars.DataFrame
            Columns ``id``, ``version``, ``title``, ``family``, ``topic``, ``unit``, ``polarity``,
            ``period_type``, ``decimal_places``, ``valid_from``, ``valid_to`` (null: still valid).

        Examples
        --------
        >>> frame = load_catalogue().to_frame(year=2024)
        >>> frame.filter(id="cla_rate_per_10k").select("version", "unit", "decimal_places").row(0)
        ('1.0.0', 'per_10000', 0)
        """
        rows = [
            {
                "id": d.id,
                "version": str(d.version),
                "title": d.title,
                "family": d.family.value,
                "topic": d.topic,
                "unit": d.unit_name,
                "polarity": d.polarity.value,
                "period_type": d.period_type.value,
                "decimal_places": d.presentation.decimal_places,
                "valid_from": d.valid_from,
                "valid_to": d.valid_to,
            }
            for d in self.list(year=year)
        ]
        return pl.DataFrame(rows, schema_overrides={"valid_to": pl.Int64})

    def __iter__(self) -> Iterator[IndicatorDefinition]:
        for versions in self._by_id.values():
            yield from versions.values()

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_id.values())

    def __contains__(self, id: object) -> bool:
        return id in self._by_id

    def __repr__(self) -> str:
        return f"<Catalogue: {len(self._by_id)} ids, {len(self)} versions, {len(self._packs)} year packs>"


def _matches(d: IndicatorDefinition, keyword: str) -> bool:
    needle = keyword.lower()
    hay = " ".join(
        [
            d.id,
            d.title,
            d.description,
            *d.keywords,
            d.topic,
            d.family.value,
            d.provenance.lait_short_name or "",
            d.provenance.national_indicator or "",
        ]
    ).lower()
    return needle in hay


def _toml_files(folder: Path) -> list[Path]:
    """Every ``.toml`` file under ``folder``, sorted, linked sub-folders followed.

    A link to a folder is followed (a council may keep shared definitions in one place and link
    them in), except a link back to a folder above it, which would never end: that is a
    :class:`DefinitionError` naming the link.
    """
    found: list[Path] = []

    def walk(here: Path, above: tuple[str, ...]) -> None:
        with os.scandir(here) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = here / entry.name
                if entry.is_dir():  # follows a link
                    real = os.path.realpath(path)
                    if real in above:
                        issue = SchemaIssue(
                            "$",
                            f"a link to {real!r}, a folder above it: following it would never end",
                        )
                        raise DefinitionError(str(path), [issue])
                    walk(path, (*above, real))
                elif entry.name.endswith(".toml"):
                    found.append(path)  # a pipe, a device or a broken link: read_toml says so

    walk(folder, (os.path.realpath(folder),))
    return sorted(found)


def _read_folder(folder: Path) -> tuple[list[IndicatorDefinition], list[YearPack]]:
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        msg = f"definitions folder {str(folder)!r} {what}"
        raise FileNotFoundError(msg)
    definitions: list[IndicatorDefinition] = []
    packs: list[YearPack] = []
    for path in _toml_files(folder):
        folders = path.relative_to(folder).parts[:-1]
        if "comparators" in folders:  # comparator sets: see cyp_indicators.compare
            continue
        if "packs" in folders:
            packs.append(read_pack(path))
        else:
            definitions.append(read_definition(path))
    return definitions, packs


@cache
def _bundled() -> tuple[tuple[IndicatorDefinition, ...], tuple[YearPack, ...]]:
    from .catalogue_cache import cached_bundled

    cached = cached_bundled()  # the files as checked when the library was built, if unchanged
    if cached is not None:
        return cached
    definitions, packs = _read_folder(bundled_definitions())
    return tuple(definitions), tuple(packs)


def load_catalogue(*folders: str | Path, bundled: bool = True) -> Catalogue:
    """Load the bundled catalogue and, optionally, a council's own definitions folders.

    Every file is checked against the JSON Schema in ``validation/`` exactly like the bundled
    ones. Files under a ``packs/`` folder are year packs, files under a ``comparators/`` folder are
    left to :mod:`cyp_indicators.compare`. Linked sub-folders are followed; only regular files are
    read. A council's definitions and packs add to the library's, never change them.

    Parameters
    ----------
    *folders
        Folders of a council's own ``.toml`` definitions (and packs), read in full each call.
    bundled
        Include the library's definitions (read once per process, from a record of the files as
        checked when the library was built while every file is unchanged).

    Returns
    -------
    Catalogue
        The definitions and year packs of every source.

    Raises
    ------
    DefinitionError
        A file that cannot be read or breaks the schema (naming the file, the field path, the
        line and what is wrong); a council's definition with a bundled id, or a council's pack
        that adds, changes or removes a bundled id; a link to a folder above it.
    FileNotFoundError
        A folder that does not exist or is not a folder.
    ValueError
        An empty folder name (it would be the current folder, and every ``.toml`` file under it).

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat.get("cla_rate_per_10k").unit
    <Unit('per_10000')>
    """
    definitions: list[IndicatorDefinition] = []
    packs: list[YearPack] = []
    if bundled:
        d, p = _bundled()
        definitions.extend(d)
        packs.extend(p)
    bundled_ids = {d.id for d in definitions}
    for folder in folders:
        if not str(folder).strip():
            msg = "a definitions folder needs a name (an empty one is the current folder)"
            raise ValueError(msg)
        d2, p2 = _read_folder(Path(folder))
        taken = [d for d in d2 if d.id in bundled_ids]
        if taken:  # a council's version of a bundled id would silently shadow the library's
            first = taken[0]
            issue = SchemaIssue(
                "$.id",
                f"{first.id!r} is the id of a bundled definition; a council's own definition needs "
                "an id of its own (a new version of a bundled definition belongs in the library)",
            )
            raise DefinitionError(first.source_file or str(folder), [issue])
        for pack in p2:
            _check_council_pack(pack, bundled_ids)
        definitions.extend(d2)
        packs.extend(p2)
    return Catalogue(definitions, packs)


def _check_council_pack(pack: YearPack, bundled_ids: set[str]) -> None:
    """A council's pack may bring its own ids into force, never add, change or remove the
    library's: it would change the bundled figures for every year after it without a word.
    (Recording a reform, ``replaced``, changes no figure: it links series and marks a break.)"""
    removed = [(i, ident) for i, ident in enumerate(pack.removed) if ident in bundled_ids]
    changed = [
        (i, f"{ident}@{version}")
        for i, (ident, version) in enumerate(pack.added_or_changed)
        if ident in bundled_ids
    ]
    if not removed and not changed:
        return
    _, text = read_toml(Path(str(pack.source_file)))
    issues: list[Problem] = [
        SchemaIssue(
            f"$.removed[{i}]",
            f"{ident!r} is a bundled definition; a council's pack cannot remove it "
            "(leave it out of your own reports instead)",
            locate(text, ["removed"]),
        )
        for i, ident in removed
    ]
    issues += [
        SchemaIssue(
            f"$.added_or_changed[{i}]",
            f"{key} is a bundled definition; a council's pack cannot change which version of "
            "it is in force",
            locate(text, ["added_or_changed"]),
        )
        for i, key in changed
    ]
    if issues:
        raise DefinitionError(str(pack.source_file), issues)
