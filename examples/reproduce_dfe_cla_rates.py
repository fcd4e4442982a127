"""Reproduce DfE's published rates of children looked after per 10,000 from counts and populations.

Run: .venv/bin/python examples/reproduce_dfe_cla_rates.py [LA code, default 874]
"""

from __future__ import annotations

import sys

import polars as pl

import cyp_indicators as cyp


def cla_rates(la: str = "874") -> pl.DataFrame:
    """One LA's CLA rates by year, each with the definition version in force that year."""
    catalogue = cyp.load_catalogue()
    counts = cyp.csc_counts().filter(
        (pl.col("old_la_code") == la) & pl.col("cla_at_31_march").is_not_null()
    )
    with_population = cyp.attach_population(counts, area="old_la_code", year="year")
    rows = []
    for year in with_population["year"].to_list():
        definition = catalogue.get("cla_rate_per_10k", year=year)
        one = with_population.filter(pl.col("year") == year)
        rows.append(cyp.present(cyp.compute(definition, one), definition))
    return (
        pl.concat(rows)
        .select(
            "year", "la_name", "numerator", "population_0_17", "population_year", "display",
            "indicator_version",
        )
        .sort("year")
    )  # fmt: skip


if __name__ == "__main__":
    print(cla_rates(sys.argv[1] if len(sys.argv) > 1 else "874"))
