"""Vendor the processed datasets of DfE's children's social care dashboard (Outcomes and Enablers).

The dashboard's summary page lists 68 metrics (``summary_page_metadata.csv``); each reads one of the
dashboard's processed datasets (``data/*.rds`` in github dfe-analytical-services/CSC_outcomes_and_enablers).
Five of the EES files behind them are too large for the reference-data folder, so the processed
datasets are vendored instead: converted from RDS to Parquet (zstd), values unchanged, every column
as the dashboard stores it. Needs ``pyreadr`` and ``pandas`` (not dependencies of the library):

    python -m pip install pyreadr pandas
    python tools/vendor_dashboard_data.py PATH_TO_CSC_OUTCOMES_AND_ENABLERS_CHECKOUT

The manifest entries (``src/cyp_indicators/data/published/manifest.toml``) name the commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cyp_indicators" / "data" / "published" / "dashboard"

#: The datasets the summary page's metrics read.
DATASETS = (
    "assessment_factors",
    "care_leavers_accommodation_data",
    "care_leavers_activity_data",
    "ceased_cla_data",
    "cin_rates",
    "cin_referrals",
    "cla_rates",
    "combined_cla_31_march_data",
    "combined_cla_data",
    "duration_cpp",
    "hospital_admissions",
    "ofsted_leadership_data",
    "outcomes_absence",
    "outcomes_ks2",
    "outcomes_ks4",
    "placement_changes_data",
    "placement_data",
    "placement_order_match_data",
    "repeat_cpp",
    "school_stability_data",
    "spending_data",
    "spending_data_no_cla",
    "spending_per_capita",
    "sw_stability_data",
    "wellbeing_sdq_data",
    "workforce_data",
    "workforce_eth",
)


def main(checkout: Path) -> None:
    import pyreadr  # type: ignore[import-not-found]

    OUT.mkdir(parents=True, exist_ok=True)
    for name in DATASETS:
        result = pyreadr.read_r(str(checkout / "data" / f"{name}.rds"))
        frame = pl.from_pandas(next(iter(result.values())))
        frame.write_parquet(OUT / f"{name}.parquet", compression="zstd", compression_level=19)
        print(f"wrote {OUT / name}.parquet ({frame.height} rows)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
