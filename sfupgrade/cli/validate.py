"""``sfupgrade validate``: check CTI flows against the CTI actions that run them, offline.

Printing stays minimal and local so the shared report renderers can replace it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from sfupgrade.plan import Finding


def _line(finding: Finding) -> str:
    where = finding.location.describe() or finding.subject
    text = f"{finding.severity}: {where}: {finding.message} [{finding.code}]"
    return f"{text} ({finding.suggestion})" if finding.suggestion else text


def _summary(findings: list[Finding], flows: int, actions: int) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    return f"{flows} flow(s), {actions} action(s) checked: {errors} error(s), {warnings} warning(s)"


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one finding a line; json: the findings as a list.",
)
def validate_command(paths: tuple[Path, ...], output_format: str) -> None:
    """Check that every CTI flow an action runs reads only payload keys the action defines.

    PATHS are folders or files: flows (as the CTI Flow editor downloads them), *.ctiFlow.json
    records and *.ctiAction.json actions. Without PATHS, the release content is checked.
    Exits 1 on errors, 0 on warnings only, 2 on unusable input.

    \b
    Examples:
      sfupgrade validate                     # the bundled release content
      sfupgrade validate ./metadata          # your flows and actions
      sfupgrade validate --format json . > findings.json
    """
    from sfupgrade.cti.load import load_content
    from sfupgrade.cti.validate import validate
    from sfupgrade.resources import release_dir

    content = load_content(list(paths) or [release_dir()])
    findings = validate(content)
    if output_format == "json":
        click.echo(json.dumps([asdict(f) for f in findings], indent=2))
    else:
        for finding in findings:
            click.echo(_line(finding))
    click.echo(_summary(findings, len(content.flows), len(content.actions)), err=True)
    if any(f.severity == "error" for f in findings):
        click.get_current_context().exit(1)
