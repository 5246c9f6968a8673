"""The screen may send a clean flow to the full checks, never wave through one with a finding.

``sfupgrade validate`` skips the full checks for a flow the screen calls clean, so a wrong "clean"
would hide an error from CI. These tests mutate the shipped flow in every way the checks care
about and compare the screen's verdict with the full checks' findings.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from cti_helpers import FIXTURES, need_fixtures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfupgrade.cti import validate as v
from sfupgrade.cti.load import CtiContentError, FlowFile, load_action
from sfupgrade.cti.model import CtiAction, Form, FormField, PayloadEntry
from sfupgrade.cti.screen import actions_agree, payload_read
from sfupgrade.resources import release_dir

FLOW = json.loads((release_dir() / "ctiFlows" / "Create_Callback_Task.json").read_text())
RECORD = {"name": "Create Callback Task", "source": "ctiAction", "active": True}
ACTION = load_action(release_dir() / "ctiActions" / "Create_Callback_Task.ctiAction.json")

STRINGS = [
    "$.payload.FirstName",
    "$.payload.LastName",
    "$.payload.CallbackPhone",
    "$.payload.SubjectPrepend",
    "$.payload.Nope",
    "$.payload.FirstName.trim",
    "$.payload.",
    "$.actions.uid-2.results",
    "$.actions.uid-2.results.Id",
    "$.actions.uid-2.results[0]",
    "$.actions.nowhere.results.Id",
    "$.actions.uid-2.resultsX",
    "$.actions.uid-2.results.",
    "$.contact.queue.name",
    "$.contact.",
    "$.bogus",
    "$",
    "plain text",
    "",
]
IDS = ["uid-2", "uid-4", "uid-14", "nowhere", "", "0"]
KEYS = ["FirstName", "LastName", "CallbackPhone", "SubjectPrepend", "Nope"]


def _mutate(data: dict[str, Any], kind: str, at: int, pick: int, text: str = "") -> None:
    blocks = data["actions"]
    if not blocks:
        return
    block = blocks[at % len(blocks)]
    text = text or STRINGS[pick % len(STRINGS)]
    other = IDS[pick % len(IDS)]
    if kind == "drop-block":
        blocks.remove(block)
    elif kind == "copy-block":
        blocks.append(copy.deepcopy(block))
    elif kind == "set-id":
        block["id"] = other
    elif kind == "set-type":
        block["type"] = ["SE_Start", "SE_End", "", 5, None][pick % 5]
    elif kind == "set-port":
        if isinstance(block.get("ports"), dict):
            block["ports"][f"p{pick % 3}"] = [other, 7][pick % 2 if pick % 7 == 0 else 0]
    elif kind == "drop-ports":
        block.pop("ports", None)
    elif kind == "bad-shape":
        field = ["controls", "meta", "ports", "position", "id"][pick % 5]
        block[field] = [[], "x", 3, {"a": 1}, None][pick % 5]
    elif kind == "set-position":
        block["position"] = [[1, 2], [1.5, True], ["1", 2], [], None][pick % 5]
    elif kind == "set-control":
        if isinstance(block.get("controls"), dict):
            block["controls"][f"c{pick % 4}"] = text
    elif kind == "nest-control":
        if isinstance(block.get("controls"), dict):
            block["controls"]["nested"] = [{"deep": text}, [text], {"n": 1}][pick % 3]
    elif kind == "meta-string":
        block["meta"] = {"note": text}
    elif kind == "flatten":  # no nested controls: the screen takes its flat path
        for each in blocks:
            if isinstance(each.get("controls"), dict):
                each["controls"] = {
                    k: x for k, x in each["controls"].items() if not isinstance(x, dict | list)
                }
    elif kind == "name":
        data["name"] = [5, "", "Other"][pick % 3]


MUTATION = st.tuples(
    st.sampled_from(
        [
            "drop-block",
            "copy-block",
            "set-id",
            "set-type",
            "set-port",
            "drop-ports",
            "bad-shape",
            "set-position",
            "set-control",
            "nest-control",
            "meta-string",
            "flatten",
            "name",
        ]
    ),
    st.integers(0, 30),
    st.integers(0, 200),
    st.sampled_from(STRINGS),
)
RECORDS = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"name": st.just(RECORD["name"]), "source": st.sampled_from(["ctiAction", "inbound"])},
        optional={"active": st.booleans()},
    ),
)
# Actions that match the flow exactly are drawn often: only then can a flow be clean at all.
EXTRA = CtiAction("B", RECORD["name"], 1, (*ACTION.payload, PayloadEntry("Nope", "x")), ACTION.form)
ACTIONS = st.one_of(
    st.sampled_from([[], [ACTION], [ACTION, ACTION], [EXTRA], [ACTION, EXTRA]]),
    st.lists(
        st.builds(
            lambda payload, form: CtiAction(
                "A",
                RECORD["name"],
                1,
                tuple(PayloadEntry(key, "x") for key in payload),
                Form("t", "i", tuple(FormField(key, key, "Text", 1, False) for key in form)),
            ),
            st.lists(st.sampled_from(KEYS), max_size=3),
            st.lists(st.sampled_from(KEYS), max_size=4),
        ),
        max_size=2,
    ),
)


def is_clean(data: Any, fields: dict | None, actions: list[CtiAction], colons: int | None = None):
    """The screen's verdict as ``cti.check`` takes it: the flow's own pass, then its actions."""
    read = payload_read(data, colons)
    fields = fields or {}
    return read is not None and actions_agree(
        read, fields.get("source"), fields.get("active"), actions
    )


def full_findings(data: Any, fields: dict | None, actions: list[CtiAction]) -> list[Any]:
    """What ``validate`` reports for this flow and the actions that run it."""
    record = "f.ctiFlow.json" if fields is not None else None
    file = FlowFile("f.json", json.dumps(data, indent=2), data, fields, record)
    try:
        flow = file.build()
    except CtiContentError as exc:
        return [str(exc)]
    found: list[Any] = v.check_graph(flow)
    for action in actions:
        found += v.check_action_flow(action, flow)
    return found


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATION, max_size=3), RECORDS, ACTIONS)
def test_a_flow_called_clean_has_no_finding(mutations, fields, actions):
    data = copy.deepcopy(FLOW)
    for mutation in mutations:
        _mutate(data, *mutation)
    if is_clean(data, fields, actions):
        assert full_findings(data, fields, actions) == []


@pytest.mark.parametrize(
    "mutation",
    [
        ("set-control", 5, 4),  # $.payload.Nope: a key the action lacks
        ("set-control", 5, 10),  # a block that does not exist
        ("set-control", 5, 11),  # malformed
        ("set-port", 0, 3),  # a port to nowhere
        ("drop-block", 1, 0),  # the rest unreachable
        ("set-type", 3, 0),  # a second start
        ("set-id", 3, 1),  # an id used twice
        ("bad-shape", 2, 0),  # controls that are a list
        ("set-position", 2, 1),  # a coordinate that is a bool
        ("nest-control", 5, 69),  # $.bogus, nested in a list
        ("set-control", 5, 16),  # a lone "$"
        ("nest-control", 5, 16),  # ... nested in a map
    ],
)
@pytest.mark.parametrize("flat", [False, True], ids=["nested", "flat"])
def test_each_kind_of_problem_is_sent_to_the_full_checks(mutation, flat):
    data = copy.deepcopy(FLOW)
    if flat:
        _mutate(data, "flatten", 0, 0)
    _mutate(data, *mutation)
    assert full_findings(data, RECORD, [ACTION])
    assert not is_clean(data, RECORD, [ACTION])


def test_the_shipped_flow_and_its_action_are_screened_clean():
    """Else the screen would be sound only by never saying clean, and validate would be slow."""
    assert full_findings(FLOW, RECORD, [ACTION]) == []
    assert is_clean(FLOW, RECORD, [ACTION])
    flat = copy.deepcopy(FLOW)
    _mutate(flat, "flatten", 0, 0)
    assert full_findings(flat, None, []) == []
    assert is_clean(flat, None, [])


@pytest.mark.parametrize(
    ("fields", "actions"),
    [
        (dict(RECORD, source="inbound"), [ACTION]),  # an action runs a flow not meant for it
        (dict(RECORD, active=False), [ACTION]),  # ... an inactive one
        (None, [ACTION]),  # ... one without a record
        (RECORD, [CtiAction("A", RECORD["name"], 1, (PayloadEntry("Extra", "x"),))]),
    ],
)
def test_records_and_actions_that_need_a_finding_are_not_clean(fields, actions):
    assert full_findings(FLOW, fields, actions)
    assert not is_clean(FLOW, fields, actions)


def test_a_string_outside_the_controls_does_not_count_as_read():
    """A payload key named only in a block's meta is unused: a warning the screen must not skip."""
    text = json.dumps(FLOW).replace('"$.payload.CallbackPhone"', '"$.contact.phone"')
    data = json.loads(text)
    data["actions"][0]["meta"] = {"note": "$.payload.CallbackPhone"}
    assert [f.code for f in full_findings(data, RECORD, [ACTION])] == [v.UNUSED_PAYLOAD_KEY]
    assert not is_clean(data, RECORD, [ACTION])


