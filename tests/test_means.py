"""Means from aggregated inputs: value, normal interval, symbols, and refusals."""

from __future__ import annotations

import math

import polars as pl
import pytest

from cyp_indicators.stats.intervals import z_value
from cyp_indicators.stats.measures import mean


def test_mean_and_normal_interval() -> None:
    """total / pupils, with mean -/+ z sd / sqrt(pupils) at each level; negative totals allowed."""
    frame = pl.DataFrame(
        {"school": ["a", "b"], "total": [-12.4, 30.0], "pupils": [100, 150], "sd": [1.2, 1.2]}
    )

    out = mean(frame, "total", "pupils", sd="sd", confidence=[0.95, 0.998])

    assert out["value"].to_list() == pytest.approx([-0.124, 0.2])
    half = z_value(0.95) * 1.2 / math.sqrt(100)
    assert out["lower_95"][0] == pytest.approx(-0.124 - half)
    assert out["upper_95"][0] == pytest.approx(-0.124 + half)
    assert out["upper_99_8"][1] - out["lower_99_8"][1] == pytest.approx(
        2 * z_value(0.998) * 1.2 / math.sqrt(150)
    )
    assert set(out["method"]) == {"normal"}


def test_mean_without_sd_has_no_interval() -> None:
    """Without a standard deviation there is no interval, and the columns say so by their absence."""
    out = mean(pl.DataFrame({"total": [46.0], "pupils": [1]}), "total", "pupils")
    assert "lower_95" not in out.columns
    assert out["value"][0] == 46.0
    assert out["method"][0] is None


def test_mean_of_suppressed_total_is_a_reasoned_null() -> None:
    """A symbol in the total gives a null mean with the symbol's reason."""
    out = mean(pl.DataFrame({"total": ["c"], "pupils": ["4"]}), "total", "pupils")
    assert out["value"][0] is None
    assert out["reason"][0].startswith("c:")


def test_mean_refuses_fractional_pupils_and_negative_sd() -> None:
    """Pupils must be whole and the standard deviation not negative."""
    with pytest.raises(ValueError, match="whole number"):
        mean(pl.DataFrame({"total": [1.0], "pupils": [2.5]}), "total", "pupils")
    with pytest.raises(ValueError, match="standard deviation must not be negative"):
        mean(
            pl.DataFrame({"total": [1.0], "pupils": [2], "sd": [-1.0]}), "total", "pupils", sd="sd"
        )


def test_grouped_mean_sums_totals_and_refuses_an_interval() -> None:
    """Groups pool totals and pupils; an interval would need pupil-level spread, so it is refused."""
    frame = pl.DataFrame(
        {"la": ["a", "a"], "total": [10.0, 20.0], "pupils": [2, 3], "sd": [1.0, 1.0]}
    )
    assert mean(frame, "total", "pupils", by=["la"])["value"][0] == pytest.approx(6.0)
    with pytest.raises(ValueError, match="pupil-level data"):
        mean(frame, "total", "pupils", sd="sd", by=["la"])


def test_mean_without_a_standard_deviation_has_no_method() -> None:
    """A row whose SD is missing has a mean but no interval, so no method either."""
    frame = pl.DataFrame({"total": [10.0, 10.0], "pupils": [4, 4], "sd": [1.0, None]})

    out = mean(frame, "total", "pupils", sd="sd")

    assert out["value"].to_list() == [2.5, 2.5]
    assert out["method"].to_list() == ["normal", None]
    assert out["lower_95"][1] is None
