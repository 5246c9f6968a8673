"""Validating files straight from disk, one flow at a time.

For a CI job over thousands of flows: memory holds the actions and the findings, never every
flow's text at once. Each flow is first screened (``cti.screen``); only a flow that may have a
finding is turned into the model and checked in full, so the findings are those of
``load_content`` + ``validate``, at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sfupgrade.cti.load import discover, load_action, read_flows
from sfupgrade.cti.model import CtiFlow
from sfupgrade.cti.screen import is_clean
from sfupgrade.cti.validate import CHECKS, Run, sketch
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
    run = Run(actions)
    plan.findings.extend(run.start())
    count = 0
    for file in read_flows(found, strict=False):
        count += 1
        duplicate, runners = run.claim(file.name, file.graph)
        colons = None if file.strict else file.text.count(":")
        if duplicate is None and is_clean(file.data, file.fields, runners, colons):
            continue
        flow = file.build()
        findings = [duplicate] if duplicate else []
        findings += run.flow(flow, runners)
        plan.findings += findings
        if any(_points_at(finding, flow) for finding in findings):
            plan.flows.append(sketch(flow))
    plan.findings.extend(run.finish())
    plan.checks.extend(code for code in CHECKS if code not in plan.checks)
    return Checked(count, len(actions))


def _points_at(finding: Finding, flow: CtiFlow) -> bool:
    where = finding.location.file
    if where is not None:
        return where in (flow.file, flow.record_file)
    return finding.subject == flow.name
