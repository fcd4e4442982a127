"""Load a council's own definitions folder beside the bundled catalogue and compute with it.

Run: .venv/bin/python examples/local_indicator.py
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

import cyp_indicators as cyp

HERE = Path(__file__).parent

catalogue = cyp.load_catalogue(HERE / "local_definitions")
definition = catalogue.get("contacts_to_early_help_pct", year=2017)

months = pl.DataFrame(
    {
        "month": ["2017-01", "2017-02", "2017-03"],
        "contacts": [812, 867, 903],
        "contacts_to_early_help": [196, 214, 205],
    }
)
monthly = cyp.present(cyp.compute(definition, months), definition)
quarter = cyp.present(
    cyp.compute(
        definition, months.with_columns(pl.lit("2016-17 Q4").alias("quarter")), by=["quarter"]
    ),
    definition,
)

if __name__ == "__main__":
    print(f"{definition.title} [{definition.key}, {cyp.unit_label(definition)}]")
    print(monthly.select("month", "numerator", "denominator", "display", "lower_95", "upper_95"))
    print(quarter.select("quarter", "numerator", "denominator", "display", "lower_95", "upper_95"))
