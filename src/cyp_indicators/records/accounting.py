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
    messages in their ``warnings`` attribute.

    Examples
    --------
    >>> import tempfile, warnings
    >>> from pathlib import Path
    >>> from cyp_indicators.records import read_ssda903
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC\\n")
    ...     with warnings.catch_warnings(record=True) as caught:
    ...         warnings.simplefilter("always", RecordFileWarning)
    ...         records = read_ssda903(folder)
    >>> [w.category.__name__ for w in caught]
    ['RecordFileWarning']
    >>> records.warnings[0].endswith("no data rows (read as an empty header table)")
    True
    """


def exclusions_frame(rows: Iterable[Mapping[str, object]] | pl.DataFrame = ()) -> pl.DataFrame:
    """An exclusions frame from dicts (or a frame with some of the columns), in the fixed schema.

    Parameters
    ----------
    rows
        One mapping per excluded record, keyed by column of :data:`EXCLUSION_SCHEMA` (a key
        left out is null), or a frame holding some of those columns; nothing gives an empty
        frame.

    Returns
    -------
    polars.DataFrame
        The columns of :data:`EXCLUSION_SCHEMA` (``table``, ``source_file``, ``source_row``,
        ``child``, ``column``, ``value``, ``reason``), in that order and with those types; any
        other column of a frame given is dropped.

    Examples
    --------
    >>> frame = exclusions_frame([{"table": "episodes", "source_row": 3, "reason": "duplicate"}])
    >>> frame.columns
    ['table', 'source_file', 'source_row', 'child', 'column', 'value', 'reason']
    >>> frame.row(0)
    ('episodes', None, 3, None, None, None, 'duplicate')
    >>> exclusions_frame().height
    0
    """
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
    pooled records (an ``la`` column) name the council beside the child.

    Parameters
    ----------
    exclusions
        An exclusions frame (as a reader's or :class:`~cyp_indicators.records.Derivation`'s
        ``exclusions``); missing columns are read as null.

    Returns
    -------
    tuple of Problem
        One per row, in the frame's order. The child, when known, ends the message; a row
        without a reason has the code ``"excluded"``.

    Examples
    --------
    >>> frame = exclusions_frame([{
    ...     "table": "episodes", "source_file": "episodes.csv", "source_row": 4, "child": "A1",
    ...     "column": "DECOM", "reason": "impossible_date: DECOM '31/02/2017' is not a date",
    ... }])
    >>> (found,) = problems(frame)
    >>> found.code
    'impossible_date'
    >>> str(found)
    "episodes.csv, episodes, row 4, column 'DECOM': DECOM '31/02/2017' is not a date (child A1)"
    """
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
