"""GitHub Actions workflow commands (``::error file=…,line=…::``) for inline annotations.

The runner parses these from the step's output; properties and message are percent-escaped as
the Actions toolkit does, so a message with a newline, ``::`` or a comma stays one annotation.
"""

from __future__ import annotations

from sfupgrade.model.plan import Finding, Plan
from sfupgrade.report.common import finding_where
from sfupgrade.report.safe import escape_controls


def _escape_data(text: str) -> str:
    """The toolkit's escaping, then every other control character shown as ``\x1b``.

    The runner unescapes only ``%25``, ``%0D`` and ``%0A`` (``%3A``, ``%2C`` in properties);
    an ESC or BEL left raw would reach the log viewer and the annotation's title, and a
    ``##[`` is shown as ``##\\x5b``.
    """
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    # The runner's legacy "##[command]" syntax counts anywhere in a line: never pass one on.
    return escape_controls(escaped).replace("##[", "##\\x5b")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, **properties: object) -> str:
    props = ",".join(
        f"{key}={_escape_property(str(value))}" for key, value in properties.items() if value
    )
    return f"::{kind}{' ' + props if props else ''}::{_escape_data(message)}"


def _finding(finding: Finding) -> str:
    location = finding.location
    message = finding.message
    if location.file is None and finding_where(finding):
        message += f" ({finding_where(finding)})"
    if finding.suggestion:
        message += f"\nFix: {finding.suggestion}"
    return _command(
        finding.severity,
        message,
        file=location.file,
        line=location.line,
        col=location.column,
        title=f"{finding.code} {finding.subject}".strip(),
    )


def render(plan: Plan) -> str:
    """One annotation per finding and per Failed component; empty when there is none."""
    lines = [_finding(f) for f in plan.findings]
    lines += [
        _command("error", c.error or "failed", title=f"Failed {c.component_type} {c.name}")
        for c in plan.failed
    ]
    return "".join(line + "\n" for line in lines)
