"""The year chain's choices that the mutation check (tools/mutation_check.py) found unpinned.

A council's own definition that no year pack names is in force, each collection year, "at its
highest version valid that year" (the catalogue's rule for ids outside the Data to Insight year
chain); a version pin ("1") means the latest 1.x.y. The scenarios below are worked by hand from
those two sentences.
"""

from __future__ import annotations

import attrs
import pytest

import cyp_indicators as cyp


def _version(base: cyp.IndicatorDefinition, version: str, start: int) -> cyp.IndicatorDefinition:
    return attrs.evolve(
        base,
        id="local_cla_rate",
        version=cyp.Version.parse(version),
        valid_from=start,
        valid_to=None,
        changelog=(),
    )


@pytest.fixture(scope="module")
def local() -> cyp.Catalogue:
    """1.0.0 valid from 2010, 1.1.0 from 2015, 2.0.0 from 2020; no pack names the id."""
    base = cyp.load_catalogue().get("cla_rate_per_10k")
    return cyp.Catalogue(
        [
            _version(base, "1.0.0", 2010),
            _version(base, "1.1.0", 2015),
            _version(base, "2.0.0", 2020),
        ]
    )


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2010, "1.0.0"), (2014, "1.0.0"), (2015, "1.1.0"), (2019, "1.1.0"), (2020, "2.0.0")],
)
def test_the_highest_version_valid_that_year_is_in_force(
    local: cyp.Catalogue, year: int, expected: str
) -> None:
    assert str(local.get("local_cla_rate", year=year).version) == expected
    assert str(local.in_force(year)["local_cla_rate"].version) == expected
    assert str(local.versions_by_year("local_cla_rate", [year])[year].version) == expected  # type: ignore[union-attr]


def test_before_the_first_valid_year_nothing_is_in_force(local: cyp.Catalogue) -> None:
    assert local.versions_by_year("local_cla_rate", [2009]) == {2009: None}
    with pytest.raises(cyp.UnknownDefinitionError, match="not in force in collection year 2009"):
        local.get("local_cla_rate", year=2009)


def test_a_major_pin_gives_the_latest_of_that_major(local: cyp.Catalogue) -> None:
    assert str(local.get("local_cla_rate", version="1").version) == "1.1.0"
    assert str(local.get("local_cla_rate", version="1.0").version) == "1.0.0"
    assert str(local.get("local_cla_rate").version) == "2.0.0"


def test_only_a_new_major_version_breaks_the_series(local: cyp.Catalogue) -> None:
    """A change of meaning is a new major version (DEVELOPERS.md); 1.0.0 -> 1.1.0 is not one.
    A series over 2019-2020 crosses the break; one over 2020-2021 starts after it."""
    breaks = local.breaks("local_cla_rate")
    assert [(b.year, b.kind, b.before, b.after) for b in breaks] == [
        (2020, "new_version", "local_cla_rate@1.1.0", "local_cla_rate@2.0.0")
    ]
    assert [b.year for b in local.breaks("local_cla_rate", years=[2019, 2020])] == [2020]
    assert local.breaks("local_cla_rate", years=[2020, 2021]) == []
