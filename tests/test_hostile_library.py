"""Hostile inputs to the library: shared state, non-finite and negative values, odd files.

Issue 12, "Nothing silently wrong". Each test states the rule it holds the library to; expected
values come from DfE's published figures, the bundled CSV files read directly, or the rule itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.io import read_table
from cyp_indicators.loader import MAX_TOML_BYTES
from cyp_indicators.resources import data_file

EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "examples"
    / "local_definitions"
    / "front_door"
    / "contacts_to_early_help_pct.v1.toml"
)
NAN, INF = float("nan"), float("inf")


# --- 1. nothing a caller holds aliases library state ---------------------------------------------


def _peterborough_2024_cla_rate() -> float:
    """Peterborough's 2024 CLA rate from the bundled counts and population, presented."""
    counts = cyp.csc_counts().filter((pl.col("old_la_code") == "874") & (pl.col("year") == 2024))
    with_population = cyp.attach_population(counts, area="old_la_code", year="year")
    d = cyp.load_catalogue().get("cla_rate_per_10k", year=2024)
    out = cyp.compute(
        d, with_population, numerator="cla_at_31_march", denominator="population_0_17"
    )
    value: float = cyp.present(out, d)["value"][0]
    return value


def test_a_callers_edit_of_the_counts_changes_no_one_elses_figures() -> None:
    """The issue's case: one caller sets Peterborough's 2024 CLA count to 5,000 in the frame it
    was given; another caller's rate stays DfE's published 75 per 10,000 (LAIT), not 885.7."""
    mine = cyp.csc_counts()
    row = mine.with_row_index("i").filter(
        (pl.col("old_la_code") == "874") & (pl.col("year") == 2024)
    )["i"][0]
    mine[row, "cla_at_31_march"] = "5000"

    assert _peterborough_2024_cla_rate() == 75  # DfE/LAIT: Peterborough, 31 March 2024
    published = cyp.published("cla_rate_per_10k")
    dfe = published.filter((pl.col("area_code") == "874") & (pl.col("time_period") == 2024))
    assert dfe["value"][0] == 75


def test_a_callers_edit_of_the_population_changes_no_one_elses_figures() -> None:
    """Editing the frame population_estimates() returned leaves the library's estimates as the
    bundled file holds them."""
    mine = cyp.population_estimates()
    mine[0, "population"] = 1
    mine.columns = [f"x{i}" for i in range(mine.width)]

    raw = pl.read_csv(data_file("ons_mye_0_17.csv"), infer_schema_length=0)
    again = cyp.population_estimates()
    assert again.columns[:7] == raw.columns[:7]
    assert again["population_text"].to_list() == raw["population"].to_list()
    assert _peterborough_2024_cla_rate() == 75


def test_the_counts_are_the_bundled_file_however_often_they_are_edited() -> None:
    """csc_counts() hands out a new frame each call, equal to the bundled CSV read directly."""
    raw = pl.read_csv(data_file("csc_counts.csv"), infer_schema_length=0)
    for _ in range(2):
        frame = cyp.csc_counts()
        frame[0, "la_name"] = "changed"
        frame.drop_in_place("referrals")
    again = cyp.csc_counts()
    assert again["la_name"].to_list() == raw["la_name"].to_list()
    assert again["referrals"].to_list() == raw["referrals"].to_list()


@pytest.mark.parametrize(
    "call",
    [
        cyp.la_codes,
        cyp.geography.local_authorities,
        cyp.geography.areas,
        cyp.sources.lait_dictionary,
        cyp.sources.published_sources,
        cyp.sources.dashboard.dashboard_metrics,
        lambda: cyp.neighbour_set().to_frame(),
        cyp.csc_counts,
        cyp.population_estimates,
        cyp.sources.read_lait,
        lambda: cyp.sources.read_ees(
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
        ),
    ],
)
def test_no_public_frame_aliases_library_state(call: object) -> None:
    """Every public function returning a bundled table hands out a frame of its own."""
    assert callable(call)
    first = call()
    before = first.clone()  # a copy made here, whatever the function hands out
    first[0, first.columns[0]] = None
    first.columns = [f"changed_{name}" for name in first.columns]
    assert call().equals(before)


