"""DfE's published figures reproduced from counts and populations, to the published decimal.

Reference files and their provenance: ``tests/reference/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp

REFERENCE = Path(__file__).parent / "reference"

CLA_TYPES = {
    "Children looked after on 31 March each year": "cla_rate_per_10k",
    "Children starting to be looked after each year": "cla_starts_rate_per_10k",
    "Children ceasing to be looked after each year": "cla_ceased_rate_per_10k",
}


def _cla() -> pl.DataFrame:
    return pl.read_csv(
        REFERENCE / "dfe" / "cla_number_and_rate_per_10k_children.csv", infer_schema_length=0
    )


@pytest.mark.parametrize(("population_type", "indicator"), CLA_TYPES.items())
def test_cla_rates_reproduce_for_every_local_authority(
    catalogue: cyp.Catalogue, population_type: str, indicator: str
) -> None:
    """Every LA row's published rate, symbols included, is what compute() and present() give."""
    definition = catalogue.get(indicator)
    rows = _cla().filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col("population_type") == population_type)
    )
    result = cyp.present(
        cyp.compute(
            definition, rows, numerator="children_count", denominator="population_estimate"
        ),
        definition,
    )
    assert rows.height > 700
    mismatches = result.filter(pl.col("display") != pl.col("rate_per_10000"))
    assert mismatches.is_empty(), mismatches.select(
        "time_period",
        "la_name",
        "children_count",
        "population_estimate",
        "rate_per_10000",
        "display",
    )
    assert (result["display"] == "c").sum() + (result["display"] == "z").sum() > 0


def _aggregate_rows() -> pl.DataFrame:
    """Regional and national rows beside the unrounded sum of their LAs' counts."""
    cla = _cla()
    la = cla.filter(pl.col("geographic_level") == "Local authority").with_columns(
        pl.col("children_count").cast(pl.Int64, strict=False).alias("count"),
        (pl.col("children_count") == "c").alias("suppressed"),
        # London's LAs are filed under Inner and Outer London (E13); London is both.
        pl.when(pl.col("region_code").str.starts_with("E13"))
        .then(pl.lit("E12000007"))
        .otherwise(pl.col("region_code"))
        .alias("region"),
    )
    keys = ["time_period", "population_type"]
    sums = {
        "la_sum": pl.col("count").sum(),
        "suppressed_las": pl.col("suppressed").sum(),
        "la_population": pl.col("population_estimate").cast(pl.Int64, strict=False).sum(),
    }
    by_region = pl.concat(
        [
            la.group_by([*keys, "region"]).agg(**sums),
            la.group_by([*keys, "region_code"]).agg(**sums).rename({"region_code": "region"}),
        ]
    ).unique([*keys, "region"])
    regional = (
        cla.filter(pl.col("geographic_level") == "Regional")
        .rename({"region_code": "region"})
        .join(by_region, on=[*keys, "region"], how="left")
    )
    national = cla.filter(pl.col("geographic_level") == "National").join(
        la.group_by(keys).agg(**sums), on=keys, how="left"
    )
    return pl.concat([regional, national], how="diagonal_relaxed")


