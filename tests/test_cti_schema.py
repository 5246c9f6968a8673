"""The shipped schemas are real JSON Schemas, and our small interpreter agrees with jsonschema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from cti_helpers import CALLBACK_ACTION, FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from sfupgrade.cti.schema import check, load_schema
from sfupgrade.files.resources import release_dir

SCHEMAS = ["ctiAction.schema.json", "ctiFlow.schema.json", "ctiFlowDefinition.schema.json"]

GRAPH_EXTRA = [
    {"actions": [{"id": "0", "type": "SE_Start", "meta": []}]},
    {"actions": [{"id": "0", "type": "SE_Start", "controls": ""}]},
    {"actions": [{"id": "0", "type": "SE_Start", "position": [True]}]},
    {"actions": [{"id": "0", "type": ""}]},
    {"actions": [{"id": "0", "type": "SE_Start", "ports": None, "position": None}]},
]

DOCS = {
    "ctiAction.schema.json": [
        CALLBACK_ACTION,
        {"name": "a", "flow": "f"},
        {"name": "", "flow": "f"},
        {"name": "a"},
        {"name": "a", "flow": "f", "order": -1},
        {"name": "a", "flow": "f", "order": True},
        {"name": "a", "flow": "f", "order": 1.5},
        {"name": "a", "flow": "f", "order": 2.0},  # an integer to JSON Schema
        {"name": "a", "flow": "f", "order": -1.0},
        {"name": "a", "flow": "f", "payload": {"k": 1}},
        {"name": "a", "flow": "f", "payload": []},
        {"name": "a", "flow": "f", "form": {}},
        {"name": "a", "flow": "f", "form": {"fields": [{"key": "k"}]}},
        {"name": "a", "flow": "f", "form": {"fields": [{"key": "k", "label": "K", "type": ""}]}},
        {"name": "a", "flow": "f", "extra": 1},
        [],
    ],
    "ctiFlow.schema.json": [
        {"name": "n", "source": "ctiAction", "event": None, "active": True},
        {"name": "n", "source": "ctiAction", "event": 3},
        {"name": "n", "source": "ctiAction", "active": "yes"},
        {"name": "n"},
        {"name": "n", "source": "x", "definition": ""},
    ],
    "ctiFlowDefinition.schema.json": [
        {"actions": []},
        {"actions": [{"id": "0", "type": "SE_Start", "controls": None, "position": [1, 2.5]}]},
        {"actions": [{"id": "0", "type": "SE_Start", "ports": {"done": 1}}]},
        {"actions": [{"id": "0", "type": "SE_Start", "position": ["1"]}]},
        {"actions": [{"id": "0"}]},
        {"actions": {}},
        {"name": 1, "actions": []},
        *GRAPH_EXTRA,
    ],
}


def _agree(doc, name):
    """jsonschema and the interpreter (which words errors) give one verdict."""
    schema = load_schema(name)
    valid = jsonschema.Draft202012Validator(schema).is_valid(doc)
    assert (check(doc, name) is None) == valid, (doc, check(doc, name))


@pytest.mark.parametrize("name", SCHEMAS)
def test_schemas_are_valid_json_schemas(name):
    jsonschema.Draft202012Validator.check_schema(load_schema(name))


@pytest.mark.parametrize(("name", "doc"), [(n, d) for n, docs in DOCS.items() for d in docs])
def test_interpreter_agrees_with_jsonschema(name, doc):
    _agree(doc, name)


def test_shipped_and_real_files_are_valid():
    files = [(p, "ctiAction.schema.json") for p in release_dir().rglob("*.ctiAction.json")] + [
        (p, "ctiFlow.schema.json") for p in release_dir().rglob("*.ctiFlow.json")
    ]
    files += [(p, "ctiFlowDefinition.schema.json") for p in FIXTURES.rglob("*.json")]
    files += [(release_dir() / "ctiFlows" / "Create_Callback_Task.json", SCHEMAS[2])]
    for path, name in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        _agree(doc, name)
        assert check(doc, name) is None, path


_scalars = st.none() | st.booleans() | st.integers(-2, 2) | st.floats(-2, 2) | st.text(max_size=3)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["key", "label", "type", "order", "x"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {"name": st.text(max_size=2), "flow": st.just("f")},
        optional={
            "order": _values,
            "payload": st.dictionaries(st.text(max_size=2), _values, max_size=2),
            "form": st.fixed_dictionaries(
                {"fields": st.lists(_values, max_size=2)}, optional={"title": _values}
            ),
        },
    )
)
def test_interpreter_agrees_on_generated_actions(doc):
    _agree(doc, "ctiAction.schema.json")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "type", "meta", "controls", "ports", "position"]),
            _values | st.dictionaries(st.text(max_size=2), _scalars, max_size=2),
            max_size=6,
        ),
        max_size=3,
    )
)
def test_interpreter_agrees_on_generated_blocks(blocks):
    _agree({"actions": blocks}, "ctiFlowDefinition.schema.json")
