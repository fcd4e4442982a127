"""Record files read safely: order, conflicts, encodings, warnings and bounded memory (issue 12).

Each test fails on the readers as they were: the expected answers follow from what a return is
(DfE's SSDA903 and CIN census collections), not from the library.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tracemalloc
from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.errors import DataError
from cyp_indicators.records import RecordFileWarning
from cyp_indicators.records.readers import read_cin_census, read_cin_tables, read_ssda903

SAMPLES = Path(__file__).parent / "reference" / "records"
DEMAND = SAMPLES / "demand_model"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
FY17 = cyp.Period.financial_year(2017)


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _value(ident: str, records: object, period: object, column: str = "numerator") -> int:
    result = cyp.derive(cyp.load_catalogue().get(ident), records, period=period)
    return int(result.values[column][0])


# --- which return is latest ---------------------------------------------------------------------


def _demand_files(newest_first: bool) -> list[Path]:
    years = sorted(range(2017, 2022), reverse=newest_first)
    return [DEMAND / f"{y}-{t}.csv" for y in years for t in ("header", "episodes")]


def test_five_returns_give_the_same_records_in_any_order() -> None:
    """Listed newest-first or oldest-first, five yearly returns give the same tables.

    A return's collection year decides which is latest (each year's return repeats the episodes
    open at its start; the later one holds their end dates), not the order of the list.
    """
    oldest = read_ssda903(_demand_files(newest_first=False))
    newest = read_ssda903(_demand_files(newest_first=True))
    for table in ("header", "episodes"):
        a = oldest.table(table).sort("CHILD", "source_file", "source_row")
        b = newest.table(table).sort("CHILD", "source_file", "source_row")
        assert a.equals(b), table
    key = ["table", "source_file", "source_row", "reason"]
    assert oldest.exclusions.sort(key).equals(newest.exclusions.sort(key))
    # and so the counts: children looked after, started, ceased in every collection year
    for year in range(2017, 2023):
        fy = cyp.Period.financial_year(year)
        snapshot = cyp.Period.snapshot(fy.end)
        for ident, period in (
            ("cla_rate_per_10k", snapshot),
            ("cla_starts_rate_per_10k", fy),
            ("cla_ceased_rate_per_10k", fy),
        ):
            assert _value(ident, oldest, period) == _value(ident, newest, period), (ident, year)


def test_the_later_collection_year_wins_whatever_the_names_sort_to(tmp_path: Path) -> None:
    """Two returns whose names say nothing of the year: the dates in them decide.

    ``b-episodes.csv`` is the 2019-20 return (it closes the episode in May 2019); ``a-...`` the
    2018-19 return that held it open. Read in either order, the closed episode is kept.
    """
    _write(tmp_path / "b-episodes.csv", EPISODES, "1,05/01/2019,S,C2,N1,U1,PR1,06/05/2019,E11,,,,")
    _write(tmp_path / "a-episodes.csv", EPISODES, "1,05/01/2019,S,C2,N1,U1,PR1,,,,,,")
    for order in (["a", "b"], ["b", "a"]):
        recs = read_ssda903([tmp_path / f"{n}-episodes.csv" for n in order])
        assert recs.episodes["DEC"].to_list() == [dt.date(2019, 5, 6)], order


def test_cin_census_years_in_any_order(tmp_path: Path) -> None:
    """CIN census files: the header's reference date decides which census is latest."""
    child = (
        "<Child><ChildIdentifiers><LAchildID>A</LAchildID>"
        "<PersonBirthDate>2015-01-01</PersonBirthDate></ChildIdentifiers>"
        "<CINdetails><CINreferralDate>2023-01-01</CINreferralDate>{closure}</CINdetails></Child>"
    )

    def census(year: int, closure: str) -> str:
        return (
            f"<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
            f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails></Header>"
            f"<Children>{child.format(closure=closure)}</Children></Message>"
        )

    (tmp_path / "z_2023.xml").write_text(census(2023, ""), encoding="utf-8")
    closed = "<CINclosureDate>2023-10-01</CINclosureDate>"
    (tmp_path / "a_2024.xml").write_text(census(2024, closed), encoding="utf-8")
    for files in (["z_2023", "a_2024"], ["a_2024", "z_2023"]):
        cin = read_cin_census([tmp_path / f"{n}.xml" for n in files])
        assert cin.cin_details["CINclosureDate"].to_list() == [dt.date(2023, 10, 1)], files


# --- conflicting rows ---------------------------------------------------------------------------


