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


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if EXPECTED[n]["exit"] != 0))
@pytest.mark.parametrize("command", [["validate"], ["upgrade", "--dry-run"]])
def test_a_broken_corpus_file_is_a_finding_of_validate_and_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, command: list[str]
) -> None:
    """In a project the broken file is one valueset-invalid error next to any other finding
    (exit 1, the file untouched), so a CI run names it with the CTI content's errors."""
    (tmp_path / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app"}]}')
    folder = tmp_path / "force-app" / "globalValueSets"
    folder.mkdir(parents=True)
    target = folder / "AC_CtiScriptSource.globalValueSet-meta.xml"
    original = (CORPUS / name).read_bytes()
    target.write_bytes(original)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*command, "--json"])
    if name == "thousand-values.xml" and command == ["validate"]:
        assert result.exit_code == 0, result.output  # a valid, full set: only adding fails
        return
    assert result.exit_code == 1, result.output
    assert "root:x:0:0" not in result.output
    (finding,) = json.loads(result.stdout)["result"]["findings"]
    assert finding["code"] == "valueset-invalid" and finding["severity"] == "error"
    assert finding["location"]["file"] == "force-app/globalValueSets/" + target.name
    assert EXPECTED[name]["message"] in finding["message"]
    assert target.read_bytes() == original
