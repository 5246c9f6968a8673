"""Requests a deploy of N records makes, against the bound describes + queries + ceil(N/200).

Runs the library (plan, apply, verifying re-plan) against the fake org of the test suite, so no
network is touched. Above the Bulk threshold one Bulk API 2.0 job (about seven calls) replaces
the collections calls, so the count stays flat. For each N: N new CTI flows, then the same N
flows with one field changed (updates), then a rerun (nothing to write).

Run: python bench/bench_org_requests.py
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import responses  # noqa: E402

from sfupgrade.jobs.deploy import apply_deploy, plan_deploy  # noqa: E402
from sfupgrade.org import connect as connect_module  # noqa: E402
from sfupgrade.org.connect import OrgOptions, connect  # noqa: E402
from sfupgrade.org.mapping import load_mapping  # noqa: E402
from sfupgrade.org.recordfile import parse_records  # noqa: E402
from sfupgrade.org.records import BULK_THRESHOLD  # noqa: E402
from tests.fakeorg import TOKEN, URL, FakeOrg  # noqa: E402
from tests.fakeorg.cti import add_cti_objects, flow  # noqa: E402

SIZES = (1, 200, 201, 2000, 10000)
WRITES = ("composite_create", "composite_update")


def run(org: FakeOrg, records, label: str, n: int) -> None:
    before = len(org.calls)
    conn = connect(OrgOptions(instance_url=URL), environ={"SF_ACCESS_TOKEN": TOKEN})
    mapping = load_mapping()
    start = time.perf_counter()
    plan = plan_deploy(conn, mapping, records)
    changed = len(plan.pending)
    apply_deploy(conn, plan, mapping, records)
    seconds = time.perf_counter() - start
    calls = Counter(c.operation for c in org.calls[before:])
    writes = sum(calls[w] for w in WRITES)
    bulk = sum(n for op, n in calls.items() if op.startswith("bulk_"))
    reads = calls["describe"] + calls["query"]
    total = sum(calls.values())
    # Planning reads once and the verifying re-plan reads again: both count as "queries".
    bound = reads + math.ceil(changed / 200)
    verdict = "ok" if total <= bound else "OVER"
    print(
        f"N={n:>6} {label:<8} changed={changed:>6} describe={calls['describe']} "
        f"query={calls['query']:>2} collections={writes:>3} bulk={bulk} total={total:>3} "
        f"bound={bound:>3} {verdict}  {seconds:6.2f}s"
    )


def main() -> None:
    connect_module._sleep = lambda _seconds: None  # the fake never asks to wait
    print(f"Bulk API 2.0 above {BULK_THRESHOLD} records of one kind and operation")
    for n in SIZES:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            org = FakeOrg(mock)
            add_cti_objects(org)
            flows = [flow(f"Flow {i:05d}") for i in range(n)]
            run(org, parse_records({"flows": flows}, "bench"), "create", n)
            flows = [dict(f, active=False) for f in flows]
            run(org, parse_records({"flows": flows}, "bench"), "update", n)
            run(org, parse_records({"flows": flows}, "bench"), "rerun", n)


if __name__ == "__main__":
    main()
