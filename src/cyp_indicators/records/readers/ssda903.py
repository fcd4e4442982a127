"""The SSDA903 return (children looked after): CSV tables or the DfE XML, into typed frames.

Field names are DfE's (``CHILD``, ``DECOM``, ``DEC`` ...). Codes are kept as text, stripped,
empty as null, and a whole number written as a float by a spreadsheet ("1.0") as "1". Dates are
read from dd/mm/yyyy or yyyy-mm-dd (both may appear in one column; a midnight time is allowed).

Tables and their columns (every table then has ``source_file`` (String, null for frames given
in memory) and ``source_row`` (Int64, 1-based data row of the file; 0-based position for frames
given in memory)):

``header``
    CHILD (String), SEX (String), DOB (Date), ETHNIC (String), UPN (String), MOTHER (String),
    MC_DOB (Date). One row per CHILD.
``episodes``
    CHILD (String), DECOM (Date), RNE, LS, CIN, PLACE, PLACE_PROVIDER (String), DEC (Date; null
    while the episode is open), REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN (String).
``uasc``
    CHILD, SEX (String), DOB, DUC (Date).
``oc2``
    CHILD (String), DOB (Date), SDQ_SCORE (Int64), SDQ_REASON, CONVICTED, HEALTH_CHECK,
    IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT, SUBSTANCE_MISUSE, INTERVENTION_RECEIVED,
    INTERVENTION_OFFERED (String).
``oc3``
    CHILD (String), DOB (Date), IN_TOUCH, ACTIV, ACCOM (String).
``reviews``
    CHILD (String), DOB, REVIEW (Date), REVIEW_CODE (String).
``missing``
    CHILD (String), DOB (Date), MISSING (String), MIS_START, MIS_END (Date).
``previous_permanence``
    CHILD (String), DOB (Date), PREV_PERM, LA_PERM (String), DATE_PERM (String: DfE allows
    "zz" for an unknown day or month, so it is kept as written).
``placed_for_adoption``
    CHILD (String), DOB, DATE_PLACED, DATE_PLACED_CEASED (Date), REASON_PLACED_CEASED (String).
``ad1``
    CHILD (String), DOB, DATE_INT, DATE_MATCH (Date), FOSTER_CARE, NB_ADOPTR, SEX_ADOPTR,
    LS_ADOPTR (String).
``sw_episodes``
    CHILD (String), DOB, SW_DECOM, SW_DEC (Date), SW_ID, SW_REASON (String).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import attrs
import polars as pl

from ...errors import DataError
from ..accounting import exclusions_frame
from ._tables import (
    Column,
    FileRead,
    Kind,
    RecordSet,
    TableSpec,
    concat_raw,
    conform,
    drop_children_without,
    drop_conflicts,
    drop_exact_duplicates,
    drop_later_files,
    drop_repeated_children,
    files_in,
    finish,
    match_table,
    rank_files,
    raw_from_frames,
    read_csv_raw,
    return_group,
    stack_exclusions,
    type_rows,
    warn,
)
from ._tables import (
    strings as _strings,
)
from ._xml import local_name, stream_elements, text_of

__all__ = ["SSDA903", "SSDA903_TABLES", "read_ssda903"]


def _c(name: str, kind: Kind = "code", *, required: bool = False, needed: bool = False) -> Column:
    return Column(name, kind, required=required, needed=needed)


_CHILD = _c("CHILD", "id", required=True)
_DOB = _c("DOB", "date")

#: The table specifications, in the order the tables are listed.
SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in (
        TableSpec(
            "header",
            "CHILD",
            (
                _CHILD,
                _c("SEX", required=True),
                # not needed: a child without a date of birth still counts where age does not
                _c("DOB", "date", required=True),
                _c("ETHNIC", required=True),
                _c("UPN"),
                _c("MOTHER"),
                _c("MC_DOB", "date"),
            ),
        ),
        TableSpec(
            "episodes",
            "CHILD",
            (
                _CHILD,
                _c("DECOM", "date", required=True, needed=True),
                _c("RNE", required=True),
                _c("LS", required=True),
                _c("CIN", required=True),
                _c("PLACE", required=True),
                _c("PLACE_PROVIDER"),
                _c("DEC", "date", required=True),
                _c("REC", required=True),
                _c("REASON_PLACE_CHANGE"),
                _c("HOME_POST"),
                _c("PL_POST"),
                _c("URN"),
            ),
            ends=(("DECOM", "DEC"),),
        ),
        TableSpec("uasc", "CHILD", (_CHILD, _c("SEX"), _DOB, _c("DUC", "date", required=True))),
        TableSpec(
            "oc2",
            "CHILD",
            (
                _CHILD,
                _DOB,
                _c("SDQ_SCORE", "int"),
                _c("SDQ_REASON"),
                _c("CONVICTED"),
                _c("HEALTH_CHECK"),
                _c("IMMUNISATIONS"),
                _c("TEETH_CHECK"),
                _c("HEALTH_ASSESSMENT"),
                _c("SUBSTANCE_MISUSE"),
                _c("INTERVENTION_RECEIVED"),
                _c("INTERVENTION_OFFERED"),
            ),
        ),
        TableSpec(
            "oc3",
            "CHILD",
            (_CHILD, _DOB, _c("IN_TOUCH", required=True), _c("ACTIV"), _c("ACCOM")),
        ),
        TableSpec(
            "reviews",
            "CHILD",
            (_CHILD, _DOB, _c("REVIEW", "date", required=True, needed=True), _c("REVIEW_CODE")),
        ),
        TableSpec(
            "missing",
            "CHILD",
            (
                _CHILD,
                _DOB,
                _c("MISSING"),
                _c("MIS_START", "date", required=True, needed=True),
                _c("MIS_END", "date"),
            ),
            ends=(("MIS_START", "MIS_END"),),
        ),
        TableSpec(
            "previous_permanence",
            "CHILD",
            (_CHILD, _DOB, _c("PREV_PERM", required=True), _c("LA_PERM"), _c("DATE_PERM", "text")),
        ),
        TableSpec(
            "placed_for_adoption",
            "CHILD",
            (
                _CHILD,
                _DOB,
                _c("DATE_PLACED", "date", required=True, needed=True),
                _c("DATE_PLACED_CEASED", "date"),
                _c("REASON_PLACED_CEASED"),
            ),
            ends=(("DATE_PLACED", "DATE_PLACED_CEASED"),),
        ),
        TableSpec(
            "ad1",
            "CHILD",
            (
                _CHILD,
                _DOB,
                _c("DATE_INT", "date"),
                _c("DATE_MATCH", "date"),
                _c("FOSTER_CARE"),
                _c("NB_ADOPTR"),
                _c("SEX_ADOPTR"),
                _c("LS_ADOPTR"),
            ),
        ),
        TableSpec(
            "sw_episodes",
            "CHILD",
            (
                _CHILD,
                _DOB,
                _c("SW_DECOM", "date", required=True, needed=True),
                _c("SW_DEC", "date"),
                _c("SW_ID"),
                _c("SW_REASON"),
            ),
            ends=(("SW_DECOM", "SW_DEC"),),
        ),
    )
}

#: The schema (column name -> polars dtype) of each SSDA903 table, ``source_file`` and
#: ``source_row`` included.
SSDA903_TABLES: Mapping[str, Mapping[str, pl.DataType]] = {
    name: spec.schema for name, spec in SPECS.items()
}

# Longer names first: "sw_episodes" must win over "episodes".
_FILE_TOKENS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sw_episodes", ("sw_episodes", "swepisodes")),
    ("placed_for_adoption", ("placed_for_adoption", "placedforadoption", "placed_adoption")),
    ("previous_permanence", ("previous_permanence", "previouspermanence", "prev_perm")),
    ("episodes", ("episodes", "episode")),
    ("header", ("header",)),
    ("uasc", ("uasc",)),
    ("oc2", ("oc2",)),
    ("oc3", ("oc3",)),
    ("reviews", ("reviews", "review")),
    ("missing", ("missing",)),
    ("ad1", ("ad1",)),
)
_ALL_TOKENS = tuple(t for _, tokens in _FILE_TOKENS for t in tokens)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class SSDA903(RecordSet):
    """An SSDA903 return (one year or several), table by table.

    Every table is a typed :class:`polars.DataFrame` (columns in the module docstring), empty
    with the right schema when it was not read. ``exclusions`` holds every row read but not
    kept, with the reason (schema in :mod:`cyp_indicators.records.accounting`); for each table,
    ``rows_read[table] == table height + its exclusions``. ``files`` are the files read, in order.

    Build one from files with :func:`read_ssda903`, or from frames in memory (e.g. in tests)
    with :meth:`from_frames`, which applies the same checks. :meth:`table` gives a table by
    name, :meth:`accounting` the rows read, kept and excluded per table.

    Parameters
    ----------
    header, episodes, uasc, oc2, oc3, reviews, missing, previous_permanence
        The tables of those names, typed as the module docstring says.
    placed_for_adoption, ad1, sw_episodes
        Likewise.
    exclusions
        Every row read but not kept, with the reason.
    files
        The files read, in the order read.
    rows_read
        Table name -> rows read.
    warnings
        What the reader warned about (each also issued as a
        :class:`~cyp_indicators.records.accounting.RecordFileWarning`).

    Examples
    --------
    >>> import polars as pl
    >>> records = SSDA903.from_frames(
    ...     header=pl.DataFrame({
    ...         "CHILD": ["A", "B"], "SEX": ["1", "2"], "DOB": ["01/06/2008", "2012-01-15"],
    ...         "ETHNIC": ["WBRI", "WBRI"],
    ...     }),
    ... )
    >>> records
    SSDA903(header=2; exclusions=0, files=0)
    >>> records.table("header")["DOB"].to_list()
    [datetime.date(2008, 6, 1), datetime.date(2012, 1, 15)]
    """

    TABLES: ClassVar[tuple[str, ...]] = tuple(SPECS)
    KIND: ClassVar[str] = "SSDA903"

    header: pl.DataFrame = attrs.field(factory=SPECS["header"].empty, repr=False)
    episodes: pl.DataFrame = attrs.field(factory=SPECS["episodes"].empty, repr=False)
    uasc: pl.DataFrame = attrs.field(factory=SPECS["uasc"].empty, repr=False)
    oc2: pl.DataFrame = attrs.field(factory=SPECS["oc2"].empty, repr=False)
    oc3: pl.DataFrame = attrs.field(factory=SPECS["oc3"].empty, repr=False)
    reviews: pl.DataFrame = attrs.field(factory=SPECS["reviews"].empty, repr=False)
    missing: pl.DataFrame = attrs.field(factory=SPECS["missing"].empty, repr=False)
    previous_permanence: pl.DataFrame = attrs.field(
        factory=SPECS["previous_permanence"].empty, repr=False
    )
    placed_for_adoption: pl.DataFrame = attrs.field(
        factory=SPECS["placed_for_adoption"].empty, repr=False
    )
    ad1: pl.DataFrame = attrs.field(factory=SPECS["ad1"].empty, repr=False)
    sw_episodes: pl.DataFrame = attrs.field(factory=SPECS["sw_episodes"].empty, repr=False)
    exclusions: pl.DataFrame = attrs.field(factory=exclusions_frame, repr=False)
    files: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    rows_read: Mapping[str, int] = attrs.field(factory=dict, repr=False)
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_strings, repr=False)

    @classmethod
    def from_frames(cls, **frames: pl.DataFrame) -> SSDA903:
        """An SSDA903 from frames in memory, keyed by table name, with the readers' checks.

        Columns may be text (dates as dd/mm/yyyy or yyyy-mm-dd) or already typed. Exclusions
        give ``source_row`` as the 0-based position in the frame and a null ``source_file``.

        Parameters
        ----------
        **frames
            Table name (``header``, ``episodes`` ...) -> its frame; a table not given is empty.

        Returns
        -------
        SSDA903
            The tables, checked and typed as :func:`read_ssda903` would, and the exclusions.

        Raises
        ------
        KeyError
            A name that is not an SSDA903 table.
        MissingColumnError
            A required column is absent.
        """
        raw = raw_from_frames(frames, SPECS, "SSDA903")
        return _build(raw, files=())


def read_ssda903(source: str | Path | Sequence[str | Path]) -> SSDA903:
    """Read an SSDA903 return: a folder of CSV tables, a list of files, or the DfE XML.

    Parameters
    ----------
    source
        A folder (every ``*.csv`` whose name holds a table name is read, in name order; other
        files are skipped), one file, or a list of files and folders (read in the order given).
        A CSV's table comes from its name: ``header``, ``episodes``, ``uasc``, ``oc2``,
        ``oc3``, ``reviews``, ``missing``, ``previous_permanence``, ``placed_for_adoption``,
        ``ad1`` or ``sw_episodes`` anywhere in it, whatever the case (``2019-episodes.csv``,
        ``SSDA903_2020_Episodes.csv``). An ``.xml`` file named in ``source`` (not one found in
        a folder) is read as the DfE XML return (root ``<EXPSSDA903>``), with the same safety
        as :func:`~cyp_indicators.records.readers.read_cin_census`. Several files of one table
        (several years) are stacked. "Earlier" and "later" below are by collection year, not by
        the order given: files of one return (one folder, one name but for the table word, as
        ``2019-header.csv`` and ``2019-episodes.csv``) belong to the collection year most of
        their event dates fall in (episodes, reviews, missing, placements for adoption, social
        worker episodes: a return's episodes end, and most begin, in its year), else to a year
        in their names.
        A file in a folder whose name holds no table name is skipped with a
        :class:`~cyp_indicators.records.accounting.RecordFileWarning`; so is a file with a
        header row and no data rows read, with a warning. Warnings are kept in ``warnings``.

    Returns
    -------
    SSDA903
        The tables (see the module docstring for their columns) and the exclusions.

    Notes
    -----
    A row is excluded (never silently dropped; see ``exclusions``) when:

    * it is blank, or has no CHILD (``not_counted``);
    * a date is not a real date, e.g. 31/02/2012 (``impossible_date``), in any date column;
    * a date the row cannot do without is empty (``missing_date``): episodes DECOM, reviews REVIEW, missing MIS_START, placed_for_adoption DATE_PLACED, sw_episodes
      SW_DECOM;
    * an end is before its start (``end_before_start``): episodes DEC < DECOM, missing
      MIS_END < MIS_START, DATE_PLACED_CEASED < DATE_PLACED, SW_DEC < SW_DECOM;
    * it repeats an earlier row exactly, in any table (``duplicate``; the first is kept);
    * header: the CHILD already has a header row (one row per child is kept: the latest
      return's with a DOB; within a file the first). If its DOB differs from the kept row's
      the reason is ``conflicting_dob``, else ``duplicate``. A header row without a DOB is
      kept: the child counts wherever age does not matter;
    * episodes: the same episode (CHILD, DECOM) is in a later return (``duplicate``): each
      year's return repeats the episodes open at its start, and the latest is the most
      complete, so the latest return's row is kept;
    * episodes: the latest return holds two different rows for one episode (CHILD, DECOM):
      both are excluded (``conflicting_episode``), since nothing says which is right;
    * episodes: when a header table was read, the CHILD has no kept header row
      (``child_without_header``).

    Codes outside DfE's lists and overlapping episodes are not checked here.

    Raises
    ------
    DataError
        An empty file (0 bytes), a file that is not UTF-8 text, an unreadable CSV, an XML that is not an SSDA903 return, a
        file given by name whose name holds no table name, or a source with no table at all;
        each names the file.
    MissingColumnError
        A required column is absent; names the column and the file.
    FileNotFoundError
        A path that does not exist.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "2017_header.csv").write_text(
    ...         "CHILD,SEX,DOB,ETHNIC\\nA,1,01/06/2008,WBRI\\nB,2,15/01/2012,WBRI\\n"
    ...     )
    ...     _ = (Path(folder) / "2017_episodes.csv").write_text(
    ...         "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\\n"
    ...         "A,01/05/2016,S,C2,N1,U1,,\\n"
    ...         "B,03/10/2016,S,C2,N1,U1,01/01/2017,E13\\n"
    ...         "C,03/10/2016,S,C2,N1,U1,,\\n"
    ...     )
    ...     records = read_ssda903(folder)
    >>> records
    SSDA903(header=2, episodes=2; exclusions=1, files=2)
    >>> records.exclusions.select("table", "source_row", "reason").rows()
    [('episodes', 3, 'child_without_header: CHILD C has no usable row in the header table')]
    """
    raw: dict[str, list[pl.DataFrame]] = {}
    read: list[FileRead] = []
    notes: list[str] = []
    for path, in_folder in files_in(source, (".csv",)):
        index = len(read)
        if path.suffix.lower() == ".xml" and not in_folder:
            for name, frame in _read_xml(path, index).items():
                raw.setdefault(name, []).append(frame)
            read.append(FileRead(index, str(path), f"xml:{path.resolve()}"))
            continue
        table = match_table(path, _FILE_TOKENS)
        if table is None:
            if not in_folder:
                msg = (
                    f"{path}: cannot tell which SSDA903 table the file holds; its name should "
                    f"contain one of {', '.join(SPECS)}"
                )
                raise DataError(msg)
            warn(
                f"{path}: skipped: the name holds no SSDA903 table name ({', '.join(SPECS)})",
                notes,
            )
            continue
        raw.setdefault(table, []).append(read_csv_raw(path, SPECS[table], index, notes))
        read.append(FileRead(index, str(path), return_group(path, _ALL_TOKENS)))
    if not read:
        msg = f"{source}: no SSDA903 table found (file names should contain one of {', '.join(SPECS)})"
        raise DataError(msg)
    raw = rank_files(raw, SPECS, read, notes)
    return _build(raw, files=tuple(f.path for f in read), notes=tuple(notes))


def _build(
    raw: Mapping[str, Sequence[pl.DataFrame]],
    files: tuple[str, ...],
    notes: tuple[str, ...] = (),
) -> SSDA903:
    tables: dict[str, pl.DataFrame] = {}
    parts: list[pl.DataFrame] = []
    rows_read: dict[str, int] = {}
    for name, spec in SPECS.items():
        frames = raw.get(name, [])
        stacked = concat_raw(frames, spec)
        rows_read[name] = stacked.height
        kept, excluded = type_rows(stacked, spec)
        parts.append(excluded)
        kept, excluded = drop_exact_duplicates(kept, spec)
        parts.append(excluded)
        if name == "header":
            kept, excluded = drop_repeated_children(kept, spec, "DOB")
            parts.append(excluded)
        elif name == "episodes":
            kept, excluded = drop_later_files(kept, spec, ("CHILD", "DECOM"), "episode")
            parts.append(excluded)
            kept, excluded = drop_conflicts(kept, spec, ("CHILD", "DECOM"), "episode")
            parts.append(excluded)
            if "header" in raw:
                kept, excluded = drop_children_without(
                    kept, spec, tables["header"]["CHILD"], "the header table"
                )
                parts.append(excluded)
        tables[name] = finish(kept, spec)
    exclusions = stack_exclusions(parts)
    return SSDA903(
        **tables,
        exclusions=exclusions,
        files=files,
        rows_read=rows_read,
        warnings=notes,
    )


# --- the DfE XML return ------------------------------------------------------------------------

# Fields of the header table, under <HEADER> (CHILDID is CHILD).
_HEADER_FIELDS = {
    "CHILDID": "CHILD",
    "UPN": "UPN",
    "SEX": "SEX",
    "DOB": "DOB",
    "ETHNIC": "ETHNIC",
    "MOTHER": "MOTHER",
    "MC_DOB": "MC_DOB",
}
# Fields directly under <HEADER> that belong to another table (one row per child when any is set).
_LOOSE = {
    "DUC": "uasc",
    "IN_TOUCH": "oc3",
    "ACTIV": "oc3",
    "ACCOM": "oc3",
    "DATE_INT": "ad1",
    "DATE_MATCH": "ad1",
    "FOSTER_CARE": "ad1",
    "NB_ADOPTR": "ad1",
    "SEX_ADOPTR": "ad1",
    "LS_ADOPTR": "ad1",
}
# Groups under <HEADER>, one row each.
_GROUPS = {
    "AREVIEW": "reviews",
    "AMISSING": "missing",
    "AD_PLACED": "placed_for_adoption",
    "PERMANENCE": "previous_permanence",
    "OC2": "oc2",
}
_XML_ALIASES = {"PL": "PLACE"}
_XML_CHILD = ("EXPSSDA903", "CHILD")


def _read_xml(path: Path, file_index: int) -> dict[str, pl.DataFrame]:
    """The tables of one DfE SSDA903 XML file as raw frames (one streaming pass)."""
    name = str(path)
    records: dict[str, list[Mapping[str, str | None]]] = {t: [] for t in SPECS}

    def add(table: str, values: Mapping[str, str | None]) -> None:
        records[table].append(values)

    root_checked = False
    for event, where, element in stream_elements(path, (_XML_CHILD,)):
        if event == "start":
            if len(where) == 1:
                if where[0] != "EXPSSDA903":
                    msg = (
                        f"{name}: not an SSDA903 XML return (the root element is "
                        f"<{where[0]}>, not <EXPSSDA903>)"
                    )
                    raise DataError(msg)
                root_checked = True
            continue
        _xml_child(element, add)
    if not root_checked:
        raise DataError(f"{name}: not an SSDA903 XML return (no root element)")
    out: dict[str, pl.DataFrame] = {}
    for table, rows in records.items():
        if not rows:
            continue
        spec = SPECS[table]
        frame = pl.from_dicts(rows, schema=dict.fromkeys(spec.names, pl.String()))
        out[table] = conform(
            frame, spec, where=f"file {name}", source_file=name, file_index=file_index
        )
    return out


def _xml_child(child: ET.Element, add: Callable[[str, Mapping[str, str | None]], None]) -> None:
    """Rows of every table from one <CHILD> element."""
    header: dict[str, str | None] = {}
    loose: dict[str, dict[str, str | None]] = {}
    groups: list[tuple[str, dict[str, str | None]]] = []
    episodes: list[dict[str, str | None]] = []
    for part in child:
        tag = local_name(part.tag)
        if tag == "HEADER":
            for field in part:
                ftag = local_name(field.tag)
                if ftag in _HEADER_FIELDS:
                    header[_HEADER_FIELDS[ftag]] = text_of(field)
                elif ftag in _LOOSE:
                    loose.setdefault(_LOOSE[ftag], {})[ftag] = text_of(field)
                elif ftag in _GROUPS:
                    groups.append((_GROUPS[ftag], {local_name(f.tag): text_of(f) for f in field}))
        elif tag == "EPISODE":
            values = {
                _XML_ALIASES.get(local_name(f.tag), local_name(f.tag)): text_of(f) for f in part
            }
            episodes.append(values)
    ident = {"CHILD": header.get("CHILD"), "DOB": header.get("DOB"), "SEX": header.get("SEX")}
    add("header", header)
    for values in episodes:
        add("episodes", {**values, "CHILD": ident["CHILD"]})
    for table, values in loose.items():
        if any(v is not None for v in values.values()):
            add(table, {**ident, **values})
    for table, values in groups:
        add(table, {**ident, **values})
