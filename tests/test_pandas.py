"""pandas in, pandas out: each frame function returns pandas for pandas, with the polars path's
values; bad pandas input raises the errors polars input raises, naming the column."""

from __future__ import annotations

import math

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cyp_indicators as cyp
from cyp_indicators.pandas_frames import ATTRS_KEY

CAT = cyp.load_catalogue()


def _counts() -> dict[str, list[object]]:
    return {
        "area_code": ["E06000031", "E10000015", "E09000001", "E08000025"],
        "numerator": [416, 3, 0, 1020],
        "denominator": [57621, 1000, 1800, 150000],
    }


def _same(pandas_out: pd.DataFrame, polars_out: pl.DataFrame) -> None:
    """Same columns in the same order, and the same values (nulls as NaN/None)."""
    assert isinstance(pandas_out, pd.DataFrame)
    assert list(pandas_out.columns) == polars_out.columns
    for name in polars_out.columns:
        mine = pandas_out[name].tolist()
        theirs = polars_out[name].to_list()
        for a, b in zip(mine, theirs, strict=True):
            if b is None:
                assert a is None or (isinstance(a, float) and math.isnan(a)), name
            elif isinstance(b, float):
                assert a == b, name  # to the bit: one engine
            elif isinstance(b, list):
                assert list(a) == b, name  # a list column comes back as an array
            else:
                assert a == b, name


def test_rate_on_pandas_returns_pandas_with_the_polars_values() -> None:
    data = _counts()
    out = cyp.rate(pd.DataFrame(data), "numerator", "denominator", multiplier=10_000)
    _same(out, cyp.rate(pl.DataFrame(data), "numerator", "denominator", multiplier=10_000))


def test_proportion_on_pandas_returns_pandas_with_the_polars_values() -> None:
    data = {"n": [761, 0, 5], "d": [3850, 10, 5]}
    out = cyp.proportion(pd.DataFrame(data), "n", "d", confidence=95)
    _same(out, cyp.proportion(pl.DataFrame(data), "n", "d", confidence=0.95))


def test_count_and_mean_on_pandas() -> None:
    data = {"n": [4, 7], "d": [2, 0]}
    _same(cyp.count(pd.DataFrame(data), "n"), cyp.count(pl.DataFrame(data), "n"))
    _same(cyp.mean(pd.DataFrame(data), "n", "d"), cyp.mean(pl.DataFrame(data), "n", "d"))


def test_compute_on_pandas_carries_the_definition_in_attrs() -> None:
    d = CAT.get("cla_rate_per_10k")
    data = {"cla_at_31_march": [416, 3], "population_0_17": [57621, 1000]}
    out = cyp.compute(d, pd.DataFrame(data))
    _same(out, cyp.compute(d, pl.DataFrame(data)))
    assert out.attrs[ATTRS_KEY].definitions == (d,)
    keyword = cyp.compute(definition=d, frame=pd.DataFrame(data))
    assert isinstance(keyword, pd.DataFrame)


def test_a_named_index_goes_in_as_a_column_and_comes_back_as_the_index() -> None:
    """PHStatsMethods users often keep the area code as the index."""
    data = _counts()
    frame = pd.DataFrame(data).set_index("area_code")
    out = cyp.rate(frame, "numerator", "denominator", multiplier=10_000)
    assert out.index.name == "area_code"
    assert out.index.tolist() == data["area_code"]
    expected = cyp.rate(pl.DataFrame(data), "numerator", "denominator", multiplier=10_000)
    assert out["value"].tolist() == expected["value"].to_list()


def test_nan_is_missing_and_says_why() -> None:
    """pandas writes a missing count as NaN: it is a missing numerator, not a number."""
    out = cyp.rate(
        pd.DataFrame({"n": [float("nan"), 4.0], "d": [100.0, 100.0]}), "n", "d", multiplier=100
    )
    assert math.isnan(out["value"][0])
    assert (
        out["reason"][0]
        == cyp.rate(
            pl.DataFrame({"n": [None, 4.0], "d": [100.0, 100.0]}), "n", "d", multiplier=100
        )["reason"][0]
    )


def test_mixed_object_column_with_dfe_symbols_is_read_as_polars_text_is() -> None:
    """A spreadsheet column of numbers and 'c': the symbol is a typed value, as for text."""
    out = cyp.rate(pd.DataFrame({"n": [3, "c", 5.0], "d": [100, 200, 300]}), "n", "d")
    text = cyp.rate(pl.DataFrame({"n": ["3", "c", "5.0"], "d": [100, 200, 300]}), "n", "d")
    assert out["value"].tolist()[0] == text["value"][0]
    assert out["reason"].tolist()[1] == text["reason"][1]


