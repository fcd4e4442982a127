"""Reforms in the year chain, typed series breaks, and gaps between two groups."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp


def test_a_new_major_version_is_a_break_in_the_series(catalogue: cyp.Catalogue) -> None:
    """Care leavers NEET: DfE changed the cohort in 2014 (version 2): a break in 2014, not
    within 2015 to 2020."""
    (b,) = catalogue.breaks("care_leavers_neet_pct")
    assert isinstance(b, cyp.SeriesBreak)
    assert (b.year, b.kind) == (2014, "new_version")
    assert (b.before, b.after) == ("care_leavers_neet_pct@1.0.0", "care_leavers_neet_pct@2.0.0")
    assert catalogue.breaks("care_leavers_neet_pct", years=range(2015, 2021)) == []
    assert len(catalogue.breaks("care_leavers_neet_pct", years=range(2012, 2016))) == 1


def _pack_folder(tmp_path: Path, replaced: str) -> Path:
    folder = tmp_path / "defs"
    (folder / "packs").mkdir(parents=True)
    (folder / "packs" / "2016.toml").write_text(f"year = 2016\n{replaced}", encoding="utf-8")
    return folder


def test_a_reform_links_the_old_measure_to_the_new(tmp_path: Path) -> None:
    folder = _pack_folder(
        tmp_path,
        '[[replaced]]\nid = "ks2_level4_maths_pct"\nby = ["progress_8"]\n'
        'note = "levels ended with the 2015 tests"\n',
    )
    cat = cyp.load_catalogue(folder)
    # the bundled 2016 pack records Progress 8 replacing KS2-KS4 expected progress too
    (r,) = [r for r in cat.replaced("progress_8") if r.id == "ks2_level4_maths_pct"]
    assert (r.year, r.id, r.by) == (2016, "ks2_level4_maths_pct", ("progress_8",))
    chain = [d.id for d in cat.history("progress_8", across_reforms=True)]
    assert chain.index("ks2_level4_maths_pct") < chain.index("progress_8")
    assert chain[-1] == "progress_8"
    assert [d.id for d in cat.history("progress_8")] == ["progress_8"]  # unchanged by default
    (b,) = [
        b
        for b in cat.breaks("progress_8")
        if b.kind == "replaced" and b.before.startswith("ks2_level4_maths_pct@")
    ]
    assert b.year == 2016


def test_a_reform_naming_an_unknown_id_is_refused(tmp_path: Path) -> None:
    folder = _pack_folder(
        tmp_path,
        '[[replaced]]\nid = "ks2_level4_math_pct"\nby = ["progress_8"]\nnote = "levels ended"\n',
    )
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(folder)
    (issue,) = info.value.issues
    assert issue.path == "$.replaced[0].id"
    assert "ks2_level4_maths_pct" in issue.message  # a close match


def test_a_gap_between_two_groups_is_the_first_minus_the_second(catalogue: cyp.Catalogue) -> None:
    """DfE's FSM gap at 19 is the non-FSM share minus the FSM share, in percentage points:
    Cumbria 2024 level 2 by 19, 84.4 - 61.19 = 23.21 (LAIT L2Age19Gap gives 23.22 from
    unrounded shares)."""
    import attrs

    base = catalogue.get("re_referral_within_12_months_pct")
    gap = attrs.evolve(
        base,
        family="difference",
        unit="percentage_point",
        multiplier=1.0,
        ci_method="none",
        confidence_levels=(),
        polarity="low_is_good",
    )
    frame = pl.DataFrame({"non_fsm": [84.4, 80.0], "fsm": ["61.19", "c"]})
    out = cyp.compute(gap, frame, numerator="non_fsm", denominator="fsm")
    assert out["value"][0] == pytest.approx(23.21)
    assert out["reason"].to_list() == [None, "c: the second figure is 'c'"]
    with pytest.raises(cyp.InvalidValueError, match="finite"):
        cyp.compute(gap, pl.DataFrame({"non_fsm": [float("inf")], "fsm": [1.0]}),
                    numerator="non_fsm", denominator="fsm")  # fmt: skip
