"""The Markdown report fits a GitHub comment: cut between whole items, with a note, never open."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfupgrade.cli import cli
from sfupgrade.model.plan import Change, Finding, FlowSketch, Location, Plan, State
from sfupgrade.report import markdown, render
from sfupgrade.report.markdown import MAX_CHARS
from tests.report_plans import PLANS

METADATA = Path(__file__).resolve().parents[1] / "metadata"
GOLDEN = Path(__file__).resolve().parent / "golden" / "reports"
NOTE = re.compile(
    r"\n\n\*\*Report cut short\*\* to (?P<limit>[\d,]+) characters \(GitHub refuses longer "
    r"comments\): "
    r"(?P<dropped>[\d,]+) of (?P<total>[\d,]+) finding\(s\) are not shown here(?: \(also left "
    r"out: .*?\))?\. The full report is in the JSON, SARIF or text output, e\.g\. "
    r"`--report json=PATH`\.\n\Z"
)


def _finding(i: int, file: str = "ctiFlows/Flow.json") -> Finding:
    return Finding(
        severity="error",
        code="cti-undefined-payload-key",
        message=f"action 'Flow {i}' does not define payload key 'LastName'",
        subject=f"Flow {i}",
        location=Location(file=file, line=i + 1, block="uid-8", block_type="SE_SFCreateTask"),
        suggestion="add 'LastName' to the action's payload or form",
    )


def _validation(count: int, file: str = "ctiFlows/Flow.json") -> Plan:
    flow = FlowSketch("Flow", file, (("uid-8", "SE_SFCreateTask"),), ())
    findings = [_finding(i, file) for i in range(count)]
    return Plan("my-project", findings=findings, flows=[flow], validation_only=True)


def _diff_plan(count: int) -> Plan:
    """Changes whose diffs hold backticks, so their fences are longer than three."""
    before = "".join(f"<v>{i} ```</v>\n" for i in range(200))
    changes = [
        Change(
            "GlobalValueSet",
            f"Set_{i}",
            State.CHANGED,
            f"sets/Set_{i}.xml",
            summary="relabel",
            before_text=before,
            after_text=before.replace("</v>", " x</v>"),
        )
        for i in range(count)
    ]
    return Plan("my-project", changes=changes, findings=[_finding(1)])


def _open_blocks(text: str) -> tuple[str | None, int]:
    """The code fence left open (its marks) and the <details> depth at the end of ``text``."""
    fence: str | None = None
    depth = 0
    for line in text.splitlines():
        marks = re.match(r"`{3,}", line)
        if fence is None and marks:
            fence = marks.group(0)
        elif fence is not None and marks and line == marks.group(0) and len(line) >= len(fence):
            fence = None
        elif fence is None:
            depth += line.count("<details") - line.count("</details>")
    return fence, depth


def _uncut(plan: Plan) -> str:
    return markdown.render(plan, limit=10**9)


def test_a_report_with_thousands_of_findings_fits_and_ends_with_the_note() -> None:
    plan = _validation(3000)
    assert len(_uncut(plan)) > MAX_CHARS

    out = render(plan, "markdown")

    assert len(out) <= MAX_CHARS
    note = NOTE.search(out)
    assert note, out[-500:]
    shown = out.count("| error | cti-undefined-payload-key |")
    assert (note["limit"], note["total"]) == ("65,536", "3,000")
    assert int(note["dropped"].replace(",", "")) == 3000 - shown
    assert "(also left out: 1 of 1 flow picture(s))" in out
    # Cut between whole rows: what is kept is the start of the whole report, line for line.
    assert _uncut(plan).startswith(out[: note.start()] + "\n")
    assert _open_blocks(out) == (None, 0)
    assert len(out) > MAX_CHARS - 1_000  # little room wasted


def test_big_diffs_are_cut_between_whole_details_blocks() -> None:
    plan = _diff_plan(40)
    uncut = _uncut(plan)
    assert len(uncut) > MAX_CHARS and "````diff" in uncut

    out = render(plan, "markdown")

    assert len(out) <= MAX_CHARS
    note = NOTE.search(out)
    assert note and note["dropped"] == "0" and note["total"] == "1"
    kept = out[: note.start()]
    assert kept.endswith("</details>")
    assert uncut.startswith(kept + "\n")
    assert _open_blocks(out) == (None, 0)
    assert f"left out: {40 - kept.count('<details open>')} of 40 change detail(s)" in out


@pytest.mark.parametrize("limit", [1_500, 2_000, 5_000, 20_000])
def test_every_cut_leaves_balanced_markdown_within_the_limit(limit: int) -> None:
    for plan in (_diff_plan(3), _validation(200), PLANS["records"](), PLANS["validation"]()):
        out = markdown.render(plan, limit=limit)
        assert len(out) <= limit
        assert _open_blocks(out) == (None, 0)
        if out != _uncut(plan):
            note = NOTE.search(out)
            assert note
            # A blank line ends any table before the note.
            assert out[: note.start()].splitlines()[-1] != ""


def test_a_section_is_never_left_with_a_heading_and_no_item() -> None:
    out = markdown.render(_diff_plan(3), limit=1_800)
    assert "#### Changes" not in out
    assert out.count("#### Components") == out.count("#### Findings") == 1


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_a_small_report_is_unchanged(plan: str) -> None:
    # The golden files were written before reports had a limit.
    golden = (GOLDEN / f"{plan}.md").read_text(encoding="utf-8")
    assert render(PLANS[plan](), "markdown") == golden == _uncut(PLANS[plan]())


def _one_finding(message: str) -> Plan:
    return Plan("t", findings=[Finding("error", "X", message, "F")], validation_only=True)


def test_a_report_exactly_at_the_limit_is_unchanged_and_one_more_is_cut() -> None:
    pad = MAX_CHARS - len(_uncut(_one_finding("")))
    exact = _one_finding("y" * pad)
    assert len(_uncut(exact)) == MAX_CHARS
    assert render(exact, "markdown") == _uncut(exact)

    out = render(_one_finding("y" * (pad + 1)), "markdown")
    assert len(out) <= MAX_CHARS
    note = NOTE.search(out)
    assert note and (note["dropped"], note["total"]) == ("1", "1")
    assert "#### Findings" not in out


def test_the_limit_holds_after_redaction_lengthens_the_text() -> None:
    # A finding at line N of a file named "sid" reads "flows/sid:N", which the output redaction
    # masks as "flows/sid:REDACTED": longer than what the renderer measured.
    plan = _validation(3000, file="flows/sid")
    raw = markdown.render(plan)
    assert len(render(plan, "markdown")) > len(raw)

    out = render(plan, "markdown")
    assert len(out) <= MAX_CHARS
    assert NOTE.search(out)


def test_validate_cli_markdown_of_many_broken_flows_fits(tmp_path: Path) -> None:
    """``sfupgrade validate`` on 150 copies of the release flow whose actions define no keys."""
    flow = (METADATA / "ctiFlows" / "Create_Callback_Task.json").read_text(encoding="utf-8")
    record = json.loads((METADATA / "ctiFlows" / "Create_Callback_Task.ctiFlow.json").read_text())
    action = json.loads(
        (METADATA / "ctiActions" / "Create_Callback_Task.ctiAction.json").read_text()
    )
    action["form"]["fields"] = []
    (tmp_path / "ctiFlows").mkdir()
    (tmp_path / "ctiActions").mkdir()
    for i in range(150):
        name = f"Flow {i:03d}"
        (tmp_path / "ctiFlows" / f"F{i:03d}.json").write_text(flow, encoding="utf-8")
        (tmp_path / "ctiFlows" / f"F{i:03d}.ctiFlow.json").write_text(
            json.dumps({**record, "name": name}), encoding="utf-8"
        )
        (tmp_path / "ctiActions" / f"F{i:03d}.ctiAction.json").write_text(
            json.dumps({**action, "name": name, "flow": name}), encoding="utf-8"
        )
    report = tmp_path / "full.json"

    result = CliRunner().invoke(
        cli, ["validate", str(tmp_path), "--format", "markdown", "--report", f"json={report}"]
    )

    assert result.exit_code == 1, result.output
    total = len(json.loads(report.read_text())["result"]["findings"])
    note = NOTE.search(result.stdout)
    assert note and note["total"] == f"{total:,}"
    assert len(result.stdout) <= MAX_CHARS
    assert _open_blocks(result.stdout) == (None, 0)
