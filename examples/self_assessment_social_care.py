"""The 2017 self-assessment's social-care figures, recomputed from DfE's published data.

Run: .venv/bin/python examples/self_assessment_social_care.py

Peterborough's 2017 self-assessment (seed 002) quotes child protection, looked-after, referral
and section 47 figures for March 2017 beside "statistical neighbour averages" for 2015/16. This
example recomputes each one it can from the library's bundled data - DfE's children's social care
counts (``cyp.csc_counts()``: CIN, referrals and CPP from 2013, CLA only from 2021) and ONS
mid-year populations (``cyp.population_estimates()``, mid-2012 to mid-2024) - with the definition
in force for the year and DfE's denominator (the mid-year estimate of the year before the
31 March), and prints them side by side: the seed's statement, its figure, the library's figure,
whether they agree, and why not where they differ.

What can and cannot agree, and why:

* The seed quotes the council's own figures at the time (year-to-date referrals, the CPP count
  on its system); the library uses DfE's published census counts, which can differ.
* The seed's rates used the ONS estimates available in 2017: it quotes 46,607 children for
  mid-2015 (002:L102), and its CPP and CLA rates imply about 47,200-47,800. The bundled series
  is a later revision (48,805 for mid-2015, 50,239 for mid-2016), so rates recomputed now are
  lower for the same count.
* The seed's statistical neighbours were DfE's model of the time; the library bundles the April
  2021 and May 2025 sets, and this example uses the April 2021 set (mean of the ten, as LAIT).
* Section 47 counts and CLA counts before 2021 are not bundled, so those rows are "not
  computable" rather than guessed.

The seed's figures are embedded below as literals with their line numbers in seed 002; nothing
here reads files outside the installed package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

import cyp_indicators as cyp

LA = "874"  # Peterborough
SN_VERSION = "2021"  # DfE's April 2021 statistical neighbours (Plymouth, 879, is one of them)
SEED_MID_2015_POPULATION = 46_607  # 002:L102, "of which 46,607 are children ... aged under 18"


@dataclass(frozen=True)
class SeedFigure:
    """One figure the seed states: the quoted words, its line, the number and its precision."""

    key: str
    line: str
    statement: str
    figure: str
    value: float | None
    decimals: int
    claim: str = "equals"  # or "above": the seed says "over <value>"


SEED: tuple[SeedFigure, ...] = (
    SeedFigure("cpp_count_2017", "002:L120", "children subject to CP plans, end of March 2017", "236", 236, 0),
    SeedFigure("cpp_rate_2017", "002:L120", "CPP rate per 10,000, end of March 2017", "50", 50, 0),
    SeedFigure("cpp_count_2016", "002:L120", "CPP numbers in April 2016", "250", 250, 0),
    SeedFigure("cpp_sn_2016", "002:L120", "CPP rate, SN average 2015/16", "57", 57, 0),
    SeedFigure("cla_count_2017", "002:L124", "children looked after, end of March 2017", "363", 363, 0),
    SeedFigure("cla_rate_2017", "002:L124", "CLA rate per 10,000, end of March 2017", "76", 76, 0),
    SeedFigure("cla_sn_2016", "002:L124", "CLA rate, SN rate 2015/16", "79.5", 79.5, 1),
    SeedFigure("referral_high_2016", "002:L1182", "referral rates 'very high' in 2015 and into 2016", "very high", None, 0),
    SeedFigure("referral_rate_2017", "002:L1182", "referral rate per 10,000, year to date March 2017", "570", 570, 0),
    SeedFigure("referral_sn_2016", "002:L1182", "referral rate, SN average 2015/16", "660", 660, 0),
    SeedFigure("referral_sn_max_2016", "002:L1182", "referral rate, Plymouth 'outlier at over 1,000'", "> 1,000", 1000, 0, "above"),
    SeedFigure("referral_sn_below_500", "002:L1182", "SNs with referral rates under 500", "5", 5, 0),
    SeedFigure("s47_rate_2017", "002:L1188", "s47 rate per 10,000, 2016/17 to date", "180-195", None, 0),
    SeedFigure("s47_sn_2016", "002:L1188", "s47 rate, SN average 2015/16", "221", 221, 0),
    SeedFigure("s47_sn_range_2016", "002:L1188", "s47 rate, SN range 2015/16", "97-384", None, 0),
)  # fmt: skip


def peterborough_rates(catalogue: cyp.Catalogue) -> pl.DataFrame:
    """CPP and referral rates for every area 2015-2017 from DfE's counts (version in force)."""
    return cyp.indicator_results(
        cyp.csc_counts(),
        catalogue,
        ["cpp_rate_per_10k", "referral_rate_per_10k"],
        years=[2015, 2016, 2017],
    )


