"""Bad input fails loudly and precisely: column, rows, file, field, or a typed reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

import cyp_indicators as cyp


@pytest.fixture
def definition(catalogue: cyp.Catalogue) -> cyp.IndicatorDefinition:
    """The CLA rate definition."""
    return catalogue.get("cla_rate_per_10k")


def test_missing_column_names_the_column_and_the_definition(
    definition: cyp.IndicatorDefinition,
) -> None:
    """A misnamed column is reported with its role, the definition and the columns present."""
    frame = pl.DataFrame({"la": ["874"], "cla": [416], "popn": [57621]})

    with pytest.raises(cyp.MissingColumnError) as info:
        cyp.compute(definition, frame, numerator="cla", denominator="pop")

    message = str(info.value)
    assert "denominator column 'pop' not found" in message
    assert "cla_rate_per_10k@1.0.0" in message
    assert "'popn'" in message
    assert isinstance(info.value, KeyError | ValueError)


def test_default_columns_come_from_the_definition(definition: cyp.IndicatorDefinition) -> None:
    """Without column names compute() reads the columns the definition expects."""
    frame = pl.DataFrame({"cla": [416], "pop": [57621]})

    with pytest.raises(cyp.MissingColumnError, match="numerator column 'cla_at_31_march'"):
        cyp.compute(definition, frame)


def test_counts_as_strings_with_symbols_give_typed_reasons() -> None:
    """Suppressed counts in text columns become null values with a reason, never numbers."""
    frame = pl.DataFrame(
        {
            "la": ["a", "b", "c", "d", "e"],
            "n": ["12", "c", "low", ":", "1,204"],
            "pop": ["1000", "1000", "1000", "1000", "9000"],
        }
    )

    out = cyp.rate(frame, "n", "pop")

    assert out["value"].to_list()[0] == pytest.approx(120.0)
    assert out["value"].to_list()[1:4] == [None, None, None]
    assert out["reason"].to_list()[1].startswith("c: numerator is 'c'")
    assert out["reason"].to_list()[2].startswith("low: numerator is 'low'")
    assert out["reason"].to_list()[3].startswith("x: numerator is 'x'")
    assert out["numerator"].to_list() == [12.0, None, None, None, 1204.0]
    assert out["n"].to_list() == frame["n"].to_list()  # the caller's column is untouched


@pytest.mark.parametrize("symbol", ["c", "x", "z", "low", "u"])
def test_bracketed_gss_symbols_are_read_like_bare_ones(symbol: str) -> None:
    """The GSS guidance's spreadsheet form "[c]" means what "c" means, in any case."""
    frame = pl.DataFrame(
        {"n": [f"[{symbol}]", f" [{symbol.upper()}] ", symbol], "pop": ["100"] * 3}
    )

    reasons = cyp.rate(frame, "n", "pop")["reason"].to_list()

    assert cyp.parse_symbol(f"[{symbol}]") is cyp.parse_symbol(symbol) is not None
    assert reasons[0] == reasons[1] == reasons[2]
    assert reasons[0].startswith(f"{symbol}: numerator is '{symbol}'")


def test_unreadable_text_names_the_rows() -> None:
    """Text that is neither a number nor a GSS symbol is an error naming rows and values."""
    frame = pl.DataFrame({"n": ["12", "twelve", "5", "n/a"], "pop": [100, 100, 100, 100]})

    with pytest.raises(cyp.InvalidValueError) as info:
        cyp.rate(frame, "n", "pop")

    assert info.value.rows == (1, 3)
    assert "'twelve'" in str(info.value)
    assert "column 'n'" in str(info.value)


def test_negative_counts_name_the_rows() -> None:
    """Negative counts are rejected with their row positions."""
    frame = pl.DataFrame({"n": [5, -1, 3, -7], "pop": [100, 100, 100, 100]})

    with pytest.raises(cyp.InvalidValueError, match="must not be negative") as info:
        cyp.rate(frame, "n", "pop")

    assert info.value.rows == (1, 3)


