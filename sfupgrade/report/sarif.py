"""SARIF 2.1.0, so code-scanning tools annotate the exact line a finding points at.

Only validation findings become results (component changes are not code problems). Each rule is
a finding code, described from the finding-code table (:mod:`sfupgrade.report.rules`). Artifact
URIs are relative to the repository root (``%SRCROOT%``: ``repo_root``, else ``GITHUB_WORKSPACE``,
else the working directory), which is what code scanning maps onto the repository; a file outside
the root keeps an absolute ``file:`` URI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sfupgrade import __version__
from sfupgrade.model.plan import Finding, Location, Plan
from sfupgrade.report.common import check_codes, read_data
from sfupgrade.report.rules import TABLE_SECTION, rule_for

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def repository_root(repo_root: str | os.PathLike[str] | None = None) -> Path:
    """The directory artifact URIs are relative to (see the module docstring)."""
    chosen = repo_root or os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
    return Path(os.path.abspath(chosen))


def artifact_location(file: str, root: Path) -> dict[str, Any]:
    """``file`` (relative to the working directory, or absolute) as a SARIF artifact location."""
    absolute = Path(os.path.abspath(file))
    relative = os.path.relpath(absolute, root)
    if relative == ".." or relative.startswith(("../", "..\\")) or os.path.isabs(relative):
        return {"uri": absolute.as_uri()}
    posix = Path(relative).as_posix()
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _rule(code: str) -> dict[str, Any]:
    rule = rule_for(code)
    more = f"See the finding-code table ({TABLE_SECTION}) and {rule.help_uri}"
    level = f" ({rule.severity})" if rule.severity else ""
    extra = f" {rule.help}" if rule.help else ""
    full = f"{code}{level}: {rule.summary_text.rstrip('.')}.{extra}"
    described: dict[str, Any] = {
        "id": code,
        "shortDescription": {"text": rule.summary_text},
        "fullDescription": {"text": full},
        "help": {
            "text": f"{full} {more}.",
            "markdown": f"**{code}**{level}: {rule.summary.rstrip('.')}.{extra} {more}.",
        },
        "helpUri": rule.help_uri,
    }
    if rule.severity:
        described["defaultConfiguration"] = {"level": rule.severity}
    return described


def _physical(location: Location, root: Path) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(location.file or "", root)}
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


def _result(finding: Finding, rule_index: int, root: Path) -> dict[str, Any]:
    text = finding.message
    if finding.suggestion:
        text += f"\nFix: {finding.suggestion}"
    location: dict[str, Any] = {}
    if finding.location.file:
        location["physicalLocation"] = _physical(finding.location, root)
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


def document(plan: Plan, repo_root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The SARIF log as data: one run, one rule per check code."""
    root = repository_root(repo_root)
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
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
                "results": [_result(f, index[f.code], root) for f in plan.findings],
                "columnKind": "unicodeCodePoints",
                # What the run read (the project, value set and CTI content), as every report says.
                "properties": {"read": read_data(plan)},
            }
        ],
    }


def render(plan: Plan, repo_root: str | os.PathLike[str] | None = None) -> str:
    """The SARIF log as indented JSON with a final newline."""
    return (
        json.dumps(document(plan, repo_root), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    )
