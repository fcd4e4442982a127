"""The closed registry of pupil-level rules.

A definition names one of these in its ``[pupil_rule]`` table, with its parameters as data
(thresholds, codes, the pupil columns it reads) and the DfE rule it applies cited; the only code
is here, reviewed and tested once. A rule turns the schema of a pupil frame and its parameters into
two polars expressions: the pupil's value (true/false for a share, a number for a mean) and the
reason a pupil leaves the calculation (null when the pupil is counted).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import attrs
import polars as pl

from ...errors import DataError, MissingColumnError

__all__ = [
    "PUPIL_RULES",
    "REASONS",
    "PupilRuleSpec",
    "RuleContext",
    "RuleExprs",
    "parameter_kind",
    "pupil_rule",
    "resolve",
]

#: Reason codes; each pupil's ``exclusion_reason`` starts with one, then ": " and words.
REASONS = (
    "not_in_cohort",
    "missing_result",
    "unknown_code",
    "non_finite",
    "out_of_range",
)

Kind = Literal["share", "mean"]


@attrs.frozen
class RuleExprs:
    """What a rule gives: ``value`` per pupil (bool for a share, float for a mean) and
    ``reason``, null for a counted pupil and ``"<reason code>: words"`` for one left out."""

    value: pl.Expr
    reason: pl.Expr


@attrs.frozen
class RuleContext:
    """Where a rule runs: its name and the definition (``id@version``), for error messages."""

    rule: str
    definition: str

    def need(self, schema: pl.Schema, column: str, parameter: str) -> pl.DataType:
        """The dtype of ``column``; :class:`MissingColumnError` naming the column, the rule and
        the parameter that names it when the frame lacks it."""
        if column not in schema:
            raise MissingColumnError(
                column,
                role=f"pupil rule {self.rule!r} ({parameter})",
                available=list(schema),
                context=self.definition,
            )
        return schema[column]

    def error(self, message: str) -> DataError:
        """A :class:`DataError` naming the definition and the rule."""
        return DataError(f"{self.definition}: pupil rule {self.rule!r}: {message}")


RuleFunction = Callable[[pl.Schema, Mapping[str, Any], RuleContext], RuleExprs]


@attrs.frozen
class PupilRuleSpec:
    """A registered rule: its name, kind, function, parameters with their defaults, and description.

    Parameters
    ----------
    name
        The name a definition's ``pupil_rule.name`` gives.
    kind
        ``"share"`` (true/false per pupil) or ``"mean"`` (a number per pupil).
    function
        Builds the rule's expressions from a pupil frame's schema, the parameters and a
        :class:`RuleContext`.
    parameters
        Every parameter the rule takes, with its default (read-only).
    description
        One line: the first paragraph of the function's docstring.

    Examples
    --------
    >>> spec = PUPIL_RULES["persistent_absence_sessions"]
    >>> spec.kind, spec.parameters["min_sessions"]
    ('share', 56)
    """

    name: str
    kind: Kind
    function: RuleFunction
    parameters: Mapping[str, Any]
    description: str

    def expressions(
        self, schema: pl.Schema, params: Mapping[str, Any], definition: str
    ) -> RuleExprs:
        """The rule's expressions for a frame of ``schema``, ``params`` merged over the defaults.

        Parameters
        ----------
        schema
            The pupil frame's schema.
        params
            The definition's parameters (over the defaults).
        definition
            The definition's key, for error messages.

        Returns
        -------
        RuleExprs
            ``value`` per pupil and ``reason`` (null for a counted pupil).

        Raises
        ------
        MissingColumnError
            A column the parameters name is not in the schema.
        DataError
            A column of the wrong type, or parameters the rule cannot use.

        Examples
        --------
        >>> import polars as pl
        >>> pupils = pl.DataFrame({"sessions_missed": [64, 10], "sessions_possible": [300, 300]})
        >>> rule = PUPIL_RULES["persistent_absence_sessions"].expressions(pupils.schema, {}, "x@1.0.0")
        >>> pupils.select(rule.value.alias("value"), rule.reason.alias("reason")).rows()
        [(True, None), (False, None)]
        """
        return self.function(
            schema, {**self.parameters, **params}, RuleContext(self.name, definition)
        )


_RULES: dict[str, PupilRuleSpec] = {}

#: The registry, read-only: rule name -> :class:`PupilRuleSpec`.
PUPIL_RULES: Mapping[str, PupilRuleSpec] = MappingProxyType(_RULES)


def pupil_rule(
    name: str, *, kind: Kind, parameters: Mapping[str, Any]
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under ``name`` (a definition's ``pupil_rule.name``). Defaults are
    plain values; lists are tuples so that nobody can change them."""

    def register(fn: RuleFunction) -> RuleFunction:
        if name in _RULES:
            msg = f"pupil rule {name!r} is registered twice"
            raise ValueError(msg)
        doc = (fn.__doc__ or "").strip()
        _RULES[name] = PupilRuleSpec(
            name=name, kind=kind, function=fn, parameters=MappingProxyType(dict(parameters)),
            description=" ".join(doc.split("\n\n")[0].split()),
        )  # fmt: skip
        return fn

    return register


def parameter_kind(value: object) -> str:
    """The kind of a parameter value, as a definition's checks word it."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    return "text"


def _close(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3)
    return f"; did you mean: {', '.join(map(repr, close))}?" if close else ""


def resolve(
    name: str, params: Mapping[str, Any], *, family_kind: Kind, definition: str
) -> PupilRuleSpec:
    """The registered rule ``name``, with ``params`` checked against it (names, kinds) and its
    kind against the definition's family; :class:`DataError` with close matches otherwise."""
    spec = _RULES.get(name)
    if spec is None:
        msg = f"{definition}: no pupil rule {name!r}{_close(name, sorted(_RULES))}"
        raise DataError(msg)
    for key, value in params.items():
        if key not in spec.parameters:
            takes = ", ".join(sorted(spec.parameters))
            msg = (
                f"{definition}: pupil rule {name!r} takes no parameter {key!r}"
                f"{_close(key, sorted(spec.parameters))} (it takes: {takes})"
            )
            raise DataError(msg)
        if parameter_kind(value) != parameter_kind(spec.parameters[key]):
            msg = (
                f"{definition}: parameter {key!r} of pupil rule {name!r} is "
                f"{parameter_kind(spec.parameters[key])}, got {value!r}"
            )
            raise DataError(msg)
    if spec.kind != family_kind:
        msg = f"{definition}: pupil rule {name!r} gives a {spec.kind} per pupil; the definition's family needs a {family_kind}"
        raise DataError(msg)
    return spec
