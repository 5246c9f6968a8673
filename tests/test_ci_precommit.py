"""The pre-commit hook, run by pre-commit itself, fails on a broken DX project and passes fixed.

``pre-commit try-repo`` installs the hook as a user's ``.pre-commit-config.yaml`` would: it
pip-installs this repository into the hook's own virtualenv and runs the hook's ``entry`` in the
user's repository. The test takes about 20 s here, 15 s of it that install (from the local
package index). try-repo is given a snapshot of this checkout (uncommitted changes included, as
try-repo itself would take them) with a fixed commit, and one PRE_COMMIT_HOME per test session,
so the install happens once per session.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci_project import broken_project, fix_project
from tests.helpers import REPO

HOOK = "sfupgrade-validate"
GIT_USER = [
    "-c",
    "user.name=ci",
    "-c",
    "user.email=ci@example.invalid",
    "-c",
    "commit.gpgsign=false",
]


def _pre_commit() -> list[str]:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    if found is None:
        pytest.skip("pre-commit is not installed (pip install '.[test]' brings it)")
    return [found]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_USER, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as one commit (tracked and new files as they are now), made once."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed; pre-commit needs it")
    try:
        listed = _git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except subprocess.CalledProcessError:
        pytest.skip(f"{REPO} is not a git checkout; pre-commit installs hooks from one")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in sorted(set(filter(None, listed.split("\0")))):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the work tree is left out
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(project: Path, hook_repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    command = [*_pre_commit(), "try-repo", str(hook_repo), HOOK, "--all-files"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


def test_the_hook_fails_naming_every_error_and_passes_once_fixed(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    _pre_commit()
    project = tmp_path / "cti-org"
    errors = broken_project(project)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "broken CTI content and value set")

    broken = _try_repo(project, hook_repo, pre_commit_home)
    out = broken.stdout + broken.stderr
    assert broken.returncode == 1, out
    assert f"{HOOK.replace('-', ' ')}" in out and "Failed" in out and "exit code: 1" in out, out
    for error in errors:  # the text report: "error  <code>  ..." then "at <file>:<line>"
        assert f"error    {error.code}  " in out, (error, out)
        assert f"at {error.file}:{error.line}" in out, (error, out)
    assert f"{len(errors)} error(s)" in out, out
    assert "Traceback" not in out

    fix_project(project)
    _git(project, "add", "-A")
    fixed = _try_repo(project, hook_repo, pre_commit_home)
    out = fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, out
    assert "Passed" in out and "Failed" not in out, out
