from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from cti_helpers import (
    CALLBACK_ACTION,
    CALLBACK_FLOW,
    CALLBACK_RECORD,
    FIXTURES,
    callback_project,
    line_of,
    mutate_flow,
    need_fixtures,
    set_control,
    set_port,
)

from sfupgrade.cti import validate as v
from sfupgrade.cti.load import load_content
from sfupgrade.files.resources import release_dir
from sfupgrade.model.cti import Block, Content, CtiAction, CtiFlow, PayloadEntry, Port


def findings_for(root: Path):
    return v.validate(load_content([root]))


def summary(findings):
    return sorted((f.code, f.location.block, f.location.path, f.suggestion) for f in findings)


def test_every_real_flow_parses_and_passes_the_graph_checks():
    need_fixtures()
    content = load_content([FIXTURES])
    assert len(content.flows) == 17
    assert {b.id for f in content.flows for b in f.blocks} >= {"0", "uid1", "uid4"}
    assert v.validate(content) == []


def test_the_shipped_release_content_validates_clean():
    content = load_content([release_dir()])
    assert [f.name for f in content.flows] == ["Create Callback Task"]
    assert [a.name for a in content.actions] == ["Create Callback Task"]
    assert v.validate(content) == []


def test_shipped_flow_reads_exactly_the_payload_keys_of_aws_published_flow():
    need_fixtures()
    shipped = load_content([release_dir()]).flows[0]
    published = load_content([CALLBACK_FLOW]).flows[0]
    assert shipped.payload_keys() == published.payload_keys()
    assert shipped.payload_keys() == {"SubjectPrepend", "FirstName", "LastName", "CallbackPhone"}
    # Our own file, not a copy of AWS's.
    assert shipped.definition != published.definition
    assert [b.id for b in shipped.blocks] != [b.id for b in published.blocks]


def test_shipped_records_carry_the_fields_the_deployer_upserts():
    content = load_content([release_dir()])
    flow = content.flows[0].record_fields()
    assert flow["source"] == "ctiAction"
    assert flow["active"] is True
    assert json.loads(flow["definition"])["actions"][0]["type"] == "SE_Start"
    assert set(flow) == {"name", "source", "event", "active", "description", "definition"}
    action = content.actions[0].record_fields()
    assert action["flow"] == "Create Callback Task"
    assert action["payload"] == {"SubjectPrepend": "Callback"}
    assert action["form"]["title"] == "Customer Callback Information"
    assert [(f["key"], f["required"], f["order"]) for f in action["form"]["fields"]] == [
        ("FirstName", True, 1),
        ("LastName", True, 2),
        ("CallbackPhone", False, 3),
    ]


def test_the_real_flow_with_the_seed_action_validates_clean(tmp_path):
    assert findings_for(callback_project(tmp_path)) == []


def test_renamed_payload_key_in_the_flow_is_an_error_naming_the_closest_key(tmp_path):
    root = callback_project(tmp_path)
    flow_file = set_control(root, "uid-9", "subject2", "$.payload.firstName")
    [finding] = findings_for(root)
    assert finding.code == "cti-undefined-payload-key"
    assert finding.severity == "error"
    assert finding.subject == "Create Callback Task"
    assert finding.suggestion == "did you mean 'FirstName'?"
    loc = finding.location
    assert (loc.file, loc.block, loc.block_type, loc.path) == (
        str(flow_file),
        "uid-9",
        "SE_SFCreateTask",
        "subject2",
    )
    assert loc.line == line_of(flow_file, '"$.payload.firstName"')
    text_line = flow_file.read_text().splitlines()[loc.line - 1]
    assert text_line[loc.column - 1 :].startswith('"$.payload.firstName"')
    assert "'firstName'" in finding.message and "'Create Callback Task'" in finding.message


