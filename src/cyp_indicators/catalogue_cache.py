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
    """The definition and pack files of ``folder`` (comparator sets aside), as the catalogue
    reads them: (path relative to the folder, path)."""
    from .catalogue import _toml_files

    out = []
    for path in _toml_files(folder):
        relative = path.relative_to(folder)
        if "comparators" in relative.parts[:-1]:
            continue
        out.append((relative.as_posix(), path))
    return out


def build_cache(folder: Path | None = None) -> dict[str, Any]:
    """Read and check every file of the bundled folder in full (raising as the catalogue does)
    and return the record :func:`cached_bundled` uses."""
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
    """The bundled definitions and year packs from the record, or None when any file or
    dependency differs from what was checked (the caller then reads the folder in full)."""
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
