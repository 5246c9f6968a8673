"""A run that dies mid-way (killed between batches, or right after a write whose answer never
came back) leaves the org and the files in a state from which a rerun finishes the upgrade:
every record exists exactly once with the right values, nothing is lost, and the rerun writes
only what was missing.

The fake org raises :class:`~tests.fakeorg.Crash` (a BaseException, as a kill would be: nothing
catches it) from inside the Nth write request, before or after the org applies it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.org import records as org_records
from tests.fakeorg import URL, Crash, FakeOrg
from tests.fakeorg.cti import ACTION, FLOW, action, add_cti_objects, flow

VALUE_SET = "AC_CtiScriptSource"


@pytest.fixture
def org(fake_org: FakeOrg) -> FakeOrg:
    add_cti_objects(fake_org, unique_names=False)  # so a record sent twice would be stored twice
    return fake_org


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--format", "json"])


def deploy(path: Path) -> Result:
    return run("deploy", "--records", str(path), "--instance-url", URL)


def write_records(tmp_path: Path, flows: list, actions: list | None = None) -> Path:
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"flows": flows, "actions": actions or []}))
    return path


def states(result: Result) -> Counter[str]:
    return Counter(c["state"] for c in json.loads(result.stdout)["result"]["components"])


def stored(org: FakeOrg, sobject: str) -> dict[str, dict]:
    """The org's records by name, insisting that no name is held twice."""
    rows = [{"Id": i, **r} for i, r in org.records(sobject).items()]
    names = Counter(r["Name"] for r in rows)
    assert [n for n, k in names.items() if k > 1] == []
    return {r["Name"]: r for r in rows}


def record_writes(org: FakeOrg) -> list[int]:
    return [c.records for c in org.writes if c.operation.startswith("composite_")]


def rerun_writes_only_the_rest(org: FakeOrg, path: Path, wanted: dict, writes: list[int]) -> None:
    """Deploy again: it must finish, planning ``wanted`` states and sending ``writes``."""
    org.calls.clear()
    rerun = deploy(path)
    assert rerun.exit_code == 0, rerun.output
    assert states(rerun) == wanted
    assert record_writes(org) == writes


def assert_flows_are(org: FakeOrg, wanted: list[dict]) -> None:
    flows = stored(org, FLOW)
    assert sorted(flows) == sorted(f["name"] for f in wanted)
    for record in wanted:
        row = flows[record["name"]]
        assert row["amazonconnect__Active__c"] is record["active"]
        assert row["amazonconnect__Description__c"] == record["description"]
        assert json.loads(row["amazonconnect__Script__c"]) == record["definition"]


# -- deploy: collections ---------------------------------------------------------------------

FLOWS = [flow(f"F{i:04d}") for i in range(450)]  # three collection batches: 200, 200, 50


@pytest.mark.parametrize(
    ("kind", "kept", "rerun_writes"),
    [
        ("crash", 200, [200, 50]),  # killed before the second batch reached the org
        ("crash_after_write", 400, [50]),  # the second batch was saved; its answer never came
    ],
)
def test_deploy_killed_between_batches_then_rerun(
    org: FakeOrg, tmp_path: Path, kind: str, kept: int, rerun_writes: list[int]
) -> None:
    path = write_records(tmp_path, FLOWS)
    org.inject(kind, on="composite_create", after=1)
    with pytest.raises(Crash):
        deploy(path)
    assert len(stored(org, FLOW)) == kept
    assert len(record_writes(org)) == 2  # died in the second call: the third never started
    rerun_writes_only_the_rest(
        org, path, {"Unchanged": kept, "Created": 450 - kept}, rerun_writes
    )  # only what was missing
    assert_flows_are(org, FLOWS)


def test_a_connection_lost_for_good_fails_the_rest_and_a_rerun_sends_only_that(
    org: FakeOrg, tmp_path: Path
) -> None:
    """Not a kill: the second batch and its recovery both lose the connection (never retried
    blindly); the run reports what was not sent, exit 68, and a rerun completes."""
    path = write_records(tmp_path, FLOWS)
    org.inject("connection_error", on="composite_create", after=1, times=2)
    result = deploy(path)
    assert result.exit_code == 68, result.output
    assert states(result) == {"Created": 200, "Failed": 250}
    failed = [c for c in json.loads(result.stdout)["result"]["components"] if c.get("error")]
    assert all("not sent" in c["error"] for c in failed)
    assert len(stored(org, FLOW)) == 200
    rerun_writes_only_the_rest(org, path, {"Unchanged": 200, "Created": 250}, [200, 50])
    assert_flows_are(org, FLOWS)


def test_killed_after_the_flows_the_rerun_links_actions_to_them(
    org: FakeOrg, tmp_path: Path
) -> None:
    flows = [flow(f"F{i:03d}") for i in range(250)]
    actions = [action(f"A{i:03d}", f"F{i:03d}", order=i) for i in range(250)]
    path = write_records(tmp_path, flows, actions)
    org.inject("crash", on="composite_create", after=2)  # flows in two batches, then death
    with pytest.raises(Crash):
        deploy(path)
    assert len(stored(org, FLOW)) == 250 and stored(org, ACTION) == {}
    rerun_writes_only_the_rest(org, path, {"Unchanged": 250, "Created": 250}, [200, 50])
    flow_ids = {name: row["Id"] for name, row in stored(org, FLOW).items()}
    linked = stored(org, ACTION)
    assert sorted(linked) == [a["name"] for a in actions]
    for record in actions:
        row = linked[record["name"]]
        assert row["amazonconnect__CtiScript__c"] == flow_ids[record["flow"]]
        assert row["amazonconnect__Order__c"] == record["order"]
        assert json.loads(row["amazonconnect__Payload__c"]) == record["payload"]


