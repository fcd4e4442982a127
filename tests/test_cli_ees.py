"""The README's commands on DfE's files as downloaded, run as an analyst runs them (a subprocess),
with no column flags: the figures equal the ones DfE publishes in the same files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

EES = Path(__file__).parent / "reference" / "dfe" / "ees"
LAIT = Path(__file__).parent / "reference" / "lait" / "lait_bds_csc_items_long.csv"
CLA = EES / "cla_number_and_rate_per_10k_children.csv"
CLA_31_MARCH = "Children looked after on 31 March each year"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cyp_indicators", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def _la_rows_equal(out: pl.DataFrame, published: str) -> int:
    """LA rows whose published figure is a number: each equals the presented value."""
    la = out.filter(pl.col("geographic_level") == "Local authority").with_columns(
        pl.col(published).cast(pl.String).cast(pl.Float64, strict=False).alias("__published")
    )
    numbers = la.filter(pl.col("__published").is_not_null())
    differ = numbers.filter(pl.col("value") != pl.col("__published"))
    assert differ.is_empty(), differ.select("year", "area_code", published, "value").head()
    return numbers.height


@pytest.mark.parametrize(
    ("ident", "name", "published", "extra"),
    [
        (
            "cla_rate_per_10k",
            CLA.name,
            "rate_per_10000",
            ["--filter", f"population_type={CLA_31_MARCH}"],
        ),
        ("cla_rate_per_10k", CLA.name, "rate_per_10000", []),
        (
            "re_referral_within_12_months_pct",
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
            "rereferral_percent",
            [],
        ),
        (
            "cpp_second_or_subsequent_pct",
            "d3_cpps_subsequent_plan_2013_to_2025.csv",
            "CPP_subsequent_percent",
            [],
        ),
    ],
)
def test_compute_on_a_dfe_download_gives_dfes_figures(
    ident: str, name: str, published: str, extra: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    done = _run(
        "compute", ident, "--input", str(EES / name), *extra, "--present", "--output", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = pl.read_csv(out, infer_schema_length=0).with_columns(
        pl.col("value").cast(pl.Float64), pl.col("value_unrounded").cast(pl.Float64)
    )
    assert _la_rows_equal(result, published) > 700
    assert "value_unrounded" in result.columns
    assert result.filter(pl.col("value").is_not_null())["indicator_version"].null_count() == 0


def test_compute_cin_rate_on_b1_attaches_the_population(tmp_path: Path) -> None:
    """b1 publishes counts only; the rate per 10,000 equals LAIT's published CIN rate."""
    out = tmp_path / "cin.csv"
    done = _run(
        "compute", "cin_rate_per_10k", "--input", str(EES / "b1_children_in_need_2013_to_2025.csv"),
        "--present", "--output", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = pl.read_csv(out, infer_schema_length=0)
    lait = pl.read_csv(LAIT, infer_schema_length=0).filter(pl.col("short_desc") == "CIN")
    both = result.filter(pl.col("geographic_level") == "Local authority").join(
        lait.select(pl.col("years").alias("year"), pl.col("la_number").alias("area_code"), "value"),
        on=["year", "area_code"],
        suffix="_lait",
    )
    both = both.with_columns(
        pl.col("value").cast(pl.Float64), pl.col("value_lait").cast(pl.Float64, strict=False)
    ).drop_nulls("value_lait")
    assert both.height >= 1500
    assert both.filter(pl.col("value") != pl.col("value_lait")).is_empty()


def test_compare_on_a_dfe_download_rounds_as_published(tmp_path: Path) -> None:
    """Issue 15: no float noise (-2.8000000000000007); each figure to the definition's places."""
    out = tmp_path / "cmp.csv"
    done = _run(
        "compare", "re_referral_within_12_months_pct",
        "--input", str(EES / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"),
        "--output", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = pl.read_csv(out, infer_schema_length=0)
    assert result.height > 1900
    for column in ("value", "england_value", "gap_to_england", "sn_value", "gap_to_sn"):
        text = result[column].drop_nulls()
        numbers = text.cast(pl.Float64, strict=False).drop_nulls()
        assert numbers.len() > 1500, column
        # as written: at most one decimal place, never 17 significant digits
        assert text.filter(text.str.contains(r"\.\d{2,}")).is_empty(), column


def test_a_filter_value_that_is_not_there_lists_the_values(tmp_path: Path) -> None:
    done = _run(
        "compute", "cla_rate_per_10k", "--input", str(CLA), "--filter", "population_type=Children",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert CLA_31_MARCH in done.stderr
    assert "Traceback" not in done.stderr


def test_a_filter_column_that_is_not_there_lists_the_columns(tmp_path: Path) -> None:
    done = _run(
        "compute", "cla_rate_per_10k", "--input", str(CLA), "--filter", "population=x",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert "'population_type'" in done.stderr


def test_a_filter_without_equals_is_a_usage_error(tmp_path: Path) -> None:
    done = _run("compute", "cla_rate_per_10k", "--input", str(CLA), "--filter", "x", cwd=tmp_path)
    assert done.returncode == 2
    assert "COLUMN=VALUE" in done.stderr
