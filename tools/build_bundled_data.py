"""Rebuild the bundled demo extract and population file from the team's reference-data folder.

Run from the repository root with the reference data beside it (``../shared/reference-data``):

    .venv/bin/python tools/build_bundled_data.py [REFERENCE_DATA_DIR]

Values are copied, never recomputed: counts stay text so DfE's symbols (c, x, z, low) survive.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cyp_indicators" / "data"
GEO = [
    "time_period",
    "geographic_level",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]


def _read(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    frame.columns = [c.lstrip("\ufeff") for c in frame.columns]
    return frame.with_columns(pl.col(c).replace("", None) for c in frame.columns)


def main(ref: Path) -> None:
    csc = ref / "dfe_csc_published"
    pop = _read(csc / "ons_mid-year_population_estimates_2012_to_2024.csv")
    pop.select(
        pl.col("time_period").cast(pl.Int64).alias("mid_year"),
        *GEO[1:],
        pl.col("population_estimate").alias("population"),
    ).sort("mid_year", "geographic_level", "old_la_code", nulls_last=True).write_csv(
        OUT / "ons_mye_0_17.csv"
    )

    b1 = _read(csc / "b1_children_in_need_2013_to_2025.csv").select(
        *GEO, pl.col("At31_episodes").alias("cin_at_31_march")
    )
    c1 = _read(csc / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv").select(
        *GEO,
        pl.col("referral_count").alias("referrals"),
        pl.col("rereferral_count").alias("re_referrals"),
    )
    d5 = _read(csc / "d5_cpps_at31march_by_duration_2013_to_2025.csv").select(
        *GEO, pl.col("CPP_At31").alias("cpp_at_31_march")
    )
    d3 = _read(csc / "d3_cpps_subsequent_plan_2013_to_2025.csv").select(
        *GEO,
        pl.col("CPP_start").alias("cpp_starts"),
        pl.col("CPP_subsequent").alias("cpp_starts_second_or_subsequent"),
    )
    cla = _read(csc / "cla_number_and_rate_per_10k_children.csv")
    names = {
        "Children looked after on 31 March each year": "cla_at_31_march",
        "Children starting to be looked after each year": "cla_starts",
        "Children ceasing to be looked after each year": "cla_ceased",
    }
    cla_wide = (
        cla.with_columns(pl.col("population_type").replace_strict(names).alias("measure"))
        .select(*GEO, "measure", "children_count")
        .pivot(on="measure", index=GEO, values="children_count")
    )
    counts = b1
    for other in (c1, d5, d3, cla_wide):
        counts = counts.join(other, on=GEO, how="full", coalesce=True, nulls_equal=True)
    counts = counts.rename({"time_period": "year"}).with_columns(pl.col("year").cast(pl.Int64))
    order = {"National": 0, "Regional": 1, "Local authority": 2}
    counts.sort(
        pl.col("year"),
        pl.col("geographic_level").replace_strict(order),
        "region_code",
        "old_la_code",
        descending=[True, False, False, False],
        nulls_last=True,
    ).write_csv(OUT / "csc_counts.csv")
    print(f"wrote {OUT / 'ons_mye_0_17.csv'} and {OUT / 'csc_counts.csv'} ({counts.height} rows)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference-data")
