"""The record of the bundled catalogue is current, gives exactly the fully checked catalogue, and
is never used for a file that changed."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

import cyp_indicators as cyp
from cyp_indicators import catalogue as catalogue_module
from cyp_indicators import catalogue_cache
from cyp_indicators.resources import bundled_definitions, data_file

ROOT = Path(__file__).resolve().parents[1]


def _tool() -> object:
    spec = importlib.util.spec_from_file_location(
        "gen_cache", ROOT / "tools" / "gen_catalogue_cache.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_record_is_current() -> None:
    """Regenerate after changing a definition: python tools/gen_catalogue_cache.py."""
    tool = _tool()
    record = data_file(catalogue_cache.CACHE_NAME)
    assert record.read_text(encoding="utf-8") == tool.render()  # type: ignore[attr-defined]


def _full_read() -> tuple[tuple[cyp.IndicatorDefinition, ...], tuple[cyp.YearPack, ...]]:
    definitions, packs = catalogue_module._read_folder(bundled_definitions())
    return tuple(definitions), tuple(packs)


def test_the_record_gives_exactly_the_fully_checked_catalogue() -> None:
    cached = catalogue_cache.cached_bundled()
    assert cached is not None
    definitions, packs = _full_read()
    assert [d.to_mapping() for d in cached[0]] == [d.to_mapping() for d in definitions]
    assert [d.source_file for d in cached[0]] == [d.source_file for d in definitions]
    assert cached[1] == packs
    assert [p.source_file for p in cached[1]] == [p.source_file for p in packs]


def _copy_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "definitions"
    shutil.copytree(bundled_definitions(), copy)
    monkeypatch.setattr(catalogue_cache, "bundled_definitions", lambda: copy)
    return copy


def test_an_edited_file_is_read_in_full_not_from_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _copy_bundled(tmp_path, monkeypatch)
    assert catalogue_cache.cached_bundled() is not None  # the copy is byte for byte the same
    path = next(copy.rglob("cla_rate_per_10k.v1.toml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('polarity = "not_applicable"', 'polarity = "low_is_good"'), encoding="utf-8"
    )
    assert catalogue_cache.cached_bundled() is None


def test_an_added_or_removed_file_is_read_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _copy_bundled(tmp_path, monkeypatch)
    extra = copy / "local" / "extra.toml"
    extra.parent.mkdir()
    extra.write_text("", encoding="utf-8")
    assert catalogue_cache.cached_bundled() is None
    extra.unlink()
    assert catalogue_cache.cached_bundled() is not None
    next(copy.rglob("cla_rate_per_10k.v1.toml")).unlink()
    assert catalogue_cache.cached_bundled() is None


def test_a_changed_schema_invalidates_the_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue_cache, "_dependency_digest", lambda: "something else")
    assert catalogue_cache.cached_bundled() is None
