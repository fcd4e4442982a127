"""One hierarchy of errors, each also a builtin so ``except ValueError`` keeps working.

Every error names where the problem is: a file and field path for definitions, a column and rows for
data, the close matches for an unknown id or version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "CypIndicatorsError",
    "DataError",
    "DefinitionError",
    "DuplicateKeyError",
    "InvalidValueError",
    "MissingColumnError",
    "SchemaIssue",
    "UnknownDefinitionError",
]

_MAX_ROWS_SHOWN = 10


class CypIndicatorsError(Exception):
    """Root of every error this library raises on purpose."""


class SchemaIssue:
    """One problem found in a definition file: where it is and what is wrong."""

    __slots__ = ("line", "message", "path")

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.message = message
        self.line = line

    def __repr__(self) -> str:
        return f"SchemaIssue(path={self.path!r}, message={self.message!r}, line={self.line!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SchemaIssue):
            return NotImplemented
        return (self.path, self.message, self.line) == (other.path, other.message, other.line)

    def __hash__(self) -> int:
        return hash((self.path, self.message, self.line))


class DefinitionError(CypIndicatorsError, ValueError):
    """A definition (or year-pack) file that cannot be read or breaks the schema.

    ``file`` is the file, ``issues`` every problem found (field path, message, line when known).
    """

    def __init__(self, file: str, issues: Sequence[SchemaIssue]) -> None:
        self.file = file
        self.issues = tuple(issues)
        super().__init__(file, self.issues)

    def __str__(self) -> str:
        lines = [f"{self.file}: {len(self.issues)} problem(s)"]
        for issue in self.issues:
            where = f"line {issue.line}: " if issue.line is not None else ""
            lines.append(f"  {where}{issue.path}: {issue.message}")
        return "\n".join(lines)


class UnknownDefinitionError(CypIndicatorsError, KeyError):
    """An id, version or collection year the catalogue does not hold; lists the close matches."""

    def __init__(self, message: str, suggestions: Iterable[str] = ()) -> None:
        self.message = message
        self.suggestions = tuple(suggestions)
        super().__init__(message)

    def __str__(self) -> str:
        if self.suggestions:
            return f"{self.message}; did you mean: {', '.join(self.suggestions)}?"
        return self.message


class DataError(CypIndicatorsError, ValueError):
    """Input data that the calculation cannot accept."""


class MissingColumnError(DataError):
    """A column the calculation needs is not in the frame."""

    def __init__(
        self, column: str, *, role: str, available: Sequence[str], context: str = ""
    ) -> None:
        self.column = column
        self.role = role
        self.available = tuple(available)
        self.context = context
        super().__init__(column, role, self.available, context)

    def __str__(self) -> str:
        where = f" for {self.context}" if self.context else ""
        return (
            f"{self.role} column {self.column!r} not found{where}; "
            f"the frame has columns: {', '.join(map(repr, self.available)) or '(none)'}"
        )


def _rows_text(rows: Sequence[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_MAX_ROWS_SHOWN])
    more = f" and {len(rows) - _MAX_ROWS_SHOWN} more" if len(rows) > _MAX_ROWS_SHOWN else ""
    return f"{shown}{more}"


class InvalidValueError(DataError):
    """Values that break a rule (negative counts, numerator above denominator, ...).

    ``rows`` are 0-based row positions in the caller's frame.
    """

    def __init__(
        self, column: str, rule: str, rows: Sequence[int], examples: Sequence[object]
    ) -> None:
        self.column = column
        self.rule = rule
        self.rows = tuple(rows)
        self.examples = tuple(examples)
        super().__init__(column, rule, self.rows, self.examples)

    def __str__(self) -> str:
        sample = ", ".join(repr(v) for v in self.examples[:_MAX_ROWS_SHOWN])
        return (
            f"column {self.column!r}: {self.rule}; {len(self.rows)} row(s) at position "
            f"{_rows_text(self.rows)} (values: {sample})"
        )


class DuplicateKeyError(DataError):
    """More than one row for a key where one row per key is expected."""

    def __init__(self, keys: Sequence[str], duplicates: Sequence[tuple[object, ...]]) -> None:
        self.keys = tuple(keys)
        self.duplicates = tuple(duplicates)
        super().__init__(self.keys, self.duplicates)

    def __str__(self) -> str:
        shown = "; ".join(
            ", ".join(f"{k}={v!r}" for k, v in zip(self.keys, dup, strict=True))
            for dup in self.duplicates[:_MAX_ROWS_SHOWN]
        )
        return (
            f"expected one row per ({', '.join(self.keys)}) but {len(self.duplicates)} key(s) "
            f"repeat: {shown}"
        )
