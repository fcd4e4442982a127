"""The catalogue as a whole: each published series is named once, LAIT's rows and DfE's dashboard
metrics are covered, breakdowns read each level from where DfE publishes it, reforms are recorded.

The project's rule: one measure is one definition; groups of it (pupil groups, social care groups,
duration bands) are levels of its breakdown, never near-identical files. So every LAIT series
(Measure_short) is named by at most one definition id, and every metric of DfE's children's social
care dashboard by exactly one. The expected values come from the bundled copies of DfE's files
(LAIT's data and dictionary, the dashboard's summary metadata, the EES file ks4_la.csv; see
``src/cyp_indicators/data/published/manifest.toml``), read here with polars, not with the library's
readers.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.manifest import bundled_source

#: LAIT's topics of children's social care (the rest are education, early years, health, context).
SOCIAL_CARE_TOPICS = (
    "Adoption",
    "Child Protection",
    "Children Looked After",
    "Children in Need",
    "Children's Service Finance",
    "Children's Services Workforce",
    "Youth Offending",
)

#: LAIT rows no definition names, and why (none: a breakdown may name LAIT for some levels only,
#: as the care leaver measures do for ages 19 to 21, whose 17 to 18 level DfE publishes in EES).
NOT_NAMED: dict[str, tuple[str, str, str]] = {}  # short name: (definition, level, why)


def _parquet(name: str) -> pl.DataFrame:
    return pl.read_parquet(bundled_source(name).path)


def _names_by_id(catalogue: cyp.Catalogue) -> dict[str, set[str]]:
    """Each LAIT short name -> the ids of the definitions (any version) that name it, as the
    definition's series or as a breakdown level's."""
    out: dict[str, set[str]] = defaultdict(set)
    for d in catalogue:
        names = set(d.provenance.lait_series)
        if d.breakdown is not None:
            names |= {lv.lait_short_name for lv in d.breakdown.levels if lv.lait_short_name}
        for name in names:
            out[name].add(d.id)
    return out


@pytest.fixture(scope="module")
def dictionary() -> pl.DataFrame:
    return _parquet("lait_dictionary")


def test_every_lait_series_is_named_by_at_most_one_definition(
    catalogue: cyp.Catalogue, dictionary: pl.DataFrame
) -> None:
    named = _names_by_id(catalogue)
    assert set(named) <= set(dictionary["Measure_short"])
    twice = {name: sorted(ids) for name, ids in named.items() if len(ids) > 1}
    assert twice == {}


def test_the_lait_rows_no_definition_names_are_the_documented_ones(
    catalogue: cyp.Catalogue, dictionary: pl.DataFrame
) -> None:
    named = _names_by_id(catalogue)
    assert set(dictionary["Measure_short"]) - set(named) == set(NOT_NAMED)
    for short, (ident, level, _why) in NOT_NAMED.items():
        d = catalogue.get(ident)
        assert d.breakdown is not None
        assert level in d.breakdown.codes, short
        assert not any(lv.lait_short_name for lv in d.breakdown.levels), short


def test_lait_rows_of_social_care_and_of_the_other_topics_are_named(
    catalogue: cyp.Catalogue, dictionary: pl.DataFrame
) -> None:
    """LAIT's dictionary has 175 rows in its seven social care topics and 273 in the others
    (education, early years, health, context); a few series appear under two topics and count in
    each."""
    named = set(_names_by_id(catalogue))
    rows = dictionary.with_columns(
        pl.col("Topic").is_in(SOCIAL_CARE_TOPICS).alias("social_care"),
        pl.col("Measure_short").is_in(list(named)).alias("named"),
    )
    social_care = rows.filter(pl.col("social_care"))
    others = rows.filter(~pl.col("social_care"))
    assert (social_care.height, others.height) == (175, 273)
    named_social_care, named_others = int(social_care["named"].sum()), int(others["named"].sum())
    assert named_social_care >= 170
    assert named_others >= 265
    assert named_social_care + named_others == rows.height - len(NOT_NAMED)


def test_each_dashboard_metric_is_named_by_exactly_one_definition(
    catalogue: cyp.Catalogue,
) -> None:
    meta = _parquet("summary_page_metadata.csv")
    metrics = [text.strip() for text in meta["metric_display_text"]]
    assert len(set(metrics)) == len(metrics) == 68
    naming: dict[str, set[str]] = defaultdict(set)
    for d in catalogue:
        for text in d.provenance.csc_dashboard_metrics:
            naming[text].add(d.id)
    assert set(naming) <= set(metrics)
    counts = {text: sorted(naming.get(text, set())) for text in metrics}
    assert {text: ids for text, ids in counts.items() if len(ids) != 1} == {}


# --- a breakdown whose levels DfE publishes in different places ---


def _lait_values(short: str) -> dict[tuple[str, int], float | None]:
    """LAIT's LA values of one series by (LA number, year), '-' as None."""
    rows = _parquet("lait").filter(
        (pl.col("Short Desc") == short) & (pl.col("LA Number") < 970) & (pl.col("Years") != "0")
    )
    return {
        (str(int(r["LA Number"])), int(r["Years"])): (
            None if r["Values"] == "-" else float(r["Values"])
        )
        for r in rows.iter_rows(named=True)
    }


