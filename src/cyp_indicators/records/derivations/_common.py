"""Shared pieces of the derivations: periods x records, accounting rows, distinct children."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = ["accounting", "child_counts", "per_period", "share_counts"]

PERIOD_COLS = ["period_label", "period_start", "period_end"]


def per_period(records: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """Every record beside every period (periods are few; records are read once).

    Pooled records (several councils, see :func:`~cyp_indicators.records.derive`) have
    periods per council (``la`` in ``periods``): each record goes beside its own council's.
    """
    if "la" in periods.columns:
        return records.join(periods.select("la", *PERIOD_COLS), on="la")
    return records.join(periods.select(PERIOD_COLS), how="cross")


def child_counts(
    hits: pl.DataFrame, periods: pl.DataFrame, name: str, child: str = "CHILD"
) -> pl.DataFrame:
    """Distinct children per period, every period present (0 where none)."""
    counted = hits.group_by(PERIOD_COLS).agg(pl.col(child).n_unique().alias(name))
    return (
        periods.select(PERIOD_COLS)
        .join(counted, on=PERIOD_COLS, how="left", maintain_order="left")
        .with_columns(pl.col(name).fill_null(0).cast(pl.Int64))
    )


def share_counts(numerator: pl.DataFrame, denominator: pl.DataFrame) -> pl.DataFrame:
    """Join per-period numerator and denominator counts."""
    return denominator.join(
        numerator.drop("period_start", "period_end"),
        on="period_label",
        how="left",
        maintain_order="left",
    ).select(*PERIOD_COLS, "numerator", "denominator")


def accounting(
    table: str,
    records: pl.DataFrame,
    counted_rows: pl.Series | Sequence[int],
    reasons: pl.Expr,
    *,
    child: str = "CHILD",
) -> pl.DataFrame:
    """One accounting row per input record: counted, or the first applicable reason.

    ``records`` must carry ``__row`` (0-based position) and optionally ``source_row``;
    ``reasons`` is an expression giving the reason for a record that was not counted.
    """
    counted = set(pl.Series(counted_rows).to_list())
    source = pl.col("source_row") if "source_row" in records.columns else pl.col("__row") + 1
    file = pl.col("source_file") if "source_file" in records.columns else pl.lit(None, pl.String)
    return records.select(
        pl.lit(table).alias("table"),
        file.cast(pl.String).alias("source_file"),
        source.cast(pl.Int64).alias("source_row"),
        pl.col(child).cast(pl.String).alias("child"),
        pl.col("__row").is_in(list(counted)).alias("counted"),
        pl.when(pl.col("__row").is_in(list(counted))).then(None).otherwise(reasons).alias("reason"),
    )
