"""The one pipeline every caller runs: discover → read → model → rules → findings in the plan.

``sfupgrade validate``, the content step of ``upgrade`` and ``deploy``, and library callers all
go through :func:`check_content`, so a rule in the registry (``cti.rules``) is reported by every
one of them. Findings are pure functions of the model; codes are stable (CI filters on them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sfupgrade.cti.discover import discover
from sfupgrade.cti.load import read_content
from sfupgrade.cti.rules import Rule, by_scope, closest, codes
from sfupgrade.model.cti import Content, CtiAction, CtiFlow
from sfupgrade.model.plan import PICTURE_MAX_EDGES, Finding, FlowSketch, Plan
from sfupgrade.model.value import Value, field

__all__ = ["ContentCheck", "add_to_plan", "check_content", "check_graph", "closest", "validate"]


def _findings(rule: Rule, *subject: object) -> Iterator[Finding]:
    for hit in rule.check(*subject):
        yield Finding(
            rule.severity, rule.code, hit.message, hit.subject, hit.location, hit.suggestion
        )


def validate(content: Content) -> list[Finding]:
    """Every finding for the content: across files (names, missing flows), each action on its
    own, then each flow with the actions that run it."""
    findings: list[Finding] = []
    for rule in by_scope("content"):
        findings += _findings(rule, content)
    action_rules, flow_rules, run_rules = by_scope("action"), by_scope("flow"), by_scope("run")
    for action in content.actions:
        for rule in action_rules:
            findings += _findings(rule, action)
    runners: dict[str, list[CtiAction]] = defaultdict(list)
    for action in content.actions:
        runners[action.flow].append(action)
    for flow in content.flows:
        for rule in flow_rules:
            findings += _findings(rule, flow)
        for action in runners.pop(flow.name, ()):  # the first flow of a name runs
            for rule in run_rules:
                findings += _findings(rule, action, flow)
    return findings


def check_graph(flow: CtiFlow) -> list[Finding]:
    """The findings of one flow on its own (the ``flow`` rules)."""
    return [finding for rule in by_scope("flow") for finding in _findings(rule, flow)]


def sketch(flow: CtiFlow) -> FlowSketch:
    """The flow's graph for a picture in the report (Mermaid), in file order, or only its size
    when it has more edges than a picture can draw (:data:`PICTURE_MAX_EDGES`)."""
    edge_count = sum(len(block.ports) for block in flow.blocks)
    if edge_count > PICTURE_MAX_EDGES:
        return FlowSketch(flow.name, flow.file, (), (), (len(flow.blocks), edge_count))
    return FlowSketch(
        name=flow.name,
        file=flow.file,
        blocks=tuple((block.id, block.type) for block in flow.blocks),
        edges=tuple(
            (block.id, port.name, port.target) for block in flow.blocks for port in block.ports
        ),
    )


def _flagged(findings: Sequence[Finding]) -> Callable[[CtiFlow], bool]:
    """Whether a flow has a finding (in its files or by its name): built once per run, as a
    fleet holds thousands of flows and their findings."""
    files = {finding.location.file for finding in findings}
    subjects = {finding.subject for finding in findings}
    return lambda flow: flow.file in files or flow.record_file in files or flow.name in subjects


class ContentCheck(Value, frozen=False):
    """What the content step found: the model (to deploy), the findings and flow pictures."""

    content: Content
    findings: list[Finding]
    flows: list[FlowSketch] = field(default_factory=list)
    empty_projects: list[str] = field(default_factory=list)

    def into(self, plan: Plan) -> None:
        """Put the findings and pictures into a plan (its errors stop any apply)."""
        plan.extend(findings=self.findings)
        plan.flows.extend(self.flows)
        plan.checks.extend(code for code in codes() if code not in plan.checks)


def check_content(paths: Sequence[Path], every_picture: bool = True) -> ContentCheck:
    """Discover, read and check the CTI content under ``paths``.

    ``every_picture`` false keeps the pictures of flagged flows only: a fleet of thousands of
    clean flows would otherwise make a report of thousands of diagrams.
    """
    found = discover(list(paths))
    content = read_content(found)
    findings = validate(content)
    flagged = _flagged(findings)
    flows = [sketch(flow) for flow in content.flows if every_picture or flagged(flow)]
    return ContentCheck(content, findings, flows, found.empty_projects)


def add_to_plan(plan: Plan, content: Content) -> None:
    """Check content already read and put the findings and pictures into ``plan``."""
    ContentCheck(content, validate(content), [sketch(f) for f in content.flows]).into(plan)
