"""The scrutiny pack's KS2 and KS4 appendix tables, computed from pupil-level rows.

Run: .venv/bin/python examples/scrutiny_pack_ks2_ks4.py

THE PUPILS ARE SYNTHETIC. What this example reproduces is the *layout* and the *method* of the 2012
Peterborough scrutiny pack's appendices (seed 003), not Peterborough's figures: the city's pupil
records are not public. A seeded random cohort is generated below with the seed's published
profile, so the printed percentages are plausible but invented.

The layout (003:L665-681 and L868-902): one table per measure, a row per pupil group - the city
("All pupils"), Boys, Girls, EAL, non-EAL, FSM, non-FSM - and columns 2009, 2010, 2011 and
"3yr av.", whole percentages rounded half away from zero; the 3-year average is the mean of the
three whole percentages shown, rounded again (which is how the seed's averages come out: English
progress 56, 64, 65 -> 62). The England, statistical-neighbour and local-comparator rows of the
seed need those areas' pupils and are not computed here.

The method:

* expected progress KS2 -> KS4 (three levels, per subject): ``cyp.classify_progress`` with the
  ``ks2_ks4_expected_progress`` matrix in force each year (version 1, the seed's Appendix 5), then
  ``cyp.progress_rates`` per group - pupils with no KS2 result fall in the matrix's "No TA or
  test" row and mostly leave the denominator, as the matrix says;
* KS2 level 4+ in English and maths: ``cyp.compute_from_pupils`` with
  ``ks2_level4_english_maths_pct`` (a true/false per pupil over pupils eligible);
* "3yr av.": ``cyp.rolling_average`` of the presented whole percentages; rounding:
  ``cyp.round_half_away``.

The cohort profile, from the seed (each cohort's size is the seed's EAL count over its EAL
percentage - 2,214 for KS2 in 2011, where the seed says 2,155 sat the tests, 003:L479):

* KS4 (Year 11) cohorts 2009-2011: 396 (17.5 %), 491 (21.9 %), 514 (22.7 %) EAL pupils (003:L920-922);
  153 (6.6 %), 162 (7.0 %), 211 (9.0 %) pupils with no KS2 result (003:L930-932);
* KS2 (Year 6) cohorts 2009-2011: 532 (24.3 %), 577 (26.1 %), 653 (29.5 %) EAL pupils
  (003:L755-757); 8.4 % with no KS1 result in 2011 (003:L480, L769; 2009 and 2010 are blank in
  the seed, so 8.4 % is used for every year; here it only marks new arrivals, whose attainment
  is drawn lower, as KS1 -> KS2 progress is not part of this example);
* free school meals: about 20 % - the seed gives no FSM share, so this is an assumption; boys and
  girls about half each.

Attainment is drawn from a simple latent-ability model, its group and year effects chosen so the
city's figures land near the seed's published city rows: the group gaps have the seed's direction
(FSM and EAL pupils below, girls above in English) but they are invented, not evidence.
"""

from __future__ import annotations

import numpy as np
import polars as pl

import cyp_indicators as cyp

YEARS = (2009, 2010, 2011)
RNG_SEED = 2012  # the pack's year: any fixed seed gives a reproducible cohort

# Seed profile literals (seed 003 line numbers in the module docstring).
KS4_EAL = {2009: (396, 17.5), 2010: (491, 21.9), 2011: (514, 22.7)}  # 003:L920-922
KS4_NO_KS2 = {2009: 6.6, 2010: 7.0, 2011: 9.0}  # % of the cohort, 003:L930-932
KS2_EAL = {2009: (532, 24.3), 2010: (577, 26.1), 2011: (653, 29.5)}  # 003:L755-757
KS2_NO_KS1_PCT = 8.4  # 003:L480, L769 (2011)
FSM_PCT = 20.0  # assumption: not in the seed
BOYS_PCT = 51.0  # assumption: not in the seed

# The seed's published city rows, for comparison with the synthetic ones (whole %, 3yr av. last).
SEED_PUBLISHED = {
    "ks2_ks4_english": (56, 64, 65, 62),  # 003:L870
    "ks2_ks4_maths": (49, 54, 58, 53),  # 003:L887
    "ks2_level4_english_maths": (69, 67, 69, 68),  # 003:L668
}