def with_neighbours(results: pl.DataFrame, catalogue: cyp.Catalogue) -> pl.DataFrame:
    """Peterborough's rows with the mean of its statistical neighbours, each indicator and year."""
    sn = cyp.neighbour_set(SN_VERSION)
    parts = []
    for ident in ("cpp_rate_per_10k", "referral_rate_per_10k"):
        las = results.filter(
            (pl.col("indicator_id") == ident) & (pl.col("geographic_level") == "Local authority")
        )
        parts.append(
            cyp.aggregate_neighbours(
                las,
                sn,
                method="mean",
                la="area_code",
                value="value",
                definition=catalogue.get(ident),
            ).filter(pl.col("area_code") == LA)
        )
    return pl.concat(parts)


def seed_count_rate(catalogue: cyp.Catalogue, ident: str, count: int, year: int) -> pl.DataFrame:
    """A seed count divided by the bundled population DfE would use for that year, presented."""
    definition = catalogue.get(ident, year=year)
    frame = pl.DataFrame({"la": [LA], "year": [year], "count": [count]})
    frame = cyp.attach_population(frame, area="la", year="year")
    return cyp.present(cyp.compute(definition, frame, numerator="count"), definition)


def _status(seed: SeedFigure, library: float | None) -> str:
    if library is None:
        return "not computable"
    if seed.value is None:
        return "consistent"
    if seed.claim == "above":
        return "reproduces" if library > seed.value else "differs"
    shown = cyp.round_half_away(library, seed.decimals)
    if shown == seed.value:
        return "reproduces"
    return "close" if abs(shown - seed.value) <= 0.05 * seed.value else "differs"


