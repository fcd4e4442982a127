"""``published()``: DfE's figures for a definition, checked against the files as DfE wrote them.

The expected values are read straight from the bundled LAIT file (LAIT's own ``bds_long``, copied
unchanged; see ``src/cyp_indicators/data/published/manifest.toml``) with a reader written here,
and rounded with Python's ``decimal`` module (half up on the exact decimal text), not with the
library's reader or rounding.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.manifest import bundled_source

LAIT_FILE = bundled_source("lait").path
REGIONS = {970: "E92000001", 980: "E12000001", 986: "E12000007", 987: "E13000001"}


def _lait_definitions(catalogue: cyp.Catalogue) -> list[cyp.IndicatorDefinition]:
    return [d for d in catalogue if d.provenance.lait_series]


def _fixed(text: str, dps: int) -> str:
    return str(Decimal(text).quantize(Decimal(1).scaleb(-dps), rounding=ROUND_HALF_UP))


def test_every_definition_naming_lait_returns_exactly_lait_values(
    catalogue: cyp.Catalogue,
) -> None:
    raw = pl.read_parquet(LAIT_FILE)
    definitions = _lait_definitions(catalogue)
    assert len(definitions) >= 15
    for d in definitions:
        pub = cyp.published(d, catalogue=catalogue)
        dps = d.presentation.decimal_places
        for name in d.provenance.lait_series:
            rows = raw.filter((pl.col("Short Desc") == name) & (pl.col("Years") != "0"))
            mine = pub.filter(pl.col("series") == name)
            assert mine.height == rows.height, (d.key, name)
            expected = {
                (str(int(r["LA Number"])), r["Years"]): (
                    None if r["Values"] == "-" else _fixed(r["Values"], dps)
                )
                for r in rows.iter_rows(named=True)
            }
            got = {}
            for r in mine.iter_rows(named=True):
                code = r["old_la_code"] or _lait_number(r["area_code"])
                shown = (
                    None
                    if r["value"] is None
                    else f"{cyp.round_half_away(r['value'], dps):.{dps}f}"
                )
                got[(code, r["time_label"])] = shown
                if r["value"] is None:
                    assert r["symbol"] == "x"
            assert got == expected, (d.key, name)


def _lait_number(area_code: str) -> str:
    table = cyp.geography.areas()
    row = table.filter(pl.col("area_code") == area_code)
    return str(row["lait_number"][0])


def test_collection_years_and_versions_follow_the_year_chain(catalogue: cyp.Catalogue) -> None:
    pub = cyp.published("care_leavers_neet_pct", catalogue=catalogue)
    assert pub["time_period"].dtype == pl.Int64
    for year, version in pub.select("time_period", "definition_version").unique().iter_rows():
        expected = catalogue.get("care_leavers_neet_pct", year=year)
        assert version == str(expected.version), year
    # "2023-24" style labels of financial years map to the year they end in
    labels = pub.select("time_period", "time_label").unique()
    for year, label in labels.iter_rows():
        assert year == int(label[:4]) + (1 if "-" in label else 0)


def test_geography_of_published_rows() -> None:
    pub = cyp.published("cla_rate_per_10k")
    assert set(pub["geographic_level"]) == {"National", "Regional", "Local authority"}
    england = pub.filter(pl.col("geographic_level") == "National")
    assert set(england["area_code"]) == {cyp.ENGLAND}
    pboro = pub.filter((pl.col("area_code") == "874") & (pl.col("time_period") == 2025)).row(
        0, named=True
    )
    assert pboro["new_la_code"] == "E06000031"
    assert pboro["region_code"] == "E12000006"
    assert pboro["value"] == 72.0
    assert pboro["source"].startswith("Local Authority Interactive Tool")
    assert "2e30e39" in pboro["source"]
    inner = pub.filter(pl.col("area_code") == "E13000001")
    assert set(inner["area_name"]) == {"Inner London"}


# --- the eight count-based rates: computed from DfE's counts, equal to what DfE published ---

RATE_CASES = [
    # (indicator, count column in csc_counts, years reproduced by tests/test_dfe_published.py)
    ("cin_rate_per_10k", "cin_at_31_march", range(2016, 2026)),
    ("cla_rate_per_10k", "cla_at_31_march", range(2021, 2026)),
    ("cpp_rate_per_10k", "cpp_at_31_march", range(2016, 2026)),
    ("referral_rate_per_10k", "referrals", range(2016, 2026)),
]


@pytest.mark.parametrize(("indicator", "count", "years"), RATE_CASES)
def test_computed_rates_equal_the_published_ones(
    catalogue: cyp.Catalogue, indicator: str, count: str, years: range
) -> None:
    d = catalogue.get(indicator)
    counts = cyp.csc_counts().filter(
        (pl.col("geographic_level") == "Local authority") & pl.col("year").is_in(list(years))
    )
    counts = cyp.attach_population(counts, area="old_la_code", year="year")
    computed = cyp.present(cyp.compute(d, counts, numerator=count), d).select(
        pl.col("old_la_code"), pl.col("year").alias("time_period"), pl.col("value").alias("mine")
    )
    pub = cyp.published(d).filter(
        (pl.col("geographic_level") == "Local authority") & pl.col("time_period").is_in(list(years))
    )
    both = pub.join(computed, on=["old_la_code", "time_period"], how="inner")
    assert both.height > 140 * len(years) - 10
    differ = both.filter(pl.col("value") != pl.col("mine"))
    assert differ.is_empty(), differ.select("time_period", "area_name", "value", "mine")


@pytest.mark.parametrize(
    ("indicator", "numerator", "denominator", "years"),
    [
        ("re_referral_within_12_months_pct", "re_referrals", "referrals", range(2016, 2026)),
        (
            "cpp_second_or_subsequent_pct",
            "cpp_starts_second_or_subsequent",
            "cpp_starts",
            range(2016, 2026),
        ),
    ],
)
def test_computed_percentages_equal_the_published_ones(
    catalogue: cyp.Catalogue, indicator: str, numerator: str, denominator: str, years: range
) -> None:
    d = catalogue.get(indicator)
    counts = cyp.csc_counts().filter(
        (pl.col("geographic_level") == "Local authority") & pl.col("year").is_in(list(years))
    )
    out = cyp.present(cyp.compute(d, counts, numerator=numerator, denominator=denominator), d)
    computed = out.select(
        "old_la_code", pl.col("year").alias("time_period"), pl.col("value").alias("mine")
    )
    pub = cyp.published(d).filter(pl.col("geographic_level") == "Local authority")
    both = pub.join(computed, on=["old_la_code", "time_period"], how="inner").filter(
        pl.col("value").is_not_null() & pl.col("mine").is_not_null()
    )
    assert both.height > 140 * len(years) - 60
    differ = both.filter(pl.col("value") != pl.col("mine"))
    assert differ.is_empty(), differ.select("time_period", "area_name", "value", "mine")


# --- provenance ---


def test_the_manifest_names_every_bundled_file() -> None:
    sources = cyp.published_sources()
    lait = sources.filter(pl.col("name") == "lait").row(0, named=True)
    assert lait["commit"] == "2e30e3959a6ab8b2d22941b84764da41a40ac91b"
    assert lait["licence"].startswith("Open Government Licence")
    for row in sources.iter_rows(named=True):
        assert bundled_source(row["name"]).path.is_file(), row["name"]
        assert row["repository"].startswith("https://github.com/dfe-analytical-services/")


# --- bad input ---


def test_a_file_of_unknown_shape_names_the_file_and_the_columns_expected(tmp_path: Path) -> None:
    path = tmp_path / "something.csv"
    path.write_text("area,year,figure\n874,2024,1\n", encoding="utf-8")
    # a definition published in LAIT only: LAIT's columns are expected
    with pytest.raises(cyp.PublishedDataError) as info:
        cyp.published("under_18_conception_rate_per_1000", source=path)
    text = str(info.value)
    assert "something.csv" in text
    assert "'Short Desc'" in text
    assert "'LA Number'" in text
    # a definition with an EES series: that file's columns are expected
    with pytest.raises(cyp.PublishedDataError) as info:
        cyp.published("cla_rate_per_10k", source=path)
    assert "'time_period'" in str(info.value)
    assert "'rate_per_10000'" in str(info.value)
    lait_like = tmp_path / "lait_like.parquet"
    pl.DataFrame({"Short Desc": ["LAC"], "Years": ["2024"]}).write_parquet(lait_like)
    with pytest.raises(cyp.PublishedDataError, match=r"expected columns .*'LA Number'"):
        cyp.sources.read_lait(lait_like)


def test_a_year_label_that_does_not_parse_names_the_label_and_the_measure(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lait_newer.csv"
    path.write_text(
        "Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region\n"
        "LAC,,2024,Peterborough,75,874,East of England\n"
        "LAC,,FY 2025,Peterborough,72,874,East of England\n",
        encoding="utf-8",
    )
    with pytest.raises(cyp.DataError) as info:
        cyp.published("cla_rate_per_10k", source=path)
    assert "'FY 2025'" in str(info.value)
    assert "'LAC'" in str(info.value)


def test_a_newer_lait_download_is_read_instead_of_the_bundled_one(tmp_path: Path) -> None:
    path = tmp_path / "lait_newer.csv"
    path.write_text(
        "Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region\n"
        "LAC,,2026,Peterborough,70,874,East of England\n"
        "LAC,,2026,England,66,970,\n",
        encoding="utf-8",
    )
    pub = cyp.published("cla_rate_per_10k", source=path)
    assert pub.select("area_code", "time_period", "value").rows() == [
        ("E92000001", 2026, 66.0),
        ("874", 2026, 70.0),
    ]
    assert pub["source"][0] == "LAIT download lait_newer.csv"


def test_a_definition_naming_no_lait_measure_is_refused_with_close_matches(
    tmp_path: Path, catalogue: cyp.Catalogue
) -> None:
    source = catalogue.get("cla_rate_per_10k").source_file
    assert source is not None
    text = Path(source).read_text(encoding="utf-8")
    text = text.replace('id = "cla_rate_per_10k"', 'id = "my_cla_rate"').replace(
        'lait_short_name = "LAC"', 'lait_short_name = "LACC"'
    )
    (tmp_path / "my_cla_rate.v1.toml").write_text(text, encoding="utf-8")
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(tmp_path)
    (issue,) = info.value.issues
    assert issue.path == "$.provenance.lait_short_name"
    assert "'LACC'" in issue.message
    assert "'LAC'" in issue.message  # a close match
    assert issue.line is not None


def test_a_definition_without_a_published_series_says_so(catalogue: cyp.Catalogue) -> None:
    unnamed = [d for d in catalogue if not d.provenance.lait_series and d.provenance.ees is None]
    assert unnamed
    with pytest.raises(cyp.DataError, match="does not name a published series"):
        cyp.published(unnamed[0])