def test_the_dashboard_sentinels_cannot_be_changed_by_a_caller() -> None:
    """A public table of the library is read-only: -100 is "c" for every caller."""
    from cyp_indicators.io import DFE_SENTINELS

    with pytest.raises(TypeError):
        DFE_SENTINELS[-500.0] = "c"  # type: ignore[index]
    frame = pl.DataFrame({"v": [-100.0, 12.0]})
    assert cyp.from_dfe_sentinels(frame, ["v"])["v"].to_list() == ["c", "12.0"]


# --- 2. non-finite and negative values in the comparison functions -------------------------------


def _values(values: list[float | None]) -> pl.DataFrame:
    las = ["874", "331", "831", "873", "340", "341", "342"][: len(values)]
    return pl.DataFrame(
        {"la_code": las, "year": [2024] * len(las), "value": values},
        schema={"la_code": pl.String, "year": pl.Int64, "value": pl.Float64},
    )


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
@pytest.mark.parametrize(
    "call",
    [
        lambda f: cyp.aggregate_neighbours(f, cyp.neighbour_set()),
        lambda f: cyp.aggregate_neighbours(f, cyp.neighbour_set(), method="mean"),
        lambda f: cyp.rank_among_las(f, polarity="low_is_good"),
        lambda f: cyp.quartile_bands(f, polarity="low_is_good", min_las=1),
        lambda f: cyp.phe_quantiles(f, n=2),
        lambda f: cyp.add_gap(f, comparator="england"),
        lambda f: cyp.add_change(f, by="la_code"),
        lambda f: cyp.rolling_average(f, by="la_code", n=1),
    ],
    ids=["median", "mean", "rank", "bands", "quantiles", "gap", "change", "rolling"],
)
def test_non_finite_values_are_refused_naming_column_and_rows(bad: float, call: object) -> None:
    """The issue: a NaN LA got band "A", sn_min was Infinity and sn_n counted NaN. Now every
    comparison refuses a value that is not a finite number, naming the column and the rows."""
    assert callable(call)
    frame = _values([1.0, bad, 3.0, bad, 5.0]).with_columns(england=pl.lit(2.0))

    with pytest.raises(cyp.InvalidValueError) as info:
        call(frame)

    assert info.value.column == "value"
    assert info.value.rows == (1, 3)
    assert info.value.rule == "must be a finite number"


def test_text_too_large_for_a_float_is_refused_not_infinity() -> None:
    """A CSV cell "1e400" parses to infinity: it is refused like one, with its text."""
    frame = pl.DataFrame({"la_code": ["874", "873"], "year": [2024, 2024], "value": ["1e400", "5"]})

    with pytest.raises(cyp.InvalidValueError) as info:
        cyp.aggregate_neighbours(frame, cyp.neighbour_set())

    assert info.value.rows == (0,)
    assert info.value.examples == ("1e400",)


def test_comparisons_refuse_non_finite_values_and_interval_limits(
    catalogue: cyp.Catalogue,
) -> None:
    """comparisons() checks the value and, where given, the interval limits."""
    d = catalogue.get("cla_rate_per_10k")
    good = pl.DataFrame(
        {
            "area_code": ["874", "873", cyp.ENGLAND],
            "time_period": [2024, 2024, 2024],
            "value": [70.0, 65.0, 67.0],
            "lower_95": [60.0, 60.0, 66.0],
            "upper_95": [80.0, 70.0, 68.0],
        }
    )
    assert cyp.comparisons(good, d)["vs_england"].to_list() == ["similar", "similar"]

    for column in ("value", "lower_95", "upper_95"):
        bad = good.with_columns(
            pl.when(pl.col("area_code") == "873").then(NAN).otherwise(pl.col(column)).alias(column)
        )
        with pytest.raises(cyp.InvalidValueError) as info:
            cyp.comparisons(bad, d)
        assert info.value.column == column
        assert info.value.rows == (1,)


@pytest.mark.parametrize("ident", ["cla_rate_per_10k", "re_referral_within_12_months_pct"])
def test_negative_values_are_refused_where_the_definition_rules_them_out(
    catalogue: cyp.Catalogue, ident: str
) -> None:
    """A rate or a proportion cannot be negative: comparing one names the rows."""
    d = catalogue.get(ident)
    frame = _values([1.0, -2.0, 3.0]).with_columns(england=pl.lit(2.0))
    calls = [
        lambda: cyp.aggregate_neighbours(frame, cyp.neighbour_set(), definition=d),
        lambda: cyp.rank_among_las(frame, definition=d),
        lambda: cyp.quartile_bands(frame, definition=d),
        lambda: cyp.add_gap(frame, comparator="england", definition=d),
        lambda: cyp.comparisons(frame, d, la="la_code", year="year"),
    ]
    for call in calls:
        with pytest.raises(cyp.InvalidValueError, match="must not be negative") as info:
            call()
        assert info.value.rows == (1,)


