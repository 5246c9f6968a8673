"""--json on every command: pull, mapping discover and flow add as the plan commands do it.

Success is sf's envelope (``status``, ``result``, ``warnings``) alone on stdout, ``status`` the
exit code; a failure (usage, bad input, the org refusing, a conflict) is sf's error envelope
alone on stdout, checked with the same helper as the plan commands' (test_cli_conventions).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.files.resources import release_dir
from tests.fakeorg import URL, FakeOrg
from tests.fakeorg.cti import ACTION, add_cti_objects
from tests.org_names import add_renamed_cti_objects
from tests.test_cli_conventions import error_envelope

RELEASE_FLOW = release_dir() / "ctiFlows" / "Create_Callback_Task.json"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def envelope(result: Result) -> dict:
    """sf's success envelope, alone on stdout, its status the exit code."""
    body = json.loads(result.stdout)  # the one document on stdout, nothing else
    assert list(body) == ["status", "result", "warnings"]
    assert body["status"] == result.exit_code
    assert isinstance(body["warnings"], list)
    return body


@pytest.fixture
def org(fake_org: FakeOrg) -> FakeOrg:
    """An org holding the release's flow and action."""
    add_cti_objects(fake_org)
    deployed = run("deploy", "--release", "--instance-url", URL)
    assert deployed.exit_code == 0, deployed.output
    return fake_org


def test_every_command_takes_json() -> None:
    from scripts.cli_reference import _paths

    for path in _paths(cli):
        command = cli
        for name in path:
            command = command.get_command(None, name)  # type: ignore[union-attr,arg-type]
        if hasattr(command, "commands"):
            continue  # a group
        assert any("--json" in p.opts for p in command.params), path


# -- pull --------------------------------------------------------------------------------------


def test_pull_json_lists_each_file_and_what_was_written(org: FakeOrg, tmp_path: Path) -> None:
    folder = tmp_path / "pulled"
    planned = run("pull", str(folder), "--instance-url", URL, "--dry-run", "--json")
    body = envelope(planned)
    assert planned.exit_code == 0 and not folder.exists()
    result = body["result"]
    assert result["dryRun"] is True and result["flows"] == result["actions"] == 1
    assert {(f["state"], f["written"]) for f in result["files"]} == {("new", False)}

    pulled = run("pull", str(folder), "--instance-url", URL, "--json")
    files = envelope(pulled)["result"]["files"]
    assert pulled.exit_code == 0 and len(files) == 3
    for file in files:
        assert file["state"] == "new" and file["written"] is True
        assert Path(file["path"]).is_file() and Path(file["path"]).is_relative_to(folder)
    again = envelope(run("pull", str(folder), "--instance-url", URL, "--json"))
    assert {(f["state"], f["written"]) for f in again["result"]["files"]} == {("unchanged", False)}


def test_pull_json_with_skipped_records_is_status_68_with_warnings(
    org: FakeOrg, tmp_path: Path
) -> None:
    org.insert(ACTION, {"Name": "orphan", "amazonconnect__CtiScript__c": None})
    result = run("pull", str(tmp_path), "--instance-url", URL, "--json")
    body = envelope(result)
    assert result.exit_code == 68
    assert [w for w in body["warnings"] if '"orphan"' in w]
    assert body["result"]["skipped"] and '"orphan"' in body["result"]["skipped"][0]


def test_pull_json_drift_and_conflict(org: FakeOrg, tmp_path: Path) -> None:
    assert run("pull", str(tmp_path), "--instance-url", URL).exit_code == 0
    record = tmp_path / "ctiActions" / "Create_Callback_Task.ctiAction.json"
    record.write_text(record.read_text().replace('"order": 1', '"order": 7'))

    drift = run("pull", str(tmp_path), "--instance-url", URL, "--dry-run", "--json")
    body = envelope(drift)  # a dry run that did its job: the drift is its result
    assert drift.exit_code == 1
    (differs,) = [f for f in body["result"]["files"] if f["state"] == "differs"]
    assert differs["path"] == str(record)

    refused = run("pull", str(tmp_path), "--instance-url", URL, "--json")
    error = error_envelope(refused)
    assert refused.exit_code == 1 and error["name"] == "PullConflictError"
    assert "--force" in error["message"] and "differ from the org" in error["message"]
    assert [f["written"] for f in error["result"]["files"]] == [False] * 3
    assert '"order": 7' in record.read_text()  # nothing written


