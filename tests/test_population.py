"""Population denominators: ONS 0-17 mid-year estimates, mid-(Y-1), vintage as provenance."""

from __future__ import annotations

import polars as pl
import pytest

import cyp_indicators as cyp


def test_reporting_year_uses_the_previous_mid_year() -> None:
    """Peterborough's 2025 CLA rate divides by 57,621, the mid-2024 estimate."""
    frame = pl.DataFrame({"la": ["874", "E06000031"], "year": [2025, 2025]})

    out = cyp.attach_population(frame, area="la", year="year")

    assert out["population_0_17"].to_list() == [57621, 57621]
    assert out["population_year"].to_list() == [2024, 2024]
    assert set(out["population_vintage"]) == {cyp.BUNDLED_VINTAGE}


def test_regions_and_england_have_estimates() -> None:
    """Region codes and England's code find their aggregate estimates."""
    frame = pl.DataFrame({"area": ["E92000001", "E12000006"], "year": [2025, 2025]})

    out = cyp.attach_population(frame, area="area", year="year")

    assert out["population_0_17"][0] == 12_183_016
    assert out["population_0_17"][1] > 1_000_000


def test_unknown_area_gives_a_null_population_and_a_reasoned_null_rate() -> None:
    """An area without an estimate is not dropped: its rate is null with a reason."""
    frame = pl.DataFrame({"la": ["874", "999"], "year": [2025, 2025], "n": [416, 10]})

    out = cyp.rate(cyp.attach_population(frame, area="la", year="year"), "n", "population_0_17")

    assert out["la"].to_list() == ["874", "999"]
    assert out["value"][1] is None
    assert out["reason"][1] == "x: denominator is missing"


def test_lazy_in_lazy_out() -> None:
    """A LazyFrame stays lazy."""
    lazy = pl.LazyFrame({"la": ["874"], "year": [2025]})

    out = cyp.attach_population(lazy, area="la", year="year")

    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["population_0_17"][0] == 57621


def test_offset_can_be_changed() -> None:
    """year_offset=0 takes the same year's estimate (e.g. calendar-year measures)."""
    frame = pl.DataFrame({"la": ["874"], "year": [2024]})

    assert (
        cyp.attach_population(frame, area="la", year="year", year_offset=0)["population_0_17"][0]
        == 57621
    )


def test_existing_population_column_is_not_overwritten() -> None:
    """attach_population refuses to replace a column the caller already has."""
    frame = pl.DataFrame({"la": ["874"], "year": [2025], "population_0_17": [1]})

    with pytest.raises(cyp.DataError, match="population_0_17"):
        cyp.attach_population(frame, area="la", year="year")


def test_only_the_bundled_series_is_available() -> None:
    """Asking for a series that is not bundled explains how to supply one."""
    with pytest.raises(cyp.DataError, match="estimates=frame"):
        cyp.population_estimates("ons_mye_females_15_17")
