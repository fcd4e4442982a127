"""Shared pieces of the derivations: periods x records, accounting rows, distinct children."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from itertools import pairwise
from typing import Any, Literal, overload

import numpy as np
import polars as pl

__all__ = [
    "accounting",
    "accounting_later",
    "among",
    "child_counts",
    "children_at_ends",
    "first_at_ends",
    "first_per_child",
    "in_period",
    "open_at_end",
    "open_at_ends",
    "overlapping",
    "per_period",
    "period_ends",
    "pick",
    "shaped",
    "share_counts",
]

PERIOD_COLS = ["period_label", "period_start", "period_end"]
_FAR = dt.date(9999, 12, 31)


def per_period(records: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """Every record beside every period (periods are few; records are read once), with
    ``__p``, the period's position in ``periods``.

    Pooled records (several councils, see :func:`~cyp_indicators.records.derive`) have
    periods per council (``la`` in ``periods``): each record goes beside its own council's.
    """
    numbered = periods.select(*_council(periods), *PERIOD_COLS).with_row_index("__p")
    if "la" in periods.columns:
        out = records.join(numbered, on="la")
    else:
        out = records.join(numbered, how="cross")
    return out.select(*records.columns, *PERIOD_COLS, "__p")


def _council(periods: pl.DataFrame) -> list[str]:
    return ["la"] if "la" in periods.columns else []


def _beside(
    records: pl.DataFrame, periods: pl.DataFrame, spans: pl.DataFrame, lo: pl.Series, hi: pl.Series
) -> pl.DataFrame:
    """Each record beside the periods whose span (row ``k`` of ``spans``: ``period_start``,
    ``period_end``) has ``lo <= k < hi``: the pairs of :func:`per_period` that a filter
    would keep, found without pairing every record with every period."""
    numbered = periods.with_row_index("__p").join(
        spans.with_row_index("__k"), on=["period_start", "period_end"], how="left"
    )
    pairs = (
        records.with_columns(lo.cast(pl.Int64).alias("__lo"), hi.cast(pl.Int64).alias("__hi"))
        .filter(pl.col("__lo") < pl.col("__hi"))
        .with_columns(pl.int_ranges("__lo", "__hi", dtype=pl.UInt32).alias("__k"))
        .drop("__lo", "__hi")
        .explode("__k")
    )
    return _attach(pairs, periods, numbered, spans.height)


def _attach(
    pairs: pl.DataFrame,
    periods: pl.DataFrame,
    numbered: pl.DataFrame,
    spans: int,
    *,
    labelled: bool = True,
) -> pl.DataFrame:
    """``pairs`` (each a record and a span position ``__k``) beside the periods with that span
    (and council): the period's columns and ``__p``, its position in ``periods``.

    Where each council has one period per span (as derive's periods), the position is read
    from a table of (council, span) instead of joined.
    """
    keys = _council(periods)
    columns = [c for c in pairs.columns if c != "__k"]
    index = numbered.select(*keys, "__k", "__p")
    if keys and pairs.height:
        la = pairs.schema["la"]
        if isinstance(la, pl.Enum):
            size = len(la.categories)
            at = pairs["la"].to_physical().cast(pl.Int64)
            index_at = index["la"].cast(pl.String).cast(la).to_physical().cast(pl.Int64)
        else:  # codes as text (frames built by hand): number them
            codes = index["la"].cast(pl.String).unique(maintain_order=True).to_list()
            size = len(codes)
            number = dict(zip(codes, range(size), strict=True))
            at = (
                pairs["la"]
                .cast(pl.String)
                .replace_strict(number, default=None, return_dtype=pl.Int64)
            )
            index_at = index["la"].cast(pl.String).replace_strict(number, return_dtype=pl.Int64)
    else:
        size = 1
        at = pl.repeat(0, pairs.height, dtype=pl.Int64, eager=True)
        index_at = pl.repeat(0, index.height, dtype=pl.Int64, eager=True)
    one_each = index.height == index.select(*keys, "__k").n_unique()
    if one_each:
        table = pl.repeat(None, size * spans, dtype=pl.UInt32, eager=True)
        if index.height:
            table = table.scatter(index_at * spans + index["__k"].cast(pl.Int64), index["__p"])
        position = table.gather(at * spans + pairs["__k"].cast(pl.Int64))
        found = pairs.with_columns(position.alias("__p")).filter(pl.col("__p").is_not_null())
    else:  # several periods share a span: join
        found = pairs.join(index, on=[*keys, "__k"])
    p = found["__p"]
    if not labelled:  # counted per period position only: the period's columns are not needed
        return found.select(columns).with_columns(p.alias("__p"))
    return found.select(columns).with_columns(
        *(periods[c].gather(p).alias(c) for c in PERIOD_COLS), p.alias("__p")
    )


def _spans(periods: pl.DataFrame) -> pl.DataFrame:
    """The distinct (start, end) of the periods, by start then end."""
    return periods.select("period_start", "period_end").unique().sort("period_start", "period_end")


def _disjoint(spans: pl.DataFrame) -> bool:
    """Whether no day is in two of ``spans`` (sorted by start)."""
    if spans.height < 2:
        return True
    later = spans["period_start"].slice(1)
    return bool((later > spans["period_end"].slice(0, spans.height - 1)).all())


def period_ends(periods: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame]:
    """The distinct period ends in order, and the periods (in their order) numbered by their
    end: ``__k`` is the end's position (periods with one end share it)."""
    ends = periods["period_end"].unique().sort().alias("__end")
    numbered = (
        periods.select(*_council(periods), *PERIOD_COLS)
        .with_row_index("__p")
        .join(
            ends.to_frame().with_row_index("__k"),
            left_on="period_end",
            right_on="__end",
            how="left",
            maintain_order="left",
        )
    )
    return ends, numbered


def open_at_ends(
    records: pl.DataFrame, periods: pl.DataFrame, start: str, end: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each record beside the position ``__k`` of every distinct period end at which it is
    open (``start`` on or before it, ``end`` empty or after it), and the periods numbered so
    (see :func:`period_ends`): what depends only on the period end is worked out per end,
    then given to each period with that end.

    The ends a record is open at are consecutive in order, so they are found from how many
    ends come before its start and before its end, not by pairing it with every period.
    """
    pairs, numbered = open_at_ends_lazy(records.lazy(), periods, start, end)
    return pairs.collect(), numbered


def open_at_ends_lazy(
    records: pl.LazyFrame, periods: pl.DataFrame, start: str, end: str
) -> tuple[pl.LazyFrame, pl.DataFrame]:
    """:func:`open_at_ends` as a query (to be counted without the pairs, or run with
    others)."""
    ends, numbered = period_ends(periods)
    known = records.filter(pl.col(start).is_not_null())
    if ends.is_empty():
        known = known.filter(pl.lit(False))
    before_start, before_end = _how_many(ends, pl.col(start)), _how_many(ends, pl.col(end))
    hi = pl.when(pl.col(end).is_not_null()).then(before_end).otherwise(len(ends))
    pairs = (
        known.with_columns(before_start.alias("__lo"), hi.alias("__hi"))
        .filter(pl.col("__lo") < pl.col("__hi"))
        .with_columns(pl.int_ranges("__lo", "__hi", dtype=pl.UInt32).alias("__k"))
        .drop("__lo", "__hi")
        .explode("__k")
    )
    return pairs, numbered


def _how_many(dates: pl.Series, date: pl.Expr, *, on_or_before: bool = False) -> pl.Expr:
    """How many of the sorted ``dates`` come before each date (or on or before it; null for a
    null date): a sum of comparisons for a few, a search for many (polars searches a literal
    more slowly than it compares a column with a dozen dates)."""
    if dates.len() > _FEW_SPANS:
        side: Literal["left", "right"] = "right" if on_or_before else "left"
        return pl.lit(dates).search_sorted(date, side=side).cast(pl.Int64)
    total: pl.Expr = pl.lit(0, pl.Int64)
    for value in dates.to_list():
        day = pl.lit(value, pl.Date)
        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)
    return total


def open_at_end(records: pl.DataFrame, periods: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """Each record beside every period at whose end it is open (``start`` on or before the
    period's end, ``end`` empty or after it): ``per_period(records, periods)`` filtered so,
    found by :func:`open_at_ends` instead of pairing every record with every period."""
    pairs, numbered = open_at_ends(records, periods, start, end)
    ends = periods["period_end"].n_unique()
    return _attach(pairs, periods, numbered, ends)


def first_at_ends(
    pairs: pl.DataFrame, numbered: pl.DataFrame, child: str, begun: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`first_per_child` for records paired with period ends (:func:`open_at_ends`):
    children per period (``numerator``, every period in order) and the records counted (the
    rows of ``pairs`` kept, each beside its end ``__k``)."""
    keys = [*_council(numbered), "__k"]
    per = pairs.group_by(keys).agg(
        pl.col(child).n_unique().cast(pl.Int64).alias("numerator"), pl.len().alias("__rows")
    )
    counts = numbered.join(per.drop("__rows"), on=keys, how="left", maintain_order="left").select(
        *PERIOD_COLS, pl.col("numerator").fill_null(0)
    )
    crowded = per.filter(pl.col("numerator") < pl.col("__rows")).select(keys)
    if crowded.is_empty():
        return counts, pairs
    pair = [child, *keys]
    several = pairs.join(crowded, on=keys, how="semi").filter(pl.struct(pair).is_duplicated())
    firsts = several.group_by(pair).agg(pl.col("__row").sort_by(begun, "__row").first())
    later = several.join(firsts, on=[*pair, "__row"], how="anti")
    counted = pairs.join(
        later.select(*pair, "__row"), on=[*pair, "__row"], how="anti", maintain_order="left"
    )
    return counts, counted


def children_at_ends(
    pairs: pl.LazyFrame, numbered: pl.DataFrame, child: str, name: str = "numerator"
) -> pl.DataFrame:
    """Distinct children per period (every period, in order) from records paired with period
    ends (:func:`open_at_ends_lazy`): the count of :func:`first_at_ends` without finding
    which record of a child is the one counted."""
    keys = [*_council(numbered), "__k"]
    per = pairs.group_by(keys).agg(pl.col(child).n_unique().cast(pl.Int64).alias(name))
    return (
        numbered.lazy()
        .join(per, on=keys, how="left", maintain_order="left")
        .select(*PERIOD_COLS, pl.col(name).fill_null(0))
        .collect()
    )


def in_period(
    records: pl.DataFrame, periods: pl.DataFrame, date: str, *, labelled: bool = True
) -> pl.DataFrame:
    """Each record beside every period that holds its ``date`` (start and end included):
    ``per_period(records, periods)`` filtered so. Periods that do not overlap (financial
    years, months) are found by counting the periods begun and ended by the date; overlapping
    ones (a year-to-date series) by pairing every record with every period."""
    return in_period_lazy(records.lazy(), periods, date, labelled=labelled).collect()


def in_period_lazy(
    records: pl.LazyFrame, periods: pl.DataFrame, date: str, *, labelled: bool = True
) -> pl.LazyFrame:
    """:func:`in_period` as a query (to be run with others, or counted without the rows)."""
    columns = list(records.collect_schema())
    layout = _Layout.of(periods)
    if layout is None:  # overlapping periods, or several periods of one span and council
        inside = (pl.col(date) >= pl.col("period_start")) & (pl.col(date) <= pl.col("period_end"))
        numbered = periods.select(*_council(periods), *PERIOD_COLS).with_row_index("__p").lazy()
        paired = (
            records.join(numbered, on="la")
            if "la" in periods.columns
            else records.join(numbered, how="cross")
        )
        out = paired.filter(inside).select(*columns, *PERIOD_COLS, "__p")
        return out if labelled else out.drop("period_label", "period_start", "period_end")
    begun, ended = layout.count(pl.col(date))
    # the date is in span k = begun - 1 when that span has not ended (the spans are disjoint:
    # every span begun but the last has ended)
    found = (
        records.with_columns(begun.alias("__begun"), ended.alias("__ended"))
        .filter(pl.col("__begun") > pl.col("__ended"))
        .with_columns(
            layout.position(pl.col("__begun") - 1, records.collect_schema().get("la")).alias("__p")
        )
        .filter(pl.col("__p").is_not_null())
    )
    if not labelled:
        return found.select(*columns, "__p")
    return found.select(
        *columns, *(pl.lit(periods[c]).gather(pl.col("__p")).alias(c) for c in PERIOD_COLS), "__p"
    )


#: Up to this many spans a date is placed by comparing it with each; beyond, by a search.
_FEW_SPANS = 12


class _Layout:
    """Disjoint periods as a search: the sorted starts and ends of their spans, and for each
    (council, span) the position of its period in ``periods`` (``None`` from :meth:`of` when
    periods overlap, or two periods of one council share a span)."""

    __slots__ = ("_codes", "_council", "_spans", "_table", "ends", "starts")

    def __init__(
        self,
        starts: pl.Series,
        ends: pl.Series,
        table: pl.Series,
        codes: dict[str, int] | None,
        council: pl.DataType | None,
    ) -> None:
        self.starts, self.ends = starts, ends
        self._spans = starts.len()
        self._table = table
        self._codes = codes
        self._council = council

    @classmethod
    def of(cls, periods: pl.DataFrame) -> _Layout | None:
        starts, ends = periods["period_start"].to_list(), periods["period_end"].to_list()
        spans = sorted(set(zip(starts, ends, strict=True)))
        if any(later[0] <= before[1] for before, later in pairwise(spans)):
            return None
        number = {span: k for k, span in enumerate(spans)}
        council: pl.DataType | None = None
        codes: dict[str, int] | None = None
        if "la" in periods.columns:
            council = periods.schema["la"]
            given = periods["la"].cast(pl.String).to_list()
            if isinstance(council, pl.Enum):
                codes = {c: i for i, c in enumerate(council.categories.to_list())}
            else:
                codes = {c: i for i, c in enumerate(dict.fromkeys(given))}
            at = [codes[c] * len(spans) for c in given]
            size = len(codes) * len(spans)
        else:
            at = [0] * periods.height
            size = len(spans)
        table: list[int | None] = [None] * (size + 1)  # the last for a council without any
        for p, (offset, span) in enumerate(zip(at, zip(starts, ends, strict=True), strict=True)):
            slot = offset + number[span]
            if table[slot] is not None:
                return None
            table[slot] = p
        return cls(
            pl.Series([a for a, _ in spans], dtype=pl.Date),
            pl.Series([b for _, b in spans], dtype=pl.Date),
            pl.Series(table, dtype=pl.UInt32),
            codes,
            council,
        )

    def count(self, date: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        """For each date, how many spans have begun on or before it, and how many ended before
        it (null for a null date)."""
        return _how_many(self.starts, date, on_or_before=True), _how_many(self.ends, date)

    def position(self, k: pl.Expr, council: pl.DataType | None) -> pl.Expr:
        """The position in ``periods`` of span ``k`` of each record's council (``council``:
        the records' ``la`` type; null where the council has no period of that span)."""
        if self._codes is None:
            return pl.lit(self._table).gather(k.clip(0, None))
        if isinstance(self._council, pl.Enum) and council == self._council:
            number = pl.col("la").to_physical().cast(pl.Int64)
        else:
            number = (
                pl.col("la")
                .cast(pl.String)
                .replace_strict(self._codes, default=None, return_dtype=pl.Int64)
            )
        # a council without periods has no position: the table's last slot, null
        slot = (number * self._spans + k.clip(0, None)).fill_null(self._table.len() - 1)
        return pl.lit(self._table).gather(slot)


def overlapping(records: pl.DataFrame, periods: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """Each record beside every period it overlaps (``start`` on or before the period's end,
    ``end`` empty or on or after its start): ``per_period(records, periods)`` filtered so,
    searched as :func:`in_period` (overlapping periods pair every record with every period)."""
    spans = _spans(periods)
    if not _disjoint(spans):
        return per_period(records, periods).filter(
            (pl.col(start) <= pl.col("period_end"))
            & (pl.col(end).is_null() | (pl.col(end) >= pl.col("period_start")))
        )
    starts, ends = spans["period_start"], spans["period_end"]
    begun, ended = records[start], records[end]
    lo = ends.search_sorted(begun, side="left").cast(pl.Int64)
    hi = (
        pl.select(
            pl.when(pl.lit(begun).is_null())
            .then(0)
            .when(pl.lit(ended).is_null())
            .then(len(starts))
            .otherwise(pl.lit(starts.search_sorted(ended, side="right")))
            .cast(pl.Int64)
        )
        .to_series()
        .rename("__hi")
    )
    return _beside(records, periods, spans, lo, hi)


def first_per_child(
    hits: pl.DataFrame, periods: pl.DataFrame, child: str, begun: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Children per period (``numerator``, every period present) and the records counted,
    beside their periods (the rows of ``hits`` kept): of a child's records in a period, the
    one ``begun`` first (of two begun the same day, the one read first: the lower ``__row``);
    the others overlap it.

    Only periods with fewer children than records are searched for the first, and in them
    only the children with several records.
    """
    per = hits.group_by("period_label").agg(
        pl.col(child).n_unique().cast(pl.Int64).alias("numerator"), pl.len().alias("__rows")
    )
    counts = (
        periods.select(PERIOD_COLS)
        .join(per.drop("__rows"), on="period_label", how="left", maintain_order="left")
        .with_columns(pl.col("numerator").fill_null(0))
    )
    crowded = per.filter(pl.col("numerator") < pl.col("__rows"))["period_label"]
    if crowded.is_empty():
        return counts, hits
    pair = [child, "period_label"]
    several = hits.filter(pl.col("period_label").is_in(crowded.implode())).filter(
        pl.struct(pair).is_duplicated()
    )
    firsts = several.group_by(pair).agg(pl.col("__row").sort_by(begun, "__row").first())
    later = several.join(firsts, on=[*pair, "__row"], how="anti")
    counted = hits.join(
        later.select(*pair, "__row"), on=[*pair, "__row"], how="anti", maintain_order="left"
    )
    return counts, counted


@overload
def child_counts(
    hits: pl.DataFrame, periods: pl.DataFrame, name: str, child: str = "CHILD"
) -> pl.DataFrame: ...
@overload
def child_counts(
    hits: pl.LazyFrame, periods: pl.DataFrame, name: str, child: str = "CHILD"
) -> pl.LazyFrame: ...
def child_counts(
    hits: pl.DataFrame | pl.LazyFrame, periods: pl.DataFrame, name: str, child: str = "CHILD"
) -> pl.DataFrame | pl.LazyFrame:
    """Distinct children per period, every period present (0 where none); a query for a
    query."""
    key = "__p" if "__p" in hits.collect_schema() else "period_label"
    if isinstance(hits, pl.DataFrame) and key == "__p":  # each period's count put in place
        values = [0] * periods.height
        per = hits.group_by("__p").agg(pl.col(child).n_unique())
        for p, n in per.iter_rows():
            values[p] = n
        return periods.select(*PERIOD_COLS, pl.Series(name, values, dtype=pl.Int64))
    counted = hits.lazy().group_by(key).agg(pl.col(child).n_unique().alias(name))
    out = (
        periods.lazy()
        .select(PERIOD_COLS)
        .with_row_index("__p")
        .join(counted, on=key, how="left", maintain_order="left")
        .select(*PERIOD_COLS, pl.col(name).fill_null(0).cast(pl.Int64))
    )
    return out if isinstance(hits, pl.LazyFrame) else out.collect()


def share_counts(numerator: pl.DataFrame, denominator: pl.DataFrame) -> pl.DataFrame:
    """Join per-period numerator and denominator counts."""
    return denominator.join(
        numerator.drop("period_start", "period_end"),
        on="period_label",
        how="left",
        maintain_order="left",
    ).select(*PERIOD_COLS, "numerator", "denominator")


def pick(*branches: tuple[pl.Expr, str | pl.Expr], otherwise: str | pl.Expr) -> pl.Expr:
    """The text of the first branch whose condition holds, else ``otherwise``: what
    ``pl.when(c1).then(t1).when(c2).then(t2)...otherwise(o)`` gives (a null condition does not
    hold), written so that fixed texts are taken from a short list by the branch's number
    instead of being written out row by row (which polars does slowly for long texts). A
    text may be an expression (a reason with a date in it), evaluated where its branch holds.
    """
    choices: list[str | pl.Expr] = [text for _, text in branches] + [otherwise]
    last = pl.lit(len(branches), pl.UInt32)
    number: pl.Expr = last
    for i in reversed(range(len(branches))):
        number = pl.when(branches[i][0]).then(pl.lit(i, pl.UInt32)).otherwise(number)
    fixed = pl.Series([c if isinstance(c, str) else None for c in choices], dtype=pl.String)
    text = pl.lit(fixed).gather(number)
    for i, choice in enumerate(choices):
        if not isinstance(choice, str):
            text = pl.when(number == i).then(choice.cast(pl.String)).otherwise(text)
    return text


def among(rows: pl.Series) -> pl.Expr:
    """Whether each record's ``__row`` is one of ``rows`` (row positions in the record's
    table): a mask over the table's rows read at each record's row, cheaper than a hash set
    when ``rows`` are many. The mask is made when the expression is evaluated (an accounting
    that is never read never makes it)."""
    return pl.col("__row").map_batches(
        partial(_mask_at, rows), return_dtype=pl.Boolean, is_elementwise=True
    )


def _mask_at(rows: pl.Series, at: pl.Series) -> pl.Series:
    """For each position of ``at``, whether it is one of ``rows`` (False for a null: polars
    may hand a branch of ``when`` its rows with the others null). Read with numpy: the
    positions polars hands over may carry a stale sortedness flag, which its own bounds check
    trusts."""
    if at.is_empty():
        return pl.Series(at.name, [], dtype=pl.Boolean)
    index = at.cast(pl.Int64).fill_null(-1).to_numpy()
    top = max(int(index.max()), int(rows.max() or 0) if rows.len() else 0) + 1  # type: ignore[arg-type]
    mask = np.zeros(top + 1, dtype=bool)  # the last stands for a null (-1)
    if rows.len():
        mask[rows.cast(pl.Int64).to_numpy()] = True
    return pl.Series(at.name, mask[index], dtype=pl.Boolean)


def shaped(counts: pl.DataFrame, params: Mapping[str, Any]) -> pl.DataFrame:
    """The counts of a share as the definition wants them: with ``as_share`` false (a count
    definition that takes the numerator of a share, e.g. the number of children with three or
    more placements) the ``denominator`` column is dropped."""
    if params.get("as_share", True):
        return counts
    return counts.drop("denominator", strict=False)


def accounting(
    table: str,
    records: pl.DataFrame,
    counted_rows: pl.Series | Sequence[int],
    reasons: pl.Expr,
    *,
    child: str = "CHILD",
) -> pl.LazyFrame:
    """One accounting row per input record: counted, or the first applicable reason.

    ``records`` must carry ``__row`` (0-based position) and optionally ``source_row``;
    ``reasons`` is an expression giving the reason for a record that was not counted. Pooled
    records (several councils) keep their ``la`` and report the child identifier as given
    (``__child``). The rows are made when the query returned is run (see
    :class:`~cyp_indicators.records.Derivation`): a caller who wants the values only does not
    pay for a reason per record.
    """
    rows = counted_rows if isinstance(counted_rows, pl.Series) else pl.Series(list(counted_rows))
    return pl.defer(
        partial(_accounting_rows, table, records, rows, reasons, child),
        schema=_accounting_schema(records),
    )


def accounting_later(
    table: str,
    records: pl.DataFrame,
    counted: Callable[[], tuple[pl.Series, pl.Expr]],
    *,
    child: str = "CHILD",
) -> pl.LazyFrame:
    """:func:`accounting` for a derivation whose counts do not need the records counted:
    ``counted`` finds them (and the reasons for the others) when the accounting is read."""

    def rows() -> pl.DataFrame:
        found, reasons = counted()
        return _accounting_rows(table, records, found, reasons, child)

    return pl.defer(rows, schema=_accounting_schema(records))


def _accounting_schema(records: pl.DataFrame) -> dict[str, pl.DataType]:
    return {
        **({"la": records.schema["la"]} if "la" in records.columns else {}),
        "table": pl.String(),
        "source_file": pl.String(),
        "source_row": pl.Int64(),
        "child": pl.String(),
        "counted": pl.Boolean(),
        "reason": pl.String(),
    }


def _accounting_rows(
    table: str, records: pl.DataFrame, rows: pl.Series, reasons: pl.Expr, child: str
) -> pl.DataFrame:
    """The rows of :func:`accounting`."""
    counted = among(rows)
    source = pl.col("source_row") if "source_row" in records.columns else pl.col("__row") + 1
    file = pl.col("source_file") if "source_file" in records.columns else pl.lit(None, pl.String)
    given = "__child" if "__child" in records.columns else child
    columns: list[pl.Expr] = [
        *([pl.col("la")] if "la" in records.columns else []),
        pl.lit(table).alias("table"),
        file.cast(pl.String).alias("source_file"),
        source.cast(pl.Int64).alias("source_row"),
        pl.col(given).cast(pl.String).alias("child"),
    ]
    if rows.len() * 2 < records.height:
        return records.select(
            *columns,
            counted.alias("counted"),
            pl.when(counted).then(None).otherwise(reasons).cast(pl.String).alias("reason"),
        )
    # most records counted: the reasons are written for the others only (counted ones
    # first, then the others in their order; only the columns used are filtered)
    marked = records.with_columns(counted.alias("__counted")).lazy()
    parts = pl.collect_all(
        [
            marked.filter(pl.col("__counted")).select(
                *columns, pl.lit(True).alias("counted"), pl.lit(None, pl.String).alias("reason")
            ),
            marked.filter(~pl.col("__counted")).select(
                *columns, pl.lit(False).alias("counted"), reasons.cast(pl.String).alias("reason")
            ),
        ]
    )
    return pl.concat(parts)
