"""Generated input data of stated sizes, reproducible from a seed.

* :func:`rate_counts` / :func:`proportion_counts`: one row per area with an event count and a
  population (rates) or a numerator and denominator (proportions), sized like LA or ward
  figures, with enough small counts (< 10) to exercise the exact-Poisson branch.
* :func:`pupils`: KS2 prior level and GCSE grade as the text councils extract them ("4B",
  "level 4", "a-star", blanks and nulls), and a free-school-meals flag.
* :func:`catalogue_counts`: every count column the catalogue's computable definitions name, for
  every LA and year, consistent (a numerator never exceeds its denominator).
* :func:`write_pupil_parquet`: the pupil frame in chunks as Parquet files with row groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import polars as pl

import cyp_indicators as cyp

__all__ = [
    "COMPUTABLE_SKIPPED",
    "GCSE_VALUES",
    "KS2_VALUES",
    "catalogue_counts",
    "catalogue_definitions",
    "proportion_counts",
    "pupils",
    "rate_counts",
    "write_pupil_parquet",
]

# Raw KS2 values and their shares: levels in the spellings extracts use, teacher-assessment
# codes, blanks and nulls (which fall in the "no TA or test" row).
KS2_VALUES: tuple[tuple[str | None, float], ...] = (
    ("4", 0.22), ("4B", 0.08), ("4a", 0.04), ("level 4", 0.02), ("5", 0.16), ("5C", 0.04),
    ("3", 0.10), ("3A", 0.03), ("6", 0.03), ("2", 0.05), ("2b", 0.01), ("1", 0.02),
    ("W", 0.02), ("B", 0.01), ("D", 0.02), ("A", 0.01), ("L", 0.01), ("NE", 0.01),
    ("", 0.06), (None, 0.06),
)  # fmt: skip
GCSE_VALUES: tuple[tuple[str | None, float], ...] = (
    ("A*", 0.05), ("A-star", 0.01), ("A", 0.10), ("B", 0.17), ("C", 0.22), ("c", 0.02),
    ("D", 0.14), ("E", 0.08), ("F", 0.06), ("G", 0.04), ("U", 0.03), ("X", 0.02),
    (None, 0.06),
)  # fmt: skip

#: Families ``compute`` cannot compute from counts: the full-catalogue case skips them.
COMPUTABLE_SKIPPED = (cyp.Family.EXPECTED_PROGRESS, cyp.Family.DURATION)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def rate_counts(rows: int, seed: int = 1) -> pl.DataFrame:
    """``area`` (Int64), ``n`` events (Int64, 5 % of rows below 10) and ``d`` population."""
    rng = _rng(seed)
    lam = np.exp(rng.uniform(np.log(10), np.log(5000), rows))
    small = rng.random(rows) < 0.05
    events = np.where(small, rng.integers(0, 10, rows), rng.poisson(lam))
    population = rng.integers(1_000, 500_000, rows)
    return pl.DataFrame(
        {"area": np.arange(rows, dtype=np.int64), "n": events.astype(np.int64), "d": population}
    )


def proportion_counts(rows: int, seed: int = 2) -> pl.DataFrame:
    """``area``, ``x`` successes out of ``n`` trials (``0 <= x <= n``, ``n >= 1``)."""
    rng = _rng(seed)
    trials = np.exp(rng.uniform(0, np.log(100_000), rows)).astype(np.int64) + 1
    share = rng.uniform(0.0, 1.0, rows)
    successes = rng.binomial(trials, share)
    return pl.DataFrame(
        {"area": np.arange(rows, dtype=np.int64), "x": successes.astype(np.int64), "n": trials}
    )


def _pick(
    values: Sequence[tuple[str | None, float]], rows: int, rng: np.random.Generator
) -> pl.Series:
    weights = np.array([w for _, w in values])
    index = rng.choice(len(values), size=rows, p=weights / weights.sum()).astype(np.uint32)
    return pl.Series([v for v, _ in values], dtype=pl.String).gather(index)


def pupils(rows: int, seed: int = 3) -> pl.DataFrame:
    """``ks2`` and ``gcse`` as raw text (String, with nulls) and ``fsm`` (Boolean, ~15 %)."""
    rng = _rng(seed)
    return pl.DataFrame(
        {
            "ks2": _pick(KS2_VALUES, rows, rng),
            "gcse": _pick(GCSE_VALUES, rows, rng),
            "fsm": rng.random(rows) < 0.15,
        }
    )


def write_pupil_parquet(
    folder: Path, rows: int, *, files: int = 10, row_group_size: int = 1_000_000, seed: int = 4
) -> list[Path]:
    """Write ``rows`` pupils as ``files`` Parquet files (one generated chunk at a time)."""
    folder.mkdir(parents=True, exist_ok=True)
    per_file = -(-rows // files)
    paths: list[Path] = []
    written = 0
    for i in range(files):
        chunk = min(per_file, rows - written)
        if chunk <= 0:
            break
        path = folder / f"pupils_{i:03d}.parquet"
        pupils(chunk, seed=seed + i).write_parquet(
            path, row_group_size=min(row_group_size, chunk), statistics=True
        )
        paths.append(path)
        written += chunk
    return paths


def catalogue_definitions(
    catalogue: cyp.Catalogue, years: Iterable[int]
) -> dict[int, list[cyp.IndicatorDefinition]]:
    """Per year, the definitions in force that ``compute`` calculates from counts."""
    return {
        year: [d for d in catalogue.in_force(year).values() if d.family not in COMPUTABLE_SKIPPED]
        for year in years
    }


def catalogue_counts(
    definitions: dict[int, list[cyp.IndicatorDefinition]], las: Sequence[str], seed: int = 5
) -> pl.DataFrame:
    """One row per (LA, year) with every column the definitions read.

    Populations are 20k-300k children; other counts start random and are then lowered until
    every proportion's numerator is at most its denominator (chains such as contacts >=
    referrals >= re-referrals hold). Means get totals near 46 points per pupil and a spread.
    """
    rng = _rng(seed)
    years = sorted(definitions)
    rows = len(las) * len(years)
    every = [d for ds in definitions.values() for d in ds]
    columns: dict[str, np.ndarray] = {}
    limits: set[tuple[str, str]] = set()
    means: list[tuple[str, str, str | None]] = []
    for d in every:
        num = d.numerator.column
        den = d.denominator.column if d.denominator else None
        spread = d.spread.column if d.spread else None
        if d.family in (cyp.Family.MEAN, cyp.Family.POINTS):
            means.append((num, den or "", spread))
            continue
        for col in (num, den):
            if col is not None and col not in columns:
                if col.startswith("population"):
                    columns[col] = rng.integers(20_000, 300_000, rows).astype(np.float64)
                else:
                    columns[col] = rng.integers(0, 20_000, rows).astype(np.float64)
        if den is not None and d.family is not cyp.Family.RATE:
            limits.add((num, den))
    changed = True
    while changed:  # lower numerators to their denominators until every chain holds
        changed = False
        for num, den in sorted(limits):
            lowered = np.minimum(columns[num], columns[den])
            if (lowered < columns[num]).any():
                columns[num] = lowered
                changed = True
    for total, pupils_col, spread in means:
        if pupils_col not in columns:
            columns[pupils_col] = rng.integers(50, 5_000, rows).astype(np.float64)
        columns[total] = columns[pupils_col] * rng.normal(46, 5, rows)
        if spread is not None:
            columns[spread] = rng.uniform(10, 25, rows)
    frame = pl.DataFrame(
        {
            "la": [la for _ in years for la in las],
            "year": np.repeat(np.array(years, dtype=np.int64), len(las)),
        }
    )
    whole = {c for c in columns if not any(c in (t, s) for t, _, s in means)}
    return frame.with_columns(
        pl.Series(name, values).cast(pl.Int64 if name in whole else pl.Float64)
        for name, values in columns.items()
    )
