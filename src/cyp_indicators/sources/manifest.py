"""The manifest of bundled published data: where each file came from (source, commit, date,
licence). The library reads it to name the source of every published figure."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import attrs
import polars as pl

from ..errors import PublishedDataError
from ..resources import data_file

__all__ = ["PublishedSource", "bundled_source", "published_sources"]

_MANIFEST = "published/manifest.toml"


@attrs.frozen(kw_only=True)
class PublishedSource:
    """One bundled published file: its name, where it is stored, what it is and where it came from.

    Parameters
    ----------
    name
        The file as DfE publishes it (``"la_cla_swcount.csv"``), or the library's name for it
        (``"lait"``, ``"dashboard:cla_rates"``).
    file
        Where it is stored, under ``data/published/``.
    kind
        ``"lait"``, ``"ees"``, ``"dashboard"``, ...
    title, publisher
        What it is and who publishes it.
    original
        Its path in the source repository.
    repository
        Where it was taken from.
    commit
        The source repository's commit.
    vintage
        The snapshot's date.
    licence
        Its licence (the Open Government Licence).
    note
        Anything else, where there is something.

    Examples
    --------
    >>> source = bundled_source("lait")
    >>> source.kind, source.path.name
    ('lait', 'bds_long.parquet')
    """

    name: str
    file: str
    kind: str
    title: str
    publisher: str
    original: str
    repository: str
    commit: str
    vintage: str
    licence: str
    note: str | None = None

    @property
    def path(self) -> Path:
        """The bundled file."""
        return data_file(f"published/{self.file}")

    @property
    def label(self) -> str:
        """A one-line citation: title, repository path, commit and date."""
        short = self.commit.split()[0][:7]
        return f"{self.title} ({self.repository} {self.original}, commit {short}, {self.vintage})"


@cache
def _manifest() -> tuple[PublishedSource, ...]:
    path = data_file(_MANIFEST)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(PublishedSource(**entry) for entry in doc["sources"])


def bundled_source(name: str) -> PublishedSource:
    """The manifest entry of a bundled file by name (``"lait"``, ``"la_cla_swcount.csv"``).

    Parameters
    ----------
    name
        The file's name in the manifest.

    Returns
    -------
    PublishedSource
        Its entry.

    Raises
    ------
    PublishedDataError
        No bundled file of that name (listing the names).

    Examples
    --------
    >>> bundled_source("la_cla_swcount.csv").kind
    'ees'
    """
    for source in _manifest():
        if source.name == name:
            return source
    known = ", ".join(s.name for s in _manifest())
    msg = f"no bundled published file {name!r}; bundled: {known}"
    raise PublishedDataError(name, msg)


def published_sources() -> pl.DataFrame:
    """The bundled published files, one row each, with where each came from.

    Returns
    -------
    polars.DataFrame
        ``name``, ``file``, ``kind`` (``lait``, ``ees``, ...), ``title``, ``publisher``,
        ``original`` (path in the source repository), ``repository``, ``commit``, ``vintage`` (the
        snapshot's date), ``licence``, ``note``; all text.

    Examples
    --------
    >>> published_sources().filter(published_sources()["name"] == "lait")["commit"][0][:7]
    '2e30e39'
    """
    rows = [attrs.asdict(s) for s in _manifest()]
    return pl.DataFrame(rows, schema={f.name: pl.String for f in attrs.fields(PublishedSource)})
