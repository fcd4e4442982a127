"""The bundled expected-progress matrices against an independent transcription of the seed.

``tests/reference/seeds/expected_progress_ks1_ks2.csv`` and ``expected_progress_ks2_ks4.csv``
were transcribed by hand from the 2012 Peterborough scrutiny pack (seed 003, Appendices 4 and 5,
L1070-1114), not from the definition files; see ``tests/reference/seeds/README.md``. Every cell
is compared with the definitions, and the classification of bad or awkward input is checked.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

import cyp_indicators as cyp

SEEDS = Path(__file__).parent / "reference" / "seeds"
KS1_CSV = SEEDS / "expected_progress_ks1_ks2.csv"
KS4_CSV = SEEDS / "expected_progress_ks2_ks4.csv"
SEED_TEXT = Path(__file__).parent / "reference" / "seeds" / "003_matrix_lines.txt"
DEFINITIONS = Path(__file__).parent.parent / "definitions" / "progress"

KS1_ID = "ks1_ks2_expected_progress"
KS4_ID = "ks2_ks4_expected_progress"

# Seed label -> the definition's row or column code, written out by hand.
KS1_ROWS = {
    "A, D or no KS1 level": "A/D/none",
    "0": "W",
    "1": "1",
    "2": "2",
    "3": "3",
    "4": "4",
}
KS1_COLUMNS = {
    "Any non-numeric level": "non-numeric",
    "0": "0",
    "1": "1",
    "2": "2",
    "3": "3",
    "4": "4",
    "5": "5",
}
KS4_ROWS = {
    "Working towards level 1": "W",
    "Level 1": "1",
    "Level 2": "2",
    "Level 3": "3",
    "Level 4": "4",
    "Level 5": "5",
    "Level 6": "6",
    "Disapplied / Absent (TA)": "D/A",
    "Left the school": "left",
    "No TA or test": "no_ta",
    "Not eligible for tests": "not_eligible",
}
KS4_COLUMNS = {
    "No KS4 result": "none",
    "U": "U",
    "G": "G",
    "F": "F",
    "E": "E",
    "D": "D",
    "C": "C",
    "B": "B",
    "A": "A",
    "A*": "A*",
}
KS4_NO_LEVEL_ROWS = (
    "Disapplied / Absent (TA)",
    "Left the school",
    "No TA or test",
    "Not eligible for tests",
)
OUTCOMES = {"made", "not_made", "not_included"}


def read_cells(path: Path) -> list[dict[str, str]]:
    """The rows of a seed matrix CSV, as dicts."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def as_grid(path: Path) -> dict[tuple[str, str], str]:
    """``(row_label, column_label) -> outcome`` from a seed matrix CSV."""
    return {(c["row_label"], c["column_label"]): c["outcome"] for c in read_cells(path)}


def axis_matches(axis: cyp.MatrixAxis, label: str) -> bool:
    """Whether a seed label names this row or column (by its label, code or an alias)."""
    return label in {axis.label, axis.code, *axis.aliases}


def compare_matrix(
    matrix: cyp.ProgressMatrix,
    cells: list[dict[str, str]],
    rows: dict[str, str],
    columns: dict[str, str],
) -> tuple[int, list[str]]:
    """Compare each CSV cell with the matrix; returns the number compared and the mismatches."""
    by_row = {a.code: a for a in matrix.rows}
    by_column = {a.code: a for a in matrix.columns}
    compared, problems = 0, []
    for cell in cells:
        row_code, column_code = rows[cell["row_label"]], columns[cell["column_label"]]
        assert axis_matches(by_row[row_code], cell["row_label"]), cell
        assert axis_matches(by_column[column_code], cell["column_label"]), cell
        got = matrix.outcome_of(row_code, column_code).value
        compared += 1
        if got != cell["outcome"]:
            problems.append(
                f"{cell['line']} {cell['row_label']!r} x {cell['column_label']!r}: "
                f"seed {cell['outcome']}, definition {got}"
            )
    return compared, problems


