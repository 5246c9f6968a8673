"""Benchmark: ``sfupgrade validate``'s pipeline against reading + ``json.loads`` of the same files.

Not a test (nothing is asserted): run ``python bench/bench_validate.py [N]`` (default 3,000).
Everything runs in this one process, the pipeline and the floor side by side, round after
round (this machine's speed drifts; a ratio is only fair between runs made together). Each
timed side ends with a full garbage collection, so a collection the pipeline defers is counted:

* a corpus of N flows (+ N records + N actions) shaped like the real AWS flows: the shared
  fixtures when present (else the release's flow), their strings (which hold colons), saved on
  one line and with 2-space, 4-space and tab indentation; every 100th flow has a finding.
  Target: at most 2.5x.
* one generated flow of 150,000 blocks (about 55 MB) with one finding. Target: within 4x.
"""

from __future__ import annotations

import gc
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sfupgrade.cti.validate import check_content
from sfupgrade.files.jsonio import loads_strict
from sfupgrade.files.resources import release_dir

ROUNDS = 3
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "cti-flows"
RELEASE_FLOW = release_dir() / "ctiFlows" / "Create_Callback_Task.json"
STYLES = [
    {"separators": (",", ":")},
    {"indent": 2},
    {"indent": 4},
    {"indent": "\t"},
]


def templates() -> list[dict]:
    files = sorted(FIXTURES.glob("*.json")) if FIXTURES.is_dir() else []
    return [json.loads(p.read_text(encoding="utf-8")) for p in files or [RELEASE_FLOW]]


_PAYLOAD = re.compile(r"\$\.payload\.([A-Za-z0-9_]+)")


def generate(root: Path, count: int) -> list[Path]:
    """``count`` flow/record/action triples; every 100th flow reads an undefined key."""
    shapes = templates()
    (root / "ctiFlows").mkdir()
    (root / "ctiActions").mkdir()
    files = []
    for n in range(count):
        data = json.loads(json.dumps(shapes[n % len(shapes)]))
        for block in data["actions"]:
            if isinstance(block.get("controls"), dict):
                block["controls"]["note"] = f"Callback: agent {n} at 10:30, queue: Sales"
        if n % 100 == 0:
            data["actions"][-1]["controls"] = {"extra": "$.payload.NoSuchKey"}
        text = json.dumps(data, **STYLES[n % len(STYLES)])
        name = f"Flow {n:05d}"
        graph = root / "ctiFlows" / f"flow{n:05d}.json"
        graph.write_text(text, encoding="utf-8")
        record = root / "ctiFlows" / f"flow{n:05d}.ctiFlow.json"
        record.write_text(json.dumps({"name": name, "source": "ctiAction", "active": True}))
        action_file = root / "ctiActions" / f"action{n:05d}.ctiAction.json"
        # The action defines what the flow reads (the undefined key aside), as a real one would.
        keys = sorted(set(_PAYLOAD.findall(text)) - {"NoSuchKey"})
        payload = {key: "x" for key in keys}
        action_file.write_text(
            json.dumps({"name": f"Action {n:05d}", "flow": name, "order": 1, "payload": payload})
        )
        files += [graph, record, action_file]
    return files


def big_flow(path: Path, blocks: int = 150_000) -> Path:
    """One flow of ``blocks`` blocks in a chain (2-space indentation), one reference malformed."""
    chain = []
    for n in range(blocks):
        block = {
            "id": f"uid-{n}",
            "type": "SE_Start" if n == 0 else "SE_SetProperty",
            "meta": {},
            "controls": {
                "name": f"prop{n}",
                "value": "$.payload.FirstName" if n % 3 else f"Note: step {n} at 10:30",
                "other": {"when": "$.contact.parsedNumber.phone"},
            },
            "ports": {"done": f"uid-{n + 1}"} if n + 1 < blocks else {},
            "position": [n * 1.5, 200],
        }
        chain.append(block)
    chain[blocks // 2]["controls"]["value"] = "$.payloads.FirstName"  # malformed
    path.write_text(json.dumps({"actions": chain}, indent=2), encoding="utf-8")
    return path


def floor(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        json.loads(path.read_bytes())
    gc.collect()  # as every timed side does: see pipeline()
    return time.perf_counter() - start


def strict(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        loads_strict(path.read_bytes().decode("utf-8"))
    gc.collect()
    return time.perf_counter() - start


def pipeline(paths: list[Path]) -> tuple[float, int]:
    start = time.perf_counter()
    checked = check_content(paths, every_picture=False)
    # The reader pauses the cyclic collector (cti.load); what it deferred is paid here, with
    # the model still alive, as a run pays it while its reports are written.
    gc.collect()
    return time.perf_counter() - start, len(checked.findings)


def compare(label: str, files: list[Path], paths: list[Path], target: float) -> None:
    floor(files)  # warm the page cache
    rounds = []
    for _ in range(ROUNDS):
        base = floor(files)
        reader = strict(files)
        ours, findings = pipeline(paths)
        rounds.append((base, reader / base, ours / base))
    print(f"{label}: {len(files)} file(s), {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
    print(f"  read + json.loads: {statistics.median(r[0] for r in rounds):.3f} s (median)")
    for name, index in (("strict reader only", 1), ("validate pipeline", 2)):
        ratios = sorted(r[index] for r in rounds)
        print(
            f"  {name}: median {statistics.median(ratios):.2f}x"
            f" (rounds {ratios[0]:.2f}x-{ratios[-1]:.2f}x)"
        )
    print(f"  {findings} finding(s); target <= {target}x")


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "corpus"
        root.mkdir()
        files = generate(root, count)
        compare(f"corpus of {count} flows", files, [root], 2.5)
        big = big_flow(Path(folder) / "big.json")
        compare("one flow of 150,000 blocks", [big], [big], 4.0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3_000)
