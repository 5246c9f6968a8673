"""`sfupgrade picklist add` end to end, through Click's runner, on projects made in tmp dirs."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfupgrade.cli import cli
from tests.helpers import salesforce_value_set

VS = "force-app/main/default/globalValueSets/AC_CtiScriptSource.globalValueSet-meta.xml"
BEFORE = [("voiceContact", "Voice Contact"), ("chatContact", "Chat Contact")]


def make_source_project(root: Path, values=BEFORE, name: str = "AC_CtiScriptSource") -> Path:
    (root / "sfdx-project.json").write_text(
        json.dumps({"packageDirectories": [{"path": "force-app"}], "sourceApiVersion": "62.0"})
    )
    path = root / VS.replace("AC_CtiScriptSource", name)
    path.parent.mkdir(parents=True)
    path.write_text(salesforce_value_set(values))
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_adds_the_value_then_is_idempotent(tmp_path: Path) -> None:
    path = make_source_project(tmp_path)
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "add value ctiAction" in result.output
    after_first = path.read_bytes()
    assert after_first.decode() == salesforce_value_set([*BEFORE, ("ctiAction", "CTI Action")])
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 0
    assert "up to date" in result.output
    assert path.read_bytes() == after_first


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    path = make_source_project(tmp_path)
    before = path.read_bytes()
    stat_before = path.stat()
    result = run("picklist", "add", "--dry-run", "--detailed-exitcode", str(tmp_path))
    assert result.exit_code == 3
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stat_before.st_mtime_ns
    added = [
        line for line in result.stdout.splitlines() if line.startswith("+") and "+++" not in line
    ]
    assert added == [
        "+    <customValue>",
        "+        <fullName>ctiAction</fullName>",
        "+        <default>false</default>",
        "+        <label>CTI Action</label>",
        "+    </customValue>",
    ]
    assert "dry run" in result.stderr


def test_fixes_a_wrong_label_and_an_inactive_value(tmp_path: Path) -> None:
    path = make_source_project(tmp_path, [*BEFORE, ("ctiAction", "Cti action")])
    text = path.read_text().replace(
        "<label>Cti action</label>", "<isActive>false</isActive>\n        <label>Cti action</label>"
    )
    path.write_text(text)
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "relabel ctiAction from 'Cti action' to 'CTI Action' and reactivate" in result.output
    assert path.read_text() == text.replace("Cti action", "CTI Action").replace(
        "<isActive>false", "<isActive>true"
    )


def test_mdapi_layout_namespaced_name_and_custom_value(tmp_path: Path) -> None:
    (tmp_path / "package.xml").write_text("<Package/>")
    folder = tmp_path / "globalValueSets"
    folder.mkdir()
    path = folder / "amazonconnect__AC_CtiScriptSource.globalValueSet"
    path.write_text(salesforce_value_set(BEFORE))
    result = run("picklist", "add", str(tmp_path), "--value", "gold", "--label", "Gold")
    assert result.exit_code == 0, result.output
    assert "<fullName>gold</fullName>" in path.read_text()


def test_value_set_not_found_says_where_it_looked(tmp_path: Path) -> None:
    make_source_project(tmp_path, name="Other")
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: value set AC_CtiScriptSource not found")
    assert str(tmp_path / "force-app") in result.stderr
    assert "Traceback" not in result.output


def test_several_candidates_are_ambiguous(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "AC_CtiScriptSource.globalValueSet-meta.xml").write_text(
            salesforce_value_set(BEFORE)
        )
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 2
    assert "found in 2 places" in result.stderr


HOSTILE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<GlobalValueSet xmlns="http://soap.sforce.com/2006/04/metadata"><customValue>
<fullName>&xxe;</fullName><default>false</default></customValue>
<masterLabel>x</masterLabel><sorted>false</sorted></GlobalValueSet>
"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HOSTILE, "DOCTYPE"),
        ("<GlobalValueSet", "malformed XML"),
        (salesforce_value_set([("a", "A"), ("a", "B")]), "duplicate fullName 'a'"),
        (salesforce_value_set([(f"v{i}", f"V{i}") for i in range(1000)]), "limit of 1000"),
        (salesforce_value_set([("x" * 256, "long")]), "256 characters"),
        (salesforce_value_set(BEFORE).replace("GlobalValueSet", "CustomField"), "<CustomField>"),
        (
            salesforce_value_set(BEFORE).replace("2006/04/metadata", "2006/04/other"),
            "expected xmlns",
        ),
        (salesforce_value_set([(f"v{i}", f"V{i}") for i in range(1001)]), "1001 values exceed"),
    ],
    ids=["xxe", "truncated", "dup", "full", "too-long", "wrong-root", "wrong-ns", "over-full"],
)
def test_bad_files_give_one_line_and_stay_untouched(
    tmp_path: Path, content: str, message: str
) -> None:
    path = make_source_project(tmp_path)
    path.write_text(content)
    before = path.read_bytes()
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "root:" not in result.output  # nothing from /etc/passwd
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = make_source_project(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"Voice Contact", b"Voix \xe9"))
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 2
    assert "UTF-8" in result.stderr


def test_symlinked_file_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    path = make_source_project(tmp_path)
    real = tmp_path / "real.xml"
    path.rename(real)
    path.symlink_to(real)
    result = run("picklist", "add", str(path))
    assert result.exit_code == 0, result.output
    assert path.is_symlink()
    assert "ctiAction" in real.read_text()


def test_read_only_file_is_refused_and_mode_is_kept_otherwise(tmp_path: Path) -> None:
    path = make_source_project(tmp_path)
    before = path.read_bytes()
    path.chmod(0o444)
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert path.read_bytes() == before
    path.chmod(0o640)
    assert run("picklist", "add", str(tmp_path)).exit_code == 0
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)


def test_file_changed_by_someone_else_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_source_project(tmp_path)
    from sfupgrade.files import atomic

    real_stage = atomic._stage

    def stage_then_edit(write):
        temp = real_stage(write)
        path.write_text(path.read_text().replace("Voice Contact", "Voice (edited)"))
        return temp

    monkeypatch.setattr(atomic, "_stage", stage_then_edit)
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 1
    assert "changed on disk since it was read" in result.stderr
    assert "Voice (edited)" in path.read_text() and "ctiAction" not in path.read_text()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_disk_full_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_source_project(tmp_path)
    before = path.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "original is unchanged" in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_file_path_must_hold_the_value_set_asked_for(tmp_path: Path) -> None:
    path = make_source_project(tmp_path, name="Other_Set")
    before = path.read_bytes()
    result = run("picklist", "add", str(path))
    assert result.exit_code == 2
    assert "holds value set Other_Set, not AC_CtiScriptSource" in result.stderr
    assert path.read_bytes() == before
    result = run("picklist", "add", str(path), "--value-set", "Other_Set")
    assert result.exit_code == 0, result.output
    assert "ctiAction" in path.read_text()


def test_plain_and_namespaced_sets_side_by_side_are_ambiguous(tmp_path: Path) -> None:
    for name in ("AC_CtiScriptSource", "amazonconnect__AC_CtiScriptSource"):
        (tmp_path / f"{name}.globalValueSet-meta.xml").write_text(salesforce_value_set(BEFORE))
    result = run("picklist", "add", str(tmp_path))
    assert result.exit_code == 2
    assert "found in 2 places" in result.stderr and "--namespace" in result.stderr
    result = run("picklist", "add", str(tmp_path), "--namespace", "amazonconnect")
    assert result.exit_code == 0, result.output
    assert (
        "ctiAction"
        in (tmp_path / "amazonconnect__AC_CtiScriptSource.globalValueSet-meta.xml").read_text()
    )
