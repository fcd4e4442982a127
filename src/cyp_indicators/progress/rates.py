"""The percentage of pupils making expected progress, by any grouping, with Wilson intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from ..errors import DataError
from ..model import IndicatorDefinition
from ..presentation import present
from ..results import ResultProvenance, carry
from ..stats.checks import check_columns
from ..stats.measures import proportion

__all__ = ["progress_rates"]

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)

#: A group's counts: each gives a withheld percentage away, so each is withheld with it.
_COUNTS = ("pupils", "made", "not_made", "not_included", "included")


def progress_rates(
    classified: F,
    by: Sequence[str] = (),
    *,
    confidence: float | Sequence[float] | None = (0.95,),
    definition: IndicatorDefinition | None = None,
    caution_below: int = 30,
    suppress: bool = False,
) -> F:
    """Per group: pupils, made, not made, not included, and % made with Wilson intervals.

    ``classified`` is the output of :func:`classify_progress`. "Not included" pupils leave the
    denominator (``included`` = made + not made) but are counted (``not_included``). Groups whose
    ``included`` is below ``caution_below`` carry ``caution = True`` (small cohorts swing). With
    ``suppress=True`` and a ``definition``, its disclosure rule withholds small groups and values
    are presented (rounded) as the definition says.

    A LazyFrame is aggregated at once with the streaming engine and the (small) result returned
    lazy.

    Parameters
    ----------
    classified
        The output of :func:`classify_progress` (a ``progress`` column).
    by
        Group columns (a school, a pupil group); none for one row over every pupil.
    confidence
        Interval levels; ``None`` for none.
    definition
        The expected-progress definition: carried by the result, and its disclosure rule and
        presentation applied with ``suppress``.
    caution_below
        Groups with fewer included pupils are flagged ``caution``.
    suppress
        Withhold small groups and present (round) values as the definition says.

    Returns
    -------
    F
        ``by`` columns, ``pupils``, ``made``, ``not_made``, ``not_included``, ``included``, then
        the statistics core's columns (``value`` in percent, ``lower_95``, ...), and ``caution``;
        with a definition, a result carrying it.

    Raises
    ------
    MissingColumnError
        No ``progress`` column, or a group column missing.
    DataError
        ``suppress=True`` without a definition.

    Examples
    --------
    >>> import polars as pl, cyp_indicators as cyp
    >>> d = cyp.load_catalogue().get("ks2_ks4_expected_progress", year=2011)
    >>> pupils = pl.DataFrame({"ks2": ["4", "4", "5", "3"], "gcse": ["C", "D", "A", "C"],
    ...                        "school": ["a", "a", "b", "b"]})
    >>> classified = cyp.classify_progress(pupils, d, prior="ks2", outcome="gcse")
    >>> progress_rates(classified, ["school"]).select("school", "made", "included", "value").rows()
    [('a', 1, 2, 50.0), ('b', 2, 2, 100.0)]
    """
    schema = classified.collect_schema()
    check_columns(
        schema, [("progress", "progress (from classify_progress)"), *((b, "group") for b in by)]
    )
    if suppress and definition is None:
        msg = "suppress=True needs the definition whose disclosure rule applies"
        raise DataError(msg)
    keys = list(by)
    counts = (
        classified.lazy()
        .group_by(keys or pl.lit(1).alias("__all"), maintain_order=True)
        .agg(
            pl.len().alias("pupils"),
            (pl.col("progress") == "made").sum().alias("made"),
            (pl.col("progress") == "not_made").sum().alias("not_made"),
            (pl.col("progress") == "not_included").sum().alias("not_included"),
        )
    )
    if not keys:
        counts = counts.drop("__all")
    counts = counts.with_columns((pl.col("made") + pl.col("not_made")).alias("included"))
    # the groups are few: aggregate the pupils once with the streaming engine (a LazyFrame of
    # millions of pupils from Parquet never sits in memory) and finish on the small table
    small = counts.collect(engine="streaming")
    result = proportion(small, "made", "included", multiplier=100, confidence=confidence)
    result = result.with_columns((pl.col("included") < caution_below).alias("caution"))
    if suppress and definition is not None:
        result = present(result, definition, withhold=_COUNTS)
    if definition is not None:
        provenance = ResultProvenance(
            produced_by="progress_rates", definitions=(definition,), presented=suppress
        )
        result = carry(pl.DataFrame(result), provenance)
        return result if isinstance(classified, pl.DataFrame) else carry(result.lazy(), provenance)
    return result if isinstance(classified, pl.DataFrame) else result.lazy()