def test_two_rows_for_one_episode_are_neither_kept(tmp_path: Path) -> None:
    """One return holding an episode both open and ceased: the child is not counted both ways.

    An episode is a child's period under one placement and legal status from DECOM; two
    different rows for one child and DECOM cannot both be true, and nothing says which is.
    """
    _write(tmp_path / "header.csv", HEADER, "7,1,01/01/2010,WBRI,,,")
    _write(
        tmp_path / "episodes.csv",
        EPISODES,
        "7,01/06/2016,S,C2,N1,U1,PR1,,,,,,",
        "7,01/06/2016,S,C2,N1,U1,PR1,01/09/2016,E13,,,,",
    )
    recs = read_ssda903(tmp_path)
    assert recs.episodes.height == 0
    reasons = recs.exclusions["reason"].to_list()
    assert [r.split(":")[0] for r in reasons] == ["conflicting_episode"] * 2
    assert "rows 1, 2" in reasons[0]
    at_end = _value("cla_rate_per_10k", recs, cyp.Period.snapshot(dt.date(2017, 3, 31)))
    ceased = _value("cla_ceased_rate_per_10k", recs, FY17)
    assert (at_end, ceased) == (0, 0)


# --- no date of birth ---------------------------------------------------------------------------


def test_a_child_without_a_date_of_birth_counts_where_age_does_not_matter(tmp_path: Path) -> None:
    """Looked after at 31 March has no age condition, so a missing DOB does not remove the child;
    long-term stability ("aged under 16") does need it, and says so."""
    _write(tmp_path / "header.csv", HEADER, "7,1,,WBRI,,,", "8,1,01/01/2008,WBRI,,,")
    _write(
        tmp_path / "episodes.csv",
        EPISODES,
        "7,01/06/2012,S,C2,N1,U1,PR1,,,,,,",
        "8,01/06/2012,S,C2,N1,U1,PR1,,,,,,",
    )
    recs = read_ssda903(tmp_path)
    assert recs.exclusions.height == 0
    assert _value("cla_rate_per_10k", recs, cyp.Period.snapshot(dt.date(2017, 3, 31))) == 2
    result = cyp.derive(
        cyp.load_catalogue().get("cla_long_term_placement_stability_pct"),
        recs,
        period=cyp.Period.snapshot(dt.date(2017, 3, 31)),
    )
    assert (result.values["numerator"][0], result.values["denominator"][0]) == (1, 1)
    [reason] = result.exclusions.filter(pl.col("child") == "7")["reason"].to_list()
    assert reason.startswith("missing_date:")
    assert "date of birth" in reason


# --- encodings ----------------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_an_error_naming_it(tmp_path: Path) -> None:
    """Latin-1 bytes decoded lossily would make ``A\\xe9`` and ``A\\xe8`` one child."""
    path = tmp_path / "header.csv"
    path.write_bytes(
        HEADER.encode() + b"\nA\xe9,1,01/01/2010,WBRI,,,\nA\xe8,1,01/01/2011,WBRI,,,\n"
    )
    with pytest.raises(DataError, match=r"header\.csv: not UTF-8 text \(byte 0xe9 on line 2"):
        read_ssda903(tmp_path)
    cin = tmp_path / "cin"
    cin.mkdir()
    (cin / "children.csv").write_bytes(b"LAchildID,PersonBirthDate\nA\xe9,2010-01-01\n")
    with pytest.raises(DataError, match=r"children\.csv: not UTF-8 text"):
        read_cin_tables(cin)


def test_utf8_names_stay_distinct(tmp_path: Path) -> None:
    """The same two children written in UTF-8 are two children."""
    _write(tmp_path / "header.csv", HEADER, "Aé,1,01/01/2010,WBRI,,,", "Aè,1,01/01/2011,WBRI,,,")
    assert sorted(read_ssda903(tmp_path).header["CHILD"].to_list()) == ["Aè", "Aé"]


# --- warnings -----------------------------------------------------------------------------------


def test_header_only_file_and_unknown_csv_are_warned_about(tmp_path: Path) -> None:
    _write(tmp_path / "episodes.csv", EPISODES)
    _write(tmp_path / "header.csv", HEADER, "7,1,01/01/2010,WBRI,,,")
    _write(tmp_path / "notes.csv", "a,b", "1,2")
    with pytest.warns(RecordFileWarning) as caught:
        recs = read_ssda903(tmp_path)
    messages = [str(w.message) for w in caught]
    assert any("episodes.csv: the file has a header row but no data rows" in m for m in messages)
    assert any("notes.csv: skipped" in m for m in messages)
    assert list(recs.warnings) == messages
    assert recs.header.height == 1


def test_cin_tables_unknown_csv_is_warned_about(tmp_path: Path) -> None:
    _write(tmp_path / "referrals.csv", "LAchildID,CINreferralDate", "A,2023-01-01")
    _write(tmp_path / "readme.csv", "a", "1")
    with pytest.warns(RecordFileWarning, match=r"readme\.csv: skipped"):
        cin = read_cin_tables(tmp_path)
    assert cin.cin_details.height == 1


def test_returns_whose_year_cannot_be_told_are_warned_about(tmp_path: Path) -> None:
    """Two header files in different folders with no dates and no year: the order decides, and
    the reader says so."""
    for name, dob in (("one", "01/01/2010"), ("two", "02/01/2010")):
        (tmp_path / name).mkdir()
        _write(tmp_path / name / "header.csv", HEADER, f"7,1,{dob},WBRI,,,")
    with pytest.warns(RecordFileWarning, match="cannot tell the collection year"):
        read_ssda903([tmp_path / "one", tmp_path / "two"])


