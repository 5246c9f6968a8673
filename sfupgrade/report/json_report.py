"""The JSON report, in the sf CLI's ``--json`` envelope so existing tooling can read it.

The shape is a public interface (documented in docs/reports.md, ``schemaVersion`` 1): keys are
emitted in a fixed order and never removed or renamed within a schema version; new keys may be
added. Pipelines read ``status`` (the exit code) and ``result.summary`` without parsing text.
"""

from __future__ import annotations

import json
from typing import Any

from sfupgrade.model.plan import Change, Finding, Location, Plan
from sfupgrade.report.common import SUMMARY_COLUMNS, finding_where, read_data
from sfupgrade.report.values import jsonable

SCHEMA_VERSION = 1


def _location(location: Location) -> dict[str, Any]:
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "block": location.block,
        "blockType": location.block_type,
        "path": location.path,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "severity": finding.severity,
        "code": finding.code,
        "message": finding.message,
        "subject": finding.subject,
        "location": _location(finding.location),
        "suggestion": finding.suggestion,
    }


def _component(change: Change) -> dict[str, Any]:
    return {
        "type": change.component_type,
        "name": change.name,
        "state": change.state.value,
        "target": change.target,
        "summary": change.summary,
        "error": change.error,
        "diff": change.unified_diff() or None,
        "fields": [
            {"field": d.field, "before": jsonable(d.before), "after": jsonable(d.after)}
            for d in change.fields
        ],
    }


def _warning_text(finding: Finding) -> str:
    where = finding_where(finding)
    return f"{finding.code}: {finding.message}" + (f" ({where})" if where else "")


def success_envelope(result: Any, status: int = 0, warnings: list[str] | None = None) -> dict:
    """sf's ``--json`` envelope around a command's result: ``status`` (the exit code),
    ``result``, ``warnings``. Every command's JSON on stdout has this shape (a failure that
    stops a run has :func:`error_envelope`'s)."""
    return {"status": status, "result": result, "warnings": list(warnings or [])}


def render_result(result: Any, status: int = 0, warnings: list[str] | None = None) -> str:
    """:func:`success_envelope` as indented JSON with a final newline, secrets masked."""
    from sfupgrade.core.redact import redact

    body = success_envelope(result, status, warnings)
    return redact(json.dumps(body, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def envelope(plan: Plan, *, detailed: bool = False) -> dict[str, Any]:
    """The report as data; ``status`` is the exit code the command returns."""
    counts = plan.counts()
    return success_envelope(
        status=plan.exit_code(detailed=detailed),
        result={
            "schemaVersion": SCHEMA_VERSION,
            "target": plan.target,
            "dryRun": plan.dry_run,
            "applied": plan.applied,
            "summary": {label: counts[key] for label, key in SUMMARY_COLUMNS},
            "components": [_component(c) for c in plan.changes],
            "findings": [_finding(f) for f in plan.findings],
            "checks": list(plan.checks),
            # Added after schemaVersion 1's first keys: new keys go last, none are reordered.
            "failure": plan.failure,
            "read": read_data(plan),
        },
        warnings=[_warning_text(f) for f in plan.warnings],
    )


def render(plan: Plan, *, detailed: bool = False) -> str:
    """The envelope as indented JSON with a final newline (strict: no NaN, UTF-8 kept)."""
    return (
        json.dumps(envelope(plan, detailed=detailed), indent=2, ensure_ascii=False, allow_nan=False)
        + "\n"
    )


def error_envelope(
    *,
    name: str,
    message: str,
    exit_code: int,
    command: str,
    actions: tuple[str, ...] | list[str] = (),
    code: str | None = None,
    warnings: list[str] | None = None,
    result: Any = None,
) -> dict[str, Any]:
    """A failure as ``sf --json`` prints one (@salesforce/sf-plugins-core's SfCommandError).

    The same keys in the same order: SfError's ``name``, ``message``, ``exitCode``, ``actions``,
    ``context``, then ``code`` (the error's own code, else the exit code as text), ``status``
    (the exit code), ``commandName``, ``warnings`` and, when the run got as far as a plan,
    ``result`` (the plan's report). ``actions`` is always present (sf leaves it out when empty),
    and no ``stack``: a user mistake never shows a traceback.
    """
    body: dict[str, Any] = {
        "name": name,
        "message": message,
        "exitCode": exit_code,
        "actions": list(actions),
        "context": command,
        "code": code or str(exit_code),
        "status": exit_code,
        "commandName": command,
        "warnings": list(warnings or []),
    }
    if result is not None:
        body["result"] = result
    return body


def render_error(**fields: Any) -> str:
    """:func:`error_envelope` as indented JSON with a final newline."""
    return json.dumps(error_envelope(**fields), indent=2, ensure_ascii=False) + "\n"
