"""Classifying pupils with an expected-progress matrix.

Each pupil's prior and outcome codes are normalised (case, spacing, "A-star" spellings,
Cyrillic/Greek look-alike letters) and looked up in the matrix's rows and columns; a missing value
falls in the row or column that takes missing values, if the matrix has one. An unknown code is an
error naming the value and the pupils' rows, never a silent "not made".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from ..errors import DataError, DuplicateKeyError, InvalidValueError
from ..model import IndicatorDefinition, ProgressMatrix, normalise_code
from ..stats.checks import check_columns

__all__ = ["classify_progress"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)
_ADDED = ("prior_code", "outcome_code", "progress", "progress_reason", "levels_of_progress")


def _matrix(definition: IndicatorDefinition | ProgressMatrix) -> ProgressMatrix:
    if isinstance(definition, ProgressMatrix):
        return definition
    if definition.matrix is None:
        msg = f"{definition.key} is a {definition.family.value} definition with no progress matrix"
        raise DataError(msg)
    return definition.matrix


def _codes(frame: pl.DataFrame, column: str, lookup: dict[str, str], role: str) -> pl.Series:
    raw = frame[column].cast(pl.String)
    keys = raw.map_elements(normalise_code, return_dtype=pl.String, skip_nulls=False).fill_null("")
    mapped = keys.replace_strict(
        list(lookup), list(lookup.values()), default=None, return_dtype=pl.String
    )
    bad = mapped.is_null()
    if bad.any():
        rows = [i for i, b in enumerate(bad.to_list()) if b]
        values = raw.filter(bad).to_list()
        expected = ", ".join(sorted(set(lookup.values())))
        rule = f"unknown {role} code(s) {sorted({str(v) for v in values})[:10]}; the matrix knows {expected}"
        raise InvalidValueError(column, rule, rows, values)
    return mapped


def classify_progress(
    pupils: F,
    definition: IndicatorDefinition | ProgressMatrix,
    *,
    prior: str,
    outcome: str,
    pupil_id: str | None = None,
) -> F:
    """Add each pupil's expected-progress outcome from the definition's matrix.

    Keeps every pupil column and adds ``prior_code`` and ``outcome_code`` (the matrix's row and
    column codes), ``progress`` ("made", "not_made" or "not_included"), ``progress_reason`` (the
    cell, in words: "Level 4 -> C: made") and ``levels_of_progress`` (outcome level
    minus prior level, null where either has no level). ``pupil_id``, if given, must be unique.

    >>> import polars as pl, cyp_indicators as cyp
    >>> m = cyp.load_catalogue().get("ks2_ks4_expected_progress", year=2011)
    >>> out = cyp.classify_progress(pl.DataFrame({"ks2": ["4"], "gcse": ["С"]}), m, prior="ks2", outcome="gcse")
    >>> out["progress"].to_list(), out["levels_of_progress"].to_list()
    (['made'], [3.0])
    """
    matrix = _matrix(definition)
    schema = pupils.collect_schema()
    required: list[tuple[str, str]] = [(prior, "prior attainment"), (outcome, "outcome")]
    if pupil_id is not None:
        required.append((pupil_id, "pupil id"))
    context = definition.key if isinstance(definition, IndicatorDefinition) else "progress matrix"
    check_columns(schema, required, context=context)
    clashes = [c for c in _ADDED if c in schema]
    if clashes:
        msg = f"the frame already has column(s) {', '.join(map(repr, clashes))}"
        raise DataError(msg)
    frame = pupils.collect() if isinstance(pupils, pl.LazyFrame) else pupils
    if pupil_id is not None:
        dups = frame.group_by(pupil_id).len().filter(pl.col("len") > 1)
        if dups.height:
            raise DuplicateKeyError(
                [pupil_id], [tuple(r) for r in dups.select(pupil_id).sort(pupil_id).rows()]
            )
    rows = _codes(frame, prior, matrix.lookup("rows"), "prior attainment")
    cols = _codes(frame, outcome, matrix.lookup("columns"), "outcome")
    table = pl.DataFrame(
        matrix.as_table(), schema=["prior_code", "outcome_code", "progress"], orient="row"
    )
    labels = pl.DataFrame(
        {
            "prior_code": [r.code for r in matrix.rows],
            "__prior_label": [r.label for r in matrix.rows],
            "__prior_level": [r.level for r in matrix.rows],
        },
        schema_overrides={"__prior_level": pl.Float64},
    )
    col_labels = pl.DataFrame(
        {
            "outcome_code": [c.code for c in matrix.columns],
            "__outcome_label": [c.label for c in matrix.columns],
            "__outcome_level": [c.level for c in matrix.columns],
        },
        schema_overrides={"__outcome_level": pl.Float64},
    )
    out = (
        frame.with_columns(rows.alias("prior_code"), cols.alias("outcome_code"))
        .join(table, on=["prior_code", "outcome_code"], how="left", maintain_order="left")
        .join(labels, on="prior_code", how="left", maintain_order="left")
        .join(col_labels, on="outcome_code", how="left", maintain_order="left")
        .with_columns(
            pl.concat_str(
                pl.col("__prior_label"), pl.lit(" -> "), pl.col("__outcome_label"), pl.lit(": "),
                pl.col("progress").str.replace("_", " "),
            ).alias("progress_reason"),
            (pl.col("__outcome_level") - pl.col("__prior_level")).alias("levels_of_progress"),
        )
        .drop("__prior_label", "__prior_level", "__outcome_label", "__outcome_level")
    )  # fmt: skip
    return out.lazy() if isinstance(pupils, pl.LazyFrame) else out


def progress_columns() -> Sequence[str]:
    """The columns :func:`classify_progress` adds."""
    return _ADDED
