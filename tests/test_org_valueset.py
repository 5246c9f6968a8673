"""The picklist upgrade on an org, end to end through the CLI against the fake org."""

from __future__ import annotations

import difflib
import json
import re
import subprocess
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from sfupgrade.cli import cli
from tests.fakeorg import TOKEN, URL, FakeOrg, StoredValueSet
from tests.fakeorg.cti import FLOW, add_cti_objects

NAME = "AC_CtiScriptSource"
MD = "{http://soap.sforce.com/2006/04/metadata}"
OTHERS = [
    {"fullName": "voiceContact", "label": "Voice Contact", "default": "true", "color": "#FF0000"},
    {"fullName": "chatContact", "label": "Chat Contact", "isActive": "false", "description": "old"},
    {"fullName": "task", "label": 'Task & <"Call">', "color": "#00FF00", "isActive": "true"},
]
ADDED = {"fullName": "ctiAction", "default": "false", "label": "CTI Action"}
CASES = {
    "missing": (OTHERS, [*OTHERS, ADDED]),
    "wrong label": (
        [OTHERS[0], {"fullName": "ctiAction", "label": "Cti action"}, *OTHERS[1:]],
        [OTHERS[0], ADDED, *OTHERS[1:]],
    ),
    "inactive": (
        [*OTHERS, {"fullName": "ctiAction", "label": "CTI Action", "isActive": "false"}],
        [*OTHERS, {**ADDED, "isActive": "true"}],
    ),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def seeded(values: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"default": "false", **v} for v in values]


