"""Children in need and child protection definitions whose published series the generic
reproduction cannot reach, checked against DfE's own files.

The generic tests (``test_published``, ``test_reproduction``) prove every definition that names its
components as EES columns. The definitions here hold DfE's figures in wide tables (one column per
band or factor, which an EES breakdown cannot name), a sum of negative scores (Progress 8, which the
roll-up of counts refuses), LAIT's series of the social care groups checked level by level against
DfE's counts, or a handful of exact halves that DfE rounds down (and the definitions with it). Each test
computes the definition from DfE's published components with the library and compares the result
with DfE's published figure, read straight from the bundled files (LAIT's ``bds_long``, the EES data
files and the dashboard's processed datasets, copied unchanged; see
``src/cyp_indicators/data/published/manifest.toml``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import attrs
import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.manifest import bundled_source


def _raw(name: str) -> pl.DataFrame:
    return pl.read_parquet(bundled_source(name).path)


def _lait(*short_names: str) -> pl.DataFrame:
    """LAIT's rows of some measures for single LAs: short name, collection year, LA, value text."""
    raw = _raw("lait")
    return raw.filter(
        pl.col("Short Desc").is_in(list(short_names))
        & (pl.col("LA Number") < 970)
        & (pl.col("Years") != "0")
    ).select(
        pl.col("Short Desc").alias("series"),
        pl.col("Years").cast(pl.Int64).alias("time_period"),
        pl.col("LA Number").cast(pl.Int64).cast(pl.String).alias("old_la_code"),
        pl.col("Values").alias("published"),
    )


def _year(column: str = "time_period") -> pl.Expr:
    """An EES academic-year label (201819) as its collection year (2019)."""
    return (pl.col(column).str.slice(0, 4).cast(pl.Int64) + 1).alias("time_period")


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False)


def _shown(text: str, dps: int) -> str:
    """A published value as text with ``dps`` places, rounded half up on the exact decimal text."""
    return str(Decimal(text).quantize(Decimal(1).scaleb(-dps), rounding=ROUND_HALF_UP))


def _agree(mine: pl.DataFrame, keys: list[str], dps: int) -> tuple[int, list[dict[str, object]]]:
    """Rows where both sides have a figure: how many, and those that differ."""
    both = mine.filter(pl.col("mine").is_not_null() & (pl.col("published") != "-"))
    extra = [c for c in ("num", "den") if c in both.columns]
    differ = [
        r
        for r in both.iter_rows(named=True)
        if f"{r['mine']:.{dps}f}" != _shown(str(r["published"]), dps)
    ]
    return both.height, [{k: r[k] for k in [*keys, *extra, "published", "mine"]} for r in differ]


def _exact_halves_rounded_down(differ: list[dict[str, object]], dps: int) -> None:
    """Each difference is an exact half (num / den * 100 ends in 5 at the next decimal place) that
    DfE rounded down: DfE works out num / den * 100 in floating point, which puts such a half just
    below it, where the library rounds an exact half away from zero."""
    for r in differ:
        num, den = int(str(r["num"]).split(".")[0]), int(str(r["den"]).split(".")[0])
        exact = Fraction(num * 100, den)
        step = Fraction(1, 10**dps)
        assert (exact / step - Fraction(1, 2)).denominator == 1, r  # an exact half
        assert Decimal(str(r["published"])) == Decimal(str(float(exact - step / 2))).quantize(
            Decimal(1).scaleb(-dps)
        ), r
        assert float(str(r["published"])) == round(num / den * 100, dps), r  # DfE's float


# --- KS2 by subject: LAIT 364's and 363's series are ks2_la's CINO and CLA columns ---

KS2_SUBJECTS = {  # subject: (LAIT children in need, LAIT children looked after, ks2_la stem)
    "reading": ("CIN_KS2_ExpStd_R", "LAC_KS2_ExpStd_R", "read"),
    "writing": ("CIN_KS2_ExpStd_W", "LAC_KS2_ExpStd_W", "writta"),
    "maths": ("CIN_KS2_ExpStd_M", "LAC_KS2_ExpStd_M", "mat"),
    "gps": ("CIN_KS2_ExpStd_GPS", "LAC_KS2_ExpStd_GPS", "gps"),
}
GROUPS = {"CINO at 31 March": "cino", "CLA 12 months at 31 March": "cla_12_months"}


