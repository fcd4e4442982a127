"""pandas baselines in the style analysts use today.

* Intervals: ``DataFrame.apply(axis=1)`` with a function that calls scipy for each row (the
  normal quantile for the level, chi-square quantiles for small counts), returning a Series.
* Expected progress: map the raw codes with a dict, ``merge`` with the cells table, ``groupby``.

pandas is optional (the ``bench`` extra): :func:`available` says whether it can be imported.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from typing import Any

import polars as pl

__all__ = ["available", "progress_merge", "proportion_rowwise", "rate_rowwise", "to_pandas"]


def available() -> bool:
    """Whether pandas (and pyarrow, which polars' ``to_pandas`` needs) can be imported."""
    return all(importlib.util.find_spec(m) is not None for m in ("pandas", "pyarrow"))


def to_pandas(frame: pl.DataFrame) -> Any:
    """The frame as a pandas DataFrame (numpy-backed columns, as analysts' code expects)."""
    return frame.to_pandas()


def rate_rowwise(pdf: Any, num: str, den: str, multiplier: float, levels: Sequence[float]) -> Any:
    """Rate and exact/Byar's limits, one row at a time through ``DataFrame.apply``."""
    from scipy import stats

    def one(row: Any) -> Any:
        import pandas as pd

        o = row[num]
        d = row[den]
        out: dict[str, Any] = {"value": o / d * multiplier}
        for level in levels:
            alpha = 1 - level
            z = stats.norm.ppf(1 - alpha / 2)
            if o < 10:
                lower = 0.0 if o == 0 else stats.chi2.ppf(alpha / 2, 2 * o) / 2
                upper = stats.chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
            else:
                lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
                upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
                if lower < 0:
                    lower = float("nan")
            tag = f"{level * 100:.10g}".replace(".", "_")
            out[f"lower_{tag}"] = lower / d * multiplier
            out[f"upper_{tag}"] = upper / d * multiplier
        out["method"] = "exact" if o < 10 else "byars"
        return pd.Series(out)

    return pdf.join(pdf.apply(one, axis=1))


def proportion_rowwise(
    pdf: Any, num: str, den: str, multiplier: float, levels: Sequence[float]
) -> Any:
    """Proportion and Wilson limits, one row at a time through ``DataFrame.apply``."""
    from scipy import stats

    def one(row: Any) -> Any:
        import pandas as pd

        x = row[num]
        n = row[den]
        out: dict[str, Any] = {"value": x / n * multiplier}
        for level in levels:
            z = stats.norm.ppf(1 - (1 - level) / 2)
            centre = (x + z**2 / 2) / (n + z**2)
            half = z * math.sqrt(x * (n - x) / n + z**2 / 4) / (n + z**2)
            lower = 0.0 if x == 0 else centre - half
            upper = 1.0 if x == n else centre + half
            tag = f"{level * 100:.10g}".replace(".", "_")
            out[f"lower_{tag}"] = lower * multiplier
            out[f"upper_{tag}"] = upper * multiplier
        out["method"] = "wilson"
        return pd.Series(out)

    return pdf.join(pdf.apply(one, axis=1))


def progress_merge(
    pdf: Any,
    cells: Any,
    prior_map: dict[str, str],
    outcome_map: dict[str, str],
    *,
    prior: str,
    outcome: str,
    by: Sequence[str],
) -> tuple[Any, Any]:
    """Classified pupils (dict map + merge with the cells table) and per-group rates."""
    frame = pdf.copy()
    frame["prior_code"] = frame[prior].fillna("").map(prior_map)
    frame["outcome_code"] = frame[outcome].fillna("").map(outcome_map)
    classified = frame.merge(cells, on=["prior_code", "outcome_code"], how="left")
    counts = (
        classified.groupby([*by, "progress"]).size().unstack("progress", fill_value=0).reset_index()
    )
    for column in ("made", "not_made", "not_included"):
        if column not in counts:
            counts[column] = 0
    counts["pupils"] = counts[["made", "not_made", "not_included"]].sum(axis=1)
    counts["included"] = counts["made"] + counts["not_made"]
    x = counts["made"].astype(float)
    n = counts["included"].astype(float)
    z = 1.959963984540054
    centre = (x + z**2 / 2) / (n + z**2)
    half = z * ((x * (n - x) / n + z**2 / 4) ** 0.5) / (n + z**2)
    counts["value"] = x / n * 100
    counts["lower_95"] = (centre - half) * 100
    counts["upper_95"] = (centre + half) * 100
    return classified, counts
