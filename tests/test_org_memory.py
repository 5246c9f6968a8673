"""Planners and appliers over the org port, against the in-memory org (no HTTP at all).

The same functions the CLI runs against a real org through the Salesforce adapter; the wire
(SOAP bodies, Bulk CSV, URI limits, retries) is tested against the HTTP fake org elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfupgrade.core.errors import FailureError
from sfupgrade.jobs.deploy import apply_deploy, content_records, plan_deploy
from sfupgrade.jobs.upgrade import UpgradeRequest, apply_upgrade, plan_upgrade
from sfupgrade.model.plan import State
from sfupgrade.model.value import replace
from sfupgrade.model.valueset import CustomValue, PicklistRequest, ValueSet
from sfupgrade.model.writes import OrgValueSetWrite
from sfupgrade.org import records as records_module
from sfupgrade.org.connect import OrgError
from sfupgrade.org.discover import FOUND, discover_mapping
from sfupgrade.org.mapping import MappingError, load_mapping
from sfupgrade.org.memory import MemoryOrg
from sfupgrade.org.pull import apply_pull, plan_pull
from sfupgrade.org.recordfile import RecordSet
from sfupgrade.org.records import LOCK_RETRIES, apply_records, plan_records
from sfupgrade.org.valueset import (
    ValueSetNotFoundError,
    apply_org_changes,
    check_org_changes,
    plan_org_value_set,
)
from tests.fakeorg.cti import ACTION, FLOW, action, add_cti_objects, flow

NAME = "AC_CtiScriptSource"
OTHERS = (
    CustomValue("voiceContact", "Voice Contact", default=True, color="#FF0000"),
    CustomValue("chatContact", "Chat Contact", is_active=False, description="old"),
)


@pytest.fixture
def org() -> MemoryOrg:
    org = MemoryOrg()
    org.add_value_set(ValueSet(NAME, NAME, values=OTHERS))
    add_cti_objects(org)  # type: ignore[arg-type]  # the fake org's builder, duck-typed
    return org


def by_name(org: MemoryOrg, sobject: str) -> dict[str, dict]:
    return {r["Name"]: {"Id": i, **r} for i, r in org.records(sobject).items()}


def saves(org: MemoryOrg) -> list[int]:
    return [n for op, _, n in org.log if op == "save"]


# -- the value set -----------------------------------------------------------------------------


def test_the_value_set_is_planned_as_data_and_written_whole(org: MemoryOrg) -> None:
    change = plan_org_value_set(org, PicklistRequest())
    assert change.state is State.CHANGED and change.target == "org:memory.example"
    assert change.operation == OrgValueSetWrite(NAME, org.value_sets[NAME], change.operation.after)
    assert org.writes == []  # planning reads only
    apply_org_changes(org, [change])
    stored = org.value_sets[NAME]
    assert [v.full_name for v in stored.values] == ["voiceContact", "chatContact", "ctiAction"]
    assert stored.values[:2] == OTHERS  # colours, defaults, inactive flags as they were
    assert org.writes == [("write_value_set", NAME, 3)]
    assert plan_org_value_set(org, PicklistRequest()).state is State.UNCHANGED


def test_the_memory_org_deactivates_what_a_whole_set_update_leaves_out(org: MemoryOrg) -> None:
    assert org.write_value_set(NAME, ValueSet(NAME, NAME, values=OTHERS[1:])) == []
    left_out = replace(OTHERS[0], is_active=False)
    assert org.value_sets[NAME].values == (OTHERS[1], left_out)


def test_a_set_changed_since_planning_is_not_overwritten(org: MemoryOrg) -> None:
    change = plan_org_value_set(org, PicklistRequest())
    org.value_sets[NAME] = replace(org.value_sets[NAME], values=OTHERS[:1])
    with pytest.raises(OrgError, match="changed in the org since it was planned"):
        apply_org_changes(org, [change])
    assert org.writes == []


def test_a_refused_save_is_one_error_and_nothing_changes(org: MemoryOrg) -> None:
    change = plan_org_value_set(org, PicklistRequest())
    org.save_error = "FIELD_INTEGRITY_EXCEPTION: no"
    with pytest.raises(OrgError, match=r"FIELD_INTEGRITY_EXCEPTION: no.*saved nothing"):
        apply_org_changes(org, [change])
    assert org.value_sets[NAME].values == OTHERS


def test_check_only_validates_the_merged_set_and_saves_nothing(org: MemoryOrg) -> None:
    change = plan_org_value_set(org, PicklistRequest())
    assert check_org_changes(org, [change]) == ["0Af000000000000000"]
    assert org.checked == [(NAME, change.operation.after)] and org.writes == []
    org.check_problem = "Picklist value: ctiAction is too long"
    with pytest.raises(OrgError, match="too long; nothing was saved"):
        check_org_changes(org, [change])


def test_the_set_is_found_under_its_one_namespace() -> None:
    org = MemoryOrg()
    full_name = org.add_value_set(ValueSet(NAME, NAME, values=OTHERS), namespace="amazonconnect")
    assert plan_org_value_set(org, PicklistRequest()).name == full_name
    org.add_value_set(ValueSet(NAME, NAME), namespace="other")
    with pytest.raises(ValueSetNotFoundError, match="several value sets end in"):
        plan_org_value_set(org, PicklistRequest())
    assert plan_org_value_set(org, PicklistRequest(namespace="other")).name == f"other__{NAME}"


# -- records -----------------------------------------------------------------------------------


def deploy(org: MemoryOrg, flows: list, actions: list = ()) -> tuple:
    mapping = load_mapping()
    wanted = RecordSet(tuple(flows), tuple(actions))
    applied = apply_deploy(org, plan_deploy(org, mapping, wanted), mapping, wanted)
    return applied, plan_deploy(org, mapping, wanted)


def test_flows_then_actions_with_the_lookup_then_nothing(org: MemoryOrg) -> None:
    applied, again = deploy(org, [flow("Callback")], [action("Call me", "Callback")])
    assert [c.state for c in applied.changes] == [State.CREATED, State.CREATED]
    assert {c.state for c in again.changes} == {State.UNCHANGED}
    flows, actions = by_name(org, FLOW), by_name(org, ACTION)
    assert actions["Call me"]["amazonconnect__CtiScript__c"] == flows["Callback"]["Id"]
    assert saves(org) == [1, 1]


def test_only_changed_fields_are_sent(org: MemoryOrg) -> None:
    deploy(org, [flow("Callback")])
    org.log.clear()
    applied, _ = deploy(org, [flow("Callback", active=False)])
    assert [d.field for d in applied.changes[0].fields] == ["active"]
    assert by_name(org, FLOW)["Callback"]["amazonconnect__Active__c"] is False
    assert saves(org) == [1]


@pytest.mark.parametrize("times", [LOCK_RETRIES, LOCK_RETRIES + 1])
def test_locked_records_are_sent_again_a_few_times(org: MemoryOrg, times: int) -> None:
    org.lock(FLOW, "B", times=times)
    mapping = load_mapping()
    changes = plan_records(org, mapping, [flow("A"), flow("B")], [action("Uses B", "B")])
    applied = {c.name: c for c in apply_records(org, changes)}
    if times == LOCK_RETRIES:
        assert {c.state for c in applied.values()} == {State.CREATED}
        assert [n for op, _, n in org.log if op == "backoff"] == list(range(LOCK_RETRIES))
    else:
        assert applied["B"].error.startswith("UNABLE_TO_LOCK_ROW: ")
        assert applied["Uses B"].error == "its CTI flow 'B' was not created"
        assert sorted(by_name(org, FLOW)) == ["A"]


def test_a_lost_create_answer_is_asked_about_never_resent_blindly(org: MemoryOrg) -> None:
    org.lost_answers = 1
    applied, again = deploy(org, [flow("A"), flow("B")])
    assert [c.state for c in applied.changes] == [State.CREATED, State.CREATED]
    assert sorted(by_name(org, FLOW)) == ["A", "B"]  # no duplicates, nothing refused
    ops = [op for op, _, _ in org.log]
    assert ops[ops.index("save") + 1] == "query_named" and ops.count("save") == 1
    assert {c.state for c in again.changes} == {State.UNCHANGED}


def test_a_request_that_fails_fails_what_was_not_sent(org: MemoryOrg, monkeypatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> list:
        raise OrgError("memory.example: REQUEST_LIMIT_EXCEEDED")

    changes = plan_records(org, load_mapping(), [flow("A")], [action("X", "A")])
    monkeypatch.setattr(org, "save", refuse)
    applied = apply_records(org, changes)
    assert {c.state for c in applied} == {State.FAILED}
    assert applied[0].error == "not sent: memory.example: REQUEST_LIMIT_EXCEEDED"


def test_above_the_threshold_records_go_in_bulk(org: MemoryOrg, monkeypatch) -> None:
    monkeypatch.setattr(records_module, "BULK_THRESHOLD", 3)
    deploy(org, [flow(f"F{i}") for i in range(5)])
    assert [op for op, _, _ in org.log if op.startswith("save")] == ["save_bulk"]
    assert len(org.records(FLOW)) == 5


def test_a_mapping_the_org_does_not_have_stops_planning() -> None:
    org = MemoryOrg()
    add_cti_objects(org, drop=FLOW)  # type: ignore[arg-type]
    with pytest.raises(MappingError, match="is not in the org"):
        plan_records(org, load_mapping(), [flow("A")], [])


text = st.sampled_from(["", "x", "  "]) | st.none()
flow_fields = st.fixed_dictionaries(
    {
        "source": st.sampled_from(["ctiAction", ""]) | st.none(),
        "event": text,
        "active": st.booleans() | st.none(),
        "description": text,
        "definition": st.sampled_from(["", '{"a": 1}']) | st.none(),
    }
)


@settings(max_examples=40, deadline=None)
@given(
    first=st.lists(flow_fields, min_size=3, max_size=3),
    second=st.lists(flow_fields, min_size=3, max_size=3),
    bulk=st.booleans(),
)
def test_every_plan_converges(first, second, bulk: bool) -> None:
    """Apply, re-plan, nothing left: what is sent is what the org stores."""
    org = MemoryOrg()
    add_cti_objects(org)  # type: ignore[arg-type]
    threshold = records_module.BULK_THRESHOLD
    records_module.BULK_THRESHOLD = 1 if bulk else threshold
    try:
        for fields in (first, second):
            wanted = [{"name": f"F{i}", **f} for i, f in enumerate(fields)]
            applied, again = deploy(org, wanted)
            assert not applied.failed, [c.error for c in applied.changes]
            assert {c.state for c in again.changes} == {State.UNCHANGED}
    finally:
        records_module.BULK_THRESHOLD = threshold
    for row in org.records(FLOW).values():
        assert isinstance(row["amazonconnect__Active__c"], bool) and "" not in row.values()


# -- upgrade, pull, discover -------------------------------------------------------------------


def test_an_upgrade_on_a_memory_org_writes_the_plan_then_verifies(org: MemoryOrg) -> None:
    from sfupgrade.files.resources import release_dir

    request = UpgradeRequest(Path.cwd(), content=(release_dir(),), org=org)
    plan = plan_upgrade(request)
    assert [c.state for c in plan.changes] == [State.CHANGED, State.CREATED, State.CREATED]
    assert org.writes == []
    apply_upgrade(plan, request)
    # The value set first (the flow's source is its new value), then the flow, then its action.
    assert [(op, what) for op, what, _ in org.writes] == [
        ("write_value_set", NAME),
        ("save", FLOW),
        ("save", ACTION),
    ]
    assert {c.state for c in plan_upgrade(request).changes} == {State.UNCHANGED}


def test_a_failed_verification_after_writing_is_reported(org: MemoryOrg, monkeypatch) -> None:
    from sfupgrade.core.errors import PartlyAppliedError
    from sfupgrade.files.resources import release_dir

    request = UpgradeRequest(Path.cwd(), content=(release_dir(),), org=org)
    plan = plan_upgrade(request)
    monkeypatch.setattr(org, "query", lambda *_: [])  # the re-plan sees nothing written
    with pytest.raises(PartlyAppliedError, match="verification failed"):
        apply_upgrade(plan, request)
    assert plan.applied and plan.failure is not None


def test_pull_then_deploy_plans_nothing(org: MemoryOrg, tmp_path: Path) -> None:
    from sfupgrade.cti.load import load_content

    flow_id = org.insert(
        FLOW,
        {
            "Name": "Built",
            "amazonconnect__Source__c": "ctiAction",
            "amazonconnect__Script__c": json.dumps({"actions": [{"id": "1", "type": "Start"}]}),
        },
    )
    org.insert(
        ACTION,
        {
            "Name": "Button",
            "amazonconnect__CtiScript__c": flow_id,
            "amazonconnect__Form__c": json.dumps({"fields": [{"key": "a", "label": "A"}]}),
        },
    )
    mapping = load_mapping()
    pulled = plan_pull(org, mapping, tmp_path)
    assert pulled.skipped == [] and (pulled.flows, pulled.actions) == (1, 1)
    apply_pull(pulled)
    wanted = content_records(load_content([tmp_path]))
    plan = plan_deploy(org, mapping, wanted)
    assert {(c.name, c.state) for c in plan.changes} == {
        ("Built", State.UNCHANGED),
        ("Button", State.UNCHANGED),
    }
    assert {f.state for f in plan_pull(org, mapping, tmp_path).files} == {"unchanged"}


def test_discover_places_the_defaults_by_api_name(org: MemoryOrg) -> None:
    found = discover_mapping(org)
    assert found.complete and {p.status for p in found.placements} == {FOUND}
    assert load_mapping().flow.object == found.of("flow")[0].api_name


def test_apply_deploy_insists_nothing_is_left(org: MemoryOrg, monkeypatch) -> None:
    mapping = load_mapping()
    wanted = RecordSet((flow("A"),), ())
    plan = plan_deploy(org, mapping, wanted)
    real_save = org.save

    def forgetful(sobject: str, records: list, create: bool) -> list:
        results = real_save(sobject, records, create)
        org.records(FLOW).clear()
        return results

    monkeypatch.setattr(org, "save", forgetful)
    with pytest.raises(FailureError, match="still pending after apply: A"):
        apply_deploy(org, plan, mapping, wanted)
