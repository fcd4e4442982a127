"""DfE/GSS symbols: a value that is not a number carries a typed reason instead.

Explore Education Statistics uses ``c`` (confidential), ``x`` (unavailable), ``z`` (not applicable),
``low`` (rounds to 0 but is not 0) and ``u`` (low reliability), in spreadsheets often in square
brackets as the GSS guidance shows them (``[c]``, ``[low]``). Older tables use ``:`` and ``..`` for
unavailable, ``~`` and ``k`` for low, ``.`` for not applicable, and ``-`` for "no figure" (LAIT
writes it wherever DfE's source has no number, so it is read as unavailable, never as zero).
This module reads them from inputs as :class:`Symbol` values; they are never turned into numbers.
"""

from __future__ import annotations

import enum
import re

import polars as pl

__all__ = [
    "BRACKETED_SYMBOLS",
    "LEGACY_SYMBOLS",
    "Symbol",
    "parse_symbol",
    "reason_symbol",
    "split_numbers_and_symbols",
]


class Symbol(enum.Enum):
    """A GSS symbol standing where a number would be; ``str()`` gives the symbol.

    Attributes
    ----------
    CONFIDENTIAL
        ``c``: confidential, suppressed to protect individuals.
    UNAVAILABLE
        ``x``: unavailable (legacy ``:``, ``..`` and LAIT's ``-``).
    NOT_APPLICABLE
        ``z``: not applicable (legacy ``.``); a zero denominator, an authority that did not exist.
    LOW
        ``low``: rounds to 0 but is not 0 (legacy ``~``, ``k``).
    LOW_RELIABILITY
        ``u``: low reliability.

    Examples
    --------
    >>> Symbol("c"), str(Symbol.LOW)
    (<Symbol.CONFIDENTIAL: 'c'>, 'low')
    >>> Symbol.CONFIDENTIAL.meaning
    'confidential, suppressed to protect individuals'
    """

    CONFIDENTIAL = "c"
    UNAVAILABLE = "x"
    NOT_APPLICABLE = "z"
    LOW = "low"
    LOW_RELIABILITY = "u"

    @property
    def meaning(self) -> str:
        """The symbol's meaning in DfE's words."""
        return _MEANINGS[self]

    def __str__(self) -> str:
        return self.value


_MEANINGS = {
    Symbol.CONFIDENTIAL: "confidential, suppressed to protect individuals",
    Symbol.UNAVAILABLE: "unavailable",
    Symbol.NOT_APPLICABLE: "not applicable",
    Symbol.LOW: "rounds to 0 but is not 0",
    Symbol.LOW_RELIABILITY: "low reliability",
}

#: Legacy tokens still met in the wild, with the current symbol each stands for.
LEGACY_SYMBOLS: dict[str, Symbol] = {
    ":": Symbol.UNAVAILABLE,
    "..": Symbol.UNAVAILABLE,
    "~": Symbol.LOW,
    "k": Symbol.LOW,
    "-": Symbol.UNAVAILABLE,
    ".": Symbol.NOT_APPLICABLE,
}

#: The GSS guidance's spreadsheet form puts the symbol in square brackets ("[c]", "[low]").
BRACKETED_SYMBOLS: dict[str, Symbol] = {f"[{s.value}]": s for s in Symbol}

_TOKENS: dict[str, Symbol] = {s.value: s for s in Symbol} | BRACKETED_SYMBOLS | LEGACY_SYMBOLS
# ASCII digits only: ``\d`` would match any Unicode digit ("５", "٣"), which the cast to a number
# does not read, so such a cell would turn into a missing value without a word.
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_THOUSANDS = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"


def parse_symbol(text: str) -> Symbol | None:
    """The symbol ``text`` stands for (current, bracketed or legacy, in any case, trimmed), or None.

    Parameters
    ----------
    text
        A cell's text.

    Returns
    -------
    Symbol or None
        None for anything that is no symbol (a number, other text).

    Examples
    --------
    >>> parse_symbol("[c]"), parse_symbol(" LOW "), parse_symbol(".."), parse_symbol("12")
    (<Symbol.CONFIDENTIAL: 'c'>, <Symbol.LOW: 'low'>, <Symbol.UNAVAILABLE: 'x'>, None)
    """
    return _TOKENS.get(text.strip().lower())


def split_numbers_and_symbols(
    column: str | pl.Expr, *, name: str
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Expressions that split a text column into a number, a symbol and a "bad text" flag.

    Numbers are written with ASCII digits (other scripts' digits, such as "５" or "٣", are
    unreadable), may use thousands separators ("1,234") and an exponent ("1e3"); cells are
    trimmed first.

    Parameters
    ----------
    column
        A column name or a String expression.
    name
        Prefixes the output names (``<name>_number``, ``<name>_symbol``, ``<name>_unreadable``).

    Returns
    -------
    tuple[polars.Expr, polars.Expr, polars.Expr]
        ``(number, symbol, unreadable)``: ``number`` is Float64 (null where the cell is a symbol,
        empty or unreadable), ``symbol`` the canonical symbol text or null, ``unreadable`` true where
        the cell is neither a number, a known symbol nor empty.

    Examples
    --------
    >>> frame = pl.DataFrame({"n": ["12", "1,204", "[c]", "", "５", None]})
    >>> number, symbol, unreadable = split_numbers_and_symbols("n", name="n")
    >>> for row in frame.select(number, symbol, unreadable).rows():
    ...     print(row)
    (12.0, None, False)
    (1204.0, None, False)
    (None, 'c', False)
    (None, None, False)
    (None, None, True)
    (None, None, False)
    """
    text = (pl.col(column) if isinstance(column, str) else column).str.strip_chars()
    lowered = text.str.to_lowercase()
    tokens = list(_TOKENS)
    canonical = [_TOKENS[t].value for t in tokens]
    is_number = text.str.contains(f"^(?:{_NUMBER})$")
    is_thousands = text.str.contains(f"^(?:{_THOUSANDS})$")
    cleaned = (
        pl.when(is_thousands).then(text.str.replace_all(",", "", literal=True)).otherwise(text)
    )
    number = (
        pl.when(is_number | is_thousands)
        .then(cleaned.cast(pl.Float64, strict=False))
        .otherwise(None)
        .alias(f"{name}_number")
    )
    symbol = lowered.replace_strict(tokens, canonical, default=None, return_dtype=pl.String).alias(
        f"{name}_symbol"
    )
    unreadable = (
        text.is_not_null() & (text != "") & ~is_number & ~is_thousands & ~lowered.is_in(tokens)
    ).alias(f"{name}_unreadable")
    return number, symbol, unreadable


_REASON_SYMBOL = re.compile(r"^(c|x|z|low|u):")


def reason_symbol(reason: pl.Expr) -> pl.Expr:
    """The GSS symbol that opens a result's ``reason`` (``"z: denominator is zero"`` gives ``"z"``).

    Parameters
    ----------
    reason
        A String expression: a ``reason`` column of a result.

    Returns
    -------
    polars.Expr
        The symbol's text, or null where the reason opens with none.

    Examples
    --------
    >>> frame = pl.DataFrame({"reason": ["z: denominator is zero", None, "see note"]})
    >>> frame.select(reason_symbol(pl.col("reason"))).to_series().to_list()
    ['z', None, None]
    """
    return reason.str.extract(_REASON_SYMBOL.pattern, 1)