def test_negative_values_are_kept_where_the_definition_allows_them(
    catalogue: cyp.Catalogue,
) -> None:
    """Progress 8 is measured against the national average, so many LAs' scores are below
    zero: a mean's negative values are compared as they are."""
    d = catalogue.get("progress_8")
    frame = _values([-0.5, 0.2, -0.1, 0.4])
    ranked = cyp.rank_among_las(frame, definition=d)
    assert ranked["la_rank"].to_list() == [4, 2, 3, 1]  # high is good


def test_significance_and_rag_treat_non_finite_as_not_compared() -> None:
    """Expressions cannot raise mid-query: a NaN or infinity is "not compared" (null), never
    "higher" because polars sorts NaN above every number."""
    frame = pl.DataFrame(
        {
            "value": [50.0, NAN, 50.0, 50.0],
            "lower_95": [40.0, 40.0, 40.0, NAN],
            "upper_95": [60.0, 60.0, 60.0, 60.0],
            "england": [70.0, 70.0, INF, 70.0],
        }
    )
    out = frame.select(
        cyp.compare_with("england", polarity="high_is_good").alias("vs"),
        cyp.rag("value", "england", polarity="high_is_good", amber_within=5).alias("rag"),
    )
    assert out["vs"].to_list() == ["worse", None, None, None]
    assert out["rag"].to_list() == ["R", None, None, "R"]
    with pytest.raises(ValueError, match="target must be a finite number"):
        cyp.rag("value", NAN, polarity="high_is_good", amber_within=5)
    with pytest.raises(ValueError, match="amber_within"):
        cyp.rag("value", 1.0, polarity="high_is_good", amber_within=INF)


# --- 5. definitions folders ----------------------------------------------------------------------


def _council(tmp_path: Path) -> Path:
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / EXAMPLE.name).write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_a_council_pack_cannot_remove_a_bundled_definition(tmp_path: Path) -> None:
    """The issue: packs/2024.toml with removed = ["cla_rate_per_10k"] dropped a bundled
    indicator from 2024 on without a word. Now it is refused, naming the file and the id."""
    folder = _council(tmp_path)
    (folder / "packs").mkdir()
    pack = folder / "packs" / "2024.toml"
    pack.write_text('year = 2024\nremoved = ["cla_rate_per_10k"]\n', encoding="utf-8")

    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(folder)

    assert info.value.file == str(pack)
    assert "'cla_rate_per_10k' is a bundled definition" in str(info.value)
    assert info.value.issues[0].path == "$.removed[0]"
    assert info.value.issues[0].line == 2


def test_a_council_pack_cannot_change_a_bundled_version(tmp_path: Path) -> None:
    """Nor may it put a version of a bundled id in force (here the CLA rate's first version,
    again from 2024)."""
    folder = _council(tmp_path)
    (folder / "packs").mkdir()
    old = cyp.load_catalogue().history("cla_rate_per_10k")[0]
    (folder / "packs" / "2024.toml").write_text(
        f'year = 2024\nadded_or_changed = ["{old.key}"]\n', encoding="utf-8"
    )

    with pytest.raises(cyp.DefinitionError, match="cannot change which version"):
        cyp.load_catalogue(folder)


def test_a_council_pack_may_bring_its_own_definitions_into_force(tmp_path: Path) -> None:
    """What a council's pack is for: its own ids, by year."""
    folder = _council(tmp_path)
    (folder / "packs").mkdir()
    (folder / "packs" / "2018.toml").write_text(
        'year = 2018\nadded_or_changed = ["contacts_to_early_help_pct@1.0.0"]\n', encoding="utf-8"
    )
    cat = cyp.load_catalogue(folder)
    assert (
        cat.get("contacts_to_early_help_pct", year=2024).key == "contacts_to_early_help_pct@1.0.0"
    )
    assert cat.get("cla_rate_per_10k", year=2024).id == "cla_rate_per_10k"


