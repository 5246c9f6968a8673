"""SARIF 2.1.0, so code-scanning tools annotate the exact line a finding points at.

Only validation findings become results (component changes are not code problems). Each rule is
a finding code; paths stay as the planner gives them (relative to the working directory), which is
what GitHub code scanning resolves against the repository root when run from the checkout.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from sfupgrade import __version__
from sfupgrade.plan import Finding, Location, Plan
from sfupgrade.report.common import check_codes

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote((location.file or "").replace("\\", "/"), safe="/:")}
    }
    if location.line:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column:
            region["startColumn"] = location.column
        physical["region"] = region
    return physical


def _logical(finding: Finding) -> list[dict[str, Any]]:
    location = finding.location
    if location.block is None:
        return []
    qualified = "/".join(p for p in (finding.subject, location.block, location.path) if p)
    logical = {"name": location.block, "fullyQualifiedName": qualified, "kind": "object"}
    return [logical]


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    text = finding.message
    if finding.suggestion:
        text += f"\nFix: {finding.suggestion}"
    location: dict[str, Any] = {}
    if finding.location.file:
        location["physicalLocation"] = _physical(finding.location)
    logical = _logical(finding)
    if logical:
        location["logicalLocations"] = logical
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": finding.severity,
        "message": {"text": text},
    }
    if location:
        result["locations"] = [location]
    return result


def document(plan: Plan) -> dict[str, Any]:
    """The SARIF log as data: one run, one rule per check code."""
    codes = check_codes(plan)
    index = {code: i for i, code in enumerate(codes)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sfupgrade",
                        "version": __version__,
                        "rules": [{"id": code} for code in codes],
                    }
                },
                "results": [_result(f, index[f.code]) for f in plan.findings],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render(plan: Plan) -> str:
    """The SARIF log as indented JSON with a final newline."""
    return json.dumps(document(plan), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
