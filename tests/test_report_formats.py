"""Behaviour of each format beyond the golden files: escaping, states, exit status, colour."""

from __future__ import annotations

import json
import re

import pytest

from sfupgrade.files.jsonio import loads_strict
from sfupgrade.model.plan import Change, FieldDiff, Finding, FlowSketch, Location, Plan, State
from sfupgrade.report import FORMATS, render
from sfupgrade.report.markdown import escape, fence
from sfupgrade.report.mermaid import escape_label
from tests.report_plans import CALLBACK_FLOW, PLANS

ANSI = re.compile(r"\x1b\[[0-9;]*m")
NASTY = "*bold* _it_ | [link](http://x) <script>alert(1)</script> @team `code` # 1. ~x~ $x$"


# --- JSON -------------------------------------------------------------------------------------


def test_json_envelope_has_the_sf_cli_shape_in_a_stable_key_order() -> None:
    data = loads_strict(render(PLANS["records"](), "json"))
    assert list(data) == ["status", "result", "warnings"]
    assert list(data["result"]) == [
        "schemaVersion", "target", "dryRun", "applied", "summary", "components", "findings",
        "checks", "failure", "read",
    ]  # fmt: skip
    assert list(data["result"]["components"][0]) == [
        "type", "name", "state", "target", "summary", "error", "diff", "fields",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("plan", "detailed", "status"),
    [
        ("clean", False, 0),
        ("value-set", False, 0),
        ("value-set", True, 3),
        ("validation", False, 1),
        ("records", False, 68),
    ],
)
def test_json_status_is_the_exit_code(plan: str, detailed: bool, status: int) -> None:
    data = json.loads(render(PLANS[plan](), "json", detailed=detailed))
    assert data["status"] == status


def test_json_states_summary_and_warnings() -> None:
    data = json.loads(render(PLANS["validation"](), "json"))
    assert [c["state"] for c in data["result"]["components"]] == ["Changed"]
    assert data["result"]["summary"] == {
        "created": 0, "changed": 1, "unchanged": 0, "failed": 0, "errors": 1, "warnings": 1,
    }  # fmt: skip
    assert data["warnings"] == [
        "CTI003: form field 'LastName' is never read by the flow "
        "(cti-actions/Create Callback Task.json:12)"
    ]
    assert data["result"]["findings"][0]["location"]["blockType"] == "SF_CreateTask"
    assert data["result"]["components"][0]["diff"].startswith("--- a/force-app/")


def test_json_turns_values_json_cannot_hold_into_text() -> None:
    plan = Plan(
        "t",
        changes=[
            Change(
                "CtiAction",
                "A",
                State.CHANGED,
                "obj",
                fields=(FieldDiff("F", float("nan"), {1: object.__name__, "s": {2.5}}),),
            )
        ],
    )
    field = loads_strict(render(plan, "json"))["result"]["components"][0]["fields"][0]
    assert field == {"field": "F", "before": "nan", "after": {"1": "object", "s": "{2.5}"}}


