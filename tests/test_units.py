"""The catalogue checks units against units.txt without pint; pint must agree on every spelling.

pint itself is the independent implementation here: it reads the same ``units.txt``, and for every
name, alias and plural the library's own reading must accept exactly what pint accepts, name the
same unit and give the same dimensionless scale.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cyp_indicators as cyp
from cyp_indicators.units import unit_name, unit_scale


def _pint() -> pint.UnitRegistry:
    reg = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
    with resources.as_file(resources.files("cyp_indicators") / "units.txt") as path:
        reg.load_definitions(str(path))
    return reg


REG = _pint()


def _spellings() -> list[str]:
    text = (resources.files("cyp_indicators") / "units.txt").read_text(encoding="utf-8")
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            parts = [p.strip() for p in line.split("=")]
            names = [parts[0], *parts[2:]]
            out += names + [n + "s" for n in names]
    return [s for s in out if s.isidentifier()]


def _pint_reading(text: str) -> tuple[str, float | None] | None:
    try:
        unit = REG.Unit(text)
    except (pint.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError):
        return None
    scale = REG.Quantity(1, unit).to("dimensionless").magnitude if unit.dimensionless else None
    return str(unit), scale


def _library_reading(text: str) -> tuple[str, float | None] | None:
    try:
        name = unit_name(text)
    except ValueError:
        return None
    return name, unit_scale(name)


@pytest.mark.parametrize("text", _spellings())
def test_every_spelling_of_units_txt_reads_as_pint_reads_it(text: str) -> None:
    """Names, symbols, aliases and their plurals: the same unit and scale as pint gives."""
    assert _library_reading(text) == pytest.approx(_pint_reading(text))


@given(st.text(alphabet="abcdeilmnoprstuwk_019", min_size=1, max_size=12))
def test_any_identifier_is_accepted_exactly_when_pint_accepts_it(text: str) -> None:
    if not text[0].isalpha() and text[0] != "_":
        return
    assert (_library_reading(text) is None) == (_pint_reading(text) is None)


def test_definition_unit_is_a_unit_of_the_registry() -> None:
    d = cyp.load_catalogue().get("cin_rate_per_10k")
    assert d.unit_name == "per_10000"
    assert d.unit == cyp.registry.Unit("per_10000")


def test_reading_the_catalogue_and_computing_a_rate_does_not_load_pint() -> None:
    """pint (and numpy with it) is paid for on first use of a unit, not by every process."""
    code = (
        "import sys, polars as pl, cyp_indicators as cyp\n"
        "cat = cyp.load_catalogue()\n"
        "f = pl.DataFrame({'n': [3, 200], 'd': [1000, 50000]})\n"
        "cyp.rate(f, numerator='n', denominator='d', multiplier=10000, confidence=(0.95, 0.998))\n"
        "print(sorted(m for m in ('pint', 'numpy', 'scipy.stats') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
