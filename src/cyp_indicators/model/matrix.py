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
    """The matrix's verdict for one pupil: made expected progress, did not, or is not counted.

    Attributes
    ----------
    MADE
        Made expected progress: in the numerator and the denominator.
    NOT_MADE
        Did not: in the denominator only.
    NOT_INCLUDED
        Left out of both (DfE's "not included" cells).

    Examples
    --------
    >>> Outcome("not_made"), Outcome.MADE.value
    (<Outcome.NOT_MADE: 'not_made'>, 'made')
    """

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
    r"""A code as the matrix compares it, whatever the spelling it was typed or extracted in.

    NFKC, look-alike Cyrillic and Greek letters to Latin, upper case, single spaces, and
    ``"A-star"``, ``"A star"`` or ``"A *"`` to ``"A*"``.

    Parameters
    ----------
    text
        A code (anything ``str()`` reads); None is no code.

    Returns
    -------
    str
        The normalised code; ``""`` for None.

    Examples
    --------
    >>> normalise_code(" a-star "), normalise_code("w  t"), normalise_code(None)
    ('A*', 'W T', '')
    >>> normalise_code("\u0412")  # Cyrillic capital ve, as in text extracted from a PDF
    'B'
    """
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
    """One row or column of a matrix: its code, label, accepted spellings and numeric level.

    Parameters
    ----------
    code
        The code results show (``"2"``, ``"W"``).
    label
        The code in words.
    aliases
        Other spellings that select it (compared after :func:`normalise_code`).
    level
        Its numeric level, where it has one.
    missing
        Whether a missing value (null or empty) falls here; one axis at most.

    Examples
    --------
    >>> axis = MatrixAxis(code="A/D", label="Absent or disapplied", aliases=["a", "absent"])
    >>> sorted(axis.spellings())
    ['A', 'A/D', 'ABSENT']
    """

    code: str
    label: str
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    level: float | None = None
    missing: bool = False

    def spellings(self) -> set[str]:
        """Normalised spellings that select this row or column: its code and aliases.

        Returns
        -------
        set[str]
            Each after :func:`normalise_code`.
        """
        return {normalise_code(self.code), *(normalise_code(a) for a in self.aliases)}

    def to_mapping(self) -> dict[str, Any]:
        """The document form (empty fields left out).

        Returns
        -------
        dict[str, Any]
            Accepted back by the constructor as keywords.
        """
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
    """Rows of prior attainment x columns of outcome, each cell an :class:`Outcome`.

    Parameters
    ----------
    prior
        What the rows are, in words (``"KS1 level in the subject"``).
    outcome
        What the columns are, in words.
    rows, columns
        The axes (:class:`MatrixAxis`), in order.
    cells
        One sequence per row, one outcome per column (:class:`Outcome`, or its value).

    Raises
    ------
    ValueError
        Cells that do not cover rows x columns, a code used twice on an axis, a spelling that
        selects two codes, or more than one axis taking missing values.

    Examples
    --------
    >>> m = ProgressMatrix(
    ...     prior="KS1 level", outcome="KS2 level",
    ...     rows=[MatrixAxis(code="1", label="Level 1"), MatrixAxis(code="2", label="Level 2")],
    ...     columns=[MatrixAxis(code="3", label="Level 3"), MatrixAxis(code="4", label="Level 4")],
    ...     cells=[["made", "made"], ["not_made", "made"]],
    ... )
    >>> m.outcome_of("2", "3")
    <Outcome.NOT_MADE: 'not_made'>
    >>> m.as_table()[:2]
    [('1', '3', 'made'), ('1', '4', 'made')]
    """

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
        """Normalised spelling -> code, for the rows or the columns.

        Parameters
        ----------
        axis
            ``"rows"``; anything else is the columns.

        Returns
        -------
        dict[str, str]
            Every spelling of every code (:meth:`MatrixAxis.spellings`), and ``""`` for the axis that
            takes missing values.

        Examples
        --------
        >>> import cyp_indicators as cyp
        >>> m = cyp.load_catalogue().get("ks1_ks2_expected_progress").matrix
        >>> rows = m.lookup("rows")
        >>> rows["ABSENT"], rows[""], rows["2"]
        ('A/D/none', 'A/D/none', '2')
        """
        axes = self.rows if axis == "rows" else self.columns
        out: dict[str, str] = {}
        for a in axes:
            for key in a.spellings():
                out[key] = a.code
            if a.missing:
                out[""] = a.code
        return out

    def outcome_of(self, row: str, column: str) -> Outcome:
        """The cell for a row code and a column code.

        Parameters
        ----------
        row, column
            Codes (as written, not other spellings).

        Returns
        -------
        Outcome
            The cell.

        Raises
        ------
        ValueError
            A code that is not the matrix's.
        """
        r = [a.code for a in self.rows].index(row)
        c = [a.code for a in self.columns].index(column)
        return self.cells[r][c]

    def as_table(self) -> list[tuple[str, str, str]]:
        """Every cell as (row code, column code, outcome value), row by row.

        Returns
        -------
        list[tuple[str, str, str]]
            Rows x columns entries.
        """
        return [
            (r.code, c.code, self.cells[i][j].value)
            for i, r in enumerate(self.rows)
            for j, c in enumerate(self.columns)
        ]

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> ProgressMatrix:
        """Build from the document form (a definition's ``[matrix]`` table).

        Parameters
        ----------
        doc
            ``prior``, ``outcome``, ``columns`` and ``rows``, each row with its ``cells``.

        Returns
        -------
        ProgressMatrix
            The matrix.

        Raises
        ------
        ValueError
            A matrix the class refuses (see the class).
        """
        rows = doc["rows"]
        return cls(
            prior=doc["prior"],
            outcome=doc["outcome"],
            columns=[MatrixAxis(**c) for c in doc["columns"]],
            rows=[MatrixAxis(**{k: v for k, v in r.items() if k != "cells"}) for r in rows],
            cells=[r["cells"] for r in rows],
        )

    def to_mapping(self) -> dict[str, Any]:
        """The document form, accepted back by :meth:`from_mapping`.

        Returns
        -------
        dict[str, Any]
            ``prior``, ``outcome``, ``columns`` and ``rows`` (each with its ``cells``).
        """
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
