"""Roll-ups reproduce DfE's England and regional rows from its LA rows.

DfE's method note (Children in need and Children looked after releases): national and regional
figures are the sum of local authority figures; counts are rounded to the nearest 10 for
publication and percentages and rates are calculated from unrounded figures; an LA whose return
was not accepted as reliable (u) is left out of the percentages. The expected values are DfE's own
England and regional rows, read from the bundled files; rates and percentages are recomputed here
with Python's ``decimal`` module (half up), not with the library.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest

import cyp_indicators as cyp

EES = "ees"

# (file, numerator, denominator, published value, multiplier, decimals, extra group columns)
CASES = [
    (
        "cla_number_and_rate_per_10k_children.csv",
        "children_count",
        "population_estimate",
        "rate_per_10000",
        10_000,
        0,
        ["population_type"],
    ),
    (
        "d3_cpps_subsequent_plan_2013_to_2025.csv",
        "CPP_subsequent",
        "CPP_start",
        "CPP_subsequent_percent",
        100,
        1,
        [],
    ),
    *[
        (
            "d5_cpps_at31march_by_duration_2013_to_2025.csv",
            band,
            "CPP_At31",
            f"{band}_percent",
            100,
            1,
            [],
        )
        for band in (
            "3_months_or_less",
            "more_than_3_months_6_months",
            "more_than_6_months_less_than_1_year",
            "1_year_less_than_2_years",
            "2_years_or_more",
        )
    ],
    *[
        (
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
            num,
            "referral_count",
            f"{num.removesuffix('_count')}_percent",
            100,
            1,
            [],
        )
        for num in ("rereferral_count", "no_further_action_count", "not_in_need_count")
    ],
]


def _expected(num: float, den: float, multiplier: int, decimals: int) -> Decimal:
    value = Decimal(int(num)) / Decimal(int(den)) * multiplier
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _rounded_to_10(count: float) -> int:
    return int((Decimal(int(count)) / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 10)


def _published_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("geographic_level").is_in(["Regional", "National"])).with_columns(
        pl.when(pl.col("geographic_level") == "National")
        .then(pl.lit(cyp.ENGLAND))
        .otherwise(pl.col("region_code"))
        .alias("area_code")
    )


@pytest.mark.parametrize(("file", "num", "den", "value", "mult", "dps", "extra"), CASES)
def test_england_and_regional_rows_are_reproduced_from_la_rows(
    file: str, num: str, den: str, value: str, mult: int, dps: int, extra: list[str]
) -> None:
    """Every DfE row whose LAs all have a count (or z) is reproduced exactly, value and rounded
    counts; every other row is marked approximate and names the LAs that prevent it."""
    frame = cyp.sources.read_ees(file)
    las = frame.filter(pl.col("geographic_level") == "Local authority")
    by = ["time_period", *extra]
    ups = pl.concat(
        [
            cyp.roll_up(las, numerator=num, denominator=den, to=to, la="new_la_code", by=by)
            for to in ("region", "england")
        ]
    )
    published = _published_rows(frame).select(
        *by, "area_code", pl.col(num).alias("pub_num"), pl.col(value).alias("pub_value")
    )
    joined = published.join(ups, on=[*by, "area_code"], how="left")
    assert joined.filter(pl.col("las_included").is_null()).is_empty()  # every row rolled up
    numeric = joined.filter(pl.col("pub_value").str.contains(r"^-?[0-9.]+$") & (pl.col(den) > 0))
    exact = numeric.filter(~pl.col("approximate"))  # none for bands where every region has a c
    wrong = [
        r
        for r in exact.iter_rows(named=True)
        if _expected(r[num], r[den], mult, dps) != Decimal(r["pub_value"])
    ]
    assert not wrong, wrong[:3]
    complete = exact.filter(
        (pl.col("las_excluded").list.len() == 0) & pl.col("pub_num").str.contains(r"^[0-9]+$")
    )
    for r in complete.iter_rows(named=True):
        assert _rounded_to_10(r[num]) == int(r["pub_num"]), r
    # a row that cannot be reproduced says which LAs prevent it, with their symbols
    shown = las.select(
        "time_period", *extra, "old_la_code", pl.col(num).alias("__n"), pl.col(den).alias("__d")
    )
    for r in numeric.filter(pl.col("approximate")).iter_rows(named=True):
        assert r["las_withheld"] + r["las_unreliable"] >= 1
        assert r["roll_up_note"].startswith("approximate: ")
        named = shown.filter(
            pl.col("old_la_code").is_in(r["las_excluded"])
            & (pl.col("time_period") == r["time_period"])
        )
        unpublished = named.filter(
            pl.col("__n").is_in(["c", "low", "u", "x"])
            | pl.col("__d").is_in(["c", "low", "u", "x"])
        )
        assert unpublished.height >= 1, r


def test_yorkshire_2022_repeat_plans_leave_out_doncaster_as_dfe_does() -> None:
    """Yorkshire and The Humber 2022: 23.6 % = 1,663 / 7,050 over its 14 LAs other than
    Doncaster (u); the region's published counts, 1,660 / 7,490, are rounded and include
    Doncaster's plans."""
    d3 = cyp.sources.read_ees("d3_cpps_subsequent_plan_2013_to_2025.csv")
    las = d3.filter(pl.col("geographic_level") == "Local authority")
    up = cyp.roll_up(
        las,
        numerator="CPP_subsequent",
        denominator="CPP_start",
        to="region",
        la="new_la_code",
        by=["time_period"],
    ).filter((pl.col("time_period") == "2022") & (pl.col("area_code") == "E12000003"))
    row = up.row(0, named=True)
    assert (row["CPP_subsequent"], row["CPP_start"]) == (1663.0, 7050.0)
    assert row["las_included"] == 14
    assert row["las_excluded"] == ["371"]  # Doncaster
    assert row["las_unreliable"] == 1  # u: DfE's percentage leaves it out here
    assert row["approximate"] is True
    d = cyp.load_catalogue().get("cpp_second_or_subsequent_pct")
    shown = cyp.present(cyp.compute(d, up, numerator="CPP_subsequent", denominator="CPP_start"), d)
    assert shown["display"][0] == "23.6"


