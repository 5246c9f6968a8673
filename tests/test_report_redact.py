"""No report ever contains a token, whatever field of the plan it hides in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfupgrade.core.redact import redact
from sfupgrade.model.plan import Change, FieldDiff, Finding, FlowSketch, Location, Plan, State
from sfupgrade.report import FORMATS, render
from sfupgrade.report.redacted import redact_plan
from tests.report_plans import VALUE_SET_AFTER, VALUE_SET_BEFORE

TOKEN = "00D5g000004ABCD!AQ4AQFakeTokenValue"
SECRET = "AQ4AQFakeTokenValue"  # the part after "!" is the credential proper


def _planted_plan() -> Plan:
    """The fake token in every string a renderer shows, and in every kind of field value."""
    bearer = f"Authorization: Bearer {TOKEN}"
    return Plan(
        target=f"https://example.my.salesforce.com?sid={TOKEN}",
        changes=[
            Change(
                "GlobalValueSet",
                f"AC_CtiScriptSource {TOKEN}",
                State.CHANGED,
                f"dir/{TOKEN}.xml",
                summary=f"token {TOKEN}",
                before_text=VALUE_SET_BEFORE,
                after_text=VALUE_SET_AFTER.replace("CTI Action", f"CTI Action {TOKEN}"),
            ),
            Change(
                "CtiAction",
                "Start Recording",
                State.FAILED,
                "obj",
                fields=(
                    FieldDiff(f"Field_{TOKEN}", TOKEN, {"nested": [TOKEN, {TOKEN: bearer}]}),
                    FieldDiff("Payload__c", None, (TOKEN,)),
                ),
                error=f"INVALID_SESSION_ID: {bearer}",
            ),
        ],
        findings=[
            Finding(
                "error",
                "CTI002",
                f"message {TOKEN}",
                subject=f"Flow {TOKEN}",
                location=Location(
                    file=f"flows/{TOKEN}.json",
                    line=3,
                    block=f"uid-{TOKEN}",
                    block_type=TOKEN,
                    path=TOKEN,
                ),
                suggestion=f'set "access_token": "{SECRET}" to nothing',
            ),
            Finding("warning", "CTI003", f"warn {TOKEN}", subject=f"Flow {TOKEN}"),
        ],
        flows=[
            FlowSketch(
                name=f"Flow {TOKEN}",
                file=f"flows/{TOKEN}.json",
                blocks=((f"uid-{TOKEN}", TOKEN), ("uid-2", "SF_Search")),
                edges=((f"uid-{TOKEN}", TOKEN, "uid-2"),),
            )
        ],
        checks=["CTI002", "CTI003"],
    )


@pytest.mark.parametrize("fmt", [*FORMATS, "github"])
@pytest.mark.parametrize("color", [False, True])
def test_no_format_contains_the_planted_token(fmt: str, color: bool) -> None:
    output = render(_planted_plan(), fmt, color=color)
    assert SECRET not in output
    assert "FakeToken" not in output
    # Each place the token was planted is still visible, masked, so the test is not vacuous.
    assert "REDACTED" in output


def test_the_plan_is_not_modified_by_rendering() -> None:
    plan = _planted_plan()
    render(plan, "json")
    assert plan.findings[0].message == f"message {TOKEN}"
    assert plan.changes[1].fields[0].before == TOKEN


def test_redact_plan_keeps_structure_and_states() -> None:
    redacted = redact_plan(_planted_plan())
    assert [c.state for c in redacted.changes] == [State.CHANGED, State.FAILED]
    masked = "00D5g000004ABCD!REDACTED"
    assert redacted.changes[1].fields[0].after == {
        "nested": [masked, {masked: "Authorization: Bearer REDACTED"}]
    }
    assert redacted.changes[1].fields[1].after == ("00D5g000004ABCD!REDACTED",)
    assert redacted.checks == ["CTI002", "CTI003"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TOKEN, "00D5g000004ABCD!REDACTED"),
        ("00D5g000004ABCDEAQ!AQ4.x_y-z", "00D5g000004ABCDEAQ!REDACTED"),  # 18-char org id
        ("sid=00D5g000004ABCD!AQ4AQ&x=1", "sid=REDACTED&x=1"),
        ("Authorization: Bearer abc.def-123", "Authorization: Bearer REDACTED"),
        ("authorization: OAuth abc123", "authorization: OAuth REDACTED"),
        ('{"access_token": "ya29.abc", "x": 1}', '{"access_token": "REDACTED", "x": 1}'),
        ("refresh_token=5Aep861&scope=api", "refresh_token=REDACTED&scope=api"),
        (
            "<sessionId>00D5g000004ABCD!AQ4AQ</sessionId>",
            "<sessionId>00D5g000004ABCD!REDACTED</sessionId>",
        ),
    ],
)
def test_redact_masks_session_ids_bearer_headers_and_token_fields(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "00D5g000004ABCD",  # an org id alone is no secret
        "00D5g000004!short",  # too short to be an org id
        "Hello! 00Dx ctiAction CTI Action",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


@given(st.text())
def test_redact_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@given(st.text(alphabet="abcXYZ019._-", min_size=1), st.text(max_size=20), st.text(max_size=20))
def test_redact_removes_any_planted_session_token(secret: str, left: str, right: str) -> None:
    planted = f"{left} 00D5g000004ABCD!QQ{secret} {right}"
    assert f"QQ{secret}" not in redact(planted)