def test_mixed_object_column_with_junk_raises_the_polars_error_naming_the_column() -> None:
    with pytest.raises(cyp.InvalidValueError) as from_pandas:
        cyp.rate(pd.DataFrame({"n": [3, "x7", 5.5], "d": [100, 200, 300]}), "n", "d")
    with pytest.raises(cyp.InvalidValueError) as from_polars:
        cyp.rate(pl.DataFrame({"n": ["3", "x7", "5.5"], "d": [100, 200, 300]}), "n", "d")
    assert str(from_pandas.value) == str(from_polars.value)
    assert "'n'" in str(from_pandas.value)


def test_missing_column_in_pandas_is_the_polars_error() -> None:
    with pytest.raises(cyp.MissingColumnError, match="'numerators'"):
        cyp.rate(pd.DataFrame(_counts()), "numerators", "denominator")


def test_column_names_that_are_not_text_are_named() -> None:
    with pytest.raises(cyp.DataError, match="must be text"):
        cyp.rate(pd.DataFrame([[1, 2]]), "0", "1")


def test_repeated_column_names_are_named() -> None:
    frame = pd.DataFrame([[1, 2, 3]], columns=["n", "d", "n"])
    with pytest.raises(cyp.DataError, match=r"\['n'\]"):
        cyp.rate(frame, "n", "d")


def test_an_index_name_that_is_also_a_column_is_refused() -> None:
    frame = pd.DataFrame({"n": [1], "d": [2]}, index=pd.Index(["x"], name="n"))
    with pytest.raises(cyp.DataError, match="index name"):
        cyp.rate(frame, "n", "d")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.none(),
                st.floats(allow_nan=True, allow_infinity=True, width=64),
                st.integers(0, 10**6),
            ),
            st.integers(0, 10**6),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_pandas_and_polars_agree_or_fail_alike_on_any_counts(
    rows: list[tuple[float | int | None, int]],
) -> None:
    """Including NaN and infinity: the same values, or the same error, either way in."""
    numerators = [r[0] for r in rows]
    denominators = [r[1] for r in rows]
    as_float = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                for v in numerators]  # fmt: skip
    pandas_in = pd.DataFrame({"n": pd.Series(numerators, dtype="float64"), "d": denominators})
    polars_in = pl.DataFrame(
        {"n": as_float, "d": denominators}, schema={"n": pl.Float64, "d": pl.Int64}
    )
    expected: pl.DataFrame | None = None
    error: cyp.CypIndicatorsError | None = None
    try:
        expected = cyp.rate(polars_in, "n", "d", multiplier=1000)
    except cyp.CypIndicatorsError as exc:
        error = exc
    if error is not None:
        with pytest.raises(type(error)) as raised:
            cyp.rate(pandas_in, "n", "d", multiplier=1000)
        assert str(raised.value) == str(error)
        return
    assert expected is not None
    _same(cyp.rate(pandas_in, "n", "d", multiplier=1000), expected)


def test_present_on_a_pandas_result_knows_its_definition_and_matches_polars() -> None:
    """compute's provenance travels in DataFrame.attrs, so present needs no definition."""
    d = CAT.get("cla_rate_per_10k")
    data = {"cla_at_31_march": [416, 3, 0], "population_0_17": [57621, 1000, 900]}
    shown = cyp.present(cyp.compute(d, pd.DataFrame(data)))
    _same(shown, cyp.present(cyp.compute(d, pl.DataFrame(data))))
    with pytest.raises(cyp.DataError, match="presented already"):
        cyp.present(shown)


def test_comparisons_on_pandas_match_polars() -> None:
    d = CAT.get("cla_rate_per_10k")
    published = pl.DataFrame(cyp.published(d).filter(pl.col("time_period") == 2025))
    from_pandas = cyp.comparisons(published.to_pandas(), d)
    _same(from_pandas, pl.DataFrame(cyp.comparisons(published, d)))


def test_aggregate_neighbours_on_pandas_match_polars() -> None:
    sn = cyp.neighbour_set()
    rates = {
        "la_code": ["874", "831", "894", "887"],
        "year": [2025] * 4,
        "value": [72.0, 80.0, 60.0, 55.0],
    }
    _same(
        cyp.aggregate_neighbours(pd.DataFrame(rates), sn),
        cyp.aggregate_neighbours(pl.DataFrame(rates), sn),
    )
