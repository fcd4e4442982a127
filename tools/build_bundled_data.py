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
    # One row per geography and year. Join on the old LA number (or region / England), not the ONS
    # code: in 2023 the CIN files give North Yorkshire and Somerset their county codes and the CLA
    # file their new unitary codes. The first file's geography columns are kept.
    key = pl.coalesce("old_la_code", "region_code", pl.lit("E92000001")).alias("__key")
    keys = ["time_period", "geographic_level", "__key"]
    counts = b1.with_columns(key)
    for other in (c1, d5, d3, cla_wide):
        other = other.with_columns(key)
        counts = counts.join(other, on=keys, how="full", coalesce=True, suffix="__r")
        counts = counts.with_columns(
            pl.coalesce(c, f"{c}__r").alias(c)
            for c in GEO
            if c not in ("time_period", "geographic_level")
        ).drop([f"{c}__r" for c in GEO if f"{c}__r" in counts.columns])
    counts = counts.drop("__key")
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
    sn = _read(ref / "statistical_neighbours" / "dfe_sn_long_2021_2025.csv")
    _write_la_codes(counts, sn)
    _write_published(ref)
    for model, version, published in (
        ("April 2021", "2021", "2021-04"),
        ("May 2025", "2025", "2025-05"),
    ):
        _write_sn_set(sn.filter(pl.col("sn_model_version") == model), version, model, published)


def _write_la_codes(counts: pl.DataFrame, sn: pl.DataFrame) -> None:
    """Every LA's old 3-digit number with each ONS code it has had; the latest marked current."""
    las = counts.filter(pl.col("geographic_level") == "Local authority")
    from_counts = las.group_by("old_la_code", "new_la_code").agg(
        pl.col("la_name").last(),
        pl.col("region_name").last(),
        pl.col("year").max().alias("last_year"),
    )
    from_sn = pl.concat(
        [
            sn.select(
                pl.col("la_number").alias("old_la_code"),
                pl.col("la_ons_code").alias("new_la_code"),
                "la_name",
            ),
            sn.select(
                pl.col("sn_la_number").alias("old_la_code"),
                pl.col("sn_la_ons_code").alias("new_la_code"),
                pl.col("sn_la_name").alias("la_name"),
            ),
        ]
    ).unique(["old_la_code", "new_la_code"])
    codes = (
        from_counts.join(from_sn, on=["old_la_code", "new_la_code"], how="full", coalesce=True)
        .with_columns(pl.coalesce("la_name", "la_name_right").alias("la_name"))
        .drop("la_name_right")
    )
    codes = codes.with_columns(
        (
            pl.col("last_year").fill_null(0)
            == pl.col("last_year").fill_null(0).max().over("old_la_code")
        ).alias("current")
    )
    codes.select("old_la_code", "new_la_code", "la_name", "region_name", "current").sort(
        "old_la_code", "new_la_code"
    ).write_csv(OUT / "geography" / "la_codes.csv")
    print(f"wrote {OUT / 'geography' / 'la_codes.csv'} ({codes.height} rows)")


#: EES files vendored for ``published()`` (file -> folder of the reference data). Values are
#: stored unchanged, every column as text, as Parquet (zstd) to keep the wheel small.
EES_FILES = {
    "dfe_csc_published": (
        "b1_children_in_need_2013_to_2025.csv",
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
        "cla_number_and_rate_per_10k_children.csv",
        "d3_cpps_subsequent_plan_2013_to_2025.csv",
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "ks2_la.csv",
        "ks4_la.csv",
    ),
    "dfe_csc_dashboard_raw": (
        "absence_la.csv",
        "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
        "csww_headline_measures_2017_to_2022.csv",
        "csww_indicators_2017_to_2025.csv",
        "la_care_leavers_accommodation_suitability.csv",
        "la_care_leavers_activity.csv",
        "la_cla_during_year_new_placements.csv",
        "la_cla_placement_stability.csv",
        "la_cla_school_moves.csv",
        "la_cla_swcount.csv",
        "la_conviction_health_outcome_cla.csv",
        "la_hospital_admissions_2324.csv",
        "national_cla_adopted_average_time_between_adoption_process_stages.csv",
        "summary_page_metadata.csv",
    ),
}


