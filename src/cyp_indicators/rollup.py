"""Roll-ups: England and regional counts built from local authority counts, as DfE builds them.

DfE's England and regional figures sum the LA numerators and denominators. Every LA whose count
is not a number is left out of both sums here, and the row says which and why:

* ``z`` (not applicable: the authority did not exist, or has no such count): DfE's own total
  leaves it out too, so the row is DfE's.
* ``c`` (confidential) or ``low``: the count is only withheld from view; DfE's own total includes
  it, so the row is ``approximate`` (``las_withheld`` says by how many LAs).
* ``u`` (low reliability), ``x`` (unavailable) or an empty cell: DfE's total sometimes leaves the
  LA out (Doncaster's repeat plans in Yorkshire and The Humber, 2022) and more often includes the
  count it holds (Hampshire's referrals in the South East, 2024), so the row is ``approximate``
  too (``las_unreliable``). Checked against DfE's CIN and CLA tables: of 32 regional and England
  rows with such an LA, 3 are DfE's own.

DfE rounds its published England and regional counts to the nearest 10, so a rate computed from
those rounded counts can miss the published rate by a few tenths; the unrounded sums here do not.

>>> import polars as pl
>>> counts = pl.DataFrame({"la": ["874", "873", "882"], "year": [2025] * 3,
...                        "cla": ["416", "c", "300"], "pop": [57621, 150000, 40000]})
>>> up = roll_up(counts, numerator="cla", denominator="pop", to="region", la="la", by=["year"])
>>> up.select("area_code", "cla", "pop", "las_included", "las_excluded", "approximate").row(0)
('E12000006', 716.0, 97621.0, 2, ['873'], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from .errors import DataError, DuplicateKeyError, UnknownAreaError
from .geography import ENGLAND, areas, local_authorities
from .geography._areas import canonical_expr
from .stats.checks import check_columns
from .stats.symbols import split_numbers_and_symbols

__all__ = ["ROLL_UP_COLUMNS", "roll_up"]

#: The columns :func:`roll_up` adds after the ``by`` columns and before the summed counts.
ROLL_UP_COLUMNS = ("geographic_level", "area_code", "area_name")
_WITHHELD_FROM_VIEW = ("c", "low")
_NOT_APPLICABLE = "z"


def _region_table() -> pl.LazyFrame:
    """Each LA's regions: its ONS region and, for a London borough, Inner or Outer London too."""
    las = local_authorities()
    parts = [
        las.select(pl.col("old_la_code").alias("__la"), pl.col("region_code").alias("__area")),
        las.filter(pl.col("london_subregion_code").is_not_null()).select(
            pl.col("old_la_code").alias("__la"),
            pl.col("london_subregion_code").alias("__area"),
        ),
    ]
    return pl.concat(parts).lazy()


def _side(column: str, dtype: pl.DataType, alias: str) -> list[pl.Expr]:
    if dtype == pl.String:
        number, symbol, unreadable = split_numbers_and_symbols(column, name=column)
        return [number.alias(alias), symbol.alias(f"{alias}_sym"), unreadable.alias(f"{alias}_bad")]
    if dtype.is_numeric() or dtype == pl.Null:
        value = pl.col(column).cast(pl.Float64)
        return [
            pl.when(value.is_finite()).then(value).alias(alias),
            pl.lit(None, pl.String).alias(f"{alias}_sym"),
            (value.is_not_null() & ~value.is_finite()).alias(f"{alias}_bad"),
        ]
    msg = f"column {column!r} must hold counts (numbers or text with DfE symbols), got {dtype}"
    raise DataError(msg)


