"""The 2017 self-assessment's social-care figures, rebuilt from DfE's published values.

Run: .venv/bin/python examples/self_assessment_social_care.py

Peterborough's 2017 self-assessment (seed 002) quotes child protection, looked-after, referral,
section 47 and placement-stability figures for March 2017 beside "statistical neighbour
averages" for 2015/16. This example takes every one of them from the figures DfE published for
those years (``cyp.published``: LAIT's series, bundled with the library), sets each beside its
statistical neighbours and England (``cyp.comparisons``) and prints the seed's figure, the
published one, whether they agree and, where they differ, why.

Why a figure can differ, and what the notes say:

* **Local, unvalidated data.** The seed was written in spring 2017 from the council's own
  system (year-to-date referrals, the CPP and CLA counts on the day); DfE's figures are the
  validated returns for the year to 31 March, published months later.
* **The neighbours of the time.** The seed's averages are 2015/16 figures over DfE's
  statistical-neighbour model of the time; the library bundles DfE's April 2021 and May 2025
  sets, and this example uses the April 2021 set (the mean of the ten, as LAIT takes it). Where
  the two sets overlap enough, the averages agree to the seed's precision (the CLA average is
  79.5 in both).
* **Populations.** The seed's rates used the ONS estimates available in 2017 (46,607 children,
  mid-2015, 002:L102); DfE's rates use the estimate of the year before each 31 March.

The seed's figures are embedded below as literals with their line numbers in seed 002; nothing
here reads files outside the installed package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

import cyp_indicators as cyp

LA = "874"  # Peterborough
PLYMOUTH = "879"
SN_VERSION = "2021"  # DfE's April 2021 statistical neighbours (the older of the bundled sets)
MEASURES = (
    "cpp_count_at_31_march",
    "cpp_rate_per_10k",
    "cla_count",
    "cla_rate_per_10k",
    "cla_uasc_count",
    "referral_rate_per_10k",
    "s47_rate_per_10k",
    "cla_three_or_more_placements_pct",
)
YEARS = (2016, 2017)  # LAIT's series begin with 2015/16


@dataclass(frozen=True)
class SeedFigure:
    """One figure the seed states: the quoted words, its line, the number and its precision."""

    key: str
    line: str
    statement: str
    figure: str
    value: float | None
    decimals: int
    claim: str = "equals"  # "above": the seed says "over <value>"; "range": low-high


SEED: tuple[SeedFigure, ...] = (
    SeedFigure("cpp_count_2017", "002:L120", "children subject to CP plans, end of March 2017", "236", 236, 0),
    SeedFigure("cpp_rate_2017", "002:L120", "CPP rate per 10,000, end of March 2017", "50", 50, 0),
    SeedFigure("cpp_count_2016", "002:L120", "CPP numbers in April 2016", "250", 250, 0),
    SeedFigure("cpp_sn_2016", "002:L120", "CPP rate, SN average 2015/16", "57", 57, 0),
    SeedFigure("cla_count_2017", "002:L124", "children looked after, end of March 2017", "363", 363, 0),
    SeedFigure("cla_rate_2017", "002:L124", "CLA rate per 10,000, end of March 2017", "76", 76, 0),
    SeedFigure("cla_sn_2016", "002:L124", "CLA rate, SN rate 2015/16", "79.5", 79.5, 1),
    SeedFigure("uasc_2017", "002:L124", "unaccompanied asylum-seeking children in care, 'around 30'", "30", 30, 0),
    SeedFigure("stability_2017", "002:L387", "CLA with three or more placements in 12 months", "6.3%", 6.3, 1),
    SeedFigure("stability_gap_2017", "002:L387", "three or more placements: points better than SN and England", "2-3", None, 0, "range"),
    SeedFigure("referral_high_2016", "002:L1182", "referral rates 'very high' in 2015 and into 2016", "very high", None, 0),
    SeedFigure("referral_rate_2017", "002:L1182", "referral rate per 10,000, year to date March 2017", "570", 570, 0),
    SeedFigure("referral_sn_2016", "002:L1182", "referral rate, SN average 2015/16", "660", 660, 0),
    SeedFigure("referral_sn_max_2016", "002:L1182", "referral rate, Plymouth 'outlier at over 1,000'", "> 1,000", 1000, 0, "above"),
    SeedFigure("referral_sn_below_500", "002:L1182", "SNs with referral rates under 500", "5", 5, 0),
    SeedFigure("s47_rate_2017", "002:L1188", "s47 rate per 10,000, 2016/17 to date", "180-195", None, 0, "range"),
    SeedFigure("s47_sn_2016", "002:L1188", "s47 rate, SN average 2015/16", "221", 221, 0),
    SeedFigure("s47_sn_range_2016", "002:L1188", "s47 rate, SN range 2015/16", "97-384", None, 0, "range"),
)  # fmt: skip


def published_values() -> pl.DataFrame:
    """Every LA's, region's and England's published figure for the measures, 2016 and 2017."""
    columns = ("definition_id", "time_period", "geographic_level", "area_code", "area_name")
    parts = [
        cyp.published(ident)
        .filter(pl.col("time_period").is_in(YEARS))
        .select(*columns, "value", "symbol")
        for ident in MEASURES
    ]
    return pl.concat(parts)


