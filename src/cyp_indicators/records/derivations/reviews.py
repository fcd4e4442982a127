"""Participation of children looked after in their statutory reviews (SSDA903 reviews table).

Each review row holds its date (REVIEW) and how the child took part (REVIEW_CODE, the SSDA903
participation codes): PN0 the child was under 4 at the time of the review; PN1 the child
attended and spoke for themselves; PN2 attended and an advocate spoke for them; PN3 attended
and conveyed their views symbolically (non-verbally); PN4 attended but did not speak or convey
their views; PN5 did not attend but briefed an advocate to speak for them; PN6 did not attend
but conveyed their feelings through a facilitative medium; PN7 did not attend and no views
were conveyed.

The measure (PAF C63, as the definition states it): children looked after aged 4 or over who
had a review in the period (a review not coded PN0), and of them those who communicated their
views at every such review (PN1, PN2, PN3, PN5, PN6). A review with a blank code, or a code in
neither list, leaves its child out of both for that period, with the reason: whether they took
part in every review cannot be told.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ..registry import Counted, derivation
from ._common import PERIOD_COLS, accounting, child_counts, per_period, shaped, share_counts
from ._returns import require

__all__: list[str] = []


@derivation(
    "looked_after_review_participation",
    tables=("reviews",),
    parameters={
        "participated_codes": ["PN1", "PN2", "PN3", "PN5", "PN6"],
        "not_participated_codes": ["PN4", "PN7"],
        "under_age_codes": ["PN0"],
        "as_share": True,
    },
)
def review_participation(records: Any, periods: pl.DataFrame, params: Mapping[str, Any]) -> Counted:
    """Children with a review in each period at which they were aged 4 or over, and of them
    those who communicated their views at every such review."""
    name = "looked_after_review_participation"
    reviews = require(records, "reviews", name)
    took_part = list(params["participated_codes"])
    did_not = list(params["not_participated_codes"])
    under_age = list(params["under_age_codes"])
    code = pl.col("REVIEW_CODE")
    in_period = (pl.col("REVIEW") >= pl.col("period_start")) & (
        pl.col("REVIEW") <= pl.col("period_end")
    )
    held = (
        per_period(reviews, periods)
        .filter(in_period & ~code.is_in(under_age).fill_null(False))
        .with_columns(
            code.is_in(took_part).fill_null(False).alias("__took_part"),
            code.is_in([*took_part, *did_not]).fill_null(False).alias("__known"),
        )
    )
    per_child = held.group_by("CHILD", *PERIOD_COLS).agg(
        pl.col("__known").all().alias("__judged"), pl.col("__took_part").all().alias("__every")
    )
    judged = per_child.filter(pl.col("__judged"))
    counts = share_counts(
        child_counts(judged.filter(pl.col("__every")), periods, "numerator"),
        child_counts(judged, periods, "denominator"),
    )
    used = held.join(
        judged.select("CHILD", "period_label"), on=["CHILD", "period_label"], how="semi"
    )
    unjudged = set(held["__row"].to_list()) - set(used["__row"].to_list())
    rows = pl.Series(list(unjudged), dtype=pl.UInt32).implode()
    reason = (
        pl.when(code.is_in(under_age).fill_null(False))
        .then(pl.format("not_counted: {}, the child was under 4 at the time of the review", code))
        .when(pl.col("__row").is_in(rows) & ~code.is_in([*took_part, *did_not]).fill_null(False))
        .then(
            pl.format(
                "unknown_code: REVIEW_CODE '{}' is no participation code, so whether the child "
                "took part in every review in the period cannot be told (the child is left out)",
                code.fill_null("empty"),
            )
        )
        .when(pl.col("__row").is_in(rows))
        .then(
            pl.lit(
                "not_counted: another review of the child in the period has no participation "
                "code, so the child is left out"
            )
        )
        .otherwise(pl.lit("outside_period: the review is not in any period"))
    )
    return Counted(
        counts=shaped(counts, params),
        records=accounting("reviews", reviews, used["__row"].unique(), reason),
    )
