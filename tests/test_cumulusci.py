"""The CumulusCI task, built as CumulusCI's own task tests build theirs, run on the fake org.

A TaskConfig with the options, a project config, an OrgConfig double holding an instance URL and
an access token (its token refresh mocked out), HTTP through ``responses`` (the fake org).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from unittest import mock

import pytest

pytest.importorskip(
    "cumulusci", reason="CumulusCI is not installed (pip install 'sfupgrade[cumulusci]')"
)

import copy

from cumulusci.core.config import (
    BaseProjectConfig,
    OrgConfig,
    TaskConfig,
    UniversalConfig,
)
from cumulusci.core.exceptions import CumulusCIFailure, TaskOptionsError
from cumulusci.core.keychain import BaseProjectKeychain

from sfupgrade.cumulusci import UpgradeCtiActions
from tests.fakeorg import TOKEN, URL, FakeOrg
from tests.fakeorg.cti import FLOW as FLOW_OBJECT
from tests.fakeorg.cti import add_cti_objects

FLOW = "Create Callback Task"  # the release's CTI flow

NAME = "AC_CtiScriptSource"
OTHERS = [{"fullName": "voiceContact", "label": "Voice Contact", "default": "false"}]


def make_task(options: dict[str, object]) -> UpgradeCtiActions:
    # As cumulusci.tests.util builds them; that module itself pulls in the bulk data stack.
    universal = UniversalConfig()
    repo = {"owner": "acme", "name": "cti", "url": "https://example.com/cti", "commit": "0" * 40}
    project_config = BaseProjectConfig(universal, copy.deepcopy(universal.config), repo_info=repo)
    project_config.set_keychain(BaseProjectKeychain(project_config, None))
    project_config.config["project"]["package"]["api_version"] = "62.0"
    org_config = OrgConfig(
        {
            "instance_url": URL,
            "id": f"{URL}/id/00D5g000004ABCD/0055g000001XYZA",
            "access_token": TOKEN,
            "org_id": "00D5g000004ABCD",
            "username": "release@acme.com",
        },
        "dev",
        keychain=project_config.keychain,
    )
    org_config.refresh_oauth_token = mock.Mock()
    with mock.patch(
        "cumulusci.core.tasks.BaseSalesforceTask._get_client_name", return_value="ccitests"
    ):
        return UpgradeCtiActions(project_config, TaskConfig({"options": options}), org_config)


@pytest.fixture
def org(fake_org: FakeOrg, monkeypatch: pytest.MonkeyPatch) -> FakeOrg:
    # The task's client is CumulusCI's login, never sfupgrade's environment variables.
    monkeypatch.delenv("SF_ACCESS_TOKEN")
    monkeypatch.delenv("SF_ORG_INSTANCE_URL")
    fake_org.full_name = fake_org.add_value_set(NAME, OTHERS)  # type: ignore[attr-defined]
    add_cti_objects(fake_org)
    return fake_org


def run(task: UpgradeCtiActions, caplog: pytest.LogCaptureFixture) -> str:
    with caplog.at_level(logging.INFO):
        task()
    return "\n".join(r.getMessage() for r in caplog.records)


def test_dry_run_by_default_logs_the_report_and_writes_nothing(org: FakeOrg, caplog) -> None:
    task = make_task({"release": "True"})
    log = run(task, caplog)
    assert org.writes == []
    assert "+        <label>CTI Action</label>" in log  # the value set's diff, in the text report
    assert f"Created  CtiFlow         {FLOW}" in log
    assert task.return_values["exit_code"] == 0
    assert task.return_values["counts"]["Changed"] + task.return_values["counts"]["Created"] >= 1
    assert TOKEN not in log
    soap = [c for c in org.calls if c.operation == "readMetadata"]
    assert soap and all(c.status == 200 for c in soap)


def test_dry_run_false_applies_through_the_tasks_own_client(org: FakeOrg, caplog) -> None:
    task = make_task({"dry_run": "False", "release": "True"})
    run(task, caplog)
    assert org.value_set(org.full_name).values[-1]["fullName"] == "ctiAction"
    assert [r["Name"] for r in org.records(FLOW_OBJECT).values()] == [FLOW]
    assert org.writes and task.return_values["exit_code"] == 0
    again = make_task({"release": "True"})
    run(again, caplog)
    counts = again.return_values["counts"]
    assert counts["Created"] == counts["Changed"] == 0  # the upgrade converged


def test_a_mapping_option_is_used(org: FakeOrg, caplog, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(TaskOptionsError, match=r"nope\.json is not a file"):
        make_task({"mapping": str(missing)})()
    bad = tmp_path / "mapping.json"
    bad.write_text(json.dumps({"flow": {"object": "Nope__c"}}))
    with pytest.raises(TaskOptionsError, match=r"'flow\.fields' must map"):
        make_task({"mapping": str(bad)})()
    assert org.writes == []


def test_an_org_failure_fails_the_task_in_one_line(org: FakeOrg) -> None:
    org.inject("request_limit", on="any", times=10)
    with pytest.raises(CumulusCIFailure, match="REQUEST_LIMIT_EXCEEDED") as info:
        make_task({})()
    assert "\n" not in str(info.value) and TOKEN not in str(info.value)


def test_the_release_content_is_never_deployed_unasked(
    org: FakeOrg, caplog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a repository without CTI content of its own
    task = make_task({"dry_run": "False"})
    run(task, caplog)
    assert org.value_set(org.full_name).values[-1]["fullName"] == "ctiAction"
    assert org.records(FLOW_OBJECT) == {}
