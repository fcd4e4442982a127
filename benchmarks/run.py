"""Run the benchmark suite: ``python -m benchmarks`` (``--help`` for the options).

Every case runs in its own spawned process (so its peak RSS is its own), the library and its
baselines alternate within that process, and the results go to ``benchmarks/results/latest.json``
with a table and PASS/MISS per target on standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "results" / "latest.json"

#: Environment variables that change a run (for CI): any non-empty value but "0" skips.
SKIP_STREAMING_ENV = "CYP_BENCH_SKIP_STREAMING"
STREAMING_ROWS_ENV = "CYP_BENCH_STREAMING_ROWS"

#: Every case the suite reports (the smoke test checks that each is in the JSON).
CASE_NAMES = (
    "rate_ci",
    "proportion_ci",
    "progress",
    "catalogue",
    "indicator_results",
    "benchmark_table",
    "records_year",
    "records_read",
    "records_series",
    "import",
    "catalogue_load",
    "first_rate",
    "first_call",
    "streaming",
    "report_all_cli",
    "report_all_library",
    "region_read_xml",
    "region_read_csv",
    "region_derive",
    "region_cla_31_march",
    "region_cla_starts",
    "region_3_placements",
    "region_re_referrals",
)

# The targets of the issue (on the 2-core reference machine).
FLOOR_RATIO = 1.2
PANDAS_SPEEDUP = 1000.0
PUPILS_PER_S = 10_000_000.0
CATALOGUE_S = 1.0
STARTUP_S = 0.5
FIRST_CALL_RATIO = 2.5
STREAMING_RSS_MB = 4096.0
REPORT_ALL_RATIO = 15.0
REPORT_ALL_RSS_MB = 2048.0
#: ``report --all`` takes tens of seconds a run: at most this many repetitions of it.
REPORT_ALL_REPS = 3
REGION_XML_RATIO = 2.0  # CIN census XML read at no less than half a bare iterparse's speed
REGION_FLOOR_RATIO = 1.5
REGION_RSS_MB = 4096.0


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip() not in ("", "0", "false", "no")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="cyp-indicators benchmarks: library vs hand-written polars and pandas baselines.",
    )
    p.add_argument("--smoke", action="store_true", help="tiny sizes, 2 repetitions (for tests)")
    p.add_argument("--reps", type=int, help="timed repetitions per side (default 5; smoke 2)")
    p.add_argument(
        "--pandas-reps",
        type=int,
        help="repetitions of the slow pandas row-wise baselines (default 3)",
    )
    p.add_argument("--no-pandas", action="store_true", help="skip the pandas baselines")
    p.add_argument(
        "--skip-streaming",
        action="store_true",
        help=f"skip the 100M-row streaming case (also: {SKIP_STREAMING_ENV}=1)",
    )
    p.add_argument(
        "--streaming-rows",
        type=int,
        help=f"pupil rows for the streaming case (default 100,000,000; also {STREAMING_ROWS_ENV})",
    )
    p.add_argument(
        "--only",
        nargs="+",
        metavar="CASE",
        help="run only these case groups: rate_ci proportion_ci progress catalogue "
        "benchmark_table records startup streaming report_all region",
    )
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON file to write")
    p.add_argument(
        "--tmp",
        type=Path,
        default=Path("/tmp"),
        help="where the streaming Parquet files and the partnership's returns go",
    )
    p.add_argument(
        "--region-councils",
        type=int,
        help="councils in the partnership of the region cases (default 33; smoke 3)",
    )
    return p.parse_args(argv)


def _plan(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    smoke = bool(args.smoke)
    reps = args.reps or (2 if smoke else 5)
    pandas_reps = args.pandas_reps or (2 if smoke else 3)
    pandas = not args.no_pandas
    ci_sizes = [1_000] if smoke else [100_000, 1_000_000, 10_000_000]
    pandas_size = 1_000 if smoke else 100_000
    progress_sizes = [1_000] if smoke else [1_000_000, 10_000_000]
    env_rows = os.environ.get(STREAMING_ROWS_ENV)
    streaming_rows = args.streaming_rows or (
        int(env_rows) if env_rows else (20_000 if smoke else 100_000_000)
    )
    settings: dict[str, Any] = {
        "smoke": smoke,
        "reps": reps,
        "pandas_reps": min(pandas_reps, reps),
        "pandas": pandas,
        "ci_sizes": ci_sizes,
        "pandas_size": pandas_size,
        "progress_sizes": progress_sizes,
        "catalogue": {
            "first_year": 2024 if smoke else 2013,
            "last_year": 2025,
            "las": 5 if smoke else None,
        },
        "benchmark_table": {"years": [2023, 2024, 2025] if smoke else None},
        "records": {
            "scale": 0.02 if smoke else 1.0,
            "last_year": 2020,
            "months": 3 if smoke else 36,
        },
        # every council's report (the North East's 12 at smoke size) against one council's
        "report_all": {"reps": min(reps, REPORT_ALL_REPS), "smoke": smoke},
        "region": {
            "councils": args.region_councils or (3 if smoke else 33),
            "years": [2023, 2024] if smoke else [2020, 2021, 2022, 2023, 2024],
            "scale": 0.05 if smoke else 1.0,
            "read_reps": min(reps, 3),
        },
        "streaming": {
            "skipped": bool(args.skip_streaming or _env_flag(SKIP_STREAMING_ENV)),
            "size": streaming_rows,
            "files": 2 if smoke else 10,
            "row_group_size": 1_000_000,
        },
    }
    base = {"reps": reps, "pandas_reps": settings["pandas_reps"]}
    plan: list[dict[str, Any]] = []
    for kind in ("rate_ci", "proportion_ci"):
        for size in ci_sizes:
            plan.append({**base, "group": kind, "kind": kind, "size": size,
                         "pandas": pandas and size == pandas_size})  # fmt: skip
    for size in progress_sizes:
        plan.append(
            {**base, "group": "progress", "kind": "progress", "size": size, "pandas": pandas}
        )
    plan.append({**base, "group": "catalogue", "kind": "catalogue", **settings["catalogue"]})
    plan.append(
        {
            **base,
            "group": "benchmark_table",
            "kind": "benchmark_table",
            **settings["benchmark_table"],
        }
    )
    for kind in ("records_year", "records_series"):
        plan.append(
            {**base, "group": "records", "kind": kind, "tmp": str(args.tmp), **settings["records"]}
        )
    plan.append({**base, "group": "startup", "kind": "startup"})
    plan.append({**base, "group": "report_all", "kind": "report_all", **settings["report_all"]})
    plan.append({**base, "group": "region", "kind": "region", "tmp": str(args.tmp),
                 **settings["region"]})  # fmt: skip
    if not settings["streaming"]["skipped"]:
        plan.append({**base, "group": "streaming", "kind": "streaming", **settings["streaming"]})
    if args.only:
        plan = [c for c in plan if c["group"] in args.only or c["kind"] in args.only]
    return plan, settings


def _in_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run ``spec`` in a fresh spawned process and return what it reports."""
    from benchmarks.cases import run_case

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        result: dict[str, Any] = pool.submit(run_case, spec).result()
    return result


