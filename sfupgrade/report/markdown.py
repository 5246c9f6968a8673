"""The Markdown report, for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

All user text (names, messages, paths, values) is escaped: a flow named ``*urgent* | [x]`` must
not turn into emphasis, break a table or become a link, and an ``@team`` in a description must
not ping anybody. Diffs go into code fences longer than any run of backticks they contain.

GitHub refuses a comment longer than :data:`MAX_CHARS`, so a report that would be longer keeps its
heading and totals and as many whole table rows, flow pictures and change blocks as fit, in order,
and ends with a note of what it left out (see :func:`render`).
"""

from __future__ import annotations

import html
import re

from sfupgrade.core.redact import redact
from sfupgrade.model.plan import PICTURE_MAX_EDGES, Change, Finding, Plan, State
from sfupgrade.model.value import Value
from sfupgrade.report.common import (
    FlowOfInterest,
    finding_where,
    flows_of_interest,
    headline,
    summary,
    verdict,
)
from sfupgrade.report.mermaid import flowchart
from sfupgrade.report.safe import escape_controls
from sfupgrade.report.values import show

MAX_CHARS = 65_536
"""GitHub's limit on an issue or pull-request comment body, in characters (Python ``len``)."""

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|~#!$])")
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-+=])")


def escape(text: str) -> str:
    """``text`` as literal inline Markdown (also safe inside a table cell) on one line.

    Control characters are shown escaped (``\x1b``), line breaks as ``<br>``.
    """
    text = escape_controls(text.replace("\r\n", "\n").replace("\r", "\n"), keep="\n")
    text = text.replace("&", "&amp;")
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    # "1." or "-" at the start would make a list, "=" a heading underline.
    text = _LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)
    # A zero-width space after "@" keeps @mentions in user text from notifying anybody.
    text = text.replace("@", "@\u200b")
    return text.replace("\n", "<br>")


def _html_text(text: str) -> str:
    """Text inside raw HTML (GitHub does not apply Markdown there, but does resolve mentions)."""
    return html.escape(escape_controls(text)).replace("@", "@\u200b")


def fence(text: str, info: str) -> list[str]:
    """``text`` in a code fence that no backtick run inside it can close, controls escaped."""
    text = escape_controls(text, keep="\n\t")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return [marks + info, text.rstrip("\n"), marks]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]], align: str = "---") -> list[str]:
    lines = [_row(header), "|" + "|".join(align for _ in header) + "|"]
    lines += [_row(row) for row in rows]
    return lines


def _summary(plan: Plan) -> list[str]:
    pairs = summary(plan)
    return _table([label for label, _ in pairs], [[str(n) for _, n in pairs]], "--:")


def _component_row(change: Change) -> list[str]:
    summary = f"error: {change.error}" if change.error else change.summary
    return [
        change.state.value,
        escape(change.component_type),
        escape(change.name),
        escape(summary),
    ]


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
    heading = ["", f"##### {title}: {', '.join(notes)}", ""]
    if interest.flow.too_large is not None:
        blocks, edges = interest.flow.too_large
        return [
            *heading,
            f"Not drawn: {blocks:,} blocks and {edges:,} links, more than Mermaid draws "
            f"({PICTURE_MAX_EDGES:,} links).",
        ]
    return [*heading, *fence(flowchart(interest), "mermaid")]


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


class _Section(Value):
    """A part of the report that can be cut between its items: table rows or whole blocks.

    ``opening`` (a heading, a table's header) is shown only together with the first item, so a
    cut never leaves an empty section behind.
    """

    kind: str  # what an item is, in the note on what was left out
    opening: list[str]
    items: list[list[str]]


def _table_section(kind: str, title: str, header: list[str], rows: list[list[str]]) -> _Section:
    opening = ["", f"#### {title}", "", *_table(header, [])]
    return _Section(kind, opening, [[_row(row)] for row in rows])


