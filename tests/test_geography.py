"""Geography: codes, regions and local government reorganisation as data.

The reorganisations are checked against the statutory orders' dates (the Bournemouth, Dorset and
Poole (Structural Changes) Order 2018: 1 April 2019; the Northamptonshire (Structural Changes)
Order 2020: 1 April 2021; the Cumbria (Structural Changes) Order 2022: 1 April 2023) and against
which authority DfE's own files carry a figure for each year (LAIT's LA rows).
"""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators import geography

LAIT = Path(cyp.__file__).parent / "data" / "published" / "lait" / "bds_long.parquet"


def test_successors_and_predecessors_are_the_issue_contract() -> None:
    assert geography.successors("909") == ("942", "943")
    assert geography.successors("E10000006") == ("942", "943")  # Cumbria's ONS code
    assert geography.successors("928") == ("940", "941")
    assert geography.successors("835") == ("838", "839")  # Christchurch went to BCP
    assert geography.predecessors("839") == ("835", "836", "837")
    assert geography.predecessors("940") == ("928",)
    assert geography.successors("874") == ()
    assert geography.predecessors("874") == ()
    assert all(isinstance(c, str) for c in geography.successors("909"))


@pytest.mark.parametrize(
    ("code", "last_day", "first_day_after"),
    [
        ("909", date(2023, 3, 31), date(2023, 4, 1)),
        ("928", date(2021, 3, 31), date(2021, 4, 1)),
        ("836", date(2019, 3, 31), date(2019, 4, 1)),
    ],
)
def test_an_abolished_authority_exists_until_the_order_takes_effect(
    code: str, last_day: date, first_day_after: date
) -> None:
    assert geography.exists_on(code, last_day)
    assert not geography.exists_on(code, first_day_after)
    for successor in geography.successors(code):
        assert not geography.exists_on(successor, last_day)
        assert geography.exists_on(successor, first_day_after)


def test_a_figure_belongs_to_the_authority_of_its_periods_last_day() -> None:
    # 31 March 2021 snapshot: Northamptonshire; calendar year 2021 (31 December): its successors
    assert geography.area_status("928", 2021) is None
    assert geography.area_status("940", 2021, "calendar_year") is None
    status = geography.area_status("940", 2021)
    assert isinstance(status, geography.NotApplicable)
    assert status.others == ("928",)
    assert status.symbol is cyp.Symbol.NOT_APPLICABLE
    assert "Northamptonshire (928)" in status.reason
    after = geography.area_status("909", 2024)
    assert after is not None
    assert after.others == ("942", "943")
    assert "Cumberland (942)" in after.reason
    assert "Westmorland and Furness (943)" in after.reason


def test_status_agrees_with_the_years_lait_publishes_social_care_figures() -> None:
    """LAIT's CIN rate (31 March) has a figure for an authority only in years it existed, and for
    Cumbria and Northamptonshire and their successors in every such year (LAIT carries no CIN
    figures for the pre-2019 Dorset authorities)."""
    lait = pl.read_parquet(LAIT).filter((pl.col("Short Desc") == "CIN") & (pl.col("Values") != "-"))
    for code in ("909", "942", "943", "928", "940", "941", "835", "836", "837", "838", "839"):
        years = {int(y) for y in lait.filter(pl.col("LA Number") == float(code))["Years"].to_list()}
        expected = {y for y in range(2016, 2026) if geography.area_status(code, y) is None}
        assert years <= expected, code
        if code not in ("835", "836", "837"):
            assert years == expected, code


def test_check_exists_names_the_successors_when_no_year_is_left() -> None:
    with pytest.raises(cyp.AreaNotApplicableError) as info:
        geography.check_exists("909", [2024, 2025])
    assert info.value.others == ("942", "943")
    assert "Cumberland" in str(info.value)
    assert "Westmorland and Furness" in str(info.value)
    assert geography.check_exists("940", range(2019, 2024)) == (2022, 2023)


def test_unknown_codes_raise_their_own_error_with_close_matches() -> None:
    with pytest.raises(cyp.UnknownAreaError) as info:
        geography.successors("Cumbrai")
    assert "909 (Cumbria)" in str(info.value)
    assert isinstance(info.value, cyp.UnknownDefinitionError)  # 0.1 callers still catch it
    restored = pickle.loads(pickle.dumps(info.value))
    assert str(restored) == str(info.value)


def test_codes_names_and_regions() -> None:
    assert geography.canonical_la("E06000031") == "874"
    assert geography.canonical_la("e06000031") == "874"
    assert geography.canonical_area("970") == cyp.ENGLAND
    assert geography.canonical_area("987") == "E13000001"
    assert geography.area_name("E12000006") == "East of England"
    assert geography.region_of("874") == "E12000006"
    assert geography.region_of("203") == "E12000007"  # Greenwich: London
    assert geography.region_of("203", london="subregion") == "E13000002"  # Outer London
    las = geography.local_authorities()
    assert las["old_la_code"].n_unique() == las.height
    assert las["region_code"].null_count() == 0
    assert set(las["old_la_code"]) <= set(geography.la_codes()["old_la_code"])


def test_every_region_and_la_in_dfe_files_is_known() -> None:
    """Every LA and region row of DfE's CIN file maps to the bundled geography."""
    frame = cyp.sources.read_ees("b1_children_in_need_2013_to_2025.csv")
    las = frame.filter(pl.col("geographic_level") == "Local authority")
    assert set(las["old_la_code"]) <= set(geography.local_authorities()["old_la_code"])
    regions = frame.filter(pl.col("geographic_level") == "Regional")
    assert set(regions["region_code"]) <= set(geography.areas()["area_code"])
    for row in las.unique("old_la_code").iter_rows(named=True):
        assert geography.region_of(row["old_la_code"], london="subregion") == row["region_code"]


def test_callers_cannot_change_library_state() -> None:
    codes = geography.la_codes()
    codes[0, "la_name"] = "changed"
    las = geography.local_authorities()
    las[0, "la_name"] = "changed"
    assert geography.la_codes()[0, "la_name"] != "changed"
    assert geography.local_authorities()[0, "la_name"] != "changed"
    assert geography.la_name(str(codes[0, "old_la_code"])) != "changed"
