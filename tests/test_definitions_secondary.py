"""Secondary and post-16 definitions against DfE's files, read directly (not with the library's
readers): pupil-group levels name the right LAIT series, the Progress 8 interval is DfE's, the free
school meals gaps are the difference of the two groups, destination levels nest as DfE defines them,
and DfE's KS4 percentages follow one rounding rule.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.manifest import bundled_source

LAIT_FILE = bundled_source("lait").path
KS4_FILE = bundled_source("ks4_la.csv").path
NUMBER = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"

# The pupil-group levels and the LAIT series each stands for, written out from LAIT's dictionary
# (Measure and Measure_short), independently of the definition files.
LEVELS = [
    ("attainment_8", "all", "AVG_Attain8_Score"),
    ("attainment_8", "fsm", "FSM_AVG_Attain8_Score"),
    ("attainment_8", "non_fsm", "NonFSM_AVG_Attain8_Score"),
    ("attainment_8", "disadvantaged", "DAP_KS4_ATT8"),
    ("attainment_8", "non_disadvantaged", "NonDAP_KS4_ATT8"),
    ("attainment_8", "chinese", "AVG_Attain8_Score_Chine"),
    ("progress_8", "fsm", "FSM_AVG_Prog8_Score"),
    ("progress_8", "non_disadvantaged", "NonDAP_KS4_Prog8"),
    ("progress_8", "black", "AVG_Prog8_Score_Black"),
    ("level_2_by_19_pct", "fsm", "Level2_FMS_Attain"),
    ("level_2_by_19_pct", "non_fsm", "Level2Age19_NON_FSM"),
    ("level_2_by_19_pct", "sen_support", "Age19_SENwoS"),
    ("level_2_english_maths_by_19_pct", "fsm", "Level2Age19_E&M_FSM"),
    ("level_2_english_maths_by_19_pct", "ehc_plan", "Age19_SEN-S_L2EM"),
    ("level_3_by_19_pct", "non_fsm", "NonFSM_L3_aged19"),
    ("level_3_by_19_pct", "non_sen", "Age19_NoNSEN_L3"),
    ("he_entry_by_19_pct", "fsm", "HE_19_FSM"),
    ("he_entry_by_19_pct", "non_fsm", "HE_19_Non_FSM"),
    ("ks4_sustained_destination_pct", "overall", "SusEdOverall_All"),
    ("ks4_sustained_destination_pct", "sixth_form_college", "KS4_DES_6FormColl"),
    ("ks5_average_point_score_per_entry", "applied_general", "APSE_GenS"),
]


@pytest.fixture(scope="module")
def lait() -> pl.DataFrame:
    return pl.read_parquet(LAIT_FILE)


@pytest.fixture(scope="module")
def ks4() -> pl.DataFrame:
    return pl.read_parquet(KS4_FILE).filter(pl.col("geographic_level") == "Local authority")


def _lait_values(lait: pl.DataFrame, name: str) -> dict[tuple[str, int], float]:
    rows = lait.filter(
        (pl.col("Short Desc") == name) & pl.col("Values").str.contains(NUMBER)
    ).filter(pl.col("LA Number") < 970)
    return {
        (str(int(r["LA Number"])), int(r["Years"][:4]) + (1 if "-" in r["Years"] else 0)): float(
            r["Values"]
        )
        for r in rows.iter_rows(named=True)
    }


@pytest.mark.parametrize(("ident", "level", "series"), LEVELS)
def test_each_pupil_group_level_is_its_lait_series(
    catalogue: cyp.Catalogue, lait: pl.DataFrame, ident: str, level: str, series: str
) -> None:
    """A level's published LA values are exactly the LAIT series of that group."""
    d = catalogue.get(ident)
    assert d.breakdown is not None
    pub = cyp.published(d, catalogue=catalogue).filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col(d.breakdown.column) == level)
        & pl.col("value").is_not_null()
    )
    got = {(r["old_la_code"], r["time_period"]): r["value"] for r in pub.iter_rows(named=True)}
    expected = _lait_values(lait, series)
    assert len(expected) > 500
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ident", "gap"), [("level_2_by_19_pct", "L2Age19Gap"), ("level_3_by_19_pct", "L3Age19Gap")]
)
def test_the_free_school_meals_gap_is_not_eligible_minus_eligible(
    catalogue: cyp.Catalogue, lait: pl.DataFrame, ident: str, gap: str
) -> None:
    """LAIT's inequality gap (former NI 82, NI 81) is the not-eligible level minus the eligible one,
    to the rounding of the two published levels (each to 0.005)."""
    pub = cyp.published(ident, catalogue=catalogue).filter(
        pl.col("geographic_level") == "Local authority"
    )
    levels = {
        (r["old_la_code"], r["time_period"], r["pupil_group"]): r["value"]
        for r in pub.iter_rows(named=True)
        if r["value"] is not None
    }
    gaps = _lait_values(lait, gap)
    assert len(gaps) > 1000
    for (la, year), value in gaps.items():
        difference = levels[(la, year, "non_fsm")] - levels[(la, year, "fsm")]
        assert abs(difference - value) <= 0.01 + 1e-9, (la, year)


def test_destination_levels_nest_as_dfe_defines_them(catalogue: cyp.Catalogue) -> None:
    """Overall includes education; education includes each provider level; none exceeds 100."""
    pub = cyp.published("ks4_sustained_destination_pct", catalogue=catalogue).filter(
        pl.col("value").is_not_null()
    )
    wide = pub.pivot(
        on="destination", index=["area_code", "time_period"], values="value"
    ).drop_nulls()
    assert wide.height > 900
    for part in ("further_education_college", "school_sixth_form", "sixth_form_college"):
        assert (wide["education"] >= wide[part]).all(), part
    assert (wide["overall"] >= wide["education"]).all()
    assert (wide["overall"] >= wide["apprenticeship"]).all()
    assert (wide["overall"] <= 100).all()