def _sections(plan: Plan) -> list[_Section]:
    sections = []
    if plan.changes:
        header = ["State", "Type", "Name", "Summary"]
        rows = [_component_row(c) for c in plan.changes]
        sections.append(_table_section("component(s)", "Components", header, rows))
    if plan.findings:
        header = ["Severity", "Code", "Where", "Message"]
        rows = [_finding_row(f) for f in plan.findings]
        sections.append(_table_section("finding(s)", "Findings", header, rows))
    interesting = flows_of_interest(plan)
    if interesting:
        flows = [_flow(interest) for interest in interesting]
        sections.append(_Section("flow picture(s)", ["", "#### Flows"], flows))
    details = [c for c in plan.changes if c.state is not State.UNCHANGED]
    if details:
        changes = [_change(change) for change in details]
        sections.append(_Section("change detail(s)", ["", "#### Changes"], changes))
    return sections


def _size(lines: list[str]) -> int:
    """Characters ``lines`` take in the report, each with its newline."""
    return sum(len(line) + 1 for line in lines)


def _note(limit: int, left_out: dict[str, tuple[int, int]]) -> list[str]:
    """The closing note: ``left_out`` maps a kind to (left out, total)."""
    findings = left_out.get("finding(s)", (0, 0))
    others = [
        f"{dropped:,} of {total:,} {kind}"
        for kind, (dropped, total) in left_out.items()
        if kind != "finding(s)" and dropped
    ]
    also = f" (also left out: {', '.join(others)})" if others else ""
    return [
        "",
        f"**Report cut short** to {limit:,} characters (GitHub refuses longer comments): "
        f"{findings[0]:,} of {findings[1]:,} finding(s) are not shown here{also}. The full "
        "report is in the JSON, SARIF or text output, e.g. `--report json=PATH`.",
    ]


def _cut(
    head: list[str], sections: list[_Section], budget: int, limit: int
) -> tuple[list[str], int]:
    """``head`` and the longest run of whole items that fits ``budget`` with the note.

    Items are taken in report order and the first one that does not fit ends the run, so what is
    shown is a prefix of the full report. Returns the lines and how many items they hold.
    """
    # The note is longest when everything is left out: reserve that much.
    worst = _note(limit, {s.kind: (len(s.items), len(s.items)) for s in sections})
    room = budget - _size(head) - _size(worst)
    lines = list(head)
    shown: dict[str, int] = {}
    fitting = True
    for section in sections:
        for index, item in enumerate(section.items):
            unit = section.opening + item if index == 0 else item
            if not fitting or _size(unit) > room:
                fitting = False
                break
            lines += unit
            room -= _size(unit)
            shown[section.kind] = shown.get(section.kind, 0) + 1
    left_out = {s.kind: (len(s.items) - shown.get(s.kind, 0), len(s.items)) for s in sections}
    # Whatever is kept ends on a whole line after a table row, a fence or </details>, so a blank
    # line before the note closes any table and the note starts a paragraph of its own.
    return lines + _note(limit, left_out), sum(shown.values())


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def render(plan: Plan, *, limit: int = MAX_CHARS) -> str:
    """The plan as GitHub-flavoured Markdown with Mermaid flow pictures, at most ``limit`` long.

    A report that fits is returned whole. A longer one keeps the heading, totals and verdict, then
    whole component rows, finding rows, flow pictures and change blocks in order while they fit,
    and ends with a note of how many findings (and other items) it left out. Cuts fall between
    items, so no code fence, table or ``<details>`` block is left open.

    Lengths are measured after redaction: :func:`sfupgrade.report.render` redacts this text
    again, and a mask can be longer than what it hides (a finding at ``flows/sid:1`` becomes
    ``flows/sid:REDACTED``). Only a heading (a target name) too long for ``limit`` with the note
    alone can exceed it.
    """
    head = [
        f"### sfupgrade: {escape(headline(plan))}",
        "",
        *_summary(plan),
        "",
        f"**{escape(verdict(plan))}**",
    ]
    sections = _sections(plan)
    lines = list(head)
    for section in sections:
        lines += section.opening
        for item in section.items:
            lines += item
    text = _text(lines)
    if len(redact(text)) <= limit:
        return text
    budget = limit
    while True:
        lines, shown = _cut(head, sections, budget, limit)
        text = _text(lines)
        excess = len(redact(text)) - limit
        if excess <= 0 or shown == 0:
            return text
        budget -= excess
