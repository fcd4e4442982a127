"""A definition's [derivation] is checked when it loads, against the registry (generated list)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cyp_indicators as cyp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from gen_derivations import OUT, derivations  # noqa: E402


def test_the_generated_list_matches_the_registry() -> None:
    committed = json.loads(OUT.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(derivations())), (
        "validation/derivations.json is out of date: run .venv/bin/python tools/gen_derivations.py"
    )


def _local(tmp_path: Path, parameters: str, name: str = "re_referrals_within_12_months") -> Path:
    source = Path(cyp.load_catalogue().get("re_referral_within_12_months_pct").source_file or "")
    text = source.read_text(encoding="utf-8").replace(
        'id = "re_referral_within_12_months_pct"', 'id = "my_re_referrals"'
    )
    head, _, _ = text.partition("[derivation]")
    text = head + f'[derivation]\nname = "{name}"\n{parameters}'
    path = tmp_path / "defs" / "my_re_referrals.v1.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misspelt_parameter_is_refused_at_load_with_close_matches(tmp_path: Path) -> None:
    path = _local(tmp_path, "[derivation.parameters]\nmonth = 12\n")
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(path.parent)
    (issue,) = info.value.issues
    assert issue.path == "$.derivation.parameters.month"
    assert "did you mean: 'months'" in issue.message
    assert issue.line is not None
    # and by the command line's validate, which today accepted it
    run = subprocess.run(
        [sys.executable, "-m", "cyp_indicators", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "'month'" in run.stderr


def test_a_parameter_of_the_wrong_kind_and_an_unknown_derivation_are_refused(
    tmp_path: Path,
) -> None:
    path = _local(tmp_path, '[derivation.parameters]\nmonths = "twelve"\n')
    with pytest.raises(cyp.DefinitionError, match="is a number, got 'twelve'"):
        cyp.load_catalogue(path.parent)
    other = tmp_path / "other"
    other.mkdir()
    path2 = _local(other, "", name="re_referals_within_12_months")
    with pytest.raises(cyp.DefinitionError, match="did you mean: 're_referrals_within_12_months'"):
        cyp.load_catalogue(path2.parent)


def test_every_bundled_derivation_parameter_is_one_the_registry_takes(
    catalogue: cyp.Catalogue,
) -> None:
    registry = derivations()
    for d in catalogue:
        if d.derivation is not None:
            assert d.derivation.name in registry, d.key
            assert set(d.derivation.params) <= set(registry[d.derivation.name]["parameters"]), d.key
