"""Presentation behaviours that the mutation check (tools/mutation_check.py) found unpinned.

Expected values come from the DfE rules quoted, worked by hand, or from an independent
calculation written here (Wilson's interval from its formula, rounding with ``decimal``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

import polars as pl

import cyp_indicators as cyp


def _half_up(value: float, places: int) -> float:
    """Half away from zero, on the decimal text of the double (DfE's round_five_up)."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def _wilson(x: float, n: float, level: float) -> tuple[float, float]:
    """Wilson's score interval (Wilson 1927), as a proportion of 1."""
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


def test_a_small_negative_value_rounds_to_zero_not_minus_zero() -> None:
    """-0.04 to one decimal place is 0.0: DfE's figures never show "-0.0" (R prints a negative
    zero as 0, and a table reader would read "-0.0" as a fall)."""
    got = pl.select(cyp.round_half_away_expr(pl.lit(-0.04), 1)).item()
    assert got == 0.0
    assert math.copysign(1.0, got) == 1.0
    assert f"{got:.1f}" == "0.0"
    assert pl.select(cyp.round_half_away_expr(pl.lit(-0.05), 1)).item() == -0.1


def test_the_numerator_beside_a_withheld_cohort_is_withheld(catalogue: cyp.Catalogue) -> None:
    """KS2 level 4 in maths withholds a cohort of 1 to 5 pupils (its rule is on the
    denominator). 0 of 4 pupils: the value is withheld, and so is the 0 beside it (with the
    cohort withheld, a 0 would still say "none of them": the principle of secondary suppression,
    a figure from which a withheld one can be worked out is withheld too). 20 of 25 is shown."""
    d = catalogue.get("ks2_level4_maths_pct", year=2011)
    frame = pl.DataFrame({"pupils_level4_maths": [0, 20], "pupils_eligible": [4, 25]})
    out = cyp.present(cyp.compute(d, frame), d)
    assert out["display"].to_list() == ["c", "80"]
    assert out["numerator"].to_list() == [None, 20.0]
    assert out["pupils_level4_maths"].to_list() == [None, 20]
    assert out["denominator"].to_list() == [None, 25.0]


def test_withheld_rows_withhold_the_callers_columns_and_interval(catalogue: cyp.Catalogue) -> None:
    """Second or subsequent plans: 3 of 200 is withheld (a count of 1 to 5), with its method,
    both intervals and the caller's further count named in ``withhold``; 60 of 200 is 30.0 %,
    its 95 % and 99.8 % limits rounded half away from zero to one decimal place as the value."""
    d = catalogue.get("cpp_second_or_subsequent_pct")
    frame = pl.DataFrame({"n": [3, 60], "d": [200, 200], "children": [350, 350]})
    result = cyp.compute(d, frame, numerator="n", denominator="d", confidence=[0.95, 0.998])
    out = cyp.present(result, d, numerator="n", denominator="d", withhold=["children"])

    assert out["display"].to_list() == ["c", "30.0"]
    assert out["children"].to_list() == [None, 350]
    assert out["method"].to_list() == [None, "wilson"]
    for level, label in ((0.95, "95"), (0.998, "99_8")):
        lower, upper = _wilson(60, 200, level)
        assert out[f"lower_{label}"].to_list() == [None, _half_up(lower * 100, 1)]
        assert out[f"upper_{label}"].to_list() == [None, _half_up(upper * 100, 1)]


def test_a_value_missing_without_a_symbol_displays_x(catalogue: cyp.Catalogue) -> None:
    """A result row with no value and no reason shows "x", the GSS symbol for "unavailable"
    (never a blank a reader could take for zero)."""
    d = catalogue.get("cpp_second_or_subsequent_pct")
    result = pl.DataFrame(
        {"numerator": [None], "denominator": [None], "value": [None], "reason": [None]},
        schema={
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "value": pl.Float64,
            "reason": pl.String,
        },
    )
    assert cyp.present(result, d)["display"].to_list() == ["x"]
