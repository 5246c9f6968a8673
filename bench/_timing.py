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


class Paired:
    """Two commands timed in turn: each one's median wall seconds and the median of the ratios
    of the pairs (the figure to quote: a pair shares the machine's speed of its moment)."""

    def __init__(self, ours: list[float], floor: list[float]) -> None:
        self.ours, self.floor = statistics.median(ours), statistics.median(floor)
        self.ratio = statistics.median(a / b for a, b in zip(ours, floor, strict=True))


def paired_processes(
    ours: Sequence[str], floor: Sequence[str], rounds: int = 31, check: bool = True
) -> Paired:
    """Two commands run in turn (A B A B ...), after a warm-up each.

    Alternating keeps a machine whose speed drifts from favouring either side, and the median
    pair ignores the odd slow run. ``check=False`` times a command that is meant to fail.
    """
    subprocess.run(ours, capture_output=True, check=check)
    subprocess.run(floor, capture_output=True, check=True)
    times: dict[int, list[float]] = {0: [], 1: []}
    for _ in range(rounds):
        for side, argv in enumerate((ours, floor)):
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=False)
            times[side].append(time.perf_counter() - start)
    return Paired(times[0], times[1])


def report(name: str, ours: float, floor: float, target: float, ratio: float | None = None) -> None:
    """One line per figure; ``ratio`` defaults to ours / floor (paired runs pass their own)."""
    ratio = ours / floor if ratio is None else ratio
    verdict = "within" if ratio <= target else "OVER"
    print(
        f"{name:<44} ours {ours * 1000:9.2f} ms  floor {floor * 1000:9.2f} ms  "
        f"ratio {ratio:5.2f}x  (target <= {target}x: {verdict})"
    )
