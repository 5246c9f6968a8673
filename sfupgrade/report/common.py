"""What every format says the same way: the headline, the summary's columns, which flows to draw.

Keeping these in one place is what makes the formats agree: a reviewer who reads the Markdown and
a pipeline that reads the JSON see the same totals, the same wording and the same flows.
"""

from __future__ import annotations

from typing import Any

from sfupgrade.model.plan import Change, Finding, FlowSketch, Plan, State
from sfupgrade.model.value import Value

# (label shown to people, key in Plan.counts()), in the order every summary lists them.
SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("created", "Created"),
    ("changed", "Changed"),
    ("unchanged", "Unchanged"),
    ("failed", "Failed"),
    ("errors", "errors"),
    ("warnings", "warnings"),
)


def summary(plan: Plan) -> list[tuple[str, int]]:
    """The totals as (label, count) pairs in the fixed column order."""
    counts = plan.counts()
    return [(label, counts[key]) for label, key in SUMMARY_COLUMNS]


def _listed(one: str, many: str, items: tuple[str, ...]) -> str:
    return f"{one if len(items) == 1 else many} {', '.join(items)}"


def read_parts(plan: Plan) -> list[str]:
    """What the run read, as the phrases of :func:`read_from` (empty: nobody said)."""
    read = plan.read
    parts = []
    if read.projects:
        parts.append(_listed("project", "projects", read.projects))
    if read.org:
        parts.append(read.org)  # as reports name an org: org:<host>
    if read.value_sets is not None:
        parts.append(
            _listed("value set", "value sets", read.value_sets)
            if read.value_sets
            else "no value set file"
        )
    if read.content is not None:
        parts.append(f"CTI content {', '.join(read.content)}" if read.content else "no CTI content")
    return parts


def read_from(plan: Plan) -> str:
    """What the run read, on one line: the project, the value set file (or, in an org, the org
    and the set's full name there) and the CTI content folders, e.g. ``project .; value set
    force-app/.../X.xml; CTI content force-app/main/default/ctiFlows``. Every format carries it
    (text and Markdown in their first line, through :func:`headline`); empty when the plan does
    not say."""
    return "; ".join(read_parts(plan))


def read_data(plan: Plan) -> dict[str, Any]:
    """:attr:`Plan.read` as data for the machine formats (JSON ``result.read``, SARIF's run
    ``properties.read``), with :func:`read_from`'s line as ``text``."""
    read = plan.read
    return {
        "projects": list(read.projects),
        "org": read.org,
        "valueSets": None if read.value_sets is None else list(read.value_sets),
        "content": None if read.content is None else list(read.content),
        "text": read_from(plan),
    }


def headline(plan: Plan) -> str:
    """One line saying what the report is about, whether anything was written, and what was read.

    Only a dry run is called one: a real run refused by validation errors says so.
    """
    read = read_from(plan)
    state = _state(plan)
    return f"{state} (read: {read})" if read else state


def _state(plan: Plan) -> str:
    if plan.validation_only:
        return f"Validation of {plan.target}"
    if plan.applied:
        if plan.failure is not None:
            return f"Applied in part to {plan.target}, then failed: {plan.failure}"
        return f"Applied to {plan.target}"
    if plan.dry_run:
        return f"Dry run for {plan.target}: nothing applied"
    if plan.errors:
        return refusal(plan)
    if plan.failure is not None:
        return f"Not applied to {plan.target}: {plan.failure}"
    return f"Not applied to {plan.target}"


def refusal(plan: Plan) -> str:
    """The words for a real run that validation errors stopped before it wrote anything."""
    return (
        f"{plan.command.capitalize()} of {plan.target} refused: {len(plan.errors)} validation "
        "error(s); nothing applied"
    )


def verdict(plan: Plan) -> str:
    """The one-sentence conclusion a reviewer looks for first."""
    if plan.errors:
        return f"{len(plan.errors)} validation error(s): fix them before upgrading."
    if plan.failed:
        return f"{len(plan.failed)} component(s) failed."
    if plan.pending:
        verb = "were applied" if plan.applied else "would be applied"
        return f"{len(plan.pending)} change(s) {verb}."
    if plan.validation_only:
        return f"Valid, with {len(plan.warnings)} warning(s)." if plan.warnings else "Valid."
    return "Nothing to do: the target is up to date."


def finding_where(finding: Finding) -> str:
    """The finding's location, or its subject when it has no location."""
    return finding.location.describe() or finding.subject


class FlowOfInterest(Value):
    """A flow worth a picture, with the blocks its findings point at."""

    flow: FlowSketch
    findings: tuple[Finding, ...]
    changes: tuple[Change, ...]

    @property
    def flagged_blocks(self) -> dict[str, str]:
        """Block id -> "error" or "warning" (an error wins when a block has both)."""
        flagged: dict[str, str] = {}
        for finding in self.findings:
            block = finding.location.block
            if block is not None and flagged.get(block) != "error":
                flagged[block] = finding.severity
        return flagged


def _finding_concerns(flow: FlowSketch, finding: Finding) -> bool:
    if finding.location.file is not None:
        return finding.location.file == flow.file
    return finding.subject == flow.name


def _change_concerns(flow: FlowSketch, change: Change) -> bool:
    if change.state is State.UNCHANGED:
        return False
    if flow.file is not None and change.target == flow.file:
        return True
    # A CTI action often bears its flow's name: only a flow component is the flow itself.
    return change.name == flow.name and "flow" in change.component_type.lower()


def flows_of_interest(plan: Plan) -> list[FlowOfInterest]:
    """Flows that have a finding or a pending/failed change, in the plan's flow order.

    A finding belongs to a flow when it points at the flow's file (or, without a file, names the
    flow as its subject); a change when it writes the flow's file or is a flow component of that
    name. The planner names things that way, and renderers must not reopen files.
    """
    result = []
    for flow in plan.flows:
        findings = tuple(f for f in plan.findings if _finding_concerns(flow, f))
        changes = tuple(c for c in plan.changes if _change_concerns(flow, c))
        if findings or changes:
            result.append(FlowOfInterest(flow, findings, changes))
    return result


def check_codes(plan: Plan) -> list[str]:
    """Every check code, those that ran first (in run order), then any others findings carry."""
    codes = list(dict.fromkeys(plan.checks))
    codes += [code for code in dict.fromkeys(f.code for f in plan.findings) if code not in codes]
    return codes