def _with_tolerance(d: cyp.IndicatorDefinition) -> cyp.IndicatorDefinition:
    """The definition with the library's default rounding (a tolerance below the half)."""
    return attrs.evolve(
        d, presentation=attrs.evolve(d.presentation, rounding="half_away_from_zero")
    )


@pytest.mark.parametrize("subject", list(KS2_SUBJECTS))
def test_ks2_subject_levels_are_laits_series_and_ks2_las_columns(
    catalogue: cyp.Catalogue, subject: str
) -> None:
    """Each subject's children in need and children looked after levels are LAIT's series of the
    subject, and ks2_la's counts of the group give LAIT's figure for every LA-year when rounded as
    DfE rounds (no tolerance); rounding with a tolerance misses only exact halves DfE rounded down."""
    cin, cla, stem = KS2_SUBJECTS[subject]
    d = catalogue.get(f"social_care_group_ks2_{subject}_expected_standard_pct")
    assert d.breakdown is not None
    names = {lv.code: lv.lait_short_name for lv in d.breakdown.levels}
    assert names == {"cino": cin, "cppo": None, "cla_12_months": cla}
    ks2 = _raw("ks2_la.csv").filter(
        (pl.col("geographic_level") == "Local authority")
        & pl.col("social_care_group").is_in(list(GROUPS))
    )
    counts = ks2.select(
        _year(),
        "old_la_code",
        pl.col("social_care_group").replace_strict(GROUPS).alias("group"),
        _number(f"t_{stem}_met_expected_standard").alias("met"),
        _number(f"t_{stem}_eligible_pupils").alias("eligible"),
    )
    lait = _lait(cin, cla).with_columns(
        pl.col("series").replace_strict({cin: "cino", cla: "cla_12_months"}).alias("group")
    )
    keys = ["time_period", "old_la_code", "group"]
    misses = []
    for definition in (d, _with_tolerance(d)):
        mine = cyp.present(
            cyp.compute(definition, counts, numerator="met", denominator="eligible"), definition
        )
        joined = lait.join(
            mine.select(
                *keys,
                pl.col("met").alias("num"),
                pl.col("eligible").alias("den"),
                pl.col("value").alias("mine"),
            ),
            on=keys,
            how="inner",
        )
        compared, differ = _agree(joined, keys, 0)
        assert compared > 2 * 140 * 4  # two groups, 2019 and 2022 to 2025
        misses.append(differ)
    assert misses[0] == []
    assert len(misses[1]) <= 5, misses[1]
    _exact_halves_rounded_down(
        misses[1], 0
    )  # e.g. LA 206, 2023, reading: 23 of 40 = 57.5, shown 57


# --- ICPC timeliness bands: LAIT 268 is table C4's duration columns ---

ICPC_BANDS = {  # level: C4 column
    "days_0_10": "Duration_0-10_days",
    "days_11_15": "Duration_11-15_days",
    "days_16_20": "Duration_16-20_days",
    "days_21_or_more": "Duration_21+_days",
}


def test_icpc_bands_are_the_duration_columns_of_table_c4(catalogue: cyp.Catalogue) -> None:
    d = catalogue.get("icpc_by_working_days_count")
    pub = cyp.published(d, catalogue=catalogue).filter(
        pl.col("geographic_level") == "Local authority"
    )
    c4 = _raw("c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv").filter(
        pl.col("geographic_level") == "Local authority"
    )
    dfe = pl.concat(
        [
            c4.select(
                pl.col("time_period").cast(pl.Int64),
                "old_la_code",
                pl.lit(level).alias("working_days_band"),
                _number(column).alias("dfe"),
            )
            for level, column in ICPC_BANDS.items()
        ]
    )
    both = pub.join(dfe, on=["time_period", "old_la_code", "working_days_band"], how="inner")
    assert both.height == 4 * 10 * 152 or both.height > 4 * 10 * 150
    with_figures = both.filter(pl.col("value").is_not_null() & pl.col("dfe").is_not_null())
    assert with_figures.height > 4500
    assert with_figures.filter(pl.col("value") != pl.col("dfe")).is_empty()
    # and the bands of a year add up to no more than the ICPCs held (icpc_rate_per_10k's count)
    totals = c4.select(
        pl.col("time_period").cast(pl.Int64), "old_la_code", _number("ICPC").alias("icpc")
    )
    summed = with_figures.group_by("time_period", "old_la_code").agg(
        pl.col("value").sum(), pl.len().alias("bands")
    )
    over = summed.filter(pl.col("bands") == 4).join(totals, on=["time_period", "old_la_code"])
    assert over.height > 1000
    assert over.filter(pl.col("value") > pl.col("icpc")).is_empty()