def test_aws_flows_without_findings_are_screened_clean():
    need_fixtures()
    clean = screened = 0
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "actions" not in data:
            continue
        nothing = full_findings(data, None, []) == []
        verdict = is_clean(data, None, [])
        assert nothing or not verdict, path.name
        clean += nothing
        screened += verdict
    assert clean and screened == clean


TEXT = (release_dir() / "ctiFlows" / "Create_Callback_Task.json").read_text(encoding="utf-8")
OPENS = [at for at, char in enumerate(TEXT) if char == "{"]


def _with_repeat(at: int, nested: bool) -> str:
    """The shipped flow with a key repeated in the object that opens at ``at``."""
    value = '{"x": 1}' if nested else "1"
    empty = TEXT[at + 1 :].lstrip().startswith("}")
    pair = f'"dup": {value}, "dup": 2' + ("" if empty else ", ")
    return TEXT[: at + 1] + pair + TEXT[at + 1 :]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(OPENS), st.booleans())
def test_a_repeated_key_anywhere_is_never_screened_clean(at, nested):
    """Parsed keeping the last value, a repeated key must still send the flow to a strict read."""
    from sfupgrade.jsonio import loads_keeping_last

    text = _with_repeat(at, nested)
    data = loads_keeping_last(text)
    assert not is_clean(data, None, [], text.count(":"))


