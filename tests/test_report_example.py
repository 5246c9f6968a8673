"""On the bundled example, every report's diff is exactly what the real run writes.

The reports are rendered from the real planner's plan for a copy of the example project, then the
plan is applied; the diff between the files before and after must be the one each report showed.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from sfupgrade.files.resources import example_project_dir
from sfupgrade.jobs.upgrade import UpgradeRequest, apply_upgrade, plan_upgrade
from sfupgrade.report import render


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "org"
    shutil.copytree(example_project_dir(), copy)
    monkeypatch.chdir(tmp_path)  # report paths are relative to the working directory
    return Path("org")


def _files(root: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def test_reported_diff_is_exactly_what_applying_writes(project: Path) -> None:
    request = UpgradeRequest(project=project)
    plan = plan_upgrade(request)
    before = _files(project)
    reports = {fmt: render(plan, fmt) for fmt in ("text", "json", "markdown")}
    apply_upgrade(plan, request)
    after = _files(project)
    assert before.keys() == after.keys()
    written = "".join(
        "".join(
            difflib.unified_diff(
                before[p].splitlines(keepends=True),
                after[p].splitlines(keepends=True),
                fromfile=f"a/{p}",
                tofile=f"b/{p}",
            )
        )
        for p in before
    )
    assert "+        <fullName>ctiAction</fullName>\n" in written
    components = json.loads(reports["json"])["result"]["components"]
    assert "".join(c["diff"] or "" for c in components) == written
    assert written in reports["text"]
    assert written.rstrip("\n") in reports["markdown"]
    assert plan_upgrade(request).pending == []
