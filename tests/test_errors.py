"""Errors as data: one Problem record, every exception pickles with its fields."""

from __future__ import annotations

import inspect
import pickle

import pytest

import cyp_indicators as cyp
from cyp_indicators import errors


def _examples() -> list[BaseException]:
    return [
        errors.CypIndicatorsError("boom"),
        errors.DataError("bad data"),
        errors.DefinitionError("f.toml", [errors.SchemaIssue("$.unit", "bad unit", 4)]),
        errors.UnknownDefinitionError("no definition 'x'", ["y", "z"]),
        errors.UnknownAreaError("unknown local authority code '999'", ["909 (Cumbria)"]),
        errors.UnknownComparatorSetError("no statistical-neighbour set '2030'", ["2021", "2025"]),
        errors.UnknownTopicError("no topic 'looked_after'", ["looked_after_children"]),
        errors.MissingColumnError("cla", role="numerator", available=["a", "b"], context="x"),
        errors.InvalidValueError("cla", "must not be negative", [3, 7], [-1, -2]),
        errors.DuplicateKeyError(["la", "year"], [("874", 2024)]),
        errors.PublishedDataError("file.csv", "missing columns ['Years']"),
        errors.AreaNotApplicableError("909", "Cumbria (909) was replaced", ("942", "943")),
    ]


def test_every_error_class_is_exercised() -> None:
    classes = {
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException)
    }
    assert classes == {type(e) for e in _examples()}


@pytest.mark.parametrize("exc", _examples(), ids=lambda e: type(e).__name__)
def test_every_exception_pickles_with_its_fields(exc: BaseException) -> None:
    restored = pickle.loads(pickle.dumps(exc))
    assert type(restored) is type(exc)
    assert str(restored) == str(exc)
    assert restored.args == exc.args
    assert vars(restored) == vars(exc)


def test_a_definition_problem_is_a_problem_with_its_location() -> None:
    issue = cyp.SchemaIssue("$.numerator.column", "required", 12)
    assert isinstance(issue, cyp.Problem)
    assert (issue.code, issue.path, issue.line) == ("schema", "$.numerator.column", 12)
    exc = errors.DefinitionError("defs/a.toml", [issue])
    (located,) = exc.problems
    assert located.location == cyp.Location(file="defs/a.toml", line=12, field="$.numerator.column")
    assert str(located) == "defs/a.toml, line 12, $.numerator.column: required"
    assert pickle.loads(pickle.dumps(located)) == located


def test_new_lookup_errors_are_still_caught_as_unknown_definition_errors() -> None:
    """0.1 raised UnknownDefinitionError for an unknown LA code or SN set; callers still catch."""
    assert issubclass(cyp.UnknownAreaError, cyp.UnknownDefinitionError)
    assert issubclass(cyp.UnknownComparatorSetError, cyp.UnknownDefinitionError)
    assert issubclass(cyp.UnknownAreaError, KeyError)
    assert issubclass(cyp.UnknownTopicError, cyp.UnknownDefinitionError)