def matrix_of(catalogue: cyp.Catalogue, ident: str, version: str) -> cyp.ProgressMatrix:
    """The progress matrix of one pinned definition version."""
    matrix = catalogue.get(ident, version=version).matrix
    assert matrix is not None
    return matrix


# --- the CSVs themselves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "rows", "columns"),
    [(KS1_CSV, KS1_ROWS, KS1_COLUMNS), (KS4_CSV, KS4_ROWS, KS4_COLUMNS)],
    ids=["ks1_ks2", "ks2_ks4"],
)
def test_seed_csv_is_a_full_grid(path: Path, rows: dict[str, str], columns: dict[str, str]) -> None:
    """Each CSV has exactly one known outcome for every seed row x column, with a line reference."""
    cells = read_cells(path)
    assert len(cells) == len(rows) * len(columns)
    assert {(c["row_label"], c["column_label"]) for c in cells} == {
        (r, c) for r in rows for c in columns
    }
    assert all(c["outcome"] in OUTCOMES for c in cells)
    assert all(c["line"].startswith("003:L") for c in cells)


def test_ks2_ks4_csv_marks_exactly_the_reconstructed_rows() -> None:
    """Only the garbled rows Level 3 to Level 6 carry a RECONSTRUCTED note."""
    noted = {c["row_label"] for c in read_cells(KS4_CSV) if c["note"].startswith("RECONSTRUCTED")}
    assert noted == {"Level 3", "Level 4", "Level 5", "Level 6"}


def test_seed_csvs_agree_with_the_seed_text() -> None:
    """The clean seed lines give the CSVs' cells; the garbled rows give their count of "made"."""
    lines = SEED_TEXT.read_text(encoding="utf-8").splitlines()

    def fields(number: int) -> list[str]:
        return lines[number - 1].split("\t")

    ks1 = as_grid(KS1_CSV)
    header = [h.replace("non- numeric", "non-numeric") for h in fields(1071)[2:9]]
    assert header == list(KS1_COLUMNS)
    words = {
        "Expected progress not made": "not_made",
        "Expected progress made": "made",
        "Not included": "not_included",
    }
    for number in range(1072, 1078):
        label, *cells = fields(number)[1:9]
        assert [words[c] for c in cells] == [ks1[(label, col)] for col in KS1_COLUMNS], number

    ks4 = as_grid(KS4_CSV)
    homoglyphs = {"С": "C", "В": "B", "Α": "A"}  # Cyrillic Es, Cyrillic Ve, Greek Alpha
    assert [homoglyphs.get(h, h) for h in fields(1080)[2:12]] == ["No KS4", *list(KS4_COLUMNS)[1:]]
    decisive = {"Working towards level 1": 1084, "Level 1": 1087, "Level 2": 1090}
    for label, number in decisive.items():
        tokens = [t.replace("not made", "not_made") for t in fields(number)[2:12]]
        assert tokens == [ks4[(label, col)] for col in KS4_COLUMNS], number
    garbled = {"Level 3": 1093, "Level 4": 1096, "Level 5": 1099, "Level 6": 1102}
    for label, number in garbled.items():
        tokens = [t for t in fields(number)[2:] if t]
        assert tokens[0] == "not made", number
        assert set(tokens[1:]) == {"made"}, number
        assert len(tokens) - 1 == sum(ks4[(label, col)] == "made" for col in KS4_COLUMNS), number
    for label, first in zip(KS4_NO_LEVEL_ROWS, (1103, 1106, 1109, 1112), strict=True):
        top, last = fields(first)[2:12], fields(first + 2)[2:12]
        read = [
            "not_included" if t == "Not" else last[i].replace("not made", "not_made")
            for i, t in enumerate(top)
        ]
        assert read == [ks4[(label, col)] for col in KS4_COLUMNS], first


