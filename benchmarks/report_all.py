"""Benchmark: every council's benchmarking report in one call, against one council's.

Issue 16 part 2: ``report --all`` writes the HTML and XLSX report of all 153 LAs in at most 15x
the time of one LA's report in the same run (the figures for every LA computed once and shared,
only the rendering per LA), with peak memory below 2 GB. Two measurements, alternating one LA
and all LAs (``time.perf_counter``, median of ``--reps``):

* **command line**: ``cyp-indicators report --la 874`` and ``cyp-indicators report --all``, each
  a fresh process (import, catalogue, figures, rendering, files written), as a user runs them.
  The peak RSS of each process is read from ``os.wait4``;
* **library** (one warm process, the bundled data read once before timing): ``build_report`` and
  writing one LA's two files, against ``report_figures`` and ``write_reports`` for every LA.

Each ratio (all / one) passes at <= 15, the peak RSS of ``report --all`` at < 2048 MB. Prints a
table with PASS/MISS and writes ``benchmarks/results/report_all.json`` (results are not
committed). ``--smoke`` runs a region (the North East, 12 councils) once instead. Run::

    .venv/bin/python benchmarks/report_all.py [--reps 3] [--smoke]

The case is also ``report_all`` in :data:`benchmarks.cases.CASES`, run by the suite
(``python -m benchmarks --only report_all``, and ``make bench``), which prints the same targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["RATIO", "RSS_MB", "main", "report_all_case"]

RATIO = 15.0
RSS_MB = 2048.0
RESULTS = Path(__file__).parent / "results" / "report_all.json"
SMOKE_REGION = "North East"


def _cli() -> list[str]:
    """The command line, run by this interpreter (the worktree's virtualenv)."""
    return [sys.executable, "-m", "cyp_indicators"]


def _run(argv: Sequence[str]) -> tuple[float, float]:
    """Run a command in a fresh process: wall seconds and the process's peak RSS in MiB."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            msg = f"{' '.join(argv)} exited {proc.returncode}: {err.read().decode()[-2000:]}"
            raise RuntimeError(msg)
    peak = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    return elapsed, peak


def _alternate(one: Callable[[], Any], every: Callable[[], Any], reps: int) -> tuple[list, list]:
    """Time ``one`` and ``every`` alternately (one, all; all, one; ...)."""
    times: dict[str, list[Any]] = {"one": [], "all": []}
    for i in range(reps):
        order = [("one", one), ("all", every)]
        for name, call in order if i % 2 == 0 else reversed(order):
            times[name].append(call())
    return times["one"], times["all"]


def _summary(times: Sequence[float], peaks: Sequence[float] = ()) -> dict[str, Any]:
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "reps": len(times),
        "times_s": [round(t, 4) for t in times],
        "peak_rss_mb": round(max(peaks), 1) if peaks else None,
    }


def _cli_row(reps: int, smoke: bool, out: Path) -> dict[str, Any]:
    one_out, all_out = out / "one", out / "all"
    which = ["--region", SMOKE_REGION] if smoke else ["--all"]

    def one() -> tuple[float, float]:
        return _run([*_cli(), "report", "--la", "874", "--out", str(one_out)])

    def every() -> tuple[float, float]:
        return _run([*_cli(), "report", *which, "--out", str(all_out)])

    ones, alls = _alternate(one, every, reps)
    councils = len(list(all_out.glob("*.html")))
    return {
        "case": "report_all_cli",
        "size": councils,
        "unit": "councils",
        "description": f"`cyp-indicators report {' '.join(which)}` (HTML and XLSX for "
        f"{councils} councils) against `report --la 874`, each a fresh process",
        "library": _summary([t for t, _ in alls], [p for _, p in alls]),
        "baselines": {"one LA": _summary([t for t, _ in ones], [p for _, p in ones])},
        "files": len(list(all_out.iterdir())),
    }


def _library_row(reps: int, smoke: bool, out: Path) -> dict[str, Any]:
    from cyp_indicators.reports.benchmark_report import (
        build_report,
        report_figures,
        write_html,
        write_reports,
        write_xlsx,
    )

    one_out, all_out = out / "lib-one", out / "lib-all"
    one_out.mkdir(parents=True, exist_ok=True)
    region = SMOKE_REGION if smoke else None

    def one() -> float:
        start = time.perf_counter()
        report = build_report("874")
        write_html(report, one_out / "benchmark_874.html")
        write_xlsx(report, one_out / "benchmark_874.xlsx")
        return time.perf_counter() - start

    def every() -> float:
        start = time.perf_counter()
        figures = report_figures()
        write_reports(None, all_out, figures=figures, region=region)
        return time.perf_counter() - start

    one()  # warm: the bundled counts, LAIT and the catalogue read once, as in a long session
    ones, alls = _alternate(one, every, reps)
    councils = len(list(all_out.glob("*.html")))
    return {
        "case": "report_all_library",
        "size": councils,
        "unit": "councils",
        "description": "report_figures() + write_reports() for every council against "
        "build_report() + write_html/write_xlsx for one, in one warm process",
        "library": _summary(alls),
        "baselines": {"one LA": _summary(ones)},
    }


def report_all_case(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The case for :data:`benchmarks.cases.CASES`: ``spec`` gives ``reps`` (and ``smoke``)."""
    reps = int(spec.get("reps", 3))
    smoke = bool(spec.get("smoke", False))
    out = Path(tempfile.mkdtemp(prefix="cyp-bench-report-all-"))
    try:
        rows = [_cli_row(reps, smoke, out), _library_row(reps, smoke, out)]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    cli, library = rows
    problems = []
    if cli["files"] != 2 * cli["size"]:
        problems.append(
            f"{cli['files']} files for {cli['size']} councils (an HTML and an XLSX each)"
        )
    if library["size"] != cli["size"]:
        problems.append(f"the library wrote {library['size']} councils, the command {cli['size']}")
    if cli["size"] < 2:
        problems.append(f"only {cli['size']} council(s) written")
    for row in rows:
        row["checks"] = {"one LA": {"agree": not problems, "problems": problems}}
    return rows


def _targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        ratio = row["library"]["median_s"] / row["baselines"]["one LA"]["median_s"]
        out.append(
            {"target": f"{row['case']}: all councils / one council <= {RATIO:g}",
             "measured": round(ratio, 2), "status": "PASS" if ratio <= RATIO else "MISS"}
        )  # fmt: skip
    cli = next(r for r in rows if r["case"] == "report_all_cli")
    peak = cli["library"]["peak_rss_mb"]
    out.append(
        {"target": f"report_all_cli: peak RSS of the all-councils process < {RSS_MB:g} MB",
         "measured": peak, "status": "PASS" if peak is not None and peak < RSS_MB else "MISS"}
    )  # fmt: skip
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/report_all.py", description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions (default 3)")
    parser.add_argument("--smoke", action="store_true", help=f"the {SMOKE_REGION} once")
    args = parser.parse_args(argv)
    reps = 1 if args.smoke else args.reps
    rows = report_all_case({"reps": reps, "smoke": args.smoke})
    targets = _targets(rows)
    for row in rows:
        lib, base = row["library"], row["baselines"]["one LA"]
        peak = f", peak RSS {lib['peak_rss_mb']:.0f} MB" if lib["peak_rss_mb"] else ""
        print(
            f"{row['case']}: {row['size']} councils {lib['median_s']:.2f} s (runs "
            f"{', '.join(f'{t:.2f}' for t in lib['times_s'])}){peak}; one council "
            f"{base['median_s']:.2f} s (runs {', '.join(f'{t:.2f}' for t in base['times_s'])}); "
            f"ratio {lib['median_s'] / base['median_s']:.1f}"
        )
    for t in targets:
        print(f"{t['status']:4}  {t['target']}: {t['measured']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "reps": reps,
        "smoke": args.smoke,
    }
    RESULTS.write_text(
        json.dumps({"meta": meta, "rows": rows, "targets": targets}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")
    return 0 if all(t["status"] == "PASS" for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
