"""A file-target run killed while writing: after staging, before or between the renames.

The original is intact (or, for a group, each file is old or new, never half), no temporary
file is left beside it, and a rerun completes the upgrade.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfupgrade.cli import cli
from sfupgrade.files import atomic
from sfupgrade.files.atomic import write_files
from sfupgrade.files.resources import example_project_dir, release_dir
from sfupgrade.model.writes import FileWrite
from tests.fakeorg import Crash

VS = "force-app/main/default/globalValueSets/AC_CtiScriptSource.globalValueSet-meta.xml"
RELEASED = release_dir() / "globalValueSets" / "AC_CtiScriptSource.globalValueSet-meta.xml"


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def dies_on_call(number: int, real: Callable[..., None]) -> Callable[..., None]:
    """``real``, except that call ``number`` (from 1) kills the process instead."""
    calls = 0

    def wrapper(*args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == number:
            raise Crash("killed")
        real(*args)

    return wrapper


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    shutil.copytree(example_project_dir(), root)
    return root


@pytest.mark.parametrize("where", ["os.replace", "_fsync_dir", "os.fsync"])
def test_upgrade_killed_while_writing_then_rerun(
    project: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    before = snapshot(project)
    if where == "os.replace":  # staged and checked, killed before the rename
        monkeypatch.setattr(atomic.os, "replace", dies_on_call(1, os.replace))
    elif where == "os.fsync":  # killed while making the staged copy durable
        monkeypatch.setattr(atomic.os, "fsync", dies_on_call(1, os.fsync))
    else:  # renamed, killed before the directory was synced
        monkeypatch.setattr(atomic, "_fsync_dir", dies_on_call(1, atomic._fsync_dir))
    with pytest.raises(Crash):
        CliRunner().invoke(cli, ["upgrade", str(project)])
    monkeypatch.undo()
    after = snapshot(project)
    assert sorted(after) == sorted(before)  # no temporary file left behind
    renamed = where == "_fsync_dir"
    assert after[VS] == (RELEASED.read_bytes() if renamed else before[VS])
    assert {k: v for k, v in after.items() if k != VS} == {
        k: v for k, v in before.items() if k != VS
    }
    rerun = CliRunner().invoke(cli, ["upgrade", str(project)])
    assert rerun.exit_code == 0, rerun.output
    assert (project / VS).read_bytes() == RELEASED.read_bytes()
    assert sorted(snapshot(project)) == sorted(before)


def test_a_group_killed_between_renames_leaves_each_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [tmp_path / name for name in ("a.xml", "b.xml", "c.xml")]
    for path in files:
        path.write_bytes(b"old " + path.name.encode())
    writes = [FileWrite(p, p.read_bytes(), b"new " + p.name.encode()) for p in files]
    monkeypatch.setattr(atomic.os, "replace", dies_on_call(2, os.replace))
    with pytest.raises(Crash):
        write_files(writes)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xml", "b.xml", "c.xml"]
    assert [p.read_bytes() for p in files] == [b"new a.xml", b"old b.xml", b"old c.xml"]
    # A rerun plans from what is on disk now: what is done stays, the rest is written.
    again = [FileWrite(p, p.read_bytes(), b"new " + p.name.encode()) for p in files[1:]]
    write_files(again)
    assert [p.read_bytes() for p in files] == [b"new a.xml", b"new b.xml", b"new c.xml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xml", "b.xml", "c.xml"]