def test_a_linked_sub_folder_is_followed(tmp_path: Path) -> None:
    """A symlinked folder of definitions was skipped without a word; it is read like any other
    (a council may keep shared definitions in one place and link them in)."""
    shared = _council(tmp_path)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "shared").symlink_to(shared, target_is_directory=True)

    assert "contacts_to_early_help_pct" in cyp.load_catalogue(folder, bundled=False)


def test_a_link_back_up_the_tree_is_an_error_not_a_loop(tmp_path: Path) -> None:
    """Following a link to a folder above it would never end: it is named instead."""
    folder = _council(tmp_path)
    (folder / "again").symlink_to(folder, target_is_directory=True)

    with pytest.raises(cyp.DefinitionError, match="a folder above it") as info:
        cyp.load_catalogue(folder, bundled=False)
    assert info.value.file == str(folder / "again")


def test_an_empty_folder_name_is_refused() -> None:
    """load_catalogue("") would load every .toml under the current folder (pyproject.toml too)."""
    with pytest.raises(ValueError, match="needs a name"):
        cyp.load_catalogue("")


def test_an_oversized_definition_file_is_refused(tmp_path: Path) -> None:
    """A definition is a few kilobytes; a file over the cap is not read into memory whole."""
    folder = _council(tmp_path)
    (folder / "big.toml").write_bytes(b"# " + b"x" * MAX_TOML_BYTES + b"\n")

    with pytest.raises(cyp.DefinitionError, match="larger than"):
        cyp.load_catalogue(folder)


# --- 6. tables that are not what they seem -------------------------------------------------------


def test_a_repeated_csv_header_is_an_error_naming_it_and_the_file(tmp_path: Path) -> None:
    """The issue: "cla,cla" — polars renamed the second and the first was used."""
    path = tmp_path / "counts.csv"
    path.write_text("la,cla,pop,cla\n874,416,57621,5000\n", encoding="utf-8")

    with pytest.raises(cyp.DataError, match="'cla' more than once") as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_a_header_repeated_only_after_trimming_is_an_error(tmp_path: Path) -> None:
    """ "cla" and " cla" name one column once spaces are trimmed."""
    path = tmp_path / "counts.csv"
    path.write_text("la,cla, cla\n874,1,2\n", encoding="utf-8")

    with pytest.raises(cyp.DataError, match="'cla'"):
        read_table(path)


def test_a_repeated_header_in_a_workbook_is_an_error(tmp_path: Path) -> None:
    """The same rule for an Excel sheet (fastexcel renames the second to "cla_1")."""
    import xlsxwriter

    path = tmp_path / "counts.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["la", "cla", "cla"])
    sheet.write_row(1, 0, ["874", 416, 5000])
    book.close()

    with pytest.raises(cyp.DataError, match="'cla' more than once"):
        read_table(path)


def test_a_csv_that_is_not_utf8_is_an_error_naming_it(tmp_path: Path) -> None:
    """A Windows-1252 CSV (Excel's plain "CSV") is named, with how to save it."""
    path = tmp_path / "names.csv"
    path.write_bytes("la,name\n874,Peterborough Café\n".encode("cp1252"))

    with pytest.raises(cyp.DataError, match="not UTF-8") as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_a_named_pipe_as_a_table_is_refused(tmp_path: Path) -> None:
    """An input that is not a regular file is named, never waited on."""
    path = tmp_path / "counts.csv"
    os.mkfifo(path)

    with pytest.raises(cyp.DataError, match="not a regular file"):
        read_table(path)


def test_trend_test_refuses_a_non_finite_value_naming_its_position() -> None:
    """NaN is not a figure: read as "no significant change" it would hide a broken series."""
    with pytest.raises(cyp.InvalidValueError, match="finite") as refused:
        cyp.trend_test([2021, 2022, 2023], [10.0, NAN, 12.0], method="weighted",
                       lower=[9.0, 9.0, 11.0], upper=[11.0, 11.0, 13.0])  # fmt: skip
    assert refused.value.rows == (1,)


def test_trend_markers_refuse_non_finite_inputs_naming_the_column() -> None:
    frame = pl.DataFrame(
        {"la": ["874"] * 3, "year": [2021, 2022, 2023], "value": [10.0, 11.0, 12.0],
         "numerator": [10.0, INF, 12.0], "denominator": [100.0, 100.0, 100.0]}
    )  # fmt: skip
    with pytest.raises(cyp.InvalidValueError, match="'numerator'"):
        cyp.trend_markers(frame, by="la", method="counts")
