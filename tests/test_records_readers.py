"""The SSDA903 and CIN census readers: published fake samples, row accounting, bad input, speed.

Samples and their provenance: ``tests/reference/records/README.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest

from cyp_indicators.errors import DataError, MissingColumnError
from cyp_indicators.records.accounting import EXCLUSION_SCHEMA, RecordFileWarning
from cyp_indicators.records.readers import (
    CIN_HEADER_SCHEMA,
    CIN_TABLES,
    SSDA903,
    SSDA903_TABLES,
    CINCensus,
    read_cin_census,
    read_cin_tables,
    read_ssda903,
)

SAMPLES = Path(__file__).parent / "reference" / "records"
DEMAND = SAMPLES / "demand_model"
VALIDATOR = SAMPLES / "validator_903"
CIN = SAMPLES / "cin"
YEARS = range(2017, 2022)

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def _data_rows(path: Path) -> int:
    """Data rows of a CSV, counted with the standard library (independent of the reader)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _reasons(records: SSDA903 | CINCensus, table: str) -> list[str]:
    return records.exclusions.filter(pl.col("table") == table)["reason"].to_list()


def _codes(records: SSDA903 | CINCensus, table: str) -> list[str]:
    return [r.split(":")[0] for r in _reasons(records, table)]


def _assert_accounting(records: SSDA903 | CINCensus) -> None:
    acc = records.accounting()
    assert (acc["read"] == acc["kept"] + acc["excluded"]).all(), acc
    assert acc["excluded"].sum() == records.exclusions.height


def _cin_xml(children: str, *, collection: str = "CIN", root: str = "Message") -> str:
    return (
        f"<{root}><Header><CollectionDetails><Collection>{collection}</Collection>"
        "<Year>2024</Year><ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails>"
        f"<Source><LEA>999</LEA></Source></Header><Children>{children}</Children></{root}>"
    )


def _child(child_id: str, dob: str, details: str = "", extra: str = "") -> str:
    return (
        f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID>"
        f"<PersonBirthDate>{dob}</PersonBirthDate><Sex>1</Sex>{extra}</ChildIdentifiers>"
        f"<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>{details}"
        "</Child>"
    )


def _details(referral: str, closure: str = "", inner: str = "") -> str:
    close = f"<CINclosureDate>{closure}</CINclosureDate>" if closure else ""
    return (
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
        f"<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>{close}"
        f"<ReferralNFA>false</ReferralNFA>{inner}</CINdetails>"
    )


def _cpp(start: str, end: str = "", reviews: tuple[str, ...] = ()) -> str:
    close = f"<CPPendDate>{end}</CPPendDate>" if end else ""
    rev = "".join(f"<CPPreviewDate>{r}</CPPreviewDate>" for r in reviews)
    return (
        f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>{close}"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
        "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
        f"<NumberOfPreviousCPP>0</NumberOfPreviousCPP><Reviews>{rev}</Reviews>"
        "</ChildProtectionPlans>"
    )


# --- SSDA903 samples ---------------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_demand_model_year_reads_with_exact_accounting(year: int) -> None:
    files = [DEMAND / f"{year}-header.csv", DEMAND / f"{year}-episodes.csv"]
    recs = read_ssda903(files)
    assert recs.files == tuple(map(str, files))
    for table, path in zip(("header", "episodes"), files, strict=True):
        lines = _data_rows(path)
        excluded = len(_reasons(recs, table))
        assert recs.rows_read[table] == lines
        assert recs.table(table).height == lines - excluded
    _assert_accounting(recs)
    # A single year is clean: one header row per child, every episode's child has a header.
    assert recs.exclusions.height == 0
    assert recs.header["CHILD"].is_unique().all()
    assert recs.episodes["CHILD"].is_in(recs.header["CHILD"].implode()).all()


def test_demand_model_five_years_together() -> None:
    recs = read_ssda903(DEMAND)
    assert len(recs.files) == 10
    _assert_accounting(recs)
    lines = {
        t: sum(_data_rows(DEMAND / f"{y}-{t}.csv") for y in YEARS) for t in ("header", "episodes")
    }
    assert recs.rows_read == {**dict.fromkeys(SSDA903.TABLES, 0), **lines}
    # Each year repeats the children (identical rows) and the episodes open at its start.
    assert recs.header.height == 820
    assert recs.header["CHILD"].is_unique().all()
    assert set(_codes(recs, "header")) == {"duplicate"}
    assert recs.episodes.height == 2827
    assert recs.episodes.select(pl.struct("CHILD", "DECOM").is_unique().all()).item()
    assert set(_codes(recs, "episodes")) == {"duplicate"}
    # An episode open in the 2017 return and closed in the 2019 one: the 2019 row is kept.
    ep = recs.episodes.filter(
        (pl.col("CHILD") == "101362") & (pl.col("DECOM") == dt.date(2017, 12, 10))
    )
    assert ep["DEC"].to_list() == [dt.date(2019, 5, 27)]
    assert ep["source_file"].item().endswith("2019-episodes.csv")


