"""The wheel carries the definitions and schemas, so an installed package works anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_definitions_schemas_data_and_marker(tmp_path: Path) -> None:
    """Build the wheel with hatchling and look inside."""
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    definitions = {p.relative_to(ROOT).as_posix() for p in (ROOT / "definitions").rglob("*.toml")}
    for path in definitions:
        assert f"cyp_indicators/_bundled/{path}" in names, path
    assert "cyp_indicators/_bundled/validation/indicator.schema.json" in names
    assert "cyp_indicators/_bundled/validation/year_pack.schema.json" in names
    assert "cyp_indicators/py.typed" in names
    assert "cyp_indicators/units.txt" in names
    assert "cyp_indicators/data/csc_counts.csv" in names
    assert "cyp_indicators/data/ons_mye_0_17.csv" in names
