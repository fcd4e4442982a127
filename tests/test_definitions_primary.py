"""Primary and early years definitions: LAIT coverage, the seed's figures, DfE's KS2 rounding.

Expected values come from outside the library: LAIT's data dictionary and DfE's ``ks2_la.csv`` are
read straight from the bundled Parquet copies (``src/cyp_indicators/data/published/manifest.toml``
names their origin), and the 2016 figures are the seed's (002, Peterborough's 2016/17
self-assessment).
"""

from __future__ import annotations

import math
from fractions import Fraction

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.manifest import bundled_source

TOPICS = ("Key Stage 2", "Key Stage 1 and Phonics", "Foundation Stage", "Early Years")


def test_every_lait_row_of_the_primary_and_early_years_topics_is_named(
    catalogue: cyp.Catalogue,
) -> None:
    """Each LAIT series of the four topics is a definition's series or a level of its breakdown."""
    dictionary = pl.read_parquet(bundled_source("lait_dictionary").path)
    rows = dictionary.filter(pl.col("Topic").is_in(TOPICS))
    assert rows.height == 84  # 44 + 12 + 20 + 8, as LAIT's dictionary holds them
    named = {name for d in catalogue for name in d.provenance.lait_series}
    assert set(rows["Measure_short"]) - named == set()


# (definition, breakdown level, area, seed value, seed line): the seed's 2016 figures where LAIT's
# vintage agrees with them (the caveats of the definitions list the figures DfE revised since).
SEED_2016 = [
    ("ks2_test_expected_standard_pct", "reading", "874", 55.0, "002:L826"),
    ("ks2_test_expected_standard_pct", "reading", cyp.ENGLAND, 66.0, "002:L827"),
    ("ks2_test_expected_standard_pct", "maths", cyp.ENGLAND, 70.0, "002:L831"),
    ("ks2_test_expected_standard_pct", "gps", "874", 65.0, "002:L832"),
    ("ks2_teacher_assessment_expected_standard_pct", "writing", "874", 72.0, "002:L828"),
    ("ks2_writing_progress_score", "all", "874", 0.6, "002:L828"),
    ("ks1_expected_standard_pct", "reading", "874", 68.0, "002:L820"),
    ("ks1_expected_standard_pct", "reading", cyp.ENGLAND, 74.0, "002:L821"),
    ("ks1_expected_standard_pct", "writing", "874", 61.0, "002:L822"),
    ("ks1_expected_standard_pct", "maths", "874", 69.0, "002:L824"),
    ("ks1_expected_standard_pct", "maths", cyp.ENGLAND, 73.0, "002:L825"),
    ("phonics_expected_standard_pct", "all", "874", 77.0, "002:L814"),
    ("phonics_expected_standard_pct", "all", cyp.ENGLAND, 81.0, "002:L815"),
    ("eyfs_good_level_of_development_pct", "all", "874", 62.9, "002:L805"),
    ("eyfs_good_level_of_development_pct", "all", cyp.ENGLAND, 69.3, "002:L806"),
]


@pytest.mark.parametrize(("ident", "level", "area", "expected", "line"), SEED_2016)
def test_the_levels_name_the_series_the_seed_quotes(
    catalogue: cyp.Catalogue, ident: str, level: str, area: str, expected: float, line: str
) -> None:
    """A subject or pupil-group level reads the LAIT series of that subject or group."""
    d = catalogue.get(ident, year=2016)
    assert d.breakdown is not None
    pub = cyp.published(d, catalogue=catalogue)
    row = pub.filter(
        (pl.col("time_period") == 2016)
        & (pl.col("area_code") == area)
        & (pl.col(d.breakdown.column) == level)
    )
    assert row["value"].to_list() == [expected], (ident, level, area, line)


def _ks2_la_figures() -> list[tuple[int, int, int]]:
    """(eligible, met, published percentage) for every LA row with all three published."""
    frame = pl.read_parquet(bundled_source("ks2_la.csv").path).filter(
        pl.col("geographic_level") == "Local authority"
    )
    out = []
    for subject in ("read", "writta", "mat", "rwm", "gps", "scita"):
        cols = [
            f"t_{subject}_eligible_pupils",
            f"t_{subject}_met_expected_standard",
            f"pt_{subject}_met_expected_standard",
        ]
        numeric = frame.select(cols).filter(
            pl.all_horizontal(pl.col(c).str.contains(r"^\d+$") for c in cols)
        )
        out += [(int(d), int(n), int(p)) for d, n, p in numeric.iter_rows()]
    return out


def test_dfe_rounds_the_double_of_the_share_times_100_half_up_without_a_nudge() -> None:
    """DfE's KS2 percentages: n / d in double precision, times 100, rounded half up with no
    tolerance. 23/40 is stored as 57.49999999999999 and published as 57; the exact value 57.5,
    or DfE's sqrt(machine epsilon) nudge of round_five_up, would give 58."""
    figures = _ks2_la_figures()
    assert len(figures) == 9599
    by_rule = [p for d, n, p in figures if math.floor(n / d * 100 + 0.5) == p]
    assert len(by_rule) == len(figures)
    library = [p for d, n, p in figures if cyp.round_half_away(n / d * 100, 0, tolerance=0.0) == p]
    assert len(library) == len(figures)
    exact = [
        (d, n, p) for d, n, p in figures if math.floor(Fraction(100 * n, d) + Fraction(1, 2)) != p
    ]
    assert exact == [(40, 23, 57)] * 4
    nudged = {(d, n, p) for d, n, p in figures if cyp.round_half_away(n / d * 100, 0) != p}
    assert nudged == {(40, 23, 57)}