def test_validator_903_sample_tables_and_values() -> None:
    recs = read_ssda903(VALIDATOR)
    _assert_accounting(recs)
    assert recs.exclusions.height == 0
    for table in ("header", "episodes", "ad1", "missing", "oc3", "placed_for_adoption", "uasc"):
        assert recs.table(table).height == _data_rows(VALIDATOR / f"{table}.csv")
    assert recs.header.height == 2675
    assert recs.episodes.height == 5050
    first = recs.episodes.row(0, named=True)
    assert (first["CHILD"], first["DECOM"], first["DEC"], first["PLACE"]) == (
        "566910",
        dt.date(2016, 2, 15),
        dt.date(2017, 8, 14),
        "T2",
    )
    assert (recs.episodes["DECOM"] >= dt.date(2015, 1, 1)).all()
    # sw_episodes.csv starts with a byte-order mark: CHILD is still found.
    assert recs.sw_episodes.row(0, named=True)["SW_DECOM"] == dt.date(2020, 1, 1)
    assert recs.header.schema == SSDA903_TABLES["header"]


@pytest.mark.parametrize(
    "path",
    sorted(VALIDATOR.glob("*.csv"))
    + sorted(DEMAND.glob("*.csv"))
    + sorted((SAMPLES / "liia").glob("*.csv")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_sample_csv_accounts_for_every_row(path: Path) -> None:
    recs = read_ssda903([path])
    acc = recs.accounting().filter(pl.col("read") > 0)
    assert acc.height == 1
    assert acc["read"].item() == _data_rows(path)
    assert acc["read"].item() == acc["kept"].item() + acc["excluded"].item()


def test_iso_dates_and_extra_columns_sample() -> None:
    recs = read_ssda903(SAMPLES / "liia" / "SSDA903_episodes_for_testing_fixes_INPUT.csv")
    assert recs.episodes.height == 23
    assert recs.episodes.row(0, named=True)["DECOM"] == dt.date(2015, 6, 19)
    assert "LA" not in recs.episodes.columns
    assert recs.episodes.schema == SSDA903_TABLES["episodes"]


def test_empty_tables_have_the_documented_schema() -> None:
    recs = read_ssda903(DEMAND / "2021-header.csv")
    for table in SSDA903.TABLES:
        assert recs.table(table).schema == SSDA903_TABLES[table]
    assert recs.exclusions.schema == EXCLUSION_SCHEMA


# --- SSDA903 bad input -------------------------------------------------------------------------


def test_impossible_dates_are_excluded(tmp_path: Path) -> None:
    _write(tmp_path / "header.csv", HEADER, "1,1,31/02/2012,WBRI,,,", "2,1,01/02/2012,WBRI,,,")
    _write(
        tmp_path / "episodes.csv",
        EPISODES,
        "2,01/03/2015,S,C2,N1,U1,PR1,30/02/2016,E11,,,,",
        "2,01/03/2016,S,C2,N1,U1,PR1,29/02/2016x,E11,,,,",
        "2,01/03/2017,S,C2,N1,U1,PR1,01/03/17,E11,,,,",
        "2,01/03/2018,S,C2,N1,U1,PR1,,E11,,,,",
    )
    recs = read_ssda903(tmp_path)
    _assert_accounting(recs)
    assert recs.header["CHILD"].to_list() == ["2"]
    bad = recs.exclusions.filter(pl.col("table") == "header").row(0, named=True)
    assert (bad["child"], bad["column"], bad["value"], bad["source_row"]) == (
        "1",
        "DOB",
        "31/02/2012",
        1,
    )
    assert bad["reason"].startswith("impossible_date: DOB '31/02/2012'")
    assert bad["source_file"] == str(tmp_path / "header.csv")
    assert _codes(recs, "episodes") == ["impossible_date"] * 3
    assert recs.exclusions.filter(pl.col("table") == "episodes")["column"].to_list() == ["DEC"] * 3
    # A two-digit year is not read as year 17.
    assert "01/03/17" in recs.exclusions["value"].to_list()
    assert recs.episodes["DECOM"].to_list() == [dt.date(2018, 3, 1)]


def test_end_before_start_is_excluded(tmp_path: Path) -> None:
    _write(
        tmp_path / "episodes.csv",
        EPISODES,
        "1,05/01/2012,S,C2,N1,U1,PR1,01/01/2012,E11,,,,",
        "1,05/01/2013,S,C2,N1,U1,PR1,05/01/2013,E11,,,,",
    )
    _write(
        tmp_path / "missing.csv",
        "CHILD,DOB,MISSING,MIS_START,MIS_END",
        "1,,M,10/10/2012,09/10/2012",
    )
    recs = read_ssda903(tmp_path)
    _assert_accounting(recs)
    assert _reasons(recs, "episodes") == [
        "end_before_start: DEC 2012-01-01 is before DECOM 2012-01-05"
    ]
    assert recs.episodes["DECOM"].to_list() == [dt.date(2013, 1, 5)]  # same-day episode kept
    assert _codes(recs, "missing") == ["end_before_start"]


def test_conflicting_dates_of_birth(tmp_path: Path) -> None:
    """The latest return's header row wins, whatever the order the files are given in.

    DfE: "Local authorities update the database every year, including making amendments to
    previous years' records where there have been changes" (children looked after
    methodology): the 2020 return's date of birth is the corrected one.
    """
    _write(tmp_path / "2019-header.csv", HEADER, "7,1,01/01/2010,WBRI,,,", "8,1,01/01/2011,WBRI,,,")
    _write(tmp_path / "2020-header.csv", HEADER, "7,1,02/01/2010,WBRI,,,", "8,1,01/01/2011,WIRI,,,")
    for order in ([tmp_path / "2019-header.csv", tmp_path / "2020-header.csv"],
                  [tmp_path / "2020-header.csv", tmp_path / "2019-header.csv"]):  # fmt: skip
        recs = read_ssda903(order)
        assert recs.warnings == ()  # the years are in the names
        _assert_accounting(recs)
        header = recs.header.sort("CHILD")
        assert header["DOB"].to_list() == [dt.date(2010, 1, 2), dt.date(2011, 1, 1)]
        assert header["ETHNIC"].to_list() == ["WBRI", "WIRI"]  # the 2020 return's
        excl = recs.exclusions.sort("child")
        assert [r.split(":")[0] for r in excl["reason"]] == ["conflicting_dob", "duplicate"]
        assert excl.row(0, named=True)["value"] == "2010-01-01"
        assert "2020-header.csv row 1" in excl.row(0, named=True)["reason"]


def test_conflicting_dob_within_one_file(tmp_path: Path) -> None:
    _write(tmp_path / "header.csv", HEADER, "7,1,01/01/2010,WBRI,,,", "7,1,01/01/2009,WBRI,,,")
    recs = read_ssda903(tmp_path / "header.csv")
    assert recs.header["DOB"].to_list() == [dt.date(2010, 1, 1)]
    assert _codes(recs, "header") == ["conflicting_dob"]


def test_mixed_date_formats_in_one_column(tmp_path: Path) -> None:
    _write(
        tmp_path / "episodes.csv",
        EPISODES,
        "1,05/01/2012,S,C2,N1,U1,PR1,2012-02-01,E11,,,,",
        "1,2012-02-01,P,C2,N1,U1,PR1,1/3/2012,E11,,,,",
        "1, 2012-03-01 00:00:00 ,P,C2,N1,U1,PR1,,E11,,,,",
    )
    recs = read_ssda903(tmp_path)
    assert recs.exclusions.height == 0
    assert recs.episodes["DECOM"].to_list() == [
        dt.date(2012, 1, 5),
        dt.date(2012, 2, 1),
        dt.date(2012, 3, 1),
    ]
    assert recs.episodes["DEC"].to_list() == [dt.date(2012, 2, 1), dt.date(2012, 3, 1), None]


def test_empty_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "episodes.csv"
    path.write_bytes(b"")
    with pytest.raises(DataError, match=r"episodes\.csv: the file is empty"):
        read_ssda903(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf\n  \n")
    with pytest.raises(DataError, match=r"episodes\.csv"):
        read_ssda903([path])


def test_header_only_file_is_an_empty_table(tmp_path: Path) -> None:
    _write(tmp_path / "episodes.csv", EPISODES)
    _write(tmp_path / "header.csv", HEADER)
    with pytest.warns(RecordFileWarning, match="header row but no data rows"):
        recs = read_ssda903(tmp_path)
    assert recs.episodes.height == 0
    assert recs.episodes.schema == SSDA903_TABLES["episodes"]
    assert recs.exclusions.height == 0
    assert recs.rows_read["episodes"] == 0


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "episodes.csv", "CHILD,RNE,LS,CIN,PLACE,DEC,REC", "1,S,C2,N1,U1,,E11")
    with pytest.raises(MissingColumnError, match="DECOM") as info:
        read_ssda903(path)
    assert info.value.column == "DECOM"
    assert str(path) in str(info.value)


def test_optional_columns_may_be_absent_and_names_are_loose(tmp_path: Path) -> None:
    _write(
        tmp_path / "SSDA903_2020_Episodes.csv",
        "child , decom,rne,ls,cin,place,dec,rec",
        "1,01/01/2020,S,C2,N1,U1,,E11",
    )
    recs = read_ssda903(tmp_path)
    assert recs.episodes.row(0, named=True)["PLACE_PROVIDER"] is None
    assert recs.episodes.row(0, named=True)["DECOM"] == dt.date(2020, 1, 1)


def test_blank_rows_missing_child_and_exact_duplicates(tmp_path: Path) -> None:
    _write(
        tmp_path / "episodes.csv",
        EPISODES,
        "1,05/01/2012,S,C2,N1,U1,PR1,,E11,,,,",
        ",,,,,,,,,,,,",
        ",05/01/2012,S,C2,N1,U1,PR1,,E11,,,,",
        "1,05/01/2012,S,C2,N1,U1,PR1,,E11,,,,",
        "1,,S,C2,N1,U1,PR1,,E11,,,,",
    )
    recs = read_ssda903(tmp_path)
    _assert_accounting(recs)
    assert recs.episodes.height == 1
    assert _codes(recs, "episodes") == ["not_counted", "not_counted", "missing_date", "duplicate"]
    assert recs.exclusions["source_row"].to_list() == [2, 3, 5, 4]


def test_episode_without_header_is_excluded_only_when_a_header_was_read(tmp_path: Path) -> None:
    _write(tmp_path / "header.csv", HEADER, "1,1,01/01/2010,WBRI,,,", "2,1,31/02/2010,WBRI,,,")
    _write(
        tmp_path / "episodes.csv",
        EPISODES,
        "1,05/01/2012,S,C2,N1,U1,PR1,,E11,,,,",
        "2,05/01/2012,S,C2,N1,U1,PR1,,E11,,,,",
        "3,05/01/2012,S,C2,N1,U1,PR1,,E11,,,,",
    )
    recs = read_ssda903(tmp_path)
    _assert_accounting(recs)
    assert recs.episodes["CHILD"].to_list() == ["1"]
    assert _codes(recs, "episodes") == ["child_without_header"] * 2
    alone = read_ssda903(tmp_path / "episodes.csv")
    assert alone.episodes.height == 3


def test_episode_sent_again_in_a_later_year_keeps_the_latest(tmp_path: Path) -> None:
    _write(tmp_path / "2019-episodes.csv", EPISODES, "1,05/01/2019,S,C2,N1,U1,PR1,,E11,,,,")
    _write(
        tmp_path / "2020-episodes.csv", EPISODES, "1,05/01/2019,S,C2,N1,U1,PR1,06/06/2019,E11,,,,"
    )
    recs = read_ssda903(tmp_path)
    assert recs.episodes["DEC"].to_list() == [dt.date(2019, 6, 6)]
    [reason] = _reasons(recs, "episodes")
    assert reason.startswith("duplicate: the same episode (CHILD, DECOM) is in a later file")


def test_file_names_decide_tables(tmp_path: Path) -> None:
    stray = _write(tmp_path / "notes.csv", "a,b", "1,2")
    _write(
        tmp_path / "sw_episodes.csv",
        "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON",
        "1,,S1,01/01/2020,,",
    )
    (tmp_path / "cin.xml").write_text(_cin_xml(""), encoding="utf-8")
    with pytest.warns(RecordFileWarning, match=r"notes\.csv: skipped"):
        recs = read_ssda903(tmp_path)  # notes.csv and XML files are skipped in a folder
    assert recs.sw_episodes.height == 1
    assert recs.episodes.height == 0
    assert recs.files == (str(tmp_path / "sw_episodes.csv"),)
    with pytest.raises(DataError, match=r"notes\.csv: cannot tell which SSDA903 table"):
        read_ssda903([stray])
    with pytest.raises(DataError, match="no SSDA903 table"):
        read_ssda903([])
    with pytest.raises(FileNotFoundError):
        read_ssda903(tmp_path / "absent.csv")


def test_ragged_csv_is_a_data_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "header.csv", HEADER, "1,1,01/01/2010,WBRI,,,,,,,,extra")
    with pytest.raises(DataError, match=r"header\.csv"):
        read_ssda903(path)


def test_from_frames_types_and_checks() -> None:
    header = pl.DataFrame(
        {
            "CHILD": ["1", "2"],
            "SEX": [1, 2],
            "DOB": [dt.date(2010, 1, 1), None],
            "ETHNIC": ["WBRI", "WBRI"],
        }
    )
    episodes = pl.DataFrame(
        {
            "CHILD": ["1", "1"],
            "DECOM": ["01/01/2020", "2021-02-30"],
            "RNE": ["S", "P"],
            "LS": ["C2", "C2"],
            "CIN": ["N1", "N1"],
            "PLACE": ["U1", "U1"],
            "DEC": [None, None],
            "REC": [None, None],
        }
    )
    recs = SSDA903.from_frames(header=header, episodes=episodes)
    _assert_accounting(recs)
    # child 2 has no date of birth: kept (only the derivations that need an age leave it out)
    assert recs.header["SEX"].to_list() == ["1", "2"]
    assert recs.episodes.schema == SSDA903_TABLES["episodes"]
    excl = recs.exclusions.sort("table")
    assert excl["source_file"].to_list() == [None]
    assert excl["source_row"].to_list() == [1]  # 0-based position in the frame
    assert [r.split(":")[0] for r in excl["reason"]] == ["impossible_date"]
    with pytest.raises(KeyError, match="episode"):
        SSDA903.from_frames(episode=episodes)


def test_ssda903_xml_return(tmp_path: Path) -> None:
    path = tmp_path / "903.xml"
    path.write_text(
        "<?xml version='1.0' encoding='us-ascii'?><EXPSSDA903><CHILD><HEADER>"
        "<CHILDID>907440</CHILDID><UPN>O013219285333</UPN><SEX>2</SEX><DOB>28/07/2010</DOB>"
        "<ETHNIC>BAFR</ETHNIC><UASC /><AREVIEW><REVIEW>27/09/2015</REVIEW>"
        "<REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW><MOTHER /><MC_DOB />"
        "<PERMANENCE><PREV_PERM>Z1</PREV_PERM></PERMANENCE><OC2><SDQ_SCORE>21</SDQ_SCORE>"
        "<CONVICTED>1</CONVICTED></OC2></HEADER><EPISODE><DECOM>06/01/2017</DECOM><RNE>T</RNE>"
        "<LS>J3</LS><CIN>N4</CIN><PL>R5</PL><DEC>06/10/2017</DEC><REC>X1</REC></EPISODE>"
        "<EPISODE><DECOM>06/10/2017</DECOM><RNE>T</RNE><LS>J3</LS><CIN>N4</CIN><PL>P2</PL>"
        "<DEC>05/10/2017</DEC><REC>E11</REC></EPISODE></CHILD></EXPSSDA903>",
        encoding="ascii",
    )
    recs = read_ssda903(path)
    _assert_accounting(recs)
    assert recs.header.row(0, named=True)["DOB"] == dt.date(2010, 7, 28)
    assert recs.episodes["PLACE"].to_list() == ["R5"]
    assert _codes(recs, "episodes") == ["end_before_start"]
    assert recs.reviews["REVIEW_CODE"].to_list() == ["PN0"]
    assert recs.oc2["SDQ_SCORE"].to_list() == [21]
    assert recs.previous_permanence["PREV_PERM"].to_list() == ["Z1"]
    assert recs.uasc.height == 0
    path.write_text(_cin_xml(""), encoding="utf-8")
    with pytest.raises(DataError, match=r"903\.xml: not an SSDA903 XML return"):
        read_ssda903(path)


# --- CIN census samples ------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(CIN.glob("*.xml")), ids=lambda p: p.name)
def test_every_cin_sample_accounts_for_every_record(path: Path) -> None:
    cin = read_cin_census(path)
    _assert_accounting(cin)
    text = path.read_text(encoding="utf-8")
    assert cin.rows_read["children"] == text.count("<Child>")
    assert cin.rows_read["cin_details"] == text.count("<CINdetails>")
    assert cin.rows_read["assessments"] == text.count("<Assessments>")
    assert cin.rows_read["cp_plans"] == text.count("<ChildProtectionPlans>")
    assert cin.rows_read["cp_reviews"] == text.count("<CPPreviewDate>")
    for table in CINCensus.TABLES:
        assert cin.table(table).schema == CIN_TABLES[table]
    assert cin.header.schema == CIN_HEADER_SCHEMA


def test_fake_cin_data_known_values() -> None:
    cin = read_cin_census(CIN / "fake_CIN_data.xml")
    assert cin.children.height == 332
    assert cin.cin_details.height == 402
    assert cin.exclusions.height == 0
    assert cin.assessments.height == cin.section47.height == cin.cp_plans.height == 0
    assert cin.header.row(0, named=True) == {
        "Collection": "CIN",
        "Year": 2022,
        "ReferenceDate": dt.date(2022, 7, 21),
        "LEA": "975",
        "source_file": str(CIN / "fake_CIN_data.xml"),
    }
    first = cin.children.row(0, named=True)
    assert (first["LAchildID"], first["UPN"], first["PersonBirthDate"], first["Sex"]) == (
        "RND000215205141",
        "A850728973744",
        dt.date(2019, 12, 6),
        "1",  # <GenderCurrent> in this file
    )
    two = cin.cin_details.filter(pl.col("LAchildID") == "RND000824303014").sort("CINdetailsID")
    assert two["CINdetailsID"].to_list() == [1, 2]
    assert two["CINreferralDate"].to_list() == [dt.date(2013, 10, 25), dt.date(2017, 10, 22)]
    assert two["CINclosureDate"].to_list() == [dt.date(2014, 1, 1), None]
    assert two["ReferralNFA"].to_list() == [True, True]
    assert two["ReferralSource"].to_list() == ["6", "3A"]


def test_cin_2024_stray_text_and_full_structure() -> None:
    cin = read_cin_census(CIN / "CIN_Census_2024.xml")
    child = cin.children.row(0, named=True)
    assert child["UPNunknown"] == "UN3"
    assert child["PersonBirthDate"] == dt.date(2015, 3, 27)
    assert child["Disabilities"] == ["HAND", "HEAR"]
    assert cin.cin_details["ReferralNFA"].to_list() == [False, False]  # "0" and "false"
    assert cin.section47.row(0, named=True)["DateOfInitialCPC"] == dt.date(2022, 6, 17)
    assert cin.cp_plans.row(0, named=True)["NumberOfPreviousCPP"] == 10
    assert cin.cp_reviews["CPPreviewDate"].to_list() == [dt.date(2023, 2, 15)]
    assert cin.cin_plans["CINPlanEndDate"].to_list() == [dt.date(2023, 1, 26)]
    # The first child's assessment is authorised (2020) before it starts (2028).
    assert _codes(cin, "assessments") == ["end_before_start"]
    assert cin.assessments["LAchildID"].to_list() == ["child_fails_assessments"]
    assert cin.assessments["AssessmentFactors"].to_list() == [[]]


def test_cin_repeated_plan_is_a_duplicate() -> None:
    cin = read_cin_census(CIN / "CIN2rows.xml")
    assert cin.cp_plans.height == 1
    assert _codes(cin, "cp_plans") == ["duplicate"]
    assert _codes(cin, "cp_reviews") == ["duplicate"]


def test_several_cin_files_stack() -> None:
    cin = read_cin_census(CIN)
    _assert_accounting(cin)
    assert len(cin.files) == 5
    assert cin.header.height == 5
    assert cin.children["LAchildID"].is_unique().all()
    assert cin.cin_details.select(pl.struct("LAchildID", "CINdetailsID").is_unique().all()).item()


# --- CIN bad input -----------------------------------------------------------------------------


def test_cin_impossible_date_and_cp_plan_ending_before_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    inner = _cpp("2023-05-01", "2023-04-01") + _cpp("2023-06-01", "2023-07-01", ("2023-02-30",))
    path.write_text(
        _cin_xml(
            _child("A", "2015-02-31", _details("2023-04-01", inner=inner))
            + _child(
                "B", "2016-01-01", _details("2023-13-01") + _details("2023-05-05", "2023-05-01")
            )
        ),
        encoding="utf-8",
    )
    cin = read_cin_census(path)
    _assert_accounting(cin)
    assert _codes(cin, "children") == ["impossible_date"]
    assert cin.children["LAchildID"].to_list() == ["B"]
    assert _codes(cin, "cp_plans") == ["end_before_start"]
    assert _reasons(cin, "cp_plans") == [
        "end_before_start: CPPendDate 2023-04-01 is before CPPstartDate 2023-05-01"
    ]
    assert cin.cp_plans["CPPID"].to_list() == [2]
    assert _codes(cin, "cp_reviews") == ["impossible_date"]
    assert sorted(_codes(cin, "cin_details")) == ["end_before_start", "impossible_date"]
    # The child's own row was excluded, but its referral is kept (it still happened).
    assert cin.cin_details["LAchildID"].to_list() == ["A"]


def test_cin_conflicting_dob_across_files_and_later_file_wins(tmp_path: Path) -> None:
    plan = _cpp("2023-02-01")
    (tmp_path / "2023.xml").write_text(
        _cin_xml(_child("A", "2015-01-01", _details("2023-01-01", inner=plan))), encoding="utf-8"
    )
    plan_closed = _cpp("2023-02-01", "2023-09-01")
    (tmp_path / "2024.xml").write_text(
        _cin_xml(_child("A", "2015-01-02", _details("2023-01-01", "2023-10-01", plan_closed))),
        encoding="utf-8",
    )
    cin = read_cin_census(tmp_path)
    _assert_accounting(cin)
    assert _codes(cin, "children") == ["conflicting_dob"]
    # the latest census's birth date is kept (a later return corrects an earlier one)
    assert cin.children["PersonBirthDate"].to_list() == [dt.date(2015, 1, 2)]
    assert cin.cin_details["CINclosureDate"].to_list() == [dt.date(2023, 10, 1)]
    assert cin.cin_details["CINdetailsID"].to_list() == [2]
    assert cin.cp_plans["CPPendDate"].to_list() == [dt.date(2023, 9, 1)]
    assert cin.cp_plans["CINdetailsID"].to_list() == [2]
    assert _codes(cin, "cin_details") == ["duplicate"]
    assert _codes(cin, "cp_plans") == ["duplicate"]


def test_cin_identical_referrals_in_one_child_are_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    same = _details("2023-01-01", inner=_cpp("2023-02-01", reviews=("2023-03-01",)))
    path.write_text(_cin_xml(_child("A", "2015-01-01", same + same + _details("2023-05-05"))))
    cin = read_cin_census(path)
    _assert_accounting(cin)
    assert cin.cin_details["CINdetailsID"].to_list() == [1, 3]
    assert _codes(cin, "cin_details") == ["duplicate"]
    assert cin.cp_plans["CINdetailsID"].to_list() == [1]
    assert _codes(cin, "cp_plans") == _codes(cin, "cp_reviews") == ["duplicate"]
    assert "CINdetails holding it" in _reasons(cin, "cp_plans")[0]


def test_not_a_cin_census_names_the_file(tmp_path: Path) -> None:
    cases = {
        "root.xml": "<EXPSSDA903><CHILD/></EXPSSDA903>",
        "nochildren.xml": "<Message><Header/></Message>",
        "school.xml": _cin_xml("", collection="SC"),
        "broken.xml": "<Message><Children><Child></Children></Message>",
        "text.xml": "LAchildID,CINreferralDate\n1,2020-01-01\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataError, match=name.replace(".", r"\.")):
            read_cin_census(path)


def test_empty_cin_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    path.write_bytes(b"")
    with pytest.raises(DataError, match=r"cin\.xml: the file is empty"):
        read_cin_census(path)
    folder = tmp_path / "sub"
    folder.mkdir()
    with pytest.raises(DataError, match="no CIN census XML"):
        read_cin_census(folder)


def test_cin_census_with_no_children_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    path.write_text(_cin_xml(""), encoding="utf-8")
    cin = read_cin_census(path)
    assert cin.children.height == 0
    assert cin.header.height == 1


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE Message [<!ENTITY x "boom">]>',
        '<!DOCTYPE Message SYSTEM "http://example.invalid/cin.dtd">',
        '<!ENTITY x SYSTEM "file:///etc/passwd">',
        "<!doctype Message>",
        "<!--" + "padding " * 20_000 + '--><!DOCTYPE Message [<!ENTITY x "y">]>',
    ],
    ids=["internal-entity", "external-dtd", "entity", "lower-case", "after-64kb"],
)
def test_dtd_and_entities_are_refused(tmp_path: Path, prolog: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_text('<?xml version="1.0"?>' + prolog + _cin_xml(""), encoding="utf-8")
    with pytest.raises(DataError, match=r"evil\.xml: the XML holds a <!DOCTYPE or <!ENTITY"):
        read_cin_census(path)


def test_utf16_doctype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil16.xml"
    text = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE Message [<!ENTITY x "y">]>' + _cin_xml(
        ""
    )
    path.write_bytes(text.encode("utf-16"))
    with pytest.raises(DataError, match="DOCTYPE"):
        read_cin_census(path)


