"""Timing helpers for the benchmarks: best-of-N, because a shared machine only adds noise."""

from __future__ import annotations

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


def best_process(argv: Sequence[str], repeat: int = 10) -> float:
    """Wall seconds of a whole process, the fastest of ``repeat`` runs after one warm-up."""
    subprocess.run(argv, capture_output=True, check=True)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, ours: float, floor: float, target: float) -> None:
    ratio = ours / floor
    verdict = "within" if ratio <= target else "OVER"
    print(
        f"{name:<44} ours {ours * 1000:9.2f} ms  floor {floor * 1000:9.2f} ms  "
        f"ratio {ratio:5.2f}x  (target <= {target}x: {verdict})"
    )
