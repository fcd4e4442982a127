"""Comparator sets: DfE's statistical neighbours (2021, 2025) and councils' own groups.

A set is versioned reference data in a TOML file checked against
``validation/comparator_set.schema.json``. Each group belongs either to one LA (its ranked
neighbours) or is a named group (a region, a partnership, "local comparators"). Codes may be old
3-digit LA numbers or ONS codes; they are stored as old numbers.

Every LA has at most one group, never a merge of several: its own group if it has one, else the
first named group listing it. :meth:`ComparatorSet.group`, :meth:`~ComparatorSet.neighbours`,
:meth:`~ComparatorSet.to_frame` and :func:`aggregate_neighbours` (its ``sn_group`` column) all
follow this rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import attrs
import jsonschema
import polars as pl

from ..errors import (
    DefinitionError,
    SchemaIssue,
    UnknownAreaError,
    UnknownComparatorSetError,
)
from ..geography import canonical_la
from ..loader import locate, read_toml
from ..resources import bundled_definitions, bundled_schema

__all__ = [
    "CLOSENESS",
    "ComparatorGroup",
    "ComparatorSet",
    "comparator_set",
    "load_comparator_set",
    "neighbour_set",
    "neighbour_set_versions",
]

#: Closeness bands of DfE's statistical neighbours, closest first.
CLOSENESS = ("extremely close", "very close", "close", "somewhat close", "not close")


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _optional_strings(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen(kw_only=True)
class ComparatorGroup:
    """One group: an LA's ranked comparators (``la`` set) or a named group of members.

    Parameters
    ----------
    members
        Old LA numbers, closest first for an LA's own group (the LA itself may be listed).
    la
        The LA whose comparators these are (None for a named group).
    name
        The group's name (a region, a partnership, "local comparators").
    closeness
        DfE's closeness band of each member (:data:`CLOSENESS`), where given.

    Examples
    --------
    >>> g = ComparatorGroup(members=["873", "882"], la="874", closeness=["very close", "close"])
    >>> g.label, ComparatorGroup(members=["873"], name="Eastern partnership").label
    ('comparators of 874', 'Eastern partnership')
    """

    members: tuple[str, ...] = attrs.field(converter=_strings)
    la: str | None = None
    name: str | None = None
    closeness: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_strings)

    @property
    def label(self) -> str:
        """The group's name, or "comparators of <la>"."""
        return self.name or f"comparators of {self.la}"


def _groups(value: Iterable[ComparatorGroup]) -> tuple[ComparatorGroup, ...]:
    return tuple(value)


@cache
def _group_of(sets: ComparatorSet) -> dict[str, ComparatorGroup]:
    return sets._group_of()


@cache
def _frame_of(sets: ComparatorSet) -> pl.DataFrame:
    return sets._to_frame()