def test_negative_denominator_is_rejected() -> None:
    """A negative population is an error on the denominator column."""
    frame = pl.DataFrame({"n": [5], "pop": [-100]})

    with pytest.raises(
        cyp.InvalidValueError, match="column 'pop': denominator must not be negative"
    ):
        cyp.proportion(frame, "n", "pop")


def test_non_integer_counts_are_rejected_for_rates() -> None:
    """A Poisson rate needs whole-number counts; the rows are named."""
    frame = pl.DataFrame({"n": [5.0, 2.5, 7.0], "pop": [100, 100, 100]})

    with pytest.raises(cyp.InvalidValueError, match="whole number") as info:
        cyp.rate(frame, "n", "pop")

    assert info.value.rows == (1,)


def test_numerator_above_denominator_in_a_proportion_names_the_rows() -> None:
    """A proportion cannot exceed 100 %; a rate may (PHE's 250 per 220)."""
    frame = pl.DataFrame({"x": [5, 12, 3], "n": [10, 10, 10]})

    with pytest.raises(cyp.InvalidValueError, match="must not exceed the denominator") as info:
        cyp.proportion(frame, "x", "n")

    assert info.value.rows == (1,)
    assert cyp.rate(frame, "x", "n")["value"][1] == pytest.approx(12_000)


def test_flows_may_exceed_the_denominator_without_an_interval() -> None:
    """flows=True (a conversion of two same-year counts): 12 of 10 is 120 %, with no interval."""
    frame = pl.DataFrame({"x": [5, 12], "n": [10, 10]})

    out = cyp.proportion(frame, "x", "n", flows=True)

    assert out["value"].to_list() == [50.0, 120.0]
    assert out["lower_95"][1] is None
    assert out["method"].to_list() == ["wilson", None]
    assert out["reason"].to_list() == [None, None]


def test_zero_denominator_in_a_proportion_is_z_even_with_a_numerator() -> None:
    """3 out of 0 has no value: null with "z", as for a rate, not an error about exceeding."""
    frame = pl.DataFrame({"x": [3, 2], "n": [0, 4]})

    out = cyp.proportion(frame, "x", "n")

    assert out["value"].to_list() == [None, 50.0]
    assert out["reason"][0] == "z: denominator is zero"


@pytest.mark.parametrize("denominator", [0, None])
def test_zero_or_null_denominator_gives_null_with_reason(denominator: int | None) -> None:
    """No division error and no infinity: the value is null and the reason says why."""
    frame = pl.DataFrame({"x": [3], "n": [denominator]}, schema={"x": pl.Int64, "n": pl.Int64})

    for out in (
        cyp.rate(frame, "x", "n"),
        cyp.proportion(frame.with_columns(pl.col("x") * 0), "x", "n"),
    ):
        assert out["value"][0] is None
        assert out["lower_95"][0] is None
        expected = "z: denominator is zero" if denominator == 0 else "x: denominator is missing"
        assert out["reason"][0] == expected


def test_bom_in_csv_header_is_handled(tmp_path: pytest.TempPathFactory) -> None:
    """A UTF-8 byte-order mark before the first column name does not hide that column."""
    path = tmp_path / "counts.csv"  # type: ignore[operator]
    path.write_bytes("\ufeffla,cla,pop\n874,416,57621\n".encode())

    frame = cyp.read_table(path)

    assert frame.columns == ["la", "cla", "pop"]
    out = cyp.rate(frame, "cla", "pop")
    assert out["la"].to_list() == ["874"]