def _write_published(ref: Path) -> None:
    """LAIT's whole data file and dictionary, and the EES files, for ``published()``."""
    out = OUT / "published"
    (out / "lait").mkdir(parents=True, exist_ok=True)
    (out / "ees").mkdir(parents=True, exist_ok=True)
    lait = pl.read_parquet(ref / "lait_full" / "bds_long.parquet")
    lait.write_parquet(out / "lait" / "bds_long.parquet", compression="zstd", compression_level=19)
    dictionary = pl.read_csv(ref / "lait_full" / "lait_data_dictionary.csv", infer_schema_length=0)
    dictionary.write_parquet(
        out / "lait" / "lait_data_dictionary.parquet", compression="zstd", compression_level=19
    )
    for folder, files in EES_FILES.items():
        for name in files:
            frame = pl.read_csv(ref / folder / name, infer_schema_length=0)
            frame.columns = [c.lstrip("\ufeff") for c in frame.columns]
            target = out / "ees" / name.replace(".csv", ".parquet")
            frame.write_parquet(target, compression="zstd", compression_level=19)
    print(f"wrote {out}")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: Which collection years each DfE set serves: LAIT and DfE's children's social care dashboard
#: apply one list to every year; the May 2025 list replaced the April 2021 one on 28 May 2025
#: (LAIT commit b3494e3). Written into each set's [serves] table.
SERVES = {
    "2021": (
        "from = 2008\n"
        'note = "LAIT applied the April 2021 list to every collection year until 28 May 2025 '
        '(LAIT commit b3494e3); the May 2025 list replaced it."'
    ),
    "2025": (
        "from = 2008\n"
        "default = true\n"
        "note = \"LAIT (since 28 May 2025) and DfE's children's social care dashboard apply the "
        "May 2025 list to every collection year; it reproduces the dashboard's neighbour medians "
        'for every year."'
    ),
}


def _write_sn_set(rows: pl.DataFrame, version: str, model: str, published: str) -> None:
    header = f"""# DfE children's services statistical neighbours, {model} model.
# Generated by tools/build_bundled_data.py from the LAIT file sn_{"april_2021" if version == "2021" else "may_2025"}.xlsx
# (github dfe-analytical-services/local-authority-interactive-tool, 01_data/02_prod, commit b3494e3d);
# the CSC Outcomes and Enablers dashboard's copy agrees LA by LA and in order. Crown copyright, OGL v3.
# Each group: an LA (old 3-digit number) and its ten neighbours in DfE's rank order, with the
# closeness band of each (capitalisation normalised to lower case). Checked against
# validation/comparator_set.schema.json when loaded.

id = "dfe_sn"
version = "{version}"
title = "DfE children's services statistical neighbours ({model})"
kind = "statistical_neighbours"
published = "{published}"
source = "DfE/NFER children's services statistical neighbour benchmarking model, as published in LAIT"

[serves]
{SERVES[version]}
"""
    parts = [header]
    for la in rows["la_number"].unique(maintain_order=True).to_list():
        group = rows.filter(pl.col("la_number") == la).sort(pl.col("sn_rank").cast(pl.Int64))
        name = group["la_name"][0]
        members = ", ".join(_toml_string(m) for m in group["sn_la_number"])
        closeness = ", ".join(_toml_string(c.strip().lower()) for c in group["closeness"])
        parts.append(
            f"\n[[groups]]  # {name}\nla = {_toml_string(la)}\nmembers = [{members}]\ncloseness = [{closeness}]\n"
        )
    path = ROOT / "definitions" / "comparators" / f"dfe_sn_{version}.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference-data")
