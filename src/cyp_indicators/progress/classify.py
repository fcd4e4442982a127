"""Classifying pupils with an expected-progress matrix.

Each pupil's prior and outcome codes are normalised (case, spacing, "A-star" spellings,
Cyrillic/Greek look-alike letters) and looked up in the matrix's rows and columns; a missing value
falls in the row or column that takes missing values, if the matrix has one. An unknown code is an
error naming the value and the pupils' rows, never a silent "not made".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

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


def _code_map(
    frame: pl.LazyFrame, column: str, lookup: dict[str, str], role: str
) -> dict[str, str]:
    """Raw text -> matrix code for every distinct value of ``column`` (normalised once each).

    Raises :class:`InvalidValueError` naming the unknown values and their rows.
    """
    raw = pl.col(column).cast(pl.String).fill_null("")
    distinct = frame.select(raw.unique().alias("v")).collect(engine="streaming")["v"].to_list()
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for value in distinct:
        code = lookup.get(normalise_code(value))
        if code is None:
            unknown.append(value)
        else:
            mapping[value] = code
    if unknown:
        bad = (
            frame.with_row_index("__row")
            .filter(raw.is_in(unknown))
            .select("__row", pl.col(column).cast(pl.String))
            .collect()
        )
        expected = ", ".join(sorted(set(lookup.values())))
        shown = sorted(repr(v) if v else "missing" for v in unknown)[:10]
        rule = f"unknown {role} code(s) {', '.join(shown)}; the matrix knows {expected}"
        raise InvalidValueError(column, rule, bad["__row"].to_list(), bad[column].to_list())
    return mapping


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
    minus prior level, null where either has no level). The code, ``progress`` and reason columns
    are polars Enums (compare them with strings as usual). ``pupil_id``, if given, must be unique.
    A LazyFrame stays lazy: only the distinct codes are read ahead, to normalise each once.

    Parameters
    ----------
    pupils
        One row per pupil, a DataFrame or LazyFrame.
    definition
        An expected-progress definition, or its matrix.
    prior, outcome
        The columns of prior attainment (the matrix's rows) and outcome (its columns): codes in
        any spelling the matrix accepts; a missing value falls where the matrix takes missing
        values.
    pupil_id
        A column that must identify one pupil per row.

    Returns
    -------
    F
        The same kind of frame with the five columns added.

    Raises
    ------
    DataError
        A definition without a matrix, or a frame that already has an added column.
    MissingColumnError
        A column the frame does not have.
    DuplicateKeyError
        A ``pupil_id`` that repeats.
    InvalidValueError
        A code the matrix does not know (naming the values and the pupils' rows), never a silent
        "not made".

    Examples
    --------
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
    lf = pupils.lazy()
    if pupil_id is not None:
        dups = lf.group_by(pupil_id).len().filter(pl.col("len") > 1).collect(engine="streaming")
        if dups.height:
            raise DuplicateKeyError(
                [pupil_id], [tuple(r) for r in dups.select(pupil_id).sort(pupil_id).rows()]
            )
    rows = _code_map(lf, prior, matrix.lookup("rows"), "prior attainment")
    cols = _code_map(lf, outcome, matrix.lookup("columns"), "outcome")
    # Pupils are looked up by position: raw text -> row/column index -> cell index, and every added
    # column is gathered from a small per-cell series (no per-pupil strings are built).
    row_codes = [a.code for a in matrix.rows]
    col_codes = [a.code for a in matrix.columns]
    n_cols = len(col_codes)
    row_index = {raw: row_codes.index(code) for raw, code in rows.items()}
    col_index = {raw: col_codes.index(code) for raw, code in cols.items()}
    cells = [(r, c) for r in range(len(row_codes)) for c in range(n_cols)]
    outcome_of = [matrix.cells[r][c].value for r, c in cells]
    reasons = [
        f"{matrix.rows[r].label} -> {matrix.columns[c].label}: {outcome_of[i].replace('_', ' ')}"
        for i, (r, c) in enumerate(cells)
    ]
    levels = [
        (matrix.columns[c].level - matrix.rows[r].level)  # type: ignore[operator]
        if matrix.columns[c].level is not None and matrix.rows[r].level is not None
        else None
        for r, c in cells
    ]
    progress_enum = pl.Enum(["made", "not_made", "not_included"])

    def pick(values: list[Any], dtype: pl.DataType, index: str) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col(index))

    def index_of(column: str, positions: dict[str, int]) -> pl.Expr:
        # raw text -> an Enum of the distinct values seen -> its position -> the matrix index;
        # casts and gathers stream, where a dictionary replace would hold every row in memory
        seen = list(positions)
        raw = pl.col(column).cast(pl.String).fill_null("").cast(pl.Enum(seen))
        lookup = pl.Series([positions[v] for v in seen], dtype=pl.UInt32)
        return pl.lit(lookup).gather(raw.to_physical())

    r_idx = index_of(prior, row_index)
    c_idx = index_of(outcome, col_index)
    out = (
        lf.with_columns(r_idx.alias("__r"), c_idx.alias("__c"))
        .with_columns((pl.col("__r") * n_cols + pl.col("__c")).alias("__cell"))
        .with_columns(
            pick(row_codes, pl.Enum(list(dict.fromkeys(row_codes))), "__r").alias("prior_code"),
            pick(col_codes, pl.Enum(list(dict.fromkeys(col_codes))), "__c").alias("outcome_code"),
            pick(outcome_of, progress_enum, "__cell").alias("progress"),
            pick(reasons, pl.Enum(list(dict.fromkeys(reasons))), "__cell").alias("progress_reason"),
            pick(levels, pl.Float64(), "__cell").alias("levels_of_progress"),
        )
        .drop("__r", "__c", "__cell")
    )
    return out if isinstance(pupils, pl.LazyFrame) else out.collect()


def progress_columns() -> Sequence[str]:
    """The columns :func:`classify_progress` adds."""
    return _ADDED