def render(stored: StoredValueSet) -> str:
    """Salesforce's XML for a stored set, written independently of the code under test."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<GlobalValueSet xmlns="http://soap.sforce.com/2006/04/metadata">',
    ]
    quote = {"'": "&apos;", '"': "&quot;"}
    for value in stored.values:
        lines.append("    <customValue>")
        for tag in ("fullName", "color", "default", "description", "isActive", "label"):
            if tag in value:
                lines.append(f"        <{tag}>{escape(value[tag], quote)}</{tag}>")
        lines.append("    </customValue>")
    lines.append(f"    <masterLabel>{stored.master_label}</masterLabel>")
    lines.append("    <sorted>false</sorted>")
    lines.append("</GlobalValueSet>")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", list(CASES))
def test_picklist_add_in_an_org_then_nothing_to_do(fake_org: FakeOrg, case: str) -> None:
    before, after = CASES[case]
    full_name = fake_org.add_value_set(NAME, before)
    result = run("picklist", "add", "--instance-url", URL)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("org:acme.my.salesforce.com: ")
    assert fake_org.value_set(full_name).values == seeded(after)
    assert [c.operation for c in fake_org.writes] == ["updateMetadata"]
    written = etree.fromstring(fake_org.writes[0].body).find(f".//{MD}metadata")
    assert [v.findtext(f"{MD}fullName") for v in written.iter(f"{MD}customValue")] == [
        v["fullName"] for v in after
    ]  # the whole set, never a partial one
    calls = len(fake_org.calls)
    again = run("picklist", "add", "--instance-url", URL)
    assert again.exit_code == 0 and "up to date" in again.stdout
    assert len(fake_org.writes) == 1 and len(fake_org.calls) > calls
    assert TOKEN not in result.output + again.output


def test_dry_run_writes_nothing_and_shows_exactly_what_is_applied(fake_org: FakeOrg) -> None:
    full_name = fake_org.add_value_set(NAME, OTHERS, namespace="amazonconnect")
    add_cti_objects(fake_org)
    before = render(fake_org.value_set(full_name))
    dry = run("upgrade", "--dry-run", "--instance-url", URL, "--format", "json")
    assert dry.exit_code == 0, dry.output
    assert fake_org.writes == []
    components = json.loads(dry.stdout)["result"]["components"]
    change = components[0]
    assert change["state"] == "Changed" and change["name"] == full_name
    assert [(c["type"], c["state"]) for c in components[1:]] == [
        ("CtiFlow", "Created"),
        ("CtiAction", "Created"),
    ]
    real = run("upgrade", "--instance-url", URL)
    assert real.exit_code == 0, real.output
    after = render(fake_org.value_set(full_name))
    target = "org:acme.my.salesforce.com"
    expected = "".join(
        difflib.unified_diff(
            before.splitlines(True), after.splitlines(True), fromfile=target, tofile=target
        )
    )
    assert change["diff"] == expected
    assert "+        <label>CTI Action</label>" in expected
    # The value set first (the flow's source is its new value), then the flow, then its action.
    assert [c.operation for c in fake_org.writes] == [
        "updateMetadata",
        "composite_create",
        "composite_create",
    ]
    (flow,) = fake_org.records(FLOW).values()
    assert flow["Name"] == "Create Callback Task"
    assert flow["amazonconnect__Source__c"] == "ctiAction"
    third = run("upgrade", "--instance-url", URL, "--detailed-exitcode", "--dry-run")
    assert third.exit_code == 0 and len(fake_org.writes) == 3


def test_namespace_option_skips_listing(fake_org: FakeOrg) -> None:
    fake_org.add_value_set(NAME, OTHERS, namespace="amazonconnect")
    result = run("picklist", "add", "--instance-url", URL, "--namespace", "amazonconnect")
    assert result.exit_code == 0, result.output
    assert fake_org.count("listMetadata") == 0
    assert fake_org.value_set(f"amazonconnect__{NAME}").values[-1] == ADDED


def test_missing_value_set_is_one_clear_line(fake_org: FakeOrg) -> None:
    fake_org.add_value_set("Other", OTHERS)
    result = run("picklist", "add", "--instance-url", URL)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: acme.my.salesforce.com: no global value set")
    assert result.stderr.count("\n") == 1


def test_path_and_org_together_are_refused(fake_org: FakeOrg, tmp_path) -> None:
    result = run("picklist", "add", str(tmp_path), "--instance-url", URL)
    assert result.exit_code == 2 and "not both" in result.stderr
    assert fake_org.calls == []


FAULTS = [
    ("unavailable", "readMetadata", 10, r"failed \(HTTP 503\) after 4 attempt"),
    ("request_limit", "updateMetadata", 1, "REQUEST_LIMIT_EXCEEDED"),
    ("invalid_session", "listMetadata", 1, "INVALID_SESSION_ID"),
    ("soap_fault", "updateMetadata", 1, "UNKNOWN_EXCEPTION"),
    ("failed_save", "updateMetadata", 1, "FIELD_INTEGRITY_EXCEPTION.*saved nothing"),
    ("timeout", "updateMetadata", 10, "timed out"),
    ("connection_error", "readMetadata", 10, "connection failed"),
]


@pytest.mark.parametrize(("kind", "on", "times", "message"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_is_one_line_exit_1_nothing_written_and_a_rerun_finishes(
    fake_org: FakeOrg, kind: str, on: str, times: int, message: str
) -> None:
    full_name = fake_org.add_value_set(NAME, OTHERS)
    add_cti_objects(fake_org)
    fake_org.inject(kind, on=on, times=times)
    result = run("upgrade", "--instance-url", URL)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert re.search(message, lines[0]), lines[0]
    assert TOKEN not in result.output
    assert fake_org.value_set(full_name).values == seeded(OTHERS)
    assert fake_org.records(FLOW) == {}  # nothing half-written
    fake_org.http.faults.clear()
    rerun = run("upgrade", "--instance-url", URL)
    assert rerun.exit_code == 0, rerun.output
    assert fake_org.value_set(full_name).values == seeded([*OTHERS, ADDED])
    assert len(fake_org.records(FLOW)) == 1


@pytest.mark.parametrize(
    ("kind", "on", "times"),
    [
        ("unavailable", "updateMetadata", 2),
        ("timeout_after_write", "updateMetadata", 1),
        ("timeout", "readMetadata", 1),
        ("invalid_session", "readMetadata", 0),
    ],
)
def test_transient_faults_are_retried_safely(
    fake_org: FakeOrg, kind: str, on: str, times: int
) -> None:
    full_name = fake_org.add_value_set(NAME, OTHERS)
    fake_org.inject(kind, on=on, times=times)
    result = run("picklist", "add", "--instance-url", URL)
    assert result.exit_code == 0, result.output
    assert fake_org.value_set(full_name).values == seeded([*OTHERS, ADDED])
    assert len([c for c in fake_org.writes if c.status == 200]) >= 1


def test_target_org_through_the_sf_cli(fake_org: FakeOrg, monkeypatch: pytest.MonkeyPatch) -> None:
    from sfupgrade.org import connect

    argvs: list[list[str]] = []

    def sf(argv: list[str]) -> subprocess.CompletedProcess[str]:
        argvs.append(argv)
        result = {"accessToken": fake_org.token, "instanceUrl": URL, "alias": "sbx"}
        return subprocess.CompletedProcess(argv, 0, json.dumps({"status": 0, "result": result}))

    monkeypatch.setattr(connect, "_run_sf", sf)
    monkeypatch.delenv("SF_ACCESS_TOKEN")
    fake_org.add_value_set(NAME, OTHERS)
    fake_org.inject("invalid_session", on="readMetadata")  # the one refresh asks sf again
    result = run("picklist", "add", "--target-org", "sbx", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+        <label>CTI Action</label>" in result.stdout
    assert [a[1:] for a in argvs] == [["org", "display", "--target-org", "sbx", "--json"]] * 2
    assert fake_org.writes == []


def test_upgrade_with_a_record_failure_exits_68_then_converges(fake_org: FakeOrg) -> None:
    from sfupgrade.org.records import LOCK_RETRIES

    full_name = fake_org.add_value_set(NAME, OTHERS)
    add_cti_objects(fake_org)
    fake_org.lock(FLOW, "Create Callback Task", times=LOCK_RETRIES + 1)
    result = run("upgrade", "--instance-url", URL, "--format", "json")
    assert result.exit_code == 68, result.output
    states = [c["state"] for c in json.loads(result.stdout)["result"]["components"]]
    assert states == ["Changed", "Failed", "Failed"]
    assert fake_org.value_set(full_name).values == seeded([*OTHERS, ADDED])
    rerun = run("upgrade", "--instance-url", URL, "--format", "json")
    assert rerun.exit_code == 0, rerun.output
    states = [c["state"] for c in json.loads(rerun.stdout)["result"]["components"]]
    assert states == ["Unchanged", "Created", "Created"]