def test_a_key_renamed_in_the_action_only_is_suggested_from_the_unused_keys(tmp_path):
    action = copy.deepcopy(CALLBACK_ACTION)
    field = next(f for f in action["form"]["fields"] if f["key"] == "FirstName")
    field["key"] = "GivenName"  # nothing like 'FirstName' by spelling; 'LastName' is closer
    findings = findings_for(callback_project(tmp_path, action=action))
    errors = [f for f in findings if f.code == "cti-undefined-payload-key"]
    assert errors and {f.suggestion for f in errors} == {
        "did you mean 'GivenName'? (the action defines it; the flow never reads it)"
    }
    [unused] = [f for f in findings if f.code == "cti-unused-payload-key"]
    assert unused.location.path == "form.GivenName"


def test_dropping_a_form_field_flags_every_read_of_it(tmp_path):
    action = copy.deepcopy(CALLBACK_ACTION)
    action["form"]["fields"].pop()  # CallbackPhone
    findings = findings_for(callback_project(tmp_path, action=action))
    hint = "add 'CallbackPhone' to the action's payload or form"
    assert summary(findings) == [
        ("cti-undefined-payload-key", "uid-11", "otherTaskFields.Description", hint),
        ("cti-undefined-payload-key", "uid-24", "formattedPhoneNumber", hint),
        ("cti-undefined-payload-key", "uid-3", "value", hint),
    ]


def test_a_reference_to_a_missing_block_suggests_the_close_id(tmp_path):
    root = callback_project(tmp_path)
    flow_file = set_control(root, "uid-9", "WhoId", "$.actions.uid26.results.sfContactId")
    [finding] = findings_for(root)
    assert summary([finding]) == [
        ("cti-unknown-block", "uid-9", "WhoId", "did you mean 'uid-26'?"),
    ]
    assert finding.location.line == line_of(flow_file, "uid26")


def test_a_port_to_nowhere_is_an_error_at_that_port(tmp_path):
    root = callback_project(tmp_path)
    flow_file = set_port(root, "uid-15", "success", "nowhere")
    [finding] = findings_for(root)
    assert summary([finding]) == [("cti-dangling-port", "uid-15", "success", None)]
    assert finding.location.line == line_of(flow_file, '"nowhere"')


def test_a_renamed_block_breaks_its_port_and_reference_and_strands_itself(tmp_path):
    root = callback_project(tmp_path)

    def rename(blocks):
        blocks["uid-26"]["id"] = "uid-260"

    mutate_flow(root, rename)
    assert summary(findings_for(root)) == [
        ("cti-dangling-port", "uid-3", "false", "did you mean 'uid-260'?"),
        ("cti-unknown-block", "uid-9", "WhoId", "did you mean 'uid-260'?"),
        # Everything only the renamed block led to is stranded with it.
        ("cti-unreachable-block", "uid-15", None, "connect it or delete it"),
        ("cti-unreachable-block", "uid-260", None, "connect it or delete it"),
        ("cti-unreachable-block", "uid-9", None, "connect it or delete it"),
    ]


def test_changing_the_flows_source_is_an_error_on_the_action(tmp_path):
    record = dict(CALLBACK_RECORD, source="salesforceUi")
    root = callback_project(tmp_path, record=record)
    [finding] = findings_for(root)
    assert finding.code == "cti-flow-not-cti-action"
    assert finding.location.file == str(root / "ctiFlows" / "Create_Callback_Task.ctiFlow.json")
    assert "'salesforceUi'" in finding.message


def test_a_malformed_dollar_string_is_an_error(tmp_path):
    root = callback_project(tmp_path)
    set_control(root, "uid-15", "recordId", "$12.results.type")
    [finding] = findings_for(root)
    assert (finding.code, finding.location.block, finding.location.path) == (
        "cti-malformed-reference",
        "uid-15",
        "recordId",
    )


