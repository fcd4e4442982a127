"""The wheel carries the definitions and schemas, so an installed package works anywhere."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tarfile
import tomllib
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


def test_sdist_holds_the_repository_and_its_tests_collect_and_run(tmp_path: Path) -> None:
    """The unpacked sdist is a working copy: every tracked file is in it, and its test suite
    collects without an error (the benchmark smoke test imports the benchmarks package, which
    must be shipped) and runs."""
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (unpacked,) = (p for p in tmp_path.iterdir() if p.is_dir())
    shipped = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()}
    for folder in ("src", "definitions", "validation", "tests", "benchmarks", "examples", "tools"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert path.relative_to(ROOT).as_posix() in shipped, path
    assert {"README.md", "CHANGELOG.md", "LICENSE", "Makefile", "pyproject.toml"} <= shipped
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    collected = subprocess.run(
        [*run, "--collect-only"], cwd=unpacked, capture_output=True, text=True, timeout=300
    )
    assert collected.returncode == 0, collected.stdout[-2000:]
    assert "error" not in collected.stdout.splitlines()[-1]
    ran = subprocess.run(
        [*run, "tests/test_units.py", "tests/test_api.py"],
        cwd=unpacked, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-2000:]


def test_the_version_is_written_in_one_place() -> None:
    """pyproject.toml reads the version from the package (hatch's version source)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    import cyp_indicators

    assert importlib.metadata.version("cyp-indicators") == cyp_indicators.__version__
