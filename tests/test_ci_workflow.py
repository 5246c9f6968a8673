"""The example workflow's and the composite action's sfupgrade steps, run as GitHub runs them.

Each step that runs sfupgrade (not the install, not the PR comment) is taken from
docs/ci/github-actions.yml and action.yml as written, and its ``run:`` script executed with bash
the way the runner does (``bash --noprofile --norc -eo pipefail``), in the repository's
directory, with the environment the runner gives (GITHUB_ACTIONS, GITHUB_WORKSPACE,
GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, the step's ``env:`` with ``${{ inputs.* }}`` replaced by the
inputs). ``sfupgrade`` on PATH is this checkout. On the broken DX project the step fails naming
every error (annotations, reports, summary); fixed, it passes with the upgrade pending.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.ci_project import KnownError, broken_project, fix_project
from tests.helpers import REPO

yaml = pytest.importorskip("yaml", reason="PyYAML reads the workflow and action files")

WORKFLOW = REPO / "docs" / "ci" / "github-actions.yml"
ACTION = REPO / "action.yml"
REPORTS = ("sfupgrade-plan.md", "sfupgrade.sarif", "sfupgrade-junit.xml", "sfupgrade-plan.json")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Step:
    """One step's script, environment and working directory, expressions resolved."""

    def __init__(self, step: dict, context: dict[str, str]) -> None:
        self.name = step.get("name", "")
        self.run = _resolve(step["run"], context)
        self.env = {k: _resolve(str(v), context) for k, v in (step.get("env") or {}).items()}
        self.directory = _resolve(step.get("working-directory", ""), context)


