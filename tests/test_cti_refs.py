from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfupgrade.cti.refs import LineFinder, extract, locate, parse_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$.payload.FirstName", ("payload", "FirstName", "")),
        ("$.payload.address.city", ("payload", "address", ".city")),
        ("$.payload.items[0]", ("payload", "items", "[0]")),
        ("$.actions.uid-5.results.contactId", ("action", "uid-5", "contactId")),
        ("$.actions.0.results.value", ("action", "0", "value")),
        ("$.actions.uid-NaN.results.value", ("action", "uid-NaN", "value")),
        ("$.actions.uid10.results.value.[0].Field__c", ("action", "uid10", "value.[0].Field__c")),
        ("$.actions.uid-9.results", ("action", "uid-9", "")),
        ("$.contact.parsedNumber.phone", ("contact", "parsedNumber.phone", "")),
        ("$12.results.type", ("malformed", "$12.results.type", "")),
        ("$.payload.", ("malformed", "$.payload.", "")),
        ("$.actions.uid-5.contactId", ("malformed", "$.actions.uid-5.contactId", "")),
        ("$.actions.uid-5.resultsX", ("malformed", "$.actions.uid-5.resultsX", "")),
        ("$.actions..results.x", ("malformed", "$.actions..results.x", "")),
        ("$.contact.", ("malformed", "$.contact.", "")),
        ("$payload.FirstName", ("malformed", "$payload.FirstName", "")),
        ("$", ("malformed", "$", "")),
    ],
)
def test_parse_reference(text, expected):
    assert parse_reference(text) == expected


@given(
    st.text(min_size=1).filter(lambda s: ".results" not in s),
    st.from_regex(r"[A-Za-z]\w*", fullmatch=True),
)
def test_any_block_id_round_trips(block_id, field):
    assert parse_reference(f"$.actions.{block_id}.results.{field}") == ("action", block_id, field)


def test_extract_walks_nested_maps_and_lists_with_paths():
    controls = {
        "subject": "$.payload.FirstName",
        "literal": "Call",
        "flag": False,
        "otherTaskFields": {"Description": "$.payload.CallbackPhone", "Note": "plain"},
        "list": ["x", "$.contact.queue.name", {"deep": "$12.results.type"}],
    }
    refs = extract(controls, "uid-3", "SE_SFCreateTask")
    found = [(r.kind, r.name, r.path, r.block, r.block_type) for r in refs]
    assert found == [
        ("payload", "FirstName", "subject", "uid-3", "SE_SFCreateTask"),
        ("payload", "CallbackPhone", "otherTaskFields.Description", "uid-3", "SE_SFCreateTask"),
        ("contact", "queue.name", "list[1]", "uid-3", "SE_SFCreateTask"),
        ("malformed", "$12.results.type", "list[2].deep", "uid-3", "SE_SFCreateTask"),
    ]


def test_locate_finds_a_value_inside_the_right_block():
    blocks = [
        {"id": "uid-1", "controls": {"subject": "$.payload.X"}},
        {"id": "uid-2", "controls": {"body": "$.payload.X", "subject": "$.payload.X"}},
        {"id": "uid-2", "controls": {}},
    ]
    text = json.dumps({"actions": blocks}, indent=2)
    lines = text.splitlines()
    line, column = locate(text, "uid-2", "subject", "$.payload.X")
    assert lines[line - 1][column - 1 :] == '"$.payload.X"'
    assert line > locate(text, "uid-2", "body", "$.payload.X")[0] > locate(text, "uid-2")[0]
    second, column = locate(text, "uid-2", nth=1)
    assert lines[second - 1][column - 1 :] == '"id": "uid-2",'
    assert second > line
    assert locate(text, "missing") is None
    assert locate(text, "uid-1", None, "$.payload.X")[0] == locate(text, "uid-1")[0] + 2


def test_locate_gives_columns_in_a_one_line_file():
    text = json.dumps({"actions": [{"id": "a", "controls": {"x": "$.payload.K"}}]})
    assert locate(text, "a", "x", "$.payload.K") == (1, text.index('"$.payload.K"') + 1)


def test_line_finder_skips_an_equal_string_under_another_key():
    text = '{\n"a": "$.payload.X",\n"b": {\n"c": "$.payload.X"\n}\n}'
    finder = LineFinder(text)
    assert finder.find_value("c", "$.payload.X") == 4
    assert finder.find_value("a", "$.payload.X") is None


def test_locate_finds_a_block_by_its_id_not_by_a_port_or_another_key_naming_it():
    # The port to uid-2 and a control equal to it come first; only the "id" key counts, with
    # any JSON whitespace around its colon (tabs, a line break).
    text = (
        '{"actions": [\n{"id": "uid-1", "controls": {"xid": "uid-2"},'
        ' "ports": {"done": "uid-2"}},\n{"id"\t:\n  "uid-2", "type": "SE_End"}]}'
    )
    line, column = locate(text, "uid-2")
    assert (line, column) == (3, 2)
    assert text.splitlines()[line - 1][column - 1 :].startswith('"id"')
    assert locate(text, "uid-1") == (2, 2)
    assert locate('{"actions": [{"xid": "uid-9"}]}', "uid-9") is None
