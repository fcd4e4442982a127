"""Presentation: rounding half away from zero, disclosure control, symbols on display."""

from __future__ import annotations

import polars as pl
import pytest

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


def test_disclosure_withholds_every_column_that_gives_the_count_away(
    catalogue: cyp.Catalogue,
) -> None:
    """The caller's own count columns are withheld with the value, not left beside the "c"."""
    d = catalogue.get("cla_rate_per_10k")
    frame = pl.DataFrame({"la": ["874", "875"], "cla": [3, 60], "pop": [57_621, 40_000]})

    out = cyp.present(cyp.compute(d, frame, numerator="cla", denominator="pop"), d, numerator="cla")

    assert out["display"].to_list() == ["c", "15"]
    assert out["cla"].to_list() == [None, 60]
    assert out["numerator"].to_list() == [None, 60.0]
    assert out["pop"].to_list() == [57_621, 40_000]  # a population gives no count away
    assert out["la"].to_list() == ["874", "875"]


def test_small_cohort_withholds_the_numerator_too(catalogue: cyp.Catalogue) -> None:
    """A rule on the denominator (a cohort of 1 to 5) withholds the numerator: 5 of 5 is 100 %."""
    d = catalogue.get("ks2_level4_maths_pct", year=2011)
    assert d.disclosure.applies_to == ("denominator",)
    frame = pl.DataFrame({"pupils_level4_maths": [5, 20], "pupils_eligible": [5, 25]})

    out = cyp.present(cyp.compute(d, frame), d)

    assert out["display"][0] == "c"
    for column in ("numerator", "denominator", "pupils_level4_maths", "pupils_eligible"):
        assert out[column][0] is None, column
        assert out[column][1] is not None, column


def test_only_interval_bounds_are_rounded(catalogue: cyp.Catalogue) -> None:
    """Caller columns that merely start with lower_/upper_ are left as they are."""
    d = catalogue.get("cla_rate_per_10k")
    frame = pl.DataFrame(
        {"n": [25, 3], "pop": [20_000, 20_000], "lower_age": [12.5, 12.5], "upper_tier": ["a", "b"]}
    )

    out = cyp.present(cyp.compute(d, frame, numerator="n", denominator="pop"), d)

    assert out["lower_age"].to_list() == [12.5, 12.5]
    assert out["upper_tier"].to_list() == ["a", "b"]
    assert out["lower_95"][0] is not None
    assert float(out["lower_95"][0]).is_integer()  # cla_rate_per_10k shows no decimals


def test_withhold_names_a_missing_column(catalogue: cyp.Catalogue) -> None:
    d = catalogue.get("cla_rate_per_10k")
    result = cyp.compute(
        d, pl.DataFrame({"n": [3], "pop": [100]}), numerator="n", denominator="pop"
    )
    with pytest.raises(cyp.DataError, match="'cla'"):
        cyp.present(result, d, withhold=["cla"])


def test_counts_are_withheld_as_dfe_withholds_them(catalogue: cyp.Catalogue) -> None:
    """DfE's d3 table: 0 repeat plans of a cohort of 1 to 5 shows 0 % beside a withheld cohort
    (Isles of Scilly 2025: c, 0, 0); 3 of 200 withholds the 3 and the percentage, shows the 200;
    4 of 5 withholds all three."""
    d = catalogue.get("cpp_second_or_subsequent_pct")
    frame = pl.DataFrame({"n": [0, 3, 4, 60], "d": ["3", "200", "5", "200"]})  # d as from a CSV

    result = cyp.compute(d, frame, numerator="n", denominator="d")
    out = cyp.present(result, d, numerator="n", denominator="d")

    assert out["display"].to_list() == ["0.0", "c", "c", "30.0"]
    assert out["numerator"].to_list() == [0.0, None, None, 60.0]
    assert out["denominator"].to_list() == [None, 200.0, None, 200.0]
    assert out["n"].to_list() == [0, None, None, 60]
    assert out["d"].to_list() == [None, "200", None, "200"]


def test_attainment_percentages_round_the_double_as_stored(catalogue: cyp.Catalogue) -> None:
    """DfE's KS2 table publishes 23/40 (57.49999999999999 as a double) as 57, not 58: a
    definition may name that rule (``rounding = "half_away_from_zero_no_tolerance"``); the
    default keeps dfeR's nudge (1.005 shows as 1.01)."""
    import attrs

    d = catalogue.get("re_referral_within_12_months_pct")
    whole = attrs.evolve(d, presentation=attrs.evolve(d.presentation, decimal_places=0))
    exact = attrs.evolve(
        whole,
        presentation=attrs.evolve(whole.presentation, rounding="half_away_from_zero_no_tolerance"),
    )
    frame = pl.DataFrame({"re_referrals": [23], "referrals": [40]})
    assert cyp.present(cyp.compute(exact, frame), exact)["display"].to_list() == ["57"]
    assert cyp.present(cyp.compute(whole, frame), whole)["display"].to_list() == ["58"]
    with pytest.raises(ValueError, match="rounding"):
        attrs.evolve(whole.presentation, rounding="banker")
