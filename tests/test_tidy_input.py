"""DfE's EES files as they come: compute finds the definition's columns, rows and population.

Each file in tests/reference/dfe/ees/ is DfE's download unchanged. The expected figures are the
published columns of the same file (``rate_per_10000``, ``rereferral_percent``,
``CPP_subsequent_percent``) or, for the CIN rate, which b1 does not publish, LAIT's figure.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import attrs
import polars as pl
import pytest

import cyp_indicators as cyp

EES = Path(__file__).parent / "reference" / "dfe" / "ees"
LAIT = Path(__file__).parent / "reference" / "lait" / "lait_bds_csc_items_long.csv"
DEFINITIONS = Path(__file__).resolve().parents[1] / "definitions"
CLA_FILE = "cla_number_and_rate_per_10k_children.csv"
CLA_31_MARCH = "Children looked after on 31 March each year"


def _raw(name: str) -> pl.DataFrame:
    """As an analyst reads a download: every column as text, nothing chosen."""
    return pl.read_csv(EES / name, infer_schema=False)


def _published_check(ident: str, name: str, column: str) -> tuple[int, pl.DataFrame]:
    """LA rows compared with the file's published column; other levels returned apart."""
    out = cyp.present(cyp.compute_by_year(ident, _raw(name)))
    published = pl.col(column).cast(pl.Float64, strict=False)
    numbers = out.filter(published.is_not_null())
    la = numbers.filter(pl.col("geographic_level") == "Local authority")
    mismatched_la = la.filter(pl.col("value") != published)
    assert mismatched_la.is_empty(), mismatched_la.select("year", "area_code", column, "value")
    others = numbers.filter(
        (pl.col("geographic_level") != "Local authority") & (pl.col("value") != published)
    )
    return la.height, others


@pytest.mark.parametrize(
    ("ident", "name", "column", "la_rows"),
    [
        ("cla_rate_per_10k", CLA_FILE, "rate_per_10000", 700),
        (
            "re_referral_within_12_months_pct",
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
            "rereferral_percent",
            1900,
        ),
        (
            "cpp_second_or_subsequent_pct",
            "d3_cpps_subsequent_plan_2013_to_2025.csv",
            "CPP_subsequent_percent",
            1900,
        ),
    ],
)
def test_ees_file_as_downloaded_gives_dfes_published_figures(
    ident: str, name: str, column: str, la_rows: int
) -> None:
    """No column names given: every LA-year equals DfE's figure. Regional and national rows
    that differ are explained by DfE's rounding of those counts to the nearest 10 (the figure is
    published from the unrounded counts): their published count is a multiple of 10."""
    checked, others = _published_check(ident, name, column)
    assert checked >= la_rows
    assert others.filter(pl.col("numerator") % 10 != 0).is_empty()
    assert others.height <= 0.05 * checked


def test_cin_rate_from_b1_attaches_the_population_and_equals_lait() -> None:
    """b1 has counts only: compute attaches the bundled ONS 0-17 estimate of the year before
    (DfE's rule) and every LA-year equals LAIT's published CIN rate."""
    out = cyp.present(
        cyp.compute_by_year("cin_rate_per_10k", _raw("b1_children_in_need_2013_to_2025.csv"))
    )
    assert "population_vintage" in out.columns
    lait = (
        pl.read_csv(LAIT, infer_schema=False)
        .filter(pl.col("short_desc") == "CIN")
        .select(
            pl.col("years").cast(pl.Int64).alias("year"),
            pl.col("la_number").alias("area_code"),
            pl.col("value").cast(pl.Float64, strict=False).alias("lait"),
        )
        .drop_nulls("lait")
    )
    both = out.filter(pl.col("geographic_level") == "Local authority").join(
        lait, on=["year", "area_code"], how="inner"
    )
    assert both.height >= 1500
    assert both.filter(pl.col("value") != pl.col("lait")).is_empty()


