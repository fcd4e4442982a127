"""An expected-progress matrix: prior attainment x outcome -> made / not made / not included.

Pure data, with the code normalisation that reading extracted or hand-typed codes needs: case,
spacing, "A-star" spellings and Cyrillic/Greek letters that look like Latin ones.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

__all__ = ["MatrixAxis", "Outcome", "ProgressMatrix", "normalise_code"]


class Outcome(enum.Enum):
    """The matrix's verdict for one pupil."""

    MADE = "made"
    NOT_MADE = "not_made"
    NOT_INCLUDED = "not_included"


# Cyrillic and Greek capitals that render like Latin ones (as found in extracted PDF text).
_CONFUSABLES = str.maketrans(
    {
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "К": "K", "М": "M", "О": "O",
        "Р": "P", "Т": "T", "Х": "X", "У": "Y",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "а": "a", "в": "b", "с": "c", "е": "e", "к": "k", "м": "m", "о": "o", "р": "p", "т": "t",
        "х": "x", "у": "y", "α": "a", "ο": "o",
    }
)  # fmt: skip
_STAR = re.compile(r"\s*[-_ ]?\s*(star|\*|✱|﹡|＊)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def normalise_code(text: object) -> str:
    """A code as the matrix compares it: NFKC, look-alike letters to Latin, upper case, single
    spaces, and ``"A-star"``, ``"A star"`` or ``"A *"`` to ``"A*"``. ``None`` becomes ``""``."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(_CONFUSABLES).strip()
    s = _SPACES.sub(" ", s)
    s = _STAR.sub("*", s)
    return s.upper()


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class MatrixAxis:
    """One row or column: its code, label, accepted spellings, numeric level and whether a
    missing value (null or empty) falls here."""

    code: str
    label: str
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    level: float | None = None
    missing: bool = False

    def spellings(self) -> set[str]:
        """Normalised spellings that select this row or column."""
        return {normalise_code(self.code), *(normalise_code(a) for a in self.aliases)}

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "label": self.label}
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.level is not None:
            out["level"] = self.level
        if self.missing:
            out["missing"] = True
        return out


def _axes(value: Iterable[MatrixAxis]) -> tuple[MatrixAxis, ...]:
    return tuple(value)


def _cells(value: Iterable[Iterable[Outcome | str]]) -> tuple[tuple[Outcome, ...], ...]:
    return tuple(tuple(Outcome(c) for c in row) for row in value)


@attrs.frozen(kw_only=True)
class ProgressMatrix:
    """Rows of prior attainment x columns of outcome, each cell an :class:`Outcome`."""

    prior: str
    outcome: str
    rows: tuple[MatrixAxis, ...] = attrs.field(converter=_axes)
    columns: tuple[MatrixAxis, ...] = attrs.field(converter=_axes)
    cells: tuple[tuple[Outcome, ...], ...] = attrs.field(converter=_cells)

    def __attrs_post_init__(self) -> None:
        if len(self.cells) != len(self.rows):
            msg = f"'matrix' has {len(self.rows)} rows but {len(self.cells)} rows of cells"
            raise ValueError(msg)
        for row, cells in zip(self.rows, self.cells, strict=True):
            if len(cells) != len(self.columns):
                msg = (
                    f"'matrix' row {row.code!r} has {len(cells)} cells for "
                    f"{len(self.columns)} columns: the cells must cover rows x columns"
                )
                raise ValueError(msg)
        for name, axes in (("rows", self.rows), ("columns", self.columns)):
            repeated = sorted({a.code for a in axes if [b.code for b in axes].count(a.code) > 1})
            if repeated:
                msg = (
                    f"'matrix' {name}: code(s) {', '.join(map(repr, repeated))} used more than once"
                )
                raise ValueError(msg)
            seen: dict[str, str] = {}
            for axis in axes:
                for key in axis.spellings():
                    if key in seen and seen[key] != axis.code:
                        msg = (
                            f"'matrix' {name}: {key!r} selects both {seen[key]!r} and {axis.code!r}"
                        )
                        raise ValueError(msg)
                    seen[key] = axis.code
            if sum(a.missing for a in axes) > 1:
                msg = f"'matrix' {name}: only one may take missing values"
                raise ValueError(msg)

    def lookup(self, axis: str) -> dict[str, str]:
        """Normalised spelling -> code, for ``"rows"`` or ``"columns"`` ("" for a missing value)."""
        axes = self.rows if axis == "rows" else self.columns
        out: dict[str, str] = {}
        for a in axes:
            for key in a.spellings():
                out[key] = a.code
            if a.missing:
                out[""] = a.code
        return out

    def outcome_of(self, row: str, column: str) -> Outcome:
        """The cell for a row code and a column code."""
        r = [a.code for a in self.rows].index(row)
        c = [a.code for a in self.columns].index(column)
        return self.cells[r][c]

    def as_table(self) -> list[tuple[str, str, str]]:
        """Every cell as (row code, column code, outcome value)."""
        return [
            (r.code, c.code, self.cells[i][j].value)
            for i, r in enumerate(self.rows)
            for j, c in enumerate(self.columns)
        ]

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> ProgressMatrix:
        rows = doc["rows"]
        return cls(
            prior=doc["prior"],
            outcome=doc["outcome"],
            columns=[MatrixAxis(**c) for c in doc["columns"]],
            rows=[MatrixAxis(**{k: v for k, v in r.items() if k != "cells"}) for r in rows],
            cells=[r["cells"] for r in rows],
        )

    def to_mapping(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "outcome": self.outcome,
            "columns": [c.to_mapping() for c in self.columns],
            "rows": [
                {**r.to_mapping(), "cells": [c.value for c in cells]}
                for r, cells in zip(self.rows, self.cells, strict=True)
            ],
        }


def codes(axes: Sequence[MatrixAxis]) -> list[str]:
    """The codes of some axes, in order."""
    return [a.code for a in axes]
