"""Hostile inputs outside the CTI content: the value-set file, the package.xml beside it and a
JWT key file are read through the one bounded reader, so a FIFO, a device or an oversized file
is one clear line and exit 2, with no file changed and nothing blocked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sfupgrade.files.jsonio import MAX_BYTES

REPO = Path(__file__).resolve().parents[1]
VALUE_SET = "AC_CtiScriptSource.globalValueSet-meta.xml"
MDAPI_VALUE_SET = "AC_CtiScriptSource.globalValueSet"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """In a process of its own, so a blocking open() fails the test instead of the suite."""
    return subprocess.run(
        [sys.executable, "-m", "sfupgrade", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


def refused(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def dx_value_set(root: Path) -> Path:
    folder = root / "force-app" / "main" / "default" / "globalValueSets"
    folder.mkdir(parents=True)
    (root / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app"}]}')
    return folder / VALUE_SET


@needs_fifo
def test_a_fifo_as_the_value_set_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(dx_value_set(tmp_path))
    refused(run(tmp_path, "picklist", "add", "--dry-run", "."), VALUE_SET, "not a regular file")


def test_a_device_as_the_value_set_is_refused_before_reading(tmp_path: Path) -> None:
    dx_value_set(tmp_path).symlink_to("/dev/zero")
    refused(run(tmp_path, "picklist", "add", "--dry-run", "."), VALUE_SET, "(a device)")
    # upgrade reports it among the plan's findings (one run names every error), exit 1.
    result = run(tmp_path, "upgrade", "--dry-run", ".")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "not a regular file (a device)" in result.stdout


def test_an_oversized_value_set_is_refused_unread(tmp_path: Path) -> None:
    path = dx_value_set(tmp_path)
    with path.open("wb") as file:  # sparse: the size without the disk space
        file.truncate(MAX_BYTES + 1)
    refused(run(tmp_path, "picklist", "add", "."), "larger than 64 MiB")
    assert path.stat().st_size == MAX_BYTES + 1


@needs_fifo
def test_a_fifo_as_the_manifest_is_refused_and_the_value_set_kept(tmp_path: Path) -> None:
    source = REPO / "metadata" / "globalValueSets" / VALUE_SET
    folder = tmp_path / "globalValueSets"
    folder.mkdir()
    (folder / MDAPI_VALUE_SET).write_bytes(
        source.read_bytes().replace(b"<fullName>ctiAction</fullName>", b"<fullName>x</fullName>")
    )
    before = (folder / MDAPI_VALUE_SET).read_bytes()
    os.mkfifo(tmp_path / "package.xml")
    refused(run(tmp_path, "picklist", "add", "."), "package.xml", "not a regular file")
    assert (folder / MDAPI_VALUE_SET).read_bytes() == before


@needs_fifo
def test_a_fifo_as_the_jwt_key_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "server.key")
    result = run(
        tmp_path,
        "picklist",
        "add",
        "--client-id",
        "C",
        "--jwt-key-file",
        "server.key",
        "--username",
        "u@x",
    )
    refused(result, "server.key", "not a regular file")


@pytest.mark.parametrize(
    ("option", "text", "code"),
    [("--label", "CTI \ufffe", "U+FFFE"), ("--value", "a\x01", "U+0001")],
)
def test_a_value_xml_cannot_hold_is_refused_by_option(tmp_path: Path, option, text, code) -> None:
    path = dx_value_set(tmp_path)
    source = REPO / "metadata" / "globalValueSets" / VALUE_SET
    path.write_bytes(source.read_bytes())
    refused(run(tmp_path, "picklist", "add", option, text, "."), option, code, "remove it")
    assert path.read_bytes() == source.read_bytes()
