"""One hierarchy of errors, each also a builtin so ``except ValueError`` keeps working, and one
record type for a problem found in a file or a row.

Every error names where the problem is: a file and field path for definitions, a column and rows for
data, the close matches for an unknown id, version, area or comparator set. A :class:`Problem`
(a code, a message and a :class:`Location`) is what definition loading reports for each fault in a
file and what record-level derivation reports for each record it leaves out; both are plain data.
Every exception pickles (its arguments and fields travel with it), so errors cross process pools.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

__all__ = [
    "AreaNotApplicableError",
    "CypIndicatorsError",
    "DataError",
    "DefinitionError",
    "DuplicateKeyError",
    "InvalidValueError",
    "Location",
    "MissingColumnError",
    "Problem",
    "PublishedDataError",
    "SchemaIssue",
    "UnknownAreaError",
    "UnknownComparatorSetError",
    "UnknownDefinitionError",
    "UnknownTopicError",
]

_MAX_ROWS_SHOWN = 10


@attrs.frozen(kw_only=True)
class Location:
    """Where a problem is: a file, a line of it, a field path (``$.numerator.column``), a row
    (0-based position in the table it came from, or the file's own row number where the reader
    says so) and a column. Every part is optional; :meth:`__str__` joins those present."""

    file: str | None = None
    line: int | None = None
    field: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(self.field)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


@attrs.frozen
class Problem:
    """One problem: a short machine-readable ``code`` (``"schema"``, ``"duplicate"``,
    ``"missing_date"``, ...), a ``message`` in words and where it is (:class:`Location`).

    Definition loading reports each fault of a file as a Problem (``DefinitionError.issues``);
    record-level derivation reports each record it leaves out as one
    (``cyp_indicators.records.problems``).
    """

    code: str
    message: str
    location: Location = attrs.field(factory=Location)

    @property
    def path(self) -> str:
        """The field path of a definition problem (``$.numerator.column``), or ``"$"``."""
        return self.location.field or "$"

    @property
    def line(self) -> int | None:
        """The line of the file, where known."""
        return self.location.line

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


@attrs.frozen(init=False)
class SchemaIssue(Problem):
    """A definition file's problem at a field path (and line): a :class:`Problem` with code
    ``"schema"``. Kept under its 0.1 name and signature; ``issue.path``, ``.message`` and
    ``.line`` read as before."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.__attrs_init__("schema", message, Location(field=path, line=line))

    def __reduce__(self) -> tuple[Any, ...]:
        return (SchemaIssue, (self.path, self.message, self.line))


def _restore(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class CypIndicatorsError(Exception):
    """Root of every error this library raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its fields, whatever its __init__ takes (keyword-only arguments included)
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class DefinitionError(CypIndicatorsError, ValueError):
    """A definition (or year-pack) file that cannot be read or breaks the schema.

    ``file`` is the file, ``issues`` every problem found (:class:`Problem`: field path, message,
    line when known).
    """

    def __init__(self, file: str, issues: Sequence[Problem]) -> None:
        self.file = file
        self.issues = tuple(issues)
        super().__init__(file, self.issues)

    def __str__(self) -> str:
        lines = [f"{self.file}: {len(self.issues)} problem(s)"]
        for issue in self.issues:
            where = f"line {issue.line}: " if issue.line is not None else ""
            lines.append(f"  {where}{issue.path}: {issue.message}")
        return "\n".join(lines)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The issues, each located in this file."""
        return tuple(
            Problem(
                i.code,
                i.message,
                attrs.evolve(i.location, file=i.location.file or self.file),
            )
            for i in self.issues
        )


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


class UnknownAreaError(UnknownDefinitionError):
    """A local-authority, region or England code the geography does not hold; lists close matches.

    A subclass of :class:`UnknownDefinitionError` (what 0.1 raised for an unknown LA code), so
    ``except UnknownDefinitionError`` keeps catching it; catch this one from now on.
    """


class UnknownTopicError(UnknownDefinitionError):
    """A topic the catalogue does not hold; the message lists the topics and close matches."""


class UnknownComparatorSetError(UnknownDefinitionError):
    """A comparator set (statistical-neighbour version or file) that does not exist, or an LA
    without a group in it. A subclass of :class:`UnknownDefinitionError` for 0.1's callers."""


class DataError(CypIndicatorsError, ValueError):
    """Input data that the calculation cannot accept."""


class PublishedDataError(DataError):
    """A published file (LAIT or EES) of a shape the library cannot read: names the file, what it
    expected and what it found."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message
        super().__init__(file, message)

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


class AreaNotApplicableError(DataError):
    """An area asked for in years it did not exist (local government reorganisation).

    ``code`` is the authority, ``years`` the years asked for, ``others`` the authorities that
    cover its area then (its successors after it was abolished, its predecessors before it was
    created), ``reason`` a sentence naming them.
    """

    def __init__(self, code: str, reason: str, others: Sequence[str] = ()) -> None:
        self.code = code
        self.reason = reason
        self.others = tuple(others)
        super().__init__(code, reason, self.others)

    def __str__(self) -> str:
        return self.reason


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