# --- factors at the end of assessment: table C3's counts give the dashboard's rates ---


def test_factor_counts_over_the_population_give_the_dashboard_rates(
    catalogue: cyp.Catalogue,
) -> None:
    d = catalogue.get("assessment_factors_rate_per_10k")
    c3 = _raw("c3_factors_identified_at_end_of_assessment_2018_to_2025.csv").filter(
        pl.col("geographic_level") == "Local authority"
    )
    column = {c.lower(): c for c in c3.columns}
    levels = [lv.code for lv in d.breakdown.levels]  # type: ignore[union-attr]
    assert all(code in column for code in levels)  # each level is a C3 column
    counts = pl.concat(
        [
            c3.select(
                pl.col("time_period").cast(pl.Int64),
                "old_la_code",
                pl.lit(code).alias("assessment_factor"),
                _number(column[code]).alias("episodes_with_factor"),
            )
            for code in levels
        ]
    ).filter(pl.col("episodes_with_factor").is_not_null())
    counts = cyp.attach_population(counts, area="old_la_code", year="time_period")
    mine = cyp.present(cyp.compute(d, counts), d).select(
        "time_period", "old_la_code", "assessment_factor", pl.col("value").alias("mine")
    )
    dash = _raw("dashboard:assessment_factors").filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col("rate_per_10000") >= 0)
    )
    # the dashboard names a factor as C3 does, with spaces for underscores
    theirs = dash.select(
        pl.col("time_period").cast(pl.Int64),
        pl.col("old_la_code").cast(pl.String),
        pl.col("assessment_factor").str.replace_all(" ", "_").str.to_lowercase(),
        pl.col("rate_per_10000").alias("theirs"),
    )
    assert set(theirs["assessment_factor"]) <= set(levels)
    both = theirs.join(mine, on=["time_period", "old_la_code", "assessment_factor"])
    assert both.height > 15000  # 17 factors, 2019 to 2025, about 150 LAs
    assert both.filter(pl.col("mine") != pl.col("theirs")).is_empty()


# --- Progress 8 of children in need and looked after: a negative sum of scores over pupils ---


def test_progress_8_is_the_groups_sum_of_scores_over_pupils(catalogue: cyp.Catalogue) -> None:
    """LAIT's children in need and children looked after Progress 8 series are ks4_la's sum of
    scores over pupils with a score, for each group (the sum is negative in most areas, which the
    roll-up of counts in the generic reproduction refuses)."""
    d = catalogue.get("progress_8_social_care_groups")
    ks4 = _raw("ks4_la.csv").filter(
        (pl.col("geographic_level") == "Local authority")
        & pl.col("social_care_group").is_in(list(GROUPS))
    )
    counts = ks4.select(
        _year(),
        "old_la_code",
        pl.col("social_care_group").replace_strict(GROUPS).alias("group"),
        _number("t_p8score").alias("sum"),
        _number("t_inp8calc").alias("n"),
    )
    mine = cyp.present(cyp.compute(d, counts, numerator="sum", denominator="n", confidence=None), d)
    series = {"CINProgKS2-4_Avg_Prog8": "cino", "LAC_KS4_AVG_Prog8": "cla_12_months"}
    joined = (
        _lait(*series)
        .with_columns(pl.col("series").replace_strict(series).alias("group"))
        .join(
            mine.select("time_period", "old_la_code", "group", pl.col("value").alias("mine")),
            on=["time_period", "old_la_code", "group"],
        )
    )
    compared, differ = _agree(joined, ["time_period", "old_la_code", "group"], 2)
    assert compared > 2 * 140 * 3  # two groups, 2019, 2022, 2023, 2024 (many withheld)
    assert differ == []


# --- exact halves that DfE rounds down ---