def _streaming(spec: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """Write the Parquet files (own process), time (own process), probe memory (own process)."""
    folder = Path(tempfile.mkdtemp(prefix="cyp-bench-streaming-", dir=tmp))
    try:
        spec = {**spec, "folder": str(folder)}
        print(f"  writing {spec['size']:,} pupil rows as {spec['files']} Parquet files in {folder}")
        setup = _in_child({**spec, "kind": "streaming_setup"})
        if setup["error"]:
            return setup
        info = setup["rows"][0]
        print(f"  written in {info['seconds']:.1f} s ({info['bytes'] / 1e6:.0f} MB); timing")
        timed = _in_child(spec)
        if timed["error"]:
            return timed
        memory = _in_child({**spec, "kind": "streaming_memory"})
        if memory["error"]:
            return memory
        probe = memory["rows"][0]
        row = timed["rows"][0]
        row["library_alone_peak_rss_mb"] = probe["peak_rss_mb"]
        row["notes"].append(
            f"Parquet: {info['files']} files, {info['bytes'] / 1e6:.0f} MB, row groups of "
            f"{spec['row_group_size']:,}, written in {info['seconds']:.1f} s (not timed); "
            f"library alone in a fresh process: {probe['seconds']:.2f} s, "
            f"peak RSS {probe['peak_rss_mb']:.0f} MB"
        )
        return timed
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _region(spec: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """Write the partnership (own process), time reading it (own process), time deriving it
    (own process, records from the reading case's Parquet copy), then read and derive it once
    alone in a fresh process for the peak RSS."""
    folder = Path(tempfile.mkdtemp(prefix="cyp-bench-region-", dir=tmp))
    try:
        spec = {**spec, "folder": str(folder)}
        print(f"  writing {spec['councils']} councils x {len(spec['years'])} years in {folder}")
        setup = _in_child({**spec, "kind": "region_setup"})
        if setup["error"]:
            return setup
        spec["partnership"] = setup["rows"][0]["partnership"]
        written = json.loads(spec["partnership"])
        print(f"  written in {written['seconds']:.1f} s (XML {written['xml_bytes'] / 1e6:.0f} MB, "
              f"CSV {written['csv_bytes'] / 1e6:.1f} MB); reading", flush=True)  # fmt: skip
        read = _in_child({**spec, "kind": "region_read"})
        if read["error"]:
            return read
        print("  deriving", flush=True)
        derived = _in_child({**spec, "kind": "region_derive"})
        if derived["error"]:
            return derived
        print("  reading and deriving alone in a fresh process (peak RSS)", flush=True)
        memory = _in_child({**spec, "kind": "region_memory"})
        if memory["error"]:
            return memory
        probe = memory["rows"][0]
        for row in read["rows"]:
            row["case_peak_rss_mb"] = read["case_peak_rss_mb"]
        for row in derived["rows"]:
            row["case_peak_rss_mb"] = derived["case_peak_rss_mb"]
        main = derived["rows"][0]
        main["library_alone_peak_rss_mb"] = probe["peak_rss_mb"]
        main["notes"].append(
            f"read, pooled and derived alone in a fresh process: {probe['seconds']:.1f} s, "
            f"peak RSS {probe['peak_rss_mb']:.0f} MB"
        )
        rows = read["rows"] + derived["rows"]
        return {"rows": rows, "error": None, "case_peak_rss_mb": derived["case_peak_rss_mb"]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------------


def _size(n: int) -> str:
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= div and n % div == 0:
            return f"{n // int(div)}{unit}"
    return f"{n:,}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _table_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    out: list[list[str]] = []
    for r in results:
        lib = r["library"]["median_s"]
        peak = r.get("library_alone_peak_rss_mb") or r["library"]["peak_rss_mb"]
        size = f"{_size(r['size'])} {r['unit']}"
        baselines = r["baselines"] or {"—": None}
        for name, base in baselines.items():
            b = base["median_s"] if base else None
            ratio = f"{lib / b:.3g}×" if lib and b else "—"
            reps = f"{r['library']['reps']}/{base['reps']}" if base else f"{r['library']['reps']}"
            out.append(
                [r["case"], size, name, _seconds(lib), _seconds(b), ratio, reps,
                 _mb(peak), _mb(r.get("case_peak_rss_mb"))]
            )  # fmt: skip
    return out


def _render(header: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    rule = "-|-".join("-" * w for w in widths)
    body = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, rule, *body])


def _find(
    results: list[dict[str, Any]], case: str, size: int | None = None
) -> dict[str, Any] | None:
    for r in results:
        if r["case"] == case and (size is None or r["size"] == size):
            return r
    return None


def _target(
    name: str, measured: float | None, threshold: float, *, better: str, unit: str, note: str = ""
) -> dict[str, Any]:
    if measured is None:
        status = "NOT RUN"
    elif better == "lower":
        status = "PASS" if measured <= threshold else "MISS"
    else:
        status = "PASS" if measured >= threshold else "MISS"
    return {"target": name, "threshold": threshold, "better": better, "unit": unit,
            "measured": measured, "status": status, "note": note}  # fmt: skip


def _targets(results: list[dict[str, Any]], settings: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    big = [s for s in settings["ci_sizes"] if s >= 1_000_000] or settings["ci_sizes"]
    for case in ("rate_ci", "proportion_ci"):
        for size in big:
            r = _find(results, case, size)
            ratio = None
            if r and "polars" in r["baselines"]:
                ratio = r["library"]["median_s"] / r["baselines"]["polars"]["median_s"]
            out.append(_target(f"{case} @ {_size(size)}: library / polars floor <= {FLOOR_RATIO}",
                               ratio, FLOOR_RATIO, better="lower", unit="x"))  # fmt: skip
    for size in settings["progress_sizes"]:
        r = _find(results, "progress", size)
        ratio = None
        if r and "polars" in r["baselines"]:
            ratio = r["library"]["median_s"] / r["baselines"]["polars"]["median_s"]
        out.append(_target(f"progress @ {_size(size)}: library / polars floor <= {FLOOR_RATIO}",
                           ratio, FLOOR_RATIO, better="lower", unit="x"))  # fmt: skip
    for case in ("rate_ci", "proportion_ci"):
        size = settings["pandas_size"]
        r = _find(results, case, size)
        speedup = None
        if r and "pandas" in r["baselines"]:
            speedup = r["baselines"]["pandas"]["median_s"] / r["library"]["median_s"]
        out.append(_target(f"{case} @ {_size(size)}: pandas row-wise / library >= {PANDAS_SPEEDUP:g}",
                           speedup, PANDAS_SPEEDUP, better="higher", unit="x"))  # fmt: skip
    largest = max(settings["progress_sizes"])
    r = _find(results, "progress", largest)
    rate = r["throughput"]["pupils_per_s"] if r else None
    out.append(_target(f"progress @ {_size(largest)}: pupils classified per second >= 10M",
                       rate, PUPILS_PER_S, better="higher", unit="pupils/s",
                       note="classify_progress + progress_rates, eager"))  # fmt: skip
    r = _find(results, "catalogue")
    out.append(_target("full catalogue (all LAs x 13 years) < 1 s",
                       r["library"]["median_s"] if r else None, CATALOGUE_S, better="lower",
                       unit="s"))  # fmt: skip
    r = _find(results, "import")
    out.append(_target("import + catalogue load < 0.5 s",
                       r["import_plus_load_s"] if r else None, STARTUP_S, better="lower", unit="s",
                       note="median over fresh processes of (import time + load_catalogue time)"))  # fmt: skip
    r = _find(results, "first_call")
    ratio = None
    if r and "polars" in r["baselines"]:
        ratio = r["library"]["median_s"] / r["baselines"]["polars"]["median_s"]
    out.append(_target(f"first call: fresh process import + load + rate / import polars <= "
                       f"{FIRST_CALL_RATIO}", ratio, FIRST_CALL_RATIO, better="lower", unit="x",
                       note="median wall time of whole fresh processes, interpreter start to exit"))  # fmt: skip
    for case in ("report_all_cli", "report_all_library"):
        r = _find(results, case)
        ratio = None
        if r and "one LA" in r["baselines"]:
            ratio = r["library"]["median_s"] / r["baselines"]["one LA"]["median_s"]
        out.append(_target(f"{case}: every council's report / one council's <= {REPORT_ALL_RATIO:g}",
                           ratio, REPORT_ALL_RATIO, better="lower", unit="x"))  # fmt: skip
    r = _find(results, "report_all_cli")
    peak = r["library"]["peak_rss_mb"] if r else None
    out.append(_target(f"report --all: peak RSS < {REPORT_ALL_RSS_MB:g} MB", peak,
                       REPORT_ALL_RSS_MB, better="lower", unit="MB",
                       note="the `report --all` process, from os.wait4"))  # fmt: skip
    r = _find(results, "region_read_xml")
    ratio = None
    if r and "iterparse" in r["baselines"]:
        ratio = r["library"]["median_s"] / r["baselines"]["iterparse"]["median_s"]
    out.append(_target(f"region: CIN census XML read / bare iterparse <= {REGION_XML_RATIO:g}",
                       ratio, REGION_XML_RATIO, better="lower", unit="x",
                       note="at no less than half the speed of iterparse counting elements"))  # fmt: skip
    for case in ("region_cla_31_march", "region_cla_starts", "region_3_placements",
                 "region_re_referrals"):  # fmt: skip
        r = _find(results, case)
        ratio = None
        if r and "polars" in r["baselines"]:
            ratio = r["library"]["median_s"] / r["baselines"]["polars"]["median_s"]
        out.append(_target(f"{case}: library / polars floor <= {REGION_FLOOR_RATIO:g}", ratio,
                           REGION_FLOOR_RATIO, better="lower", unit="x"))  # fmt: skip
    r = _find(results, "region_derive")
    out.append(_target("region: every record counted or excluded with a reason (unbalanced)",
                       r["accounting"]["unbalanced"] if r else None, 0, better="lower",
                       unit="problems", note="accounting of every derivation, per council and table"))  # fmt: skip
    peak = r.get("library_alone_peak_rss_mb") if r else None
    out.append(_target("region: read + derive every definition, peak RSS < 4 GB", peak,
                       REGION_RSS_MB, better="lower", unit="MB",
                       note="library alone in a fresh process"))  # fmt: skip
    r = _find(results, "streaming")
    size = settings["streaming"]["size"]
    peak = r.get("library_alone_peak_rss_mb") if r else None
    out.append(_target(f"streaming {_size(size)} rows: peak RSS < 4 GB", peak, STREAMING_RSS_MB,
                       better="lower", unit="MB",
                       note="library pipeline alone in a fresh process"))  # fmt: skip
    return out


def _git() -> dict[str, Any]:
    def run(*cmd: str) -> str:
        try:
            done = subprocess.run(["git", *cmd], cwd=HERE.parent, capture_output=True, text=True)
        except OSError:
            return ""
        return done.stdout.strip()

    return {
        "commit": run("rev-parse", "HEAD") or None,
        "dirty": bool(run("status", "--porcelain", "src")),
    }


def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    for package in ("polars", "cyp-indicators", "numpy", "scipy", "pandas", "pyarrow"):
        try:
            info[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            info[package] = None
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    return info


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; returns 1 if a case failed to run or two implementations disagreed."""
    args = _parse(argv)
    plan, settings = _plan(args)
    notes: list[str] = []
    if settings["pandas"] and not _pandas_available():
        notes.append(
            "pandas/pyarrow not installed: pandas baselines skipped (install the bench extra)"
        )
        print(f"note: {notes[-1]}")
    if settings["streaming"]["skipped"]:
        notes.append("streaming case skipped (--skip-streaming or CYP_BENCH_SKIP_STREAMING)")
        print(f"note: {notes[-1]}")
    if settings["pandas_reps"] < settings["reps"] and settings["pandas"]:
        notes.append(
            f"the pandas row-wise interval baselines run {settings['pandas_reps']} times "
            f"(tens of seconds each); every other side runs {settings['reps']} times"
        )
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    started = time.perf_counter()
    for spec in plan:
        label = spec["kind"] + (f" @ {_size(spec['size'])}" if "size" in spec else "")
        print(f"[{time.perf_counter() - started:7.1f} s] {label} ...", flush=True)
        if spec["kind"] == "streaming":
            outcome = _streaming(spec, args.tmp)
        elif spec["kind"] == "region":
            outcome = _region(spec, args.tmp)
        else:
            outcome = _in_child(spec)
        if outcome["error"]:
            errors.append(f"{label}: {outcome['error']}")
            print(outcome["error"], file=sys.stderr)
            continue
        for row in outcome["rows"]:
            row.setdefault("case_peak_rss_mb", outcome["case_peak_rss_mb"])
            results.append(row)
    targets = _targets(results, settings)
    disagreements = [
        f"{r['case']} @ {r['size']} vs {name}: {'; '.join(check['problems'])}"
        for r in results
        for name, check in r.get("checks", {}).items()
        if not check["agree"]
    ]
    report = {
        "suite": "cyp-indicators benchmarks",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "git": _git(),
        "machine": _machine(),
        "settings": settings,
        "notes": notes,
        "cases": results,
        "targets": targets,
        "errors": errors,
        "disagreements": disagreements,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    header = ["case", "size", "baseline", "library", "baseline", "lib/base", "reps",
              "lib peak MB", "case peak MB"]  # fmt: skip
    print()
    print(_render(header, _table_rows(results)))
    print()
    for note in notes + [n for r in results for n in r.get("notes", [])]:
        print(f"note: {note}")
    print()
    if settings["smoke"]:
        print("targets (smoke sizes: PASS/MISS is not meaningful here):")
    else:
        print("targets:")
    for t in targets:
        measured = "—" if t["measured"] is None else f"{t['measured']:,.4g} {t['unit']}"
        print(f"  {t['status']:<7} {t['target']}  (measured {measured})")
    for problem in disagreements:
        print(f"DISAGREE {problem}", file=sys.stderr)
    print(f"\nwrote {args.output} in {report['seconds']:.0f} s")
    return 1 if errors or disagreements else 0


def _pandas_available() -> bool:
    from benchmarks._pandas import available

    return available()


if __name__ == "__main__":  # ``python benchmarks/run.py`` works too
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