def test_the_colon_proof_holds_for_the_unchanged_file_and_not_for_a_colon_in_a_string():
    from sfupgrade.jsonio import loads_keeping_last

    assert is_clean(loads_keeping_last(TEXT), None, [], TEXT.count(":"))
    text = TEXT.replace('"Normal"', '"Normal: high"', 1)
    assert text != TEXT
    assert not is_clean(loads_keeping_last(text), None, [], text.count(":"))  # maybe: read strictly


@pytest.mark.parametrize("at", [OPENS[0], OPENS[1], OPENS[2], OPENS[-1]])
def test_validate_refuses_a_flow_file_with_a_repeated_key(tmp_path, at):
    from sfupgrade.cti.check import check_into_plan
    from sfupgrade.jsonio import JsonInputError
    from sfupgrade.plan import Plan

    (tmp_path / "ctiFlows").mkdir()
    (tmp_path / "ctiFlows" / "flow.json").write_text(_with_repeat(at, nested=True))
    with pytest.raises(JsonInputError, match="duplicate key 'dup'"):
        check_into_plan(Plan(target="x"), [tmp_path])


def test_a_flow_read_keeping_last_values_is_parsed_strictly_before_its_model_is_built(tmp_path):
    from sfupgrade.cti.load import read_flow
    from sfupgrade.jsonio import JsonInputError

    path = tmp_path / "flow.json"
    path.write_text(_with_repeat(OPENS[1], nested=False), encoding="utf-8")
    file = read_flow(str(path), None, None, strict=False)
    assert not file.strict and file.data["actions"][0]["dup"] == 2  # the last value, unreported
    with pytest.raises(JsonInputError, match="duplicate key 'dup'"):
        file.build()