GROUPS = ("All pupils", "Boys", "Girls", "EAL", "non-EAL", "FSM", "non-FSM")
GROUPINGS: dict[str, dict[object, str]] = {
    "sex": {"Boys": "Boys", "Girls": "Girls"},
    "eal": {True: "EAL", False: "non-EAL"},
    "fsm": {True: "FSM", False: "non-FSM"},
}
COLUMNS = ("row", *(str(y) for y in YEARS), "3yr av.")

# Levels of progress KS2 -> GCSE: a mean per year, then the girls' and EAL pupils' differences.
PROGRESS_MODEL: dict[str, tuple[dict[int, float], float, float]] = {
    "english": ({2009: 2.65, 2010: 2.9, 2011: 2.95}, 0.3, -0.35),
    "maths": ({2009: 2.55, 2010: 2.7, 2011: 2.8}, 0.1, -0.1),
}

GCSE_BY_LEVEL = {3: "G", 4: "F", 5: "E", 6: "D", 7: "C", 8: "B", 9: "A", 10: "A*"}


def _profile(rng: np.random.Generator, n: int, eal: int, no_prior: int) -> dict[str, np.ndarray]:
    """Sex, EAL (exactly ``eal`` pupils), FSM and the pupils without a prior result.

    Pupils without a prior result are mostly new arrivals (003:L480), so three in four are drawn
    from the EAL pupils.
    """
    is_eal = np.zeros(n, dtype=bool)
    is_eal[rng.choice(n, size=eal, replace=False)] = True
    eal_idx, other_idx = np.flatnonzero(is_eal), np.flatnonzero(~is_eal)
    from_eal = min(round(no_prior * 0.75), eal_idx.size)
    no_prior_idx = np.concatenate(
        [
            rng.choice(eal_idx, size=from_eal, replace=False),
            rng.choice(other_idx, size=no_prior - from_eal, replace=False),
        ]
    )
    missing = np.zeros(n, dtype=bool)
    missing[no_prior_idx] = True
    return {
        "sex": np.where(rng.random(n) < BOYS_PCT / 100, "Boys", "Girls"),
        "eal": is_eal,
        "fsm": rng.random(n) < FSM_PCT / 100,
        "no_prior": missing,
    }


def _ks2_level(score: np.ndarray) -> np.ndarray:
    """A KS2 level 2-5 from a latent score (KS2 tests topped at level 5 until 2012)."""
    levels: np.ndarray = np.digitize(score, [-1.9, -0.75, 0.68]) + 2
    return levels


def ks4_cohort(year: int, rng: np.random.Generator) -> pl.DataFrame:
    """One synthetic Year 11 cohort: KS2 level and GCSE grade in English and in maths."""
    eal_count, eal_pct = KS4_EAL[year]
    n = round(eal_count / (eal_pct / 100))
    p = _profile(rng, n, eal_count, round(n * KS4_NO_KS2[year] / 100))
    girl = p["sex"] == "Girls"
    ability = rng.normal(0, 1, n) - 0.55 * p["fsm"] - 0.2 * p["eal"]
    columns: dict[str, object] = {
        "pupil_id": [f"{year}-{i:05d}" for i in range(n)],
        "sex": p["sex"],
        "eal": p["eal"],
        "fsm": p["fsm"],
        "no_ks2": p["no_prior"],
    }
    for subject in ("english", "maths"):
        base, girl_gap, eal_gap = PROGRESS_MODEL[subject]
        ks2 = _ks2_level(ability + 0.2 * girl_gap * girl + rng.normal(0, 0.5, n))
        progress = (
            base[year]
            + girl_gap * girl
            + eal_gap * p["eal"]
            - 0.5 * p["fsm"]
            + rng.normal(0, 1.1, n)
        )
        grade_level = np.clip(np.rint(ks2 + progress), 2, 10).astype(int)
        grades = [GCSE_BY_LEVEL.get(g, "U") for g in grade_level]
        prior: list[str | None] = [str(level) for level in ks2]
        for i in np.flatnonzero(p["no_prior"]):
            prior[i] = None  # no KS2 result: the matrix's "No TA or test" row
        outcome: list[str | None] = list(grades)
        for i in np.flatnonzero(rng.random(n) < 0.01):
            outcome[i] = None  # absent from the exams: the "No KS4 result" column
        columns[f"ks2_{subject}"] = prior
        columns[f"gcse_{subject}"] = outcome
    return pl.DataFrame(columns)