# --- every cell against the bundled definitions ----------------------------------------------


def test_ks1_ks2_v1_matches_the_seed_cell_by_cell(catalogue: cyp.Catalogue) -> None:
    """All 42 cells of the KS1->KS2 seed matrix equal the bundled version 1."""
    matrix = matrix_of(catalogue, KS1_ID, "1")
    assert [a.code for a in matrix.rows] == list(KS1_ROWS.values())
    assert [a.code for a in matrix.columns] == list(KS1_COLUMNS.values())
    compared, problems = compare_matrix(matrix, read_cells(KS1_CSV), KS1_ROWS, KS1_COLUMNS)
    assert problems == []
    assert compared == 42


def test_ks2_ks4_v1_matches_the_seed_cell_by_cell(catalogue: cyp.Catalogue) -> None:
    """All 110 cells of the KS2->KS4 seed matrix equal the bundled version 1."""
    matrix = matrix_of(catalogue, KS4_ID, "1")
    assert [a.code for a in matrix.rows] == list(KS4_ROWS.values())
    assert [a.code for a in matrix.columns] == list(KS4_COLUMNS.values())
    compared, problems = compare_matrix(matrix, read_cells(KS4_CSV), KS4_ROWS, KS4_COLUMNS)
    assert problems == []
    assert compared == 110


@pytest.mark.parametrize(
    ("ident", "path", "rows", "columns"),
    [(KS1_ID, KS1_CSV, KS1_ROWS, KS1_COLUMNS), (KS4_ID, KS4_CSV, KS4_ROWS, KS4_COLUMNS)],
    ids=["ks1_ks2", "ks2_ks4"],
)
def test_classify_reproduces_every_seed_cell(
    catalogue: cyp.Catalogue,
    ident: str,
    path: Path,
    rows: dict[str, str],
    columns: dict[str, str],
) -> None:
    """One pupil per seed cell, given by codes, is classified as the seed says."""
    cells = read_cells(path)
    pupils = pl.DataFrame(
        {
            "prior": [rows[c["row_label"]] for c in cells],
            "result": [columns[c["column_label"]] for c in cells],
        }
    )
    out = cyp.classify_progress(
        pupils, catalogue.get(ident, version="1"), prior="prior", outcome="result"
    )
    assert out["progress"].to_list() == [c["outcome"] for c in cells]


def test_ks2_ks4_v2_differs_from_v1_only_in_grade_b(catalogue: cyp.Catalogue) -> None:
    """v2 changes the Level 6 row (only A, A* made) and B in the four rows without a KS2 level."""
    v1, v2 = matrix_of(catalogue, KS4_ID, "1"), matrix_of(catalogue, KS4_ID, "2")
    assert [a.code for a in v2.rows] == list(KS4_ROWS.values())
    assert [a.code for a in v2.columns] == list(KS4_COLUMNS.values())
    old = {(r, c): o for r, c, o in v1.as_table()}
    new = {(r, c): o for r, c, o in v2.as_table()}
    changed = {k: (old[k], new[k]) for k in old if old[k] != new[k]}
    no_level = {KS4_ROWS[label] for label in KS4_NO_LEVEL_ROWS}
    assert changed == {
        ("6", "B"): ("made", "not_made"),
        **{(row, "B"): ("made", "not_included") for row in no_level},
    }
    level6 = [c for c in KS4_COLUMNS.values() if v2.outcome_of("6", c) is cyp.Outcome.MADE]
    assert level6 == ["A", "A*"]

    expected = as_grid(KS4_CSV)
    expected[("Level 6", "B")] = "not_made"
    for label in KS4_NO_LEVEL_ROWS:
        expected[(label, "B")] = "not_included"
    for (row, column), outcome in expected.items():
        assert v2.outcome_of(KS4_ROWS[row], KS4_COLUMNS[column]).value == outcome, (row, column)


