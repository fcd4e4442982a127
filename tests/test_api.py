"""The public surface: the foundation issue's example runs as written, and __all__ is honest."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

import cyp_indicators as cyp


def test_all_lists_exactly_the_public_names() -> None:
    """Every name in __all__ exists, and every public attribute is either exported or a module."""
    for name in cyp.__all__:
        assert hasattr(cyp, name), name
    public = {n for n in vars(cyp) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(cyp, n)).__name__ == "module"}
    assert public - modules == set(cyp.__all__) - {"__version__"}


def test_the_foundation_example_runs_as_written() -> None:
    """The code in the foundation issue, line for line."""
    cat = cyp.load_catalogue()
    d = cat.get("cla_rate_per_10k")
    d_old = cat.get("cla_rate_per_10k", version="1")
    d_2016 = cat.get("cla_rate_per_10k", year=2016)
    assert (str(d.unit), d.polarity, str(d.version)) == (
        "per_10000",
        cyp.Polarity.NOT_APPLICABLE,
        "1.0.0",
    )
    assert d_old.version.major == 1
    assert d_2016.valid_in(2016)

    counts = pl.DataFrame({"la": ["874", "873"], "cla": [416, 1020], "pop": [57621, 150000]})
    out = cyp.compute(d, counts, numerator="cla", denominator="pop")
    rates = cyp.rate(counts, "cla", "pop", multiplier=10_000, confidence=[0.95, 0.998])
    frame = pl.DataFrame({"re_referrals": [761], "referrals": [3850]})
    shares = cyp.proportion(frame, "re_referrals", "referrals", confidence=0.95)

    assert out.columns[:3] == ["la", "cla", "pop"]
    assert out.columns[3:] == [
        "numerator", "denominator", "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8",
        "method", "reason", "indicator_id", "indicator_version",
    ]  # fmt: skip
    assert rates.columns == [
        "la", "cla", "pop", "numerator", "denominator", "value",
        "lower_95", "upper_95", "lower_99_8", "upper_99_8", "method", "reason",
    ]  # fmt: skip
    assert out["value"][0] == pytest.approx(416 / 57621 * 10_000)
    assert shares["value"][0] == pytest.approx(761 / 3850 * 100)
    assert shares["method"][0] == "wilson"


def test_count_family_returns_the_contract_without_intervals() -> None:
    """A count keeps the same columns, with no denominator and no interval."""
    out = cyp.count(pl.DataFrame({"la": ["874"], "n": ["c"]}), "n")
    assert out.columns == ["la", "n", "numerator", "denominator", "value", "method", "reason"]
    assert out["reason"][0].startswith("c:")


def test_grouped_computation_sums_first() -> None:
    """With by=, numerators and denominators are summed within groups before dividing."""
    frame = pl.DataFrame({"region": ["E", "E", "W"], "n": [10, 30, 5], "pop": [1000, 3000, 500]})

    out = cyp.rate(frame, "n", "pop", by=["region"])

    assert out["region"].to_list() == ["E", "W"]
    assert out["numerator"].to_list() == [40.0, 5.0]
    assert out["value"].to_list() == pytest.approx([100.0, 100.0])


def test_demo_runs_from_the_command_line() -> None:
    """`cyp-indicators demo` prints Peterborough's core rates with versions and intervals."""
    done = subprocess.run(
        [sys.executable, "-m", "cyp_indicators", "demo"], capture_output=True, text=True, check=True
    )
    assert "Peterborough (874)" in done.stdout
    assert "cla_rate_per_10k" in done.stdout
    assert "1.0.0" in done.stdout
    assert "72" in done.stdout  # CLA rate 2025, as DfE publishes
    assert "414.6" in done.stdout  # CIN rate 2025


def test_demo_reports_an_unknown_la_as_a_data_problem() -> None:
    """An LA code that is not in the data exits 1 with a message on stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "cyp_indicators", "demo", "--la", "999"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "no local authority '999'" in done.stderr


def test_bundled_counts_match_the_core_definitions(catalogue: cyp.Catalogue) -> None:
    """Every core indicator's default numerator column is in the bundled counts."""
    from cyp_indicators.reports.core_rates import CORE_INDICATORS

    columns = set(cyp.csc_counts().columns)
    for ident in CORE_INDICATORS:
        d = catalogue.get(ident)
        assert d.numerator.column in columns, ident
        assert d.denominator is not None
        assert d.denominator.column in columns | {"population_0_17"}, ident