def social_care_table() -> pl.DataFrame:
    """The side-by-side table: a row per seed statement."""
    catalogue = cyp.load_catalogue()
    results = peterborough_rates(catalogue)
    mine = with_neighbours(results, catalogue)
    sn = cyp.neighbour_set(SN_VERSION)

    def pick(ident: str, year: int) -> dict[str, Any]:
        return mine.filter((pl.col("indicator_id") == ident) & (pl.col("year") == year)).row(
            0, named=True
        )

    cpp16, cpp17 = pick("cpp_rate_per_10k", 2016), pick("cpp_rate_per_10k", 2017)
    ref15 = pick("referral_rate_per_10k", 2015)
    ref16, ref17 = pick("referral_rate_per_10k", 2016), pick("referral_rate_per_10k", 2017)
    sn_referrals_2016 = results.filter(
        (pl.col("indicator_id") == "referral_rate_per_10k")
        & (pl.col("year") == 2016)
        & pl.col("area_code").is_in(list(sn.neighbours(LA)))
    )
    plymouth = sn_referrals_2016.filter(pl.col("area_code") == "879")["value"][0]
    below_500 = sn_referrals_2016.filter(pl.col("value") < 500)
    cpp_seed_count = seed_count_rate(catalogue, "cpp_rate_per_10k", 236, 2017)
    cla_seed_count = seed_count_rate(catalogue, "cla_rate_per_10k", 363, 2017)
    pop_2016 = int(cpp17["denominator"])
    seed_pop_referrals = cyp.round_half_away(ref17["numerator"] / SEED_MID_2015_POPULATION * 1e4)

    def implied(count: int, rate: int) -> int:
        return round(count * 10_000 / rate)

    def one(x: float) -> str:
        return f"{cyp.round_half_away(x, 1):.1f}"

    rows: dict[str, tuple[float | None, str, str]] = {
        "cpp_count_2017": (
            cpp17["numerator"],
            f"{cpp17['numerator']:.0f}",
            "DfE's published census count at 31 March 2017; the seed's 236 is presumably the "
            "council's own count before the return was finalised.",
        ),
        "cpp_rate_2017": (
            cpp17["value"],
            one(cpp17["value"]),
            f"{cpp17['numerator']:.0f} / {pop_2016:,} (mid-2016) x 10,000, shown to 1 dp as DfE does; "
            f"rounds to the seed's 50. The seed's own 236 on the same population gives "
            f"{cpp_seed_count['display'][0]}: its 50 implies about {implied(236, 50):,} children, "
            "an earlier ONS vintage.",
        ),
        "cpp_count_2016": (
            cpp16["numerator"],
            f"{cpp16['numerator']:.0f}",
            "DfE's count at 31 March 2016 against the seed's 'April 2016' (a round figure).",
        ),
        "cpp_sn_2016": (
            cpp16["sn_value"],
            one(cpp16["sn_value"]),
            f"Mean of the {cpp16['sn_n']} April 2021 neighbours, 2015/16, current populations; "
            "the seed's SN set was DfE's earlier model.",
        ),
        "cla_count_2017": (
            None,
            "-",
            "CLA counts are bundled from 2021 only (cla_at_31_march 2021-2025).",
        ),
        "cla_rate_2017": (
            float(cla_seed_count["value"][0]),
            cla_seed_count["display"][0],
            f"The seed's own 363 over {pop_2016:,} (mid-2016); its 76 implies about "
            f"{implied(363, 76):,} children, an earlier ONS vintage.",
        ),
        "cla_sn_2016": (
            None,
            "-",
            "Needs the neighbours' CLA counts for 2016, which are not bundled.",
        ),
        "referral_high_2016": (
            ref16["value"],
            one(ref16["value"]),
            f"2015/16 from DfE's counts, against {one(ref15['value'])} in 2014/15 and "
            f"{one(ref17['value'])} in 2016/17: the recording spike the seed describes.",
        ),
        "referral_rate_2017": (
            ref17["value"],
            one(ref17["value"]),
            f"DfE's final 2016/17 count ({ref17['numerator']:.0f}) over {pop_2016:,}; the seed quotes "
            f"internal year-to-date data. On the seed's 46,607 the count gives {seed_pop_referrals:.0f}.",
        ),
        "referral_sn_2016": (
            ref16["sn_value"],
            one(ref16["sn_value"]),
            f"Mean of the {ref16['sn_n']} April 2021 neighbours, 2015/16.",
        ),
        "referral_sn_max_2016": (
            plymouth,
            one(plymouth),
            f"Plymouth, 2015/16 from DfE's counts: "
            f"{'the highest' if plymouth == sn_referrals_2016['value'].max() else 'not the highest'} "
            "of the April 2021 neighbours.",
        ),
        "referral_sn_below_500": (
            float(below_500.height),
            str(below_500.height),
            f"Only {', '.join(below_500['area_name'].to_list()) or 'none'} in the April 2021 set; the "
            "seed's five point to a different neighbour set (and older populations).",
        ),
        "s47_rate_2017": (None, "-", "Section 47 counts are not bundled."),
        "s47_sn_2016": (None, "-", "Section 47 counts are not bundled."),
        "s47_sn_range_2016": (None, "-", "Section 47 counts are not bundled."),
    }
    records = []
    for seed in SEED:
        value, shown, note = rows[seed.key]
        records.append(
            {
                "source": seed.line,
                "statement": seed.statement,
                "seed": seed.figure,
                "library": shown,
                "status": _status(seed, value),
                "note": note,
            }
        )
    return pl.DataFrame(records)


def benchmark() -> pl.DataFrame:
    """The committee view of the two computable rates: Peterborough, England, SN mean, 3 years."""
    catalogue = cyp.load_catalogue()
    table = cyp.benchmark_table(
        peterborough_rates(catalogue),
        la=LA,
        sn=cyp.neighbour_set(SN_VERSION),
        definitions=catalogue,
        years=[2015, 2016, 2017],
        sn_method="mean",
    )
    return table.wide.select("indicator", "row", "2015", "2016", "2017", "3yr av.")


if __name__ == "__main__":
    pl.Config.set_tbl_hide_dataframe_shape(True)
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_tbl_rows(-1)
    pl.Config.set_fmt_str_lengths(200)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_formatting("ASCII_MARKDOWN")
    table = social_care_table()
    print("Seed 002 (2017 self-assessment) against the library on DfE's published data\n")
    print(table.drop("note"))
    print("\nNotes:")
    for source, statement, note in table.select("source", "statement", "note").rows():
        print(f"- {source} {statement}: {note}")
    print(
        f"\nCPP and referral rates, Peterborough against England and SN mean (dfe_sn@{SN_VERSION}):"
    )
    print(benchmark())
