"""Presentation: rounding half away from zero, disclosure control, symbols on display."""

from __future__ import annotations

import polars as pl

import cyp_indicators as cyp


def test_rounding_is_half_away_from_zero_not_polars_default(catalogue: cyp.Catalogue) -> None:
    """A rate of exactly 12.5 per 10,000 presents as 13 (polars' default would give 12)."""
    d = catalogue.get("cla_rate_per_10k")
    frame = pl.DataFrame({"n": [25, 35], "pop": [20_000, 20_000]})  # 12.5 and 17.5

    out = cyp.present(cyp.compute(d, frame, numerator="n", denominator="pop"), d)

    assert out["value"].to_list() == [13.0, 18.0]
    assert out["display"].to_list() == ["13", "18"]
    assert pl.Series([12.5, 17.5]).round(0).to_list() == [12.0, 18.0]  # what we avoid


def test_one_decimal_place_keeps_trailing_zero(catalogue: cyp.Catalogue) -> None:
    """A CIN rate of 450.0 shows as "450.0"."""
    d = catalogue.get("cin_rate_per_10k")
    frame = pl.DataFrame({"n": [450], "pop": [10_000]})

    out = cyp.present(cyp.compute(d, frame, numerator="n", denominator="pop"), d)

    assert out["display"][0] == "450.0"


def test_disclosure_control_withholds_small_counts(catalogue: cyp.Catalogue) -> None:
    """Counts of 1 to 5 are shown as c, with their value and interval withheld; 0 is shown."""
    d = catalogue.get("cla_rate_per_10k")
    frame = pl.DataFrame({"n": [0, 3, 5, 6], "pop": [10_000] * 4})

    out = cyp.present(cyp.compute(d, frame, numerator="n", denominator="pop"), d)

    assert out["display"].to_list() == ["0", "c", "c", "6"]
    assert out["numerator"].to_list() == [0.0, None, None, 6.0]
    assert out["lower_95"][1] is None
    assert out["reason"][1] == "c: count between 1 and 5 withheld (disclosure control)"


def test_symbols_from_inputs_are_displayed(catalogue: cyp.Catalogue) -> None:
    """A suppressed input displays its symbol; a zero denominator displays z."""
    d = catalogue.get("cla_rate_per_10k")
    frame = pl.DataFrame({"n": ["c", "x", "10"], "pop": ["100", "100", "0"]})

    out = cyp.present(cyp.compute(d, frame, numerator="n", denominator="pop"), d)

    assert out["display"].to_list() == ["c", "x", "z"]
