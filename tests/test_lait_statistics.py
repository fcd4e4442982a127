"""LAIT's own statistics for all 434 of its measures, every LA and year, from ``comparisons()``.

LAIT computes them in its app from the published values (its R code: ``R/fn_analysis.R``,
``R/lait_modules/mod_la_lvl_table.R`` in dfe-analytical-services/local-authority-interactive-tool,
MIT; read, not copied). The rules, restated:

* statistical-neighbour average: the mean of the LA's May 2025 neighbours that have a value for
  the year, on the values as published (unrounded); none with a value gives none;
* national rank: over every LA row with a value that year (pre-reorganisation authorities
  included where they carry a value), ``rank(ties.method = "min")``, the highest first for
  polarity High and the lowest first for Low; no rank without a polarity;
* quartile band: R's default quantiles (type 7) of the same values; for Low, A up to and including
  the lower quartile, B to the median, C to the upper quartile, D above; High reverses the
  letters; no band without a polarity or where the dictionary sets ``No_Quartile``.

LAIT shows rank and band for the latest year only; the same rules are applied to every year here.
The expected figures are computed below with numpy and the standard library, from the LAIT file
and the statistical-neighbour file read directly (not through the library's readers).
"""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.lait import lait_rows
from cyp_indicators.sources.manifest import bundled_source

ROOT = Path(__file__).resolve().parents[1]


def _neighbours() -> dict[str, list[str]]:
    doc = tomllib.loads((ROOT / "definitions" / "comparators" / "dfe_sn_2025.toml").read_text())
    return {g["la"]: g["members"] for g in doc["groups"]}


def _dictionary() -> dict[str, tuple[str, bool]]:
    """Short name -> (polarity, banded). A short name listed under two topics is not banded if
    either row sets No_Quartile (LAIT keys its settings by the long name)."""
    d = pl.read_parquet(bundled_source("lait_dictionary").path)
    out: dict[str, tuple[str, bool]] = {}
    for r in d.iter_rows(named=True):
        name = r["Measure_short"]
        polarity = {"High": "high_is_good", "Low": "low_is_good"}.get(
            r["Polarity"], "not_applicable"
        )
        banded = r["No_Quartile"] != "N"
        if name in out:
            banded = banded and out[name][1]
        out[name] = (polarity, banded)
    return out


def _expected(raw: pl.DataFrame, polarity: str, banded: bool, sn: dict[str, list[str]]) -> dict:
    """(LA, year label) -> (sn mean, rank, band), from the LAIT rules above."""
    out: dict[tuple[str, str], tuple[float | None, int | None, str | None]] = {}
    by_year: dict[str, dict[str, float | None]] = defaultdict(dict)
    for r in raw.iter_rows(named=True):
        number = r["LA Number"]
        if number is None or number >= 970:
            continue
        value = None if r["Values"] == "-" else float(r["Values"])
        by_year[r["Years"]][str(int(number))] = value
    for label, values in by_year.items():
        present = np.array(sorted(v for v in values.values() if v is not None))
        q = np.quantile(present, [0.25, 0.5, 0.75], method="linear") if present.size else None
        for la, v in values.items():
            members = [values.get(m) for m in sn.get(la, [])]
            known = [m for m in members if m is not None]
            mean = sum(known) / len(known) if known else None
            rank = band = None
            if v is not None and polarity != "not_applicable":
                if polarity == "high_is_good":  # 1 + how many are strictly higher
                    rank = 1 + int(present.size - np.searchsorted(present, v, side="right"))
                else:
                    rank = 1 + int(np.searchsorted(present, v, side="left"))
                if banded and q is not None:
                    quarter = 0 if v <= q[0] else 1 if v <= q[1] else 2 if v <= q[2] else 3
                    band = ("ABCD" if polarity == "low_is_good" else "DCBA")[quarter]
            out[(la, label)] = (mean, rank, band)
    return out


@pytest.fixture(scope="module")
def lait() -> pl.DataFrame:
    return pl.read_parquet(bundled_source("lait").path).filter(pl.col("Years") != "0")


def test_sn_average_rank_and_band_for_every_lait_measure(lait: pl.DataFrame) -> None:
    settings = _dictionary()
    names = sorted(lait["Short Desc"].unique().to_list())
    assert len(names) == 434
    sn = _neighbours()
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for name in names:
        groups[settings[name]].append(name)
    checked = 0
    for (polarity, banded), members in groups.items():
        tidy = lait_rows(members)
        got = cyp.comparisons(tidy, polarity=polarity, quartiles=banded, by=["series"])
        got_map = {
            (r["series"], r["area_code"], r["time_label"]): (r["sn_value"], r["la_rank"], r["band"])
            for r in got.select(
                "series", "area_code", "time_label", "sn_value", "la_rank", "band"
            ).iter_rows(named=True)
        }
        for name in members:
            expected = _expected(lait.filter(pl.col("Short Desc") == name), polarity, banded, sn)
            for (la, label), (mean, rank, band) in expected.items():
                have = got_map[(name, la, label)]
                if mean is None:
                    assert have[0] is None, (name, la, label)
                else:
                    assert have[0] is not None, (name, la, label)
                    close = math.isclose(have[0], mean, rel_tol=1e-12, abs_tol=1e-12)
                    assert close, (name, la, label, have[0], mean)
                assert have[1] == rank, (name, la, label, have[1], rank)
                assert have[2] == band, (name, la, label, have[2], band)
                checked += 1
    assert checked > 590_000
