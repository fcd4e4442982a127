"""Timing and memory measurement inside a case's own process.

Each case runs in a fresh process (``multiprocessing`` spawn), so ``ru_maxrss`` there is the peak
resident set of that case alone. Where Linux allows it (``/proc/self/clear_refs``, value 5), the
peak is reset before every timed call, so the library's and each baseline's own peaks are known
as well as the case's.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Side", "alternate", "peak_rss_mb", "reset_peak", "side_summary"]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (or since :func:`reset_peak`), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def reset_peak() -> bool:
    """Reset this process's peak RSS to its current RSS (Linux >= 4.0); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


@dataclass
class Side:
    """One contender of a case: the library or a baseline.

    ``reps`` may be lower than the case's (the pandas row-wise baselines take tens of seconds).
    """

    name: str
    run: Callable[[], Any]
    reps: int
    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)


def _timed(side: Side, can_reset: bool) -> None:
    gc.collect()
    if can_reset:
        reset_peak()
    start = time.perf_counter()
    result = side.run()
    elapsed = time.perf_counter() - start
    side.times.append(elapsed)
    if can_reset:
        side.peaks.append(peak_rss_mb())
    del result


def alternate(sides: Sequence[Side], *, warmup: Sequence[str] = ()) -> bool:
    """Time every side, alternating: rep 1 runs A, B, C; rep 2 runs C, B, A; and so on.

    Sides named in ``warmup`` run once untimed first. Returns whether per-side peaks were kept
    (False when the peak RSS cannot be reset on this system).
    """
    can_reset = reset_peak()
    for side in sides:
        if side.name in warmup:
            side.run()
    rounds = max(s.reps for s in sides)
    for i in range(rounds):
        order = list(sides) if i % 2 == 0 else list(reversed(sides))
        for side in order:
            if i < side.reps:
                _timed(side, can_reset)
    return can_reset


def side_summary(side: Side) -> dict[str, Any]:
    """The JSON form of a side's measurements."""
    return {
        "median_s": statistics.median(side.times) if side.times else None,
        "min_s": min(side.times) if side.times else None,
        "max_s": max(side.times) if side.times else None,
        "reps": len(side.times),
        "times_s": [round(t, 6) for t in side.times],
        "peak_rss_mb": round(max(side.peaks), 1) if side.peaks else None,
    }
