"""Every bundled definition that names a LAIT measure says what LAIT's dictionary says, or why not.

LAIT's data dictionary (bundled, from DfE's LAIT repository) gives each measure's code, polarity,
decimal places and year type; a definition that departs from it must argue the difference (a
``polarity_note``, or a caveat naming LAIT and the reason). The check is the library's own
(``cyp_indicators.sources.lait_consistency``), so a council can run it on its definitions.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import cyp_indicators as cyp
from cyp_indicators.sources import lait_consistency


def test_every_bundled_definition_agrees_with_lait_or_says_why(catalogue: cyp.Catalogue) -> None:
    problems = [p for d in catalogue for p in lait_consistency(d)]
    assert not problems, "\n".join(map(str, problems))


@pytest.fixture
def cpp_repeat(catalogue: cyp.Catalogue) -> cyp.IndicatorDefinition:
    return catalogue.get("cpp_second_or_subsequent_pct")  # LAIT 15 PrevRegCPR: Low


def test_a_polarity_that_contradicts_lait_without_a_note_is_refused(
    cpp_repeat: cyp.IndicatorDefinition,
) -> None:
    flipped = attrs.evolve(cpp_repeat, polarity="high_is_good", polarity_note=None)
    (problem,) = lait_consistency(flipped)
    assert problem.code == "lait_polarity"
    assert problem.location.field == "$.polarity"
    assert problem.location.file == cpp_repeat.source_file
    assert "'Low'" in problem.message
    argued = attrs.evolve(flipped, polarity_note="Argued: a council's own reading of repeats.")
    assert lait_consistency(argued) == []


def test_a_code_or_decimals_other_than_laits_are_refused(
    cpp_repeat: cyp.IndicatorDefinition,
) -> None:
    wrong = attrs.evolve(
        cpp_repeat,
        provenance=attrs.evolve(cpp_repeat.provenance, lait_measure_code="16"),
    )
    assert [p.code for p in lait_consistency(wrong)] == ["lait_code"]
    period = attrs.evolve(cpp_repeat, period_type="calendar_year")
    assert [p.code for p in lait_consistency(period)] == ["lait_period"]


def test_a_lait_measure_that_does_not_exist_is_refused_at_load(tmp_path: Path) -> None:
    source = Path(cyp.load_catalogue().get("cpp_second_or_subsequent_pct").source_file or "")
    text = source.read_text(encoding="utf-8").replace(
        'id = "cpp_second_or_subsequent_pct"', 'id = "my_repeat_plans"'
    )
    text = text.replace('lait_short_name = "PrevRegCPR"', 'lait_short_name = "PrevRegCPRX"')
    (tmp_path / "my_repeat_plans.v1.toml").write_text(text, encoding="utf-8")
    with pytest.raises(cyp.DefinitionError, match="did you mean: 'PrevRegCPR'"):
        cyp.load_catalogue(tmp_path)
