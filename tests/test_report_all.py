"""Every council's report in one call: `report --all`, `--region` and `write_reports` (issue 16
part 2). A smoke test without timing assertions: benchmarks/report_all.py times it."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cyp_indicators as cyp
from cyp_indicators.cli import main
from cyp_indicators.geography import area_status, local_authorities
from cyp_indicators.reports import benchmark_report as br


def _existing(region: str | None, year: int) -> list[str]:
    """The LAs of a region existing in ``year``, from the geography's records."""
    las = local_authorities()
    if region is not None:
        las = las.filter(pl.col("region_code") == region)
    return sorted(c for c in las["old_la_code"] if area_status(c, year) is None)


def test_region_writes_each_councils_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --region "North East"`: both files for each of its councils, nothing on stderr
    (no progress bar off a terminal, no council abolished there)."""
    out = tmp_path / "ne"
    argv = ["report", "--region", "North East", "--years", "2", "--out", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    codes = _existing("E12000001", 2025)
    assert len(codes) == 12
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"benchmark_{c}.{ext}" for c in codes for ext in ("html", "xlsx")
    )
    assert captured.err == ""
    assert f"for {len(codes)} councils" in captured.out
    page = (out / "benchmark_841.html").read_text(encoding="utf-8")
    assert "<h1>Darlington</h1>" in page


def test_abolished_councils_are_named_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The North West by its ONS code: Cumbria (abolished in 2023) is named on stderr with its
    successors and skipped; Cumberland and Westmorland and Furness are written."""
    out = tmp_path / "nw"
    argv = ["report", "--region", "E12000002", "--indicators", "cla_rate_per_10k"]
    assert main([*argv, "--years", "1", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "skipped 909" in err
    assert "Cumberland (942)" in err
    assert "Westmorland and Furness (943)" in err
    written = {p.stem.removeprefix("benchmark_") for p in out.glob("*.html")}
    assert written == set(_existing("E12000002", 2025))
    assert "909" not in written
    assert {"942", "943"} <= written


def test_write_reports_shares_the_figures_computed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API: figures computed once (one plan per indicator) and every LA's report rendered
    from them; progress is called after each council; each report is the one `build_report`
    makes for that council alone."""
    planned: list[str] = []
    real = br.plan_indicator

    def counted(ident: str, **kwargs: Any) -> Any:
        planned.append(ident)
        return real(ident, **kwargs)

    monkeypatch.setattr(br, "plan_indicator", counted)
    indicators = ["cla_rate_per_10k", "re_referral_within_12_months_pct"]
    figures = br.report_figures(indicators=indicators, years=2)
    calls: list[tuple[int, int, str]] = []
    done = br.write_reports(
        None, tmp_path, figures=figures, region="North East", progress=lambda *a: calls.append(a)
    )
    assert planned == indicators
    codes = _existing("E12000001", 2025)
    assert [c for c, _, _ in done.written] == codes
    assert done.skipped == ()
    assert [(d, t) for d, t, _ in calls] == [(i, len(codes)) for i in range(1, len(codes) + 1)]
    for _code, html, xlsx in done.written:
        assert html.exists()
        assert xlsx.exists()
    alone = br.build_report(codes[0], indicators=indicators, years=2)
    shared = br.report_for(codes[0], figures)
    assert [s.series for s in shared.sections] == [s.series for s in alone.sections]


def test_every_council_existing_in_the_latest_year() -> None:
    """153 councils in 2025; the five abolished since 2019 left out, each with the reason."""
    kept, skipped = br.report_las(year=2025)
    assert len(kept) == 153
    assert list(kept) == _existing(None, 2025)
    assert sorted(code for code, _ in skipped) == ["835", "836", "837", "909", "928"]
    for code, reason in skipped:
        assert "was replaced" in reason
        for successor in cyp.geography.successors(code):
            assert f"({successor})" in reason


def test_an_unknown_region_lists_the_regions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(cyp.UnknownAreaError, match="Middle Earth") as info:
        br.report_las("Middle Earth", year=2025)
    assert "North East" in str(info.value)
    assert main(["report", "--region", "Middle Earth"]) == 1
    assert "North East" in capsys.readouterr().err


def test_the_how_to_page_runs() -> None:
    """The Python on docs/how-to/benchmarking-report.md runs and says what it shows."""
    page = Path(__file__).resolve().parents[1] / "docs" / "how-to" / "benchmarking-report.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks
    namespace: dict[str, Any] = {"__name__": "docs_page"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"benchmarking-report.md[block {i + 1}]", "exec"), namespace)
    cla = namespace["cla"]
    assert (cla.la.text, cla.ci_text, cla.vs_england) == ("88", "81 to 95", "higher")
    done = namespace["done"]
    assert (len(done.written), done.skipped) == (12, ())


def test_a_council_not_yet_created_is_an_error_naming_its_predecessor(tmp_path: Path) -> None:
    """DfE's counts up to 2022 only: Cumberland (942, created on 1 April 2023 from Cumbria's area,
    as the Cumbria (Structural Changes) Order 2022 made it) is an error naming Cumbria (909); in
    the North West's reports Cumbria is written and its two successors are skipped, each with
    why."""
    counts = cyp.csc_counts().filter(pl.col("year") <= 2022)
    earlier = br.report_figures(indicators=["cla_rate_per_10k"], years=2, counts=counts)
    assert earlier.years == (2021, 2022)
    with pytest.raises(cyp.AreaNotApplicableError, match=r"Cumbria \(909\)"):
        br.report_for("942", earlier)
    done = br.write_reports(None, tmp_path, figures=earlier, region="North West")
    written = {code for code, _, _ in done.written}
    assert "909" in written
    assert {"942", "943"}.isdisjoint(written)
    reasons = dict(done.skipped)
    assert sorted(reasons) == ["942", "943"]
    assert all("created on 1 April 2023" in r and "Cumbria (909)" in r for r in reasons.values())


def test_a_terminal_gets_a_progress_bar(tmp_path: Path) -> None:
    """`report --region` on a terminal (a pseudo-terminal here) draws the bar on stderr and ends
    on every council done: 12 of 12 in the North East."""
    out = tmp_path / "ne"
    argv = [sys.executable, "-m", "cyp_indicators", "report", "--region", "North East"]
    argv += ["--indicators", "cla_rate_per_10k", "--years", "1", "--out", str(out)]
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=secondary
        )
        os.close(secondary)
        drawn = bytearray()
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed: the command has exited (Linux raises EIO)
                break
            if not chunk:
                break
            drawn += chunk
        assert proc.wait(timeout=300) == 0
    finally:
        os.close(primary)
    text = drawn.decode("utf-8", "replace")
    assert "reports [" in text
    assert "12/12" in text
    assert "#" * 30 in text
    assert len(list(out.glob("*.html"))) == 12
