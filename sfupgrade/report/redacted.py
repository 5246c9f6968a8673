"""Masking secrets in a plan before any renderer sees it.

Every renderer's input plan and output text pass through here (see
:func:`sfupgrade.report.render`); the text rules themselves are :mod:`sfupgrade.core.redact`.
"""

from __future__ import annotations

from typing import TypeVar

from sfupgrade.core.redact import redact, redact_value
from sfupgrade.model.plan import Change, FieldDiff, Finding, FlowSketch, Plan
from sfupgrade.model.value import Value, field_names, replace

_V = TypeVar("_V", bound=Value)


def _redact_strings(record: _V) -> _V:
    """A copy of a value with each of its ``str`` fields redacted."""
    updates = {
        name: redact(value)
        for name in field_names(record)
        if type(value := getattr(record, name)) is str  # not str subclasses such as State
    }
    return replace(record, **updates)


def _redact_change(change: Change) -> Change:
    fields = tuple(
        FieldDiff(redact(d.field), redact_value(d.before), redact_value(d.after))
        for d in change.fields
    )
    return replace(_redact_strings(change), fields=fields)


def _redact_finding(finding: Finding) -> Finding:
    location = _redact_strings(finding.location)
    return replace(_redact_strings(finding), location=location)


def _redact_flow(flow: FlowSketch) -> FlowSketch:
    return FlowSketch(
        name=redact(flow.name),
        file=redact(flow.file) if flow.file else flow.file,
        blocks=tuple((redact(b), redact(t)) for b, t in flow.blocks),
        edges=tuple((redact(a), redact(p), redact(b)) for a, p, b in flow.edges),
        too_large=flow.too_large,
    )


def redact_plan(plan: Plan) -> Plan:
    """A copy of ``plan`` whose every shown string is redacted; the original is untouched.

    Redacting the input as well as the output matters: a renderer escapes user text (Markdown
    backslashes, XML entities), which could split a token so that the output pass misses it.
    """
    return replace(
        plan,
        target=redact(plan.target),
        changes=[_redact_change(c) for c in plan.changes],
        findings=[_redact_finding(f) for f in plan.findings],
        flows=[_redact_flow(f) for f in plan.flows],
    )