def test_pull_json_failures_are_error_envelopes(
    fake_org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = run("pull", "--json", "--instance-url", URL)  # no DIR
    assert error_envelope(usage)["exitCode"] == 2

    fake_org.inject("unavailable", on="any", times=10)
    refused = run("pull", str(tmp_path / "x"), "--instance-url", URL, "--json")
    body = error_envelope(refused)
    assert refused.exit_code == 1 and body["name"] == "UnavailableError"
    assert body["commandName"] == "pull" and not (tmp_path / "x").exists()

    monkeypatch.delenv("SF_ORG_INSTANCE_URL")
    no_org = run("pull", str(tmp_path), "--json")
    assert error_envelope(no_org)["exitCode"] == 2 and "needs an org" in no_org.stderr


# -- mapping discover --------------------------------------------------------------------------


def test_mapping_discover_json_wraps_the_mapping_file(fake_org: FakeOrg, tmp_path: Path) -> None:
    add_cti_objects(fake_org)
    text = run("mapping", "discover", "--instance-url", URL)
    result = run("mapping", "discover", "--instance-url", URL, "--json")
    body = envelope(result)
    assert result.exit_code == 0 and body["warnings"] == []
    assert body["result"]["complete"] is True
    assert body["result"]["mapping"] == json.loads(text.stdout)  # the same file, wrapped
    statuses = {p["key"]: p["status"] for p in body["result"]["placements"]}
    assert statuses["flow.object"] == "found" and set(statuses.values()) == {"found"}
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(body["result"]["mapping"]))
    deployed = run("deploy", "--release", "--instance-url", URL, "--mapping", str(path))
    assert deployed.exit_code == 0, deployed.output


def test_mapping_discover_json_incomplete_is_status_1_naming_the_key(fake_org: FakeOrg) -> None:
    add_renamed_cti_objects(fake_org, drop="action.form")
    result = run("mapping", "discover", "--instance-url", URL, "--json")
    body = envelope(result)
    assert result.exit_code == 1 and body["result"]["complete"] is False
    assert [w for w in body["warnings"] if w.startswith("action.fields.form: ")], body["warnings"]
    (missing,) = [p for p in body["result"]["placements"] if p["status"] == "missing"]
    assert missing["key"] == "action.fields.form" and missing["candidates"]


def test_mapping_discover_json_failures_are_error_envelopes(
    fake_org: FakeOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_org.inject("unavailable", on="any", times=10)
    refused = run("mapping", "discover", "--instance-url", URL, "--json")
    assert error_envelope(refused)["commandName"] == "mapping discover"
    assert refused.exit_code == 1

    monkeypatch.delenv("SF_ORG_INSTANCE_URL")
    no_org = run("mapping", "discover", "--json")
    assert error_envelope(no_org)["exitCode"] == 2
    usage = run("mapping", "discover", "--json", "--target-org")  # the option lacks its value
    assert error_envelope(usage)["exitCode"] == 2


# -- flow add ----------------------------------------------------------------------------------


def test_flow_add_json_says_what_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    download = tmp_path / "Downloads" / "10-Create+Callback+Task.json"
    download.parent.mkdir()
    shutil.copyfile(RELEASE_FLOW, download)
    project = tmp_path / "project"
    (project / "force-app" / "main" / "default" / "ctiFlows").mkdir(parents=True)
    monkeypatch.chdir(project)
    args = ["flow", "add", str(download), "--name", "Create Callback Task", "--json"]

    planned = run(*args, "--dry-run")
    body = envelope(planned)
    assert planned.exit_code == 0 and body["result"]["dryRun"] is True
    result = body["result"]
    assert result["written"] is False and result["copiedFrom"] == str(download)
    assert result["fields"]["name"] == "Create Callback Task"
    assert not Path(result["record"]).exists()

    added = envelope(run(*args))["result"]
    assert added["written"] is True and Path(added["record"]).is_file()
    assert json.loads(Path(added["record"]).read_text()) == added["fields"]
    assert Path(added["flow"]).read_bytes() == download.read_bytes()
    again = envelope(run(*args))["result"]
    assert again["unchanged"] is True and again["written"] is False


def test_sf_content_type_json_means_json_for_flow_add(tmp_path: Path) -> None:
    flow = tmp_path / "ctiFlows" / "F.json"
    flow.parent.mkdir()
    shutil.copyfile(RELEASE_FLOW, flow)
    result = run("flow", "add", str(flow), "--dry-run", env={"SF_CONTENT_TYPE": "JSON"})
    assert envelope(result)["result"]["copiedFrom"] is None  # already in its folder


def test_flow_add_json_failures_are_error_envelopes(tmp_path: Path) -> None:
    not_a_flow = tmp_path / "package.json"
    not_a_flow.write_text('{"name": "x"}')
    bad = run("flow", "add", str(not_a_flow), "--json")
    body = error_envelope(bad)
    assert bad.exit_code == 2 and body["commandName"] == "flow add"
    assert str(not_a_flow) in body["message"]
    assert list(tmp_path.iterdir()) == [not_a_flow]  # nothing written

    missing = run("flow", "add", str(tmp_path / "nope.json"), "--json")
    assert error_envelope(missing)["exitCode"] == 2
