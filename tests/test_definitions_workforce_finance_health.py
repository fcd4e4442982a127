"""Workforce, finance, youth justice, health and context definitions against DfE's own files.

Expected values are read straight from the bundled published files (LAIT's ``bds_long``, the EES
workforce file, the dashboard's Ofsted dataset) with polars, not through the library's readers, and
checked against what the definitions say: that the EES column a definition names holds LAIT's
figures, that a breakdown's levels add up as its caveats state, that LAIT's England row of first
time entrants is the sum of regional rates (a caveat), and that a unit cost computed as the
definition says lands within DfE's rounding to the nearest 5 pounds.
"""

from __future__ import annotations

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.manifest import bundled_source

ENGLAND, REGIONS = 970, range(980, 991)


@pytest.fixture(scope="module")
def lait() -> pl.DataFrame:
    raw = pl.read_parquet(bundled_source("lait").path)
    return raw.with_columns(
        pl.col("Values").cast(pl.Float64, strict=False).alias("value"),
        pl.col("LA Number").cast(pl.Int64).alias("la"),
    )


def _series(lait: pl.DataFrame, short: str) -> pl.DataFrame:
    return lait.filter(pl.col("Short Desc") == short).select("Years", "la", "value")


def _levels(d: cyp.IndicatorDefinition) -> dict[str, str]:
    """Breakdown level code -> LAIT short name."""
    assert d.breakdown is not None
    return {lv.code: lv.lait_short_name for lv in d.breakdown.levels if lv.lait_short_name}


def test_workforce_definitions_name_the_ees_column_that_holds_laits_figures(
    catalogue: cyp.Catalogue, lait: pl.DataFrame
) -> None:
    """For 2017-2025 the EES workforce file's column (joint returns under both LAs, as LAIT shows
    them; DfE's "low" as LAIT's 0) equals LAIT's series, every LA-year, figure for figure and gap
    for gap."""
    ees = pl.read_parquet(bundled_source("csww_indicators_2017_to_2025.csv").path)
    ees = ees.filter(pl.col("geographic_level") == "Local authority").with_columns(
        pl.col("old_la_code").str.split(" / ")
    )
    ees = ees.explode("old_la_code").with_columns(pl.col("old_la_code").cast(pl.Int64).alias("la"))
    checked = []
    for d in catalogue:
        prov = d.provenance
        if d.topic != "workforce" or prov.lait_short_name is None or prov.ees is None:
            continue
        assert prov.ees.file == "csww_indicators_2017_to_2025.csv", d.key
        column = prov.ees.value_column
        assert column is not None
        theirs = ees.select(
            pl.col("time_period").alias("Years"),
            "la",
            # DfE's "low" (a figure that rounds to zero) is LAIT's 0
            pl.col(column).replace("low", "0").cast(pl.Float64, strict=False).alias("ees"),
        )
        both = _series(lait, prov.lait_short_name).filter(pl.col("la") < ENGLAND)
        both = both.join(theirs, on=["Years", "la"], how="inner")
        assert both.height > 1300, d.key
        numbers = both.filter(pl.col("value").is_not_null() | pl.col("ees").is_not_null())
        differ = numbers.filter(
            pl.col("value").is_null()
            | pl.col("ees").is_null()
            | ((pl.col("value") - pl.col("ees")).abs() > 1e-9)
        )
        assert differ.is_empty(), (d.key, differ.head())
        checked.append(d.id)
    assert len(checked) == 11


def test_s251_service_areas_add_up_to_the_total_but_where_the_caveat_says(
    catalogue: cyp.Catalogue, lait: pl.DataFrame
) -> None:
    d = catalogue.get("s251_gross_expenditure")
    levels = _levels(d)
    wide = (
        lait.filter(pl.col("Short Desc").is_in(list(levels.values())))
        .with_columns(pl.col("Years").str.slice(0, 7).alias("year"))
        .pivot(on="Short Desc", index=["year", "la"], values="value")
    )
    areas = [levels[c] for c in levels if c not in ("all_services", "leaving_care_support")]
    assert len(areas) == 7
    total = pl.col(levels["all_services"])
    full = wide.drop_nulls().with_columns((total - pl.sum_horizontal(areas)).alias("gap"))
    assert full.height > 1400
    off = {(y, la) for y, la in full.filter(pl.col("gap").abs() > 2).select("year", "la").rows()}
    slough, south_east, east = 871, 989, 985
    assert off == {
        ("2017-18", slough),
        ("2017-18", south_east),
        ("2017-18", ENGLAND),
        ("2022-23", east),
        ("2022-23", ENGLAND),
    }
    # leaving care support is a line within children looked after, never more than it
    within = full.filter(
        pl.col(levels["leaving_care_support"]) > pl.col(levels["children_looked_after"])
    )
    assert within.is_empty()


