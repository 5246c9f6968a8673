"""One pipeline for every caller, discovery by file identity, drop-in flows, suggestions."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from cti_helpers import (
    CALLBACK_ACTION,
    CALLBACK_FLOW,
    callback_project,
    need_fixtures,
    set_control,
    write_json,
)

from sfupgrade.cli import cli
from sfupgrade.cti import rules
from sfupgrade.files.resources import example_project_dir, release_dir
from sfupgrade.model.plan import Location
from tests.fakeorg import URL
from tests.fakeorg.cti import add_cti_objects


def run(*args: str | Path, cwd: Path | None = None):
    if cwd is None:
        return CliRunner().invoke(cli, [str(a) for a in args])
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(old)


def codes(result) -> list[str]:
    data = json.loads(result.stdout)["result"]
    return [f["code"] for f in data["findings"]]


@pytest.fixture
def throwaway_rule():
    def check(flow):
        yield rules.Hit(f"flow {flow.name!r} was seen", flow.name, Location(flow.file, 1))

    rule = rules.Rule(
        "cti-test-throwaway", "warning", "flow", "Seen.", "A rule only this test adds.", check
    )
    rules.register(rule)
    yield rule
    rules.unregister(rule.code)


def test_a_registered_rule_is_reported_by_validate_upgrade_and_deploy(
    tmp_path, throwaway_rule, fake_org
):
    content = callback_project(tmp_path / "content")
    validated = run("validate", content, "--format", "json")
    assert validated.exit_code == 0, validated.output
    assert codes(validated) == ["cti-test-throwaway"]

    upgraded = run(
        "upgrade", "--dry-run", example_project_dir(), "--content", content, "--format", "json"
    )
    assert upgraded.exit_code == 0, upgraded.output
    assert codes(upgraded) == ["cti-test-throwaway"]

    add_cti_objects(fake_org)
    deployed = run("deploy", content, "--dry-run", "--instance-url", URL, "--format", "json")
    assert deployed.exit_code == 0, deployed.output
    assert codes(deployed) == ["cti-test-throwaway"]
    assert "cti-test-throwaway" in json.loads(deployed.stdout)["result"].get("checks", [])


def _dx_project(root: Path) -> Path:
    """A Salesforce DX project as `sf project generate` leaves it, with the release value set."""
    write_json(root / "sfdx-project.json", {"packageDirectories": [{"path": "force-app"}]})
    write_json(root / "package.json", {"name": "x", "scripts": {"lint": "eslint"}})
    write_json(root / ".vscode" / "settings.json", {"editor.tabSize": 2})
    write_json(root / ".sf" / "config.json", {"target-org": "me"})
    write_json(root / "node_modules" / "lodash" / "package.json", {"name": "lodash"})
    default = root / "force-app" / "main" / "default"
    write_json(default / "lwc" / "jsconfig.json", {"compilerOptions": {}})
    write_json(default / "staticresources" / "data.json", {"actions": "not a flow"})
    shutil.copytree(release_dir() / "globalValueSets", default / "globalValueSets")
    return root


def test_a_dx_project_without_cti_content_checks_its_value_set_and_passes(tmp_path):
    root = _dx_project(tmp_path / "project")
    for args in (["validate"], ["validate", "."], ["validate", root]):
        result = run(*args, cwd=root)
        assert result.exit_code == 0, result.output
        assert "no CTI content found in" in result.stderr
        assert "value set AC_CtiScriptSource:" in result.stderr and "valid" in result.stderr


def test_a_dx_project_with_a_broken_value_set_fails_and_one_without_is_fine(tmp_path):
    root = _dx_project(tmp_path / "project")
    value_set = next((root / "force-app").rglob("*.globalValueSet-meta.xml"))
    value_set.write_text("<GlobalValueSet><customValue>")
    result = run("validate", cwd=root)
    # An error finding of the run (valueset-invalid), reported with any CTI findings: exit 1.
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert str(value_set.name) in result.stderr
    assert "valueset-invalid" in result.stdout and f"{value_set.name}:1" in result.stdout
    value_set.unlink()
    result = run("validate", cwd=root)
    assert result.exit_code == 0
    assert "no AC_CtiScriptSource value set file in ." in result.stderr


def test_the_release_content_copied_into_a_dx_project_validates(tmp_path):
    root = _dx_project(tmp_path / "project")
    shutil.copytree(release_dir(), root / "force-app" / "main" / "default", dirs_exist_ok=True)
    result = run("validate", ".", cwd=root)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("1 flow(s), 1 action(s) checked: 0 error(s)")


def _findings(result) -> list[tuple]:
    data = json.loads(result.stdout)["result"]["findings"]
    return sorted((f["code"], f["location"]["block"], f["location"]["path"]) for f in data)


def test_every_spelling_of_a_project_gives_each_finding_once(tmp_path):
    root = tmp_path / "project"
    callback_project(root, record={"name": "10-Create+Callback+Task", "source": "ctiAction"})
    shutil.move(
        root / "ctiFlows" / "Create_Callback_Task.ctiFlow.json",
        root / "ctiFlows" / "10-Create+Callback+Task.ctiFlow.json",
    )
    action = dict(CALLBACK_ACTION, flow="10-Create+Callback+Task")
    write_json(root / "ctiActions" / "Create_Callback_Task.ctiAction.json", action)
    set_control(root, "uid-9", "subject2", "$.payload.firstName")
    (tmp_path / "link").symlink_to(root)
    spellings = [(".", root), ("project", tmp_path), ("./project", tmp_path)]
    spellings += [(str(root), tmp_path), (str(tmp_path / "link"), tmp_path)]
    seen = []
    for spelling, cwd in spellings:
        result = run("validate", spelling, "--format", "json", cwd=cwd)
        assert result.exit_code == 1, (spelling, result.output)
        assert "1 flow(s), 1 action(s)" in result.stderr
        seen.append(_findings(result))
    assert seen[0] == [("cti-undefined-payload-key", "uid-9", "subject2")]
    assert all(found == seen[0] for found in seen)


def test_flow_add_copies_the_download_unchanged_and_writes_its_record(tmp_path):
    need_fixtures()
    root = _dx_project(tmp_path / "project")
    write_json(
        root / "force-app" / "main" / "default" / "ctiActions" / "A.ctiAction.json",
        CALLBACK_ACTION,
    )
    download = tmp_path / CALLBACK_FLOW.name
    shutil.copyfile(CALLBACK_FLOW, download)
    flows = root / "force-app" / "main" / "default" / "ctiFlows"
    dry = run("flow", "add", download, "--name", "Create Callback Task", "--dry-run", cwd=root)
    assert dry.exit_code == 0, dry.output
    assert "would write" in dry.stderr and not flows.exists()
    done = run("flow", "add", download, "--name", "Create Callback Task", cwd=root)
    assert done.exit_code == 0, done.output
    assert (flows / CALLBACK_FLOW.name).read_bytes() == CALLBACK_FLOW.read_bytes()
    record = json.loads((flows / "Create_Callback_Task.ctiFlow.json").read_text())
    assert record == {
        "name": "Create Callback Task",
        "source": "ctiAction",
        "active": True,
        "definition": CALLBACK_FLOW.name,
    }
    assert json.loads(done.stdout) == record
    again = run("flow", "add", download, "--name", "Create Callback Task", cwd=root)
    assert again.exit_code == 0 and "unchanged" in again.stderr
    result = run("validate", cwd=root)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("1 flow(s), 1 action(s) checked: 0 error(s), 0 warning(s)")
    not_a_flow = run("flow", "add", root / "package.json", cwd=root)
    assert not_a_flow.exit_code == 2 and "not a CTI flow" in not_a_flow.stderr


def test_the_finding_for_a_flow_without_record_prints_what_fixes_it(tmp_path):
    need_fixtures()
    root = tmp_path / "project"
    (root / "ctiFlows").mkdir(parents=True)
    shutil.copyfile(CALLBACK_FLOW, root / "ctiFlows" / CALLBACK_FLOW.name)
    write_json(root / "ctiActions" / "A.ctiAction.json", CALLBACK_ACTION)
    result = run("validate", ".", "--format", "json", cwd=root)
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["result"]["findings"]
    assert finding["code"] == "cti-missing-flow"
    command = (
        "sfupgrade flow add ctiFlows/10-Create+Callback+Task.json --name 'Create Callback Task'"
    )
    assert f"run `{command}`" in finding["suggestion"]
    assert "did you mean" not in finding["suggestion"]  # never: rename the action after the file
    assert "ctiFlows/Create_Callback_Task.ctiFlow.json" in finding["suggestion"]
    followed = run(*command.split()[1:5], "Create Callback Task", cwd=root)
    assert followed.exit_code == 0, followed.output
    assert run("validate", ".", cwd=root).exit_code == 0

    # The file named exactly as the action runs it, without a record: the same fix, in full.
    (root / "ctiFlows" / "Create_Callback_Task.ctiFlow.json").unlink()
    write_json(
        root / "ctiActions" / "A.ctiAction.json",
        dict(CALLBACK_ACTION, flow="10-Create+Callback+Task"),
    )
    result = run("validate", ".", "--format", "json", cwd=root)
    [finding] = json.loads(result.stdout)["result"]["findings"]
    assert finding["code"] == "cti-flow-not-cti-action"
    sidecar = '{"name": "10-Create+Callback+Task", "source": "ctiAction", "active": true}'
    assert finding["suggestion"].endswith(
        f"save ctiFlows/10-Create+Callback+Task.ctiFlow.json holding {sidecar}"
    )


def test_an_unused_key_is_fixed_on_the_flows_side(tmp_path):
    action = copy.deepcopy(CALLBACK_ACTION)
    action["payload"]["Reason"] = "x"
    root = callback_project(tmp_path, action=action)
    flow_file = set_control(root, "uid-9", "subject3", "$.payload.Reasn")
    result = run("validate", root, "--format", "json")
    found = {f["code"]: f for f in json.loads(result.stdout)["result"]["findings"]}
    unused = found["cti-unused-payload-key"]["suggestion"]
    assert unused == (
        "if the flow means 'Reason', change '$.payload.Reasn' to '$.payload.Reason' in block"
        f" 'uid-9' (subject3) of {flow_file}"
    )
    assert found["cti-undefined-payload-key"]["suggestion"].startswith("did you mean 'Reason'?")


def test_a_block_suggestion_names_a_block_with_results_not_an_end_block(tmp_path):
    blocks = [
        {"id": "uid-1", "type": "SE_Start", "ports": {"done": "uid-2"}},
        {"id": "uid-2", "type": "SE_SFGetContactId", "ports": {"done": "uid-4"}},
        {"id": "uid-3", "type": "SE_End"},
        {"id": "uid-4", "type": "SE_Log", "ports": {"done": "uid-3"}},
    ]
    blocks[3]["controls"] = {"message": "$.actions.uid-9.results"}
    write_json(tmp_path / "ctiFlows" / "F.json", {"actions": blocks})
    result = run("validate", tmp_path, "--format", "json")
    [finding] = json.loads(result.stdout)["result"]["findings"]
    assert (finding["code"], finding["suggestion"]) == (
        "cti-unknown-block",
        "did you mean 'uid-2'?",
    )
