"""`sfupgrade upgrade` on the bundled example: the dry run shows what the real run writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfupgrade.cli import cli
from sfupgrade.files.resources import example_project_dir, release_dir
from sfupgrade.jobs.upgrade import UpgradeRequest, plan_upgrade
from sfupgrade.model.plan import State

VS = "force-app/main/default/globalValueSets/AC_CtiScriptSource.globalValueSet-meta.xml"


def test_dry_run_on_the_bundled_example_changes_nothing_and_shows_the_diff() -> None:
    example = example_project_dir()
    before = (example / VS).read_bytes()
    result = CliRunner().invoke(cli, ["upgrade", "--dry-run", "--example", "--detailed-exitcode"])
    assert result.exit_code == 3, result.output
    assert "+        <fullName>ctiAction</fullName>" in result.stdout
    assert (example / VS).read_bytes() == before


def test_a_real_run_on_the_bundled_example_is_refused() -> None:
    result = CliRunner().invoke(cli, ["upgrade", "--example"])
    assert result.exit_code == 2
    assert "--dry-run" in result.output


def _apply_diff(text: str, diff: str) -> str:
    """Apply a one-hunk unified diff (what the report shows) to ``text``."""
    lines = diff.splitlines(keepends=True)
    hunk = next(i for i, line in enumerate(lines) if line.startswith("@@"))
    start = int(lines[hunk].split()[1].split(",")[0].lstrip("-")) - 1
    old = [line[1:] for line in lines[hunk + 1 :] if line[:1] in " -"]
    new = [line[1:] for line in lines[hunk + 1 :] if line[:1] in " +"]
    source = text.splitlines(keepends=True)
    assert source[start : start + len(old)] == old
    return "".join(source[:start] + new + source[start + len(old) :])


def test_real_run_writes_exactly_the_dry_run_diff_and_reaches_the_release(tmp_path: Path) -> None:
    project = tmp_path / "org"
    shutil.copytree(example_project_dir(), project)
    before = (project / VS).read_text()
    dry = plan_upgrade(UpgradeRequest(project))
    (change,) = dry.pending
    result = CliRunner().invoke(cli, ["upgrade", str(project)])
    assert result.exit_code == 0, result.output
    after = (project / VS).read_text()
    assert after == _apply_diff(before, change.unified_diff())
    # The upgraded example holds what the release ships.
    release = release_dir() / "globalValueSets" / "AC_CtiScriptSource.globalValueSet-meta.xml"
    assert after == release.read_text()
    again = plan_upgrade(UpgradeRequest(project))
    assert [c.state for c in again.changes] == [State.UNCHANGED]
    result = CliRunner().invoke(cli, ["upgrade", str(project)])
    assert result.exit_code == 0 and (project / VS).read_text() == after


def test_validation_errors_stop_the_upgrade_before_anything_is_written(tmp_path: Path) -> None:
    project = tmp_path / "org"
    shutil.copytree(example_project_dir(), project)
    content = tmp_path / "content"
    shutil.copytree(release_dir(), content)
    action = content / "ctiActions" / "Create_Callback_Task.ctiAction.json"
    action.write_text(action.read_text().replace('"FirstName"', '"firstName"'))
    before = (project / VS).read_bytes()
    result = CliRunner().invoke(cli, ["upgrade", str(project), "--content", str(content)])
    assert result.exit_code == 1, result.output
    assert "cti-undefined-payload-key" in result.stdout
    assert "did you mean 'firstName'" in result.stdout
    assert (project / VS).read_bytes() == before


def test_upgrade_plan_carries_validation_of_the_release_content() -> None:
    plan = plan_upgrade(UpgradeRequest(example_project_dir(), content=(release_dir(),)))
    assert plan.errors == [] and plan.warnings == []
    assert "cti-undefined-payload-key" in plan.checks
    assert [flow.name for flow in plan.flows] == ["Create Callback Task"]


def test_a_report_that_cannot_be_written_stops_the_upgrade_before_it_starts(
    tmp_path: Path,
) -> None:
    project = tmp_path / "org"
    shutil.copytree(example_project_dir(), project)
    before = (project / VS).read_bytes()
    report = tmp_path / "missing" / "plan.json"
    result = CliRunner().invoke(cli, ["upgrade", str(project), "--report", f"json={report}"])
    assert result.exit_code == 2
    assert "not a writable directory" in result.stderr
    assert (project / VS).read_bytes() == before


def _dx_project(root: Path, with_content: bool) -> Path:
    shutil.copytree(example_project_dir(), root)
    (root / "package.json").write_text('{"name": "x", "private": true}\n')
    (root / ".vscode").mkdir()
    (root / ".vscode" / "settings.json").write_text("{}\n")
    if with_content:
        default = root / "force-app" / "main" / "default"
        for folder in ("ctiFlows", "ctiActions"):
            shutil.copytree(release_dir() / folder, default / folder)
    return root


def test_upgrade_reads_the_project_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No PATH: the user's project, its value set and its own CTI content, never the release's."""
    project = _dx_project(tmp_path / "p", with_content=True)
    flow = project / "force-app/main/default/ctiFlows/Create_Callback_Task.json"
    flow.write_text(flow.read_text().replace("$.payload.FirstName", "$.payload.FirstNme"))
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["upgrade", "--dry-run", "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)["result"]
    codes = [f["code"] for f in report["findings"]]
    assert "cti-undefined-payload-key" in codes
    assert report["components"][0]["target"] == VS


def test_a_project_without_cti_content_upgrades_its_value_set_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_dx_project(tmp_path / "p", with_content=False))
    result = CliRunner().invoke(cli, ["upgrade", "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["result"]
    assert report["findings"] == [] and report["summary"]["changed"] == 1
    assert "no CTI content found in ." in result.stderr
    with_release = CliRunner().invoke(cli, ["upgrade", "--dry-run", "--release", "-v"])
    assert with_release.exit_code == 0, with_release.output
    assert "validated 1 flow(s) and 1 action(s)" in with_release.stderr
