"""Transition matrices: counts and row percentages of prior bands against outcome grades.

Every prior x outcome combination is present (absent cells are 0), with row totals; percentages
are of the row total, presented to 1 dp half up as DfE publishes them: DfE's transition-matrix
code adds no tolerance for binary representation, so a percentage computed as 14.2499999...
(399 of 2,800) shows as 14.2; ``rounding_tolerance`` changes that. Suppression
follows DfE's 16-18 matrix practice: a row with a single non-zero cell would reveal it through the
row total, so the row is withheld (primary); then, while any row or column holds exactly one
withheld cell, the smallest visible non-zero cell in that line is withheld too (secondary), so
no withheld cell can be unpicked from published totals.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..errors import DataError
from ..stats.checks import check_columns, raise_for_rows
from ..stats.rounding import round_half_away_expr
from ..stats.symbols import split_numbers_and_symbols

__all__ = ["suppress_transition", "transition_from_counts", "transition_matrix"]


def _complete(
    counts: pl.DataFrame, prior: str, outcome: str, by: list[str],
    prior_order: Sequence[str] | None, outcome_order: Sequence[str] | None,
) -> pl.DataFrame:  # fmt: skip
    priors = (
        pl.DataFrame({prior: list(prior_order)})
        if prior_order
        else counts.select(prior).unique(maintain_order=True)
    )
    outcomes = (
        pl.DataFrame({outcome: list(outcome_order)})
        if outcome_order
        else counts.select(outcome).unique(maintain_order=True)
    )
    frame = priors.join(outcomes, how="cross")
    if by:
        frame = counts.select(by).unique(maintain_order=True).join(frame, how="cross")
    keys = [*by, prior, outcome]
    full = frame.with_columns(pl.col(c).cast(counts.schema[c]) for c in keys).join(
        counts, on=keys, how="left", maintain_order="left"
    )
    full = full.with_columns(pl.col("count").fill_null(0))
    if prior_order or outcome_order:
        extra = counts.join(frame, on=keys, how="anti")
        if extra.height:
            msg = f"codes outside the given orders: {extra.select(prior, outcome).unique().rows()[:5]}"
            raise DataError(msg)
    return full


def _whole_counts(counts: pl.DataFrame, count: str) -> pl.Expr:
    """``count`` as Int64, after checking every cell is a whole number >= 0.

    A missing or suppressed cell ("c" in a published matrix) is an error, not a zero: the row and
    column totals, and so every percentage in them, would be wrong.
    """
    dtype = counts.schema[count]
    if dtype == pl.String:
        value, _, _ = split_numbers_and_symbols(count, name=count)
    elif dtype.is_numeric() or dtype == pl.Null:
        value = pl.col(count).cast(pl.Float64)
    else:
        msg = f"count column {count!r} must hold numbers, got {dtype}"
        raise DataError(msg)
    bad = value.is_null() | ~value.is_finite() | (value < 0) | (value != value.floor())
    raise_for_rows(
        counts,
        bad.fill_null(True),
        column=count,
        rule="a count must be a whole number >= 0 (a missing or suppressed cell is not 0: "
        "the row and column totals would be wrong)",
    )
    return value.cast(pl.Int64)


def transition_from_counts(
    counts: pl.DataFrame,
    *,
    prior: str,
    outcome: str,
    count: str = "count",
    by: Sequence[str] = (),
    prior_order: Sequence[str] | None = None,
    outcome_order: Sequence[str] | None = None,
    rounding_tolerance: float = 0.0,
) -> pl.DataFrame:
    """A transition matrix from aggregated counts (one row per group, prior and outcome).

    Counts must be whole numbers >= 0 (text is read, "1,234" included); a missing, suppressed or
    fractional count is an error naming its rows. Absent combinations are 0. Percentages are of
    the row total, shown to 1 dp half up with no tolerance, as DfE's transition-matrix code does.

    Parameters
    ----------
    counts
        One row per group, prior band and outcome grade.
    prior, outcome
        The prior band and outcome grade columns.
    count
        The count column.
    by
        Group columns (a pupil group, a subject): one matrix each.
    prior_order, outcome_order
        The bands and grades, in order (default: as they first appear); a code outside them is an
        error.
    rounding_tolerance
        Added before rounding ``percent_shown`` (0: the double as stored).

    Returns
    -------
    polars.DataFrame
        ``by`` columns, ``prior``, ``outcome``, ``count`` (Int64), ``row_total``,
        ``column_total``, ``percent`` (unrounded row percentage, null where the row is empty) and
        ``percent_shown`` (1 dp).

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    DataError
        More than one row for a group, band and grade; a count column that holds neither numbers
        nor text; codes outside the orders given.
    InvalidValueError
        A count that is missing, suppressed, negative or fractional, naming its rows.

    Examples
    --------
    >>> import polars as pl
    >>> counts = pl.DataFrame({"band": ["low", "low"], "grade": ["4+", "<4"], "count": ["399", "2,401"]})
    >>> m = transition_from_counts(counts, prior="band", outcome="grade")
    >>> m.select("grade", "count", "row_total", "percent_shown").rows()
    [('4+', 399, 2800, 14.2), ('<4', 2401, 2800, 85.8)]
    """
    keys = [*by, prior, outcome]
    check_columns(counts.collect_schema(), [(c, "transition") for c in [*keys, count]])
    dups = counts.group_by(keys).len().filter(pl.col("len") > 1)
    if dups.height:
        msg = f"counts must have one row per ({', '.join(keys)}); {dups.height} repeat"
        raise DataError(msg)
    base = counts.select(*keys, _whole_counts(counts, count).alias("count"))
    full = _complete(base, prior, outcome, list(by), prior_order, outcome_order)
    row = [*by, prior]
    return (
        full.with_columns(
            pl.col("count").sum().over(row).alias("row_total"),
            pl.col("count").sum().over([*by, outcome]).alias("column_total"),
        )
        .with_columns(
            pl.when(pl.col("row_total") > 0)
            .then(pl.col("count") / pl.col("row_total") * 100)
            .alias("percent")
        )
        .with_columns(
            round_half_away_expr("percent", 1, tolerance=rounding_tolerance).alias("percent_shown")
        )
    )


def transition_matrix(
    pupils: pl.DataFrame | pl.LazyFrame,
    *,
    prior: str,
    outcome: str,
    by: Sequence[str] = (),
    prior_order: Sequence[str] | None = None,
    outcome_order: Sequence[str] | None = None,
    rounding_tolerance: float = 0.0,
) -> pl.DataFrame:
    """A transition matrix from pupil rows: counts of each prior band x outcome grade.

    Missing prior or outcome values are counted in a "missing" band/grade so no pupil is lost.

    Parameters
    ----------
    pupils
        One row per pupil, a DataFrame or LazyFrame.
    prior, outcome
        The prior band and outcome grade columns (read as text).
    by, prior_order, outcome_order, rounding_tolerance
        As for :func:`transition_from_counts`.

    Returns
    -------
    polars.DataFrame
        As :func:`transition_from_counts` returns.

    Raises
    ------
    MissingColumnError
        A column the frame does not have.
    DataError
        Codes outside the orders given.

    Examples
    --------
    >>> import polars as pl
    >>> pupils = pl.DataFrame({"ks2": ["A", "A", "B", None], "gcse": ["4", "5", "4", "4"]})
    >>> transition_matrix(pupils, prior="ks2", outcome="gcse").select("ks2", "gcse", "count").rows()
    [('A', '4', 1), ('A', '5', 1), ('B', '4', 1), ('B', '5', 0), ('missing', '4', 1), ('missing', '5', 0)]
    """
    keys = [*by, prior, outcome]
    check_columns(pupils.collect_schema(), [(c, "transition") for c in keys])
    counts = (
        pupils.lazy()
        .with_columns(
            pl.col(prior).cast(pl.String).fill_null("missing"),
            pl.col(outcome).cast(pl.String).fill_null("missing"),
        )
        .group_by(keys)
        .agg(pl.len().alias("count"))
        .collect()
    )
    return transition_from_counts(
        counts,
        prior=prior,
        outcome=outcome,
        by=by,
        prior_order=prior_order,
        outcome_order=outcome_order,
        rounding_tolerance=rounding_tolerance,
    )


def suppress_transition(
    matrix: pl.DataFrame, *, prior: str, outcome: str, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Withhold cells so that no suppressed value can be recovered from row or column totals.

    A row with a single non-zero cell is withheld whole (primary); then, while any row or column
    holds exactly one withheld cell, the smallest visible non-zero cell in that line is withheld
    too (secondary). Row and column totals are left as published.

    Parameters
    ----------
    matrix
        A transition matrix (:func:`transition_from_counts`): complete, with ``count`` and
        usually ``percent_shown``.
    prior, outcome
        The prior band and outcome grade columns.
    by
        Group columns: each group's matrix is suppressed on its own.

    Returns
    -------
    polars.DataFrame
        ``matrix`` with ``suppressed`` (bool), ``count_shown`` and ``percent_text`` (text, "c"
        where withheld; ``percent_text`` null without ``percent_shown``).

    Raises
    ------
    MissingColumnError
        A column the frame does not have.

    Examples
    --------
    >>> import polars as pl
    >>> counts = pl.DataFrame({"band": ["low"] * 3 + ["mid"] * 3 + ["high"] * 3,
    ...                        "grade": ["1", "2", "3"] * 3, "count": [10, 20, 30, 0, 6, 0, 5, 15, 25]})
    >>> m = suppress_transition(transition_from_counts(counts, prior="band", outcome="grade"),
    ...                         prior="band", outcome="grade")
    >>> m.group_by("band", maintain_order=True).agg("count_shown").rows()
    [('low', ['10', '20', '30']), ('mid', ['c', 'c', 'c']), ('high', ['c', 'c', 'c'])]
    """
    keys = [*by, prior, outcome]
    check_columns(matrix.collect_schema(), [(c, "transition") for c in [*keys, "count"]])
    groups = matrix.partition_by(list(by), maintain_order=True) if by else [matrix]
    out = []
    for g in groups:
        grid = g.select(prior, outcome, "count").rows()
        cells = {(p, o): c for p, o, c in grid}
        rows = list(dict.fromkeys(p for p, _, _ in grid))
        cols = list(dict.fromkeys(o for _, o, _ in grid))
        hidden: set[tuple[object, object]] = set()
        for p in rows:
            nonzero = [o for o in cols if cells[(p, o)] > 0]
            if len(nonzero) == 1:
                hidden.update((p, o) for o in cols)
        changed = True
        while changed:
            changed = False
            lines = [[(p, o) for o in cols] for p in rows] + [[(p, o) for p in rows] for o in cols]
            for line in lines:
                if sum(c in hidden for c in line) == 1:
                    visible = [c for c in line if c not in hidden]
                    candidates = sorted(
                        (cells[c], i) for i, c in enumerate(visible) if cells[c] > 0
                    ) or sorted((cells[c], i) for i, c in enumerate(visible))
                    if candidates:
                        hidden.add(visible[candidates[0][1]])
                        changed = True
        flag = pl.Series("suppressed", [(p, o) in hidden for p, o, _ in grid])
        out.append(g.with_columns(flag))
    result = pl.concat(out)
    return result.with_columns(
        pl.when(pl.col("suppressed"))
        .then(pl.lit("c"))
        .otherwise(pl.col("count").cast(pl.String))
        .alias("count_shown"),
        pl.when(pl.col("suppressed"))
        .then(pl.lit("c"))
        .otherwise(
            pl.col("percent_shown").map_elements(lambda v: f"{v:.1f}", return_dtype=pl.String)
        )
        .alias("percent_text")
        if "percent_shown" in result.columns
        else pl.lit(None, pl.String).alias("percent_text"),
    )
