"""Masking secrets in anything a report shows.

Reports are pasted into pull requests, uploaded to code scanning and kept as CI artifacts, so a
session id that slipped into a record field, an error message or a value set would leak far. Every
renderer's input plan and output text pass through here (see :func:`sfupgrade.report.render`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from sfupgrade.plan import Change, FieldDiff, Finding, FlowSketch, Location, Plan

MASK = "REDACTED"

# A session id / access token is the org id (00D + 12 or 15 characters) "!" and the token proper.
# The org id is kept: it says which org, and it is not a secret (`sf org display` shows it).
_SESSION_ID = re.compile(r"(00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)![A-Za-z0-9._~+/=-]+")
_BEARER = re.compile(r"\b(Bearer|OAuth)(\s+)(?!REDACTED\b)[A-Za-z0-9._~+/=!-]+", re.IGNORECASE)
# Token fields in JSON bodies, form posts and query strings: the value up to a quote or separator.
_TOKEN_FIELD = re.compile(
    r"""(\b(?:access_token|refresh_token|sessionId|sid)\b["']?\s*[:=]\s*["']?)"""
    r"""(?!REDACTED\b)[^\s"'&,;<>]+""",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with every session id, Bearer/OAuth credential and token field masked.

    Idempotent, so redacting an already redacted report changes nothing.
    """
    text = _SESSION_ID.sub(rf"\1!{MASK}", text)
    text = _BEARER.sub(rf"\1\2{MASK}", text)
    return _TOKEN_FIELD.sub(rf"\1{MASK}", text)


def redact_value(value: Any) -> Any:
    """Redact the strings inside a record field value (plain JSON-like data)."""
    if type(value) is str:
        return redact(value)
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v) for v in value)
    if isinstance(value, dict):
        return {redact_value(k): redact_value(v) for k, v in value.items()}
    return value


def _redact_strings(obj: Any) -> Any:
    """A copy of a frozen dataclass or named tuple with each of its ``str`` fields redacted."""
    if isinstance(obj, tuple):
        names, replace = obj._fields, obj._replace  # type: ignore[attr-defined]
    else:
        names = tuple(f.name for f in dataclasses.fields(obj))
        replace = lambda **changes: dataclasses.replace(obj, **changes)  # noqa: E731
    updates = {
        name: redact(getattr(obj, name))
        for name in names
        if type(getattr(obj, name)) is str  # not str subclasses such as State
    }
    return replace(**updates)


def _redact_change(change: Change) -> Change:
    fields = tuple(
        FieldDiff(redact(d.field), redact_value(d.before), redact_value(d.after))
        for d in change.fields
    )
    return dataclasses.replace(_redact_strings(change), fields=fields)


def _redact_finding(finding: Finding) -> Finding:
    location: Location = _redact_strings(finding.location)
    return _redact_strings(finding)._replace(location=location)


def _redact_flow(flow: FlowSketch) -> FlowSketch:
    return FlowSketch(
        name=redact(flow.name),
        file=redact(flow.file) if flow.file else flow.file,
        blocks=tuple((redact(b), redact(t)) for b, t in flow.blocks),
        edges=tuple((redact(a), redact(p), redact(b)) for a, p, b in flow.edges),
    )


def redact_plan(plan: Plan) -> Plan:
    """A copy of ``plan`` whose every shown string is redacted; the original is untouched.

    Redacting the input as well as the output matters: a renderer escapes user text (Markdown
    backslashes, XML entities), which could split a token so that the output pass misses it.
    """
    return dataclasses.replace(
        plan,
        target=redact(plan.target),
        changes=[_redact_change(c) for c in plan.changes],
        findings=[_redact_finding(f) for f in plan.findings],
        flows=[_redact_flow(f) for f in plan.flows],
    )
