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
    """Where a problem is: a file, a line of it, a field path, a row and a column.

    Every part is optional; ``str()`` joins those present, in that order.

    Parameters
    ----------
    file
        The file (as given to the reader), or None.
    line
        The line of the file (1-based), or None.
    field
        A field path in a definition file (``$.numerator.column``), or None.
    row
        A row: its 0-based position in the table it came from, or the file's own row number where
        the reader says so; or None.
    column
        A column name, or None.

    Examples
    --------
    >>> str(Location(file="cla.toml", line=3, field="$.unit"))
    'cla.toml, line 3, $.unit'
    >>> str(Location(row=4, column="DOB"))
    "row 4, column 'DOB'"
    """

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
    """One problem: a short machine-readable code, a message in words and where it is.

    Definition loading reports each fault of a file as a Problem (``DefinitionError.issues``);
    record-level derivation reports each record it leaves out as one
    (``cyp_indicators.records.problems``).

    Parameters
    ----------
    code
        Short and machine-readable: ``"schema"``, ``"duplicate"``, ``"missing_date"``, ...
    message
        What is wrong, in words.
    location
        Where it is (:class:`Location`); nowhere in particular by default.

    Examples
    --------
    >>> p = Problem("schema", "unknown unit 'per_1000000'", Location(file="x.toml", field="$.unit"))
    >>> str(p)
    "x.toml, $.unit: unknown unit 'per_1000000'"
    >>> p.path, p.line
    ('$.unit', None)
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
        """The line of the file, where known (else None)."""
        return self.location.line

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


@attrs.frozen(init=False)
class SchemaIssue(Problem):
    """A definition file's problem at a field path (and line): a :class:`Problem` of code "schema".

    Kept under its 0.1 name and signature; ``issue.path``, ``.message`` and ``.line`` read as
    before.

    Parameters
    ----------
    path
        The field path (``$.numerator.column``; ``$`` for the whole file).
    message
        What is wrong, in words.
    line
        The line of the file, where known.

    Examples
    --------
    >>> issue = SchemaIssue("$.unit", "unknown unit", line=4)
    >>> issue.code, issue.path, issue.line, issue.location.field
    ('schema', '$.unit', 4, '$.unit')
    """

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
    """Root of every error this library raises on purpose.

    Each subclass is also the builtin a caller would expect (``ValueError``, ``KeyError``), so
    existing ``except`` clauses keep working. Every instance pickles with its fields.

    Examples
    --------
    >>> issubclass(DataError, CypIndicatorsError), issubclass(UnknownAreaError, CypIndicatorsError)
    (True, True)
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its fields, whatever its __init__ takes (keyword-only arguments included)
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class DefinitionError(CypIndicatorsError, ValueError):
    """A definition (or year-pack) file that cannot be read or breaks the schema.

    Parameters
    ----------
    file
        The file, kept as ``file``.
    issues
        Every problem found (:class:`Problem`: field path, message, line when known), kept as a
        tuple in ``issues``.

    Examples
    --------
    >>> err = DefinitionError("x.toml", [SchemaIssue("$.unit", "unknown unit", line=4)])
    >>> print(err)
    x.toml: 1 problem(s)
      line 4: $.unit: unknown unit
    >>> isinstance(err, ValueError)
    True
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
        """The issues, each located in this file (its ``location.file`` filled in where unset)."""
        return tuple(
            Problem(
                i.code,
                i.message,
                attrs.evolve(i.location, file=i.location.file or self.file),
            )
            for i in self.issues
        )


class UnknownDefinitionError(CypIndicatorsError, KeyError):
    """An id, version or collection year the catalogue does not hold; lists the close matches.

    Also a ``KeyError`` (a catalogue is looked up by key), but its message reads as a sentence.

    Parameters
    ----------
    message
        What was asked for and not found, kept as ``message``.
    suggestions
        Close matches, kept as a tuple in ``suggestions`` and listed in the message.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> try:
    ...     cyp.load_catalogue().get("cla_rate_per_10")
    ... except UnknownDefinitionError as err:
    ...     print(err.suggestions[0], isinstance(err, KeyError))
    cla_rate_per_10k True
    """

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

    Parameters
    ----------
    message
        What was asked for and not found, kept as ``message``.
    suggestions
        Close matches, kept as a tuple in ``suggestions`` and listed in the message.

    Examples
    --------
    >>> from cyp_indicators.geography import resolve_la
    >>> try:
    ...     resolve_la("8744")
    ... except UnknownAreaError as err:
    ...     print(err)
    unknown local authority code '8744': neither an old LA number nor an ONS code; did you mean: 874?
    """


class UnknownTopicError(UnknownDefinitionError):
    """A topic the catalogue does not hold; the message lists the topics and close matches.

    Parameters
    ----------
    message
        What was asked for and not found, kept as ``message``.
    suggestions
        Close matches, kept as a tuple in ``suggestions`` and listed in the message.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> try:
    ...     cyp.load_catalogue().list(topic="looked_after")
    ... except UnknownTopicError as err:
    ...     print(err.suggestions)
    ('looked_after_children',)
    """


