"""A definition's caveats as a report shows them: about the measure, for any council.

Some caveats in the bundled definitions carry the research behind them: a line reference into
the seed documents ("(002:L1194)") or an example from the council those documents came from
("Peterborough reports that ..."). A report for any council keeps what each caveat says about
the measure and leaves out those references and examples: a parenthesis holding one is dropped,
then any clause (split at ``;`` or ``:``) that still names them; a sentence whose first clause
does is dropped whole, with a next sentence that refers back to it ("That is ...", "... those
rows ..."). A caveat with nothing left is not shown. The definition itself is unchanged (the data
dictionary shows it in full).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["measure_caveats", "measure_text"]

#: A line reference into the seed documents: "002:L1194", "003:L775-776", "L643" after one.
_SEED_REF = re.compile(r"\b\d{3}:L\d+|\bL\d+(?:-L?\d+)?\b")
#: Words that tie a clause to the seed documents or their council rather than to the measure.
_LOCAL = re.compile(r"Peterborough|\bseeds?\b|\bseed's\b|scrutiny pack|\bAPA\b", re.IGNORECASE)
_ANAPHOR = re.compile(r"^(That|This|These|Those|It|Its|They|There|Their)\b|\b(those|these|them)\b")
_OWNED = re.compile(r"\b(are|is) the seeds?'s?(?=\s*[(:])")
_PAREN = re.compile(r"\s*\([^()]*\)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z'‘\"(])")


def _is_local(text: str) -> bool:
    return bool(_SEED_REF.search(text) or _LOCAL.search(text))


def _drop_parentheses(text: str) -> str:
    """Remove each parenthesis (innermost first) that cites the seeds or names their council."""
    previous = None
    while previous != text:
        previous = text
        text = _PAREN.sub(lambda m: "" if _is_local(m.group(0)) else m.group(0), text)
        # a parenthesis that survived may hide an inner one: look inside the outer ones too
        text = re.sub(
            r"\(([^()]*\([^()]*\)[^()]*)\)",
            lambda m: "" if _is_local(m.group(0)) and _is_local(m.group(1)) else m.group(0),
            text,
        )
    return text


def _clauses(sentence: str) -> str:
    """The sentence without its clauses (split at ``;`` and ``:``) that are about the seeds."""
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else ""
    body = body[: len(body) - len(end)] if end else body
    parts = re.split(r"(;\s+|:\s+)", body)
    kept: list[str] = []
    separators: list[str] = []
    for i in range(0, len(parts), 2):
        clause = parts[i]
        separator = parts[i + 1] if i + 1 < len(parts) else ""
        if clause.strip() and not _is_local(clause):
            kept.append(clause.strip())
            separators.append(separator)
    if not kept or _is_local(parts[0]):
        return ""
    out = kept[0]
    for clause, separator in zip(kept[1:], separators[:-1], strict=True):
        out += (separator or "; ") + clause
    out = out.rstrip(",; :")
    return out[0].upper() + out[1:] + (end or ".")


def measure_text(caveat: str) -> str:
    """One caveat without the seeds' references and examples; "" when nothing is left.

    Examples
    --------
    >>> measure_text("Small numbers make the rate volatile in a small authority (002:L1194).")
    'Small numbers make the rate volatile in a small authority.'
    >>> measure_text("Recording artefacts move this rate: Peterborough reports problems (002:L1182).")
    'Recording artefacts move this rate.'
    >>> measure_text("The seed's table has an empty row (003:L832).")
    ''
    """
    text = " ".join(caveat.split())
    if not _is_local(text):
        return text
    text = _drop_parentheses(_OWNED.sub(r"\1", text))
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    kept: list[str] = []
    dropped = False
    for sentence in _SENTENCE.split(text):
        shown = "" if dropped and _ANAPHOR.search(sentence) else _clauses(sentence)
        dropped = not shown
        if shown:
            kept.append(shown)
    return " ".join(kept).strip()


def measure_caveats(caveats: Iterable[str]) -> tuple[str, ...]:
    """Each caveat as :func:`measure_text` leaves it, the empty ones left out, in order."""
    out: list[str] = []
    for caveat in caveats:
        text = measure_text(caveat)
        if text and text not in out:
            out.append(text)
    return tuple(out)
