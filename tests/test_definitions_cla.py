"""Looked-after, adoption and care-leaver definitions against DfE's files, read directly.

The expected values come from the bundled copies of DfE's files (LAIT's data and dictionary, the
children's social care dashboard's processed datasets, DfE's EES files), read here with polars,
not through the library's readers: every LAIT measure of the two topics has a definition, the
breakdowns cover exactly the groups DfE publishes and add up to DfE's totals, each dashboard metric
of the area is named once, and the two LAIT series that are one level of a breakdown (the other
level published in EES only) hold the EES file's figures of that level.
"""

from __future__ import annotations

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.manifest import bundled_source

TOPICS = ("Children Looked After", "Adoption")
#: LAIT series that are the one LAIT level of a breakdown (the other level is published in EES):
#: short name -> (definition, level, LAIT code).
DOCUMENTED = {
    "CareLeaverEET": ("care_leavers_eet_pct", "aged_19_to_21", "113"),
    "CareLeaverAcc": ("care_leavers_suitable_accommodation_pct", "aged_19_to_21", "112"),
}
#: The dashboard metrics of this area (sort_order in summary_page_metadata.csv).
AREA_METRICS = (3, 4, 5, 6, 7, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 67)
FOLDERS = ("looked_after", "adoption", "care_leavers")


def _parquet(name: str) -> pl.DataFrame:
    return pl.read_parquet(bundled_source(name).path)


def _mine(catalogue: cyp.Catalogue) -> list[cyp.IndicatorDefinition]:
    return [d for d in catalogue if any(f"/{f}/" in (d.source_file or "") for f in FOLDERS)]


def _breakdown_column(catalogue: cyp.Catalogue, ident: str) -> str:
    breakdown = catalogue.get(ident).breakdown
    assert breakdown is not None
    return breakdown.column


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False)


def test_every_lait_measure_of_the_topics_has_a_definition(catalogue: cyp.Catalogue) -> None:
    dictionary = _parquet("lait_dictionary").filter(pl.col("Topic").is_in(TOPICS))
    assert dictionary.height == 74
    named = {name for d in catalogue for name in d.provenance.lait_series}
    missing = set(dictionary["Measure_short"]) - named
    assert not missing
    for short, (ident, level, code) in DOCUMENTED.items():
        d = catalogue.get(ident)
        assert d.breakdown is not None
        assert d.breakdown.level(level).lait_short_name == short
        row = dictionary.filter(pl.col("Measure_short") == short).row(0, named=True)
        assert d.provenance.lait_measure_code == row["Measure_code"] == code


@pytest.mark.parametrize(("short", "spec"), sorted(DOCUMENTED.items()))
def test_a_documented_level_holds_laits_series(
    catalogue: cyp.Catalogue, short: str, spec: tuple[str, str, str]
) -> None:
    ident, level, _ = spec
    lait = _parquet("lait").filter(
        (pl.col("Short Desc") == short) & (pl.col("LA Number") < 970) & (pl.col("Years") >= "2021")
    )
    expected = {
        (str(int(r["LA Number"])), int(r["Years"])): (
            None if r["Values"] == "-" else float(r["Values"])
        )
        for r in lait.iter_rows(named=True)
    }
    pub = cyp.published(ident, source="ees", catalogue=catalogue).filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col(_breakdown_column(catalogue, ident)) == level)
    )
    got = {(r["area_code"], r["time_period"]): r["value"] for r in pub.iter_rows(named=True)}
    common = set(expected) & set(got)
    assert len(common) > 700
    assert {k: got[k] for k in common} == {k: expected[k] for k in common}


def test_each_dashboard_metric_of_the_area_is_named_by_one_definition(
    catalogue: cyp.Catalogue,
) -> None:
    meta = _parquet("summary_page_metadata.csv").with_columns(
        pl.col("sort_order").cast(pl.Int64), pl.col("metric_display_text").str.strip_chars()
    )
    texts = dict(meta.select("sort_order", "metric_display_text").iter_rows())
    for order in AREA_METRICS:
        naming = [d.key for d in catalogue if texts[order] in d.provenance.csc_dashboard_metrics]
        assert len(naming) == 1, (order, naming)
    others = {texts[o] for o in texts if o not in AREA_METRICS}
    for d in _mine(catalogue):
        assert not others & set(d.provenance.csc_dashboard_metrics), d.key


