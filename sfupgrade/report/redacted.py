"""Masking secrets in a plan before any renderer sees it.

Every renderer's input plan and output text pass through here (see
:func:`sfupgrade.report.render`); the text rules themselves are :mod:`sfupgrade.core.redact`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from sfupgrade.core.redact import redact, redact_value
from sfupgrade.model.plan import Change, FieldDiff, Finding, FlowSketch, Location, Plan

_T = TypeVar("_T")


def _redact_strings(record: _T) -> _T:
    """A copy of a frozen dataclass with each of its ``str`` fields redacted."""
    obj: Any = record  # any value class: its fields are read by name
    updates = {
        f.name: redact(value)
        for f in dataclasses.fields(obj)
        if type(value := getattr(obj, f.name)) is str  # not str subclasses such as State
    }
    copy: _T = dataclasses.replace(obj, **updates)  # the same kind of value as the one passed in
    return copy


def _redact_change(change: Change) -> Change:
    fields = tuple(
        FieldDiff(redact(d.field), redact_value(d.before), redact_value(d.after))
        for d in change.fields
    )
    return dataclasses.replace(_redact_strings(change), fields=fields)


def _redact_finding(finding: Finding) -> Finding:
    location: Location = _redact_strings(finding.location)
    return dataclasses.replace(_redact_strings(finding), location=location)


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
