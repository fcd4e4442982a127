"""``published()``: DfE's published figures for a definition, every area and year, tidy."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import attrs
import polars as pl

from ..errors import DataError, PublishedDataError
from ..model import IndicatorDefinition
from ..results import ResultProvenance, carry
from .dashboard import dashboard_rows
from .ees import ees_rows
from .lait import LAIT_COLUMNS, lait_rows, read_lait

__all__ = ["PUBLISHED_COLUMNS", "published", "published_series", "published_with"]

#: The columns of :func:`published`, in order (a definition with a breakdown adds its column
#: after ``area_name``).
PUBLISHED_COLUMNS = (
    "time_period",
    "time_label",
    "time_span",
    "status",
    "geographic_level",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "area_code",
    "area_name",
    "value",
    "symbol",
    "definition_id",
    "definition_version",
    "series",
    "source",
    "source_file",
    "vintage",
)
_LEVEL_ORDER = {"National": 0, "Regional": 1, "Local authority": 2}


def published_series(definition: IndicatorDefinition) -> str:
    """Which published series a definition names first, the one :func:`published` reads by default.

    Parameters
    ----------
    definition
        Any definition.

    Returns
    -------
    str
        ``"lait"`` (it names a LAIT measure), ``"ees"`` (an EES file with a value column),
        ``"dashboard"`` (a dashboard metric) or ``"none"``.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> cat = cyp.load_catalogue()
    >>> published_series(cat.get("cla_rate_per_10k")), published_series(cat.get("adoption_a1_days"))
    ('lait', 'none')
    """
    prov = definition.provenance
    if prov.lait_series:
        return "lait"
    if prov.ees is not None and prov.ees.value_column is not None:
        return "ees"
    if prov.csc_dashboard_metrics:
        return "dashboard"
    return "none"


def _dashboard(definition: IndicatorDefinition) -> pl.DataFrame:
    prov = definition.provenance
    if definition.breakdown is None:
        return dashboard_rows(prov.csc_dashboard_metrics[0])
    parts = [
        dashboard_rows(level.csc_dashboard_metric).with_columns(
            pl.lit(level.code).alias(definition.breakdown.column)
        )
        for level in definition.breakdown.levels
        if level.csc_dashboard_metric
    ]
    if not parts:
        return dashboard_rows(prov.csc_dashboard_metrics[0])
    return pl.concat(parts, how="diagonal_relaxed")


def _versions(
    definition: IndicatorDefinition, catalogue: object | None, years: list[int]
) -> dict[int, IndicatorDefinition | None]:
    """The version in force each year: from the catalogue's year chain when the definition is
    one of its versions, else the given definition in its valid years."""
    from ..catalogue import Catalogue, load_catalogue

    cat = catalogue if isinstance(catalogue, Catalogue) else None
    if cat is None:
        bundled = load_catalogue()
        if definition.id in bundled and definition in bundled.history(definition.id):
            cat = bundled
    if cat is not None and definition.id in cat:
        return cat.versions_by_year(definition.id, years)
    out: dict[int, IndicatorDefinition | None] = {}
    for year in years:
        out[year] = definition if definition.valid_in(year) else None
    return out


def _looks_like_lait(path: Path) -> bool:
    if path.suffix.lower() == ".parquet":
        columns = set(pl.read_parquet_schema(path))
    else:
        with path.open(encoding="utf-8-sig") as handle:
            columns = {c.strip().strip('"') for c in handle.readline().split(",")}
    return all(c in columns for c in LAIT_COLUMNS)


def published(
    definition_or_id: IndicatorDefinition | str,
    *,
    source: Literal["lait", "ees", "dashboard"] | str | Path | None = None,
    catalogue: object | None = None,
) -> pl.DataFrame:
    """DfE's published figures for a definition: every LA, region and England, every year.

    Parameters
    ----------
    definition_or_id
        A definition, or the id of one in the bundled catalogue (or in ``catalogue``).
    source
        ``None``: the bundled series the definition names (LAIT's when it names a LAIT measure,
        else its EES file's value column, else DfE's children's social care dashboard metric).
        ``"lait"``, ``"ees"`` or ``"dashboard"`` chooses among them. A path reads a newer
        download instead: a LAIT data file (Parquet or CSV with LAIT's columns) or the EES file
        the definition names (CSV or Parquet).
    catalogue
        The catalogue whose year chain gives the version in force each year (default: the
        bundled one).

    Returns
    -------
    polars.DataFrame
        A :class:`~cyp_indicators.results.ResultFrame` carrying the versions in force and the
        source, with :data:`PUBLISHED_COLUMNS`: ``time_period`` (the collection year, int), ``time_label`` (as
        published: ``2023-24``, ``2023/24``, ``2021/22-23/24``, ``2024 (Rev)``, ``2025 (prov)``,
        ``2023-24 (OT)``; see :mod:`cyp_indicators.years`), ``time_span`` (years covered),
        ``status`` (revised, provisional, final, outturn or null), the geography
        (``geographic_level`` "National", "Regional" or "Local authority"; ``region_code`` and
        ``region_name`` as DfE places the area; ``old_la_code``, ``new_la_code``; ``area_code``:
        the LA number, region code or ``E92000001``; ``area_name``), the breakdown's column for a
        definition with one, ``value`` (Float64, null where DfE published a symbol),
        ``symbol`` (``c``, ``x``, ``z``, ``low``, ``u``; ``x`` where LAIT shows ``-``),
        ``definition_id``, ``definition_version`` (the version in force that year; null where
        none is), ``series`` (the LAIT short name or EES column), ``source`` (a citation),
        ``source_file`` and ``vintage`` (the bundled snapshot's date).

    Raises
    ------
    UnknownDefinitionError
        For an id the catalogue does not hold (with close matches).
    DataError
        When the definition names no published series, or a year label does not parse.
    PublishedDataError
        For a file of an unknown shape (naming the file and the columns expected), or a
        download that holds no rows of the definition's LAIT measures.
    FileNotFoundError
        For a ``source`` path that is not a file.

    Examples
    --------
    >>> pub = published("cla_rate_per_10k")
    >>> row = pub.filter((pub["area_code"] == "874") & (pub["time_period"] == 2025))
    >>> row["value"][0], row["time_label"][0], row["definition_version"][0]
    (72.0, '2025', '1.0.0')
    """
    if isinstance(definition_or_id, IndicatorDefinition):
        definition = definition_or_id
    else:
        from ..catalogue import Catalogue, load_catalogue

        cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue()
        definition = cat.get(str(definition_or_id))
        catalogue = cat
    frame = _read(definition, source)
    years = sorted(frame["time_period"].unique().to_list())
    return _assemble(definition, frame, _versions(definition, catalogue, years))


def published_with(
    definition: IndicatorDefinition,
    versions: Mapping[int, IndicatorDefinition | None],
    *,
    source: Literal["lait", "ees", "dashboard"] | str | Path | None = None,
) -> pl.DataFrame:
    """:func:`published` with the version in force each year given instead of looked up.

    For a caller that has them already (a report).

    Parameters
    ----------
    definition
        The definition whose series is read.
    versions
        Year -> the version in force (as :meth:`~cyp_indicators.Catalogue.versions_by_year`
        returns it); a year it does not name has no version.
    source
        As for :func:`published`.

    Returns
    -------
    polars.DataFrame
        As :func:`published` returns.

    Raises
    ------
    DataError
        The definition names no published series, or a year label does not parse.
    PublishedDataError
        A file of an unknown shape.
    FileNotFoundError
        A ``source`` path that is not a file.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> cat = cyp.load_catalogue()
    >>> d = cat.get("cla_rate_per_10k")
    >>> pub = published_with(d, {2025: d})
    >>> pub.filter(time_period=2024)["definition_version"].unique().to_list()
    [None]
    """
    return _assemble(definition, _read(definition, source), versions)


def _read(
    definition: IndicatorDefinition,
    source: Literal["lait", "ees", "dashboard"] | str | Path | None,
) -> pl.DataFrame:
    """The rows of the series a definition names (or of the file at ``source``)."""
    kind = published_series(definition)
    path: Path | None = None
    if source is not None and str(source) not in ("lait", "ees", "dashboard"):
        path = Path(source)
        if not path.is_file():
            msg = f"no such published file: {str(path)!r}"
            raise FileNotFoundError(msg)
        kind = "lait" if _looks_like_lait(path) else "ees"
        ees = definition.provenance.ees
        if kind == "ees" and (ees is None or ees.value_column is None):
            read_lait(path)  # not LAIT's shape either: an error naming the columns expected
    elif source is not None:
        kind = str(source)
    prov = definition.provenance
    if kind == "lait" and prov.lait_series:
        frame = lait_rows(prov.lait_series, path=path)
        if definition.breakdown is not None:
            levels = {
                lv.lait_short_name: lv.code
                for lv in definition.breakdown.levels
                if lv.lait_short_name
            }
            frame = frame.with_columns(
                pl.col("series")
                .replace_strict(list(levels), list(levels.values()), return_dtype=pl.String)
                .alias(definition.breakdown.column)
            )
        if frame.is_empty() and path is not None:
            msg = f"the file holds no rows of LAIT measure(s) {', '.join(prov.lait_series)}"
            raise PublishedDataError(str(path), msg)
        if source is None and definition.breakdown is not None:
            frame = _other_levels(definition, frame)
    elif kind == "ees" and prov.ees is not None:
        frame = ees_rows(prov.ees, breakdown=definition.breakdown, path=path)
    elif kind == "dashboard" and prov.csc_dashboard_metrics:
        frame = _dashboard(definition)
    else:
        wanted = {
            "lait": "a LAIT measure (provenance.lait_short_name)",
            "ees": "an EES file (provenance.ees)",
        }
        what = wanted.get(
            kind, "a published series (provenance.lait_short_name, lait_short_names or ees)"
        )
        msg = f"{definition.key} does not name {what}; published() has nothing to read"
        raise DataError(msg)
    return frame


def _other_levels(definition: IndicatorDefinition, lait: pl.DataFrame) -> pl.DataFrame:
    """LAIT's rows with the levels LAIT does not publish read from the definition's EES file
    or dashboard metric (LAIT's children in need groups of an all-pupil measure, say)."""
    assert definition.breakdown is not None
    prov = definition.provenance
    missing = [lv for lv in definition.breakdown.levels if not lv.lait_short_name]
    parts = [lait]
    from_ees = [lv for lv in missing if lv.ees_value is not None]
    if from_ees and prov.ees is not None and prov.ees.value_column is not None:
        subset = attrs.evolve(definition.breakdown, levels=tuple(from_ees), total=None)
        parts.append(ees_rows(prov.ees, breakdown=subset))
    for level in missing:
        if level.ees_value is None and level.csc_dashboard_metric:
            parts.append(
                dashboard_rows(level.csc_dashboard_metric).with_columns(
                    pl.lit(level.code).alias(definition.breakdown.column)
                )
            )
    if len(parts) == 1:
        return lait
    return pl.concat(parts, how="diagonal_relaxed")


def _assemble(
    definition: IndicatorDefinition,
    frame: pl.DataFrame,
    versions: Mapping[int, IndicatorDefinition | None],
) -> pl.DataFrame:
    """The published-values frame: versions, column order, sort order and provenance."""
    labels = {
        y: (str(d.version) if (d := versions.get(y)) is not None else None)
        for y in frame["time_period"].unique().to_list()
    }
    frame = frame.with_columns(
        pl.lit(definition.id).alias("definition_id"),
        pl.col("time_period")
        .replace_strict(list(labels), list(labels.values()), return_dtype=pl.String)
        .alias("definition_version"),
    )
    breakdown = [definition.breakdown.column] if definition.breakdown is not None else []
    columns = [*PUBLISHED_COLUMNS[:11], *breakdown, *PUBLISHED_COLUMNS[11:]]
    out = frame.select(columns).sort(
        "time_period",
        pl.col("geographic_level").replace_strict(_LEVEL_ORDER, default=3, return_dtype=pl.Int8),
        "area_code",
        *breakdown,
        maintain_order=True,
    )
    used = {d.key: d for y in labels if (d := versions.get(y)) is not None}
    sources = out["source"].unique(maintain_order=True).to_list()
    provenance = ResultProvenance(
        produced_by="published",
        definitions=sorted(used.values(), key=lambda d: d.version),
        source="; ".join(sources) or None,
    )
    return carry(out, provenance)