def test_regional_and_national_rates_differ_only_by_dfe_count_rounding(
    catalogue: cyp.Catalogue,
) -> None:
    """England and regional rates come from unrounded counts; DfE rounds the counts it prints.

    For each aggregate row the unrounded count is the sum of its LAs' counts plus 1 to 5 for
    each LA count DfE suppressed. The proof, row by row: (1) the published count is that
    unrounded count rounded half away from zero to the nearest 10 for at least one candidate;
    (2) every such candidate reproduces the published rate exactly; (3) the population is the
    sum of the LAs' populations. Then (4): computing from the *published* rounded count misses
    the published rate in some rows, and each miss is such a rounding case.
    """
    rows = _aggregate_rows()
    assert rows.height == 15 + 165
    assert rows["la_sum"].null_count() == 0
    by_type = {t: catalogue.get(i) for t, i in CLA_TYPES.items()}
    misses_from_rounded = 0
    for row in rows.iter_rows(named=True):
        definition = by_type[row["population_type"]]
        published_count = int(row["children_count"])
        population = int(row["population_estimate"])
        assert population == row["la_population"], row
        low = row["la_sum"] + (1 if row["suppressed_las"] else 0)
        high = row["la_sum"] + 5 * row["suppressed_las"]
        candidates = [
            c for c in range(low, high + 1) if cyp.round_half_away(c, -1) == published_count
        ]
        assert candidates, row
        frame = pl.DataFrame({"n": candidates, "pop": [population] * len(candidates)})
        shown = cyp.present(
            cyp.compute(definition, frame, numerator="n", denominator="pop"), definition
        )
        assert set(shown["display"]) == {row["rate_per_10000"]}, row
        from_rounded = cyp.present(
            cyp.compute(
                definition,
                pl.DataFrame({"n": [published_count], "pop": [population]}),
                numerator="n",
                denominator="pop",
            ),
            definition,
        )["display"][0]
        if from_rounded != row["rate_per_10000"]:
            misses_from_rounded += 1
            assert abs(published_count - candidates[0]) <= 5
    assert misses_from_rounded > 0


def _lait(measure: str) -> pl.DataFrame:
    lait = pl.read_csv(REFERENCE / "lait" / "lait_bds_csc_items_long.csv", infer_schema_length=0)
    return lait.filter(
        (pl.col("short_desc") == measure) & (pl.col("la_number").cast(pl.Int64) < 970)
    ).select(
        pl.col("years").cast(pl.Int64).alias("year"),
        pl.col("la_number").alias("old_la_code"),
        pl.col("la_and_regions").alias("la_name"),
        pl.col("value").alias(measure),
    )


def _lait_rates(
    catalogue: cyp.Catalogue, indicator: str, count: pl.DataFrame, count_column: str, published: str
) -> pl.DataFrame:
    """Our presented rate beside LAIT's published one, one row per LA-year with a number."""
    definition = catalogue.get(indicator)
    frame = cyp.attach_population(
        count.join(_lait(published).drop("la_name"), on=["year", "old_la_code"], how="inner"),
        area="old_la_code",
        year="year",
    )
    out = cyp.present(
        cyp.compute(definition, frame, numerator=count_column, denominator="population_0_17"),
        definition,
    )
    return out.filter(pl.col(published).str.contains(r"^[0-9.]+$"))


def _assert_all_match(out: pl.DataFrame, published: str, years: range) -> None:
    out = out.filter(pl.col("year").is_in(list(years)))
    assert set(out["year"]) == set(years)
    assert out.height > 140 * len(years)
    # LAIT prints 1-dp rates without trailing zeros ("450" for 450.0): compare as numbers.
    mismatch = out.filter(pl.col("value") != pl.col(published).cast(pl.Float64))
    assert mismatch.is_empty(), mismatch.select(
        "year", "old_la_code", "numerator", "denominator", "value", published
    )


def test_lait_cin_rates_reproduce_2016_to_2025(catalogue: cyp.Catalogue) -> None:
    """CIN rate = CIN at 31 March (DfE b1 At31_episodes) / ONS 0-17 mid-(Y-1) x 10,000, 1 dp."""
    counts = cyp.csc_counts().filter(pl.col("geographic_level") == "Local authority")
    out = _lait_rates(
        catalogue,
        "cin_rate_per_10k",
        counts.select("year", "old_la_code", "cin_at_31_march"),
        "cin_at_31_march",
        "CIN",
    )
    _assert_all_match(out, "CIN", range(2016, 2026))


