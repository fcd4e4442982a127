"""``cyp-indicators validate``: check a council's definitions against the schema."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, _toml_files, load_catalogue
from ..compare.groups import load_comparator_set
from ..errors import DataError
from ..loader import read_definition, read_pack


def _validate_file(path: Path, *, alone: bool) -> str:
    """Check one file: a definition (against the bundled ones unless alone), pack or SN set."""
    if path.suffix.lower() != ".toml":
        msg = f"{str(path)!r} is not a .toml file; validate takes a folder or one .toml file"
        raise DataError(msg)
    if path.parent.name == "comparators":
        sn = load_comparator_set(path)
        return f"comparator set {sn.id}@{sn.version}"
    if path.parent.name == "packs":
        pack = read_pack(path)
        return f"year pack {pack.year}; the definitions it names are checked with its folder"
    d = read_definition(path)
    base = load_catalogue(bundled=not alone)
    Catalogue([*base, d], base.packs)  # raises if it clashes with a bundled definition
    return d.key


def run(args: argparse.Namespace) -> int:
    path = Path(args.folder)
    if path.is_file():
        print(f"{args.folder}: valid ({_validate_file(path, alone=args.alone)})")
        return 0
    if not path.is_dir():
        what = "not a regular file or a folder" if path.exists() else "no such folder or file"
        msg = f"{what}: {args.folder!r}"
        raise DataError(msg)
    files = [
        p
        for p in _toml_files(path)  # linked sub-folders too, as load_catalogue reads them
        if not {"comparators", "packs"} & set(p.relative_to(path).parts)
    ]
    if not files:
        msg = f"{args.folder}: no definition files (*.toml) found in the folder"
        raise DataError(msg)
    cat = load_catalogue(path, bundled=not args.alone)
    print(f"{args.folder}: valid ({cat})")
    return 0


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    val = sub.add_parser(
        "validate",
        help="check a folder (or one file) of definitions against the schema",
        parents=parents,
    )
    val.add_argument("folder", metavar="PATH")
    val.add_argument("--alone", action="store_true", help="without the bundled catalogue")
    val.set_defaults(func=run)