def test_versions_by_collection_year(catalogue: cyp.Catalogue) -> None:
    """2011 resolves to KS2->KS4 v1, 2014 to v2; KS1->KS2 is not in force in 2014."""
    assert catalogue.get(KS4_ID, year=2011).version.major == 1
    assert catalogue.get(KS4_ID, year=2014).version.major == 2
    assert catalogue.get(KS1_ID, year=2011).version.major == 1
    with pytest.raises(cyp.UnknownDefinitionError, match="2014"):
        catalogue.get(KS1_ID, year=2014)


# --- bad and awkward input -------------------------------------------------------------------


@pytest.mark.parametrize("ident", [KS1_ID, KS4_ID])
def test_unknown_prior_code_is_an_error_naming_value_and_rows(
    catalogue: cyp.Catalogue, ident: str
) -> None:
    """A prior code the matrix does not know raises, naming the value and the pupils' rows."""
    pupils = pl.DataFrame({"prior": ["3", "7", "2", "7", "1"], "result": ["4", "5", "5", "3", "5"]})
    if ident == KS4_ID:
        pupils = pupils.with_columns(pl.Series("result", ["C", "B", "A", "D", "E"]))
    with pytest.raises(cyp.InvalidValueError) as info:
        cyp.classify_progress(
            pupils, catalogue.get(ident, version="1"), prior="prior", outcome="result"
        )
    assert "'7'" in str(info.value)
    assert info.value.rows == (1, 3)
    assert info.value.column == "prior"


@pytest.mark.parametrize(
    ("ident", "result", "row_code", "row_label", "progress"),
    [
        (KS4_ID, "U", "no_ta", "No TA or test", "not_made"),
        (KS4_ID, "C", "no_ta", "No TA or test", "not_included"),
        (KS4_ID, "B", "no_ta", "No TA or test", "made"),
        (KS1_ID, "1", "A/D/none", "A, D or no KS1 level", "not_made"),
        (KS1_ID, "3", "A/D/none", "A, D or no KS1 level", "not_included"),
        (KS1_ID, "5", "A/D/none", "A, D or no KS1 level", "made"),
    ],
)
def test_null_prior_falls_in_the_missing_row(
    catalogue: cyp.Catalogue, ident: str, result: str, row_code: str, row_label: str, progress: str
) -> None:
    """A null prior attainment is classified in the matrix's missing row, not refused."""
    pupils = pl.DataFrame(
        {"prior": [None], "result": [result]}, schema={"prior": pl.String, "result": pl.String}
    )
    out = cyp.classify_progress(
        pupils, catalogue.get(ident, version="1"), prior="prior", outcome="result"
    )
    assert out["prior_code"].to_list() == [row_code]
    assert out["progress"].to_list() == [progress]
    assert out["progress_reason"].item().startswith(f"{row_label} -> ")


def test_duplicate_pupil_id_is_refused(catalogue: cyp.Catalogue) -> None:
    """With ``pupil_id=``, a repeated pupil id raises DuplicateKeyError naming it."""
    pupils = pl.DataFrame(
        {"upn": ["A1", "B2", "A1", "C3"], "ks2": ["4", "5", "3", "4"], "gcse": ["C", "B", "D", "C"]}
    )
    matrix = catalogue.get(KS4_ID, version="1")
    with pytest.raises(cyp.DuplicateKeyError) as info:
        cyp.classify_progress(pupils, matrix, prior="ks2", outcome="gcse", pupil_id="upn")
    assert info.value.duplicates == (("A1",),)
    assert "A1" in str(info.value)
    out = cyp.classify_progress(pupils, matrix, prior="ks2", outcome="gcse")
    assert out.height == 4