@attrs.frozen(kw_only=True, cache_hash=True)
class ComparatorSet:
    """A versioned set of comparator groups; every LA has at most one group.

    Build one with :func:`load_comparator_set` (a file), :func:`neighbour_set` (DfE's) or
    :func:`comparator_set` (in code).

    Parameters
    ----------
    id, version
        The set's identity: ``key`` (``dfe_sn@2025``) travels with every aggregate computed from
        the set (``sn_set`` column).
    title
        Its name in words.
    kind
        ``"statistical_neighbours"``, ``"custom"``, ...
    groups
        The groups (:class:`ComparatorGroup`).
    published, source
        When and where it was published.
    serves_from, serves_to
        The collection years it serves (None: no limit).
    default
        Whether it is the default among the sets serving a year.
    serves_note
        Why it serves those years.
    source_file
        The file it was read from (not part of equality).

    Examples
    --------
    >>> sn = neighbour_set("2025")
    >>> sn.key, sn.neighbours("874")[:3]
    ('dfe_sn@2025', ('331', '831', '312'))
    """

    id: str
    version: str
    title: str
    kind: str
    groups: tuple[ComparatorGroup, ...] = attrs.field(converter=_groups, repr=False)
    published: str | None = None
    source: str | None = None
    serves_from: int | None = None
    serves_to: int | None = None
    default: bool = False
    serves_note: str | None = None
    source_file: str | None = attrs.field(default=None, eq=False)

    @property
    def key(self) -> str:
        """``id@version``, e.g. ``dfe_sn@2025``."""
        return f"{self.id}@{self.version}"

    def serves(self, year: int) -> bool:
        """Whether the set is used for collection ``year``.

        Parameters
        ----------
        year
            A collection year.

        Returns
        -------
        bool
            Within its ``[serves]`` years; a set that names none serves every year.

        Examples
        --------
        >>> neighbour_set("2025").serves(2022)
        True
        """
        if self.serves_from is not None and year < self.serves_from:
            return False
        return self.serves_to is None or year <= self.serves_to

    @property
    def las(self) -> tuple[str, ...]:
        """LAs that have their own group (old LA numbers)."""
        return tuple(g.la for g in self.groups if g.la is not None)

    def group_of(self) -> dict[str, ComparatorGroup]:
        """Each LA's one group: its own group, else the first named group that lists it.

        Returns
        -------
        dict[str, ComparatorGroup]
            Old LA number -> its group (a new dict on each call).
        """
        return dict(_group_of(self))

    def _group_of(self) -> dict[str, ComparatorGroup]:
        chosen = {g.la: g for g in self.groups if g.la is not None}
        for g in self.groups:
            if g.la is None:
                for member in g.members:
                    chosen.setdefault(member, g)
        return chosen

    def group(self, la: str) -> ComparatorGroup:
        """The group of ``la``.

        Parameters
        ----------
        la
            An LA's old number or ONS code.

        Returns
        -------
        ComparatorGroup
            Its own group, else the first named group that lists it.

        Raises
        ------
        UnknownComparatorSetError
            The LA has no group in the set (naming the set).

        Examples
        --------
        >>> neighbour_set("2025").group("E06000031").closeness[:2]
        ('very close', 'very close')
        """
        found = _group_of(self).get(canonical_la(la) or la)
        if found is None:
            msg = f"LA {la!r} has no group in comparator set {self.key}"
            raise UnknownComparatorSetError(msg)
        return found

    def neighbours(self, la: str) -> tuple[str, ...]:
        """The comparators of ``la`` in rank order (members other than the LA itself).

        Parameters
        ----------
        la
            An LA's old number or ONS code.

        Returns
        -------
        tuple[str, ...]
            Old LA numbers.

        Raises
        ------
        UnknownComparatorSetError
            The LA has no group in the set.

        Examples
        --------
        >>> sets = comparator_set("east", [("Eastern partnership", ["874", "873", "881"])])
        >>> sets.neighbours("881")
        ('874', '873')
        """
        g = self.group(la)
        return tuple(m for m in g.members if m != (canonical_la(la) or la))

    def to_frame(self) -> pl.DataFrame:
        """The set in long form, one row per LA and comparator.

        Each LA's rows are its one group (:meth:`group_of`) and its members exactly as
        :meth:`neighbours` gives them; in a named group they are the other members. Built once per
        set; each call hands out a new frame.

        Returns
        -------
        polars.DataFrame
            ``la``, ``group`` (its label), ``rank`` (1 = closest), ``member``, ``closeness``.

        Examples
        --------
        >>> neighbour_set("2025").to_frame().filter(la="874").head(2).rows()
        [('874', 'comparators of 874', 1, '331', 'very close'), ('874', 'comparators of 874', 2, '831', 'very close')]
        """
        return _frame_of(self).clone()

    def _to_frame(self) -> pl.DataFrame:
        rows: list[dict[str, object]] = []
        for la, g in _group_of(self).items():
            others = [
                (member, g.closeness[i] if g.closeness else None)
                for i, member in enumerate(g.members)
                if member != la
            ]
            for rank, (member, closeness) in enumerate(others, start=1):
                rows.append({
                    "la": la, "group": g.label, "rank": rank, "member": member,
                    "closeness": closeness,
                })  # fmt: skip
        return pl.DataFrame(
            rows,
            schema={
                "la": pl.String,
                "group": pl.String,
                "rank": pl.Int64,
                "member": pl.String,
                "closeness": pl.String,
            },
        )


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(bundled_schema("comparator_set.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def _path(parts: Iterable[object]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def load_comparator_set(path: str | Path) -> ComparatorSet:
    """Read and validate a comparator-set file (TOML); every problem is reported together.

    The file is checked against ``validation/comparator_set.schema.json``; codes may be old LA
    numbers or ONS codes and are stored as old numbers.

    Parameters
    ----------
    path
        The ``.toml`` file.

    Returns
    -------
    ComparatorSet
        The set, with ``source_file`` set.

    Raises
    ------
    DefinitionError
        Naming the file, field path and line: a file :func:`~cyp_indicators.loader.read_toml`
        refuses, schema breaches, unknown LA codes, a member listed twice (e.g. as old number and
        ONS code), closeness lists of the wrong length, an LA with two groups of its own.

    Examples
    --------
    >>> from cyp_indicators.resources import bundled_definitions
    >>> load_comparator_set(bundled_definitions() / "comparators" / "dfe_sn_2021.toml").key
    'dfe_sn@2021'
    """
    p = Path(path)
    doc, text = read_toml(p)
    issues = [
        SchemaIssue(_path(e.absolute_path), e.message, locate(text, list(e.absolute_path)))
        for e in sorted(
            _validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
    if issues:
        raise DefinitionError(str(p), issues)
    groups: list[ComparatorGroup] = []
    seen: dict[str, int] = {}
    for i, g in enumerate(doc["groups"]):
        where = ["groups", i]
        codes: list[str] = []
        for j, code in enumerate(g["members"]):
            old = canonical_la(code)
            problem = None
            if old is None:
                problem = f"unknown LA code {code!r}"
            elif old in codes:
                first = codes.index(old)
                problem = (
                    f"LA {code!r} is already a member as {g['members'][first]!r} (members[{first}])"
                )
            if problem is not None:
                issues.append(
                    SchemaIssue(
                        _path([*where, "members", j]), problem, locate(text, [*where, "members"])
                    )
                )
            codes.append(old or code)
        la = g.get("la")
        if la is not None:
            old_la = canonical_la(la)
            if old_la is None:
                issues.append(
                    SchemaIssue(
                        _path([*where, "la"]),
                        f"unknown LA code {la!r}",
                        locate(text, [*where, "la"]),
                    )
                )
            elif old_la in seen:
                issues.append(
                    SchemaIssue(
                        _path([*where, "la"]),
                        f"LA {la!r} already has a group (groups[{seen[old_la]}])",
                        locate(text, [*where, "la"]),
                    )
                )
            else:
                seen[old_la] = i
            la = old_la or la
        closeness = g.get("closeness")
        if closeness is not None and len(closeness) != len(codes):
            issues.append(
                SchemaIssue(
                    _path([*where, "closeness"]),
                    f"{len(closeness)} closeness bands for {len(codes)} members",
                    locate(text, [*where, "closeness"]),
                )
            )
        groups.append(
            ComparatorGroup(la=la, name=g.get("name"), members=codes, closeness=closeness)
        )
    if issues:
        raise DefinitionError(str(p), issues)
    serves = doc.get("serves", {})
    return ComparatorSet(
        id=doc["id"], version=doc["version"], title=doc["title"], kind=doc["kind"], groups=groups,
        published=doc.get("published"), source=doc.get("source"),
        serves_from=serves.get("from"), serves_to=serves.get("to"),
        default=bool(serves.get("default", False)), serves_note=serves.get("note"),
        source_file=str(p),
    )  # fmt: skip


def neighbour_set_versions() -> tuple[str, ...]:
    """The bundled DfE statistical-neighbour sets' versions.

    Returns
    -------
    tuple[str, ...]
        Sorted (``"2021"``, ``"2025"``).

    Examples
    --------
    >>> "2025" in neighbour_set_versions()
    True
    """
    folder = bundled_definitions() / "comparators"
    return tuple(sorted(p.stem.removeprefix("dfe_sn_") for p in folder.glob("dfe_sn_*.toml")))


@cache
def _bundled_set(version: str) -> ComparatorSet:
    path = bundled_definitions() / "comparators" / f"dfe_sn_{version}.toml"
    if not path.is_file():
        raise UnknownComparatorSetError(
            f"no statistical-neighbour set {version!r}", neighbour_set_versions()
        )
    return load_comparator_set(path)


def neighbour_set(version: str | None = None, *, year: int | None = None) -> ComparatorSet:
    """DfE's children's services statistical neighbours.

    Without ``version``, the set the data marks as DfE's current default (``[serves] default =
    true``: the May 2025 list, which LAIT and DfE's dashboard apply to every year), or with
    ``year`` the default among the sets that serve that collection year (the latest serving one
    when none is the default).

    Parameters
    ----------
    version
        A bundled set (``"2021"``: April 2021; ``"2025"``: May 2025).
    year
        A collection year the set must serve (when no version is given).

    Returns
    -------
    ComparatorSet
        The set (read once per process).

    Raises
    ------
    UnknownComparatorSetError
        No bundled set of that version, or none serving that year (listing the versions).

    Examples
    --------
    >>> neighbour_set().version, neighbour_set("2025").neighbours("874")[:2]
    ('2025', ('331', '831'))
    """
    if version is not None:
        return _bundled_set(str(version))
    sets = [_bundled_set(v) for v in neighbour_set_versions()]
    serving = [s for s in sets if year is None or s.serves(year)]
    if not serving:
        msg = f"no bundled statistical-neighbour set serves collection year {year}"
        raise UnknownComparatorSetError(msg, neighbour_set_versions())
    defaults = [s for s in serving if s.default]
    return (defaults or serving)[-1]


def comparator_set(
    id: str,
    groups: Sequence[tuple[str | None, Sequence[str]]],
    *,
    version: str = "1",
    title: str | None = None,
    kind: str = "custom",
) -> ComparatorSet:
    """Build a comparator set in code: ``groups`` are ``(la_or_name, members)`` pairs.

    A first item that is an LA code makes an LA's own group; any other text names a group. Codes
    are checked as in a file.

    Parameters
    ----------
    id
        The set's id.
    groups
        ``(la_or_name, members)`` pairs; members are old LA numbers or ONS codes.
    version
        The set's version.
    title
        Its name in words (``id`` by default).
    kind
        What kind of set it is.

    Returns
    -------
    ComparatorSet
        The set (serving every year).

    Raises
    ------
    UnknownAreaError
        An unknown member code.
    ValueError
        A member given twice (e.g. as old number and ONS code), or an LA with two groups of its
        own.

    Examples
    --------
    >>> sets = comparator_set("east", [("874", ["873", "882"]),
    ...                                ("Eastern partnership", ["874", "873", "881"])])
    >>> sets.key, sets.group("874").label, sets.group("881").label
    ('east@1', 'comparators of 874', 'Eastern partnership')
    """
    built: list[ComparatorGroup] = []
    for key, members in groups:
        codes = []
        for code in members:
            old = canonical_la(code)
            if old is None:
                msg = f"comparator set {id!r}: unknown LA code {code!r} in group {key!r}"
                raise UnknownAreaError(msg)
            if old in codes:
                msg = f"comparator set {id!r}: LA {code!r} is a member of group {key!r} twice"
                raise ValueError(msg)
            codes.append(old)
        la = canonical_la(key) if key is not None else None
        if la is not None and la in (g.la for g in built):
            msg = f"comparator set {id!r}: LA {key!r} has two groups of its own"
            raise ValueError(msg)
        built.append(ComparatorGroup(la=la, name=None if la else key, members=codes))
    return ComparatorSet(id=id, version=version, title=title or id, kind=kind, groups=built)
