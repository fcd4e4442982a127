"""Attainment definitions from aggregated inputs and from pupil rows."""

from __future__ import annotations

import math

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.stats.intervals import z_value

ATTAINMENT = [
    "ks2_level4_english_pct", "ks2_level4_maths_pct", "ks2_level4_english_maths_pct",
    "ks2_level5_english_pct", "ks2_level5_maths_pct", "ks2_level5_english_maths_pct",
    "ks2_average_point_score", "ks4_5ac_including_english_maths_pct", "ks4_5ac_pct", "ks4_ebacc_pct",
    "ks4_ac_english_pct", "ks4_ac_maths_pct", "attainment_8", "progress_8",
    "eyfs_good_level_of_development_pct", "phonics_expected_standard_pct",
]  # fmt: skip


def test_every_attainment_measure_is_defined(catalogue: cyp.Catalogue) -> None:
    """Each seed attainment measure is a definition with its valid years; levels end by 2015."""
    for ident in ATTAINMENT:
        d = catalogue.get(ident)
        assert d.topic in {"education", "early_years"}
        if ident.startswith("ks2_"):
            assert d.valid_to is not None
            assert d.valid_to <= 2015
    assert catalogue.get("progress_8").valid_from == 2016
    with pytest.raises(cyp.UnknownDefinitionError):
        catalogue.get("ks2_level4_maths_pct", year=2017)


def test_level_4_from_aggregated_counts(catalogue: cyp.Catalogue) -> None:
    """A share from counts: percentage with Wilson intervals, presented to whole numbers."""
    d = catalogue.get("ks2_level4_maths_pct", year=2011)
    frame = pl.DataFrame({d.numerator.column: [1522], d.denominator.column: [1950]})  # type: ignore[union-attr]
    out = cyp.present(cyp.compute(d, frame), d)
    assert out["display"][0] == "78"
    assert out["method"][0] == "wilson"


def test_progress_8_from_aggregated_inputs(catalogue: cyp.Catalogue) -> None:
    """Progress 8 = total / pupils, with DfE's interval from the national standard deviation."""
    d = catalogue.get("progress_8")
    assert d.spread is not None
    assert d.denominator is not None
    frame = pl.DataFrame(
        {d.numerator.column: [-18.6], d.denominator.column: [155], d.spread.column: [1.25]}
    )
    out = cyp.compute(d, frame, confidence=[0.95])
    assert out["value"][0] == pytest.approx(-0.12)
    assert out["upper_95"][0] - out["value"][0] == pytest.approx(
        z_value(0.95) * 1.25 / math.sqrt(155)
    )
    assert cyp.present(out, d)["display"][0] == "-0.12"


def test_compute_from_pupils_for_shares_and_means(catalogue: cyp.Catalogue) -> None:
    """Pupil rows aggregate to the definition's counts; pupils without a value are counted out."""
    pupils = pl.DataFrame(
        {
            "fsm": [True, True, False, False, False],
            "level4_maths": [True, False, True, True, None],
            "a8": [40.0, 55.5, 61.0, None, 38.5],
        }
    )
    share = cyp.compute_from_pupils(
        catalogue.get("ks2_level4_maths_pct", year=2012), pupils, value="level4_maths", by=["fsm"]
    )
    assert share["fsm"].to_list() == [True, False]
    assert share["value"].to_list() == pytest.approx([50.0, 100.0])
    assert share["pupils_excluded"].to_list() == [0, 1]
    a8 = catalogue.get("attainment_8")
    means = cyp.compute_from_pupils(a8, pupils, value="a8")
    assert means["value"][0] == pytest.approx((40.0 + 55.5 + 61.0 + 38.5) / 4)
    assert means["pupils_excluded"][0] == 1
    p8 = catalogue.get("progress_8")
    with_sd = cyp.compute_from_pupils(
        p8, pupils.with_columns(pl.col("a8") / 100), value="a8", sd=1.2, confidence=[0.95]
    )
    assert with_sd["upper_95"][0] - with_sd["value"][0] == pytest.approx(z_value(0.95) * 1.2 / 2.0)


def test_compute_from_pupils_checks_value_types(catalogue: cyp.Catalogue) -> None:
    """A share needs true/false per pupil; a mean needs numbers."""
    pupils = pl.DataFrame({"x": [1.0, 2.0], "flag": [True, False]})
    with pytest.raises(cyp.DataError, match="true/false"):
        cyp.compute_from_pupils(catalogue.get("ks4_5ac_pct", year=2012), pupils, value="x")
    with pytest.raises(cyp.DataError, match="numeric"):
        cyp.compute_from_pupils(catalogue.get("attainment_8"), pupils, value="flag")
