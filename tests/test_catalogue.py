"""The catalogue: bundled definitions, version pins, the year chain, councils' own folders."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

import cyp_indicators as cyp
from cyp_indicators.resources import bundled_definitions, bundled_schema

FIRST_CATALOGUE = [
    "cin_rate_per_10k", "referral_rate_per_10k", "s47_rate_per_10k", "icpc_rate_per_10k",
    "cpp_rate_per_10k", "cla_rate_per_10k", "cla_starts_rate_per_10k", "cla_ceased_rate_per_10k",
    "early_help_assessment_rate_per_10k", "contact_to_referral_conversion",
    "referral_to_assessment_conversion", "s47_to_icpc_conversion",
    "re_referral_within_12_months_pct", "cpp_second_or_subsequent_pct",
    "cpp_lasting_2_years_or_more_pct", "cla_three_or_more_placements_pct",
    "cla_long_term_placement_stability_pct", "care_leavers_neet_pct",
    "care_leavers_status_not_known_pct", "initial_health_assessment_within_20_working_days_pct",
    "assessment_within_45_working_days_pct", "icpc_within_15_working_days_pct",
    "schools_good_or_outstanding_of_inspected_pct", "schools_good_or_outstanding_of_all_pct",
    "early_years_settings_good_or_outstanding_pct", "under_18_conception_rate_per_1000",
]  # fmt: skip

CLA_FILE = bundled_definitions() / "social_care" / "cla_rate_per_10k.v1.toml"


def test_schemas_are_valid_draft_2020_12() -> None:
    """Every shipped schema is itself a valid draft 2020-12 schema."""
    for name in ("indicator.schema.json", "year_pack.schema.json"):
        schema = json.loads(bundled_schema(name).read_text())
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_first_catalogue_is_complete(catalogue: cyp.Catalogue) -> None:
    """Every id the foundation promises is there, with text, polarity, unit, dps, provenance."""
    assert set(FIRST_CATALOGUE) <= set(catalogue.ids)
    for ident in FIRST_CATALOGUE:
        d = catalogue.get(ident)
        assert d.description
        assert d.title
        assert d.provenance.dfe_release or d.provenance.notes
        assert d.presentation.decimal_places >= 0
        assert d.changelog[-1].version == d.version


@pytest.mark.parametrize(
    ("ident", "dps"),
    [
        ("cla_rate_per_10k", 0), ("cla_starts_rate_per_10k", 0), ("cla_ceased_rate_per_10k", 0),
        ("cin_rate_per_10k", 1), ("cpp_rate_per_10k", 1), ("referral_rate_per_10k", 1),
        ("s47_rate_per_10k", 1),
    ],
)  # fmt: skip
def test_published_precision_follows_dfe(catalogue: cyp.Catalogue, ident: str, dps: int) -> None:
    """CLA rates are whole numbers; CIN, CPP, referral and s47 rates have one decimal place."""
    assert catalogue.get(ident).presentation.decimal_places == dps


def test_units_are_pint_units(catalogue: cyp.Catalogue) -> None:
    """A rate per 10,000 carries the per_10000 unit of the library's registry."""
    d = catalogue.get("cla_rate_per_10k")
    assert d.unit == cyp.registry.Unit("per_10000")
    assert cyp.unit_label(d) == "per 10,000"
    assert (cyp.Quantity(1, d.unit) * d.multiplier).to("dimensionless").magnitude == pytest.approx(
        1
    )


def test_every_definition_round_trips(catalogue: cyp.Catalogue) -> None:
    """from_mapping(to_mapping(d)) == d, and to_mapping is valid against the schema."""
    schema = json.loads(bundled_schema("indicator.schema.json").read_text())
    for d in catalogue:
        doc = d.to_mapping()
        jsonschema.validate(doc, schema)
        assert cyp.IndicatorDefinition.from_mapping(doc) == d


def test_get_by_version_pin(catalogue: cyp.Catalogue) -> None:
    """A major pin, a full version and the latest agree while only 1.0.0 exists."""
    latest = catalogue.get("cla_rate_per_10k")
    assert catalogue.get("cla_rate_per_10k", version="1") == latest
    assert catalogue.get("cla_rate_per_10k", version="1.0.0") == latest
    assert catalogue.get("cla_rate_per_10k", year=2016) == latest
    assert str(latest.version) == "1.0.0"


