"""A wide frame (many columns besides the counts) gives the same figures as the counts alone, keeps
every caller column as given and in order, and a column name that looks like a pattern is a name."""

from __future__ import annotations

import math

import polars as pl
import polars.selectors as cs
import pytest

import cyp_indicators as cyp


def _wide() -> pl.DataFrame:
    extra = {f"other_{i}": [i, i + 1, i + 2] for i in range(300)}
    return pl.DataFrame(
        {"^la.*$": ["874", "875", "876"], "cla": [416, 7, 0], **extra, "pop": [57_621, 9_000, 0]}
    )


def test_a_rate_on_a_wide_frame_keeps_every_column_in_order() -> None:
    wide = _wide()
    out = cyp.rate(wide, "cla", "pop", multiplier=10_000, confidence=0.95)
    assert out.columns[: wide.width] == wide.columns
    assert out.select(cs.by_name(wide.columns)).equals(wide)  # by name: '^la.*$' is no pattern
    # 416 / 57,621 x 10,000 and 7 / 9,000 x 10,000, worked by hand; a zero denominator has none
    assert out["value"][0] == pytest.approx(416 / 57_621 * 10_000, rel=1e-12)
    assert out["value"][1] == pytest.approx(7 / 9_000 * 10_000, rel=1e-12)
    assert out["value"][2] is None
    assert out["reason"][2] == "z: denominator is zero"


@pytest.mark.parametrize("kind", ["rate", "proportion", "count"])
def test_a_wide_frame_gives_the_figures_of_its_counts_alone(kind: str) -> None:
    wide = _wide()
    narrow = wide.select("cla", "pop")
    if kind == "rate":
        ours = cyp.rate(wide, "cla", "pop", multiplier=1000)
        alone = cyp.rate(narrow, "cla", "pop", multiplier=1000)
    elif kind == "proportion":
        ours = cyp.proportion(wide, "cla", "pop")
        alone = cyp.proportion(narrow, "cla", "pop")
    else:
        ours = cyp.count(wide, "cla")
        alone = cyp.count(narrow, "cla")
    assert ours.select(alone.columns).equals(alone)


def test_a_lazy_wide_frame_keeps_its_columns_too() -> None:
    wide = _wide()
    out = cyp.proportion(wide.lazy(), "cla", "pop").collect()
    assert out.columns[: wide.width] == wide.columns
    assert math.isclose(out["value"][0], 416 / 57_621 * 100, rel_tol=1e-12)
