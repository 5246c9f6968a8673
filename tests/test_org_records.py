"""`sfupgrade deploy`: flow and action records into the fake org, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.org.mapping import load_mapping
from sfupgrade.org.records import LOCK_RETRIES
from sfupgrade.org.salesforce import URI_BUDGET
from tests.fakeorg import TOKEN, URL, FakeOrg
from tests.fakeorg.cti import ACTION, FLOW, action, add_cti_objects, flow


def write_records(tmp_path: Path, flows: list, actions: list) -> Path:
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"flows": flows, "actions": actions}))
    return path


def deploy(records: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["deploy", "--records", str(records), "--instance-url", URL, "--format", "json", *args]
    )


def report(result: Result) -> dict:
    return json.loads(result.stdout)["result"]


def states(result: Result) -> dict[str, str]:
    return {c["name"]: c["state"] for c in report(result)["components"]}


def by_name(fake_org: FakeOrg, sobject: str) -> dict[str, dict]:
    return {r["Name"]: {"Id": i, **r} for i, r in fake_org.records(sobject).items()}


@pytest.fixture
def org(fake_org: FakeOrg) -> FakeOrg:
    add_cti_objects(fake_org)
    return fake_org


def test_creates_flows_then_actions_with_the_lookup_then_nothing(org: FakeOrg, tmp_path) -> None:
    path = write_records(tmp_path, [flow("Callback")], [action("Call me", "Callback")])
    result = deploy(path)
    assert result.exit_code == 0, result.output
    assert states(result) == {"Callback": "Created", "Call me": "Created"}
    flows, actions = by_name(org, FLOW), by_name(org, ACTION)
    assert actions["Call me"]["amazonconnect__CtiScript__c"] == flows["Callback"]["Id"]
    assert json.loads(actions["Call me"]["amazonconnect__Payload__c"]) == {"subject": "Callback"}
    assert (
        json.loads(flows["Callback"]["amazonconnect__Script__c"]) == flow("Callback")["definition"]
    )
    assert flows["Callback"]["amazonconnect__Active__c"] is True
    assert [c.operation for c in org.writes] == ["composite_create", "composite_create"]
    again = deploy(path)
    assert again.exit_code == 0
    assert set(states(again).values()) == {"Unchanged"}
    assert len(org.writes) == 2
    assert TOKEN not in result.output + again.output


def test_changed_fields_are_diffed_and_only_they_are_sent(org: FakeOrg, tmp_path) -> None:
    flow_id = org.insert(
        FLOW,
        {
            "Name": "Callback",
            "amazonconnect__Source__c": "CTI Action",
            "amazonconnect__Event__c": "onCtiAction",
            "amazonconnect__Active__c": False,
            "amazonconnect__Description__c": "Callback flow",
            "amazonconnect__Script__c": json.dumps(flow("Callback")["definition"], indent=4),
        },
    )
    org.insert(
        ACTION,
        {
            "Name": "Call me",
            "amazonconnect__CtiScript__c": flow_id,
            "amazonconnect__Order__c": 1.0,
            "amazonconnect__Payload__c": '{"subject": "Old"}',
            "amazonconnect__Form__c": json.dumps(action("x", "y")["form"]),
        },
    )
    path = write_records(tmp_path, [flow("Callback")], [action("Call me", "Callback")])
    dry = deploy(path, "--dry-run")
    assert dry.exit_code == 0 and org.writes == []
    components = {c["name"]: c for c in report(dry)["components"]}
    assert components["Callback"]["fields"] == [
        {"field": "active", "before": False, "after": True}
    ]  # the script differs only in formatting: unchanged
    assert [f["field"] for f in components["Call me"]["fields"]] == ["payload"]
    result = deploy(path)
    assert result.exit_code == 0, result.output
    sent = [json.loads(c.body)["records"][0] for c in org.writes]
    assert sent == [
        {"attributes": {"type": FLOW}, "Id": flow_id, "amazonconnect__Active__c": True},
        {
            "attributes": {"type": ACTION},
            "Id": sent[1]["Id"],
            "amazonconnect__Payload__c": '{"subject": "Callback"}',
        },
    ]
    assert [c.operation for c in org.writes] == ["composite_update", "composite_update"]


def test_batches_of_200_and_request_count(org: FakeOrg, tmp_path) -> None:
    flows = [flow(f"F{i:04d}") for i in range(450)]
    result = deploy(write_records(tmp_path, flows, []))
    assert result.exit_code == 0, result.output
    assert [c.records for c in org.writes] == [200, 200, 50]
    plan_calls = 2 + 1  # two describes, one query (no actions: their query is skipped)
    assert len(org.calls) == plan_calls + 3 + plan_calls  # plan, writes, verifying re-plan
    assert len(org.records(FLOW)) == 450


def test_locked_rows_are_retried(org: FakeOrg, tmp_path) -> None:
    org.lock(FLOW, "B", times=LOCK_RETRIES)
    result = deploy(write_records(tmp_path, [flow("A"), flow("B")], []))
    assert result.exit_code == 0, result.output
    assert sorted(by_name(org, FLOW)) == ["A", "B"]
    assert [c.records for c in org.writes] == [2, 1, 1, 1]


def test_partial_failure_exits_68_and_a_rerun_converges(org: FakeOrg, tmp_path) -> None:
    org.lock(FLOW, "B", times=LOCK_RETRIES + 1)
    path = write_records(tmp_path, [flow("A"), flow("B")], [action("Uses B", "B")])
    result = deploy(path)
    assert result.exit_code == 68, result.output
    components = {c["name"]: c for c in report(result)["components"]}
    assert components["A"]["state"] == "Created"
    assert components["B"]["state"] == "Failed"
    assert components["B"]["error"].startswith("UNABLE_TO_LOCK_ROW: ")
    assert components["Uses B"]["error"] == "its CTI flow 'B' was not created"
    rerun = deploy(path)
    assert rerun.exit_code == 0, rerun.output
    assert states(rerun) == {"A": "Unchanged", "B": "Created", "Uses B": "Created"}
    assert sorted(by_name(org, FLOW)) == ["A", "B"]


@pytest.mark.parametrize("kind", ["timeout_after_write", "timeout", "connection_error"])
def test_a_lost_create_answer_is_requeried_never_blindly_resent(
    org: FakeOrg, tmp_path, kind: str
) -> None:
    path = write_records(tmp_path, [flow("A"), flow("B")], [])
    org.inject(kind, on="composite_create")
    result = deploy(path)
    assert result.exit_code == 0, result.output
    assert sorted(r["Name"] for r in org.records(FLOW).values()) == ["A", "B"]  # no duplicates
    operations = [c.operation for c in org.calls]
    first = operations.index("composite_create")
    assert operations[first + 1] == "query"  # what exists is asked before anything is resent
    assert operations.count("composite_create") == (1 if kind == "timeout_after_write" else 2)


@pytest.mark.parametrize(
    ("kind", "on", "message"),
    [
        ("request_limit", "composite_create", "REQUEST_LIMIT_EXCEEDED"),
        ("invalid_session", "composite_create", "INVALID_SESSION_ID"),
        ("unavailable", "composite_create", "HTTP 503"),
    ],
)
def test_a_fault_while_writing_fails_what_was_not_sent(
    org: FakeOrg, tmp_path, kind: str, on: str, message: str
) -> None:
    path = write_records(tmp_path, [flow("A")], [action("X", "A")])
    org.inject(kind, on=on, times=10)
    result = deploy(path)
    assert result.exit_code == 1, result.output
    components = report(result)["components"]
    assert {c["state"] for c in components} == {"Failed"}
    assert message in components[0]["error"]
    assert org.records(FLOW) == {}
    org.http.faults.clear()
    rerun = deploy(path)
    assert rerun.exit_code == 0, rerun.output
    assert states(rerun) == {"A": "Created", "X": "Created"}


def test_a_fault_while_reading_is_one_line(org: FakeOrg, tmp_path) -> None:
    org.inject("unavailable", on="query", times=10)
    result = deploy(write_records(tmp_path, [flow("A")], []))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "after 4 attempt(s)" in result.stderr
    assert org.writes == []


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        (FLOW, f"object {FLOW} (CTI flows, 'flow.object' in the default mapping) is not"),
        (f"{ACTION}.amazonconnect__Order__c", "'action.fields.order' in the default mapping"),
    ],
)
def test_mapping_checked_against_describe_before_any_write(
    fake_org: FakeOrg, tmp_path, drop: str, message: str
) -> None:
    add_cti_objects(fake_org, drop=drop)
    result = deploy(write_records(tmp_path, [flow("A")], []))
    assert result.exit_code == 2
    assert message in result.stderr and "--mapping FILE" in result.stderr
    assert fake_org.writes == []


def test_a_custom_mapping_file(fake_org: FakeOrg, tmp_path) -> None:
    add_cti_objects(fake_org)
    fake_org.add_object(
        "My_Flow__c",
        {
            "Title__c": "string",
            "Src__c": "string",
            "Ev__c": "string",
            "On__c": "boolean",
            "Desc__c": "string",
            "Json__c": "string",
        },
        unique=("Title__c",),
    )
    mapping = json.loads(
        (Path(__file__).parents[1] / "sfupgrade/org/default_mapping.json").read_text()
    )
    mapping["flow"] = {
        "object": "My_Flow__c",
        "fields": {
            "name": "Title__c",
            "source": "Src__c",
            "event": "Ev__c",
            "active": "On__c",
            "description": "Desc__c",
            "definition": "Json__c",
        },
    }
    mapping["action"]["fields"]["flow"] = "amazonconnect__CtiScript__c"
    (tmp_path / "m.json").write_text(json.dumps(mapping))
    result = deploy(write_records(tmp_path, [flow("A")], []), "--mapping", str(tmp_path / "m.json"))
    assert result.exit_code == 2  # the action lookup points at the default flow object
    assert "is not a lookup to My_Flow__c" in result.stderr


def test_default_mapping_is_marked_unverified() -> None:
    mapping = load_mapping()
    assert mapping.flow.object == FLOW and mapping.verified is False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"flows": [{"name": "A"}]}, "flows[0]: 'source' is missing"),
        ({"flows": [flow("A"), flow("A")]}, "flow name(s) given twice: A"),
        ({"actions": [action("X", "A", order="1")]}, "'order' is missing or not a whole number"),
        ({"flow": []}, 'expected {"flows"'),
    ],
)
def test_records_file_errors(fake_org: FakeOrg, tmp_path, content: dict, message: str) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(content))
    result = deploy(path)
    assert result.exit_code == 2 and message in result.stderr
    assert fake_org.calls == []


def test_action_with_an_unknown_flow_stops_before_writing(org: FakeOrg, tmp_path) -> None:
    result = deploy(write_records(tmp_path, [flow("A")], [action("X", "Nope")]))
    assert result.exit_code == 1
    assert report(result)["components"][1]["error"] == (
        "its CTI flow 'Nope' is neither in the org nor in the records"
    )
    assert org.writes == []


def test_a_name_held_twice_in_the_org_is_reported_not_guessed(fake_org: FakeOrg, tmp_path) -> None:
    fake_org.add_object(
        FLOW,
        {
            "Name": "string",
            **{
                f: "string"
                for f in (
                    "amazonconnect__Source__c",
                    "amazonconnect__Event__c",
                    "amazonconnect__Active__c",
                    "amazonconnect__Description__c",
                    "amazonconnect__Script__c",
                )
            },
        },
    )
    add_cti_objects(fake_org, drop=FLOW)
    fake_org.insert(FLOW, {"Name": "A"})
    fake_org.insert(FLOW, {"Name": "A"})
    result = deploy(write_records(tmp_path, [flow("A"), flow("B")], []))
    assert result.exit_code == 1
    components = {c["name"]: c for c in report(result)["components"]}
    assert components["A"]["error"] == (f"several {FLOW} records are named 'A'; delete the extras")
    assert fake_org.writes == []


def deploy_content(*args: str) -> Result:
    return CliRunner().invoke(
        cli, ["deploy", *args, "--instance-url", URL, "--format", "json"], catch_exceptions=False
    )


def test_deploys_the_release_content_then_nothing(org: FakeOrg) -> None:
    result = deploy_content()
    assert result.exit_code == 0, result.output
    assert {(c["type"], c["name"], c["state"]) for c in report(result)["components"]} == {
        ("CtiFlow", "Create Callback Task", "Created"),
        ("CtiAction", "Create Callback Task", "Created"),
    }
    flows, actions = by_name(org, FLOW), by_name(org, ACTION)
    flow_id = flows["Create Callback Task"]["Id"]
    assert actions["Create Callback Task"]["amazonconnect__CtiScript__c"] == flow_id
    writes = len(org.writes)
    again = deploy_content()
    assert again.exit_code == 0
    assert {c["state"] for c in report(again)["components"]} == {"Unchanged"}
    assert len(org.writes) == writes


def test_content_with_validation_errors_is_not_deployed(org: FakeOrg, tmp_path: Path) -> None:
    import shutil

    from sfupgrade.files.resources import release_dir

    content = tmp_path / "content"
    shutil.copytree(release_dir(), content)
    action_file = content / "ctiActions" / "Create_Callback_Task.ctiAction.json"
    action_file.write_text(action_file.read_text().replace('"LastName"', '"Surname"'))
    result = deploy_content(str(content))
    assert result.exit_code == 1
    assert "cti-undefined-payload-key" in {f["code"] for f in report(result)["findings"]}
    assert org.writes == []


def long_names(count: int = 200) -> list[str]:
    """Names of 76 to 80 characters, with the quote and spaces a URI must escape."""
    names = []
    for i in range(count):
        name = f"Customer's callback {i:03d} " + "for the agent queue " * 4
        names.append(name[: 76 + i % 5])
    return names


def test_recovery_after_a_lost_answer_keeps_every_uri_under_the_limit(org: FakeOrg, tmp_path):
    """Issue 12, fix 5: 200 long names do not fit one GET; the recovery query is split."""
    names = long_names()
    assert {len(n) for n in names} == {76, 77, 78, 79, 80}
    path = write_records(tmp_path, [flow(n) for n in names], [])
    org.inject("timeout_after_write", on="composite_create")
    result = deploy(path)
    assert result.exit_code == 0, result.output
    assert set(states(result).values()) == {"Created"}
    assert sorted(r["Name"] for r in org.records(FLOW).values()) == sorted(names)
    assert all(c.status not in (414, 431) for c in org.calls)
    recovery = [c for c in org.calls if c.operation == "query" and "WHERE" in c.path]
    assert len(recovery) >= 2
    assert all(len(URL + c.path) <= URI_BUDGET < 16384 for c in recovery)
    assert [c.operation for c in org.writes] == ["composite_create"]  # nothing resent


def test_the_fake_org_refuses_a_uri_over_16384_bytes(org: FakeOrg) -> None:
    import requests

    answer = requests.get(
        f"{URL}/services/data/v62.0/query",
        params={"q": "SELECT Id FROM X WHERE Name IN ('" + "a" * 17000 + "')"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 414


def deploy_library(records: list[dict]) -> tuple[object, object]:
    """Plan and apply with the library API, as CumulusCI or a script would; then re-plan."""
    from sfupgrade.jobs.deploy import apply_deploy, plan_deploy
    from sfupgrade.org.connect import connect
    from sfupgrade.org.options import OrgOptions
    from sfupgrade.org.recordfile import RecordSet

    connection = connect(OrgOptions(instance_url=URL))
    mapping = load_mapping()
    wanted = RecordSet(tuple(records), ())
    applied = apply_deploy(connection, plan_deploy(connection, mapping, wanted), mapping, wanted)
    return applied, plan_deploy(connection, mapping, wanted)


@pytest.mark.parametrize(
    ("overrides", "stored"),
    [
        ({"active": None}, {"amazonconnect__Active__c": False}),
        ({"event": ""}, {"amazonconnect__Event__c": None}),
        ({"event": None}, {"amazonconnect__Event__c": None}),
        ({"description": ""}, {"amazonconnect__Description__c": None}),
        ({"source": "", "description": "", "event": "", "active": None}, {}),
    ],
)
def test_what_is_sent_is_what_the_org_stores_so_a_plan_converges(
    org: FakeOrg, overrides: dict, stored: dict
) -> None:
    """Issue 12, fix 6: a missing ``active`` is false, an empty string is null; apply, re-plan,
    zero changes (the records as ``CtiFlow.record_fields()`` gives them)."""
    record = {**flow("Callback"), **overrides}
    record["definition"] = json.dumps(record["definition"])
    applied, again = deploy_library([record])
    assert [c.state.value for c in applied.changes] == ["Created"]
    assert [c.state.value for c in again.changes] == ["Unchanged"]
    row = by_name(org, FLOW)["Callback"]
    assert {k: row[k] for k in stored} == stored
    sent = json.loads(org.writes[0].body)["records"][0]
    assert None not in (sent["amazonconnect__Active__c"],)
    assert "" not in sent.values()


def test_a_record_without_active_in_the_records_file_is_inactive(org: FakeOrg, tmp_path) -> None:
    record = flow("Callback")
    del record["active"]
    path = write_records(tmp_path, [record], [])
    result = deploy(path)
    assert result.exit_code == 0, result.output
    assert by_name(org, FLOW)["Callback"]["amazonconnect__Active__c"] is False
    assert set(states(deploy(path)).values()) == {"Unchanged"}


def test_an_org_changed_to_empty_text_is_planned_against_null(org: FakeOrg, tmp_path) -> None:
    """A description cleared in the org and an empty one in the file are the same."""
    path = write_records(tmp_path, [flow("Callback", description="", event="")], [])
    assert deploy(path).exit_code == 0
    dry = deploy(path, "--dry-run")
    assert set(states(dry).values()) == {"Unchanged"}


def test_the_records_file_takes_a_null_event(org: FakeOrg, tmp_path) -> None:
    """Issue 12, fix 7: as the release's Create_Callback_Task.ctiFlow.json holds it."""
    path = write_records(tmp_path, [flow("Callback", event=None)], [])
    result = deploy(path)
    assert result.exit_code == 0, result.output
    assert by_name(org, FLOW)["Callback"]["amazonconnect__Event__c"] is None
    assert set(states(deploy(path)).values()) == {"Unchanged"}


def test_the_records_file_still_refuses_a_wrong_event(fake_org: FakeOrg, tmp_path) -> None:
    path = write_records(tmp_path, [flow("Callback", event=3)], [])
    result = deploy(path)
    assert result.exit_code == 2
    assert "flows[0]: 'event' is missing or not a string or null" in result.stderr
    assert fake_org.calls == []