def test_unused_key_and_inactive_flow_are_warnings(tmp_path):
    action = copy.deepcopy(CALLBACK_ACTION)
    action["payload"]["Priority"] = "High"
    record = dict(CALLBACK_RECORD, active=False)
    findings = findings_for(callback_project(tmp_path, action=action, record=record))
    assert {(f.severity, f.code, f.location.path) for f in findings} == {
        ("warning", "cti-unused-payload-key", "payload.Priority"),
        ("warning", "cti-inactive-flow", "active"),
    }
    unused = next(f for f in findings if f.code == "cti-unused-payload-key")
    action_file = tmp_path / "ctiActions" / "Create_Callback_Task.ctiAction.json"
    assert unused.location.file == str(action_file)
    assert unused.location.line == line_of(action_file, '"Priority": "High"')


def test_a_key_in_payload_and_form_is_defined_twice(tmp_path):
    action = copy.deepcopy(CALLBACK_ACTION)
    action["payload"]["FirstName"] = "x"
    [finding] = findings_for(callback_project(tmp_path, action=action))
    assert (finding.code, finding.location.path) == ("cti-duplicate-key", "form.FirstName")
    action_file = tmp_path / "ctiActions" / "Create_Callback_Task.ctiAction.json"
    assert finding.location.line == line_of(action_file, '"key": "FirstName"')


@pytest.mark.parametrize(("key", "word"), [("", "empty"), ("first name", "not an identifier")])
def test_a_form_key_must_be_an_identifier(tmp_path, key, word):
    action = copy.deepcopy(CALLBACK_ACTION)
    action["form"]["fields"].append({"key": key, "label": "Other"})
    findings = findings_for(callback_project(tmp_path, action=action))
    assert [(f.code, f.severity) for f in findings if f.code == "cti-invalid-form-key"] == [
        ("cti-invalid-form-key", "error")
    ]
    assert word in next(f.message for f in findings if f.code == "cti-invalid-form-key")


def test_an_action_whose_flow_is_missing_suggests_a_close_name(tmp_path):
    action = dict(CALLBACK_ACTION, flow="Create Callback Tasks")
    [finding] = findings_for(callback_project(tmp_path, action=action))
    assert finding.code == "cti-missing-flow"
    assert finding.suggestion == "did you mean 'Create Callback Task'?"


def test_a_flow_without_a_record_cannot_be_run_by_an_action(tmp_path):
    need_fixtures()
    action_file = tmp_path / "a.ctiAction.json"
    action_file.write_text(json.dumps(dict(CALLBACK_ACTION, flow="10-Create+Callback+Task")))
    content = load_content([CALLBACK_FLOW, action_file])
    [finding] = v.validate(content)
    assert finding.code == "cti-flow-not-cti-action"
    assert "no record file" in finding.message


def _flow(blocks, references=(), name="f"):
    return CtiFlow(name=name, blocks=tuple(blocks), references=tuple(references), definition="")


def test_start_block_count_is_checked():
    end = Block("e", "SE_End")
    assert [f.code for f in v.check_graph(_flow([end]))] == ["cti-no-start"]
    starts = [Block("a", "SE_Start", ports=(Port("done", "e"),)), Block("b", "SE_Start"), end]
    assert [f.code for f in v.check_graph(_flow(starts))] == ["cti-multiple-starts"]


def test_duplicate_block_ids_and_names_are_errors():
    flow = _flow([Block("0", "SE_Start", ports=(Port("done", "0"),)), Block("0", "SE_End")])
    assert [f.code for f in v.check_graph(flow)] == ["cti-duplicate-block-id"]
    action = CtiAction("a", "f", 1, (PayloadEntry("k", "v"),))
    twice = Content(flows=(), actions=(action, action))
    assert "cti-duplicate-action" in [f.code for f in v.validate(twice)]


@pytest.mark.parametrize(
    ("wanted", "candidates", "expected"),
    [
        ("firstName", ["FirstName", "firstNam"], "FirstName"),
        ("uid12", ["uid-1", "uid-12", "uid-2"], "uid-12"),
        ("LastNme", ["FirstName", "LastName"], "LastName"),
        ("zzz", ["FirstName"], None),
    ],
)
def test_closest(wanted, candidates, expected):
    assert v.closest(wanted, candidates) == expected


