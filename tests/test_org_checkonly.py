"""--check-only: Salesforce validates the merged set in a check-only deploy; nothing is saved."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.org import checkonly
from tests.fakeorg import URL, FakeOrg
from tests.fakeorg.cti import add_cti_objects
from tests.helpers import shared_fixture

NAME = "AC_CtiScriptSource"
VALUES = [{"fullName": "voiceContact", "label": "Voice Contact", "color": "#FF0000"}]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_check_only_validates_the_whole_set_and_saves_nothing(fake_org: FakeOrg) -> None:
    fake_org.add_value_set(NAME, VALUES)
    fake_org.metadata.deploy_polls = 2
    result = run("picklist", "add", "--instance-url", URL, "--check-only")
    assert result.exit_code == 0, result.output
    assert "+        <label>CTI Action</label>" in result.stdout
    assert "Validated by the org: add value ctiAction" in result.stderr
    assert "check-only deploy 0Af000000000000000; nothing saved" in result.stderr
    assert fake_org.value_set(NAME).values == [{"default": "false", **VALUES[0]}]
    assert fake_org.writes == [] and fake_org.count("checkDeployStatus") == 3
    with zipfile.ZipFile(io.BytesIO(fake_org.metadata.deployed_zips[0])) as archive:
        sent = archive.read(f"globalValueSets/{NAME}.globalValueSet").decode()
        manifest = archive.read("package.xml").decode()
    assert "<color>#FF0000</color>" in sent and "<fullName>ctiAction</fullName>" in sent
    assert f"<members>{NAME}</members>" in manifest and "<version>62.0</version>" in manifest


def test_a_rejected_validation_is_one_line_exit_1(fake_org: FakeOrg) -> None:
    fake_org.add_value_set(NAME, VALUES)
    add_cti_objects(fake_org)
    fake_org.metadata.deploy_problem = "Picklist value: ctiAction is too long"
    result = run("upgrade", "--instance-url", URL, "--check-only")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: acme.my.salesforce.com: check-only deploy 0Af000000000000000 of "
        f"{NAME} Failed: {NAME}: Picklist value: ctiAction is too long; nothing was saved\n"
    )
    assert fake_org.writes == []


def test_upgrade_check_only_reports_the_plan_unapplied(fake_org: FakeOrg) -> None:
    fake_org.add_value_set(NAME, VALUES)
    add_cti_objects(fake_org)
    result = run("upgrade", "--instance-url", URL, "--check-only", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["result"]
    assert report["dryRun"] is True and report["applied"] is False
    assert report["components"][0]["state"] == "Changed"
    assert fake_org.writes == []


def test_a_poll_that_runs_out_never_resubmits(fake_org: FakeOrg, monkeypatch) -> None:
    fake_org.add_value_set(NAME, VALUES)
    fake_org.metadata.deploy_polls = 1000
    monkeypatch.setattr(checkonly, "POLL_LIMIT", 5.0)
    result = run("picklist", "add", "--instance-url", URL, "--check-only")
    assert result.exit_code == 1
    assert "sf project deploy report --job-id 0Af000000000000000" in result.stderr
    assert fake_org.count("deploy") == 1


def test_check_only_needs_an_org(tmp_path) -> None:
    result = run("upgrade", "--check-only", "--dry-run")
    assert result.exit_code == 2 and "--check-only validates in an org" in result.stderr


def test_old_style_failure_messages_are_read() -> None:
    from lxml import etree

    path = shared_fixture("api", "ejholmes__metaforce__check_deploy_status__error.xml")
    root = etree.parse(str(path)).getroot()
    result = root.find(".//{http://soap.sforce.com/2006/04/metadata}result")
    assert checkonly._problems(result) == ["package.xml: No package.xml found"]


@pytest.mark.parametrize("sandbox", [False, True])
def test_check_only_works_in_production_and_in_a_sandbox(fake_org: FakeOrg, sandbox: bool) -> None:
    """Issue 12, fix 2: production refuses testLevel NoTestRun; without one the org chooses."""
    fake_org.add_value_set(NAME, VALUES)
    fake_org.metadata.sandbox = sandbox
    result = run("picklist", "add", "--instance-url", URL, "--check-only")
    assert result.exit_code == 0, result.output
    body = next(c.body for c in fake_org.calls if c.operation == "deploy")
    assert b"<testLevel>" not in body and b"<checkOnly>true</checkOnly>" in body


def test_the_fake_production_org_refuses_no_test_run(fake_org: FakeOrg) -> None:
    from tests.test_org_fakeorg import soap

    options = "<DeployOptions><checkOnly>true</checkOnly><testLevel>NoTestRun</testLevel>"
    answer = soap("deploy", f"<ZipFile></ZipFile>{options}</DeployOptions>")
    assert answer.status_code == 500
    assert (
        b"INVALID_OPERATION: testLevel of NoTestRun cannot be used in production organizations"
        in answer.content
    )