def _ks4_la_values(group: str, column: str) -> dict[tuple[str, int], float | None]:
    """ks4_la.csv's LA values of one social care group by (LA code, collection year); the
    symbols (c, x, z) as None."""
    rows = _parquet("ks4_la.csv").filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col("social_care_group") == group)
    )
    out: dict[tuple[str, int], float | None] = {}
    for r in rows.iter_rows(named=True):
        text = r[column]
        year = int(r["time_period"][:4]) + 1  # 201819 is collection year 2019
        try:
            out[(r["old_la_code"], year)] = float(text)
        except ValueError:
            out[(r["old_la_code"], year)] = None
    return out


def test_a_breakdown_reads_each_level_from_where_dfe_publishes_it(
    catalogue: cyp.Catalogue,
) -> None:
    """Grade 5 in English and maths: all pupils and children in need are LAIT's series, children on
    a plan and children looked after are ks4_la.csv's rows; each level holds its own source's
    figures for every LA-year that source publishes."""
    d = catalogue.get("ks4_english_maths_grade_5_pct")
    assert d.breakdown is not None
    pub = cyp.published(d, catalogue=catalogue).filter(
        pl.col("geographic_level") == "Local authority"
    )
    expected = {
        "all": ("bds_long_0.parquet", _lait_values("EngMaths9-5")),
        "cino": ("bds_long_0.parquet", _lait_values("CIN_EngMaths9-5")),
        "cppo": ("ks4_la.csv", _ks4_la_values("CPPO at 31 March", "pt_l2basics_95")),
        "cla_12_months": (
            "ks4_la.csv",
            _ks4_la_values("CLA 12 months at 31 March", "pt_l2basics_95"),
        ),
    }
    assert set(pub[d.breakdown.column]) == set(expected)
    for level, (file, values) in expected.items():
        mine = pub.filter(pl.col(d.breakdown.column) == level)
        assert set(mine["source_file"]) == {file}, level
        got = {(r["area_code"], r["time_period"]): r["value"] for r in mine.iter_rows(named=True)}
        assert len(values) > 1000, level
        assert got == pytest.approx(values), level
    # the LAIT levels start before DfE's file does (2017 and 2018 are LAIT's only)
    years = pub.group_by(d.breakdown.column).agg(pl.col("time_period").min())
    first = dict(years.iter_rows())
    assert first["all"] == first["cino"] == 2017
    assert first["cppo"] == first["cla_12_months"] == 2019