def test_xlsx_symbol_after_row_100_is_kept_not_emptied(tmp_path: Path) -> None:
    """A sheet of 150 LAs whose counts hold a "c" and a stray word below row 100: the "c" is read
    as a symbol and the word rejected, not both turned into missing values."""
    rows = 150
    counts: list[int | str] = [*range(rows - 2), "c", "abc"]
    path = tmp_path / "counts.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["la", "cla", "pop"])
        for i, count in enumerate(counts, start=1):
            sheet.write_string(i, 0, str(800 + i))
            sheet.write(i, 1, count)  # numbers as numbers, text as text
            sheet.write_number(i, 2, 10_000)

    frame = cyp.read_table(path)

    assert frame["cla"].dtype == pl.String
    assert frame["pop"].dtype.is_numeric()  # a column of numbers keeps its type
    with pytest.raises(cyp.InvalidValueError, match="'cla'") as info:
        cyp.rate(frame, "cla", "pop")
    assert info.value.rows == (rows - 1,)
    out = cyp.rate(frame.head(rows - 1), "cla", "pop")
    assert (
        out["reason"][-1] == "c: numerator is 'c' (confidential, suppressed to protect individuals)"
    )


def test_damaged_workbook_is_a_data_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "counts.xlsx"
    path.write_text("this is a CSV renamed to .xlsx\n874,416\n")
    with pytest.raises(cyp.DataError, match=r"counts\.xlsx.*could not be read"):
        cyp.read_table(path)


def test_duplicate_keys_are_an_error() -> None:
    """Where one row per key is expected, repeated keys are listed."""
    frame = pl.DataFrame(
        {
            "la": ["874", "874", "873"],
            "year": [2025, 2025, 2025],
            "n": [1, 2, 3],
            "pop": [10, 10, 10],
        }
    )

    with pytest.raises(cyp.DuplicateKeyError) as info:
        cyp.rate(frame, "n", "pop", keys=["la", "year"])

    assert info.value.duplicates == (("874", 2025),)
    assert "la='874', year=2025" in str(info.value)


def test_result_columns_already_present_are_an_error() -> None:
    """A frame that already has a `value` column is not silently overwritten."""
    frame = pl.DataFrame({"n": [1], "pop": [10], "value": [9.0]})

    with pytest.raises(cyp.DataError, match="'value'"):
        cyp.rate(frame, "n", "pop")


def test_confidence_given_as_a_percentage_means_that_percentage() -> None:
    """95 means 0.95 (PHEindicatormethods and PHStatsMethods accept it that way); 150, 100 and 1
    are clear errors, not silently odd intervals."""
    frame = pl.DataFrame({"n": [12], "pop": [1000]})
    assert_frame_equal(
        cyp.rate(frame, "n", "pop", confidence=[95, 99.8]),
        cyp.rate(frame, "n", "pop", confidence=[0.95, 0.998]),
    )
    for level in (150, 100, 1):
        with pytest.raises(ValueError, match="between 0 and 1"):
            cyp.rate(frame, "n", "pop", confidence=level)


def test_non_numeric_columns_are_rejected() -> None:
    """A date column given as a count is an error naming it."""
    frame = pl.DataFrame({"n": [True], "pop": [10]})

    with pytest.raises(cyp.DataError, match="numerator column 'n' must hold numbers"):
        cyp.rate(frame, "n", "pop")


def test_unknown_id_lists_close_matches(catalogue: cyp.Catalogue) -> None:
    """A misspelt id suggests the ids it may have meant."""
    with pytest.raises(cyp.UnknownDefinitionError) as info:
        catalogue.get("cla_rate_per_10000")

    assert "cla_rate_per_10k" in info.value.suggestions
    assert "did you mean" in str(info.value)


def test_unknown_version_lists_the_versions_held(catalogue: cyp.Catalogue) -> None:
    """A pin that matches no version lists those there are."""
    with pytest.raises(cyp.UnknownDefinitionError) as info:
        catalogue.get("cla_rate_per_10k", version="7")

    assert "1.0.0" in info.value.suggestions


def test_unknown_year_says_which_years_are_valid(catalogue: cyp.Catalogue) -> None:
    """A collection year before the definition existed is an error with the valid years."""
    with pytest.raises(cyp.UnknownDefinitionError, match="not in force in collection year 1995"):
        catalogue.get("cla_rate_per_10k", year=1995)