def test_version_and_year_together_are_refused(catalogue: cyp.Catalogue) -> None:
    """Asking for a pin and a year at once is ambiguous."""
    with pytest.raises(ValueError, match="not both"):
        catalogue.get("cla_rate_per_10k", version="1", year=2016)


def test_every_bundled_definition_is_in_the_year_chain(catalogue: cyp.Catalogue) -> None:
    """Each bundled id@version is in force in at least one collection year."""
    in_chain = {d.key for year in range(2008, 2027) for d in catalogue.in_force(year).values()}
    assert in_chain == {d.key for d in catalogue}


def test_year_resolution_follows_the_chain(catalogue: cyp.Catalogue) -> None:
    """Each year's pack is the previous one plus added/changed minus removed."""
    history = catalogue.history("referral_to_assessment_conversion")
    assert [d.version.major for d in history] == [1, 2]
    assert catalogue.get("referral_to_assessment_conversion", year=2013).version.major == 1
    assert catalogue.get("referral_to_assessment_conversion", year=2014).version.major == 2
    assert catalogue.get("referral_to_assessment_conversion", year=2030).version.major == 2
    assert catalogue.get("referral_to_assessment_conversion", version="1").valid_to == 2013
    with pytest.raises(cyp.UnknownDefinitionError):
        catalogue.get("assessment_within_45_working_days_pct", year=2013)
    for year in range(2008, 2027):
        for d in catalogue.in_force(year).values():
            assert d.valid_in(year), (year, d.key)


def test_listing_and_search(catalogue: cyp.Catalogue) -> None:
    """Lists filter by family, topic and keyword; search finds words in titles and keywords."""
    rates = catalogue.list(family="rate")
    assert {d.id for d in rates} >= {"cla_rate_per_10k", "cin_rate_per_10k"}
    assert all(d.family is cyp.Family.RATE for d in rates)
    assert {d.id for d in catalogue.list(family="conversion")} == {
        "contact_to_referral_conversion", "referral_to_assessment_conversion", "s47_to_icpc_conversion",
    }  # fmt: skip
    assert "cla_rate_per_10k" in {d.id for d in catalogue.search("looked after")}
    assert all(
        d.topic == "looked_after_children" for d in catalogue.list(topic="looked_after_children")
    )
    in_2012 = {d.id for d in catalogue.list(year=2012)}
    assert "assessment_within_45_working_days_pct" not in in_2012
    frame = catalogue.to_frame()
    assert frame.height == len(catalogue.ids)
    assert {"id", "version", "unit", "polarity"} <= set(frame.columns)


def test_polarity_can_be_overridden_per_use(catalogue: cyp.Catalogue) -> None:
    """with_polarity gives a copy for one use; the catalogue's definition is unchanged."""
    d = catalogue.get("cla_rate_per_10k")
    mine = d.with_polarity("low_is_good", note="our plan aims to reduce entries to care")
    assert mine.polarity is cyp.Polarity.LOW_IS_GOOD
    assert mine.polarity_note == "our plan aims to reduce entries to care"
    assert catalogue.get("cla_rate_per_10k").polarity is cyp.Polarity.NOT_APPLICABLE
    assert cyp.Polarity.from_label("RAG - High is good") is cyp.Polarity.HIGH_IS_GOOD
    assert cyp.Polarity.from_label("-") is cyp.Polarity.NOT_APPLICABLE


def _local(tmp_path: Path, text: str, name: str = "local.toml") -> Path:
    folder = tmp_path / "council"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def _local_text(**replace: str) -> str:
    text = CLA_FILE.read_text(encoding="utf-8").replace(
        'id = "cla_rate_per_10k"', 'id = "local_cla_rate_per_10k"'
    )
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def test_a_council_folder_loads_and_validates_like_the_bundled_one(tmp_path: Path) -> None:
    """Local definitions join the catalogue, resolve by their valid years, and compute."""
    folder = _local(tmp_path, _local_text())
    cat = cyp.load_catalogue(folder)
    d = cat.get("local_cla_rate_per_10k", year=2020)
    assert d.source_file
    assert d.source_file.endswith("local.toml")
    assert "cla_rate_per_10k" in cat
    only_local = cyp.load_catalogue(folder, bundled=False)
    assert only_local.ids == ["local_cla_rate_per_10k"]


