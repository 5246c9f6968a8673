"""Finding the value set: the names users type, the folders searched, the manifest's member."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.core.errors import ProjectError
from sfupgrade.files import project
from sfupgrade.files.project import find_value_set
from tests.helpers import salesforce_value_set

SET = "AC_CtiScriptSource"
VALUES = [("voiceContact", "Voice Contact")]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def sfdx(root: Path, package_dirs=("force-app",), name: str = SET) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    dirs = [{"path": d} for d in package_dirs]
    (root / "sfdx-project.json").write_text(json.dumps({"packageDirectories": dirs}))
    path = (
        root / package_dirs[0] / "main/default/globalValueSets" / f"{name}.globalValueSet-meta.xml"
    )
    path.parent.mkdir(parents=True)
    path.write_text(salesforce_value_set(VALUES, name))
    return path


def mdapi(root: Path, manifest: str) -> Path:
    (root / "package.xml").write_text(manifest)
    path = root / "globalValueSets" / f"{SET}.globalValueSet"
    path.parent.mkdir(parents=True)
    path.write_text(salesforce_value_set(VALUES))
    return path


def test_a_misspelt_name_gets_a_did_you_mean(tmp_path: Path) -> None:
    sfdx(tmp_path)
    result = run("picklist", "add", "--dry-run", str(tmp_path), "--value-set", "AC_CtiScriptSorce")
    assert result.exit_code == 2
    assert "did you mean --value-set AC_CtiScriptSource?" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_namespace_given_twice_is_the_same_name(tmp_path: Path) -> None:
    sfdx(tmp_path, name=f"amazonconnect__{SET}")
    args = ["--namespace", "amazonconnect", "--value-set", f"amazonconnect__{SET}"]
    result = run("picklist", "add", "--dry-run", str(tmp_path), *args)
    assert result.exit_code == 0, result.output
    assert "+        <fullName>ctiAction</fullName>" in result.stdout


def test_the_search_follows_package_directories_only(tmp_path: Path) -> None:
    wanted = sfdx(tmp_path, package_dirs=("src", "other"))
    stray = tmp_path / "unpackaged/globalValueSets" / f"{SET}.globalValueSet-meta.xml"
    stray.parent.mkdir(parents=True)
    stray.write_text(salesforce_value_set(VALUES))
    (tmp_path / "other").mkdir()
    assert find_value_set(tmp_path, SET) == wanted


@pytest.mark.parametrize("folder", [".sf", ".git", "node_modules", "venv-py", "site-packages"])
def test_hidden_folders_dependencies_and_virtual_environments_are_never_entered(
    tmp_path: Path, folder: str
) -> None:
    wanted = tmp_path / "metadata/globalValueSets" / f"{SET}.globalValueSet-meta.xml"
    wanted.parent.mkdir(parents=True)
    wanted.write_text(salesforce_value_set(VALUES))
    other = tmp_path / folder / "lib/globalValueSets" / f"{SET}.globalValueSet-meta.xml"
    other.parent.mkdir(parents=True)
    other.write_text(salesforce_value_set(VALUES))
    (tmp_path / folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert find_value_set(tmp_path, SET) == wanted


def test_without_a_project_the_search_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path.joinpath(*[f"d{i}" for i in range(12)], "globalValueSets")
    deep.mkdir(parents=True)
    (deep / f"{SET}.globalValueSet-meta.xml").write_text(salesforce_value_set(VALUES))
    with pytest.raises(ProjectError, match="not found"):
        find_value_set(tmp_path, SET)  # deeper than MAX_DEPTH: not searched
    monkeypatch.setattr(project, "MAX_DIRECTORIES", 5)
    for i in range(10):
        (tmp_path / f"wide{i}").mkdir()
    with pytest.raises(ProjectError, match="pass the project's PATH"):
        find_value_set(tmp_path, SET)


@pytest.mark.parametrize("given", ["sfdx-project.json", "package.xml"])
def test_project_files_are_accepted_as_path(tmp_path: Path, given: str) -> None:
    if given == "sfdx-project.json":
        wanted = sfdx(tmp_path)
    else:
        wanted = mdapi(tmp_path, "<Package xmlns='http://soap.sforce.com/2006/04/metadata'/>")
    assert find_value_set(tmp_path / given, SET) == wanted
    assert run("picklist", "add", "--dry-run", str(tmp_path / given)).exit_code == 0


MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types>
        <members>Account</members>
        <name>CustomObject</name>
    </types>
    <version>62.0</version>
</Package>
"""


def test_a_manifest_without_the_member_is_reported_and_fixed(tmp_path: Path) -> None:
    mdapi(tmp_path, MANIFEST)
    manifest = tmp_path / "package.xml"
    result = run("upgrade", "--dry-run", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "+        <members>AC_CtiScriptSource</members>" in result.stdout
    assert (
        "add <members>AC_CtiScriptSource</members> under <name>GlobalValueSet</name>"
        in result.stdout
    )
    assert manifest.read_text() == MANIFEST
    result = run("upgrade", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert manifest.read_text() == MANIFEST.replace(
        "    <version>",
        "    <types>\n        <members>AC_CtiScriptSource</members>\n"
        "        <name>GlobalValueSet</name>\n    </types>\n    <version>",
    )
    again = run("upgrade", "--dry-run", "--detailed-exitcode", str(tmp_path))
    assert again.exit_code == 0, again.output  # nothing left: the member is there now


def test_a_manifest_listing_the_member_or_a_wildcard_is_left_alone(tmp_path: Path) -> None:
    listed = MANIFEST.replace("<members>Account</members>", "<members>*</members>").replace(
        "CustomObject", "GlobalValueSet"
    )
    mdapi(tmp_path, listed)
    run("upgrade", str(tmp_path))
    assert (tmp_path / "package.xml").read_text() == listed


def test_picklist_add_takes_the_report_options(tmp_path: Path) -> None:
    sfdx(tmp_path)
    report = tmp_path / "plan.md"
    result = run(
        "picklist", "add", "--dry-run", str(tmp_path), "--json", f"--report=markdown={report}"
    )
    body = json.loads(result.stdout)
    assert body["status"] == 0 and body["result"]["summary"]["changed"] == 1
    assert "GlobalValueSet" in report.read_text()
    assert run("picklist", "add", "--dry-run", "--detailed-exitcode", str(tmp_path)).exit_code == 3
