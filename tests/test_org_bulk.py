"""Bulk API 2.0 above the threshold: one job instead of ceil(N/200) collections calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.org import records
from sfupgrade.org.bulk import to_csv
from tests.fakeorg import URL, FakeOrg
from tests.fakeorg.cti import FLOW, add_cti_objects, flow


@pytest.fixture
def org(fake_org: FakeOrg, monkeypatch: pytest.MonkeyPatch) -> FakeOrg:
    monkeypatch.setattr(records, "BULK_THRESHOLD", 5)
    add_cti_objects(fake_org)
    return fake_org


def deploy(tmp_path: Path, flows: list) -> Result:
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"flows": flows}))
    return CliRunner().invoke(
        cli, ["deploy", "--records", str(path), "--instance-url", URL, "--format", "json"]
    )


def operations(org: FakeOrg) -> list[str]:
    return [c.operation for c in org.calls if c.operation.startswith(("bulk", "composite"))]


def test_creates_then_updates_through_one_job_each(org: FakeOrg, tmp_path: Path) -> None:
    flows = [flow(f"F{i:02d}", description=None if i == 3 else f"d{i}") for i in range(12)]
    result = deploy(tmp_path, flows)
    assert result.exit_code == 0, result.output
    assert operations(org) == [
        "bulk_job",
        "bulk_upload",
        "bulk_close",
        "bulk_status",
        "bulk_status",
        "bulk_results",
        "bulk_results",
    ]
    stored = {r["Name"]: r for r in org.records(FLOW).values()}
    assert len(stored) == 12 and stored["F00"]["amazonconnect__Active__c"] is True
    assert stored["F03"]["amazonconnect__Description__c"] is None
    assert json.loads(stored["F01"]["amazonconnect__Script__c"]) == flows[1]["definition"]
    org.calls.clear()
    changed = [dict(f, active=False) for f in flows]
    result = deploy(tmp_path, changed)
    assert result.exit_code == 0, result.output
    assert operations(org).count("bulk_job") == 1 and "composite_update" not in operations(org)
    assert all(r["amazonconnect__Active__c"] is False for r in org.records(FLOW).values())
    assert stored["F03"]["amazonconnect__Description__c"] is None


def test_locked_rows_of_a_job_go_round_through_collections(org: FakeOrg, tmp_path) -> None:
    org.lock(FLOW, "F02", times=2)
    org.lock(FLOW, "F07", times=99)
    result = deploy(tmp_path, [flow(f"F{i:02d}") for i in range(10)])
    assert result.exit_code == 68, result.output
    components = {c["name"]: c for c in json.loads(result.stdout)["result"]["components"]}
    assert components["F02"]["state"] == "Created"
    assert components["F07"]["error"].startswith("UNABLE_TO_LOCK_ROW: unable to obtain")
    assert sum(1 for s in components.values() if s["state"] == "Created") == 9
    org.data.objects[FLOW].locks.clear()
    rerun = deploy(tmp_path, [flow(f"F{i:02d}") for i in range(10)])
    assert rerun.exit_code == 0 and len(org.records(FLOW)) == 10


def test_a_job_that_fails_is_reported_and_nothing_is_resent(org: FakeOrg, tmp_path: Path) -> None:
    org.inject("timeout", on="bulk_close", times=10)
    result = deploy(tmp_path, [flow(f"F{i:02d}") for i in range(6)])
    assert result.exit_code == 1
    errors = {c["error"] for c in json.loads(result.stdout)["result"]["components"]}
    assert len(errors) == 1 and "timed out" in errors.pop()
    assert operations(org).count("bulk_close") == 1  # its answer was lost: never repeated
    assert org.records(FLOW) == {}


def test_csv_clears_fields_on_update_only() -> None:
    rows = [{"attributes": {"type": "X"}, "Id": "a1", "B": None, "C": True, "D": 'say "hi"\nbye'}]
    assert to_csv(rows, create=False) == 'B,C,D,Id\n#N/A,true,"say ""hi""\nbye",a1\n'
    assert to_csv([{"B": None}], create=True) == 'B\n""\n'


def test_an_update_job_changes_only_what_each_record_changes(org: FakeOrg, tmp_path) -> None:
    """Issue 12, fix 1: one column per changed field, but an empty cell (never ``#N/A``) where
    a record keeps the field; ``#N/A`` only where the plan clears it."""
    flows = [flow(f"F{i:02d}") for i in range(7)]
    assert deploy(tmp_path, flows).exit_code == 0
    changed = [
        dict(f, description=f"new {i}") if i % 2 else dict(f, active=False)
        for i, f in enumerate(flows)
    ]
    changed[6] = dict(flows[6], description=None)  # the one field the plan clears
    org.calls.clear()
    result = deploy(tmp_path, changed)
    assert result.exit_code == 0, result.output
    assert operations(org).count("bulk_job") == 1
    stored = {r["Name"]: r for r in org.records(FLOW).values()}
    for i in range(6):
        record = stored[f"F{i:02d}"]
        assert record["amazonconnect__Active__c"] is (i % 2 == 1), i
        expected = f"new {i}" if i % 2 else f"F{i:02d} flow"
        assert record["amazonconnect__Description__c"] == expected, i
    assert stored["F06"]["amazonconnect__Description__c"] is None
    assert stored["F06"]["amazonconnect__Active__c"] is True


def test_csv_leaves_an_unchanged_field_empty() -> None:
    rows = [{"Id": "a1", "A": "x"}, {"Id": "a2", "B": None}]
    assert to_csv(rows, create=False) == "A,B,Id\nx,,a1\n,#N/A,a2\n"


def test_an_upload_over_the_job_limit_is_split_into_several_jobs(
    org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12, fix 5: at most 100 MB of CSV per job (150 MB once base64 encoded); scaled down
    here, the fake refusing what the real limit would refuse."""
    from sfupgrade.org import bulk

    monkeypatch.setattr(bulk, "MAX_UPLOAD_BYTES", 20_000)
    org.bulk.max_upload_base64 = 30_000
    flows = [flow(f"F{i:02d}", description="x" * 900) for i in range(40)]
    result = deploy(tmp_path, flows)
    assert result.exit_code == 0, result.output
    uploads = [c for c in org.calls if c.operation == "bulk_upload"]
    assert len(uploads) >= 2 and all(len(c.body) <= 20_000 for c in uploads)
    assert sorted(r["Name"] for r in org.records(FLOW).values()) == [f["name"] for f in flows]


def test_a_record_larger_than_a_job_is_refused_before_anything_is_sent(
    org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfupgrade.org import bulk

    monkeypatch.setattr(bulk, "MAX_UPLOAD_BYTES", 2_000)
    flows = [flow(f"F{i:02d}", description="x" * (3000 if i == 4 else 10)) for i in range(6)]
    result = deploy(tmp_path, flows)
    assert result.exit_code == 1
    errors = {c["error"] for c in json.loads(result.stdout)["result"]["components"]}
    assert any("F04" in e and "Bulk API" in e for e in errors), errors
    assert org.writes == []


def test_a_job_that_never_finishes_is_watched_then_left_running(
    org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The polling helper bulk jobs share with check-only deploys: capped, never resubmitted."""
    from sfupgrade.org import bulk

    monkeypatch.setattr(bulk, "POLL_LIMIT", 60.0)
    org.bulk.polls = 1000
    result = deploy(tmp_path, [flow(f"F{i:02d}") for i in range(6)])
    assert result.exit_code == 1
    errors = {c["error"] for c in json.loads(result.stdout)["result"]["components"]}
    assert len(errors) == 1 and "still InProgress after 60s" in errors.pop()
    assert operations(org).count("bulk_job") == 1
    assert 3 <= operations(org).count("bulk_status") <= 12