def test_the_issue_command_works_with_the_filter_and_without() -> None:
    """Issue 15: `compute cla_rate_per_10k --input cla_number_and_rate_per_10k_children.csv
    --filter population_type="Children looked after on 31 March each year"`: with the filter,
    and without it (the definition's own EES filter chooses the same rows)."""
    raw = _raw(CLA_FILE)
    chosen = cyp.compute_by_year("cla_rate_per_10k", raw, filters={"population_type": CLA_31_MARCH})
    default = cyp.compute_by_year("cla_rate_per_10k", raw)
    assert chosen.equals(default)
    assert set(chosen["population_type"]) == {CLA_31_MARCH}
    expected_rows = raw.filter(pl.col("population_type") == CLA_31_MARCH).height
    assert chosen.height == expected_rows


def test_a_file_of_several_series_is_refused_with_the_values_to_choose() -> None:
    """A definition that does not say which rows (a council's own) on the CLA file, which holds
    starts, ceased and 31 March rows: refused, listing the column and its three values."""
    d = cyp.load_catalogue().get("cla_rate_per_10k")
    local = attrs.evolve(d, provenance=attrs.evolve(d.provenance, ees=None))
    raw = _raw(CLA_FILE).filter(pl.col("time_period") == "2025")
    with pytest.raises(cyp.DataError) as refused:
        cyp.compute(local, raw, numerator="children_count", denominator="population_estimate")
    text = str(refused.value)
    assert "population_type" in text
    for value in raw["population_type"].unique():
        assert value in text
    assert "--filter population_type=" in text
    chosen = cyp.compute(
        local,
        raw,
        numerator="children_count",
        denominator="population_estimate",
        filters={"population_type": CLA_31_MARCH},
    )
    assert set(chosen["population_type"]) == {CLA_31_MARCH}


def test_filter_naming_a_column_that_is_not_there_lists_the_columns() -> None:
    raw = _raw(CLA_FILE)
    with pytest.raises(cyp.MissingColumnError) as missing:
        cyp.compute_by_year("cla_rate_per_10k", raw, filters={"population": CLA_31_MARCH})
    assert "'population'" in str(missing.value)
    assert "'population_type'" in str(missing.value)


def test_filter_value_that_is_not_there_lists_the_values() -> None:
    raw = _raw(CLA_FILE)
    with pytest.raises(cyp.DataError) as missing:
        cyp.compute_by_year(
            "cla_rate_per_10k", raw, filters={"population_type": "Children in care"}
        )
    text = str(missing.value)
    assert "'Children in care'" in text
    assert CLA_31_MARCH in text


def test_each_row_takes_the_version_in_force_in_its_year() -> None:
    """Issue 15: a 2010 row is never labelled with a version valid from 2014. The versions'
    valid years are read from the definition files here, not from the library."""
    files = sorted((DEFINITIONS / "social_care").rglob("care_leavers_neet_pct.v*.toml"))
    valid = {}
    for path in files:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        valid[doc["version"]] = (doc["valid_from"], doc.get("valid_to"))
    frame = pl.DataFrame(
        {"year": [2010, 2013, 2014, 2020], "neet": [5, 6, 30, 31], "leavers": [50, 50, 100, 100]}
    )
    out = cyp.compute_by_year(
        "care_leavers_neet_pct", frame, numerator="neet", denominator="leavers"
    )
    assert out["year"].to_list() == [2010, 2013, 2014, 2020]
    for year, version in out.select("year", "indicator_version").rows():
        start, end = valid[version]
        assert start <= year, (year, version)
        assert end is None or year <= end, (year, version)


def test_a_year_with_no_version_keeps_its_row_with_a_reason() -> None:
    frame = pl.DataFrame(
        {"year": [1990, 2024], "cla_at_31_march": [10, 20], "population_0_17": [1000, 1000]}
    )
    out = cyp.compute_by_year("cla_rate_per_10k", frame)
    assert out["year"].to_list() == [1990, 2024]
    first = out.row(0, named=True)
    assert first["value"] is None
    assert first["indicator_version"] is None
    assert first["reason"] == "z: no version of cla_rate_per_10k is in force in 1990"


def test_compute_refuses_tidy_rows_outside_the_versions_years() -> None:
    d = cyp.load_catalogue().get("care_leavers_neet_pct", version="2")
    frame = pl.DataFrame(
        {
            "time_period": ["2012", "2015"],
            "geographic_level": ["National", "National"],
            "care_leaver_count": ["5", "6"],
            "denominator": ["50", "60"],
        }
    )
    with pytest.raises(cyp.DataError, match="compute_by_year"):
        cyp.compute(d, frame, denominator="denominator")