def test_roll_up_contract_and_bad_input() -> None:
    counts = pl.DataFrame(
        {
            "new_la_code": ["E06000031", "E10000003", "E09000007", None],
            "time_period": [2025, 2025, 2025, 2025],
            "cla": ["416", "low", "300", "81770"],
            "pop": [57621, 150000, 40000, 12_000_000],
        }
    )
    ups = cyp.roll_up(
        counts,
        numerator="cla",
        denominator="pop",
        to="region",
        la="new_la_code",
        by=["time_period"],
    )
    assert set(ups["area_code"]) == {"E12000006", "E12000007", "E13000001"}
    east = ups.filter(pl.col("area_code") == "E12000006").row(0, named=True)
    assert east["las_excluded"] == ["873"]
    assert east["approximate"] is True
    assert east["coverage"] == pytest.approx(57621 / 207621)
    england = cyp.roll_up(
        counts, numerator="cla", denominator="pop", to="england", la="new_la_code"
    )
    assert england.row(0, named=True)["las_included"] == 2  # the blank-coded total row ignored
    twice = pl.concat([counts, counts.head(1)])
    with pytest.raises(cyp.DuplicateKeyError) as info:
        cyp.roll_up(twice, numerator="cla", denominator="pop", la="new_la_code", by=["time_period"])
    assert ("874", 2025) in info.value.duplicates
    with pytest.raises(cyp.UnknownAreaError, match="'E06999999'"):
        cyp.roll_up(
            counts.with_columns(pl.lit("E06999999").alias("new_la_code")),
            numerator="cla",
            denominator="pop",
        )
    with pytest.raises(cyp.DataError, match="'cla'"):
        cyp.roll_up(
            counts.with_columns(pl.lit("lots").alias("cla")), numerator="cla", denominator="pop"
        )
