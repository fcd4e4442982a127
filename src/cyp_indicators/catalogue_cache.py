"""The bundled catalogue, checked once: a record of its files as read and validated.

Reading the bundled definitions means parsing some 300 TOML files and checking each against the
JSON Schema, LAIT's dictionary and the registries of derivations and pupil rules: most of the
time a first computation takes. Those files only change with the library, so
``data/catalogue_cache.json`` (written by ``tools/gen_catalogue_cache.py``, checked current by
the tests) records each file's parsed document beside a hash of its bytes, and a hash of
everything the checks depend on. :func:`cached_bundled` uses the record only when every file
and every dependency is byte for byte what was checked; otherwise (a file edited in a source
checkout, a file added) the catalogue is read and checked in full, as any council's folder is.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .model import IndicatorDefinition
from .resources import bundled_definitions, bundled_schema, data_file

__all__ = ["CACHE_NAME", "build_cache", "cached_bundled", "definition_files"]

CACHE_NAME = "catalogue_cache.json"
_FORMAT = 1


def _dependencies() -> list[Path]:
    """What the checks of a definition file read besides the file itself."""
    from importlib import resources

    package = Path(str(resources.files(__package__)))
    return [
        bundled_schema("indicator.schema.json"),
        bundled_schema("year_pack.schema.json"),
        bundled_schema("derivations.json"),
        bundled_schema("pupil_rules.json"),
        package / "units.txt",
        data_file("published/lait/lait_data_dictionary.parquet"),
    ]


def _digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _dependency_digest() -> str:
    h = hashlib.sha1(usedforsecurity=False)
    for path in _dependencies():
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    return h.hexdigest()


def definition_files(folder: Path) -> list[tuple[str, Path]]:
    """The definition and pack files of ``folder``, as the catalogue reads them.

    Every ``.toml`` file under it, sorted, linked sub-folders followed, comparator sets (under a
    ``comparators/`` folder) left out.

    Parameters
    ----------
    folder
        A definitions folder.

    Returns
    -------
    list[tuple[str, pathlib.Path]]
        (path relative to ``folder`` with ``/`` separators, path) for each file.

    Raises
    ------
    DefinitionError
        A link to a folder above it (following it would never end).

    Examples
    --------
    >>> from cyp_indicators.resources import bundled_definitions
    >>> files = dict(definition_files(bundled_definitions()))
    >>> "social_care/cla_rate_per_10k.v1.toml" in files, "packs/2014.toml" in files
    (True, True)
    >>> any(r.startswith("comparators/") for r in files)
    False
    """
    from .catalogue import _toml_files

    out = []
    for path in _toml_files(folder):
        relative = path.relative_to(folder)
        if "comparators" in relative.parts[:-1]:
            continue
        out.append((relative.as_posix(), path))
    return out


def build_cache(folder: Path | None = None) -> dict[str, Any]:
    """Read and check every file of a definitions folder in full, and return the record of it.

    This is the record :func:`cached_bundled` uses (``tools/gen_catalogue_cache.py`` writes it for
    the bundled folder): each file's path, kind (``"definition"`` or ``"pack"``), SHA-1 of its bytes
    and parsed document, and a hash of everything the checks depend on (the schemas, the
    registries, the units and LAIT's dictionary).

    Parameters
    ----------
    folder
        The folder to read; the bundled definitions by default.

    Returns
    -------
    dict[str, Any]
        ``format``, ``dependencies`` and ``files``: plain JSON data.

    Raises
    ------
    DefinitionError
        A file the catalogue would refuse (as :func:`~cyp_indicators.loader.read_definition` and
        :func:`~cyp_indicators.loader.read_pack` raise).
    TypeError
        A value JSON cannot hold (a TOML date or time): write it as text.

    Examples
    --------
    >>> from cyp_indicators.resources import bundled_definitions
    >>> record = build_cache(bundled_definitions() / "health")
    >>> sorted(record), record["files"][0]["kind"]
    (['dependencies', 'files', 'format'], 'definition')
    """
    from .loader import read_definition, read_pack, read_toml

    root = folder if folder is not None else bundled_definitions()
    files = []
    for relative, path in definition_files(root):
        if "packs" in Path(relative).parts[:-1]:
            read_pack(path)
            kind = "pack"
        else:
            read_definition(path)
            kind = "definition"
        doc, _ = read_toml(path)
        _check_plain(doc, relative)
        files.append(
            {"path": relative, "kind": kind, "sha1": _digest(path.read_bytes()), "doc": doc}
        )
    return {"format": _FORMAT, "dependencies": _dependency_digest(), "files": files}


def _check_plain(value: object, where: str) -> None:
    """The record is JSON: a TOML date or time in a definition would not survive it."""
    if isinstance(value, dict):
        for item in value.values():
            _check_plain(item, where)
    elif isinstance(value, list):
        for item in value:
            _check_plain(item, where)
    elif not isinstance(value, str | int | float | bool):
        msg = f"{where}: {type(value).__name__} values cannot be recorded; write them as text"
        raise TypeError(msg)


def cached_bundled() -> tuple[tuple[IndicatorDefinition, ...], tuple[Any, ...]] | None:
    """The bundled definitions and year packs from the record, when nothing has changed since.

    The record (``data/catalogue_cache.json``) is used only when every file and every dependency is
    byte for byte what was checked, and the folder holds the same files; otherwise the caller reads
    and checks the folder in full.

    Returns
    -------
    tuple[tuple[IndicatorDefinition, ...], tuple[YearPack, ...]] or None
        The definitions and the packs, or None when the record is missing, unreadable, of another
        format or out of date.

    Examples
    --------
    >>> found = cached_bundled()  # tests/test_catalogue_cache.py keeps the record current
    >>> definitions, packs = found
    >>> "cla_rate_per_10k@1.0.0" in {d.key for d in definitions}, packs[0].year
    (True, 2008)
    """
    from .loader import pack_from_mapping

    record_path = data_file(CACHE_NAME)
    if not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("format") != _FORMAT or record.get("dependencies") != _dependency_digest():
        return None
    root = bundled_definitions()
    entries = {e["path"]: e for e in record["files"]}
    current = definition_files(root)
    if {r for r, _ in current} != set(entries) or len(current) != len(entries):
        return None
    definitions: list[IndicatorDefinition] = []
    packs: list[Any] = []
    for relative, path in current:
        entry = entries[relative]
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if _digest(data) != entry["sha1"]:
            return None
        if entry["kind"] == "pack":
            packs.append(pack_from_mapping(entry["doc"], source_file=str(path)))
        else:
            definitions.append(
                IndicatorDefinition.from_mapping(entry["doc"], source_file=str(path))
            )
    return tuple(definitions), tuple(packs)
