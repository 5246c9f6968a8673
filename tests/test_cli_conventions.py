"""The sf CLI's conventions (--json envelopes, -o), exit codes and words, Ctrl-C, hostile input.

Every test runs the real command line through Click's runner on projects made in tmp dirs.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.files.resources import release_dir
from sfupgrade.report import FORMATS
from tests.helpers import salesforce_value_set, shared_fixture

VS = "force-app/main/default/globalValueSets/AC_CtiScriptSource.globalValueSet-meta.xml"
# sf's error envelope (@salesforce/sf-plugins-core SfCommandError.toJson), in sf's key order.
ERROR_KEYS = [
    "name",
    "message",
    "exitCode",
    "actions",
    "context",
    "code",
    "status",
    "commandName",
    "warnings",
]
EVIL = "x\n::error file=README.md,line=1::injected\x1b]0;pwn\x07 ##[error]legacy\r\u2028end"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def project(root: Path) -> Path:
    (root / "sfdx-project.json").write_text(
        json.dumps({"packageDirectories": [{"path": "force-app"}]})
    )
    path = root / VS
    path.parent.mkdir(parents=True)
    path.write_text(salesforce_value_set([("voiceContact", "Voice Contact")]))
    return path


def error_envelope(result: Result) -> dict:
    body = json.loads(result.stdout)  # stdout holds this one document and nothing else
    assert list(body)[: len(ERROR_KEYS)] == ERROR_KEYS
    assert body["status"] == body["exitCode"] == result.exit_code
    assert isinstance(body["actions"], list) and body["warnings"] == []
    assert "Traceback" not in result.output
    return body


def test_json_success_is_the_sf_envelope_alone_on_stdout(tmp_path: Path) -> None:
    project(tmp_path)
    result = run("upgrade", "--dry-run", "--json", str(tmp_path), env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert list(body) == ["status", "result", "warnings"]
    assert body["status"] == 0 and body["result"]["summary"]["changed"] == 1


def test_sf_content_type_json_means_json(tmp_path: Path) -> None:
    project(tmp_path)
    result = run("upgrade", "--dry-run", str(tmp_path), env={"SF_CONTENT_TYPE": "json"})
    assert json.loads(result.stdout)["result"]["dryRun"] is True


@pytest.mark.parametrize(
    "args",
    [
        ["upgrade", "--json", "--bogus"],
        ["picklist", "add", "--json", "--value-set"],
        ["nosuch", "--json"],
        ["upgrade", "--json", "--format", "sarif"],
    ],
)
def test_usage_errors_are_sf_envelopes_with_exit_code_2(args: list[str]) -> None:
    result = run(*args)
    body = error_envelope(result)
    assert result.exit_code == 2 and body["code"] == "2"
    assert body["actions"] and "--help" in body["actions"][0]


def test_bad_input_is_an_envelope_naming_the_error(tmp_path: Path) -> None:
    (tmp_path / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app"}]}')
    (tmp_path / "force-app").mkdir()
    result = run("upgrade", "--dry-run", "--json", str(tmp_path))
    body = error_envelope(result)
    assert result.exit_code == 2 and body["name"] == "ProjectError"
    assert body["commandName"] == body["context"] == "upgrade"
    assert "value set AC_CtiScriptSource not found" in body["message"]
    assert result.stderr.startswith("Error: value set")  # and one line for people


def test_format_json_on_stdout_gets_the_error_envelope_too(tmp_path: Path) -> None:
    result = run("picklist", "add", "--format", "json", str(tmp_path))
    assert error_envelope(result)["exitCode"] == 2


def test_an_org_refusing_is_an_envelope(fake_org) -> None:
    fake_org.inject("unavailable", on="any", times=10)
    result = run("upgrade", "--dry-run", "--json")
    body = error_envelope(result)
    assert result.exit_code == 1 and body["commandName"] == "upgrade"
    assert body["name"] == "UnavailableError"
    assert "attempt" in body["message"] and fake_org.writes == []


def test_o_is_target_org_and_output_has_no_short_form(tmp_path: Path) -> None:
    project(tmp_path)
    result = run("upgrade", "--dry-run", "-o", "my-sandbox", str(tmp_path))
    assert result.exit_code == 2
    assert "give either PATH" in result.stderr and not (Path("my-sandbox")).exists()
    assert run("upgrade", "--dry-run", "--output").exit_code == 2
    help_text = run("upgrade", "--help").stdout
    assert "-o, --target-org" in help_text and "-o, --output" not in help_text


def _broken_content(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(release_dir() / "ctiFlows", content / "ctiFlows")
    action = json.loads(
        (release_dir() / "ctiActions/Create_Callback_Task.ctiAction.json").read_text()
    )
    action["payload"] = {}
    (content / "ctiActions").mkdir()
    (content / "ctiActions/Create_Callback_Task.ctiAction.json").write_text(json.dumps(action))
    return content


def test_a_refused_real_run_never_says_dry_run(tmp_path: Path) -> None:
    path = project(tmp_path)
    before = path.read_bytes()
    content = _broken_content(tmp_path)
    result = run(
        "upgrade",
        str(tmp_path),
        "--content",
        str(content),
        "--report",
        f"json={tmp_path / 'r.json'}",
    )
    assert result.exit_code == 1
    assert "dry run" not in result.output.lower()
    assert re.search(
        r"Upgrade of .* refused: \d+ validation error\(s\); nothing applied", result.stdout
    )
    assert path.read_bytes() == before
    assert json.loads((tmp_path / "r.json").read_text())["result"]["dryRun"] is False


def test_a_report_not_writable_after_the_value_set_was_written_exits_68(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project(tmp_path)
    import sfupgrade.cli.options as options

    def no_space(target: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(options, "replace_file", no_space)
    result = run("upgrade", str(tmp_path), "--report", f"json={tmp_path / 'r.json'}")
    assert result.exit_code == 68, result.output
    assert "ctiAction" in path.read_text()  # the upgrade was applied
    assert "applied" in result.stderr and "No space left" in result.stderr


def test_a_verification_that_finds_work_exits_68_and_still_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path)
    import sfupgrade.jobs.upgrade as upgrade

    real = upgrade.plan_upgrade

    def stale(request):
        plan = real(request)
        from sfupgrade.model.plan import State
        from sfupgrade.model.value import replace

        plan.changes = [replace(c, state=State.CHANGED) for c in plan.changes]
        return plan

    monkeypatch.setattr(upgrade, "plan_upgrade", stale)
    report = tmp_path / "r.json"
    result = run("upgrade", str(tmp_path), "--json", "--report", f"json={report}")
    assert result.exit_code == 68
    body = error_envelope(result)
    assert body["name"] == "PartlyAppliedError" and "verification failed" in body["message"]
    assert body["result"]["applied"] is True
    written = json.loads(report.read_text())
    assert written["status"] == 68 and "verification failed" in written["result"]["failure"]


def test_ctrl_c_exits_130_in_one_line_and_leaves_files_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project(tmp_path)
    before = path.read_bytes()
    import sfupgrade.jobs.picklist as picklist

    def interrupted(writes) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(picklist, "write_files", interrupted)
    result = run("upgrade", str(tmp_path))
    assert result.exit_code == 130
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Interrupted (Ctrl-C)")
    assert "Traceback" not in result.output and path.read_bytes() == before
    result = run("upgrade", str(tmp_path), "--json")
    assert error_envelope(result)["exitCode"] == 130


def _hostile_content(root: Path) -> Path:
    content = root / "hostile"
    shutil.copytree(release_dir() / "ctiFlows", content / "ctiFlows")
    shutil.copytree(release_dir() / "ctiActions", content / "ctiActions")
    flow_file = content / "ctiFlows" / "Create_Callback_Task.json"
    flow = json.loads(flow_file.read_text())
    flow["actions"][0]["ports"]["done"] = EVIL  # a port to no block: an error naming EVIL
    flow["actions"].append(
        {"id": EVIL + "2", "type": "SE_X\n::warning::t", "meta": {}, "controls": {}, "ports": {}}
    )
    flow_file.write_text(json.dumps(flow))
    return content


def _no_command_lines(text: str, own: set[str] = frozenset()) -> None:
    for line in text.split("\n"):
        assert not line.lstrip().startswith("::") or line in own, line
        assert "##[" not in line and "\x1b" not in line and "\x07" not in line, line


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_names_cannot_write_workflow_commands(tmp_path: Path, fmt: str) -> None:
    content = _hostile_content(tmp_path)
    reports = [f"--report={f}={tmp_path / ('r.' + f)}" for f in FORMATS if f != fmt]
    result = run(
        "validate", str(content), "--format", fmt, *reports, env={"GITHUB_ACTIONS": "true"}
    )
    assert result.exit_code == 1, result.output
    own = {line for line in result.output.split("\n") if re.match(r"::(error|warning) file=", line)}
    assert own, "sfupgrade's own annotations are there"
    _no_command_lines(result.stdout, own)
    _no_command_lines(result.stderr, own)
    for f in FORMATS:
        if f != fmt:
            text = (tmp_path / f"r.{f}").read_text(encoding="utf-8")
            _no_command_lines(text)
            assert "injected" in text  # shown, escaped
    if fmt == "text":
        assert "\\x1b]0;pwn\\x07" in result.stdout and "x\\n::error" in result.stdout


def test_every_format_is_written_with_a_lone_surrogate(tmp_path: Path) -> None:
    content = _hostile_content(tmp_path)
    flow_file = content / "ctiFlows" / "Create_Callback_Task.json"
    flow_file.write_text(flow_file.read_text().replace("uid-14", "\\ud800"))
    reports = [f"--report={f}={tmp_path / ('r.' + f)}" for f in FORMATS]
    result = run("validate", str(content), "--format", "json", *reports)
    assert result.exit_code == 1, result.output  # findings, every report written
    assert "Traceback" not in result.output
    for f in FORMATS:
        text = (tmp_path / f"r.{f}").read_text(encoding="utf-8")
        assert "\ud800" not in text and ("\ufffd" in text or "\\ud800" in text), f


def test_sarif_has_rules_and_uris_relative_to_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jsonschema

    schema_file = shared_fixture("schemas", "sarif-schema-2.1.0.json")
    content = _broken_content(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    result = run("validate", str(content.resolve()), "--format", "sarif")
    log = json.loads(result.stdout)
    assert (
        list(jsonschema.Draft4Validator(json.loads(schema_file.read_text())).iter_errors(log)) == []
    )
    run_ = log["runs"][0]
    rule = next(
        r for r in run_["tool"]["driver"]["rules"] if r["id"] == "cti-undefined-payload-key"
    )
    # Described from the rule registry: the summary line, then what it means and how to fix it.
    assert "payload key" in rule["shortDescription"]["text"]
    assert "$.payload.<key>" in rule["fullDescription"]["text"]
    assert rule["helpUri"].startswith("https://")
    assert rule["help"]["text"] and rule["help"]["markdown"]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    uris = [
        loc["physicalLocation"]["artifactLocation"]
        for r in run_["results"]
        for loc in r.get("locations", [])
        if "physicalLocation" in loc
    ]
    assert uris and all(u["uriBaseId"] == "%SRCROOT%" for u in uris)
    assert all(u["uri"].startswith("content/") and not u["uri"].startswith("./") for u in uris)
    elsewhere = run("validate", str(content), "--format", "sarif", "--repo-root", str(content))
    moved = json.loads(elsewhere.stdout)["runs"][0]["results"]
    assert all(
        loc["physicalLocation"]["artifactLocation"]["uri"].startswith("ctiFlows/")
        for r in moved
        for loc in r.get("locations", [])
        if "physicalLocation" in loc
        and "ctiFlows" in loc["physicalLocation"]["artifactLocation"]["uri"]
    )


def test_an_explicit_format_beats_sf_content_type_from_the_shell(tmp_path: Path) -> None:
    project(tmp_path)
    env = {"SF_CONTENT_TYPE": "JSON"}
    result = run("upgrade", "--dry-run", "--format", "markdown", str(tmp_path), env=env)
    assert result.exit_code == 0 and result.stdout.startswith("### sfupgrade: Dry run")
    failed = run("upgrade", "--dry-run", "--format", "text", str(tmp_path / "none"), env=env)
    assert failed.exit_code == 2 and failed.stdout == ""


def test_usage_errors_quoting_input_cannot_write_workflow_commands(tmp_path: Path) -> None:
    result = run("upgrade", str(tmp_path / EVIL))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    _no_command_lines(result.output)
    result = run("upgrade", "--dry-run", "--json", str(tmp_path / EVIL))
    _no_command_lines(result.output)
    assert json.loads(result.stdout)["exitCode"] == 2
