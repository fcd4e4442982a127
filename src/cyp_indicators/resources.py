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
    """The folder of bundled definition files (``definitions/`` in the repository).

    Returns
    -------
    pathlib.Path
        Inside the installed package (``_bundled/definitions``), or the repository's folder in a
        source checkout.

    Raises
    ------
    FileNotFoundError
        Neither is there (a broken installation).

    Examples
    --------
    >>> (bundled_definitions() / "packs" / "2014.toml").is_file()
    True
    """
    return _bundled("definitions")


def bundled_schema(name: str) -> Path:
    """A file of ``validation/``: a JSON Schema (``indicator.schema.json``, ...) or a registry.

    Parameters
    ----------
    name
        The file's name.

    Returns
    -------
    pathlib.Path
        Its path (installed or in a source checkout); whether it exists is not checked.

    Raises
    ------
    FileNotFoundError
        The ``validation`` folder is neither installed nor in a source checkout.

    Examples
    --------
    >>> bundled_schema("indicator.schema.json").is_file()
    True
    """
    return _bundled("validation") / name


def data_file(name: str) -> Path:
    """A bundled reference-data file of ``cyp_indicators/data``.

    Parameters
    ----------
    name
        Its path under ``data/`` (``"geography/la_codes.csv"``).

    Returns
    -------
    pathlib.Path
        Its path; whether it exists is not checked.

    Examples
    --------
    >>> data_file("geography/la_codes.csv").is_file()
    True
    """
    return _PACKAGE / "data" / name
