"""Hostile CTI files: each gives one clear line naming the file, exit 2, no traceback, files
byte-identical afterwards, in bounded time. Large and deep inputs are generated here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfupgrade.cli import cli
from sfupgrade.files.jsonio import MAX_BYTES, MAX_DEPTH

REPO = Path(__file__).resolve().parents[1]
START = {"id": "s", "type": "SE_Start"}


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and p.stat().st_size < 10_000_000
    }


def validate_process(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """In a process of its own, so a hang fails the test instead of blocking the suite."""
    return subprocess.run(
        [sys.executable, "-m", "sfupgrade", "validate", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )


def refused(result, *needles: str) -> str:
    """The run failed with exit 2 and one line on stderr holding every needle."""
    stderr = result.stderr
    assert result.returncode == 2, (result.returncode, stderr[-2000:])
    assert "Traceback" not in stderr and result.stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("Error: "), stderr[-2000:]
    for needle in needles:
        assert needle in stderr, stderr
    return stderr


def flows_dir(root: Path) -> Path:
    folder = root / "ctiFlows"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("depth", [MAX_DEPTH + 50, 100_000])
def test_deep_nesting_is_refused_with_its_line_and_column(tmp_path, depth):
    path = flows_dir(tmp_path) / "deep.json"
    path.write_text(
        '{"actions": [{"id": "s", "type": "SE_Start", "controls": {"x": '
        + "[" * depth
        + "]" * depth
        + "}}]}"
    )
    before = snapshot(tmp_path)
    started = time.monotonic()
    result = validate_process(tmp_path)
    line = refused(result, str(path), f"nested deeper than {MAX_DEPTH} levels")
    if depth > 1000:  # past the parser's own limit: the position where the limit is passed
        assert f"{path}:1:" in line
    assert time.monotonic() - started < 30
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_json_is_refused_without_blocking(tmp_path):
    os.mkfifo(flows_dir(tmp_path) / "pipe.json")
    refused(validate_process(tmp_path, timeout=30), "pipe.json", "not a regular file (a FIFO)")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_link_to_a_device_is_refused_before_reading(tmp_path):
    (flows_dir(tmp_path) / "zero.json").symlink_to("/dev/zero")
    refused(validate_process(tmp_path, timeout=30), "zero.json", "not a regular file (a device)")


def test_a_file_above_the_size_limit_is_refused_unread(tmp_path):
    path = flows_dir(tmp_path) / "huge.json"
    with path.open("wb") as file:  # sparse: the size without the disk space
        file.truncate(MAX_BYTES + 1)
    refused(validate_process(tmp_path, timeout=30), str(path), "larger than 64 MiB")
    assert path.stat().st_size == MAX_BYTES + 1


@pytest.mark.parametrize(
    ("definition", "needle"),
    [
        ("flow\u0000.json", "holds a NUL character"),
        ("../../../../../../../../etc/passwd", "points outside"),
        ("/etc/passwd", "points outside"),
    ],
)
def test_a_record_naming_a_file_it_may_not_is_refused_by_name(tmp_path, definition, needle):
    folder = flows_dir(tmp_path / "project")
    (folder / "flow.json").write_text(json.dumps({"actions": [START]}))
    record = folder / "F.ctiFlow.json"
    record.write_text(json.dumps({"name": "F", "source": "ctiAction", "definition": definition}))
    before = snapshot(tmp_path)
    line = refused(validate_process(tmp_path / "project"), str(record), needle)
    assert "passwd:" not in line  # the user is never told to fix /etc/passwd
    assert snapshot(tmp_path) == before


def test_a_huge_value_is_quoted_briefly_in_findings(tmp_path):
    huge = "$" + "x" * (1024 * 1024)
    blocks = [dict(START, controls={"text": huge}, ports={"done": huge[1:]})]
    (flows_dir(tmp_path) / "F.json").write_text(json.dumps({"actions": blocks}))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["result"]["findings"]
    assert {f["code"] for f in findings} == {"cti-malformed-reference", "cti-dangling-port"}
    for finding in findings:
        assert len(finding["message"]) < 1000, finding["message"][:300]
        assert "… (1,048,57" in finding["message"]
    assert len(result.stdout) < 20_000
    text = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert len(text.stdout) < 20_000
