"""Where the bundled definitions, schemas and data live, installed or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["bundled_definitions", "bundled_schema", "data_file"]

_PACKAGE = Path(str(resources.files(__package__)))


def _bundled(name: str) -> Path:
    installed = _PACKAGE / "_bundled" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent.parent / name  # src/cyp_indicators -> repository root
    if checkout.is_dir():
        return checkout
    msg = f"bundled folder {name!r} not found in the installed package or the source checkout"
    raise FileNotFoundError(msg)


def bundled_definitions() -> Path:
    """The folder of bundled definition files (``definitions/`` in the repository)."""
    return _bundled("definitions")


def bundled_schema(name: str) -> Path:
    """A JSON Schema file of ``validation/`` (``indicator.schema.json``, ...)."""
    return _bundled("validation") / name


def data_file(name: str) -> Path:
    """A bundled reference-data file of ``cyp_indicators/data``."""
    return _PACKAGE / "data" / name
