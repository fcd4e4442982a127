"""Absence, exclusions and SEN definitions: what their breakdowns and denominators claim holds in
DfE's published figures.

The figures are read straight from the bundled LAIT file (LAIT's own ``bds_long``, copied
unchanged; see ``src/cyp_indicators/data/published/manifest.toml``) with polars, not through the
library's reader; the definitions only say which LAIT series each level or part is.
"""

from __future__ import annotations

import itertools

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.manifest import bundled_source

LAIT_FILE = bundled_source("lait").path

# LAIT files these series under "All Pupil Absence & Exclusions", but they are absence and exclusion
# of children in need, on a protection plan or looked after: the social care definitions name them.
SOCIAL_CARE_SERIES = {
    "LAC_Unauth", "LAC_Over_Abs", "LAC_Pers_Abs", "LAC_Fixed_ Ex",
    "CINAuthAb_3Term", "CINUnauthAb_3Term", "CINTotalAb_3Term", "CINPermAbsent_3Term",
    "CPPTotalAb_3Term", "CPPPerAbs_3Term", "CINFixedExclusion", "CINPermExclusion",
}  # fmt: skip


@pytest.fixture(scope="module")
def lait() -> pl.DataFrame:
    """LAIT's published values as numbers (rows showing '-' left out)."""
    raw = pl.read_parquet(LAIT_FILE)
    return raw.filter(pl.col("Values") != "-").select(
        pl.col("Short Desc").alias("series"),
        pl.col("LA Number").cast(pl.Int64).alias("la"),
        pl.col("Years").alias("year"),
        pl.col("Values").cast(pl.Float64).alias("value"),
    )


def _series(lait: pl.DataFrame, name: str, alias: str) -> pl.DataFrame:
    return lait.filter(pl.col("series") == name).select("la", "year", pl.col("value").alias(alias))


def _level_series(d: cyp.IndicatorDefinition) -> dict[str, str]:
    assert d.breakdown is not None
    return {lv.code: lv.lait_short_name for lv in d.breakdown.levels if lv.lait_short_name}


def test_every_lait_row_of_the_two_topics_is_defined(catalogue: cyp.Catalogue) -> None:
    """Each LAIT series of 'All Pupil Absence & Exclusions' and 'Children with SEN' (108 rows) is
    named by a definition here, except the children in need and looked-after series."""
    dictionary = pl.read_parquet(bundled_source("lait_dictionary").path)
    rows = dictionary.filter(
        pl.col("Topic").is_in(["All Pupil Absence & Exclusions", "Children with SEN"])
    )
    assert rows.height == 108
    named = {n for d in catalogue for n in d.provenance.lait_series}
    wanted = set(rows["Measure_short"]) - SOCIAL_CARE_SERIES
    assert len(wanted) == 96
    assert wanted - named == set()


@pytest.mark.parametrize(
    "school_type", ["total", "state_funded_primary", "state_funded_secondary", "special"]
)
def test_authorised_and_unauthorised_absence_add_up_to_overall(
    catalogue: cyp.Catalogue, lait: pl.DataFrame, school_type: str
) -> None:
    """Authorised plus unauthorised sessions missed are all sessions missed: at each school type
    the two published rates add up to the overall rate, within their rounding to 2 places."""
    parts = {
        part: _level_series(catalogue.get(f"{part}_absence_rate_pct"))[school_type]
        for part in ("authorised", "unauthorised", "overall")
    }
    both = (
        _series(lait, parts["authorised"], "authorised")
        .join(_series(lait, parts["unauthorised"], "unauthorised"), on=["la", "year"])
        .join(_series(lait, parts["overall"], "overall"), on=["la", "year"])
    )
    assert both.height > 1400
    gap = (pl.col("authorised") + pl.col("unauthorised") - pl.col("overall")).abs()
    assert both.filter(gap > 0.015 + 1e-9).is_empty()  # three figures each rounded to 0.01


@pytest.mark.parametrize(
    "school_type", ["total", "state_funded_primary", "state_funded_secondary", "special"]
)
def test_severely_absent_enrolments_are_persistent_absentees(
    catalogue: cyp.Catalogue, lait: pl.DataFrame, school_type: str
) -> None:
    """Missing half of one's sessions means missing a tenth: at each school type the severe
    absence rate never exceeds the persistent absence rate of the same authority and year."""
    severe = _level_series(catalogue.get("severe_absence_pct"))[school_type]
    persistent = _level_series(catalogue.get("persistent_absence_pct"))[school_type]
    both = _series(lait, severe, "severe").join(
        _series(lait, persistent, "persistent"), on=["la", "year"]
    )
    assert both.height > 1400
    assert both.filter(pl.col("severe") > pl.col("persistent")).is_empty()


