"""The documented CI integration works with the options it uses.

The example workflow's sfupgrade command line is parsed by the real report options and run over
a plan; every file the later steps upload, comment or keep must be one that run writes.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sfupgrade.cli import cli
from sfupgrade.cli.options import ReportOptions, emit_reports, report_options
from tests.report_plans import PLANS

yaml = pytest.importorskip("yaml", reason="PyYAML reads the workflow and hook files")

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / "docs" / "ci" / "github-actions.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
# Arguments that belong to `sfupgrade upgrade` itself rather than to the report options.
UPGRADE_OWN = {"--dry-run", "."}


def _steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return workflow["jobs"]["plan"]["steps"]


def _step(name: str) -> dict:
    return next(s for s in _steps() if s.get("name") == name)


def _sfupgrade_args() -> list[str]:
    script = _step("Plan the upgrade (dry run)")["run"].replace("\\\n", " ")
    line = next(x for x in script.splitlines() if x.strip().startswith("sfupgrade upgrade"))
    return shlex.split(line)[2:]


@click.command()
@report_options
def _plan_command(report_options: ReportOptions) -> None:
    plan = PLANS["validation"]()
    emit_reports(plan, report_options, environ={"GITHUB_ACTIONS": "true"})
    raise SystemExit(report_options.exit_code(plan))


def test_workflow_command_line_writes_every_report_the_workflow_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [a for a in _sfupgrade_args() if a not in UPGRADE_OWN]
    monkeypatch.chdir(tmp_path)  # the workflow writes its reports into the working directory
    result = CliRunner().invoke(_plan_command, args)
    assert result.exit_code == 1, result.output  # the plan has a validation error
    written = {p.name for p in tmp_path.iterdir()}
    assert json.loads((tmp_path / "sfupgrade.sarif").read_text(encoding="utf-8"))["version"] == (
        "2.1.0"
    )
    assert (tmp_path / "sfupgrade-plan.md").read_text(encoding="utf-8").startswith("### sfupgrade")
    assert "::error file=cti-flows/Create Callback Task.json,line=41" in result.stdout
    assert _step("Upload SARIF to code scanning")["with"]["sarif_file"] in written
    assert "--body-file sfupgrade-plan.md" in _step("Comment the plan on the pull request")["run"]
    kept = _step("Keep the reports")["with"]["path"].split()
    assert set(kept) == written


def test_workflow_tolerates_pending_changes_only() -> None:
    script = _step("Plan the upgrade (dry run)")["run"]
    assert "--detailed-exitcode" in _sfupgrade_args()
    assert '[ "$code" -ne 0 ] && [ "$code" -ne 3 ]' in script


def test_pre_commit_hook_runs_sfupgrade_validate_on_the_whole_project() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "sfupgrade-validate"
    assert hook["entry"] == "sfupgrade validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    if "validate" not in cli.load_all():
        pytest.skip("the validate command is not registered on this branch yet")
    assert CliRunner().invoke(cli, ["validate", "--help"]).exit_code == 0