def ks2_cohort(year: int, rng: np.random.Generator) -> pl.DataFrame:
    """One synthetic Year 6 cohort: level 4+ in both English and maths, true or false."""
    eal_count, eal_pct = KS2_EAL[year]
    n = round(eal_count / (eal_pct / 100))
    p = _profile(rng, n, eal_count, round(n * KS2_NO_KS1_PCT / 100))
    girl = p["sex"] == "Girls"
    # New arrivals (no KS1 result) are often early in learning English (003:L480).
    ability = rng.normal(0, 1, n) - 0.6 * p["fsm"] - 0.25 * p["eal"] - 0.5 * p["no_prior"]
    english = _ks2_level(ability + 0.25 * girl + rng.normal(0, 0.5, n) + 0.35)
    maths = _ks2_level(ability - 0.1 * girl + rng.normal(0, 0.5, n) + 0.35)
    absent = rng.random(n) < 0.02  # absent or disapplied: eligible, not at level 4
    return pl.DataFrame(
        {
            "pupil_id": [f"{year}-{i:05d}" for i in range(n)],
            "sex": p["sex"],
            "eal": p["eal"],
            "fsm": p["fsm"],
            "no_ks1": p["no_prior"],
            "level4_english_maths": (english >= 4) & (maths >= 4) & ~absent,
        }
    )