def test_checks_follow_the_dtype() -> None:
    """Unsigned counts skip the sign check; float counts are still checked for fractions and
    infinities, lazily as eagerly."""
    unsigned = pl.DataFrame(
        {"n": [5, 0], "pop": [100, 0]}, schema={"n": pl.UInt32, "pop": pl.UInt64}
    )
    assert cyp.rate(unsigned, "n", "pop")["reason"].to_list() == [None, "z: denominator is zero"]

    floats = pl.LazyFrame({"n": [5.0, float("-inf")], "pop": [100.0, 100.0]})
    with pytest.raises(cyp.InvalidValueError, match="finite") as info:
        cyp.rate(floats, "n", "pop")
    assert info.value.rows == (1,)


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("function", [cyp.rate, cyp.proportion])
def test_non_finite_counts_are_refused_naming_the_rows(
    function: Any, bad: float, lazy: bool
) -> None:
    """NaN or an infinity in a float numerator is an error naming the column and rows, eagerly
    as lazily (an eager NaN once escaped as a polars cast error from the interval lookup)."""
    frame = pl.DataFrame({"n": [5.0, bad, 3.0, bad], "pop": [100.0, 100.0, 100.0, 100.0]})
    source = frame.lazy() if lazy else frame

    with pytest.raises(
        cyp.InvalidValueError, match="column 'n': numerator must be a finite"
    ) as info:
        function(source, "n", "pop")

    assert info.value.rows == (1, 3)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_denominator_is_refused_naming_the_rows(bad: float) -> None:
    """The denominator follows the same rule."""
    frame = pl.DataFrame({"n": [5, 3], "pop": [bad, 100.0]})

    with pytest.raises(cyp.InvalidValueError, match="column 'pop'") as info:
        cyp.rate(frame, "n", "pop")

    assert info.value.rows == (0,)


@pytest.mark.parametrize("multiplier", [float("inf"), float("-inf"), float("nan"), 0])
def test_non_finite_multiplier_is_a_value_error(multiplier: float) -> None:
    """rate(..., multiplier=inf) once returned infinite values; now it is refused."""
    frame = pl.DataFrame({"n": [1], "pop": [10]})

    for function in (cyp.rate, cyp.proportion):
        with pytest.raises(ValueError, match="multiplier must be a finite number > 0"):
            function(frame, "n", "pop", multiplier=multiplier)


@pytest.mark.parametrize("level", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_confidence_is_a_value_error(level: float) -> None:
    """A confidence level of NaN or infinity is refused like 95 is."""
    frame = pl.DataFrame({"n": [1], "pop": [10]})

    with pytest.raises(ValueError, match="between 0 and 1"):
        cyp.rate(frame, "n", "pop", confidence=[0.95, level])


def test_digits_of_other_scripts_are_unreadable_not_missing() -> None:
    """Fullwidth "５" and Arabic-Indic "٣" match a Unicode \\d but are not read as numbers: they
    were turned into missing values without a word; now they are named as unreadable text."""
    frame = pl.DataFrame({"n": ["12", "５", "3", "٣", "1,204"], "pop": ["100"] * 5})

    with pytest.raises(cyp.InvalidValueError, match="neither a number nor a GSS symbol") as info:
        cyp.rate(frame, "n", "pop")

    assert info.value.rows == (1, 3)
    assert "'５'" in str(info.value)


def test_full_time_equivalents_are_counts_that_need_not_be_whole(catalogue: cyp.Catalogue) -> None:
    """A count of FTE social workers (unit fte) takes 12.6; a plain count refuses it."""
    frame = pl.DataFrame({"fte": [12.6, 3.0]})
    d = catalogue.get("sw_fte_count")
    out = cyp.compute(d, frame, numerator="fte")
    assert out["value"].to_list() == [12.6, 3.0]
    with pytest.raises(cyp.InvalidValueError, match="whole number"):
        cyp.count(frame, "fte")