@pytest.mark.parametrize(
    ("indicator", "count_measure", "rate_measure"),
    [
        ("cpp_rate_per_10k", "CPP_Num", "CPP_rate"),
        ("referral_rate_per_10k", "CPP_Total_NumRef", "CPP_Total_Rateper10,000"),
    ],
)
def test_lait_cpp_and_referral_rates_reproduce_2016_to_2025(
    catalogue: cyp.Catalogue, indicator: str, count_measure: str, rate_measure: str
) -> None:
    """LAIT's CPP and referral rates follow from its own counts and ONS mid-(Y-1), to 1 dp."""
    counts = _lait(count_measure).drop("la_name")
    out = _lait_rates(catalogue, indicator, counts, count_measure, rate_measure)
    _assert_all_match(out, rate_measure, range(2016, 2026))


def test_lait_cla_rates_reproduce_2019_to_2025(catalogue: cyp.Catalogue) -> None:
    """LAIT's LAC rate follows from LACnum and ONS mid-(Y-1), whole numbers, 2019 onwards."""
    out = _lait_rates(
        catalogue, "cla_rate_per_10k", _lait("LACnum").drop("la_name"), "LACnum", "LAC"
    )
    _assert_all_match(out, "LAC", range(2019, 2026))


def test_lait_cla_rates_2016_to_2018_used_an_earlier_population_vintage(
    catalogue: cyp.Catalogue,
) -> None:
    """2016-2018 LAC rates were published on an earlier vintage of the estimates.

    Not a loosened tolerance: for every LA-year that does not reproduce, the published rate
    implies a denominator range (LACnum x 10,000 / (rate +- 0.5)) that excludes the bundled
    estimate, so the arithmetic is right and the population differs. The vintage is part of a
    result's provenance (``population_vintage``).
    """
    out = _lait_rates(
        catalogue, "cla_rate_per_10k", _lait("LACnum").drop("la_name"), "LACnum", "LAC"
    )
    old = out.filter(pl.col("year") <= 2018)
    assert set(old["population_vintage"]) == {cyp.BUNDLED_VINTAGE}
    published = pl.col("LAC").cast(pl.Float64)
    misses = old.filter(pl.col("value") != published)
    assert misses.height > 0
    implied = misses.with_columns(
        (pl.col("numerator") * 10_000 / (published + 0.5)).alias("pop_low"),
        (pl.col("numerator") * 10_000 / (published - 0.5)).alias("pop_high"),
    )
    outside = implied.filter(
        (pl.col("denominator") < pl.col("pop_low")) | (pl.col("denominator") > pl.col("pop_high"))
    )
    assert outside.height == misses.height
    # The same arithmetic on the same vintage reproduces every later year (test above).


def test_published_re_referral_and_repeat_plan_percentages_reproduce(
    catalogue: cyp.Catalogue,
) -> None:
    """DfE's LA re-referral % and second-or-subsequent CPP % follow from the published counts."""
    cases = [
        (
            "c1_referrals_and_rereferrals.csv",
            "re_referral_within_12_months_pct",
            "rereferral_count",
            "referral_count",
            "rereferral_percent",
        ),
        (
            "d3_cpps_subsequent_plan.csv",
            "cpp_second_or_subsequent_pct",
            "CPP_subsequent",
            "CPP_start",
            "CPP_subsequent_percent",
        ),
    ]
    for file, indicator, num, den, published in cases:
        rows = pl.read_csv(REFERENCE / "dfe" / file, infer_schema_length=0).filter(
            pl.col("geographic_level") == "Local authority"
        )
        definition = catalogue.get(indicator)
        out = cyp.present(cyp.compute(definition, rows, numerator=num, denominator=den), definition)
        numbers = out.filter(pl.col(published).str.contains(r"^[0-9.]+$"))
        assert numbers.height > 1500
        mismatch = numbers.filter(pl.col("value") != pl.col(published).cast(pl.Float64))
        assert mismatch.is_empty(), (
            indicator,
            mismatch.select("time_period", "la_name", num, den, published, "value"),
        )
