"""Issue 15: every public function and class has a numpydoc docstring with the sections it needs.

Public is what a module of the package lists in ``__all__``, for every module whose path has no
part starting with ``_`` (so ``cyp_indicators.geography`` makes the names it re-exports from
``geography/_areas.py`` public), plus the public methods of public classes. What each needs:

* a docstring, always;
* ``Parameters`` when it takes a parameter besides ``self``/``cls`` (for a class: ``Parameters``
  or ``Attributes``, the fields its constructor takes);
* ``Returns`` (or ``Yields``) unless its annotation says it returns ``None`` (a property is
  described as an attribute, numpydoc's convention, so needs none);
* ``Raises`` when its body raises (a bare ``raise`` re-raising what it caught does not count),
  naming every exception class it raises by name;
* ``Examples`` with a doctest, for every module-level function and class (the doctests run in
  ``pytest -q``: ``--doctest-modules`` over ``src/cyp_indicators`` in pyproject.toml).
"""

from __future__ import annotations

import ast
import builtins
import enum
import functools
import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import cyp_indicators

#: Record-level returns and the reports are being written on other branches: their docstrings
#: follow when they land (remove a prefix here to hold it to the same rules).
PENDING = ("cyp_indicators.records", "cyp_indicators.reports")
#: The command line is not API: its interface is its arguments, documented by ``--help`` (and its
#: modules hold the implementations of subcommands, called by ``main`` only).
NOT_API = ("cyp_indicators.cli",)

_SECTION = re.compile(r"^\s*(\w[\w ]*?)\s*\n\s*-{3,}\s*$", re.MULTILINE)


def _excluded(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in PENDING + NOT_API)


def _public_modules() -> Iterator[ModuleType]:
    yield cyp_indicators
    for info in pkgutil.walk_packages(cyp_indicators.__path__, "cyp_indicators."):
        name = info.name
        if any(part.startswith("_") for part in name.split(".")) or _excluded(name):
            continue
        yield importlib.import_module(name)


@functools.cache
def public_api() -> dict[str, tuple[Any, bool]]:
    """Every public function, class and method: qualified name (where defined) -> (object, whether
    it is a method)."""
    found: dict[str, tuple[Any, bool]] = {}
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if _excluded(obj.__module__) or not obj.__module__.startswith("cyp_indicators"):
                continue  # pending, or pint's Quantity and Unit (documented by pint)
            found[f"{obj.__module__}.{obj.__qualname__}"] = (obj, False)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, staticmethod | classmethod):
                        member = member.__func__
                    if inspect.isfunction(member) or isinstance(member, property):
                        found[f"{obj.__module__}.{obj.__qualname__}.{attr}"] = (member, True)
    return dict(sorted(found.items()))


def _sections(doc: str) -> dict[str, str]:
    """The numpydoc sections of a docstring: title -> body (the summary is under "")."""
    doc = inspect.cleandoc(doc)
    out: dict[str, str] = {}
    marks = list(_SECTION.finditer(doc))
    out[""] = doc[: marks[0].start()] if marks else doc
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(doc)
        out[mark.group(1)] = doc[mark.end() : end]
    return out


def _function_of(obj: Any) -> Callable[..., Any] | None:
    if isinstance(obj, property):
        return obj.fget
    if inspect.isfunction(obj):
        return obj
    return None


def _tree(func: Callable[..., Any]) -> ast.AST | None:
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return None
    return ast.parse(textwrap.dedent(source))


def _raised(func: Callable[..., Any]) -> tuple[bool, set[str]]:
    """Whether the body raises, and the exception classes it raises by name."""
    tree = _tree(func)
    if tree is None:
        return False, set()
    raises = False
    names: set[str] = set()
    scope = {**vars(builtins), **getattr(func, "__globals__", {})}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        raises = True
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(target, ast.Name):
            value = scope.get(target.id)
            if inspect.isclass(value) and issubclass(value, BaseException):
                names.add(target.id)
    return raises, names


def _params(obj: Any) -> list[str]:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters if p not in ("self", "cls")]


def _returns_none(func: Callable[..., Any]) -> bool:
    annotation = inspect.signature(func).return_annotation
    return annotation in (None, "None")


def problems(obj: Any, *, method: bool) -> list[str]:
    """What the docstring of one public object lacks (empty when complete)."""
    doc = inspect.getdoc(obj) if not isinstance(obj, property) else obj.__doc__
    if inspect.isclass(obj) and obj.__doc__ is None:
        doc = None  # inspect.getdoc would return a base class's docstring
    if not doc or not doc.strip():
        return ["no docstring"]
    sections = _sections(doc)
    found: list[str] = []
    if inspect.isclass(obj):
        takes = _params(obj) if not issubclass(obj, enum.Enum) else []
        if takes and not ({"Parameters", "Attributes"} & sections.keys()):
            found.append(f"no Parameters or Attributes section (it takes {takes})")
        funcs = [
            f
            for n in ("__init__", "__attrs_post_init__")
            if inspect.isfunction(f := vars(obj).get(n)) and f.__module__ == obj.__module__
        ]
    else:
        func = _function_of(obj)
        assert func is not None
        takes = _params(func)
        if takes and not isinstance(obj, property) and "Parameters" not in sections:
            found.append(f"no Parameters section (it takes {takes})")
        if (
            not isinstance(obj, property)
            and not _returns_none(func)
            and not ({"Returns", "Yields"} & sections.keys())
        ):
            found.append("no Returns section")
        funcs = [func]
    for func in funcs:
        raises, names = _raised(func)
        if raises and "Raises" not in sections:
            found.append("no Raises section (its body raises)")
        missing = sorted(n for n in names if n not in sections.get("Raises", ""))
        if missing and "Raises" in sections:
            found.append(f"Raises does not name {missing}")
    if not method:
        if "Examples" not in sections:
            found.append("no Examples section")
        elif ">>>" not in sections["Examples"]:
            found.append("Examples has no doctest")
    return found


def test_the_public_api_is_found() -> None:
    """The walk finds what the package exports (a guard against a checker that checks nothing)."""
    api = public_api()
    assert "cyp_indicators.compute.compute" in api
    assert "cyp_indicators.geography._areas.la_name" in api  # re-exported from a private module
    assert "cyp_indicators.catalogue.Catalogue.get" in api  # a method of a public class
    assert not [q for q in api if _excluded(q)]
    assert len(api) > 250


@pytest.mark.parametrize("qualname", list(public_api()))
def test_public_docstring_is_complete(qualname: str) -> None:
    """The docstring has every section the object needs (see the module docstring)."""
    obj, method = public_api()[qualname]
    assert problems(obj, method=method) == []
