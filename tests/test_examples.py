"""Every worked example runs, and says what it claims."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import polars as pl

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_local_indicator_example() -> None:
    """A council's own definition loads, validates and computes by month and by quarter."""
    names = runpy.run_path(str(EXAMPLES / "local_indicator.py"))
    monthly: pl.DataFrame = names["monthly"]
    assert monthly["display"].to_list() == ["24.1", "24.7", "22.7"]
    assert names["quarter"]["numerator"].to_list() == [615.0]


def test_reproduce_dfe_cla_rates_example() -> None:
    """Peterborough's CLA rates 2021-2025 come out as DfE published them."""
    names = runpy.run_path(str(EXAMPLES / "reproduce_dfe_cla_rates.py"), run_name="example")
    table: pl.DataFrame = names["cla_rates"]("874")
    assert table["year"].to_list() == [2021, 2022, 2023, 2024, 2025]
    assert table["display"][-1] == "72"


def test_examples_run_as_scripts() -> None:
    """Each example runs from the command line without error."""
    for script in sorted(EXAMPLES.glob("*.py")):
        subprocess.run([sys.executable, str(script)], check=True, capture_output=True)
