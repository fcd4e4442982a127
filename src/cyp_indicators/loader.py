"""Reading definition and year-pack files: safe TOML parsing, schema checks, located errors.

Every problem in a file is reported at once, each with its field path (``$.numerator.column``) and,
where the text allows, its line. No file can run code: TOML is parsed by the standard library's
``tomllib`` and only plain values come out.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import jsonschema

from .errors import DefinitionError, Problem, SchemaIssue
from .model import IndicatorDefinition, Version
from .resources import bundled_schema
from .units import unit_name

__all__ = [
    "MAX_TOML_BYTES",
    "Replacement",
    "YearPack",
    "pack_from_mapping",
    "read_definition",
    "read_pack",
    "read_toml",
]

_TOML_LINE = re.compile(r"at line (\d+)")

#: The largest definition, pack or comparator-set file read (the bundled ones are under 10 KB).
MAX_TOML_BYTES = 1_000_000


@attrs.frozen(kw_only=True)
class Replacement:
    """A reform recorded in a year pack: from ``year`` the measure ``id`` is replaced by ``by``.

    A time series is not comparable across it (:meth:`~cyp_indicators.Catalogue.breaks` reports
    it as a break).

    Parameters
    ----------
    year
        The collection year of the first figure of the new measures.
    id
        The measure replaced.
    by
        The measures replacing it (one or more ids).
    note
        Why, in words.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> r = cyp.load_catalogue().replaced_by("ks4_5ac_pct")[0]
    >>> r.year, r.id, r.by
    (2016, 'ks4_5ac_pct', ('attainment_8',))
    """

    year: int
    id: str
    by: tuple[str, ...]
    note: str


@attrs.frozen(kw_only=True)
class YearPack:
    """The changes one collection year makes to the catalogue (the year chain).

    The pack in force for year N is the pack of the previous year plus the definitions
    ``added_or_changed`` in year N, minus those ``removed``.

    Parameters
    ----------
    year
        The collection year the changes take effect.
    added_or_changed
        ``(id, version)`` pairs brought into force from ``year``.
    removed
        Ids no longer in force from ``year``.
    replaced
        The reforms of ``year`` (:class:`Replacement`).
    note
        Why, in words (optional).
    source_file
        The file it was read from (not part of equality).

    Examples
    --------
    >>> pack = pack_from_mapping({"year": 2030, "added_or_changed": ["cla_rate_per_10k@1.0.0"]})
    >>> pack.year, [(i, str(v)) for i, v in pack.added_or_changed], pack.removed
    (2030, [('cla_rate_per_10k', '1.0.0')], ())
    """

    year: int
    added_or_changed: tuple[tuple[str, Version], ...] = ()
    removed: tuple[str, ...] = ()
    replaced: tuple[Replacement, ...] = ()
    note: str | None = None
    source_file: str | None = attrs.field(default=None, eq=False)


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads(bundled_schema(name).read_text(encoding="utf-8"))
    # the bundled schemas are checked against their metaschema by the tests, not on every load
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_TOML_BYTES`.

    A named pipe, a device (``/dev/zero``) or a socket, even behind a link, is refused before it
    is opened: reading one would wait forever or never end.
    """
    try:
        kind = os.stat(path).st_mode
    except FileNotFoundError:
        raise DefinitionError(str(path), [SchemaIssue("$", "no such file")]) from None
    if not stat.S_ISREG(kind):
        what = "a folder" if stat.S_ISDIR(kind) else "not a regular file (a pipe or a device?)"
        raise DefinitionError(str(path), [SchemaIssue("$", f"{what}; a TOML file is expected")])
    # O_NONBLOCK: should the file have been swapped for a pipe since, opening it does not wait
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise DefinitionError(str(path), [SchemaIssue("$", "not a regular file")])
        data = handle.read(MAX_TOML_BYTES + 1)
    if len(data) > MAX_TOML_BYTES:
        issue = SchemaIssue("$", f"larger than {MAX_TOML_BYTES:,} bytes: not a definition file")
        raise DefinitionError(str(path), [issue])
    return data


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file safely: plain values only, a syntax error located at its line.

    Only a regular file (links followed) of at most :data:`MAX_TOML_BYTES` is read, as UTF-8 text
    (a byte-order mark allowed); a pipe or a device is refused before it is opened.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    tuple[dict[str, Any], str]
        The parsed document and the text (to locate problems by line).

    Raises
    ------
    DefinitionError
        A file that does not exist, is not a regular file, is too large, is not UTF-8 or is not
        valid TOML (with the line where the parser says), naming the file.

    Examples
    --------
    >>> from cyp_indicators.resources import bundled_definitions
    >>> doc, text = read_toml(bundled_definitions() / "social_care" / "cla_rate_per_10k.v1.toml")
    >>> doc["id"], doc["unit"]
    ('cla_rate_per_10k', 'per_10000')
    """
    try:
        text = _read_regular(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DefinitionError(str(path), [SchemaIssue("$", f"not UTF-8 text: {exc}")]) from exc
    try:
        return tomllib.loads(text), text
    except RecursionError as exc:
        issue = SchemaIssue("$", "invalid TOML: arrays or tables nested too deeply to read")
        raise DefinitionError(str(path), [issue]) from exc
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        line = int(m[1]) if m else None
        raise DefinitionError(str(path), [SchemaIssue("$", f"invalid TOML: {exc}", line)]) from exc


def _json_path(parts: Sequence[object]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def locate(text: str, parts: Sequence[object]) -> int | None:
    """The line of the TOML text that best matches a field path (longest prefix), or None."""
    table: tuple[object, ...] = ()
    counts: dict[tuple[object, ...], int] = {}
    best: tuple[int, int] | None = None
    target = tuple(parts)
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[["):
            name = tuple(line[2 : line.find("]]")].strip().split("."))
            counts[name] = counts.get(name, -1) + 1
            table = (*name, counts[name])
            here = table
        elif line.startswith("["):
            table = tuple(line[1 : line.find("]")].strip().split("."))
            here = table
        elif "=" in line:
            key = line.split("=", 1)[0].strip().strip('"')
            here = (*table, *key.split("."))
        else:
            continue
        if target[: len(here)] == here and (best is None or len(here) > best[0]):
            best = (len(here), number)
    return best[1] if best else None


def _schema_issues(doc: dict[str, Any], text: str, schema: str) -> list[Problem]:
    errors = sorted(
        _validator(schema).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))
    )
    return [
        SchemaIssue(_json_path(e.absolute_path), e.message, locate(text, list(e.absolute_path)))
        for e in errors
    ]


def read_definition(path: Path) -> IndicatorDefinition:
    """Read, schema-check and build one definition file; every problem is reported together.

    The checks: the JSON Schema (``validation/indicator.schema.json``), the unit, the model's own
    rules, the LAIT short names (against LAIT's data dictionary), the derivation and the pupil rule
    (against their registries, with close matches).

    Parameters
    ----------
    path
        The ``.toml`` file.

    Returns
    -------
    IndicatorDefinition
        The definition, with ``source_file`` set to ``path``.

    Raises
    ------
    DefinitionError
        A file :func:`read_toml` refuses, or every problem the checks find, each with its field
        path and line.

    Examples
    --------
    >>> from cyp_indicators.resources import bundled_definitions
    >>> read_definition(bundled_definitions() / "social_care" / "cla_rate_per_10k.v1.toml").key
    'cla_rate_per_10k@1.0.0'
    """
    doc, text = read_toml(path)
    issues = _schema_issues(doc, text, "indicator.schema.json")
    if issues:
        raise DefinitionError(str(path), issues)
    try:
        unit_name(doc["unit"])
    except ValueError as exc:
        raise DefinitionError(
            str(path), [SchemaIssue("$.unit", str(exc), locate(text, ["unit"]))]
        ) from exc
    try:
        definition = IndicatorDefinition.from_mapping(doc, source_file=str(path))
    except (ValueError, TypeError) as exc:
        field = re.search(r"'(\w+)'", str(exc))
        parts = [field[1]] if field else []
        line = locate(text, parts) if parts else None
        raise DefinitionError(str(path), [SchemaIssue(_json_path(parts), str(exc), line)]) from exc
    issues = _lait_issues(doc, text) + _derivation_issues(doc, text) + _pupil_rule_issues(doc, text)
    if issues:
        raise DefinitionError(str(path), issues)
    return definition


@cache
def _derivations() -> dict[str, Any]:
    """The registry's derivations and parameters (``validation/derivations.json``, generated)."""
    data: dict[str, Any] = json.loads(
        bundled_schema("derivations.json").read_text(encoding="utf-8")
    )
    return data


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "text"


def _derivation_issues(doc: dict[str, Any], text: str) -> list[Problem]:
    """A derivation the registry does not hold, or a parameter it does not take (or of the wrong
    kind), each with close matches."""
    return _registry_issues(
        doc, text, "derivation", ("record-level derivation", "derivation"), _derivations()
    )


@cache
def _pupil_rules() -> dict[str, Any]:
    """The registry's pupil rules, their kinds and parameters (``validation/pupil_rules.json``,
    generated)."""
    data: dict[str, Any] = json.loads(
        bundled_schema("pupil_rules.json").read_text(encoding="utf-8")
    )
    return data


_RULE_FAMILIES = {
    "share": {"proportion", "conversion", "expected_progress"},
    "mean": {"mean", "points"},
}


def _pupil_rule_issues(doc: dict[str, Any], text: str) -> list[Problem]:
    """A pupil rule the registry does not hold, a parameter it does not take (or of the wrong
    kind), each with close matches, or a rule whose kind (share, mean) does not suit the family."""
    found = _registry_issues(doc, text, "pupil_rule", ("pupil rule", "pupil rule"), _pupil_rules())
    rule = doc.get("pupil_rule")
    known = _pupil_rules().get(rule["name"]) if rule else None
    if rule and known and doc["family"] not in _RULE_FAMILIES[known["kind"]]:
        where = ["pupil_rule", "name"]
        message = (
            f"pupil rule {rule['name']!r} gives a {known['kind']} per pupil, which does not suit "
            f"a {doc['family']} definition"
        )
        found.append(SchemaIssue(_json_path(where), message, locate(text, where)))
    return found


def _registry_issues(
    doc: dict[str, Any], text: str, table: str, words: tuple[str, str], known: dict[str, Any]
) -> list[Problem]:
    """A ``[table]`` naming an entry the registry ``known`` does not hold, or a parameter it does
    not take (or of the wrong kind), each with close matches. ``words``: what an entry is called
    when it is unknown, and when it is named."""
    der = doc.get(table)
    if not der:
        return []
    what, noun = words
    name = der["name"]
    if name not in known:
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean: {', '.join(map(repr, close))}?" if close else ""
        where = [table, "name"]
        return [SchemaIssue(_json_path(where), f"no {what} {name!r}{hint}", locate(text, where))]
    takes = known[name]["parameters"]
    found: list[Problem] = []
    for key, value in der.get("parameters", {}).items():
        where = [table, "parameters", key]
        if key not in takes:
            close = difflib.get_close_matches(key, takes, n=3)
            hint = f"; did you mean: {', '.join(map(repr, close))}?" if close else ""
            takes_text = ", ".join(sorted(takes)) or "none"
            message = f"{noun} {name!r} takes no parameter {key!r}{hint} (it takes: {takes_text})"
            found.append(SchemaIssue(_json_path(where), message, locate(text, where)))
        elif _kind(value) != _kind(takes[key]):
            message = f"parameter {key!r} of {noun} {name!r} is {_kind(takes[key])}, got {value!r}"
            found.append(SchemaIssue(_json_path(where), message, locate(text, where)))
    return found


def _lait_issues(doc: dict[str, Any], text: str) -> list[Problem]:
    """A LAIT short name that LAIT's data dictionary does not hold, with close matches."""
    from .sources.lait import lait_measure_names

    provenance = doc.get("provenance", {})
    known = lait_measure_names()
    found: list[Problem] = []
    named: list[tuple[str, int | None, str]] = []
    if "lait_short_name" in provenance:
        named.append(("lait_short_name", None, provenance["lait_short_name"]))
    named += [
        ("lait_short_names", i, n) for i, n in enumerate(provenance.get("lait_short_names", []))
    ]
    for key, index, name in named:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"; did you mean: {', '.join(map(repr, close))}?" if close else ""
        parts: list[object] = ["provenance", key, *([index] if index is not None else [])]
        found.append(
            SchemaIssue(
                _json_path(parts),
                f"LAIT has no measure with short name {name!r}{hint}",
                locate(text, parts),
            )
        )
    return found


def read_pack(path: Path) -> YearPack:
    """Read and schema-check one year-pack file (``validation/year_pack.schema.json``).

    Parameters
    ----------
    path
        The ``.toml`` file (under a ``packs/`` folder).

    Returns
    -------
    YearPack
        The pack, with ``source_file`` set to ``path``.

    Raises
    ------
    DefinitionError
        A file :func:`read_toml` refuses, or every way it breaks the schema, located.

    Examples
    --------
    >>> from cyp_indicators.resources import bundled_definitions
    >>> pack = read_pack(bundled_definitions() / "packs" / "2014.toml")
    >>> pack.year, [r.id for r in pack.replaced]
    (2014, ['initial_assessment_within_timescale_pct', 'core_assessment_within_35_working_days_pct'])
    """
    doc, text = read_toml(path)
    issues = _schema_issues(doc, text, "year_pack.schema.json")
    if issues:
        raise DefinitionError(str(path), issues)
    return pack_from_mapping(doc, source_file=str(path))


def pack_from_mapping(doc: dict[str, Any], *, source_file: str | None = None) -> YearPack:
    """Build a year pack from its parsed, schema-checked document.

    Parameters
    ----------
    doc
        The document (``year``; optional ``added_or_changed`` as ``"id@major.minor.patch"``,
        ``removed``, ``replaced`` tables, ``note``).
    source_file
        Recorded on the pack.

    Returns
    -------
    YearPack
        The pack (each replacement's ``year`` is the pack's).

    Raises
    ------
    ValueError
        A version in ``added_or_changed`` that is not ``major.minor.patch`` (the schema allows
        none).

    Examples
    --------
    >>> pack = pack_from_mapping({"year": 2030, "removed": ["cla_rate_per_10k"], "note": "why"})
    >>> pack.year, pack.removed, pack.note
    (2030, ('cla_rate_per_10k',), 'why')
    """
    added = []
    for item in doc.get("added_or_changed", []):
        ident, version = item.split("@")
        added.append((ident, Version.parse(version)))
    replaced = tuple(
        Replacement(year=doc["year"], id=r["id"], by=tuple(r["by"]), note=r["note"].strip())
        for r in doc.get("replaced", [])
    )
    return YearPack(
        year=doc["year"],
        added_or_changed=tuple(added),
        removed=tuple(doc.get("removed", [])),
        replaced=replaced,
        note=doc.get("note"),
        source_file=source_file,
    )