def cohorts(seed: int = RNG_SEED) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The synthetic KS4 and KS2 cohorts for every year, with a ``year`` column."""
    rng = np.random.default_rng(seed)
    ks4 = pl.concat([ks4_cohort(y, rng).with_columns(year=pl.lit(y)) for y in YEARS])
    ks2 = pl.concat([ks2_cohort(y, rng).with_columns(year=pl.lit(y)) for y in YEARS])
    return ks4, ks2


def cohort_profile(ks4: pl.DataFrame, ks2: pl.DataFrame) -> pl.DataFrame:
    """The synthetic cohorts' profile per year, to set beside the seed's (003:L755-769, L920-932)."""
    parts = []
    for stage, frame, no_prior in (("KS4", ks4, "no_ks2"), ("KS2", ks2, "no_ks1")):
        parts.append(
            frame.group_by("year", maintain_order=True)
            .agg(
                pl.len().alias("pupils"),
                (pl.col("eal").mean() * 100).round(1).alias("eal_pct"),
                (pl.col(no_prior).mean() * 100).round(1).alias("no_prior_result_pct"),
                (pl.col("fsm").mean() * 100).round(1).alias("fsm_pct"),
                ((pl.col("sex") == "Boys").mean() * 100).round(1).alias("boys_pct"),
            )
            .select(pl.lit(stage).alias("stage"), pl.all())
        )
    return pl.concat(parts)


def _labelled(frame: pl.DataFrame, grouping: str | None) -> pl.DataFrame:
    """``year``, ``row`` (the seed's group label), ``value`` (unrounded %)."""
    if grouping is None:
        return frame.select("year", pl.lit("All pupils").alias("row"), "value")
    labels = GROUPINGS[grouping]
    return frame.select(
        "year",
        pl.col(grouping).map_elements(labels.__getitem__, return_dtype=pl.String).alias("row"),
        "value",
    )


def appendix_table(values: pl.DataFrame) -> pl.DataFrame:
    """The seed's layout from ``year``, ``row``, ``value``: whole % per year and the 3yr av."""
    shown = values.with_columns(
        pl.col("value")
        .map_elements(lambda v: cyp.round_half_away(v, 0), return_dtype=pl.Float64)
        .alias("presented")
    )
    averaged = cyp.rolling_average(shown, by="row", value="presented", n=3, name="avg")
    three_year = averaged.filter(pl.col("year") == YEARS[-1]).select(
        "row",
        pl.col("avg")
        .map_elements(lambda v: cyp.round_half_away(v, 0), return_dtype=pl.Float64)
        .cast(pl.Int64)
        .alias("3yr av."),
    )
    wide = shown.with_columns(pl.col("presented").cast(pl.Int64)).pivot(
        on="year", index="row", values="presented"
    )
    order = pl.DataFrame({"row": list(GROUPS)})
    return (
        order.join(wide, on="row", how="left", maintain_order="left")
        .join(three_year, on="row", how="left", maintain_order="left")
        .select(COLUMNS)
    )


def expected_progress_tables(ks4: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """% making expected progress KS2 -> KS4, English and maths, in the appendix layout."""
    catalogue = cyp.load_catalogue()
    tables: dict[str, pl.DataFrame] = {}
    for subject in ("english", "maths"):
        parts = []
        for year in YEARS:
            definition = catalogue.get("ks2_ks4_expected_progress", year=year)
            classified = cyp.classify_progress(
                ks4.filter(pl.col("year") == year),
                definition,
                prior=f"ks2_{subject}",
                outcome=f"gcse_{subject}",
                pupil_id="pupil_id",
            )
            for grouping in (None, *GROUPINGS):
                by = ["year"] if grouping is None else ["year", grouping]
                rates = cyp.progress_rates(classified, by=by, definition=definition)
                parts.append(_labelled(rates, grouping))
        tables[f"ks2_ks4_{subject}"] = appendix_table(pl.concat(parts))
    return tables


def level4_table(ks2: pl.DataFrame) -> pl.DataFrame:
    """% at level 4+ in both English and maths at KS2, in the appendix layout."""
    catalogue = cyp.load_catalogue()
    parts = []
    for year in YEARS:
        definition = catalogue.get("ks2_level4_english_maths_pct", year=year)
        pupils = ks2.filter(pl.col("year") == year)
        for grouping in (None, *GROUPINGS):
            by = ["year"] if grouping is None else ["year", grouping]
            result = cyp.compute_from_pupils(
                definition, pupils, value="level4_english_maths", by=by
            )
            parts.append(_labelled(result, grouping))
    return appendix_table(pl.concat(parts))


def scrutiny_pack_tables(ks4: pl.DataFrame, ks2: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Every appendix table, keyed by measure, from the KS4 and KS2 cohorts."""
    return {
        "ks2_level4_english_maths": level4_table(ks2),
        **expected_progress_tables(ks4),
    }


def _printable(table: pl.DataFrame) -> pl.DataFrame:
    """Whole percentages with a % sign, as the seed prints them."""
    return table.with_columns(
        pl.col(c).map_elements(lambda v: f"{v}%", return_dtype=pl.String) for c in COLUMNS[1:]
    )


TITLES = {
    "ks2_level4_english_maths": "KS2 English and Maths, % Level 4+ (cf. 003:L665-681)",
    "ks2_ks4_english": "Progress KS2 -> KS4, % English progress (cf. 003:L868-883)",
    "ks2_ks4_maths": "Progress KS2 -> KS4, % Maths progress (cf. 003:L885-902)",
}

if __name__ == "__main__":
    pl.Config.set_tbl_hide_dataframe_shape(True)
    pl.Config.set_tbl_hide_column_data_types(True)
    ks4_pupils, ks2_pupils = cohorts()
    tables = scrutiny_pack_tables(ks4_pupils, ks2_pupils)
    profile = cohort_profile(ks4_pupils, ks2_pupils)
    catalogue = cyp.load_catalogue()
    versions = ", ".join(
        f"{y}: v{catalogue.get('ks2_ks4_expected_progress', year=y).version}" for y in YEARS
    )
    print("SYNTHETIC cohort - the seed's layout and method, not Peterborough's pupils.")
    print(f"ks2_ks4_expected_progress in force: {versions}")
    print("Cohort profile (no prior result = no KS2 level for KS4, no KS1 level for KS2):")
    print(profile, "\n")
    for key, table in tables.items():
        seed_row = " · ".join(f"{v}%" for v in SEED_PUBLISHED[key])
        print(TITLES[key])
        print(_printable(table))
        print(f"seed's published Peterborough row, for scale: {seed_row}\n")
