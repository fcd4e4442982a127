"""Tables a derivation cannot do without, and the collection year an annual table's rows describe.

The SSDA903 OC2 and OC3 tables (and the other annual tables) hold one row per child for the year
of the return they came in; they carry no date saying which year. A row's year is its return's:

1. the collection year the same return's dated records fall in, told as the readers tell it
   (files of one return share a folder and a name but for the table word, as ``oc2.csv`` and
   ``episodes.csv``; an XML return is one file): the year most of its episodes' start and end
   dates, reviews and missing incidents fall in, the later on a tie;
2. else, when the records' dated files are all of one return, that return's year (the table came
   with it from another folder);
3. else a year in the file's name (``SSDA903_2019_OC2.csv``; the latest if several). Names are a
   last resort, as for the readers: councils name a 2018-19 return "2018" or "2019";
4. else (frames in memory, or a return whose year nothing tells) the rows are taken to describe
   the one period derived; with several periods that is an error naming the file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ...errors import DataError

__all__ = ["check_march_periods", "held", "require", "return_years"]

#: What each table holds, for messages.
TABLE_WORDS = {
    "oc2": "SSDA903 OC2 table (outcomes of children looked after continuously for 12 months at "
    "31 March)",
    "oc3": "SSDA903 OC3 table (care leavers, recorded around their 17th to 21st birthdays)",
    "uasc": "SSDA903 UASC table (unaccompanied asylum-seeking children and the date their "
    "status ceased)",
    "missing": "SSDA903 missing table (incidents of children missing or away from placement "
    "without authorisation)",
    "sw_episodes": "SSDA903 social worker episodes table (SW_ID, SW_DECOM, SW_DEC)",
    "placed_for_adoption": "SSDA903 placed for adoption table (the dates of the decisions that a "
    "child should be placed for adoption)",
}

#: The words of a CSV file name that say which SSDA903 table it holds (as the reader reads them).
_TOKENS = {
    "oc2": ("oc2",),
    "oc3": ("oc3",),
    "uasc": ("uasc",),
    "missing": ("missing",),
    "sw_episodes": ("sw_episodes", "swepisodes"),
    "placed_for_adoption": ("placed_for_adoption", "placedforadoption", "placed_adoption"),
}
_ALL_TOKENS = sorted(
    (
        "sw_episodes",
        "swepisodes",
        "placed_for_adoption",
        "placedforadoption",
        "placed_adoption",
        "previous_permanence",
        "previouspermanence",
        "prev_perm",
        "episodes",
        "episode",
        "header",
        "uasc",
        "oc2",
        "oc3",
        "reviews",
        "review",
        "missing",
        "ad1",
    ),
    key=len,
    reverse=True,
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
#: Dated tables (and their event dates) that tell a return's collection year.
_DATED = {"episodes": ("DECOM", "DEC"), "reviews": ("REVIEW",), "missing": ("MIS_START", "MIS_END")}


def _stem(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", Path(name).stem.lower())


def held(records: Any, table: str) -> bool:
    """Whether ``records`` hold ``table``: it has rows, rows were read for it, a file read names
    it, or the records came from an SSDA903 XML return (which holds every table inline)."""
    frame = getattr(records, table, None)
    if not isinstance(frame, pl.DataFrame):
        return False
    if frame.height:
        return True
    read = getattr(records, "rows_read", None)
    if isinstance(read, Mapping) and int(read.get(table, 0)) > 0:
        return True
    files = [str(f) for f in getattr(records, "files", ())]
    if any(Path(f).suffix.lower() == ".xml" for f in files):
        return True
    return any(t in _stem(f) for f in files for t in _TOKENS.get(table, (table,)))


def require(records: Any, table: str, derivation: str) -> pl.DataFrame:
    """The table with ``__row``; a :class:`DataError` naming the table when the records do not
    hold it (see :func:`held`)."""
    if not held(records, table):
        kind = getattr(records, "KIND", "these")
        what = TABLE_WORDS.get(table, f"{table} table")
        msg = (
            f"{derivation} needs the {what}, and the {kind} records given hold no {table} table: "
            f"read the return's {table} file (a file whose name holds '{table}') with the others"
        )
        raise DataError(msg)
    frame: pl.DataFrame = getattr(records, table)
    return frame.with_row_index("__row")


def check_march_periods(periods: pl.DataFrame, derivation: str, table: str) -> None:
    """A :class:`DataError` naming the period when one does not end on 31 March: the table
    describes a collection year (1 April to 31 March) and nothing shorter or shifted."""
    for label, end in periods.select("period_label", "period_end").iter_rows():
        if (end.month, end.day) != (3, 31):
            msg = (
                f"{derivation}: period {label!r} ends on {end.isoformat()}; the {table.upper()} "
                "table describes a collection year ending 31 March, so derive periods that end "
                "on 31 March (Period.financial_year)"
            )
            raise DataError(msg)


def _collection_year(day: Any) -> int:
    return int(day.year + (1 if day.month > 3 else 0))


def _group(path: str) -> str:
    if Path(path).suffix.lower() == ".xml":
        return path
    stem = _stem(path)
    for token in _ALL_TOKENS:
        stem = stem.replace(token, "")
    return f"{Path(path).resolve().parent}/{stem}"


def _dated_groups(records: Any) -> set[str]:
    """The returns (groups) the records' dated tables come from."""
    groups: set[str] = set()
    for name in _DATED:
        frame = getattr(records, name, None)
        if isinstance(frame, pl.DataFrame) and frame.height:
            groups |= {_group(str(f)) for f in frame["source_file"].drop_nulls().unique()}
    return groups


