from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cti_helpers import CALLBACK_ACTION, FIXTURES, callback_project, need_fixtures, set_control

from sfupgrade.cli import cli


def run(*args: str | Path):
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def test_the_release_content_is_clean():
    result = run("--release")
    assert result.exit_code == 0, result.output
    assert "Valid." in result.stdout and "Findings" not in result.stdout
    assert result.stderr == "1 flow(s), 1 action(s) checked: 0 error(s), 0 warning(s)\n"


def test_the_real_flows_pass():
    need_fixtures()
    result = run(FIXTURES)
    assert result.exit_code == 0
    assert "17 flow(s), 0 action(s) checked: 0 error(s)" in result.stderr


def test_an_error_prints_one_located_line_and_exits_1(tmp_path):
    root = callback_project(tmp_path)
    flow_file = set_control(root, "uid-11", "subject3", "$.payload.lastName")
    line = next(
        n for n, text in enumerate(flow_file.read_text().splitlines(), 1) if "lastName" in text
    )
    result = run(root)
    assert result.exit_code == 1
    assert (
        "  error    cti-undefined-payload-key  action 'Create Callback Task' does not define"
        " payload key 'lastName', which flow 'Create Callback Task' reads in block 'uid-11' at"
        f" subject3\n           at {flow_file}:{line}, block uid-11 (SE_SFCreateTask), subject3\n"
        "           fix: did you mean 'LastName'?\n"
    ) in result.stdout
    assert "1 error(s), 0 warning(s)" in result.stderr


def test_warnings_only_exit_0(tmp_path):
    action = copy.deepcopy(CALLBACK_ACTION)
    action["payload"]["Unused"] = "x"
    result = run(callback_project(tmp_path, action=action))
    assert result.exit_code == 0
    assert "  warning  cti-unused-payload-key  " in result.stdout
    assert "error " not in result.stdout


def test_json_format_lists_findings(tmp_path):
    action = copy.deepcopy(CALLBACK_ACTION)
    action["form"]["fields"].pop(0)
    result = CliRunner().invoke(
        cli, ["validate", "--format", "json", str(callback_project(tmp_path, action=action))]
    )
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["result"]["findings"]
    assert {(f["code"], f["location"]["block"]) for f in findings} == {
        ("cti-undefined-payload-key", "uid-9"),
        ("cti-undefined-payload-key", "uid-11"),
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_FLOWS = [
    (
        b'{"actions": [\n  {"id": "a", "type": "SE_Start",}\n]}',
        "{f}:2:34: invalid JSON: Expecting property name enclosed in double quotes;"
        " fix the file and rerun",
    ),
    (
        b'{"actions": [], "actions": []}',
        "{f}: invalid JSON: duplicate key 'actions'; fix the file and rerun",
    ),
    (
        b'{"actions": [{"id": "a", "type": "SE_Start", "position": [NaN, 0]}]}',
        "{f}: invalid JSON: NaN is not valid JSON; fix the file and rerun",
    ),
    (
        b'{"name": "x"}',
        "{f}: not a CTI flow: no top-level 'actions' list; save the file the CTI Flow editor's"
        " Download link gives, unchanged",
    ),
    (
        b'{"actions": [{"type": "SE_Start"}]}',
        "{f}: not a valid CTI flow: actions[0]: missing required 'id';"
        " fix it (schema: ctiFlowDefinition.schema.json)",
    ),
    (
        b'{"actions": [{"id": 0, "type": "SE_Start"}]}',
        "{f}: not a valid CTI flow: actions[0].id: expected string, found 0;"
        " fix it (schema: ctiFlowDefinition.schema.json)",
    ),
    (
        b'{"actions": [{"id": "\xe9", "type": "SE_Start"}]}',
        "{f}: not UTF-8 (byte 21); save the file as UTF-8 and rerun",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_FLOWS)
def test_bad_flow_files_give_one_line_and_exit_2(tmp_path, data, message):
    path = _write(tmp_path / "flow.json", data)
    result = run(path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: " + message.format(f=path) + "\n"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"name": "a", "flow": "b", "order": "1"},
            'order: expected integer, found "1"; fix it (schema: ctiAction.schema.json)',
        ),
        (
            {
                "name": "a",
                "flow": "b",
                "form": {"fields": [{"key": "k", "label": "K", "reqired": True}]},
            },
            "form.fields[0].reqired: unknown field (allowed: key, label, order, required, type);"
            " fix it (schema: ctiAction.schema.json)",
        ),
        (
            {"flow": "b"},
            "the top level: missing required 'name'; fix it (schema: ctiAction.schema.json)",
        ),
    ],
)
def test_bad_action_files_name_the_field(tmp_path, record, message):
    path = _write(tmp_path / "x.ctiAction.json", json.dumps(record).encode())
    result = run(path)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: not a valid CTI action: {message}\n"


def test_a_record_without_its_flow_file(tmp_path):
    path = _write(tmp_path / "y.ctiFlow.json", b'{"name": "y", "source": "ctiAction"}')
    result = run(path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}: its flow file y.json does not exist; put the file downloaded from the"
        " CTI Flow editor next to it or name it in 'definition'\n"
    )


def test_an_empty_directory_and_a_missing_path(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {tmp_path}: no CTI flows or actions found; expected ctiFlows/*.json,"
        " *.ctiFlow.json or *.ctiAction.json files\n"
    )
    result = run(tmp_path / "nope")
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: {tmp_path / 'nope'}: no such file or directory\n",
    )


def test_a_project_folder_ignores_json_outside_ctiflows(tmp_path):
    root = callback_project(tmp_path)
    (root / "sfdx-project.json").write_text('{"packageDirectories": []}')
    result = run(root)
    assert result.exit_code == 0
    assert result.stderr.startswith("1 flow(s), 1 action(s)")


def test_help_runs_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "sfupgrade", "validate", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0
    assert "PATHS are folders or files" in done.stdout


CTI_MODULES = ["refs", "schema", "discover", "load", "rules", "validate", "sidecar"]


@pytest.mark.parametrize(
    "module", ["sfupgrade.model.cti", *(f"sfupgrade.cti.{m}" for m in CTI_MODULES)]
)
def test_each_module_imports_on_its_own_without_heavy_or_test_only_packages(module):
    code = (
        f"import sys, {module}, sfupgrade.cli.validate\n"
        "heavy = {'simple_salesforce', 'zeep', 'requests', 'jsonschema'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
