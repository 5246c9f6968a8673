"""Benchmark: validating N generated flows and actions against a bare ``json.loads`` of them.

Not a test (nothing is asserted): run ``python bench/bench_validate.py [N]`` (default 10,000).
It writes N flows (graph + record) and N actions to a temporary folder, then reports

* the time of ``check_into_plan``, what the command runs (discover, strict parse, schema,
  references with lines, all checks) against reading + ``json.loads`` of the same files, in
  the same run (target <= 2x);
* tracemalloc's peak for N/10 and for N files, to show whether memory grows with the number of
  files (it should grow only with what must be held: the actions and the findings).
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sfupgrade.cti.check import check_into_plan, default_jobs
from sfupgrade.jsonio import loads_strict
from sfupgrade.plan import Plan
from sfupgrade.resources import release_dir

TEMPLATE = release_dir() / "ctiFlows" / "Create_Callback_Task.json"
ACTION = release_dir() / "ctiActions" / "Create_Callback_Task.ctiAction.json"


def generate(root: Path, count: int) -> list[Path]:
    """Write ``count`` flow/record/action triples; every 100th flow reads an undefined key."""
    flow_text = TEMPLATE.read_text(encoding="utf-8")
    action = json.loads(ACTION.read_text(encoding="utf-8"))
    (root / "ctiFlows").mkdir()
    (root / "ctiActions").mkdir()
    files = []
    for n in range(count):
        name = f"Flow {n:05d}"
        text = flow_text.replace("uid-", f"u{n}-")
        if n % 100 == 0:
            text = text.replace("$.payload.LastName", "$.payload.lastName", 1)
        graph = root / "ctiFlows" / f"flow{n:05d}.json"
        graph.write_text(text, encoding="utf-8")
        record = root / "ctiFlows" / f"flow{n:05d}.ctiFlow.json"
        record.write_text(json.dumps({"name": name, "source": "ctiAction", "active": True}))
        action_file = root / "ctiActions" / f"action{n:05d}.ctiAction.json"
        action_file.write_text(
            json.dumps(dict(action, name=f"Action {n:05d}", flow=name), indent=2)
        )
        files += [graph, record, action_file]
    return files


def bare(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        json.loads(path.read_bytes())
    return time.perf_counter() - start


def strict(files: list[Path]) -> float:
    """The shared strict reader alone (duplicate keys, NaN): the floor under any validation."""
    start = time.perf_counter()
    for path in files:
        loads_strict(path.read_bytes().decode("utf-8"))
    return time.perf_counter() - start


def validation(root: Path, jobs: int | None = 1) -> tuple[float, int]:
    """What ``sfupgrade validate`` does before rendering: stream every file into a plan."""
    start = time.perf_counter()
    plan = Plan(target=str(root))
    check_into_plan(plan, [root], jobs=jobs)
    return time.perf_counter() - start, len(plan.findings)


def peak_memory(root: Path) -> int:
    gc.collect()
    tracemalloc.start()
    check_into_plan(Plan(target=str(root)), [root], jobs=1)  # workers would hide their memory
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as big, tempfile.TemporaryDirectory() as small:
        files = generate(Path(big), count)
        generate(Path(small), max(count // 10, 1))
        bare(files)  # warm the page cache for both contenders
        # Interleaved and best-of-3, so a busy machine slows both contenders alike.
        bare_times, strict_times, check_times, parallel_times = [], [], [], []
        for _ in range(3):
            bare_times.append(bare(files))
            strict_times.append(strict(files))
            seconds, findings = validation(Path(big), jobs=1)
            check_times.append(seconds)
            seconds, parallel_findings = validation(Path(big), jobs=None)
            parallel_times.append(seconds)
        assert parallel_findings == findings
        best_bare, best_check = min(bare_times), min(check_times)
        best_strict, best_parallel = min(strict_times), min(parallel_times)
        print(f"files: {len(files)} ({count} flows + {count} records + {count} actions)")
        print(f"read + json.loads:  {best_bare:.3f} s")
        print(f"strict reader only: {best_strict:.3f} s ({best_strict / best_bare:.2f}x)")
        print(f"sfupgrade validate, one process: {best_check:.3f} s ({findings} findings)")
        print(
            f"sfupgrade validate, {default_jobs()} processes (the default): {best_parallel:.3f} s"
        )
        print(
            f"ratio: {best_parallel / best_bare:.2f}x as run (target <= 2x);"
            f" {best_check / best_bare:.2f}x in one process"
        )
        low, high = peak_memory(Path(small)), peak_memory(Path(big))
        print(
            f"peak memory: {low / 1e6:.1f} MB for {count // 10} triples,"
            f" {high / 1e6:.1f} MB for {count} ({(high - low) / (count - count // 10):.0f} B"
            " per extra triple)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