def test_the_free_school_meals_gap_is_computed_from_the_two_shares(
    catalogue: cyp.Catalogue,
) -> None:
    """compute() on LAIT's not-eligible and eligible shares gives LAIT's gap (L2Age19Gap,
    L3Age19Gap) to the rounding of the two two-decimal shares; a withheld share withholds the
    gap."""
    for ident, gap, non_fsm, fsm in [
        ("level_2_by_19_fsm_gap", "L2Age19Gap", "Level2Age19_NON_FSM", "Level2_FMS_Attain"),
        ("level_3_by_19_fsm_gap", "L3Age19Gap", "NonFSM_L3_aged19", "Level3_FMS_Attain"),
    ]:
        d = catalogue.get(ident)
        assert d.family is cyp.Family.DIFFERENCE
        assert d.denominator is not None
        shares = {name: _lait_values(name) for name in (non_fsm, fsm)}
        keys = sorted(set(shares[non_fsm]) & set(shares[fsm]))
        frame = pl.DataFrame(
            {
                "la": [k[0] for k in keys],
                "year": [k[1] for k in keys],
                d.numerator.column: [shares[non_fsm][k] for k in keys],
                d.denominator.column: [shares[fsm][k] for k in keys],
            }
        )
        out = cyp.compute(d, frame)
        published = _lait_values(gap)
        compared = 0
        for r in out.iter_rows(named=True):
            theirs = published.get((r["la"], r["year"]))
            if r["value"] is None or theirs is None:
                continue
            compared += 1
            assert abs(r["value"] - theirs) <= 0.01 + 1e-9, (ident, r["la"], r["year"])
        assert compared > 1000, ident
        withheld = out.filter(pl.col(d.denominator.column).is_null())
        assert withheld.height > 0
        assert withheld["value"].is_null().all()


# --- reforms recorded in the year packs ---


def test_every_reform_links_measures_in_force_on_either_side(catalogue: cyp.Catalogue) -> None:
    """Each [[replaced]] entry names an old measure that ends by the year of the reform and new
    ones in force that year; the new measures' history across reforms starts with the old one and
    their breaks name the reform."""
    reforms = [(p.year, r) for p in catalogue.packs for r in p.replaced]
    assert len(reforms) >= 15
    for year, r in reforms:
        assert r.year == year
        old = catalogue.history(r.id)
        assert old[-1].valid_to is not None
        assert old[-1].valid_to <= year, (r.id, year)
        for new in r.by:
            assert new in catalogue.in_force(year), (r.id, new, year)
            own = catalogue.history(new)
            chain = catalogue.history(new, across_reforms=True)
            assert chain[-len(own) :] == own
            assert set(old) <= set(chain[: -len(own)]), (r.id, new)
            kinds = {(b.year, b.kind, b.before) for b in catalogue.breaks(new)}
            assert (year, "replaced", old[-1].key) in kinds, (r.id, new)


@pytest.mark.parametrize(
    ("old", "year", "new"),
    [
        ("ks2_ks4_expected_progress", 2016, "progress_8"),
        ("ks2_level4_maths_pct", 2016, "ks2_test_expected_standard_pct"),
        ("ks4_5ac_including_english_maths_pct", 2017, "ks4_english_maths_grade_4_pct"),
        ("ks4_ebacc_pct", 2017, "ks4_ebacc_grade_5_pct"),
        ("eyfs_78_points_pct", 2013, "eyfs_good_level_of_development_pct"),
        ("initial_assessment_within_timescale_pct", 2014, "assessment_within_45_working_days_pct"),
    ],
)
def test_dfes_reforms_are_recorded(catalogue: cyp.Catalogue, old: str, year: int, new: str) -> None:
    """The reforms DfE made (levels to the expected standard and Progress 8 in 2016, A*-C to 9-1
    grades in 2017, the revised EYFS profile in 2013, the single assessment in 2014)."""
    (reform,) = [r for r in catalogue.replaced_by(old) if new in r.by]
    assert reform.year == year
    assert old in {r.id for r in catalogue.replaced(new)}