def test_neet_or_not_known_is_the_sum_of_the_other_two_levels(
    catalogue: cyp.Catalogue, lait: pl.DataFrame
) -> None:
    d = catalogue.get("young_people_neet_pct", version="2")
    assert d.breakdown is not None
    assert d.breakdown.total == "neet_or_not_known"
    levels = _levels(d)
    wide = (
        lait.filter(pl.col("Short Desc").is_in(list(levels.values())))
        .pivot(on="Short Desc", index=["Years", "la"], values="value")
        .drop_nulls()
    )
    assert wide.height > 1000
    gap = pl.col(levels["neet_or_not_known"]) - pl.col(levels["neet"]) - pl.col(levels["not_known"])
    # each published figure is rounded, so the sum of the parts may miss the total by 0.1
    assert wide.filter(gap.abs() > 0.1 + 1e-9).is_empty()


def test_laits_england_row_of_first_time_entrants_is_the_sum_of_regional_rates(
    catalogue: cyp.Catalogue, lait: pl.DataFrame
) -> None:
    """The caveat of version 2: LAIT's England figure is not a rate (over 1,000 per 100,000) but
    the nine regions' rates added up (London once, Inner and Outer London are empty)."""
    d = catalogue.get("yj_first_time_entrants_rate_per_100k", year=2024)
    assert d.provenance.lait_short_name == "FirstYJS"
    rows = _series(lait, "FirstYJS")
    regions = (
        rows.filter(pl.col("la").is_in(list(REGIONS)))
        .group_by("Years")
        .agg(pl.col("value").sum().alias("regions"))
    )
    england = rows.filter(pl.col("la") == ENGLAND).join(regions, on="Years")
    assert england.height == 9
    assert (england["value"] > 1000).all()
    assert ((england["value"] - england["regions"]).abs() <= 2).all()


def test_the_leadership_judgement_levels_count_each_inspected_authority_once(
    catalogue: cyp.Catalogue,
) -> None:
    raw = pl.read_parquet(bundled_source("dashboard:ofsted_leadership_data").path)
    grades = raw.filter(
        (pl.col("geographic_level") == "Local authority")
        & pl.col("impact_of_leaders").is_not_null()
    )["impact_of_leaders"].value_counts()
    expected = dict(zip(grades["impact_of_leaders"], grades["count"], strict=True))
    pub = cyp.published(catalogue.get("las_by_ofsted_leadership_judgement"), catalogue=catalogue)
    england = pub.filter(pl.col("geographic_level") == "National")
    got = dict(zip(england["leadership_judgement"], england["value"], strict=True))
    assert got == {
        "outstanding": expected["Outstanding"],
        "good": expected["Good"],
        "requires_improvement": expected["Requires improvement to be good"],
        "inadequate": expected["Inadequate"],
    }
    assert sum(got.values()) == 153


def test_the_cla_unit_cost_as_defined_lands_within_dfes_rounding_to_5_pounds(
    catalogue: cyp.Catalogue, lait: pl.DataFrame
) -> None:
    """Peterborough 2024-25 worked by hand from DfE's formula (x / y) / 365 x 7: x is LAIT's gross
    spend on children looked after, 45,458,030 pounds; y the 416 children looked after at 31 March
    2025 (DfE's EES file); 2,095.67 pounds a week, which DfE rounds to the nearest 5 (2,095) and the
    library to the pound (2,096)."""
    d = catalogue.get("s251_cla_unit_cost_per_week")
    spend = _series(lait, "TotalLACFinance").filter(
        (pl.col("la") == 874) & (pl.col("Years") == "2024-25 (OT)")
    )["value"][0]
    dfe = _series(lait, "LACFinance").filter(
        (pl.col("la") == 874) & (pl.col("Years") == "2024-25 (OT)")
    )["value"][0]
    cla = pl.read_parquet(bundled_source("cla_number_and_rate_per_10k_children.csv").path).filter(
        (pl.col("old_la_code") == "874")
        & (pl.col("time_period") == "2025")
        & (pl.col("population_type") == "Children looked after on 31 March each year")
    )["children_count"][0]
    assert (spend, dfe, cla) == (45458030.0, 2095.0, "416")
    frame = pl.DataFrame(
        {d.numerator.column: [spend * 7 / 365], d.denominator.column: [416]}  # type: ignore[union-attr]
    )
    shown = cyp.present(cyp.compute(d, frame), d)
    assert shown["value"][0] == 2096.0
    assert abs(shown["value"][0] - dfe) <= 2.5