class UnknownComparatorSetError(UnknownDefinitionError):
    """A comparator set that does not exist, or an LA without a group in it.

    The set is a statistical-neighbour version or a comparator-set file. A subclass of
    :class:`UnknownDefinitionError` for 0.1's callers.

    Parameters
    ----------
    message
        What was asked for and not found, kept as ``message``.
    suggestions
        Close matches, kept as a tuple in ``suggestions`` and listed in the message.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> try:
    ...     cyp.neighbour_set("2099")
    ... except UnknownComparatorSetError as err:
    ...     print(err)
    no statistical-neighbour set '2099'; did you mean: 2021, 2025?
    """


class DataError(CypIndicatorsError, ValueError):
    """Input data that the calculation cannot accept.

    Also a ``ValueError``. The subclasses say more: :class:`MissingColumnError`,
    :class:`InvalidValueError`, :class:`DuplicateKeyError`, :class:`PublishedDataError`,
    :class:`AreaNotApplicableError`.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> try:
    ...     cyp.rate(pl.DataFrame({"n": [1], "d": [True]}), "n", "d")
    ... except DataError as err:
    ...     print(err)
    denominator column 'd' must hold numbers (or text with GSS symbols), got Boolean
    """


class PublishedDataError(DataError):
    """A published file (LAIT, EES or the dashboard's) of a shape the library cannot read, or a
    bundled published file that does not exist.

    Parameters
    ----------
    file
        The file (or the bundled name), kept as ``file``.
    message
        What the reader expected and what it found, kept as ``message``.

    Examples
    --------
    >>> err = PublishedDataError("ks2_la.csv", "missing columns ['pt_rwm_met_expected_standard']")
    >>> print(err)
    ks2_la.csv: missing columns ['pt_rwm_met_expected_standard']
    >>> isinstance(err, DataError)
    True
    """

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message
        super().__init__(file, message)

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


class AreaNotApplicableError(DataError):
    """An area asked for in years it did not exist (local government reorganisation).

    Parameters
    ----------
    code
        The authority (old LA number), kept as ``code``.
    reason
        A sentence naming the years and the authorities that cover its area, kept as ``reason``
        (it is the message).
    others
        The authorities that cover its area in those years (its successors after it was abolished,
        its predecessors before it was created), kept as a tuple in ``others``.

    Examples
    --------
    >>> from cyp_indicators.geography import check_exists
    >>> try:
    ...     check_exists("909", [2024, 2025])
    ... except AreaNotApplicableError as err:
    ...     print(err.code, err.others)
    ...     print(err)
    909 ('942', '943')
    no figures for 2024 to 2025: Cumbria (909) was replaced on 1 April 2023 by Cumberland (942) and Westmorland and Furness (943)
    """

    def __init__(self, code: str, reason: str, others: Sequence[str] = ()) -> None:
        self.code = code
        self.reason = reason
        self.others = tuple(others)
        super().__init__(code, reason, self.others)

    def __str__(self) -> str:
        return self.reason


class MissingColumnError(DataError):
    """A column the calculation needs is not in the frame.

    Parameters
    ----------
    column
        The column looked for, kept as ``column``.
    role
        What it was for (``"numerator"``, ``"group"``, ...), kept as ``role``.
    available
        The columns the frame has, kept as a tuple in ``available``.
    context
        What was being computed (a definition's key), named in the message when given.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> try:
    ...     cyp.rate(pl.DataFrame({"n": [1], "d": [10]}), "cla", "d")
    ... except MissingColumnError as err:
    ...     print(err)
    numerator column 'cla' not found; the frame has columns: 'n', 'd'
    """

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

    Parameters
    ----------
    column
        The column holding them, kept as ``column``.
    rule
        The rule they break, in words, kept as ``rule``.
    rows
        Their 0-based row positions in the caller's frame, kept as a tuple in ``rows``.
    examples
        Some of the values (the message shows up to ten), kept as a tuple in ``examples``.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> try:
    ...     cyp.rate(pl.DataFrame({"n": [1, -2], "d": [10, 10]}), "n", "d")
    ... except InvalidValueError as err:
    ...     print(err.rows)
    ...     print(err)
    (1,)
    column 'n': numerator must not be negative; 1 row(s) at position 1 (values: '-2')
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
    """More than one row for a key where one row per key is expected.

    Parameters
    ----------
    keys
        The key columns, kept as a tuple in ``keys``.
    duplicates
        Each repeated key (a tuple of values, in the order of ``keys``), kept in ``duplicates``.

    Examples
    --------
    >>> import polars as pl
    >>> import cyp_indicators as cyp
    >>> frame = pl.DataFrame({"la": ["874", "874"], "n": [1, 2], "d": [10, 10]})
    >>> try:
    ...     cyp.rate(frame, "n", "d", keys=["la"])
    ... except DuplicateKeyError as err:
    ...     print(err)
    expected one row per (la) but 1 key(s) repeat: la='874'
    """

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