def test_a_star_spellings_and_homoglyphs(catalogue: cyp.Catalogue) -> None:
    """A*, A-star, a star, A * and Cyrillic А* all read as A*; the seed's homoglyphs as Latin."""
    spellings = ["A*", "A-star", "a star", "A *", "\u0410*"]
    assert cyp.normalise_code("\u0410-star") == "A*"
    pupils = pl.DataFrame({"ks2": ["5"] * len(spellings), "gcse": spellings})
    out = cyp.classify_progress(
        pupils, catalogue.get(KS4_ID, version="1"), prior="ks2", outcome="gcse"
    )
    assert out["outcome_code"].to_list() == ["A*"] * len(spellings)
    assert out["progress"].to_list() == ["made"] * len(spellings)
    # The seed header's C, B and A are Cyrillic Es, Cyrillic Ve and Greek Alpha.
    header = pl.DataFrame({"ks2": ["4", "4", "4"], "gcse": ["\u0421", "\u0412", "\u0391"]})
    out = cyp.classify_progress(
        header, catalogue.get(KS4_ID, version="1"), prior="ks2", outcome="gcse"
    )
    assert out["outcome_code"].to_list() == ["C", "B", "A"]


def test_matrix_whose_cells_do_not_cover_is_refused(tmp_path: Path) -> None:
    """A definition with a row one cell short fails to load with "cells must cover"."""
    source = DEFINITIONS / "ks1_ks2_expected_progress.v1.toml"
    text = source.read_text(encoding="utf-8")
    full = 'cells = ["not_made", "not_made", "not_made", "not_made", "not_made", "made", "made"]'
    short = 'cells = ["not_made", "not_made", "not_made", "not_made", "made", "made"]'
    assert text.count(full) == 1
    assert text.count(f'id = "{KS1_ID}"') == 1
    text = text.replace(full, short).replace(f'id = "{KS1_ID}"', 'id = "ks1_ks2_short_row"')
    (tmp_path / "ks1_ks2_short_row.v1.toml").write_text(text, encoding="utf-8")
    with pytest.raises(cyp.DefinitionError, match="cells must cover"):
        cyp.load_catalogue(tmp_path)


def test_matrix_with_a_repeated_row_code_is_refused(tmp_path: Path) -> None:
    """Two rows coded "1" would judge level 2 pupils by level 1's cells: refused at load."""
    source = DEFINITIONS / "ks2_ks4_expected_progress.v2.toml"
    text = source.read_text(encoding="utf-8")
    assert text.count('code = "2"\nlabel = "Level 2"') == 1
    text = text.replace('code = "2"\nlabel = "Level 2"', 'code = "1"\nlabel = "Level 2"').replace(
        f'id = "{KS4_ID}"', 'id = "ks2_ks4_repeated_row"'
    )
    (tmp_path / "ks2_ks4_repeated_row.v2.toml").write_text(text, encoding="utf-8")
    with pytest.raises(cyp.DefinitionError, match="'1' used more than once"):
        cyp.load_catalogue(tmp_path)


def test_suppressed_group_withholds_its_counts(catalogue: cyp.Catalogue) -> None:
    """With suppress=True a cohort of 1 to 5 shows "c" and none of its counts (4 pupils, 3 made
    would otherwise be readable beside the "c"); a larger group keeps them."""
    definition = catalogue.get(KS4_ID, year=2011)
    pupils = pl.DataFrame(
        {
            "prior": ["4"] * 4 + ["4"] * 10,
            "result": ["C", "C", "B", "E"] + ["C"] * 10,
            "fsm": [True] * 4 + [False] * 10,
        }
    )
    classified = cyp.classify_progress(pupils, definition, prior="prior", outcome="result")

    rates = cyp.progress_rates(classified, by=["fsm"], definition=definition, suppress=True)

    small = rates.filter(pl.col("fsm")).row(0, named=True)
    large = rates.filter(~pl.col("fsm")).row(0, named=True)
    assert small["display"] == "c"
    for column in ("pupils", "made", "not_made", "not_included", "included", "numerator"):
        assert small[column] is None, column
    assert (large["pupils"], large["made"], large["display"]) == (10, 10, "100")
