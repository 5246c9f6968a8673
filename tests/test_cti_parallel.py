"""Validating on several processes gives what one process gives: findings, pictures, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfupgrade.cti import check
from sfupgrade.cti.check import check_into_plan
from sfupgrade.errors import UsageError
from sfupgrade.plan import Plan
from sfupgrade.resources import release_dir

FLOW = (release_dir() / "ctiFlows" / "Create_Callback_Task.json").read_text(encoding="utf-8")
ACTION = json.loads(
    (release_dir() / "ctiActions" / "Create_Callback_Task.ctiAction.json").read_text("utf-8")
)


def _project(root: Path, count: int) -> Path:
    """``count`` flows with records and actions; every seventh flow has something to report."""
    (root / "ctiFlows").mkdir(parents=True)
    (root / "ctiActions").mkdir()
    for n in range(count):
        name = f"Flow {n:03d}"
        text = FLOW
        if n % 7 == 3:
            text = text.replace("$.payload.LastName", "$.payload.lastName", 1)
        if n % 7 == 5:
            text = text.replace('"uid-14"', '"uid-99"', 1)
        (root / "ctiFlows" / f"f{n:03d}.json").write_text(text, encoding="utf-8")
        record = {"name": name, "source": "ctiAction", "active": n % 11 != 0}
        if n == 20:
            record["name"] = "Flow 010"  # a second flow of one name
        (root / "ctiFlows" / f"f{n:03d}.ctiFlow.json").write_text(json.dumps(record))
        action = dict(ACTION, name=f"Action {n:03d}", flow=name)
        (root / "ctiActions" / f"a{n:03d}.ctiAction.json").write_text(json.dumps(action))
    (root / "ctiFlows" / "loose.json").write_text(FLOW, encoding="utf-8")  # no record
    orphan = dict(ACTION, name="Orphan", flow="No Such Flow")
    (root / "ctiActions" / "orphan.ctiAction.json").write_text(json.dumps(orphan))
    return root


def _run(root: Path, jobs: int) -> tuple[Plan, check.Checked]:
    plan = Plan(target="x")
    return plan, check_into_plan(plan, [root], jobs=jobs)


def _errors(root: Path) -> list[str]:
    """The error of a run in one process, then of one in two."""
    errors = []
    for jobs in (1, 2):
        with pytest.raises(UsageError) as caught:
            _run(root, jobs)
        errors.append(str(caught.value))
    return errors


@pytest.fixture
def parallel_from_one(monkeypatch):
    monkeypatch.setattr(check, "PARALLEL_FROM", 1)
    monkeypatch.setattr(check, "_CHUNK", 3)  # many tasks, so order across workers is tested


def test_two_processes_find_what_one_finds(tmp_path, parallel_from_one):
    root = _project(tmp_path, 60)
    one, counted = _run(root, jobs=1)
    two, counted_two = _run(root, jobs=2)
    codes = {finding.code for finding in one.findings}
    assert {"cti-undefined-payload-key", "cti-dangling-port", "cti-duplicate-flow"} <= codes
    assert {"cti-missing-flow", "cti-inactive-flow"} <= codes
    assert two.findings == one.findings  # the same findings, in the same order
    assert two.flows == one.flows and two.checks == one.checks
    assert counted_two == counted == check.Checked(61, 61)


def test_the_first_broken_file_is_the_error_either_way(tmp_path, parallel_from_one):
    root = _project(tmp_path, 30)
    (root / "ctiFlows" / "f012.json").write_text('{"actions": [}', encoding="utf-8")
    (root / "ctiFlows" / "f020.ctiFlow.json").write_text("{}", encoding="utf-8")
    one, two = _errors(root)
    assert one == two and "f012.json" in one


def test_one_job_or_a_small_input_starts_no_process(tmp_path, monkeypatch):
    import multiprocessing

    def refuse(*args, **kwargs):
        raise AssertionError("a process was started")

    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    root = _project(tmp_path, 10)
    assert _run(root, jobs=1)[1].flows == 11
    assert _run(root, jobs=4)[1].flows == 11  # below PARALLEL_FROM
    monkeypatch.setattr(check, "PARALLEL_FROM", 1)
    assert _run(root, jobs=1)[1].flows == 11
    with pytest.raises(AssertionError, match="a process was started"):
        _run(root, jobs=2)


def test_validate_jobs_option_gives_the_same_report(tmp_path, parallel_from_one):
    from click.testing import CliRunner

    from sfupgrade.cli import cli

    root = _project(tmp_path, 25)
    outputs = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli, ["validate", str(root), "-j", jobs, "--format", "json"])
        assert result.exit_code == 1, result.output
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1] and outputs[0]["result"]["summary"]["errors"] > 0


def test_a_broken_action_is_the_error_either_way(tmp_path, parallel_from_one):
    root = _project(tmp_path, 12)
    (root / "ctiActions" / "a005.ctiAction.json").write_text('{"name": "x"}', encoding="utf-8")
    one, two = _errors(root)
    assert one == two and "a005.ctiAction.json" in one and "flow" in one


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("NaN", "NaN is not valid JSON"),  # orjson refuses it; the json module words it
        ('"\\ud800"', None),  # a lone surrogate: orjson refuses, the json module accepts
        ("1e400", None),
        ("123456789012345678901234567890", None),
    ],
)
def test_what_the_fast_parser_refuses_is_read_as_the_json_module_reads_it(tmp_path, value, error):
    (tmp_path / "ctiFlows").mkdir()
    flow = {"actions": [{"id": "s", "type": "SE_Start", "controls": {"x": "@"}}]}
    text = json.dumps(flow).replace('"@"', value)
    (tmp_path / "ctiFlows" / "flow.json").write_text(text, encoding="utf-8")
    plan = Plan(target="x")
    if error:
        with pytest.raises(UsageError, match=error):
            check_into_plan(plan, [tmp_path], jobs=1)
    else:
        assert check_into_plan(plan, [tmp_path], jobs=1).flows == 1 and plan.findings == []