def test_namespaced_cin_census(tmp_path: Path) -> None:
    path = tmp_path / "ns.xml"
    text = _cin_xml(_child("A", "2015-01-01", _details("2023-01-01")))
    path.write_text(
        text.replace("<Message>", '<Message xmlns="http://www.dfe.gov.uk/CIN">'), encoding="utf-8"
    )
    cin = read_cin_census(path)
    assert cin.cin_details["CINreferralDate"].to_list() == [dt.date(2023, 1, 1)]


# --- CIN flat tables ---------------------------------------------------------------------------


def test_cin_flat_tables(tmp_path: Path) -> None:
    _write(
        tmp_path / "children.csv",
        "LAchildID,PersonBirthDate,Sex,Disabilities",
        'A,01/01/2015,1,"HAND, HEAR"',
    )
    _write(
        tmp_path / "referrals.csv",
        "LAchildID,CINreferralDate,ReferralSource,CINclosureDate,ReferralNFA",
        "A,01/04/2023,1A,2023-05-01,N",
        "A,2023-06-01,1A,,Y",
        "A,2023-06-01,1A,,Y",
    )
    _write(
        tmp_path / "assessments.csv",
        "LAchildID,AssessmentActualStartDate,AssessmentAuthorisationDate,AssessmentFactors",
        'A,02/04/2023,20/04/2023,"1C,3A"',
    )
    _write(
        tmp_path / "cp_plans.csv",
        "LAchildID,CPPstartDate,CPPendDate",
        "A,01/05/2023,01/04/2023",
        "A,01/06/2023,",
    )
    cin = read_cin_tables(tmp_path)
    _assert_accounting(cin)
    assert cin.children.row(0, named=True)["Disabilities"] == ["HAND", "HEAR"]
    assert cin.cin_details["CINdetailsID"].to_list() == [1, 2]
    assert cin.cin_details["ReferralNFA"].to_list() == [False, True]
    assert _codes(cin, "cin_details") == ["duplicate"]
    assert cin.assessments["AssessmentFactors"].to_list() == [["1C", "3A"]]
    # no CINdetailsID in the flat sub-tables: each record joins the child's latest referral on
    # or before its date (the assessment of 2 April 2023 follows the referral of 1 April)
    assert cin.assessments["CINdetailsID"].to_list() == [1]
    assert cin.cp_plans["CINdetailsID"].to_list() == [2]
    assert _codes(cin, "cp_plans") == ["end_before_start"]
    assert cin.header.height == 0