def compared(values: pl.DataFrame) -> pl.DataFrame:
    """Each measure's LA rows beside the April 2021 neighbours and England (LAIT's statistics)."""
    catalogue = cyp.load_catalogue()
    sn = cyp.neighbour_set(SN_VERSION)
    parts = [
        cyp.comparisons(
            values.filter(pl.col("definition_id") == ident).drop("definition_id"),
            catalogue.get(ident),
            sn=sn,
        ).with_columns(pl.lit(ident).alias("definition_id"))
        for ident in MEASURES
    ]
    return pl.concat(parts, how="diagonal_relaxed")


def _status(seed: SeedFigure, library: float | None, low: float | None = None) -> str:
    if library is None:
        return "not published"
    if seed.claim == "range":
        if low is None or seed.figure.count("-") != 1:
            return "consistent"
        lo, hi = (float(x) for x in seed.figure.split("-"))
        inside = lo <= cyp.round_half_away(low, 0) and cyp.round_half_away(library, 0) <= hi
        return "reproduces" if inside else "close"
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
    values = published_values()
    table = compared(values)

    def row(ident: str, year: int, area: str = LA) -> dict[str, Any]:
        return table.filter(
            (pl.col("definition_id") == ident)
            & (pl.col("time_period") == year)
            & (pl.col("area_code") == area)
        ).row(0, named=True)

    sn_las = list(cyp.neighbour_set(SN_VERSION).neighbours(LA))
    ref_sn_2016 = table.filter(
        (pl.col("definition_id") == "referral_rate_per_10k")
        & (pl.col("time_period") == 2016)
        & pl.col("area_code").is_in(sn_las)
    )
    below_500 = ref_sn_2016.filter(pl.col("value") < 500)
    cpp16, cpp17 = row("cpp_rate_per_10k", 2016), row("cpp_rate_per_10k", 2017)
    cppn16, cppn17 = row("cpp_count_at_31_march", 2016), row("cpp_count_at_31_march", 2017)
    cla16, cla17 = row("cla_rate_per_10k", 2016), row("cla_rate_per_10k", 2017)
    clan17 = row("cla_count", 2017)
    uasc17 = row("cla_uasc_count", 2017)
    st17 = row("cla_three_or_more_placements_pct", 2017)
    ref16, ref17 = row("referral_rate_per_10k", 2016), row("referral_rate_per_10k", 2017)
    s47_16, s47_17 = row("s47_rate_per_10k", 2016), row("s47_rate_per_10k", 2017)
    plymouth = row("referral_rate_per_10k", 2016, PLYMOUTH)["value"]
    gaps = (st17["sn_value"] - st17["value"], st17["england_value"] - st17["value"])

    def one(x: float) -> str:
        return f"{cyp.round_half_away(x, 1):.1f}"

    def whole(x: float) -> str:
        return f"{cyp.round_half_away(x, 0):.0f}"

    local = "the seed used the council's own count on the day, before the return was validated"
    rows: dict[str, tuple[float | None, str, str, float | None]] = {
        "cpp_count_2017": (
            cppn17["value"], whole(cppn17["value"]),
            f"DfE's count at 31 March 2017; {local}.", None,
        ),
        "cpp_rate_2017": (
            cpp17["value"], one(cpp17["value"]),
            f"DfE publishes {one(cpp17['value'])} (England {one(cpp17['england_value'])}); "
            "it rounds to the seed's 50.", None,
        ),
        "cpp_count_2016": (
            cppn16["value"], whole(cppn16["value"]),
            "DfE's count at 31 March 2016 against the seed's 'April 2016', a round figure from "
            "the council's own system.", None,
        ),
        "cpp_sn_2016": (
            cpp16["sn_value"], one(cpp16["sn_value"]),
            f"Mean of the {cpp16['sn_n']} April 2021 neighbours' published 2015/16 rates; the "
            "seed's average was over DfE's neighbours of the time.", None,
        ),
        "cla_count_2017": (
            clan17["value"], whole(clan17["value"]),
            f"DfE's count at 31 March 2017; {local}.", None,
        ),
        "cla_rate_2017": (
            cla17["value"], whole(cla17["value"]),
            f"DfE publishes {whole(cla17['value'])} for 2017 (and {whole(cla16['value'])} for "
            "2016, the seed's figure): the seed's rate is the previous year's, or its own count "
            "over an older population estimate.", None,
        ),
        "cla_sn_2016": (
            cla16["sn_value"], one(cla16["sn_value"]),
            f"Mean of the {cla16['sn_n']} April 2021 neighbours' published 2015/16 rates.", None,
        ),
        "uasc_2017": (
            uasc17["value"], whole(uasc17["value"]),
            "DfE's count of unaccompanied asylum-seeking children looked after at 31 March 2017; "
            "the seed says 'around 30'.", None,
        ),
        "stability_2017": (
            st17["value"], whole(st17["value"]),
            "DfE publishes this percentage as a whole number; the seed's 6.3 is the council's "
            "own figure to one decimal place for a 12-month window ending earlier.", None,
        ),
        "stability_gap_2017": (
            max(gaps), f"{one(gaps[0])} (SN), {one(gaps[1])} (England)",
            f"Published 2017: Peterborough {whole(st17['value'])}%, SN mean "
            f"{one(st17['sn_value'])}%, England {whole(st17['england_value'])}%, in percentage "
            "points; the published whole numbers put the gap a little above the seed's range.",
            min(gaps),
        ),
        "referral_high_2016": (
            ref16["value"], one(ref16["value"]),
            f"Published rate for April 2015 to March 2016, against {one(ref17['value'])} in "
            f"2016/17 and England's {one(ref16['england_value'])}: the recording spike the seed "
            "describes.", None,
        ),
        "referral_rate_2017": (
            ref17["value"], one(ref17["value"]),
            f"DfE's final 2016/17 rate; the seed quotes the year to date in March from local "
            f"data (England {one(ref17['england_value'])}).", None,
        ),
        "referral_sn_2016": (
            ref16["sn_value"], one(ref16["sn_value"]),
            f"Mean of the {ref16['sn_n']} April 2021 neighbours' published 2015/16 rates.", None,
        ),
        "referral_sn_max_2016": (
            plymouth, one(plymouth),
            "Plymouth's published 2015/16 rate: "
            f"{'the highest' if plymouth == ref_sn_2016['value'].max() else 'not the highest'} "
            "of the April 2021 neighbours.", None,
        ),
        "referral_sn_below_500": (
            float(below_500.height), str(below_500.height),
            f"Only {', '.join(below_500['area_name'].to_list()) or 'none'} in the April 2021 "
            "set: the seed's five point to the neighbour set of the time.", None,
        ),
        "s47_rate_2017": (
            s47_17["value"], one(s47_17["value"]),
            f"DfE's final 2016/17 rate (2015/16: {one(s47_16['value'])}); the seed's range is "
            "the local monthly rate during the year.", s47_17["value"],
        ),
        "s47_sn_2016": (
            s47_16["sn_value"], one(s47_16["sn_value"]),
            f"Mean of the {s47_16['sn_n']} April 2021 neighbours' published 2015/16 rates.", None,
        ),
        "s47_sn_range_2016": (
            s47_16["sn_max"], f"{one(s47_16['sn_min'])}-{one(s47_16['sn_max'])}",
            "Lowest and highest of the April 2021 neighbours, 2015/16.", s47_16["sn_min"],
        ),
    }  # fmt: skip
    records = []
    for seed in SEED:
        value, shown, note, low = rows[seed.key]
        records.append(
            {
                "source": seed.line,
                "statement": seed.statement,
                "seed": seed.figure,
                "library": shown,
                "status": _status(seed, value, low),
                "note": note,
            }
        )
    return pl.DataFrame(records)