def _levels(catalogue: cyp.Catalogue, ident: str) -> set[str]:
    breakdown = catalogue.get(ident).breakdown
    assert breakdown is not None
    return {level.label for level in breakdown.levels}


def _sums_match(frame: pl.DataFrame, keys: list[str], group: str, number: str) -> tuple[int, int]:
    """LA-years whose groups add up to DfE's 'Total' where every group is published as a number,
    and that never add up to more than it where some are withheld; returns the counts of both."""
    las = frame.filter(pl.col("geographic_level") == "Local authority").with_columns(
        _number(number).alias("__n")
    )
    totals = las.filter(pl.col(group) == "Total").select(*keys, pl.col("__n").alias("__total"))
    parts = (
        las.filter(pl.col(group) != "Total")
        .group_by(keys)
        .agg(pl.col("__n").sum().alias("__sum"), pl.col("__n").null_count().alias("__withheld"))
    )
    both = parts.join(totals, on=keys).filter(pl.col("__total").is_not_null())
    exact = both.filter(pl.col("__withheld") == 0)
    assert exact.filter(pl.col("__sum") != pl.col("__total")).is_empty()
    assert both.filter(pl.col("__sum") > pl.col("__total")).is_empty()
    return exact.height, both.height


def test_placement_types_are_dfes_groups_and_add_up_to_all_children_looked_after(
    catalogue: cyp.Catalogue,
) -> None:
    data = _parquet("dashboard:placement_data").filter(pl.col("cla_group") == "Placement")
    groups = set(data["characteristic"]) - {"Total"}
    assert groups == _levels(catalogue, "cla_placement_type_pct")
    exact, bounded = _sums_match(data, ["time_period", "new_la_code"], "characteristic", "number")
    assert exact > 100
    assert bounded > 700


def test_reasons_for_ceasing_with_adoption_are_every_reason_dfe_publishes(
    catalogue: cyp.Catalogue,
) -> None:
    data = _parquet("dashboard:ceased_cla_data").filter(
        pl.col("cla_group") == "Reason episode ceased"
    )
    reasons = set(data["characteristic"]) - {"Total"}
    assert reasons == _levels(catalogue, "cla_ceased_by_reason_pct") | {"Adopted"}
    _, bounded = _sums_match(data, ["time_period", "new_la_code"], "characteristic", "number")
    assert bounded > 700


@pytest.mark.parametrize(
    ("ident", "dataset", "column", "value"),
    [
        (
            "care_leavers_eet_pct",
            "dashboard:care_leavers_activity_data",
            "activity",
            "Total in education, employment or training",
        ),
        (
            "care_leavers_suitable_accommodation_pct",
            "dashboard:care_leavers_accommodation_data",
            "accommodation_suitability",
            "Accommodation considered suitable",
        ),
    ],
)
def test_care_leaver_age_levels_hold_the_dashboards_figures(
    catalogue: cyp.Catalogue, ident: str, dataset: str, column: str, value: str
) -> None:
    ages = {"17 to 18 years": "aged_17_to_18", "19 to 21 years": "aged_19_to_21"}
    dash = _parquet(dataset).filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col(column) == value)
    )
    expected = {
        (str(r["old_la_code"]), int(r["time_period"]), ages[r["age"]]): (
            float(r["percentage"]) if r["percentage"].isdigit() else None
        )
        for r in dash.iter_rows(named=True)
        if r["old_la_code"] is not None
    }
    pub = cyp.published(ident, source="ees", catalogue=catalogue).filter(
        pl.col("geographic_level") == "Local authority"
    )
    got = {
        (r["area_code"], r["time_period"], r["care_leaver_age"]): r["value"]
        for r in pub.iter_rows(named=True)
    }
    common = set(expected) & set(got)
    assert len(common) > 1500
    assert {k: got[k] for k in common} == {k: expected[k] for k in common}