def test_sketch_has_every_block_and_edge_in_file_order():
    need_fixtures()
    flow = load_content([CALLBACK_FLOW]).flows[0]
    picture = v.sketch(flow)
    assert picture.blocks[:2] == (("uid-0", "SE_Start"), ("uid-1", "SE_End"))
    assert ("uid-3", "true", "uid-24") in picture.edges
    assert ("uid-3", "false", "uid-26") in picture.edges
    assert len(picture.edges) == sum(len(b.ports) for b in flow.blocks) == 10


def test_a_flow_with_more_links_than_mermaid_draws_is_sized_not_sketched(tmp_path):
    from sfupgrade.model.plan import PICTURE_MAX_EDGES, Finding, Plan
    from sfupgrade.report import render

    blocks = [
        {"id": f"uid-{n}", "type": "SE_SetProperty", "ports": {"done": f"uid-{n + 1}"}}
        for n in range(PICTURE_MAX_EDGES + 1)
    ]
    blocks.append({"id": f"uid-{PICTURE_MAX_EDGES + 1}", "type": "SE_End", "ports": {}})
    (tmp_path / "Big.json").write_text(json.dumps({"actions": blocks}))
    flow = load_content([tmp_path / "Big.json"]).flows[0]
    picture = v.sketch(flow)
    assert picture.too_large == (PICTURE_MAX_EDGES + 2, PICTURE_MAX_EDGES + 1)
    assert picture.blocks == picture.edges == ()
    finding = Finding("error", "CTI001", "m", subject=flow.name)
    out = render(Plan("t", findings=[finding], flows=[picture]), "markdown")
    assert "```mermaid" not in out
    assert "Not drawn: 502 blocks and 501 links, more than Mermaid draws (500 links)." in out
    # One edge fewer is drawn whole.
    (tmp_path / "Big.json").write_text(json.dumps({"actions": blocks[1:]}))
    assert len(v.sketch(load_content([tmp_path / "Big.json"]).flows[0]).edges) == 500


def _mixed_project(root: Path) -> Path:
    """The callback project plus errors of every kind spread over flows and actions."""
    action = copy.deepcopy(CALLBACK_ACTION)
    action["payload"]["Unused"] = "x"
    callback_project(root, action=action)

    def break_things(blocks):
        blocks["uid-9"]["controls"]["subject2"] = "$.payload.firstName"
        blocks["uid-15"]["ports"]["success"] = "nowhere"

    mutate_flow(root, break_things)
    orphan = dict(CALLBACK_ACTION, name="Orphan", flow="No Such Flow")
    (root / "ctiActions" / "Orphan.ctiAction.json").write_text(json.dumps(orphan))
    return root


def test_the_content_step_keeps_pictures_of_flagged_flows_only_when_asked(tmp_path):
    from sfupgrade.cti.validate import check_content

    root = _mixed_project(tmp_path)
    clean = {"actions": [{"id": "s", "type": "SE_Start", "ports": {"done": "e"}}]}
    clean["actions"].append({"id": "e", "type": "SE_End"})
    (root / "ctiFlows" / "Clean.json").write_text(json.dumps(clean))
    content = load_content([root])
    whole = check_content([root])
    assert whole.findings == v.validate(content)
    assert {f.code for f in whole.findings} >= {
        "cti-undefined-payload-key",
        "cti-dangling-port",
        "cti-unused-payload-key",
        "cti-missing-flow",
    }
    assert [s.name for s in whole.flows] == [f.name for f in content.flows]
    flagged = check_content([root], every_picture=False)
    assert flagged.findings == whole.findings
    assert [s.name for s in flagged.flows] == ["Create Callback Task"]


def test_a_path_given_twice_is_read_once(tmp_path):
    root = callback_project(tmp_path)
    flow = root / "ctiFlows" / "Create_Callback_Task.ctiFlow.json"
    content = load_content([root, flow, root / "ctiFlows" / ".." / "ctiFlows"])
    assert (len(content.flows), len(content.actions)) == (1, 1)


