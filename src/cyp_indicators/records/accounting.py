"""Row accounting: every input record is counted or excluded with a reason, never lost.

Readers and derivations return an exclusions frame with this schema; kept + excluded rows equal
the input rows, table by table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from ..errors import Location, Problem

__all__ = ["EXCLUSION_SCHEMA", "REASONS", "RecordFileWarning", "exclusions_frame", "problems"]

EXCLUSION_SCHEMA: dict[str, pl.DataType] = {
    "table": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "child": pl.String(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
}

#: Reason codes; each exclusion's ``reason`` starts with one, then ": " and words.
REASONS = (
    "impossible_date",
    "missing_date",
    "end_before_start",
    "duplicate",
    "unknown_code",
    "child_without_header",
    "outside_period",
    "overlapping_episode",
    "conflicting_dob",
    "conflicting_episode",
    "not_counted",
)


class RecordFileWarning(UserWarning):
    """A record file read with something the user should know: a file with a header row and no
    data rows, a file in a folder whose name says no table (skipped), or files whose collection
    year could not be told (their order decided which is latest). The readers also keep the
    messages in their ``warnings`` attribute."""


def exclusions_frame(rows: Iterable[Mapping[str, object]] | pl.DataFrame = ()) -> pl.DataFrame:
    """An exclusions frame from dicts (or a frame with some of the columns), in the fixed schema."""
    if isinstance(rows, pl.DataFrame):
        frame = rows
    else:
        frame = (
            pl.DataFrame(list(rows), schema=EXCLUSION_SCHEMA)
            if rows
            else pl.DataFrame(schema=EXCLUSION_SCHEMA)
        )
    missing = [
        pl.lit(None, dtype).alias(name)
        for name, dtype in EXCLUSION_SCHEMA.items()
        if name not in frame.columns
    ]
    frame = frame.with_columns(missing)
    return frame.select(pl.col(name).cast(dtype) for name, dtype in EXCLUSION_SCHEMA.items())


def problems(exclusions: pl.DataFrame) -> tuple[Problem, ...]:
    """Each excluded record as a :class:`~cyp_indicators.Problem`: its reason code (the part of
    ``reason`` before ": "), the words after it, and where the record is: ``source_file`` as the
    file, ``source_row`` as the row, ``column``, and the table as the field. Exclusions of
    pooled records (an ``la`` column) name the council beside the child."""
    out: list[Problem] = []
    councils = (
        exclusions["la"].cast(pl.String).to_list()
        if "la" in exclusions.columns
        else [None] * exclusions.height
    )
    for r, la in zip(exclusions_frame(exclusions).iter_rows(named=True), councils, strict=True):
        code, _, words = str(r["reason"] or "").partition(": ")
        where = Location(
            file=r["source_file"], row=r["source_row"], column=r["column"], field=r["table"]
        )
        council = f" of council {la}" if la is not None else ""
        detail = f" (child {r['child']}{council})" if r["child"] is not None else ""
        out.append(Problem(code or "excluded", (words or code) + detail, where))
    return tuple(out)