def _group_year(records: Any, group: str) -> int | None:
    counts: Counter[int] = Counter()
    for name, columns in _DATED.items():
        frame = getattr(records, name, None)
        if not isinstance(frame, pl.DataFrame) or frame.is_empty():
            continue
        files = frame["source_file"].drop_nulls().unique().to_list()
        mine = [f for f in files if _group(str(f)) == group]
        if not mine:
            continue
        rows = frame.filter(pl.col("source_file").is_in(mine))
        for column in columns:
            for day in rows[column].drop_nulls().to_list():
                counts[_collection_year(day)] += 1
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))


def return_years(
    records: Any, frame: pl.DataFrame, periods: pl.DataFrame, table: str, derivation: str
) -> pl.DataFrame:
    """``frame`` with ``__year``: the collection year each row describes (module docstring).

    Raises
    ------
    DataError
        Rows whose year cannot be told while several periods are derived; names the file.
    """
    years: dict[str | None, int | None] = {}
    groups = _dated_groups(records)
    for f in frame["source_file"].unique().to_list():
        if f is None:
            years[None] = None
            continue
        year = _group_year(records, _group(f))
        if year is None and len(groups) == 1:
            year = _group_year(records, next(iter(groups)))
        if year is None:
            named = [int(y) for y in _YEAR.findall(Path(f).name)]
            year = max(named) if named else None
        years[f] = year
    unknown = [f for f, y in years.items() if y is None]
    if unknown:
        if periods.height != 1:
            where = ", ".join("frames given in memory" if f is None else str(f) for f in unknown)
            msg = (
                f"{derivation}: cannot tell which collection year the {table.upper()} rows of "
                f"{where} describe (no year in the file name and no dated records of the same "
                "return); derive one period at a time, or name the file with its year "
                f"(e.g. 2019-{table}.csv)"
            )
            raise DataError(msg)
        only = _collection_year(periods["period_end"][0])
        years = {f: only if y is None else y for f, y in years.items()}
    lookup = pl.DataFrame(
        {"source_file": list(years), "__year": list(years.values())},
        schema={"source_file": pl.String(), "__year": pl.Int32()},
    )
    return frame.join(lookup, on="source_file", how="left", nulls_equal=True, maintain_order="left")