def test_missing_flow_suggestion_stays_fast_with_many_flows():
    flows = [_flow([Block("s", "SE_Start")], name=f"Flow {n}") for n in range(3000)]
    actions = [CtiAction(f"a{n}", f"flow {n}", 1) for n in range(3000)]
    findings = v.validate(Content(tuple(flows), tuple(actions)))
    assert len(findings) == 3000
    assert findings[7].suggestion == "did you mean 'Flow 7'?"


def test_a_flows_folder_given_directly_takes_downloaded_flows_without_records(tmp_path):
    need_fixtures()
    root = callback_project(tmp_path)
    (root / "ctiFlows" / "other.json").write_text('{"actions": [{"id": "0", "type": "SE_Start"}]}')
    content = load_content([root / "ctiFlows"])
    assert sorted(f.name for f in content.flows) == ["Create Callback Task", "other"]


def test_findings_join_the_upgrade_plan_and_errors_fail_it(tmp_path):
    from sfupgrade.model.plan import Plan

    plan = Plan(target="org")
    v.add_to_plan(plan, load_content([_mixed_project(tmp_path)]))
    assert plan.errors and plan.warnings
    assert [s.name for s in plan.flows] == ["Create Callback Task"]
    assert plan.exit_code() == 1
    clean = Plan(target="org")
    v.add_to_plan(clean, load_content([release_dir()]))
    assert (clean.findings, clean.exit_code()) == ([], 0)


def test_the_finding_code_table_is_the_rule_registry():
    import re

    from sfupgrade.cti.rules import RULES

    readme = (release_dir() / "README.md").read_text(encoding="utf-8")
    table = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `cti-"):
            for code in re.findall(r"`(cti-[a-z-]+)`", cells[0]):
                table[code] = cells[1]
    assert len(RULES) == 16
    assert table == {rule.code: rule.severity for rule in RULES}
    for rule in RULES:
        assert rule.summary.endswith(".") and "\n" not in rule.summary
        assert len(rule.help) > len(rule.summary)


@pytest.mark.parametrize("spelling", ["plain", "dotdot", "twice"])
def test_a_flow_named_by_its_record_is_read_once_however_the_path_is_spelled(tmp_path, spelling):
    from sfupgrade.cti.validate import check_content

    root = tmp_path / "project"
    flows = root / "ctiFlows"
    flows.mkdir(parents=True)
    graph = {"actions": [{"id": "s", "type": "SE_Start"}]}
    (flows / "graph.json").write_text(json.dumps(graph))
    record = {"name": "F", "source": "ctiAction", "definition": "../ctiFlows/./graph.json"}
    (flows / "F.ctiFlow.json").write_text(json.dumps(record))
    (tmp_path / "other").mkdir()
    paths = {
        "plain": [root],
        "dotdot": [tmp_path / "other" / ".." / "project"],
        "twice": [root, flows / "graph.json", tmp_path / "other" / ".." / "project"],
    }[spelling]
    content = load_content(paths)
    assert [(f.name, f.has_record) for f in content.flows] == [("F", True)]
    checked = check_content(paths)
    assert len(checked.content.flows) == 1 and checked.findings == []


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "F", "source": "ctiAction", "name": "G"}',
        '{"name": "F", "source": "ctiAction", "description": "a: b", "source": "x"}',
    ],
)
def test_a_record_with_a_repeated_key_is_refused(tmp_path, text):
    from sfupgrade.cti.validate import check_content
    from sfupgrade.files.jsonio import JsonInputError

    (tmp_path / "ctiFlows").mkdir()
    (tmp_path / "ctiFlows" / "F.json").write_text('{"actions": [{"id": "s", "type": "SE_Start"}]}')
    (tmp_path / "ctiFlows" / "F.ctiFlow.json").write_text(text)
    for load in (lambda: load_content([tmp_path]), lambda: check_content([tmp_path])):
        with pytest.raises(JsonInputError, match="duplicate key"):
            load()
