"""The children in need (CIN) census: the DfE XML, or flat CSV tables, into typed frames.

Field names are DfE's (``LAchildID``, ``CINreferralDate`` ...). Codes are kept as text,
stripped, empty as null. Dates are read from yyyy-mm-dd (the XML's form) or dd/mm/yyyy.

Tables and their columns (every table then has ``source_file`` (String) and ``source_row``
(Int64: for the XML, the record's 1-based position among that table's records in the file; for
a CSV, the 1-based data row; for frames in memory, the 0-based position)):

``children``
    LAchildID (String), UPN, FormerUPN, UPNunknown (String), PersonBirthDate,
    ExpectedPersonBirthDate, PersonDeathDate (Date), Sex (String; older files' GenderCurrent),
    Ethnicity (String), Disabilities (List[String]). One row per LAchildID.
``cin_details`` (one row per referral, ``<CINdetails>``)
    LAchildID (String), CINdetailsID (Int64), CINreferralDate (Date), ReferralSource,
    PrimaryNeedCode (String), CINclosureDate (Date), ReasonForClosure (String),
    DateOfInitialCPC (Date), ReferralNFA (Boolean).
``assessments``
    LAchildID (String), CINdetailsID (Int64), AssessmentActualStartDate,
    AssessmentInternalReviewDate, AssessmentAuthorisationDate (Date), AssessmentFactors
    (List[String]).
``section47``
    LAchildID (String), CINdetailsID (Int64), S47ActualStartDate, InitialCPCtarget,
    DateOfInitialCPC (Date), ICPCnotRequired (Boolean).
``cp_plans``
    LAchildID (String), CINdetailsID, CPPID (Int64; the plan's 1-based order within its
    CINdetails), CPPstartDate, CPPendDate (Date), InitialCategoryOfAbuse,
    LatestCategoryOfAbuse (String), NumberOfPreviousCPP (Int64).
``cp_reviews``
    LAchildID (String), CINdetailsID, CPPID (Int64), CPPreviewDate (Date).
``cin_plans``
    LAchildID (String), CINdetailsID (Int64), CINPlanStartDate, CINPlanEndDate (Date).
``header`` (one row per XML file; not part of the row accounting)
    Collection (String), Year (Int64), ReferenceDate (Date), LEA (String), source_file (String).

``CINdetailsID`` numbers a child's ``<CINdetails>`` 1, 2, ... in the order they appear, across
the files in the order read; ``(LAchildID, CINdetailsID)`` links a referral to its assessments,
section 47s, plans and reviews. Booleans read "true"/"1"/"Y" as true and "false"/"0"/"N" as
false; anything else is null, as is a count that is not a whole number.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import attrs
import polars as pl

from ...errors import DataError
from ..accounting import exclusions_frame
from ._tables import (
    FILE,
    Column,
    FileRead,
    Kind,
    RecordSet,
    TableSpec,
    clean_code,
    clean_text,
    concat_raw,
    conform,
    drop_exact_duplicates,
    drop_later_files,
    drop_repeated_children,
    files_in,
    finish,
    match_table,
    parse_date,
    rank_files,
    raw_from_frames,
    read_csv_raw,
    return_group,
    split,
    stack_exclusions,
    type_rows,
    warn,
)
from ._tables import (
    strings as _strings,
)
from ._xml import local_name, stream_elements, text_of

__all__ = ["CIN_HEADER_SCHEMA", "CIN_TABLES", "CINCensus", "read_cin_census", "read_cin_tables"]


def _c(name: str, kind: Kind = "code", *, required: bool = False, needed: bool = False) -> Column:
    return Column(name, kind, required=required, needed=needed)


_ID = _c("LAchildID", "id", required=True)
_CIN_ID = _c("CINdetailsID", "int")
_CPP_ID = _c("CPPID", "int")

#: The table specifications, in the order the tables are listed.
SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in (
        TableSpec(
            "children",
            "LAchildID",
            (
                _ID,
                _c("UPN"),
                _c("FormerUPN"),
                _c("UPNunknown"),
                _c("PersonBirthDate", "date", required=True),
                _c("ExpectedPersonBirthDate", "date"),
                _c("PersonDeathDate", "date"),
                Column("Sex", "code", aliases=("GenderCurrent", "Gender")),
                _c("Ethnicity"),
                _c("Disabilities", "list"),
            ),
            ends=(("PersonBirthDate", "PersonDeathDate"),),
        ),
        TableSpec(
            "cin_details",
            "LAchildID",
            (
                _ID,
                _CIN_ID,
                _c("CINreferralDate", "date", required=True, needed=True),
                _c("ReferralSource"),
                _c("PrimaryNeedCode"),
                _c("CINclosureDate", "date"),
                _c("ReasonForClosure"),
                _c("DateOfInitialCPC", "date"),
                _c("ReferralNFA", "bool"),
            ),
            ends=(("CINreferralDate", "CINclosureDate"),),
        ),
        TableSpec(
            "assessments",
            "LAchildID",
            (
                _ID,
                _CIN_ID,
                _c("AssessmentActualStartDate", "date", required=True, needed=True),
                _c("AssessmentInternalReviewDate", "date"),
                _c("AssessmentAuthorisationDate", "date"),
                _c("AssessmentFactors", "list"),
            ),
            ends=(("AssessmentActualStartDate", "AssessmentAuthorisationDate"),),
        ),
        TableSpec(
            "section47",
            "LAchildID",
            (
                _ID,
                _CIN_ID,
                _c("S47ActualStartDate", "date", required=True, needed=True),
                _c("InitialCPCtarget", "date"),
                _c("DateOfInitialCPC", "date"),
                _c("ICPCnotRequired", "bool"),
            ),
        ),
        TableSpec(
            "cp_plans",
            "LAchildID",
            (
                _ID,
                _CIN_ID,
                _CPP_ID,
                _c("CPPstartDate", "date", required=True, needed=True),
                _c("CPPendDate", "date"),
                _c("InitialCategoryOfAbuse"),
                _c("LatestCategoryOfAbuse"),
                _c("NumberOfPreviousCPP", "int"),
            ),
            ends=(("CPPstartDate", "CPPendDate"),),
        ),
        TableSpec(
            "cp_reviews",
            "LAchildID",
            (_ID, _CIN_ID, _CPP_ID, _c("CPPreviewDate", "date", required=True, needed=True)),
        ),
        TableSpec(
            "cin_plans",
            "LAchildID",
            (
                _ID,
                _CIN_ID,
                _c("CINPlanStartDate", "date", required=True, needed=True),
                _c("CINPlanEndDate", "date"),
            ),
            ends=(("CINPlanStartDate", "CINPlanEndDate"),),
        ),
    )
}

#: The schema (column name -> polars dtype) of each CIN table, ``source_file`` and
#: ``source_row`` included.
CIN_TABLES: Mapping[str, Mapping[str, pl.DataType]] = {
    name: spec.schema for name, spec in SPECS.items()
}

#: The schema of :attr:`CINCensus.header`.
CIN_HEADER_SCHEMA: Mapping[str, pl.DataType] = {
    "Collection": pl.String(),
    "Year": pl.Int64(),
    "ReferenceDate": pl.Date(),
    "LEA": pl.String(),
    "source_file": pl.String(),
}

_SEQ = "__cin_seq"
_SUB_TABLES = ("assessments", "section47", "cp_plans", "cp_reviews", "cin_plans")

# Longer or more specific tokens first: "cpp_reviews" before "cpp", "child_protection" before
# "child".
_FILE_TOKENS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cp_reviews", ("cp_reviews", "cpp_reviews", "cp_review", "cpp_review")),
    ("cp_plans", ("cp_plans", "cp_plan", "cpp", "child_protection")),
    ("cin_plans", ("cin_plans", "cin_plan", "cinplan")),
    ("section47", ("section47", "section_47", "s47")),
    ("assessments", ("assessments", "assessment")),
    ("cin_details", ("cin_details", "cindetails", "referrals", "referral")),
    ("children", ("children", "child")),
)
_ALL_TOKENS = tuple(t for _, tokens in _FILE_TOKENS for t in tokens)


def _empty_header() -> pl.DataFrame:
    return pl.DataFrame(schema=dict(CIN_HEADER_SCHEMA))


@attrs.frozen(kw_only=True, eq=False, repr=False)
class CINCensus(RecordSet):
    """A CIN census (one file or several), table by table.

    Every table is a typed :class:`polars.DataFrame` (columns in the module docstring), empty
    with the right schema when absent. ``exclusions`` holds every record read but not kept,
    with the reason; for each table, ``rows_read[table] == table height + its exclusions``
    (see :meth:`accounting`). ``header`` holds each XML file's collection details; ``files``
    the files read, in order.

    Build one with :func:`read_cin_census` (XML), :func:`read_cin_tables` (CSV tables) or
    :meth:`from_frames` (frames in memory, same checks). :meth:`table` gives a table by name.

    Parameters
    ----------
    children, cin_details, assessments, section47, cp_plans, cp_reviews, cin_plans
        The tables of those names, typed as the module docstring says.
    header
        One row per XML file read (:data:`CIN_HEADER_SCHEMA`).
    exclusions
        Every record read but not kept, with the reason.
    files
        The files read, in the order read.
    rows_read
        Table name -> records read.
    warnings
        What the reader warned about (each also issued as a
        :class:`~cyp_indicators.records.accounting.RecordFileWarning`).

    Examples
    --------
    >>> import polars as pl
    >>> census = CINCensus.from_frames(
    ...     cin_details=pl.DataFrame({
    ...         "LAchildID": ["A1", "A1"], "CINreferralDate": ["2016-05-04", "09/01/2017"],
    ...     }),
    ... )
    >>> census
    CINCensus(cin_details=2; exclusions=0, files=0)
    >>> census.cin_details.select("CINdetailsID", "CINreferralDate").rows()
    [(1, datetime.date(2016, 5, 4)), (2, datetime.date(2017, 1, 9))]
    """

    TABLES: ClassVar[tuple[str, ...]] = tuple(SPECS)
    KIND: ClassVar[str] = "CIN census"

    children: pl.DataFrame = attrs.field(factory=SPECS["children"].empty, repr=False)
    cin_details: pl.DataFrame = attrs.field(factory=SPECS["cin_details"].empty, repr=False)
    assessments: pl.DataFrame = attrs.field(factory=SPECS["assessments"].empty, repr=False)
    section47: pl.DataFrame = attrs.field(factory=SPECS["section47"].empty, repr=False)
    cp_plans: pl.DataFrame = attrs.field(factory=SPECS["cp_plans"].empty, repr=False)
    cp_reviews: pl.DataFrame = attrs.field(factory=SPECS["cp_reviews"].empty, repr=False)
    cin_plans: pl.DataFrame = attrs.field(factory=SPECS["cin_plans"].empty, repr=False)
    header: pl.DataFrame = attrs.field(factory=_empty_header, repr=False)
    exclusions: pl.DataFrame = attrs.field(factory=exclusions_frame, repr=False)
    files: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    rows_read: Mapping[str, int] = attrs.field(factory=dict, repr=False)
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_strings, repr=False)

    @classmethod
    def from_frames(cls, **frames: pl.DataFrame) -> CINCensus:
        """A CIN census from frames in memory, keyed by table name, with the readers' checks.

        Columns may be text or already typed. ``cin_details`` without ``CINdetailsID`` are
        numbered in row order within each child. Exclusions give ``source_row`` as the 0-based
        position in the frame and a null ``source_file``.

        Parameters
        ----------
        **frames
            Table name (``children``, ``cin_details`` ...) -> its frame; a table not given is
            empty. Sub-tables without ``CINdetailsID`` are linked by date, as by
            :func:`read_cin_tables`.

        Returns
        -------
        CINCensus
            The tables, checked and typed as the readers would, with an empty ``header``.

        Raises
        ------
        KeyError
            A name that is not a CIN table.
        MissingColumnError
            A required column is absent.
        """
        raw = raw_from_frames(frames, SPECS, "CIN")
        return _build(raw, headers=[], files=(), linked=False)


# --- XML ---------------------------------------------------------------------------------------

_CHILD_ALIASES = {"GenderCurrent": "Sex", "Gender": "Sex"}
_CIN_GROUPS = {
    "Assessments": "assessments",
    "Section47": "section47",
    "ChildProtectionPlans": "cp_plans",
    "CINPlanDates": "cin_plans",
}


_SEP = "\x1f"  # joins the items of a list field until polars splits them


class _Collector:
    """The records of every table as dicts of text, filled one ``<Child>`` at a time.

    List fields (Disabilities, AssessmentFactors) are held as one string joined by ``_SEP``
    and split by polars, so building the frames stays in Rust.
    """

    def __init__(self) -> None:
        self.records: dict[str, list[dict[str, object]]] = {t: [] for t in SPECS}
        self.cin_seq = 0

    def child(self, element: ET.Element) -> None:
        # Field text is taken as written where typing the tables strips it (and reads blank
        # as empty), as it does for every reader; identifiers are stripped here, as the first
        # non-empty of a field and its older names (GenderCurrent) is kept.
        ident: dict[str, object] = {}
        details: list[ET.Element] = []
        for part in element:
            tag = part.tag
            if tag[0] == "{":
                tag = tag.rpartition("}")[2]
            if tag == "CINdetails":
                details.append(part)
            elif tag == "ChildIdentifiers":
                for field in part:
                    name = field.tag
                    if name[0] == "{":
                        name = name.rpartition("}")[2]
                    name = _CHILD_ALIASES.get(name, name)
                    if ident.get(name) is None:
                        ident[name] = text_of(field)
            elif tag == "ChildCharacteristics":
                for field in part:
                    name = field.tag
                    if name[0] == "{":
                        name = name.rpartition("}")[2]
                    ident[name] = _joined(field) if name == "Disabilities" else field.text
        self.records["children"].append(ident)
        child_id = ident.get("LAchildID")
        for cin in details:
            self.cin_seq += 1
            self._details(cin, {"LAchildID": child_id, _SEQ: self.cin_seq})

    def _details(self, cin: ET.Element, link: Mapping[str, object]) -> None:
        # Field text is taken as written: typing the tables strips it and reads blank as
        # empty, as it does for every reader.
        values: dict[str, object] = dict(link)
        records = self.records
        plans = 0
        for part in cin:
            tag = part.tag
            if tag[0] == "{":
                tag = tag.rpartition("}")[2]
            group = _CIN_GROUPS.get(tag)
            if group is None:
                values[tag] = part.text
                continue
            record: dict[str, object] = dict(link)
            reviews: list[str | None] = []
            for field in part:
                name = field.tag
                if name[0] == "{":
                    name = name.rpartition("}")[2]
                if name == "FactorsIdentifiedAtAssessment":
                    record["AssessmentFactors"] = _joined(field)
                elif name == "Reviews":
                    reviews.extend([r.text for r in field])
                else:
                    record[name] = field.text
            if group == "cp_plans":
                plans += 1
                record["CPPID"] = str(plans)
                records["cp_reviews"].extend(
                    {**link, "CPPID": str(plans), "CPPreviewDate": review} for review in reviews
                )
            records[group].append(record)
        records["cin_details"].append(values)

    def frames(self, name: str, file_index: int) -> dict[str, pl.DataFrame]:
        out: dict[str, pl.DataFrame] = {}
        for table, records in self.records.items():
            spec = SPECS[table]
            schema: dict[str, pl.DataType] = {c: pl.String() for c in spec.names}
            frame = pl.from_dicts(records, schema=schema | {_SEQ: pl.Int64()})
            lists = [c.name for c in spec.columns if c.kind == "list"]
            frame = frame.with_columns(pl.col(c).str.split(_SEP) for c in lists)
            raw = conform(
                frame, spec, where=f"file {name}", source_file=name, file_index=file_index
            )
            out[table] = raw.with_columns(frame[_SEQ])
        return out


def _joined(element: ET.Element) -> str:
    # items as written: typing strips each one and drops the empty ones
    return _SEP.join([e.text for e in element if e.text is not None])


_CIN_CHILDREN = ("Message", "Children")
_CIN_CHILD = ("Message", "Children", "Child")
_CIN_HEADER = ("Message", "Header")
_CIN_WANTED = (_CIN_CHILD, _CIN_HEADER)
_CIN_STARTS = (_CIN_CHILDREN,)


def _read_xml(path: Path, file_index: int) -> tuple[dict[str, pl.DataFrame], dict[str, object]]:
    """One CIN census XML as raw frames and its header values, in one streaming pass."""
    name = str(path)
    collector = _Collector()
    header: dict[str, object] = {"source_file": name}
    root_seen = False
    children_seen = False
    for event, where, element in stream_elements(path, _CIN_WANTED, starts=_CIN_STARTS):
        if event == "start":
            if len(where) == 1:
                root_seen = True
                if where[0] != "Message":
                    msg = (
                        f"{name}: not a CIN census (the root element is <{where[0]}>, "
                        "not <Message>)"
                    )
                    raise DataError(msg)
            elif where == _CIN_CHILDREN:
                children_seen = True
            continue
        if where == _CIN_CHILD:
            collector.child(element)
        elif where == _CIN_HEADER:
            _header(element, header, name)
    if not root_seen:
        raise DataError(f"{name}: not a CIN census (no root element)")
    if not children_seen:
        raise DataError(f"{name}: not a CIN census (no <Children> element under <Message>)")
    return collector.frames(name, file_index), header


def _header(element: ET.Element, out: dict[str, object], name: str) -> None:
    for part in element.iter():
        tag = local_name(part.tag)
        if tag in ("Collection", "Year", "ReferenceDate", "LEA"):
            out[tag] = text_of(part)
    collection = out.get("Collection")
    if isinstance(collection, str) and not collection.upper().startswith("CIN"):
        msg = f"{name}: not a CIN census (the collection is {collection!r}, not CIN)"
        raise DataError(msg)


def read_cin_census(source: str | Path | Sequence[str | Path]) -> CINCensus:
    """Read CIN census XML files (DfE's ``<Message>`` format) into typed tables.

    Parameters
    ----------
    source
        One XML file, a folder (every ``*.xml`` in it, in name order), or a list of files and
        folders (in the order given). Several files (several years) are stacked.

    Returns
    -------
    CINCensus
        The tables (columns in the module docstring), the header of each file and the
        exclusions.

    Notes
    -----
    Parsing is safe and streams: ElementTree's ``iterparse`` with every element freed once it
    ends (each ``<Child>`` once read; anything outside ``<Children>`` and ``<Header>`` at once),
    so memory does not grow with the file; a document holding ``<!DOCTYPE`` or ``<!ENTITY`` is refused; nothing is fetched.
    Text stray between elements is ignored. Unknown elements (e.g. 2026's pre-proceedings) are
    skipped.

    A record is excluded (see ``exclusions``) when:

    * it has no LAchildID (``not_counted``);
    * a date is not a real date, e.g. 2012-02-31 (``impossible_date``);
    * a date the record cannot do without is empty (``missing_date``): CINreferralDate,
      AssessmentActualStartDate, S47ActualStartDate, CPPstartDate, CPPreviewDate,
      CINPlanStartDate;
    * an end is before its start (``end_before_start``): CINclosureDate < CINreferralDate,
      AssessmentAuthorisationDate < AssessmentActualStartDate, CPPendDate < CPPstartDate,
      CINPlanEndDate < CINPlanStartDate, PersonDeathDate < PersonBirthDate;
    * it repeats an earlier record exactly (``duplicate``; the first is kept). The numbers the
      reader gives (CINdetailsID, CPPID) do not count: two identical ``<CINdetails>`` of a
      child, or two identical plans in one ``<CINdetails>``, are duplicates;
    * children: the LAchildID already has a row (one per child is kept: the latest census's
      with a birth date). A differing birth date gives ``conflicting_dob``, else ``duplicate``;
    * cin_details: the same referral (LAchildID, CINreferralDate) is in a later census
      (``duplicate``; the latest census's is kept, being the most complete);
    * assessments, section 47s, plans, reviews and CIN plans inside a ``<CINdetails>`` excluded
      as a duplicate go with it (``duplicate``).

    "Later" is by collection year (the header's ReferenceDate or Year), not by the order the
    files are given, so several years read in any order give the same tables.

    A record whose referral or child was excluded for another reason is kept: an assessment
    still happened though its referral's dates are wrong. Codes are not checked here.

    Raises
    ------
    DataError
        A file that is empty, not well-formed, holds a DTD or entity declaration, or is not a
        CIN census (root not ``<Message>``, no ``<Children>``, or a collection other than
        CIN); each names the file. Also a source with no XML file.
    FileNotFoundError
        A path that does not exist.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> xml = '''<Message>
    ...   <Header><CollectionDetails><Collection>CIN</Collection><Year>2017</Year>
    ...     <ReferenceDate>2017-03-31</ReferenceDate></CollectionDetails></Header>
    ...   <Children><Child>
    ...     <ChildIdentifiers><LAchildID>A1</LAchildID>
    ...       <PersonBirthDate>2010-06-01</PersonBirthDate></ChildIdentifiers>
    ...     <CINdetails><CINreferralDate>2016-05-04</CINreferralDate>
    ...       <Assessments><AssessmentActualStartDate>2016-05-05</AssessmentActualStartDate>
    ...       </Assessments></CINdetails>
    ...   </Child></Children>
    ... </Message>'''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "cin_2017.xml"
    ...     _ = path.write_text(xml)
    ...     census = read_cin_census(path)
    >>> census
    CINCensus(children=1, cin_details=1, assessments=1; exclusions=0, files=1)
    >>> census.assessments.select("LAchildID", "CINdetailsID", "AssessmentActualStartDate").row(0)
    ('A1', 1, datetime.date(2016, 5, 5))
    >>> census.header.select("Collection", "Year", "ReferenceDate").row(0)
    ('CIN', 2017, datetime.date(2017, 3, 31))
    """
    raw: dict[str, list[pl.DataFrame]] = {}
    headers: list[dict[str, object]] = []
    read: list[FileRead] = []
    notes: list[str] = []
    for path, _ in files_in(source, (".xml",)):
        frames, header = _read_xml(path, len(read))
        for table, frame in frames.items():
            raw.setdefault(table, []).append(frame)
        headers.append(header)
        read.append(FileRead(len(read), str(path), f"xml:{path.resolve()}", _declared(header)))
    if not read:
        raise DataError(f"{source}: no CIN census XML file found")
    raw = rank_files(raw, SPECS, read, notes)
    return _build(
        raw, headers=headers, files=tuple(f.path for f in read), linked=True, notes=tuple(notes)
    )


def _declared(header: Mapping[str, object]) -> int | None:
    """The collection year a CIN census header states: its ReferenceDate's, else its Year."""
    for key in ("ReferenceDate", "Year"):
        value = header.get(key)
        if isinstance(value, str):
            text = value.strip()
            if key == "Year" and text.isdigit():
                return int(text)
            match = re.match(r"^(\d{4})-(\d{2})-\d{2}", text)
            if key == "ReferenceDate" and match:
                year, month = int(match[1]), int(match[2])
                return year + 1 if month > 3 else year
    return None


def read_cin_tables(source: str | Path | Sequence[str | Path]) -> CINCensus:
    """Read the CIN census as flat CSV tables, one file per table, with DfE's column names.

    Parameters
    ----------
    source
        A folder (every ``*.csv`` whose name says its table, in name order; others are
        skipped), one file or a list of files and folders. The table comes from the name:
        ``children`` (or ``child``), ``cin_details`` (or ``referrals``), ``assessments``,
        ``section47`` (or ``s47``), ``cp_plans`` (or ``cpp``, ``child_protection``),
        ``cp_reviews``, ``cin_plans``. Column names match whatever their case, spaces and
        underscores. ``AssessmentFactors`` and ``Disabilities`` are comma-separated lists.

    Returns
    -------
    CINCensus
        As :func:`read_cin_census`, with an empty ``header``. ``cin_details`` without a
        ``CINdetailsID`` column are numbered in file order within each child. The other
        tables keep the ``CINdetailsID`` they hold; a table with none is linked by date: each
        record (an assessment, a section 47 enquiry, a plan) takes the ID of the child's latest
        referral on or before its own date, and stays null when there is no such referral.

    Notes
    -----
    The exclusions are those of :func:`read_cin_census`, except that sub-records are not
    dropped with a referral repeated in a later file (flat tables do not link them reliably).

    Raises
    ------
    DataError
        An empty file (0 bytes), an unreadable CSV, a file given by name whose name says no
        table, or a source with no table; each names the file.
    MissingColumnError
        A required column is absent (LAchildID and each table's main date); names the column
        and the file.
    FileNotFoundError
        A path that does not exist.

    Examples
    --------
    An assessment with no ``CINdetailsID`` goes with the child's latest referral before it;
    an impossible date is excluded, not lost:

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "referrals.csv").write_text(
    ...         "LAchildID,CINreferralDate\\nA1,04/05/2016\\nA1,2017-01-09\\nA2,31/02/2017\\n"
    ...     )
    ...     _ = (Path(folder) / "assessments.csv").write_text(
    ...         "LAchildID,AssessmentActualStartDate\\nA1,2017-01-10\\n"
    ...     )
    ...     census = read_cin_tables(folder)
    >>> census.assessments.select("LAchildID", "CINdetailsID").rows()
    [('A1', 2)]
    >>> census.exclusions.select("table", "source_row", "reason").rows()
    [('cin_details', 3, "impossible_date: CINreferralDate '31/02/2017' is not a date (dd/mm/yyyy or yyyy-mm-dd)")]
    """
    raw: dict[str, list[pl.DataFrame]] = {}
    read: list[FileRead] = []
    notes: list[str] = []
    for path, in_folder in files_in(source, (".csv",)):
        table = match_table(path, _FILE_TOKENS)
        if table is None:
            if not in_folder:
                msg = (
                    f"{path}: cannot tell which CIN table the file holds; its name should "
                    f"contain one of {', '.join(SPECS)}"
                )
                raise DataError(msg)
            warn(f"{path}: skipped: the name holds no CIN table name ({', '.join(SPECS)})", notes)
            continue
        raw.setdefault(table, []).append(read_csv_raw(path, SPECS[table], len(read), notes))
        read.append(FileRead(len(read), str(path), return_group(path, _ALL_TOKENS)))
    if not read:
        msg = f"{source}: no CIN table found (file names should contain one of {', '.join(SPECS)})"
        raise DataError(msg)
    raw = rank_files(raw, SPECS, read, notes)
    return _build(
        raw, headers=[], files=tuple(f.path for f in read), linked=False, notes=tuple(notes)
    )


# --- building the tables -----------------------------------------------------------------------


def _number_details(
    stacked: dict[str, pl.DataFrame], linked: bool
) -> tuple[dict[str, pl.DataFrame], bool]:
    """Fill ``CINdetailsID``: from the XML order (``linked``), or by row order within each
    child when a flat ``cin_details`` has none. Returns the tables and whether IDs were made."""
    details = stacked["cin_details"]
    child = clean_code(pl.col("LAchildID"))
    if linked:
        ids = pl.struct(pl.col(FILE), pl.col(_SEQ)).rank("dense").over(child)
        details = details.with_columns(ids.cast(pl.String()).alias("CINdetailsID"))
        lookup = details.select(FILE, _SEQ, pl.col("CINdetailsID").alias("__id"))
        out = {"cin_details": details}
        for table, frame in stacked.items():
            if table in _SUB_TABLES:
                joined = frame.join(lookup, on=[FILE, _SEQ], how="left", maintain_order="left")
                out[table] = joined.with_columns(pl.col("__id").alias("CINdetailsID")).drop("__id")
            elif table != "cin_details":
                out[table] = frame
        return out, False
    if details.height and details["CINdetailsID"].null_count() == details.height:
        ids = pl.struct(pl.col(FILE), pl.col("source_row")).rank("dense").over(child)
        details = details.with_columns(ids.cast(pl.String()).alias("CINdetailsID"))
        return {**stacked, "cin_details": details}, True
    return stacked, False


def _build(
    raw: Mapping[str, Sequence[pl.DataFrame]],
    headers: Sequence[Mapping[str, object]],
    files: tuple[str, ...],
    *,
    linked: bool,
    notes: tuple[str, ...] = (),
) -> CINCensus:
    extra = {_SEQ: pl.Int64()}
    stacked = {name: concat_raw(raw.get(name, []), spec, extra) for name, spec in SPECS.items()}
    rows_read = {name: frame.height for name, frame in stacked.items()}
    stacked, made_ids = _number_details(stacked, linked)
    parts: list[pl.DataFrame] = []
    tables: dict[str, pl.DataFrame] = {}
    dropped = pl.DataFrame(schema={FILE: pl.Int64(), _SEQ: pl.Int64()})
    for name, spec in SPECS.items():
        kept, excluded = type_rows(stacked[name], spec)
        parts.append(excluded)
        if linked and name in _SUB_TABLES and dropped.height:
            kept, excluded = _drop_with_referral(kept, spec, dropped)
            parts.append(excluded)
        before = kept
        kept, excluded = drop_exact_duplicates(kept, spec, ignore=_ordinals(name, linked, made_ids))
        parts.append(excluded)
        if name == "children":
            kept, excluded = drop_repeated_children(kept, spec, "PersonBirthDate")
            parts.append(excluded)
        elif name == "cin_details":
            kept, excluded = drop_later_files(
                kept, spec, ("LAchildID", "CINreferralDate"), "referral"
            )
            parts.append(excluded)
            if linked:
                dropped = before.select(FILE, _SEQ).join(
                    kept.select(FILE, _SEQ), on=[FILE, _SEQ], how="anti"
                )
        tables[name] = finish(kept, spec)
    if not linked:
        tables = _link_by_date(tables)
    header = _header_frame(headers)
    return CINCensus(
        **tables,
        header=header,
        exclusions=stack_exclusions(parts),
        files=files,
        rows_read=rows_read,
        warnings=notes,
    )


def _link_by_date(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Flat sub-tables without ``CINdetailsID``: each record takes the ID of the child's latest
    referral on or before its own date (an assessment belongs to the referral it followed).

    A record dated before any referral of its child keeps a null ID. Tables that hold any
    ``CINdetailsID`` are left as they are.
    """
    referrals = (
        tables["cin_details"]
        .select(
            "LAchildID",
            pl.col("CINreferralDate").alias("__referral"),
            pl.col("CINdetailsID").alias("__id"),
        )
        .drop_nulls()
        .sort("__referral")
    )
    out = dict(tables)
    for name in _SUB_TABLES:
        frame = tables[name]
        if frame.is_empty() or frame["CINdetailsID"].null_count() < frame.height:
            continue
        date = next(c.name for c in SPECS[name].columns if c.kind == "date" and c.needed)
        linked = (
            frame.with_row_index("__pos")
            .sort(date)
            .join_asof(
                referrals,
                left_on=date,
                right_on="__referral",
                by="LAchildID",
                strategy="backward",
                check_sortedness=False,  # both sides are sorted by date above
            )
            .sort("__pos")
        )
        out[name] = linked.with_columns(pl.col("__id").alias("CINdetailsID")).select(frame.columns)
    return out


def _ordinals(name: str, linked: bool, made_ids: bool) -> tuple[str, ...]:
    """The id columns an exact duplicate may differ in: ids the reader numbered itself."""
    if name in ("cp_plans", "cp_reviews") and linked:
        return ("CPPID",)
    if name == "cin_details" and (linked or made_ids):
        return ("CINdetailsID",)
    return ()


def _drop_with_referral(
    frame: pl.DataFrame, spec: TableSpec, dropped: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records inside a ``<CINdetails>`` excluded as a duplicate go with it (``duplicate``)."""
    marked = frame.join(
        dropped.with_columns(pl.lit(True).alias("__dropped")),
        on=[FILE, _SEQ],
        how="left",
        maintain_order="left",
    )
    reason = pl.when(pl.col("__dropped").fill_null(False)).then(
        pl.lit(
            "duplicate: the CINdetails holding it was excluded as a duplicate "
            "(repeated, or in a later file)"
        )
    )
    kept, excluded = split(marked, spec, reason)
    return kept.drop("__dropped"), excluded


def _header_frame(headers: Sequence[Mapping[str, object]]) -> pl.DataFrame:
    columns = ("Collection", "Year", "ReferenceDate", "LEA", "source_file")
    if not headers:
        return _empty_header()
    frame = pl.DataFrame(
        [{c: h.get(c) for c in columns} for h in headers],
        schema={c: pl.String() for c in columns},
    )
    return frame.select(
        clean_text(pl.col("Collection")).alias("Collection"),
        clean_code(pl.col("Year")).cast(pl.Int64(), strict=False).alias("Year"),
        parse_date(clean_text(pl.col("ReferenceDate"))).alias("ReferenceDate"),
        clean_code(pl.col("LEA")).alias("LEA"),
        pl.col("source_file"),
    )
