"""Results carry their definition: what compute() and published() hand the next layer."""

from __future__ import annotations

import pickle
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import cyp_indicators as cyp
from cyp_indicators.results import ResultFrame, ResultLazyFrame


@pytest.fixture
def counts() -> pl.DataFrame:
    frame = pl.DataFrame({"la": ["874", "873"], "year": [2025, 2025], "cla": [416, 1020]})
    return cyp.attach_population(frame, area="la", year="year")


def test_compute_returns_a_frame_that_carries_its_definition(
    catalogue: cyp.Catalogue, counts: pl.DataFrame
) -> None:
    d = catalogue.get("cla_rate_per_10k")
    res = cyp.compute(d, counts, numerator="cla")
    assert isinstance(res, pl.DataFrame)
    assert isinstance(res, ResultFrame)
    assert res.definitions == (d,)
    assert res.provenance is not None
    assert res.provenance.produced_by == "compute"
    assert res.provenance.population_vintage == cyp.BUNDLED_VINTAGE
    assert res.columns[-9:] == [
        "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8", "method", "reason",
        "indicator_id", "indicator_version",
    ]  # fmt: skip
    # a frame changed by polars no longer vouches for its provenance
    assert not isinstance(res.filter(pl.col("la") == "874"), ResultFrame)
    plain = cyp.rate(counts, "cla", "population_0_17", confidence=[0.95, 0.998])
    assert_frame_equal(res.drop("indicator_id", "indicator_version"), plain)


def test_present_takes_the_carried_definition_once(
    catalogue: cyp.Catalogue, counts: pl.DataFrame
) -> None:
    d = catalogue.get("cla_rate_per_10k")
    res = cyp.compute(d, counts, numerator="cla")
    shown = cyp.present(res)
    assert shown["display"][0] == "72"  # DfE: Peterborough 2025, 416 / 57,621
    assert shown.provenance is not None
    assert shown.provenance.presented
    assert_frame_equal(shown, cyp.present(res, d))
    with pytest.raises(cyp.DataError, match="presented already"):
        cyp.present(shown)
    with pytest.raises(cyp.DataError, match="needs a definition"):
        cyp.present(pl.DataFrame(res))


def test_published_rows_are_presented_with_the_version_of_their_year(
    catalogue: cyp.Catalogue,
) -> None:
    pub = cyp.published("care_leavers_neet_pct", catalogue=catalogue)
    assert {d.key for d in pub.definitions} == {
        catalogue.get("care_leavers_neet_pct", year=y).key
        for y in pub["time_period"].unique().to_list()
    }
    with_counts = pub.with_columns(
        pl.col("value").alias("numerator"),
        pl.lit(100.0).alias("denominator"),
        pl.lit(None, pl.String).alias("reason"),
    )
    frame = ResultFrame._from_pydf(with_counts._df)
    frame._cyp_provenance = pub.provenance
    shown = cyp.present(frame)
    assert shown.height == pub.height
    assert shown["time_period"].to_list() == pub["time_period"].to_list()  # order kept


def test_a_lazy_result_collects_with_its_provenance(
    catalogue: cyp.Catalogue, counts: pl.DataFrame
) -> None:
    d = catalogue.get("cla_rate_per_10k")
    lazy = cyp.compute(d, counts.lazy(), numerator="cla")
    assert isinstance(lazy, ResultLazyFrame)
    collected = lazy.collect()
    assert isinstance(collected, ResultFrame)
    assert collected.definitions == (d,)


def test_results_pickle_with_their_provenance(
    catalogue: cyp.Catalogue, counts: pl.DataFrame
) -> None:
    res = cyp.compute(catalogue.get("cla_rate_per_10k"), counts, numerator="cla")
    back = pickle.loads(pickle.dumps(res))
    assert isinstance(back, ResultFrame)
    assert back.provenance == res.provenance
    assert_frame_equal(back, res)


def test_comparisons_read_the_carried_definition_without_a_lookup(
    monkeypatch: pytest.MonkeyPatch, catalogue: cyp.Catalogue
) -> None:
    pub = cyp.published("cpp_second_or_subsequent_pct", catalogue=catalogue)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a definition was looked up again")

    monkeypatch.setattr(cyp.Catalogue, "get", refuse)
    out = cyp.comparisons(pub)
    assert out.provenance is not None
    assert out.provenance.comparator_set == "dfe_sn@2025"
    row = out.filter((pl.col("area_code") == "874") & (pl.col("time_period") == 2025)).row(
        0, named=True
    )
    assert row["la_rank_order"] == "1 = best (low is good)"
    assert row["gap_unit"] == "percentage points"


def test_comparisons_bad_input() -> None:
    with pytest.raises(cyp.MissingColumnError, match="'time_period'"):
        cyp.comparisons(pl.DataFrame({"area_code": ["874"], "value": [1.0]}))
    frame = pl.DataFrame(
        {"area_code": ["874", "E06000031"], "time_period": [2025, 2025], "value": [1.0, 2.0]}
    )
    with pytest.raises(cyp.DuplicateKeyError):
        cyp.comparisons(frame)
    with pytest.raises(cyp.DataError, match="no LA rows"):
        cyp.comparisons(frame.with_columns(pl.lit("E92000001").alias("area_code")).head(1))


def test_derive_and_progress_rates_carry_their_definition(catalogue: cyp.Catalogue) -> None:
    records = cyp.read_cin_census(
        Path(__file__).parent / "reference" / "records" / "cin" / "fake_CIN_data.xml"
    )
    d = catalogue.get("referral_rate_per_10k")
    res = cyp.derive(d, records, period=cyp.Period.financial_year(2017), population=10_000)
    assert isinstance(res.values, ResultFrame)
    assert res.values.definitions == (d,)
    assert res.values.provenance is not None
    assert res.values.provenance.produced_by == "derive"
    assert cyp.present(res.values)["display"].len() == 1  # presented from the carried definition
    problems = res.problems
    assert len(problems) == res.exclusions.height > 0
    for problem, row in zip(problems, res.exclusions.iter_rows(named=True), strict=True):
        assert problem.code == row["reason"].split(": ")[0]
        assert problem.location.file == row["source_file"]
        assert problem.location.row == row["source_row"]
        assert problem.location.field == row["table"]
    m = catalogue.get("ks2_ks4_expected_progress", year=2011)
    pupils = pl.DataFrame({"ks2": ["4", "5", "3"], "gcse": ["C", "A", "D"]})
    classified = cyp.classify_progress(pupils, m, prior="ks2", outcome="gcse")
    rates = cyp.progress_rates(classified, definition=m)
    assert isinstance(rates, ResultFrame)
    assert rates.definitions == (m,)