def benchmark() -> pl.DataFrame:
    """The committee view: Peterborough, the SN mean and England, 2016 and 2017, as published."""
    catalogue = cyp.load_catalogue()
    table = compared(published_values()).filter(pl.col("area_code") == LA)
    rows = []
    for ident in MEASURES:
        definition = catalogue.get(ident)
        places = definition.presentation.decimal_places
        mine = table.filter(pl.col("definition_id") == ident).sort("time_period")
        for label, column in (
            ("Peterborough", "value"),
            ("Statistical neighbours (mean)", "sn_value"),
            ("England", "england_value"),
        ):
            cells = {
                str(y): f"{cyp.round_half_away(v, places):.{places}f}" if v is not None else "-"
                for y, v in zip(mine["time_period"], mine[column], strict=True)
            }
            rows.append({"indicator": definition.title, "row": label} | cells)
    return pl.DataFrame(rows).select("indicator", "row", *(str(y) for y in YEARS))


if __name__ == "__main__":
    pl.Config.set_tbl_hide_dataframe_shape(True)
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_tbl_rows(-1)
    pl.Config.set_fmt_str_lengths(200)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_formatting("ASCII_MARKDOWN")
    result = social_care_table()
    print("Seed 002 (2017 self-assessment) against DfE's published figures\n")
    print(result.drop("note"))
    print("\nNotes:")
    for source, statement, note in result.select("source", "statement", "note").rows():
        print(f"- {source} {statement}: {note}")
    print(f"\nPublished figures: Peterborough, SN mean (dfe_sn@{SN_VERSION}) and England:")
    print(benchmark())
