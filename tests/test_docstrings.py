"""Issue 15: every public function and class has a numpydoc docstring with the sections it needs.

Public is what a module of the package lists in ``__all__``, for every module whose path has no
part starting with ``_`` (so ``cyp_indicators.geography`` makes the names it re-exports from
``geography/_areas.py`` public), plus the public methods and properties of public classes. What
each needs:

* a docstring, always;
* ``Parameters`` when it takes a parameter besides ``self``/``cls``, naming each of them and
  nothing else (a class: ``Parameters`` for its constructor, or ``Attributes`` where the
  constructor is another library's, as for a polars frame);
* ``Returns`` (or ``Yields``) unless its annotation says it returns ``None`` (a property is
  described as an attribute, numpydoc's convention, so needs none);
* ``Raises`` when its body raises (a bare ``raise`` re-raising what it caught does not count),
  naming every exception class it raises by name (a class: what its ``__init__`` or
  ``__attrs_post_init__`` raises);
* ``Examples`` with a doctest, for every module-level function and class. The doctests run in
  ``pytest -q``: pyproject.toml collects ``src/cyp_indicators`` with ``--doctest-modules``.
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
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import cyp_indicators

#: Module prefixes whose docstrings are still being written, left out of the checks (none: since
#: ``cyp_indicators.records`` was documented, every module is held to the same rules).
PENDING: tuple[str, ...] = ()
#: The command line is not API: its interface is its arguments, documented by ``--help``, and its
#: modules hold the subcommands' implementations, called by ``main`` only.
NOT_API = ("cyp_indicators.cli",)

_SECTION = re.compile(r"^(\w[\w ]*?)[ \t]*\n-{3,}[ \t]*$", re.MULTILINE)


def _excluded(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PENDING + NOT_API)


def _module_names() -> Iterator[str]:
    """Every module of the package but ``__main__`` (importing it runs the command line)."""
    yield "cyp_indicators"
    for info in pkgutil.walk_packages(cyp_indicators.__path__, "cyp_indicators."):
        if not info.name.endswith(".__main__"):
            yield info.name


def _public_modules() -> Iterator[ModuleType]:
    for name in _module_names():
        if not any(part.startswith("_") for part in name.split(".")) and not _excluded(name):
            yield importlib.import_module(name)


@functools.cache
def public_api() -> dict[str, tuple[Any, bool]]:
    """Every public function, class, method and property: its qualified name where it is defined
    -> (the object, whether it belongs to a class)."""
    found: dict[str, tuple[Any, bool]] = {}
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants and type aliases
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
    """The numpydoc sections of a docstring: title -> body (the summary and text are under "")."""
    doc = inspect.cleandoc(doc)
    marks = list(_SECTION.finditer(doc))
    out = {"": doc[: marks[0].start()] if marks else doc}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(doc)
        out[mark.group(1)] = doc[mark.end() : end]
    return out


def _named(section: str) -> set[str]:
    """The names a Parameters or Attributes section documents (``a, b`` and ``*args`` read)."""
    names: set[str] = set()
    for line in section.splitlines():
        if line.strip() and not line[0].isspace():
            names.update(n.strip().lstrip("*") for n in line.split(":")[0].split(","))
    return names


def _function_of(obj: Any) -> Callable[..., Any] | None:
    if isinstance(obj, property):
        return obj.fget
    return obj if inspect.isfunction(obj) else None


def _raised(func: Callable[..., Any]) -> tuple[bool, set[str]]:
    """Whether the body raises, and the exception classes it raises by name."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError):  # generated (attrs' __init__): nothing written to raise
        return False, set()
    scope = {**vars(builtins), **getattr(inspect.unwrap(func), "__globals__", {})}
    raises = False
    names: set[str] = set()
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
    return inspect.signature(func).return_annotation in (None, "None")


def problems(obj: Any, *, method: bool) -> list[str]:
    """What the docstring of one public object lacks (empty when it is complete)."""
    doc = obj.__doc__ if isinstance(obj, property) or inspect.isclass(obj) else inspect.getdoc(obj)
    if not doc or not doc.strip():
        return ["no docstring"]  # (a class's own: inspect.getdoc would give a base class's)
    sections = _sections(doc)
    found: list[str] = []
    if inspect.isclass(obj):
        takes = [] if issubclass(obj, enum.Enum) else _params(obj)
        if takes and "Parameters" in sections:
            missing = [p for p in takes if p not in _named(sections["Parameters"])]
            if missing:
                found.append(f"Parameters does not name {missing}")
        elif takes and "Attributes" not in sections:
            found.append(f"no Parameters or Attributes section (it takes {takes})")
        funcs = [
            f
            for name in ("__init__", "__attrs_post_init__")
            if inspect.isfunction(f := vars(obj).get(name)) and f.__module__ == obj.__module__
        ]  # its own: typing's __init__ of a Protocol raises for any Protocol
    else:
        func = _function_of(obj)
        assert func is not None
        if not isinstance(obj, property):
            takes = _params(func)
            if takes and "Parameters" not in sections:
                found.append(f"no Parameters section (it takes {takes})")
            elif takes:
                documented = _named(sections["Parameters"])
                missing = [p for p in takes if p not in documented]
                unknown = sorted(documented - set(takes))
                if missing:
                    found.append(f"Parameters does not name {missing}")
                if unknown:
                    found.append(f"Parameters names {unknown}, which it does not take")
            if not _returns_none(func) and not ({"Returns", "Yields"} & sections.keys()):
                found.append("no Returns section")
        funcs = [func]
    for func in funcs:
        raises, names = _raised(func)
        if raises and "Raises" not in sections:
            found.append("no Raises section (its body raises)")
        elif raises:
            missing = sorted(n for n in names if n not in _named(sections["Raises"]))
            if missing:
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
    assert "cyp_indicators.errors.Problem.path" in api  # a property
    assert not [q for q in api if _excluded(q)]
    assert len(api) > 250


def test_the_checker_finds_what_is_missing() -> None:
    """A function documented in words only fails for each section it lacks."""

    def scale(value: float, by: float) -> float:
        """Scale a value."""
        if by == 0:
            raise ValueError
        return value * by

    def scaled(value: float) -> float:
        """Scale a value.

        Parameters
        ----------
        value, factor
            The value, and a parameter it does not take.

        Returns
        -------
        float
            The value.

        Raises
        ------
        TypeError
            Never.

        Examples
        --------
        >>> scaled(1.0)
        2.0
        """
        if value < 0:
            raise ValueError(value)
        return value * 2

    assert problems(scale, method=False) == [
        "no Parameters section (it takes ['value', 'by'])",
        "no Returns section",
        "no Raises section (its body raises)",
        "no Examples section",
    ]
    assert problems(scaled, method=False) == [
        "Parameters names ['factor'], which it does not take",
        "Raises does not name ['ValueError']",
    ]


@pytest.mark.parametrize("qualname", list(public_api()))
def test_public_docstring_is_complete(qualname: str) -> None:
    """The docstring has every section the object needs (see the module docstring)."""
    obj, method = public_api()[qualname]
    assert problems(obj, method=method) == []


def test_importing_a_module_does_nothing_but_define() -> None:
    """Collecting the doctests imports every module: none may read the command line, print or
    exit on import (``__main__`` aside, which pytest does not collect)."""
    names = list(_module_names())
    code = (
        "import importlib, sys\n"
        "sys.argv = ['cyp-indicators', '--no-such-option', 'compute']\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
