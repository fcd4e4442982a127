"""The recent-trend test over the last five points, after Fingertips (OHID), clean-room.

Two forms, both on the latest unbroken run of valid points (value present, count present,
denominator > 0), using its five most recent points indexed t = 1..5 (gaps in the years are not
weighted):

* ``"counts"`` (proportions; Fingertips' SPC-for-proportions branch): the chi-square test for trend
  in proportions (Cochran-Armitage), with counts R_t out of N_t:
  ``chi2 = N (N sum R_t t - R sum N_t t)^2 / (R (N - R) (N sum N_t t^2 - (sum N_t t)^2))``.
  The slope is that of logit(R_t / N_t) on t (least squares).
* ``"weighted"`` (rates and any value with a 95 % interval): weighted least squares of the value on
  t with weights 1 / SE^2, SE = (upper_95 - lower_95) / 3.92; ``chi2 = (b / SE(b))^2``.

A trend is significant when chi2 exceeds 9.54953570608324 (chi-square, 1 degree of freedom, at
99.8 %) and no point is an outlier: the slope keeps its sign when each point in turn is left out.
Direction is the sign of the slope. Fingertips' own proportions branch never records its slope, so
it always reports a significant trend as decreasing; here the direction is the slope's sign.
Fingertips refuses a run in which a count equals its denominator; so do we.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import polars as pl

from ..errors import DataError, InvalidValueError
from ..model import Polarity
from ..stats.checks import check_columns
from ._values import check_readable

__all__ = ["CHI2_THRESHOLD", "trend_markers", "trend_test"]

#: Chi-square with one degree of freedom at 99.8 % (Excel CHIINV(0.002, 1)).
CHI2_THRESHOLD = 9.54953570608324
_POINTS = 5
_T = (1.0, 2.0, 3.0, 4.0, 5.0)


def _slope(ts: Sequence[float], ys: Sequence[float]) -> float:
    n = len(ts)
    mt, my = sum(ts) / n, sum(ys) / n
    sxx = sum((t - mt) ** 2 for t in ts)
    return sum((t - mt) * (y - my) for t, y in zip(ts, ys, strict=True)) / sxx


def _no_outliers(slopes: Sequence[float]) -> bool:
    signs = [1 if (math.isnan(b) or b >= 0) else -1 for b in slopes]
    return abs(sum(signs)) == len(signs)


def _weighted(
    values: Sequence[float], lower: Sequence[float], upper: Sequence[float]
) -> tuple[float, float, bool]:
    def fit(idx: Sequence[int]) -> tuple[float, float]:
        w = [1 / (((upper[i] - lower[i]) / 3.92) ** 2) for i in idx]
        t = [_T[i] for i in idx]
        y = [values[i] for i in idx]
        s1, s3, s4 = (
            sum(w),
            sum(a * b for a, b in zip(w, t, strict=True)),
            sum(a * b for a, b in zip(w, y, strict=True)),
        )
        s2 = sum(a * b * c for a, b, c in zip(w, y, t, strict=True))
        s5 = sum(a * b * b for a, b in zip(w, t, strict=True))
        delta = s1 * s5 - s3 * s3
        b = (s1 * s2 - s3 * s4) / delta
        return b, (b / math.sqrt(s1 / delta)) ** 2

    b, chi2 = fit(range(_POINTS))
    slopes = [b] + [fit([i for i in range(_POINTS) if i != k])[0] for k in range(_POINTS)]
    return b, chi2, _no_outliers(slopes)


def _counts(counts: Sequence[float], totals: Sequence[float]) -> tuple[float, float, bool]:
    big_n, big_r = sum(totals), sum(counts)
    srt = sum(r * t for r, t in zip(counts, _T, strict=True))
    snt = sum(n * t for n, t in zip(totals, _T, strict=True))
    snt2 = sum(n * t * t for n, t in zip(totals, _T, strict=True))
    chi2 = (
        big_n
        * (big_n * srt - big_r * snt) ** 2
        / (big_r * (big_n - big_r) * (big_n * snt2 - snt**2))
    )
    logits = [
        math.log(r / (n - r)) if 0 < r < n else math.nan
        for r, n in zip(counts, totals, strict=True)
    ]

    def slope(idx: Sequence[int]) -> float:
        ys = [logits[i] for i in idx]
        return math.nan if any(math.isnan(y) for y in ys) else _slope([_T[i] for i in idx], ys)

    slopes = [slope(range(_POINTS))] + [
        slope([i for i in range(_POINTS) if i != k]) for k in range(_POINTS)
    ]
    if math.isnan(slopes[0]):  # a count of 0: the sign of the trend statistic gives the direction
        return float(big_n * srt - big_r * snt), chi2, _no_outliers(slopes)
    return slopes[0], chi2, _no_outliers(slopes)


def trend_test(
    years: Sequence[int],
    values: Sequence[float | None],
    *,
    counts: Sequence[float | None] | None = None,
    totals: Sequence[float | None] | None = None,
    lower: Sequence[float | None] | None = None,
    upper: Sequence[float | None] | None = None,
    method: Literal["counts", "weighted"],
) -> dict[str, object]:
    """The recent-trend test for one series (see the module docstring for the two forms).

    The test runs on the latest unbroken run of valid points, using its five most recent.

    Parameters
    ----------
    years
        The series' years (in any order).
    values
        Its values (None: no value, which breaks the run).
    counts, totals
        For ``method="counts"``: each point's count and denominator.
    lower, upper
        For ``method="weighted"``: each point's 95 % limits.
    method
        ``"counts"`` (proportions: the chi-square test for trend) or ``"weighted"`` (weighted
        least squares with weights from the 95 % intervals).

    Returns
    -------
    dict[str, object]
        ``trend`` ("increasing", "decreasing", "no significant change", or None when it cannot be
        calculated), ``chi2``, ``slope``, ``points`` (5, or 0 when not calculated) and ``reason``
        (why not calculated, opening with a GSS symbol).

    Raises
    ------
    InvalidValueError
        A number that is not finite (NaN, an infinity), naming the sequence and its position: it
        is not a figure, and reading it as "no significant change" would hide it.

    Examples
    --------
    >>> years = [2021, 2022, 2023, 2024, 2025]
    >>> out = trend_test(years, [20.0, 22.0, 24.0, 26.0, 28.0], counts=[200, 220, 240, 260, 280],
    ...                  totals=[1000] * 5, method="counts")
    >>> out["trend"], round(out["chi2"], 2), out["points"]
    ('increasing', 21.93, 5)
    >>> trend_test(years[:2], [1.0, 2.0], method="weighted")["reason"]
    'x: fewer than 5 recent points with valid values'
    """
    for name, series in (("values", values), ("counts", counts), ("totals", totals),
                         ("lower", lower), ("upper", upper)):  # fmt: skip
        for i, v in enumerate(series or ()):
            if v is not None and not math.isfinite(v):
                raise InvalidValueError(name, "must be a finite number", [i], [repr(v)])
    n = len(years)
    counts = counts if counts is not None else [None] * n
    totals = totals if totals is not None else [None] * n
    lower = lower if lower is not None else [None] * n
    upper = upper if upper is not None else [None] * n
    rows = sorted(
        zip(years, values, counts, totals, lower, upper, strict=True),
        key=lambda r: r[0],
        reverse=True,
    )
    run = []
    for r in rows:
        _, v, c, d, _, _ = r
        valid = v is not None and (
            method == "weighted" or (c is not None and d is not None and d > 0)
        )
        if not valid:
            break
        run.append(r)
    out: dict[str, object] = {
        "trend": None,
        "chi2": None,
        "slope": None,
        "points": 0,
        "reason": None,
    }
    if method == "counts" and any(r[2] == r[3] for r in run):
        out["reason"] = "x: a count equals its denominator in the recent run"
        return out
    if method == "weighted":
        run = [r for r in run if r[4] is not None and r[5] is not None]
    if len(run) < _POINTS:
        out["reason"] = f"x: fewer than {_POINTS} recent points with valid values"
        return out
    last = sorted(run[:_POINTS], key=lambda r: r[0])
    try:
        if method == "counts":
            slope, chi2, clean = _counts([float(r[2]) for r in last], [float(r[3]) for r in last])
        else:
            slope, chi2, clean = _weighted(
                [float(r[1]) for r in last],
                [float(r[4]) for r in last],
                [float(r[5]) for r in last],
            )
    except ZeroDivisionError:
        out["reason"] = (
            "x: the test is undefined for these values (no variation or zero-width intervals)"
        )
        return out
    out |= {"chi2": chi2, "slope": slope, "points": _POINTS}
    significant = clean and not math.isnan(chi2) and chi2 > CHI2_THRESHOLD
    out["trend"] = (
        ("increasing" if slope > 0 else "decreasing") if significant else "no significant change"
    )
    return out


def trend_markers(
    frame: pl.DataFrame,
    *,
    by: str | list[str],
    year: str = "year",
    value: str = "value",
    method: Literal["counts", "weighted"],
    numerator: str = "numerator",
    denominator: str = "denominator",
    lower: str = "lower_95",
    upper: str = "upper_95",
    polarity: Polarity | str = Polarity.NOT_APPLICABLE,
) -> pl.DataFrame:
    """The recent trend of each group's series (e.g. each LA's rate over the years).

    Parameters
    ----------
    frame
        One row per group and year.
    by
        The group column(s) (the LA).
    year
        The year column.
    value
        The value column (numbers).
    method
        ``"counts"`` (uses ``numerator`` and ``denominator``) or ``"weighted"`` (uses ``lower``
        and ``upper``), as for :func:`trend_test`.
    numerator, denominator
        The count columns, for ``"counts"``.
    lower, upper
        The 95 % limit columns, for ``"weighted"``.
    polarity
        Whether high is good: says whether a trend is getting better or worse.

    Returns
    -------
    polars.DataFrame
        One row per group: the group columns, ``trend``, ``trend_assessment`` ("getting better" /
        "getting worse" by polarity, null without one or without a significant trend),
        ``trend_chi2``, ``trend_slope``, ``trend_points``, ``trend_method`` and ``trend_reason``.

    Raises
    ------
    MissingColumnError
        A column the method needs is not in the frame.
    DataError
        More than one row for a group and year.
    InvalidValueError
        A value, count or limit that is text neither a number nor a symbol, or not a finite number.
    ValueError
        A polarity that is not one.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"la": ["874"] * 5, "year": [2021, 2022, 2023, 2024, 2025],
    ...                   "value": [20.0, 22.0, 24.0, 26.0, 28.0],
    ...                   "numerator": [200, 220, 240, 260, 280], "denominator": [1000] * 5})
    >>> out = trend_markers(f, by="la", method="counts", polarity="low_is_good")
    >>> out.select("la", "trend", "trend_assessment", "trend_points").rows()
    [('874', 'increasing', 'getting worse', 5)]
    """
    keys = [by] if isinstance(by, str) else list(by)
    needed = [year, value] + ([numerator, denominator] if method == "counts" else [lower, upper])
    check_columns(
        frame.collect_schema(), [(c, "trend input") for c in [*keys, *needed]], context="trend"
    )
    dups = frame.group_by([*keys, year]).len().filter(pl.col("len") > 1)
    if dups.height:
        msg = f"trend needs one row per ({', '.join(keys)}, {year}); {dups.height} repeat"
        raise DataError(msg)
    schema = frame.collect_schema()
    for column in needed:
        if column != year:
            check_readable(frame, column, schema[column])
    pol = Polarity(polarity) if isinstance(polarity, str) else polarity
    rows = []
    for key, group in frame.group_by(keys, maintain_order=True):
        cols = {c: group[c].cast(pl.Float64).to_list() for c in needed if c != year}
        result = trend_test(
            group[year].to_list(),
            cols[value],
            counts=cols.get(numerator),
            totals=cols.get(denominator),
            lower=cols.get(lower),
            upper=cols.get(upper),
            method=method,
        )
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                **{f"trend_{k}" if k != "trend" else k: v for k, v in result.items()},
            }
        )
    out = pl.DataFrame(rows, infer_schema_length=None)
    better = {Polarity.HIGH_IS_GOOD: "increasing", Polarity.LOW_IS_GOOD: "decreasing"}.get(pol)
    assessment = (
        pl.when(pl.col("trend").is_in(["increasing", "decreasing"])).then(
            pl.when(pl.col("trend") == better)
            .then(pl.lit("getting better"))
            .otherwise(pl.lit("getting worse"))
        )
        if better
        else pl.lit(None, pl.String)
    )
    return out.with_columns(
        assessment.alias("trend_assessment"), pl.lit(method).alias("trend_method")
    ).select(
        *keys,
        "trend",
        "trend_assessment",
        "trend_chi2",
        "trend_slope",
        "trend_points",
        "trend_method",
        "trend_reason",
    )
