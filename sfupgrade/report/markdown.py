"""The Markdown report, for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

All user text (names, messages, paths, values) is escaped: a flow named ``*urgent* | [x]`` must
not turn into emphasis, break a table or become a link, and an ``@team`` in a description must
not ping anybody. Diffs go into code fences longer than any run of backticks they contain.
"""

from __future__ import annotations

import html
import re

from sfupgrade.plan import Change, Finding, Plan, State
from sfupgrade.report.common import (
    FlowOfInterest,
    finding_where,
    flows_of_interest,
    headline,
    summary,
    verdict,
)
from sfupgrade.report.mermaid import flowchart
from sfupgrade.report.values import show

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|~#!$])")
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-+=])")


def escape(text: str) -> str:
    """``text`` as literal inline Markdown (also safe inside a table cell) on one line."""
    text = text.replace("&", "&amp;")
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    # "1." or "-" at the start would make a list, "=" a heading underline.
    text = _LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)
    # A zero-width space after "@" keeps @mentions in user text from notifying anybody.
    text = text.replace("@", "@\u200b")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _html_text(text: str) -> str:
    """Text inside raw HTML (GitHub does not apply Markdown there, but does resolve mentions)."""
    return html.escape(text).replace("@", "@\u200b")


def fence(text: str, info: str) -> list[str]:
    """``text`` in a code fence that no backtick run inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return [marks + info, text.rstrip("\n"), marks]


def _table(header: list[str], rows: list[list[str]], align: str = "---") -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _summary(plan: Plan) -> list[str]:
    pairs = summary(plan)
    return _table([label for label, _ in pairs], [[str(n) for _, n in pairs]], "--:")


def _components(plan: Plan) -> list[str]:
    rows = [
        [
            c.state.value,
            escape(c.component_type),
            escape(c.name),
            escape(f"error: {c.error}" if c.error else c.summary),
        ]
        for c in plan.changes
    ]
    return ["", "#### Components", "", *_table(["State", "Type", "Name", "Summary"], rows)]


def _finding_row(finding: Finding) -> list[str]:
    message = escape(finding.message)
    if finding.suggestion:
        message += "<br>Fix: " + escape(finding.suggestion)
    return [finding.severity, escape(finding.code), escape(finding_where(finding)), message]


def _flow(interest: FlowOfInterest) -> list[str]:
    states = sorted({c.state.value for c in interest.changes})
    notes = [f"{len(interest.findings)} finding(s)"] if interest.findings else []
    notes += states
    title = escape(interest.flow.name)
    if interest.flow.file:
        title += f" ({escape(interest.flow.file)})"
    return ["", f"##### {title}: {', '.join(notes)}", "", *fence(flowchart(interest), "mermaid")]


def _change(change: Change) -> list[str]:
    label = _html_text(f"{change.state.value}: {change.component_type} {change.name}")
    lines = ["", f"<details open><summary>{label}</summary>", ""]
    if change.error:
        lines += [f"Error: {escape(change.error)}", ""]
    diff = change.unified_diff()
    if diff:
        lines += [*fence(diff, "diff"), ""]
    if change.fields:
        rows = [
            [escape(d.field), escape(show(d.before)), escape(show(d.after))] for d in change.fields
        ]
        lines += [*_table(["Field", "Before", "After"], rows), ""]
    return [*lines, "</details>"]


def render(plan: Plan) -> str:
    """The plan as GitHub-flavoured Markdown with Mermaid flow pictures."""
    lines = [
        f"### sfupgrade: {escape(headline(plan))}",
        "",
        *_summary(plan),
        "",
        f"**{escape(verdict(plan))}**",
    ]
    if plan.changes:
        lines += _components(plan)
    if plan.findings:
        rows = [_finding_row(f) for f in plan.findings]
        lines += ["", "#### Findings", "", *_table(["Severity", "Code", "Where", "Message"], rows)]
    interesting = flows_of_interest(plan)
    if interesting:
        lines += ["", "#### Flows"]
        for interest in interesting:
            lines += _flow(interest)
    details = [c for c in plan.changes if c.state is not State.UNCHANGED]
    if details:
        lines += ["", "#### Changes"]
        for change in details:
            lines += _change(change)
    return "\n".join(lines) + "\n"