def test_progress_8_interval_is_dfes_for_every_la_year(
    catalogue: cyp.Catalogue, ks4: pl.DataFrame
) -> None:
    """compute() with the national standard deviation gives DfE's mean and 95 % interval for
    every LA-year of ks4_la.csv. DfE does not publish the standard deviation in the file: one
    value per year reproduces every row (any value in 1.28260-1.28264 for 2018/19, 1.40832-1.40835
    for 2021/22, 1.41395-1.41409 for 2022/23, 1.41586-1.41596 for 2023/24)."""
    sd = {"201819": 1.28262, "202122": 1.40833, "202223": 1.41402, "202324": 1.41591}
    rows = ks4.filter(
        pl.col("t_p8score").str.contains(NUMBER)
        & pl.col("t_inp8calc").str.contains(NUMBER)
        & pl.col("p8score_CI_low").str.contains(NUMBER)
        & pl.col("p8score_CI_upp").str.contains(NUMBER)
    )
    assert set(rows["time_period"].unique()) == set(sd)
    d = catalogue.get("progress_8_social_care_groups")
    frame = rows.select(
        pl.col("t_p8score").cast(pl.Float64).alias("progress_8_total"),
        pl.col("t_inp8calc").cast(pl.Int64).alias("pupils"),
        pl.col("time_period")
        .replace_strict(sd, return_dtype=pl.Float64)
        .alias("progress_8_national_sd"),
        pl.col("avg_p8score").cast(pl.Float64).alias("dfe_value"),
        pl.col("p8score_CI_low").cast(pl.Float64).alias("dfe_low"),
        pl.col("p8score_CI_upp").cast(pl.Float64).alias("dfe_high"),
    )
    out = cyp.present(cyp.compute(d, frame, confidence=[0.95]), d)
    assert out.height > 1600
    assert (out["value"] == out["dfe_value"]).all()
    assert (out["lower_95"] == out["dfe_low"]).all()
    assert (out["upper_95"] == out["dfe_high"]).all()


def test_the_interval_needs_one_standard_deviation_per_year(ks4: pl.DataFrame) -> None:
    """The standard deviations above are the only ones the file allows: each LA-year's limits,
    rounded to two decimals, bound the standard deviation; the bounds meet in one narrow range
    per year (worked here without the library)."""
    z = 1.959963984540054
    for year, (low, high) in {
        "201819": (1.28260, 1.28264),
        "202122": (1.40832, 1.40835),
        "202223": (1.41395, 1.41409),
        "202324": (1.41586, 1.41596),
    }.items():
        lo, hi = 0.0, math.inf
        rows = ks4.filter(
            (pl.col("time_period") == year)
            & pl.col("t_inp8calc").str.contains(NUMBER)
            & pl.col("p8score_CI_upp").str.contains(NUMBER)
        )
        for r in rows.iter_rows(named=True):
            n = int(r["t_inp8calc"])
            mean = float(r["t_p8score"]) / n
            for bound, sign in ((float(r["p8score_CI_low"]), -1), (float(r["p8score_CI_upp"]), 1)):
                ends = [(bound + e - mean) * sign * math.sqrt(n) / z for e in (-0.005, 0.005)]
                lo, hi = max(lo, min(ends)), min(hi, max(ends))
        assert low - 1e-5 <= lo < hi <= high + 1e-5, (year, lo, hi)


KS4_SHARES = [
    ("t_l2basics_95", "pt_l2basics_95"),
    ("t_l2basics_94", "pt_l2basics_94"),
    ("t_ebacc_e_ptq_ee", "pt_ebacc_e_ptq_ee"),
]


def test_dfes_ks4_percentages_are_rounded_without_a_tolerance(ks4: pl.DataFrame) -> None:
    """DfE's KS4 percentages (ks4_la.csv) are num / den x 100 in floating point, rounded half up
    with no tolerance: that rule gives every LA-year; rounding the exact fraction half up (or the
    library's default, with its tolerance) misses one, where 23 / 80 x 100 is 28.749999999999996
    in floating point and DfE publishes 28.7."""
    exact_misses, no_tolerance_misses, default_misses, rows = [], [], [], 0
    for count, share in KS4_SHARES:
        usable = ks4.filter(
            pl.col(count).str.contains(r"^[0-9]+$")
            & pl.col("t_pupils").str.contains(r"^[1-9][0-9]*$")
            & pl.col(share).str.contains(NUMBER)
        )
        for r in usable.iter_rows(named=True):
            rows += 1
            n, den, published = int(r[count]), int(r["t_pupils"]), Decimal(r[share])
            exact = Fraction(math.floor(Fraction(n * 1000, den) + Fraction(1, 2)), 10)
            if exact != Fraction(published):
                exact_misses.append((r["la_name"], r["time_period"], share))
            as_float = n / den * 100
            if cyp.round_half_away(as_float, 1, tolerance=0.0) != float(published):
                no_tolerance_misses.append((r["la_name"], r["time_period"], share))
            if cyp.round_half_away(as_float, 1) != float(published):
                default_misses.append((r["la_name"], r["time_period"], share))
    assert rows > 3000
    assert no_tolerance_misses == []
    dorset = [("Dorset", "201819", "pt_l2basics_94")]
    assert exact_misses == dorset
    assert default_misses == dorset