@pytest.mark.parametrize(
    ("ident", "column", "numerator", "denominator", "filters", "halves"),
    [
        (
            "ks4_english_maths_grade_4_social_care_groups_pct",
            "pt_l2basics_94",
            "t_l2basics_94",
            "t_pupils",
            {},
            {("835", 2019, "CINO at 31 March")},  # Dorset: 23 of 80
        ),
        (
            "social_care_group_persistent_absence_pct",
            "pt_pupils_pa_10_exact",
            "t_pupils_pa_10_exact",
            "t_pupils",
            {"phase_type_grouping": "Total"},
            {
                ("894", 2019, "CPPO at 31 March"),  # Telford and Wrekin: 23 of 80
                ("342", 2025, "CINO at 31 March"),  # St Helens: 246 of 480
            },
        ),
    ],
)
def test_dfes_rounding_gives_every_figure_and_a_tolerance_misses_exact_halves(
    catalogue: cyp.Catalogue,
    ident: str,
    column: str,
    numerator: str,
    denominator: str,
    filters: dict[str, str],
    halves: set[tuple[str, int, str]],
) -> None:
    """DfE works out num / den * 100 in floating point, which puts some exact halves (28.75)
    just below the half, and rounds them down. The definitions round as DfE does (no tolerance)
    and give every LA figure; the library's default rounding (a tolerance) misses exactly those
    halves."""
    d = catalogue.get(ident)
    assert d.presentation.rounding == "half_away_from_zero_no_tolerance"
    file = "ks4_la.csv" if column.startswith("pt_l2") else "absence_la.csv"
    raw = _raw(file).filter(pl.col("geographic_level") == "Local authority")
    for key, value in filters.items():
        raw = raw.filter(pl.col(key) == value)
    rows = raw.select(
        _year(),
        "old_la_code",
        "social_care_group",
        _number(numerator).alias("num"),
        _number(denominator).alias("den"),
        pl.col(column).alias("published"),
    ).filter(pl.col("num").is_not_null() & pl.col("den").is_not_null())
    keys = ["old_la_code", "time_period", "social_care_group"]
    found = []
    for definition in (d, _with_tolerance(d)):
        mine = cyp.present(
            cyp.compute(definition, rows, numerator="num", denominator="den"), definition
        )
        compared, differ = _agree(mine.rename({"value": "mine"}), keys, 1)
        assert compared > 900
        found.append(differ)
    assert found[0] == []
    assert {
        (r["old_la_code"], r["time_period"], r["social_care_group"]) for r in found[1]
    } == halves
    _exact_halves_rounded_down(found[1], 1)


# --- breakdowns that add up ---


@pytest.mark.parametrize(
    "ident", ["cin_by_episode_duration_pct", "cin_episodes_ended_by_duration_pct"]
)
def test_duration_bands_add_up_to_the_whole(catalogue: cyp.Catalogue, ident: str) -> None:
    """Every child in need at 31 March (every episode ended) is in exactly one band: LAIT's five
    one-decimal percentages add up to 100 within their rounding."""
    d = catalogue.get(ident)
    pub = cyp.published(d, catalogue=catalogue).filter(
        pl.col("geographic_level") == "Local authority"
    )
    sums = (
        pub.filter(pl.col("value").is_not_null())
        .group_by("time_period", "area_code")
        .agg(pl.col("value").sum().alias("total"), pl.len().alias("bands"))
        .filter(pl.col("bands") == 5)
    )
    assert sums.height > 1400
    off = sums.filter((pl.col("total") - 100).abs() > 0.25)
    # Hampshire's 2024 return (DfE: 'significant data quality issues') shows 0 in every band of
    # the episodes ended; every other LA-year adds up
    assert off.select("time_period", "area_code").rows() in ([], [(2024, "850")]), off


def test_cpp_reviews_are_the_reviewed_count_over_plans_of_three_months(
    catalogue: cyp.Catalogue,
) -> None:
    """LAIT 19's percentage is its reviewed count over its count of plans open three months or
    more (LAIT's methodology words the denominator otherwise)."""
    d = catalogue.get("cpp_reviewed_within_timescales_pct")
    counts = (
        _lait("CPP_Reviewed_InReqTimeScl", "CPP_31March_3MnthorMore")
        .filter(pl.col("published") != "-")
        .with_columns(pl.col("published").cast(pl.Float64))
        .pivot(on="series", index=["time_period", "old_la_code"], values="published")
    )
    mine = cyp.present(
        cyp.compute(
            d, counts, numerator="CPP_Reviewed_InReqTimeScl", denominator="CPP_31March_3MnthorMore"
        ),
        d,
    )
    joined = _lait("RevCP").join(
        mine.select("time_period", "old_la_code", pl.col("value").alias("mine")),
        on=["time_period", "old_la_code"],
    )
    compared, differ = _agree(joined, ["time_period", "old_la_code"], 1)
    assert compared > 1400
    assert differ == []