def _resolve(text: str, context: dict[str, str]) -> str:
    """Replace ``${{ name }}`` by its value; an expression this test does not know fails it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in context, f"expression {name!r} has no value in this test"
        return context[name]

    return EXPRESSION.sub(value, text)


def _runs_sfupgrade(step: dict) -> bool:
    script = step.get("run", "")
    return bool(re.search(r"^\s*sfupgrade\s", script, re.M))


def _sfupgrade_steps(steps: list[dict], context: dict[str, str]) -> list[Step]:
    chosen = [Step(s, context) for s in steps if "run" in s and _runs_sfupgrade(s)]
    for step in chosen:  # the install and the PR comment are GitHub's, not ours to run here
        assert "pip install" not in step.run and "gh pr" not in step.run, step.name
    assert chosen, "no step runs sfupgrade"
    return chosen


def _workflow_steps() -> list[Step]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return _sfupgrade_steps(workflow["jobs"]["plan"]["steps"], {})


def _action_steps(workspace: Path, **given: str) -> list[Step]:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"action.yml has no input {unknown}"
    inputs.update(given)
    context = {f"inputs.{name}": value for name, value in inputs.items()}
    context["github.workspace"] = str(workspace)
    assert action["runs"]["using"] == "composite"
    return _sfupgrade_steps(action["runs"]["steps"], context)


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PATH entry whose ``sfupgrade`` runs this checkout with this interpreter."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed; GitHub runs these steps with bash")
    directory = tmp_path_factory.mktemp("bin")
    shim = directory / "sfupgrade"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sfupgrade "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return directory


class Ran:
    """What a step left: its exit code, stdout, the job summary and its step outputs."""

    def __init__(self, done: subprocess.CompletedProcess[str], runner: Path) -> None:
        self.code = done.returncode
        self.stdout = done.stdout
        self.stderr = done.stderr
        self.summary = (runner / "summary.md").read_text(encoding="utf-8")
        lines = (runner / "output").read_text(encoding="utf-8").splitlines()
        self.outputs = dict(line.split("=", 1) for line in lines)

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def _run(step: Step, workspace: Path, bin_dir: Path, runner: Path) -> Ran:
    runner.mkdir(exist_ok=True)
    for name in ("summary.md", "output"):
        (runner / name).write_text("", encoding="utf-8")
    keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        PYTHONPATH=str(REPO),
        GITHUB_ACTIONS="true",
        CI="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_STEP_SUMMARY=str(runner / "summary.md"),
        GITHUB_OUTPUT=str(runner / "output"),
    )
    env.update(step.env)
    script = runner / "step.sh"
    script.write_text(step.run, encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=step.directory or workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Ran(done, runner)


def _assert_every_error_named(ran: Ran, workspace: Path, errors: list[KnownError]) -> None:
    """Annotations, the SARIF, JUnit and JSON reports and the job summary each name each error."""
    assert ran.code == 1 and ran.outputs["exit-code"] == "1", ran
    annotations = [line for line in ran.stdout.splitlines() if line.startswith("::error ")]
    for error in errors:
        hits = [a for a in annotations if a.startswith(f"::error file={error.file},line=")]
        assert [a for a in hits if f"line={error.line}," in a and f"title={error.code} " in a], (
            error,
            annotations,
        )
    assert len(annotations) == len(errors), annotations

    sarif = json.loads((workspace / "sfupgrade.sarif").read_text(encoding="utf-8"))
    results = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in sarif["runs"][0]["results"]
        if r["level"] == "error"
    }
    assert results == {tuple(e) for e in errors}
    described = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    for error in errors:
        assert described[error.code]["shortDescription"]["text"], error

    plan = json.loads((workspace / "sfupgrade-plan.json").read_text(encoding="utf-8"))
    findings = plan["result"]["findings"]
    found = {(f["code"], f["location"]["file"], f["location"]["line"]) for f in findings}
    assert found == {tuple(e) for e in errors}

    junit = ElementTree.parse(workspace / "sfupgrade-junit.xml").getroot()
    failed = [
        case.get("name", "") for case in junit.iter("testcase") if case.find("failure") is not None
    ]
    for error in errors:
        assert any(error.code in name for name in failed), (error, failed)

    markdown = (workspace / "sfupgrade-plan.md").read_text(encoding="utf-8")
    assert ran.summary == markdown  # the job summary is the plan the PR comment posts
    for error in errors:
        assert f"| error | {error.code} |" in markdown, error


def _assert_passes(ran: Ran, pending: bool) -> None:
    """Exit 0; the upgrade still to do is exit 3 from sfupgrade, which the step accepts."""
    assert ran.code == 0, ran
    assert ran.outputs["exit-code"] == ("3" if pending else "0"), ran
    assert not [line for line in ran.stdout.splitlines() if line.startswith("::error")], ran
    assert "0 validation error" not in ran.summary and "fix them" not in ran.summary


def test_the_workflow_step_fails_naming_every_error_and_passes_once_fixed(
    tmp_path: Path, bin_dir: Path
) -> None:
    workspace = tmp_path / "repo"
    errors = broken_project(workspace)
    (step,) = _workflow_steps()
    ran = _run(step, workspace, bin_dir, tmp_path / "runner")
    _assert_every_error_named(ran, workspace, errors)
    assert "refused" not in ran.summary and "nothing applied" in ran.summary  # a dry run

    fix_project(workspace)
    ran = _run(step, workspace, bin_dir, tmp_path / "runner")
    _assert_passes(ran, pending=True)
    assert "add value ctiAction" in ran.summary
    assert {p.name for p in workspace.iterdir()} >= set(REPORTS)  # what later steps upload


@pytest.mark.parametrize(
    ("command", "where"),
    [("upgrade", ""), ("upgrade", "salesforce"), ("validate", ""), ("validate", "salesforce")],
)
def test_the_action_fails_naming_every_error_and_passes_once_fixed(
    tmp_path: Path, bin_dir: Path, command: str, where: str
) -> None:
    """The action's one command line, with its default inputs and a project at the root or in
    a folder of the calling repository (``path`` input)."""
    workspace = tmp_path / "repo"
    project = workspace / where if where else workspace
    errors = [e.under(where) for e in broken_project(project)]
    given = {"command": command, "path": where or "."}
    (step,) = _action_steps(workspace, **given)
    ran = _run(step, workspace, bin_dir, tmp_path / "runner")
    _assert_every_error_named(ran, workspace, errors)

    fix_project(project)
    ran = _run(step, workspace, bin_dir, tmp_path / "runner")
    _assert_passes(ran, pending=command == "upgrade")
    assert {p.name for p in workspace.iterdir()} >= set(REPORTS)
