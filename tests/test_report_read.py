"""The first line of every report names what the run read: project, value set, CTI content.

A clean report of the wrong project (or of the bundled example) looks just like success; the
headline of the text and Markdown reports and a field of the JSON, JUnit and SARIF reports say
which project, which value set file (or the set's full name in the org) and which CTI content
folders (or "no CTI content") the run read.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from sfupgrade.cli import cli
from tests.ci_project import DEFAULT, VALUE_SET, broken_project, fix_project
from tests.fakeorg import URL
from tests.fakeorg.cti import add_cti_objects

FLOWS = (DEFAULT / "ctiFlows").as_posix()
ACTIONS = (DEFAULT / "ctiActions").as_posix()
ORG = f"org:{urlsplit(URL).hostname}"  # how reports name the fake org
FORMATS = ("markdown", "json", "junit", "sarif")


def run(*args: str, cwd: Path) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        return CliRunner().invoke(cli, list(args))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "cti-org"
    broken_project(root)
    fix_project(root)
    return root


def _reports(result: Result, folder: Path) -> dict[str, str]:
    reports = {fmt: (folder / f"report.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS}
    return {"text": result.stdout, **reports}


def _with_reports(*args: str) -> list[str]:
    return [*args, *(a for fmt in FORMATS for a in ("--report", f"{fmt}=report.{fmt}"))]


def _read_everywhere(reports: dict[str, str]) -> str:
    """The read line, checked to be the same in every format; returned once."""
    line = json.loads(reports["json"])["result"]["read"]["text"]
    assert reports["text"].splitlines()[0].endswith(f" (read: {line})")
    markdown_head = reports["markdown"].splitlines()[0]
    assert markdown_head.startswith("### sfupgrade: ") and markdown_head.endswith(")")
    assert "(read: " in markdown_head
    sarif = json.loads(reports["sarif"])["runs"][0]["properties"]["read"]
    assert sarif == json.loads(reports["json"])["result"]["read"]
    junit = etree.fromstring(reports["junit"].encode("utf-8"))
    properties = junit.findall("testsuite/properties/property[@name='read']")
    assert properties and {p.get("value") for p in properties} == {line}
    return line


def test_upgrade_names_the_project_its_value_set_file_and_its_content_folders(
    project: Path,
) -> None:
    result = run(*_with_reports("upgrade", "--dry-run"), cwd=project)
    assert result.exit_code == 0, result.output
    line = _read_everywhere(_reports(result, project))
    assert line == f"project .; value set {VALUE_SET.as_posix()}; CTI content {FLOWS}, {ACTIONS}"
    read = json.loads((project / "report.json").read_text())["result"]["read"]
    assert read["projects"] == ["."] and read["org"] is None
    assert read["valueSets"] == [VALUE_SET.as_posix()] and read["content"] == [FLOWS, ACTIONS]


def test_validate_names_what_it_read_and_says_when_there_is_no_cti_content(
    project: Path,
) -> None:
    result = run(*_with_reports("validate"), cwd=project)
    assert result.exit_code == 0, result.output
    line = _read_everywhere(_reports(result, project))
    assert line == f"project .; value set {VALUE_SET.as_posix()}; CTI content {FLOWS}, {ACTIONS}"

    for folder in (FLOWS, ACTIONS):
        shutil.rmtree(project / folder)
    (project / VALUE_SET).unlink()
    result = run(*_with_reports("validate", "."), cwd=project)
    assert result.exit_code == 0, result.output
    assert _read_everywhere(_reports(result, project)) == (
        "project .; no value set file; no CTI content"
    )


def test_a_project_given_by_path_is_named_as_given(project: Path) -> None:
    result = run("upgrade", "--dry-run", "cti-org", "--format", "json", cwd=project.parent)
    assert result.exit_code == 0, result.output
    read = json.loads(result.stdout)["result"]["read"]
    assert read["projects"] == ["cti-org"]
    assert read["valueSets"] == [f"cti-org/{VALUE_SET.as_posix()}"]
    assert read["content"] == [f"cti-org/{FLOWS}", f"cti-org/{ACTIONS}"]


def test_the_bundled_example_is_named_so_nobody_mistakes_it_for_their_project(
    tmp_path: Path,
) -> None:
    result = run("upgrade", "--dry-run", "--example", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert "pre-release-org" in first and "metadata/ctiFlows" in first, first


def test_picklist_add_names_the_value_set_file_and_reads_no_cti_content(project: Path) -> None:
    result = run("picklist", "add", "--dry-run", "--format", "markdown", cwd=project)
    assert result.exit_code == 0, result.output
    head = result.stdout.splitlines()[0]
    assert head.startswith("### sfupgrade: Dry run for ")
    assert "(read: project .; value set force-app/" in head and "CTI content" not in head


def test_an_org_run_names_the_org_and_the_value_set_s_full_name(fake_org, project: Path) -> None:
    add_cti_objects(fake_org)
    full_name = fake_org.add_value_set("AC_CtiScriptSource", [{"fullName": "x", "label": "X"}])
    result = run("upgrade", "--dry-run", "--format", "json", cwd=project)
    assert result.exit_code == 0, result.output
    read = json.loads(result.stdout)["result"]["read"]
    assert read["projects"] == [] and read["org"] == ORG
    assert read["valueSets"] == [full_name]
    assert read["content"] == [FLOWS, ACTIONS]
    assert read["text"] == f"{ORG}; value set {full_name}; CTI content {FLOWS}, {ACTIONS}"


def test_deploy_names_the_org_and_the_content_it_read(fake_org, project: Path) -> None:
    add_cti_objects(fake_org)
    result = run("deploy", "--dry-run", cwd=project)
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.endswith(f" (read: project .; {ORG}; CTI content {FLOWS}, {ACTIONS})"), first