# --- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", list(PLANS))
def test_text_has_colour_only_when_asked(plan: str) -> None:
    plain = render(PLANS[plan](), "text")
    coloured = render(PLANS[plan](), "text", color=True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_text_shows_field_changes_and_the_failure_reason() -> None:
    out = render(PLANS["records"](), "text")
    assert "  amazonconnect__Order__c: 1 -> 2" in out
    assert '  Name = "Create Callback Task"' in out
    assert "error: UNABLE_TO_LOCK_ROW" in out
    assert out.index("created  changed") < out.index("Components") < out.index("Changes")


def test_text_diff_is_the_changes_unified_diff() -> None:
    plan = PLANS["value-set"]()
    assert plan.changes[0].unified_diff() in render(plan, "text")


# --- Markdown ---------------------------------------------------------------------------------


def _cells(row: str) -> list[str]:
    """Split a table row on pipes that are not escaped, as GitHub does."""
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_markdown_escape_neutralises_markup_links_html_and_mentions() -> None:
    out = escape(NASTY)
    assert "<script>" not in out and "\\<script\\>" in out
    assert "\\[link\\](http://x)" in out
    assert "\\*bold\\*" in out and "\\_it\\_" in out and "\\`code\\`" in out
    assert "@\u200bteam" in out
    assert len(_cells(f"| {out} |")) == 1
    assert escape("1. first") == "1\\. first"
    assert escape("- item") == "\\- item"
    assert escape("a\nb") == "a<br>b"
    assert escape("AT&T &lt;") == "AT&amp;T &amp;lt;"


def test_markdown_tables_keep_their_columns_with_user_text() -> None:
    plan = Plan(
        "t",
        changes=[Change("CtiAction", NASTY, State.FAILED, "obj", error=NASTY + "\nline 2")],
        findings=[Finding("error", "CTI002", NASTY, subject=NASTY, suggestion=NASTY)],
    )
    out = render(plan, "markdown")
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    # The summary table has 6 columns; components and findings 4, whatever the text holds.
    assert [len(_cells(row)) for row in rows] == [6, 6, 4, 4, 4, 4]
    assert "<script>" not in out
    assert "@team" not in out


def test_markdown_fence_outgrows_backticks_in_the_content() -> None:
    assert fence("a ```` b", "diff") == ["`````diff", "a ```` b", "`````"]
    assert fence("plain\n", "diff") == ["```diff", "plain", "```"]
    plan = PLANS["value-set"]()
    change = plan.changes[0]
    plan.changes[0] = Change(
        change.component_type,
        change.name,
        change.state,
        change.target,
        before_text="```\n",
        after_text="```\nx\n",
    )
    out = render(plan, "markdown")
    assert "````diff\n" in out


def test_markdown_draws_flows_with_findings_or_changes_only() -> None:
    out = render(PLANS["validation"](), "markdown")
    assert out.count("```mermaid") == 1
    assert "##### Create Callback Task" in out and "Screenpop Case" not in out
    assert "    class b2 error" in out  # uid-24, the block the error points at


def test_markdown_does_not_take_an_action_for_its_flow() -> None:
    """The seed's action and flow share a name: the action's change must not draw the flow."""
    plan = Plan(
        "t",
        changes=[Change("CtiAction", CALLBACK_FLOW.name, State.CHANGED, "obj")],
        flows=[CALLBACK_FLOW],
    )
    assert "```mermaid" not in render(plan, "markdown")
    plan.changes.append(Change("CtiFlow", CALLBACK_FLOW.name, State.CREATED, "obj"))
    assert "```mermaid" in render(plan, "markdown")


# --- Mermaid ----------------------------------------------------------------------------------


def test_mermaid_labels_escape_what_ends_or_breaks_them() -> None:
    assert escape_label('a"b') == "a#quot;b"
    assert escape_label("#x") == "#35;x"
    assert escape_label("<b>|`\n") == "#lt;b#gt;#124;#96;\\n"  # a newline shown escaped
    assert escape_label("a&b") == "a#amp;b"


def test_mermaid_uses_generated_ids_and_draws_missing_blocks() -> None:
    flow = FlowSketch(
        name="F",
        file=None,
        blocks=(("end", 'Type"]'), ("uid-NaN", "SF_Search")),
        edges=(("end", "done", "uid-NaN"), ("uid-NaN", "success", "uid-404")),
    )
    finding = Finding("warning", "CTI004", "m", subject="F", location=Location(block="uid-NaN"))
    finding2 = Finding("error", "CTI005", "m", subject="F", location=Location(block="uid-404"))
    out = render(Plan("t", findings=[finding, finding2], flows=[flow]), "markdown")
    chart = out.split("```mermaid\n")[1].split("```")[0]
    assert 'b0["end<br/>Type#quot;]"]' in chart
    assert 'b2["uid-404<br/>missing"]' in chart
    assert 'b1 -->|"success"| b2' in chart
    assert "class b2 error" in chart and "class b1 warning" in chart


# --- GitHub annotations -----------------------------------------------------------------------


def test_github_annotations_escape_properties_and_data() -> None:
    finding = Finding(
        "error",
        "CTI002",
        "50% done\nsecond line",
        subject="a,b:c",
        location=Location(file="dir/a,b.json", line=7, column=2),
    )
    out = render(Plan("t", findings=[finding]), "github")
    assert out == (
        "::error file=dir/a%2Cb.json,line=7,col=2,title=CTI002 a%2Cb%3Ac::"
        "50%25 done%0Asecond line\n"
    )


def test_github_annotation_without_a_file_names_the_place_in_the_message() -> None:
    finding = Finding("warning", "CTI004", "m", subject="Flow", location=Location(block="uid-3"))
    assert render(Plan("t", findings=[finding]), "github") == (
        "::warning title=CTI004 Flow::m (block uid-3)\n"
    )


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown report format 'yaml'"):
        render(PLANS["clean"](), "yaml")
    assert "github" not in FORMATS


def test_long_field_values_are_cut_with_length_and_hash() -> None:
    from sfupgrade.report.values import show

    definition = '{"actions": [' + ", ".join(f'{{"id": "uid-{i}"}}' for i in range(200)) + "]}"
    shown = show(definition)
    other = show(definition.replace("uid-7", "uid-8"))
    assert len(shown) < 140 and shown.startswith('"{\\"actions\\": [')
    assert f"({len(json.dumps(definition)):,} chars, sha256 " in shown
    assert "chars, sha256 " in shown and shown != other
    assert show("short") == '"short"' and show(None) == "null"
