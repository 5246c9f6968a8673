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
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sfupgrade.cti.check import check_into_plan, default_jobs
from sfupgrade.jsonio import loads_strict
from sfupgrade.plan import Plan
from sfupgrade.resources import release_dir

ROUNDS = 5
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
        # Interleaved rounds, each giving its own ratios: this machine's speed drifts by tens of
        # percent within a minute, so a ratio is only fair between runs made side by side.
        rounds = []
        for _ in range(ROUNDS):
            base = bare(files)
            strict_s = strict(files)
            one, findings = validation(Path(big), jobs=1)
            run, parallel_findings = validation(Path(big), jobs=None)
            assert parallel_findings == findings
            rounds.append((base, strict_s / base, one / base, run / base))
        print(f"files: {len(files)} ({count} flows + {count} records + {count} actions)")
        print(f"read + json.loads: {statistics.median(r[0] for r in rounds):.3f} s (median)")
        for label, index in (
            ("strict reader only", 1),
            ("sfupgrade validate, one process", 2),
            (f"sfupgrade validate, {default_jobs()} processes (the default)", 3),
        ):
            ratios = sorted(r[index] for r in rounds)
            print(
                f"{label}: median {statistics.median(ratios):.2f}x"
                f" (rounds {ratios[0]:.2f}x-{ratios[-1]:.2f}x)"
            )
        print(f"{findings} findings; target <= 2x")
        low, high = peak_memory(Path(small)), peak_memory(Path(big))
        print(
            f"peak memory: {low / 1e6:.1f} MB for {count // 10} triples,"
            f" {high / 1e6:.1f} MB for {count} ({(high - low) / (count - count // 10):.0f} B"
            " per extra triple)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
