"""Every definition whose components DfE publishes reproduces DfE's published figures from them.

For each LA-year the library computes the figure from the published numerator and denominator
(``provenance.ees``), presents it as DfE does and sets it beside DfE's own (LAIT's or the EES
file's); England and the regions are rolled up from the LA counts. A figure not reproduced must
have one of the explained causes (``cyp_indicators.sources.reproduce.CAUSES``): DfE withheld one
side, the population vintage differs, the roll-up had to leave out an LA without a count, or DfE
computed the figure from counts rounded to 10. None may be unexplained, and no tolerance is
loosened: figures compare equal after the definition's rounding.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import cyp_indicators as cyp
from cyp_indicators.sources.reproduce import CAUSES, reproduce, reproducible

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from reproduction import OUT, summaries  # noqa: E402


@pytest.fixture(scope="module")
def runs(catalogue: cyp.Catalogue) -> dict[str, dict[str, object]]:
    return summaries(catalogue)


def test_every_published_figure_is_reproduced_or_explained(
    runs: dict[str, dict[str, object]], catalogue: cyp.Catalogue
) -> None:
    assert len(runs) >= 8
    for key, run in runs.items():
        causes = run["causes"]
        assert isinstance(causes, dict)
        assert set(causes) <= set(CAUSES) - {"unexplained"}, (key, causes)
        assert (
            run["la_years_reproduced"]
            + sum(  # type: ignore[operator]
                n for c, n in causes.items() if c in ("withheld", "population vintage")
            )
            == run["la_years"]
        ), key
        assert run["la_years"] > 0, key


def test_the_data_dictionary_shows_what_the_tests_reproduce(
    runs: dict[str, dict[str, object]],
) -> None:
    """docs/data/reproduction.json (read by the data dictionary) is this run's output."""
    committed = json.loads(OUT.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(runs)), (
        "docs/data/reproduction.json is out of date: run .venv/bin/python tools/reproduction.py"
    )


def test_a_withheld_component_says_why_it_cannot_be_reproduced(catalogue: cyp.Catalogue) -> None:
    """DfE publishes 0 % beside a withheld cohort: the library says the component is withheld."""
    r = reproduce(catalogue.get("cpp_second_or_subsequent_pct"), catalogue=catalogue)
    withheld = r.rows.filter(r.rows["cause"] == "withheld")
    assert withheld.height >= 1
    assert all(v is None for v in withheld["computed"].to_list())


def test_a_definition_without_components_is_refused(catalogue: cyp.Catalogue) -> None:
    d = next(d for d in catalogue if not reproducible(d))
    with pytest.raises(cyp.DataError, match="no published components"):
        reproduce(d)
