"""Statistics-core behaviours that the mutation check (tools/mutation_check.py) found unpinned.

Expected values come from DfE's guidance quoted in the test, a scenario worked by hand, or
Wilson's formula written out here.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import polars as pl
import pytest

import cyp_indicators as cyp


def _wilson(x: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval (Wilson 1927), as a proportion of 1."""
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z))


# --- proportions of 100 % -------------------------------------------------------------------------


def test_flows_at_exactly_100_percent_keep_their_interval() -> None:
    """With ``flows=True`` only a numerator *above* its denominator has no interval: 40 ICPCs
    after 40 section 47 enquiries is 100 %, with Wilson's interval (upper limit exactly 100)."""
    frame = pl.DataFrame({"icpc": [40, 45], "s47": [40, 40]})
    out = cyp.proportion(frame, "icpc", "s47", flows=True)
    lower, _ = _wilson(40, 40)
    assert out["value"].to_list() == [100.0, 112.5]
    assert out["method"].to_list() == ["wilson", None]
    assert out["lower_95"][0] == pytest.approx(lower * 100, rel=1e-12)
    assert out["upper_95"].to_list() == [100.0, None]


def test_a_group_at_exactly_100_percent_is_a_value() -> None:
    """Summed within groups, 3 of 3 and 2 of 2 is 5 of 5: 100 %, not "exceeds the denominator"."""
    frame = pl.DataFrame({"la": ["a", "a", "b"], "n": [3, 2, 1], "d": [3, 2, 4]})
    out = cyp.proportion(frame, "n", "d", by=["la"]).sort("la")
    assert out["value"].to_list() == [100.0, 25.0]
    assert out["reason"].to_list() == [None, None]
    assert out["upper_95"][0] == 100.0


# --- GSS symbols: DfE's table of data symbols ------------------------------------------------------
# Explore Education Statistics' glossary table of data symbols (dfe-analytical-services/
# explore-education-statistics, DataSymbolsTable; columns Symbols, Usage, Example, Obsolete
# equivalents): "x | When data is unavailable for other reasons | ... | :" and
# "low | Rounds to 0, but is not 0 | ... Only use 0 for true 0's | ~".
# LAIT's own files write "-" where a figure is absent (682 rows of
# tests/reference/lait/lait_bds_csc_items_long.csv, e.g. an authority before it existed): no
# figure, so unavailable, never zero and never "not applicable".


@pytest.mark.parametrize(
    ("token", "symbol"),
    [("~", cyp.Symbol.LOW), (":", cyp.Symbol.UNAVAILABLE), ("-", cyp.Symbol.UNAVAILABLE)],
)
def test_legacy_tokens_read_as_dfe_says(token: str, symbol: cyp.Symbol) -> None:
    assert cyp.parse_symbol(token) is symbol
    d = cyp.load_catalogue().get("cla_rate_per_10k")
    frame = pl.DataFrame({"n": [token], "pop": ["1000"]})
    out = cyp.present(cyp.compute(d, frame, numerator="n", denominator="pop"), d)
    assert out["display"].to_list() == [symbol.value]


def test_a_low_figure_displays_low() -> None:
    """An input of "low" is no number: the value is withheld and shows "low", not "x"."""
    d = cyp.load_catalogue().get("cla_rate_per_10k")
    frame = pl.DataFrame({"n": ["low", "[low]"], "pop": ["1000", "1000"]})
    out = cyp.present(cyp.compute(d, frame, numerator="n", denominator="pop"), d)
    assert out["value"].to_list() == [None, None]
    assert out["display"].to_list() == ["low", "low"]


def test_an_empty_cell_is_missing_not_unreadable() -> None:
    """A CSV's empty cell holds no number: the row's value is missing ("x"), not an error."""
    frame = pl.DataFrame({"n": ["", "5"], "d": ["10", "10"]})
    out = cyp.proportion(frame, "n", "d")
    assert out["value"].to_list() == [None, 50.0]
    assert out["reason"][0] == "x: numerator is missing"


@pytest.mark.parametrize("text", ["1234,567", "12,34", "1,2345"])
def test_badly_grouped_thousands_are_refused(text: str) -> None:
    """Thousands separators group digits in threes after a first group of one to three
    ("1,234,567"); anything else is not a number a table would print."""
    frame = pl.DataFrame({"n": [text], "d": ["10000000"]})
    with pytest.raises(cyp.InvalidValueError, match="neither a number nor a GSS symbol"):
        cyp.proportion(frame, "n", "d")
    assert cyp.proportion(pl.DataFrame({"n": ["1,234"], "d": ["10,000"]}), "n", "d")[
        "value"
    ].to_list() == [12.34]


# --- a gap between two published shares ------------------------------------------------------------
# LAIT's free school meals gap in level 2 by 19 (L2Age19Gap, former NI 82) is the share of young
# people not eligible for free school meals minus the share of those eligible (LAIT's dictionary:
# "Inequality gap in the achievement of a Level 2 qualification by the age of 19"); DfE works it
# from unrounded shares, so it agrees with the two published two-decimal shares within 0.01.


def test_the_free_school_meals_gap_is_lait_s_published_gap(catalogue: cyp.Catalogue) -> None:
    from cyp_indicators.sources.manifest import bundled_source

    lait = pl.read_parquet(bundled_source("lait").path).filter(
        pl.col("Values").str.contains(r"^-?[0-9]+(\.[0-9]+)?$") & (pl.col("LA Number") < 970)
    )
    series = {"Level2Age19_NON_FSM": "non_fsm", "Level2_FMS_Attain": "fsm", "L2Age19Gap": "gap"}
    wide = (
        lait.filter(pl.col("Short Desc").is_in(list(series)))
        .with_columns(
            pl.col("Short Desc").replace_strict(series), pl.col("Values").cast(pl.Float64)
        )
        .pivot(on="Short Desc", index=["LA Number", "Years"], values="Values")
        .drop_nulls(["non_fsm", "fsm", "gap"])
        .filter(pl.col("Years").str.slice(0, 4).cast(pl.Int32) >= 2015)
    )
    assert wide.height > 1000
    d = catalogue.get("level_2_by_19_fsm_gap")
    out = cyp.compute(d, wide, numerator="non_fsm", denominator="fsm")
    assert ((out["value"] - out["gap"]).abs() <= 0.01 + 1e-9).all()
    # and one row worked by hand: 84.40 % not eligible, 61.19 % eligible, a gap of 23.21 points
    one = pl.DataFrame({"non_fsm": [84.4], "fsm": [61.19]})
    assert cyp.compute(d, one, numerator="non_fsm", denominator="fsm")[
        "value"
    ].item() == pytest.approx(23.21)