def test_a_file_breaking_the_schema_names_file_field_and_line(tmp_path: Path) -> None:
    """Every problem is listed with the field path, the line and what is wrong."""
    text = _local_text(
        **{
            'polarity = "not_applicable"': 'polarity = "sideways"',
            "decimal_places = 0 ": "decimal_places = -1 ",
        }
    )
    folder = _local(tmp_path, text)

    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(folder)

    err = info.value
    assert err.file.endswith("local.toml")
    by_path = {i.path: i for i in err.issues}
    assert set(by_path) == {"$.polarity", "$.presentation.decimal_places"}
    assert "'sideways' is not one of" in by_path["$.polarity"].message
    lines = text.splitlines()
    assert lines[by_path["$.polarity"].line - 1].startswith("polarity =")  # type: ignore[operator]
    assert lines[by_path["$.presentation.decimal_places"].line - 1].startswith("decimal_places")  # type: ignore[operator]
    assert "local.toml: 2 problem(s)" in str(err)
    assert isinstance(err, ValueError)


def test_a_missing_required_field_is_named(tmp_path: Path) -> None:
    """A definition without a title says so."""
    text = "\n".join(line for line in _local_text().splitlines() if not line.startswith("title ="))
    with pytest.raises(cyp.DefinitionError, match="'title' is a required property"):
        cyp.load_catalogue(_local(tmp_path, text))


def test_invalid_toml_gives_the_line(tmp_path: Path) -> None:
    """A syntax error is reported with its line, not a parser traceback."""
    folder = _local(tmp_path, 'id = "x"\nversion = \n')
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(folder)
    assert info.value.issues[0].line == 2


def test_cross_field_rules_are_checked(tmp_path: Path) -> None:
    """A multiplier that does not match the unit is refused, naming the field."""
    folder = _local(tmp_path, _local_text(**{"multiplier = 10000": "multiplier = 1000"}))
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(folder)
    issue = info.value.issues[0]
    assert issue.path == "$.multiplier"
    assert "unit magnitude times multiplier must be 1" in issue.message
    assert issue.line is not None


@pytest.mark.parametrize("unit", ["per_10000)", "1/0", "__import__('os')", "per_10001"])
def test_a_unit_that_is_not_one_name_is_refused_at_the_unit_line(tmp_path: Path, unit: str) -> None:
    """A unit is one name of the registry; pint never parses an expression from a definition."""
    text = _local_text(**{'unit = "per_10000"': f'unit = "{unit}"'})
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(_local(tmp_path, text))
    issue = info.value.issues[0]
    assert issue.path == "$.unit"
    assert issue.line is not None
    assert text.splitlines()[issue.line - 1].startswith("unit =")


def test_a_local_definition_may_not_take_a_bundled_id(tmp_path: Path) -> None:
    """A council's cin_rate_per_10k 1.1.0 would shadow the library's for unpinned look-ups."""
    text = CLA_FILE.read_text(encoding="utf-8").replace('version = "1.0.0"', 'version = "1.1.0"')
    with pytest.raises(cyp.DefinitionError, match="id of a bundled definition") as info:
        cyp.load_catalogue(_local(tmp_path, text))
    assert info.value.issues[0].path == "$.id"
    assert cyp.load_catalogue(_local(tmp_path, text), bundled=False).ids == ["cla_rate_per_10k"]


