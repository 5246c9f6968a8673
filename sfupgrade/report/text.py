"""The terminal report: totals first, then what needs attention, then the exact diffs.

Colour is an argument, not a guess: the option layer decides it from the TTY, ``NO_COLOR`` and
``--no-color``, so this stays a pure function and its golden files hold plain text. Text from
input is shown with its control characters escaped (``\x1b``, ``\n``...): a name holding an
escape sequence must not drive the terminal, nor a newline start a line of its own.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from sfupgrade.model.plan import Change, Finding, Plan, State
from sfupgrade.report.common import finding_where, headline, summary, verdict
from sfupgrade.report.safe import escape_controls as esc
from sfupgrade.report.values import show

Style = Callable[..., str]

_STATE_COLOURS = {
    State.CREATED: "green",
    State.CHANGED: "yellow",
    State.UNCHANGED: None,
    State.FAILED: "red",
}
_SEVERITY_COLOURS = {"error": "red", "warning": "yellow"}


def _plain(text: str, **_: object) -> str:
    return text


def _summary_table(plan: Plan) -> list[str]:
    pairs = summary(plan)
    widths = [max(len(label), len(str(count))) for label, count in pairs]
    head = "  ".join(label.rjust(w) for (label, _), w in zip(pairs, widths, strict=True))
    row = "  ".join(str(count).rjust(w) for (_, count), w in zip(pairs, widths, strict=True))
    return ["  " + head, "  " + row]


def _components(plan: Plan, style: Style) -> list[str]:
    if not plan.changes:
        return []
    state_w = max(len(c.state.value) for c in plan.changes)
    type_w = max(len(esc(c.component_type)) for c in plan.changes)
    name_w = max(len(esc(c.name)) for c in plan.changes)
    lines = ["", "Components"]
    for change in plan.changes:
        state = style(change.state.value.ljust(state_w), fg=_STATE_COLOURS[change.state])
        note = esc(f"error: {change.error}" if change.error else change.summary)
        kind, name = esc(change.component_type).ljust(type_w), esc(change.name).ljust(name_w)
        line = f"  {state}  {kind}  {name}"
        lines.append(f"{line}  {note}".rstrip())
    return lines


def _finding(finding: Finding, style: Style) -> list[str]:
    severity = style(finding.severity.ljust(7), fg=_SEVERITY_COLOURS[finding.severity], bold=True)
    lines = [f"  {severity}  {esc(finding.code)}  {esc(finding.message)}"]
    where = finding_where(finding)
    if where:
        lines.append(f"           at {esc(where)}")
    if finding.suggestion:
        lines.append(f"           fix: {esc(finding.suggestion)}")
    return lines


def _diff_line(line: str, style: Style) -> str:
    if line.startswith(("+++", "---")):
        return style(line, bold=True)
    if line.startswith("+"):
        return style(line, fg="green")
    if line.startswith("-"):
        return style(line, fg="red")
    if line.startswith("@@"):
        return style(line, fg="cyan")
    return line


def _change_detail(change: Change, style: Style) -> list[str]:
    lines = []
    diff = change.unified_diff()
    if diff:
        # Split on newlines only: splitlines() would also split on \x1c, \x85, \u2028..., and
        # start a line with file content that has no diff prefix before it.
        lines += ["", *(_diff_line(esc(line, "\t"), style) for line in diff[:-1].split("\n"))]
    if change.fields:
        title = esc(f"{change.component_type} {change.name} ({change.state.value})")
        lines += ["", style(title, bold=True)]
        for d in change.fields:
            name = esc(d.field)
            if change.state is State.CREATED:
                lines.append(f"  {name} = {esc(show(d.after))}")
            else:
                lines.append(f"  {name}: {esc(show(d.before))} -> {esc(show(d.after))}")
    return lines


def render(plan: Plan, *, color: bool = False) -> str:
    """The plan for a terminal; ANSI colours only when ``color`` is true."""
    style: Style = click.style if color else _plain
    lines = [
        style(esc(headline(plan)), bold=True),
        "",
        *_summary_table(plan),
        "",
        esc(verdict(plan)),
    ]
    lines += _components(plan, style)
    if plan.findings:
        lines += ["", "Findings"]
        for finding in plan.findings:
            lines += _finding(finding, style)
    details = [
        line
        for c in plan.changes
        if c.state is not State.UNCHANGED
        for line in _change_detail(c, style)
    ]
    if details:
        lines += ["", "Changes", *details[1:]]
    return "\n".join(lines) + "\n"
