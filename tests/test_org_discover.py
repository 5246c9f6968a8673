"""`sfupgrade mapping discover`: a mapping file from the org's describe, then a deploy with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.org.discover import LABELS, MODEL_FIELDS, OBJECT
from sfupgrade.org.mapping import load_mapping
from tests.fakeorg import TOKEN, URL, FakeOrg
from tests.fakeorg.cti import add_cti_objects
from tests.org_names import (
    ACTION_FIELDS,
    ACTION_OBJECT,
    FLOW_FIELDS,
    FLOW_OBJECT,
    add_renamed_cti_objects,
)


def discover(*args: str) -> Result:
    return CliRunner().invoke(cli, ["mapping", "discover", "--instance-url", URL, *args])


def deploy_release(*args: str) -> Result:
    return CliRunner().invoke(
        cli, ["deploy", "--instance-url", URL, "--format", "json", *args], catch_exceptions=False
    )


def states(result: Result) -> set[tuple[str, str]]:
    components = json.loads(result.stdout)["result"]["components"]
    return {(c["type"], c["state"]) for c in components}


def test_labels_cover_exactly_the_model_fields() -> None:
    for kind, fields in MODEL_FIELDS.items():
        assert set(LABELS[kind]) == {OBJECT, *fields}


def test_from_mapping_mismatch_to_a_working_deploy(fake_org: FakeOrg, tmp_path: Path) -> None:
    add_renamed_cti_objects(fake_org)
    refused = deploy_release()
    assert refused.exit_code == 2
    assert "sfupgrade mapping discover" in refused.stderr
    assert fake_org.writes == []

    result = discover()
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    for kind, sobject, expected in (
        ("flow", FLOW_OBJECT, FLOW_FIELDS),
        ("action", ACTION_OBJECT, ACTION_FIELDS),
    ):
        assert document[kind]["object"] == sobject
        assert document[kind]["fields"] == {f: spec[0] for f, spec in expected.items()}
        notes = document[kind]["notes"]
        assert notes[OBJECT].startswith("guessed: label 'CTI ")  # no API name matches
        assert {f: notes[f].split(":")[0] for f in expected} == {
            f: spec[3] for f, spec in expected.items()
        }
    assert document["action"]["notes"]["flow"] == f"guessed: the only lookup to {FLOW_OBJECT}"
    assert document["verified"] is False  # some names are guesses
    assert "guessed: flow event -> Trigger__c (label 'Event')" in result.stderr
    assert TOKEN not in result.output

    path = tmp_path / "mapping.json"
    path.write_text(result.stdout)
    assert load_mapping(path).flow.object == FLOW_OBJECT  # accepted as printed
    deployed = deploy_release("--mapping", str(path))
    assert deployed.exit_code == 0, deployed.output
    assert states(deployed) == {("CtiFlow", "Created"), ("CtiAction", "Created")}
    flows = fake_org.records(FLOW_OBJECT)
    (flow_id, flow), *_ = flows.items()
    assert flow["Name"] == "Create Callback Task" and flow["Enabled__c"] is True
    (button,) = fake_org.records(ACTION_OBJECT).values()
    assert button["Runs__c"] == flow_id
    assert json.loads(button["Hardcoded__c"]) == {"SubjectPrepend": "Callback"}
    again = deploy_release("--mapping", str(path))
    assert states(again) == {("CtiFlow", "Unchanged"), ("CtiAction", "Unchanged")}


def test_the_defaults_are_found_by_api_name(fake_org: FakeOrg) -> None:
    add_cti_objects(fake_org)
    result = discover()
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    defaults = load_mapping(None)
    assert document["flow"]["fields"] == dict(defaults.flow.fields)
    assert document["action"]["fields"] == dict(defaults.action.fields)
    assert document["verified"] is True
    assert set(document["flow"]["notes"].values()) == {"found: API name"}


@pytest.mark.parametrize("prefix", ["acme__", ""], ids=["another-namespace", "no-namespace"])
def test_the_defaults_in_another_namespace_or_none_are_found(
    fake_org: FakeOrg, tmp_path: Path, prefix: str
) -> None:
    defaults = load_mapping(None)
    flow_object = defaults.flow.object.replace("amazonconnect__", prefix)
    for om in (defaults.flow, defaults.action):
        fields = {}
        for model_field, api in om.fields:
            kind = {"active": "boolean", "order": "double"}.get(model_field, "textarea")
            if model_field == "flow":
                kind = f"reference:{flow_object}"
            fields[api.replace("amazonconnect__", prefix)] = kind
        fake_org.add_object(om.object.replace("amazonconnect__", prefix), fields, unique=("Name",))
    result = discover()
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["flow"]["object"] == flow_object
    assert document["action"]["fields"]["flow"] == f"{prefix}CtiScript__c"
    assert document["verified"] is True
    path = tmp_path / "mapping.json"
    path.write_text(result.stdout)
    deployed = deploy_release("--mapping", str(path))
    assert deployed.exit_code == 0, deployed.output
    assert states(deployed) == {("CtiFlow", "Created"), ("CtiAction", "Created")}


def test_what_cannot_be_placed_is_listed_with_candidates(fake_org: FakeOrg, tmp_path: Path) -> None:
    add_renamed_cti_objects(fake_org, drop="action.form")
    result = discover()
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    note = document["action"]["notes"]["form"]
    assert note.startswith("missing: ") and "candidates: " in note
    assert "Owner_Note__c" in note  # a free text field is offered
    assert "Hardcoded__c" not in note  # already placed as the payload
    assert document["action"]["fields"]["form"] == load_mapping(None).action.field("form")
    assert "missing: action form" in result.stderr
    path = tmp_path / "mapping.json"
    path.write_text(result.stdout)
    load_mapping(path)  # still a mapping file: the describe check names the key to fix
    refused = deploy_release("--mapping", str(path))
    assert refused.exit_code == 2 and "'action.fields.form'" in refused.stderr


def test_an_org_without_the_adapter(fake_org: FakeOrg) -> None:
    fake_org.add_object("Account", {"Name": "string"}, label="Account")
    result = discover()
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["flow"]["notes"]["object"].startswith("missing: no sObject matches")
    assert "is the CTI Adapter installed?" in result.stderr
    assert fake_org.writes == []


def test_hostile_names_are_escaped_on_the_terminal(fake_org: FakeOrg) -> None:
    add_renamed_cti_objects(fake_org)
    fake_org.data.objects[FLOW_OBJECT].fields["Trigger__c"]["label"] = "Ev\x1bent"
    fake_org.data.objects["../../x\x1b"] = fake_org.data.objects["Account"]
    result = discover()
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "x1bent" in result.stderr  # escaped, still readable
    assert not any("x" in c.path for c in fake_org.calls if c.operation == "describe")


def test_needs_an_org(monkeypatch) -> None:
    monkeypatch.delenv("SF_ORG_INSTANCE_URL", raising=False)
    monkeypatch.delenv("SF_TARGET_ORG", raising=False)
    result = CliRunner().invoke(cli, ["mapping", "discover"])
    assert result.exit_code == 2 and "needs an org" in result.stderr


def test_a_label_that_contains_the_word_is_a_guess(fake_org: FakeOrg) -> None:
    add_renamed_cti_objects(fake_org)
    fields = fake_org.data.objects[FLOW_OBJECT].fields
    fields["Trigger__c"]["label"] = "Event Type"
    fields["Body__c"]["label"] = "Flow Body Text"  # no known label: the API name has no word
    fields["Flow_Script_Text__c"] = fields.pop("Body__c") | {"name": "Flow_Script_Text__c"}
    result = discover()
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["flow"]["fields"]["event"] == "Trigger__c"
    assert document["flow"]["notes"]["event"] == "guessed: label 'Event Type' contains 'event'"
    assert document["flow"]["fields"]["definition"] == "Flow_Script_Text__c"
    assert "contains 'script'" in document["flow"]["notes"]["definition"]