def roll_up(
    counts: pl.DataFrame | pl.LazyFrame,
    *,
    numerator: str,
    denominator: str,
    to: Literal["region", "england"] = "region",
    la: str = "new_la_code",
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """Sum LA numerators and denominators to regions or England, leaving out unpublished counts.

    Parameters
    ----------
    counts
        One row per LA (and ``by`` group), e.g. a DfE file as downloaded. Rows whose ``la`` code
        is empty or names England or a region (a DfE file's own total rows) are ignored.
    numerator, denominator
        The count columns: numbers, or text holding DfE symbols (``c``, ``low``, ``u``, ``x``,
        ``z``).
    to
        ``"region"``: the nine regions and Inner and Outer London (a borough counts in London and
        in its half, as DfE files them); ``"england"``: one England row per group.
    la
        The LA code column: old three-digit numbers or ONS codes.
    by
        Group columns (``["time_period"]``, a breakdown ...).

    Returns
    -------
    polars.DataFrame
        One row per area and ``by`` group: the ``by`` columns, ``geographic_level``,
        ``area_code``, ``area_name``, the summed ``numerator`` and ``denominator`` (under their
        own names, Float64), ``las_included`` (how many LAs are in both sums), ``las_excluded``
        (the LA numbers left out), ``las_withheld`` (how many of those DfE only withheld from view:
        ``c`` or ``low``), ``las_unreliable`` (how many had ``u``, ``x`` or no count),
        ``approximate`` (true when either is above 0: DfE's own total includes, or may include,
        counts left out here), ``denominator_excluded`` (the known denominators of the LAs left out),
        ``coverage`` (the share of the known denominator that is included) and ``roll_up_note`` (null
        for a row that is DfE's own; else why it is approximate).

    Raises
    ------
    MissingColumnError
        For an absent column.
    DuplicateKeyError
        When two rows hold one LA in one ``by`` group (naming them).
    UnknownAreaError
        For an LA code the geography does not know.
    DataError
        For text that is neither a number nor a symbol, a negative or non-finite count, or a
        count column that holds neither numbers nor text.
    ValueError
        For ``to`` other than ``"region"`` or ``"england"``.

    Examples
    --------
    >>> import polars as pl
    >>> counts = pl.DataFrame({"la": ["874", "873", "882"], "year": [2025] * 3,
    ...                        "cla": ["416", "c", "300"], "pop": [57621, 150000, 40000]})
    >>> up = roll_up(counts, numerator="cla", denominator="pop", to="england", la="la", by=["year"])
    >>> up.select("area_code", "cla", "las_included", "las_withheld", "approximate").row(0)
    ('E92000001', 716.0, 2, 1, True)
    >>> up["roll_up_note"][0]
    "approximate: 1 LA(s) whose count DfE withheld from view (c, low) left out, which DfE's own total includes"
    """
    if to not in ("region", "england"):
        msg = f"to must be 'region' or 'england', got {to!r}"
        raise ValueError(msg)
    group = list(by)
    schema = counts.collect_schema()
    check_columns(
        schema,
        [(la, "LA"), (numerator, "numerator"), (denominator, "denominator"),
         *((g, "group") for g in group)],
        context="roll_up",
    )  # fmt: skip
    code = pl.col(la).cast(pl.String).str.strip_chars()
    aggregate = code.str.contains(r"^(E92000001|E1[23]\d{6}|9[7-9]\d)$")
    lf = (
        counts.lazy()
        .with_row_index("__row")
        .filter(code.is_not_null() & (code != "") & ~aggregate)
        .with_columns(
            canonical_expr(la).alias("__la"),
            *_side(numerator, schema[numerator], "__n"),
            *_side(denominator, schema[denominator], "__d"),
        )
    )
    rows = lf.collect()
    unknown = rows.filter(pl.col("__la").is_null())
    if unknown.height:
        codes = sorted(set(unknown[la].cast(pl.String).to_list()))
        msg = f"roll_up: LA code(s) {', '.join(map(repr, codes[:10]))} in column {la!r} are unknown"
        raise UnknownAreaError(msg)
    for side, column in (("__n", numerator), ("__d", denominator)):
        bad = rows.filter(pl.col(f"{side}_bad") | (pl.col(side) < 0))
        if bad.height:
            shown = ", ".join(
                f"row {r}: {v!r}" for r, v in bad.select("__row", column).head(5).iter_rows()
            )
            msg = f"roll_up: column {column!r} must hold counts >= 0 or DfE symbols ({shown})"
            raise DataError(msg)
    dups = rows.group_by(["__la", *group]).len().filter(pl.col("len") > 1)
    if dups.height:
        keys = ["la", *group]
        raise DuplicateKeyError(keys, [tuple(r) for r in dups.select("__la", *group).rows()])

    included = pl.col("__n").is_not_null() & pl.col("__d").is_not_null()
    withheld = (
        pl.col("__n_sym").is_in(_WITHHELD_FROM_VIEW) | pl.col("__d_sym").is_in(_WITHHELD_FROM_VIEW)
    ).fill_null(False) & ~included
    not_applicable = (
        (pl.col("__n_sym") == _NOT_APPLICABLE) | (pl.col("__d_sym") == _NOT_APPLICABLE)
    ).fill_null(False)
    tagged = rows.lazy().with_columns(
        included.alias("__in"),
        withheld.alias("__withheld"),
        (~included & ~withheld & ~not_applicable).alias("__unreliable"),
    )
    if to == "england":
        placed = tagged.with_columns(pl.lit(ENGLAND).alias("__area"))
    else:
        placed = tagged.join(_region_table(), on="__la", how="inner")
    summary = placed.group_by(["__area", *group], maintain_order=True).agg(
        pl.col("__n").filter(pl.col("__in")).sum().alias(numerator),
        pl.col("__d").filter(pl.col("__in")).sum().alias(denominator),
        pl.col("__in").sum().cast(pl.Int64).alias("las_included"),
        pl.col("__la").filter(~pl.col("__in")).sort().alias("las_excluded"),
        pl.col("__withheld").sum().cast(pl.Int64).alias("las_withheld"),
        pl.col("__unreliable").sum().cast(pl.Int64).alias("las_unreliable"),
        pl.col("__d").filter(~pl.col("__in")).sum().alias("denominator_excluded"),
    )
    names = areas().select(
        pl.col("area_code").alias("__area"), pl.col("name").alias("area_name"), "geographic_level"
    )
    withheld_n, unreliable_n = pl.col("las_withheld"), pl.col("las_unreliable")
    notes = pl.concat_str(
        pl.when(withheld_n > 0).then(
            pl.format(
                "{} LA(s) whose count DfE withheld from view (c, low) left out, which DfE's own "
                "total includes",
                withheld_n,
            )
        ),
        pl.when(unreliable_n > 0).then(
            pl.format(
                "{} LA(s) with no published count (u, x or empty) left out, which DfE's own "
                "total may include",
                unreliable_n,
            )
        ),
        separator="; ",
        ignore_nulls=True,
    )
    out = (
        summary.join(names.lazy(), on="__area", how="left")
        .rename({"__area": "area_code"})
        .with_columns(
            ((withheld_n > 0) | (unreliable_n > 0)).alias("approximate"),
            (pl.col(denominator) / (pl.col(denominator) + pl.col("denominator_excluded"))).alias(
                "coverage"
            ),
            pl.when((withheld_n > 0) | (unreliable_n > 0))
            .then(pl.concat_str(pl.lit("approximate: "), notes))
            .alias("roll_up_note"),
        )
        .select(
            *group,
            *ROLL_UP_COLUMNS,
            numerator,
            denominator,
            "las_included",
            "las_excluded",
            "las_withheld",
            "las_unreliable",
            "approximate",
            "denominator_excluded",
            "coverage",
            "roll_up_note",
        )
        .sort([*group, "area_code"], maintain_order=True)
    )
    return out.collect()
