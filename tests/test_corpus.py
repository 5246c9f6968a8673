"""The hostile and broken input corpus: one clear line, the right exit code, the file untouched.

Each file in ``tests/corpus/valuesets`` is put in a project as its AC_CtiScriptSource value set;
``expected.json`` gives the exit code and a piece of the message. Files named ``ok-*`` are
unusual but valid, and must be upgraded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfupgrade.cli import cli

CORPUS = Path(__file__).parent / "corpus" / "valuesets"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())


def test_the_manifest_names_every_file() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.suffix == ".xml"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(tmp_path: Path, name: str) -> None:
    expected = EXPECTED[name]
    folder = tmp_path / "globalValueSets"
    folder.mkdir()
    target = folder / "AC_CtiScriptSource.globalValueSet-meta.xml"
    original = (CORPUS / name).read_bytes()
    target.write_bytes(original)
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    result = CliRunner().invoke(cli, ["picklist", "add", str(tmp_path)])
    assert result.exit_code == expected["exit"], result.output
    assert "Traceback" not in result.output
    assert "root:x:0:0" not in result.output  # nothing read from /etc/passwd
    if expected["exit"] == 0:
        assert expected["message"] in result.stdout
        assert b"<fullName>ctiAction</fullName>" in target.read_bytes()
        return
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert expected["message"] in result.stderr
    assert target.read_bytes() == original
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert [p.name for p in folder.iterdir()] == [target.name]
