"""DfE's children's social care dashboard: its 68 summary metrics read from its own datasets.

The check is against DfE's EES file behind the same figures (``cla_number_and_rate_per_10k_children.csv``,
bundled separately): the dashboard's processed dataset must hold the same rates.
"""

from __future__ import annotations

import polars as pl

import cyp_indicators as cyp
from cyp_indicators.sources.dashboard import dashboard_metric, dashboard_metrics, dashboard_rows


def test_every_dashboard_metric_reads() -> None:
    metrics = dashboard_metrics()
    assert metrics.height == 68
    assert metrics["metric_display_text"].n_unique() == 68
    for text in metrics["metric_display_text"].to_list():
        rows = dashboard_rows(text)
        assert rows.height > 0, text
        assert set(rows["geographic_level"]) <= {"National", "Regional", "Local authority"}
        assert rows["time_period"].dtype == pl.Int64


def test_the_dashboard_cla_rate_is_the_ees_rate() -> None:
    text = "Rate of children looked after on 31 March, per 10,000 children"
    assert dashboard_metric(text)["filters"] == {
        "population_count": "Children looked after on 31 March each year"
    }
    mine = dashboard_rows(text).filter(pl.col("geographic_level") == "Local authority")
    ees = cyp.sources.read_ees("cla_number_and_rate_per_10k_children.csv").filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col("population_type") == "Children looked after on 31 March each year")
    )
    joined = ees.select(
        pl.col("time_period").cast(pl.Int64),
        pl.col("old_la_code").alias("area_code"),
        pl.col("rate_per_10000").alias("ees"),
    ).join(mine, on=["time_period", "area_code"], how="inner")
    assert joined.height > 700
    numbers = joined.filter(pl.col("ees").str.contains(r"^\d+$"))
    assert (numbers["ees"].cast(pl.Float64) == numbers["value"]).all()
    symbols = joined.filter(~pl.col("ees").str.contains(r"^\d+$"))
    assert symbols["value"].null_count() == symbols.height
    # the dashboard stores a withheld figure as -100 (read back as c) or as an empty cell (read as
    # x, unavailable): never as a number
    assert set(symbols["symbol"]) <= {"c", "x"}


def test_joint_returns_keep_both_las() -> None:
    rows = dashboard_rows("Turnover rate (FTE)")
    joint = rows.filter(pl.col("area_code").str.contains(" / "))
    assert set(joint["area_code"]) == {"940 / 941", "314 / 318"}
