"""Validating files straight from disk, one flow at a time.

For a CI job over thousands of flows: memory holds the actions and the findings, never every
flow's text at once. ``load_content`` + ``validate`` give the same findings for small inputs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sfupgrade.cti.load import discover, iter_flows, load_action
from sfupgrade.cti.model import CtiFlow
from sfupgrade.cti.validate import CHECKS, iter_validate, sketch
from sfupgrade.plan import Finding, Plan


@dataclass(frozen=True)
class Checked:
    """How much was read, for the summary line."""

    flows: int
    actions: int


def check_into_plan(plan: Plan, paths: Sequence[Path]) -> Checked:
    """Stream the content under ``paths`` into ``plan``: its findings, and a picture (sketch)
    of each flow a finding points at; other flows are dropped as soon as they are checked."""
    found = discover(paths)
    actions = [load_action(path) for path in found.actions]
    current: list[CtiFlow] = []
    count = 0

    def flows() -> Iterator[CtiFlow]:
        nonlocal count
        for flow in iter_flows(found):
            count += 1
            current[:] = [flow]
            yield flow

    sketched: set[str | None] = set()
    for finding in iter_validate(flows(), actions):
        plan.findings.append(finding)
        flow = current[0] if current else None
        if flow is not None and flow.file not in sketched and _points_at(finding, flow):
            sketched.add(flow.file)
            plan.flows.append(sketch(flow))
    plan.checks.extend(code for code in CHECKS if code not in plan.checks)
    return Checked(count, len(actions))


def _points_at(finding: Finding, flow: CtiFlow) -> bool:
    where = finding.location.file
    if where is not None:
        return where in (flow.file, flow.record_file)
    return finding.subject == flow.name
