"""Timing helpers for the benchmarks: best-of-N, because a shared machine only adds noise."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def best_of(function: Callable[[], object], repeat: int = 15, number: int = 5) -> float:
    """Seconds per call: the fastest of ``repeat`` rounds of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def paired_processes(
    ours: Sequence[str], floor: Sequence[str], rounds: int = 15, check: bool = True
) -> tuple[float, float]:
    """Median wall seconds of two commands run in turn (A B A B ...), after a warm-up each.

    Alternating keeps a machine whose speed drifts from favouring either side; medians ignore
    the odd slow run. ``check=False`` times a command that is meant to fail (an error path).
    """
    subprocess.run(ours, capture_output=True, check=check)
    subprocess.run(floor, capture_output=True, check=True)
    times: dict[int, list[float]] = {0: [], 1: []}
    for _ in range(rounds):
        for side, argv in enumerate((ours, floor)):
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=False)
            times[side].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def report(name: str, ours: float, floor: float, target: float) -> None:
    ratio = ours / floor
    verdict = "within" if ratio <= target else "OVER"
    print(
        f"{name:<44} ours {ours * 1000:9.2f} ms  floor {floor * 1000:9.2f} ms  "
        f"ratio {ratio:5.2f}x  (target <= {target}x: {verdict})"
    )