def test_annual_review_percentages_have_the_denominators_the_definitions_give(
    catalogue: cyp.Catalogue, lait: pl.DataFrame
) -> None:
    """Reviews due over the plans maintained at the January after the year, and review meetings
    over reviews due, reproduce DfE's percentages (published to 1 place) for every authority."""

    def name(ident: str) -> str:
        found = catalogue.get(ident).provenance.lait_short_name
        assert found is not None
        return found

    due = _series(lait, name("ehc_annual_reviews_due_count"), "due")
    due_pct = _series(lait, name("ehc_annual_reviews_due_pct"), "due_pct")
    meetings = _series(lait, name("ehc_annual_review_meetings_count"), "meetings")
    meetings_pct = _series(lait, name("ehc_annual_review_meetings_pct"), "meetings_pct")
    plans = _series(lait, name("ehc_plans_maintained_count"), "plans").with_columns(
        (pl.col("year").cast(pl.Int64) - 1).cast(pl.String).alias("year")  # January after
    )
    both = (
        due.join(due_pct, on=["la", "year"])
        .join(plans, on=["la", "year"])
        .join(meetings, on=["la", "year"])
        .join(meetings_pct, on=["la", "year"])
    )
    assert both.height > 140
    due_gap = (pl.col("due") / pl.col("plans") * 100 - pl.col("due_pct")).abs()
    meetings_gap = (pl.col("meetings") / pl.col("due") * 100 - pl.col("meetings_pct")).abs()
    assert both.filter(due_gap > 0.05 + 1e-9).is_empty()
    assert both.filter(meetings_gap > 0.05 + 1e-9).is_empty()


@pytest.mark.parametrize(
    ("ident", "first_year_of_each_version"),
    [
        # DfE lowered the persistent absence threshold from 20 % to 15 % from 2010/11 (announced
        # July 2011), led on six half terms from 2013/14 (SFR 09/2014 kept five for 2012/13) and
        # measured 10 % of each enrolment's own sessions from 2015/16.
        ("persistent_absence_pct", [2007, 2011, 2014, 2016]),
        ("overall_absence_rate_pct", [2007, 2014]),
        ("authorised_absence_rate_pct", [2007, 2014]),
        ("unauthorised_absence_rate_pct", [2007, 2014]),
        # The SEND reforms of 1 September 2014: SEN support from the January 2015 census, EHC plans
        # (ages 0 to 25, a 20-week limit) from 2015.
        ("pupils_with_sen_support_pct", [2002, 2015]),
        ("ehc_plans_maintained_count", [2010, 2015]),
        ("sen_plans_issued_within_time_limit_pct", [2008, 2015]),
    ],
)
def test_the_year_chain_changes_version_where_dfe_changed_the_measure(
    catalogue: cyp.Catalogue, ident: str, first_year_of_each_version: list[int]
) -> None:
    history = catalogue.history(ident)
    assert [d.valid_from for d in history] == first_year_of_each_version
    for before, after in itertools.pairwise(history):
        assert before.valid_to == after.valid_from - 1
        assert catalogue.get(ident, year=after.valid_from) == after
        assert catalogue.get(ident, year=after.valid_from - 1) == before
    assert history[-1].valid_to is None


def test_every_year_lait_publishes_has_a_version_in_force(catalogue: cyp.Catalogue) -> None:
    """No LAIT year of the definitions naming a series of the two topics falls outside the
    versions' valid years (the SEN levels of KS2, KS4 and age-19 measures are levels of the
    all-pupil definitions, wherever those live)."""
    dictionary = pl.read_parquet(bundled_source("lait_dictionary").path)
    topics = dictionary.filter(
        pl.col("Topic").is_in(["All Pupil Absence & Exclusions", "Children with SEN"])
    )
    series = set(topics["Measure_short"])
    mine = [d for d in catalogue if series & set(d.provenance.lait_series)]
    assert len(mine) >= 40
    for d in mine:
        pub = cyp.published(d, catalogue=catalogue)
        missing = pub.filter(pl.col("definition_version").is_null())
        assert missing.is_empty(), (d.key, sorted(set(missing["time_period"])))