# --- bounded memory -----------------------------------------------------------------------------

_CIN_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?><Message><Header><CollectionDetails>'
    "<Collection>CIN</Collection><Year>2024</Year><ReferenceDate>2024-03-31</ReferenceDate>"
    "</CollectionDetails></Header>"
)
_CIN_CHILD = (
    "<Children><Child><ChildIdentifiers><LAchildID>A</LAchildID>"
    "<PersonBirthDate>2015-01-01</PersonBirthDate></ChildIdentifiers><CINdetails>"
    "<CINreferralDate>2023-05-01</CINreferralDate></CINdetails></Child></Children></Message>"
)
_903_CHILD = (
    "<CHILD><HEADER><CHILDID>7</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB><ETHNIC>WBRI</ETHNIC>"
    "</HEADER><EPISODE><DECOM>01/06/2016</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN>"
    "<PL>U1</PL></EPISODE></CHILD></EXPSSDA903>"
)


def _large_xml(path: Path, head: str, tail: str, items: int = 100_000) -> int:
    """An XML file with one element of ``items`` sub-elements outside the records; its size."""
    with path.open("w", encoding="utf-8") as f:
        f.write(head)
        f.write("<Extra>")
        for i in range(items):
            f.write(f"<Item><Note>a note that nobody reads, number {i}</Note></Item>")
        f.write("</Extra>")
        f.write(tail)
    return path.stat().st_size


@pytest.mark.parametrize("kind", ["cin", "ssda903"])
def test_a_large_element_outside_the_records_is_not_held(tmp_path: Path, kind: str) -> None:
    """Memory stays far below the file size: every element is freed once it ends.

    The readers used to clear only ``<Child>`` elements, so the 100,000 items of ``<Extra>``
    stayed in memory (several times the file's size in Python objects).
    """
    path = tmp_path / f"{kind}.xml"
    if kind == "cin":
        size = _large_xml(path, _CIN_HEAD, _CIN_CHILD)
    else:
        size = _large_xml(path, "<?xml version='1.0'?><EXPSSDA903>", _903_CHILD)
    tracemalloc.start()
    try:
        records = read_cin_census(path) if kind == "cin" else read_ssda903([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 5_000_000
    assert peak < size / 5, f"peak {peak:,} bytes for a file of {size:,}"
    table = records.cin_details if kind == "cin" else records.episodes  # type: ignore[union-attr]
    assert table.height == 1


def test_folder_copy_reads_like_the_list(tmp_path: Path) -> None:
    """A folder of the five returns (name order) and the list newest-first agree."""
    for f in _demand_files(newest_first=True):
        shutil.copy(f, tmp_path / f.name)
    folder = read_ssda903(tmp_path)
    listed = read_ssda903(_demand_files(newest_first=True))
    assert folder.episodes.drop("source_file").equals(listed.episodes.drop("source_file"))


def test_xml_reads_the_same_where_the_parser_cannot_stop_its_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streaming reader asks CPython's parser to stop queueing an event per element; where
    it cannot, it empties the queue after every chunk: the same tables, memory still bounded."""
    from cyp_indicators.records.readers import _xml

    sample = Path(__file__).parent / "reference" / "records" / "cin" / "fake_CIN_data.xml"
    usual = read_cin_census(sample)
    monkeypatch.setattr(_xml, "_stop_events", lambda parser: False)
    fallback = read_cin_census(sample)
    for table in usual.TABLES:
        assert fallback.table(table).equals(usual.table(table)), table
    path = tmp_path / "large.xml"
    size = _large_xml(path, _CIN_HEAD, _CIN_CHILD)
    tracemalloc.start()
    try:
        read_cin_census(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 5, f"peak {peak:,} bytes for a file of {size:,}"


@pytest.mark.parametrize("where", ["probe", "chunk"])
@pytest.mark.parametrize("shift", [-5, -1, 0, 3])
def test_a_declaration_split_between_reads_is_refused(
    tmp_path: Path, where: str, shift: int
) -> None:
    """``<!DOCTYPE`` starting a few bytes before, at or after the end of the first 64 KB read
    (the probe) or of a later chunk is found, whichever read holds which part of it."""
    from cyp_indicators.records.readers._xml import CHUNK_BYTES, PROBE_BYTES

    head = '<?xml version="1.0"?><!--'
    boundary = PROBE_BYTES if where == "probe" else PROBE_BYTES + CHUNK_BYTES
    padding = "p" * (boundary + shift - len(head) - len("-->"))
    text = (
        head
        + padding
        + '--><!DOCTYPE Message [<!ENTITY x "y">]>'
        + _CIN_HEAD.split("?>", 1)[1]
        + _CIN_CHILD
    )
    assert text.index("<!DOCTYPE") == boundary + shift
    path = tmp_path / "split.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="DOCTYPE"):
        read_cin_census(path)