def test_cin_flat_tables_bad_files(tmp_path: Path) -> None:
    empty = tmp_path / "referrals.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r"referrals\.csv: the file is empty"):
        read_cin_tables(empty)
    _write(empty, "LAchildID,ReferralSource", "A,1A")
    with pytest.raises(MissingColumnError, match="CINreferralDate"):
        read_cin_tables(empty)
    _write(empty, "LAchildID,CINreferralDate")
    with pytest.warns(RecordFileWarning, match="header row but no data rows"):
        assert read_cin_tables(empty).cin_details.height == 0
    with pytest.raises(DataError, match="cannot tell which CIN table"):
        read_cin_tables(_write(tmp_path / "other.csv", "a", "1"))


def test_cin_from_frames() -> None:
    frame = pl.DataFrame(
        {"LAchildID": ["A", "A"], "CINreferralDate": [dt.date(2023, 1, 1), dt.date(2023, 2, 1)]}
    )
    cin = CINCensus.from_frames(cin_details=frame)
    assert cin.cin_details["CINdetailsID"].to_list() == [1, 2]
    assert cin.cin_details.schema == CIN_TABLES["cin_details"]


# --- speed -------------------------------------------------------------------------------------


def _large_county(folder: Path) -> tuple[Path, Path]:
    """A year of a large county: 60,000 referrals (CIN XML) and 15,000 CLA episodes (CSV)."""
    rng = random.Random(5)
    parts = ['<?xml version="1.0" encoding="utf-8"?>']
    referrals = child = 0
    kids: list[str] = []
    while referrals < 60_000:
        child += 1
        details = []
        for j in range(min(rng.randint(1, 3), 60_000 - referrals)):
            referrals += 1
            d = dt.date(2023, 4, 1) + dt.timedelta(days=rng.randint(0, 360))
            assess = (
                f"<Assessments><AssessmentActualStartDate>{d}</AssessmentActualStartDate>"
                f"<AssessmentAuthorisationDate>{d + dt.timedelta(days=20)}</AssessmentAuthorisationDate>"
                "<FactorsIdentifiedAtAssessment><AssessmentFactors>1C</AssessmentFactors>"
                "</FactorsIdentifiedAtAssessment></Assessments>"
            )
            s47 = (
                f"<Section47><S47ActualStartDate>{d}</S47ActualStartDate>"
                f"<DateOfInitialCPC>{d + dt.timedelta(days=9)}</DateOfInitialCPC></Section47>"
                + _cpp(str(d + dt.timedelta(days=9)), "", (str(d + dt.timedelta(days=99)),))
                if j == 0
                else ""
            )
            details.append(_details(str(d), str(d + dt.timedelta(days=60)), assess + s47))
        kids.append(_child(f"C{child}", "2012-05-05", "".join(details)))
    parts.append(_cin_xml("\n".join(kids)))
    xml = folder / "cin_2024.xml"
    xml.write_text("\n".join(parts), encoding="utf-8")
    header = [HEADER]
    episodes = [EPISODES]
    n = 0
    child = 0
    while n < 15_000:
        child += 1
        header.append(f"{child},1,0{rng.randint(1, 9)}/05/2010,WBRI,,,")
        d = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 400))
        for _ in range(min(rng.randint(1, 3), 15_000 - n)):
            n += 1
            end = d + dt.timedelta(days=rng.randint(1, 200))
            episodes.append(f"{child},{d:%d/%m/%Y},P,C2,N1,U1,PR1,{end:%d/%m/%Y},X1,,,,SC1")
            d = end
    cla = folder / "903"
    cla.mkdir()
    _write(cla / "header.csv", *header)
    _write(cla / "episodes.csv", *episodes)
    return xml, cla


def test_a_large_county_year_reads_and_balances(tmp_path: Path) -> None:
    """A large county's year reads completely; timings live in benchmarks/, not in tests."""
    xml, cla = _large_county(tmp_path)
    cin = read_cin_census(xml)
    recs = read_ssda903(cla)
    assert cin.rows_read["cin_details"] == 60_000
    assert recs.rows_read["episodes"] == 15_000
    _assert_accounting(cin)
    _assert_accounting(recs)