def test_updates_killed_between_batches_then_rerun(org: FakeOrg, tmp_path: Path) -> None:
    old = [dict(f, active=False, description="old") for f in FLOWS]
    assert deploy(write_records(tmp_path, old)).exit_code == 0
    ids = {name: row["Id"] for name, row in stored(org, FLOW).items()}
    path = write_records(tmp_path, FLOWS)
    org.inject("crash", on="composite_update", after=1)
    with pytest.raises(Crash):
        deploy(path)
    rerun_writes_only_the_rest(org, path, {"Unchanged": 200, "Changed": 250}, [200, 50])
    assert_flows_are(org, FLOWS)
    assert {name: row["Id"] for name, row in stored(org, FLOW).items()} == ids  # updated in place


# -- deploy: Bulk API 2.0 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "on", "kept"),
    [
        ("crash", "bulk_upload", 0),  # the job was opened, never filled: it saves nothing
        ("crash", "bulk_close", 0),
        ("crash_after_write", "bulk_close", 12),  # the job ran; the process died waiting
    ],
)
def test_bulk_job_killed_then_rerun(
    org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, on: str, kept: int
) -> None:
    monkeypatch.setattr(org_records, "BULK_THRESHOLD", 5)
    flows = [flow(f"F{i:02d}") for i in range(12)]
    path = write_records(tmp_path, flows)
    org.inject(kind, on=on)
    with pytest.raises(Crash):
        deploy(path)
    assert len(stored(org, FLOW)) == kept
    org.calls.clear()
    rerun = deploy(path)
    assert rerun.exit_code == 0, rerun.output
    assert states(rerun) == ({"Unchanged": 12} if kept else {"Created": 12})
    assert org.count("bulk_job") == (0 if kept else 1)
    assert_flows_are(org, flows)


# -- upgrade on an org: the value set, then the records -------------------------------------


def values(org: FakeOrg, full_name: str) -> list[str]:
    return [v["fullName"] for v in org.value_set(full_name).values]


@pytest.mark.parametrize(
    ("kind", "on", "after", "flows_kept", "actions_kept"),
    [
        ("crash_after_write", "updateMetadata", 0, 0, 0),  # value set saved, answer lost
        ("crash", "composite_create", 0, 0, 0),  # between the value set and the records
        ("crash", "composite_create", 1, 1, 0),  # between the flow and its action
        ("crash_after_write", "composite_create", 0, 1, 0),  # the flow saved, answer lost
        ("crash_after_write", "composite_create", 1, 1, 1),  # all saved, last answer lost
    ],
)
def test_upgrade_on_an_org_killed_mid_way_then_rerun(
    fake_org: FakeOrg, kind: str, on: str, after: int, flows_kept: int, actions_kept: int
) -> None:
    full_name = fake_org.add_value_set(
        VALUE_SET, [{"fullName": "voiceContact", "label": "Voice Contact"}]
    )
    add_cti_objects(fake_org, unique_names=False)
    upgrade = ("upgrade", "--instance-url", URL)
    fake_org.inject(kind, on=on, after=after)
    with pytest.raises(Crash):
        run(*upgrade)
    assert values(fake_org, full_name) == ["voiceContact", "ctiAction"]
    assert len(stored(fake_org, FLOW)) == flows_kept
    assert len(stored(fake_org, ACTION)) == actions_kept
    fake_org.calls.clear()
    rerun = run(*upgrade)
    assert rerun.exit_code == 0, rerun.output
    components = json.loads(rerun.stdout)["result"]["components"]
    assert [c["state"] for c in components] == [
        "Unchanged",
        "Unchanged" if flows_kept else "Created",
        "Unchanged" if actions_kept else "Created",
    ]
    assert fake_org.count("updateMetadata") == 0  # the value set is not written twice
    assert values(fake_org, full_name) == ["voiceContact", "ctiAction"]
    (flow_row,) = stored(fake_org, FLOW).values()
    (action_row,) = stored(fake_org, ACTION).values()
    assert action_row["amazonconnect__CtiScript__c"] == flow_row["Id"]
    assert flow_row["amazonconnect__Source__c"] == "ctiAction"  # the value the upgrade adds
    fake_org.calls.clear()
    assert run(*upgrade).exit_code == 0 and fake_org.writes == []  # and now it is done


def test_an_answer_lost_mid_way_is_recovered_in_the_same_run(org: FakeOrg, tmp_path) -> None:
    """Not a kill: the second batch is saved but its answer times out. The run asks which of
    its names exist and resends none of them; the third batch follows; nothing is doubled."""
    org.inject("timeout_after_write", on="composite_create", after=1)
    result = deploy(write_records(tmp_path, FLOWS))
    assert result.exit_code == 0, result.output
    assert states(result) == {"Created": 450}
    assert record_writes(org) == [200, 200, 50]
    operations = [c.operation for c in org.calls if c.operation != "describe"]
    create, query = "composite_create", "query"
    # plan; three creates with the names of the second asked for; the verifying re-plan
    assert operations == [query, create, create, query, create, query]
    assert_flows_are(org, FLOWS)