def test_deeply_nested_toml_is_a_definition_error(tmp_path: Path) -> None:
    folder = _local(tmp_path, "x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(cyp.DefinitionError, match="nested too deeply"):
        cyp.load_catalogue(folder, bundled=False)


def test_a_missing_family_is_the_only_problem_reported(tmp_path: Path) -> None:
    text = "\n".join(line for line in _local_text().splitlines() if not line.startswith("family ="))
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(_local(tmp_path, text))
    assert [i.message for i in info.value.issues] == ["'family' is a required property"]


def test_an_interval_method_needs_levels(tmp_path: Path) -> None:
    """ci_method byar_exact with no levels would compute no interval without a word."""
    text = _local_text(**{"confidence_levels = [0.95, 0.998]": "confidence_levels = []"})
    assert "confidence_levels = []" in text
    with pytest.raises(cyp.DefinitionError, match="'confidence_levels' is empty") as info:
        cyp.load_catalogue(_local(tmp_path, text))
    assert info.value.issues[0].path == "$.confidence_levels"


def test_a_duplicate_version_is_refused(tmp_path: Path) -> None:
    """Two files defining the same id@version are an error naming both."""
    folder = _local(tmp_path, _local_text())
    _local(tmp_path, _local_text(), name="again.toml")
    with pytest.raises(cyp.DefinitionError, match="defined twice"):
        cyp.load_catalogue(folder)


def test_a_new_major_version_keeps_the_old_one_loadable(tmp_path: Path) -> None:
    """Version 2 with its pack: year resolution moves on, the pinned version 1 still loads."""
    v1 = _local_text(**{"valid_from = 2008": "valid_from = 2008\nvalid_to = 2019"})
    v2 = _local_text(**{
        'version = "1.0.0"': 'version = "2.0.0"',
        "valid_from = 2008": "valid_from = 2020",
        '[[changelog]]\nversion = "1.0.0"': '[[changelog]]\nversion = "1.0.0"',
    }) + '\n[[changelog]]\nversion = "2.0.0"\ndate = "2026-11-23"\nchange = "Counts exclude UASC."\n'  # fmt: skip
    folder = _local(tmp_path, v1, "local.v1.toml")
    _local(tmp_path, v2, "local.v2.toml")
    (folder / "packs").mkdir()
    (folder / "packs" / "2008.toml").write_text(
        'year = 2008\nadded_or_changed = ["local_cla_rate_per_10k@1.0.0"]\n'
    )
    (folder / "packs" / "2020.toml").write_text(
        'year = 2020\nadded_or_changed = ["local_cla_rate_per_10k@2.0.0"]\n'
    )
    cat = cyp.load_catalogue(folder)
    assert cat.get("local_cla_rate_per_10k", year=2019).version.major == 1
    assert cat.get("local_cla_rate_per_10k", year=2020).version.major == 2
    assert cat.get("local_cla_rate_per_10k", version="1").version == cyp.Version(1, 0, 0)
    assert [str(d.version) for d in cat.history("local_cla_rate_per_10k")] == ["1.0.0", "2.0.0"]


def test_a_pack_that_keeps_an_expired_version_is_refused(tmp_path: Path) -> None:
    """The chain may not hold a definition outside its valid years."""
    v1 = _local_text(**{"valid_from = 2008": "valid_from = 2008\nvalid_to = 2019"})
    folder = _local(tmp_path, v1)
    (folder / "packs").mkdir()
    (folder / "packs" / "2008.toml").write_text(
        'year = 2008\nadded_or_changed = ["local_cla_rate_per_10k@1.0.0"]\n'
    )
    with pytest.raises(cyp.DefinitionError) as info:
        cyp.load_catalogue(folder)
    assert info.value.file.endswith("2008.toml")
    assert "keeps local_cla_rate_per_10k@1.0.0 in force" in str(info.value)
    assert "outside its valid years 2008 to 2019: a later pack must remove or replace it" in str(
        info.value
    )


def test_a_pack_naming_an_unknown_definition_is_refused(tmp_path: Path) -> None:
    """A pack entry that matches no file names the entry and suggests ids."""
    folder = _local(tmp_path, _local_text())
    (folder / "packs").mkdir()
    (folder / "packs" / "2008.toml").write_text(
        'year = 2008\nadded_or_changed = ["local_cla_rate_per_10@1.0.0"]\n'
    )
    with pytest.raises(
        cyp.DefinitionError, match=r"added_or_changed\[0\].*did you mean: local_cla_rate_per_10k"
    ):
        cyp.load_catalogue(folder)


def test_definitions_contain_no_code() -> None:
    """Definition files are plain TOML data: parsed with tomllib, no executable content."""
    for path in bundled_definitions().rglob("*.toml"):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        assert isinstance(doc, dict)
        for bad in ("eval(", "exec(", "import ", "lambda"):
            assert bad not in path.read_text(encoding="utf-8"), (path, bad)
