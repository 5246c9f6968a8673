"""`sfupgrade pull DIR`: the org's CTI flows and actions into files, then validate and deploy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.files.resources import release_dir
from sfupgrade.org.filenames import MAX_STEM, assign_stems, safe_stem
from tests.fakeorg import TOKEN, URL, FakeOrg
from tests.fakeorg.cti import ACTION, FLOW, add_cti_objects
from tests.org_names import ACTION_OBJECT, FLOW_OBJECT, add_renamed_cti_objects

RELEASE_FILES = (
    "ctiFlows/Create_Callback_Task.json",
    "ctiFlows/Create_Callback_Task.ctiFlow.json",
    "ctiActions/Create_Callback_Task.ctiAction.json",
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def pull(folder: Path, *args: str) -> Result:
    return run("pull", str(folder), "--instance-url", URL, *args)


def deploy_plan(folder: Path | None, *args: str) -> dict:
    paths = [str(folder)] if folder else []
    result = run("deploy", *paths, "--instance-url", URL, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["result"]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def org(fake_org: FakeOrg) -> FakeOrg:
    """An org holding the release content, deployed as a user would."""
    add_cti_objects(fake_org)
    deploy_plan(None)
    return fake_org


def test_pull_validate_deploy_plans_nothing(org: FakeOrg, tmp_path: Path) -> None:
    folder = tmp_path / "pulled"
    result = pull(folder)
    assert result.exit_code == 0, result.output
    assert sorted(snapshot(folder)) == sorted(RELEASE_FILES)
    (stored,) = org.records(FLOW).values()
    graph = folder / RELEASE_FILES[0]
    assert graph.read_bytes() == stored["amazonconnect__Script__c"].encode("utf-8")
    for name in RELEASE_FILES:  # what was deployed comes back as it was written
        assert (folder / name).read_bytes() == (release_dir() / name).read_bytes(), name
    assert TOKEN not in result.output

    checked = run("validate", str(folder))
    assert checked.exit_code == 0, checked.output
    writes = len(org.writes)
    plan = deploy_plan(folder, "--dry-run")
    assert {c["state"] for c in plan["components"]} == {"Unchanged"}
    assert len(plan["components"]) == 2
    plan = deploy_plan(folder)  # and for real: nothing to write
    assert len(org.writes) == writes


def test_a_second_pull_changes_nothing(org: FakeOrg, tmp_path: Path) -> None:
    pull(tmp_path)
    before = snapshot(tmp_path)
    again = pull(tmp_path)
    assert again.exit_code == 0, again.output
    assert snapshot(tmp_path) == before  # bytes and modification times
    assert again.stdout.count("unchanged: ") == 3
    assert "0 file(s) written, 3 unchanged" in again.stderr


def test_a_local_change_is_kept_without_force(org: FakeOrg, tmp_path: Path) -> None:
    pull(tmp_path)
    sidecar = tmp_path / RELEASE_FILES[1]
    edited = sidecar.read_text().replace('"active": true', '"active": false')
    sidecar.write_text(edited)
    (tmp_path / RELEASE_FILES[2]).unlink()  # a file to create: not created either
    before = snapshot(tmp_path)
    refused = pull(tmp_path)
    assert refused.exit_code == 1
    assert f"differs: {sidecar}" in refused.stderr
    assert "--force" in refused.stderr
    assert snapshot(tmp_path) == before

    dry = pull(tmp_path, "--dry-run")
    assert dry.exit_code == 1  # as the pull itself would: DIR has drifted from the org
    assert f"would create: {tmp_path / RELEASE_FILES[2]}" in dry.stdout
    assert f"differs (kept; --force overwrites): {sidecar}" in dry.stdout
    assert snapshot(tmp_path) == before

    forced = pull(tmp_path, "--force")
    assert forced.exit_code == 0, forced.output
    assert f"updated: {sidecar}" in forced.stdout
    for name in RELEASE_FILES:
        assert (tmp_path / name).read_bytes() == (release_dir() / name).read_bytes()


def test_a_reformatted_record_file_is_unchanged(org: FakeOrg, tmp_path: Path) -> None:
    pull(tmp_path)
    action = tmp_path / RELEASE_FILES[2]
    action.write_text(json.dumps(json.loads(action.read_text()), indent=4))
    text = action.read_text()
    result = pull(tmp_path)
    assert result.exit_code == 0 and f"unchanged: {action}" in result.stdout
    assert action.read_text() == text


def test_dry_run_writes_nothing(org: FakeOrg, tmp_path: Path) -> None:
    folder = tmp_path / "new"
    result = pull(folder, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("would create: ") == 3
    assert not folder.exists()


def test_an_existing_layout_is_updated_in_place(org: FakeOrg, tmp_path: Path) -> None:
    """A flow downloaded under the editor's own file name keeps it; no second copy appears."""
    flows = tmp_path / "ctiFlows"
    flows.mkdir()
    graph = (release_dir() / RELEASE_FILES[0]).read_bytes()
    (flows / "10-Create+Callback+Task.json").write_bytes(graph)
    record = json.loads((release_dir() / RELEASE_FILES[1]).read_text())
    record["definition"] = "10-Create+Callback+Task.json"
    (flows / "callback.ctiFlow.json").write_text(json.dumps(record, indent=2) + "\n")
    result = pull(tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in flows.iterdir()) == [
        "10-Create+Callback+Task.json",
        "callback.ctiFlow.json",
    ]
    assert "unchanged: " in result.stdout
    assert run("validate", str(tmp_path)).exit_code == 0


def test_on_an_org_with_other_names_through_discover(fake_org: FakeOrg, tmp_path: Path) -> None:
    add_renamed_cti_objects(fake_org)
    discovered = run("mapping", "discover", "--instance-url", URL)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(discovered.stdout)
    deploy_plan(None, "--mapping", str(mapping))
    assert len(fake_org.records(FLOW_OBJECT)) == len(fake_org.records(ACTION_OBJECT)) == 1
    folder = tmp_path / "pulled"
    result = pull(folder, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert sorted(snapshot(folder)) == sorted(RELEASE_FILES)
    assert run("validate", str(folder)).exit_code == 0
    writes = len(fake_org.writes)
    plan = deploy_plan(folder, "--mapping", str(mapping), "--dry-run")
    assert {c["state"] for c in plan["components"]} == {"Unchanged"}
    assert len(fake_org.writes) == writes
    assert pull(folder).exit_code == 2  # the default mapping does not fit this org


def _flow_row(name: str, definition: str | None = None) -> dict:
    graph = (release_dir() / RELEASE_FILES[0]).read_text()
    return {
        "Name": name,
        "amazonconnect__Source__c": "ctiAction",
        "amazonconnect__Event__c": None,
        "amazonconnect__Active__c": True,
        "amazonconnect__Description__c": None,
        "amazonconnect__Script__c": graph if definition is None else definition,
    }


def test_hostile_org_values_stay_inside_the_folder(fake_org: FakeOrg, tmp_path: Path) -> None:
    add_cti_objects(fake_org)
    names = ["../../escape", "a\x00b", "x" * 5000, "CON", "Same name", "same_name", "Same_name"]
    for name in names:
        fake_org.insert(FLOW, _flow_row(name))
    fake_org.insert(FLOW, _flow_row("not json", "{not json"))
    fake_org.insert(FLOW, _flow_row("no graph", '{"nodes": []}'))
    fake_org.insert(FLOW, _flow_row("bad unicode", '{"actions": [], "x": "\ud800"}'))
    fake_org.insert(
        ACTION,
        {"Name": "orphan", "amazonconnect__CtiScript__c": None, "amazonconnect__Order__c": 1.0},
    )
    same_id = next(i for i, r in fake_org.records(FLOW).items() if r["Name"] == "Same name")
    fake_org.insert(
        ACTION,
        {
            "Name": "../\x00" + "z" * 5000,
            "amazonconnect__CtiScript__c": same_id,
            "amazonconnect__Order__c": 1.0,
            "amazonconnect__Payload__c": '{"SubjectPrepend": "x"}',
            "amazonconnect__Form__c": json.dumps(
                {"title": "", "instructions": "", "fields": FIELDS}
            ),
        },
    )
    fake_org.insert(
        ACTION,
        {"Name": "half", "amazonconnect__CtiScript__c": same_id, "amazonconnect__Order__c": 1.5},
    )
    folder = tmp_path / "in" / "here"
    result = pull(folder)
    assert result.exit_code == 68, result.output
    for skipped in ("not json", "no graph", "bad unicode", "orphan"):
        assert f'"{skipped}"' in result.stderr
    assert 'action "half": its order "1.5" is not a whole number' in result.stderr
    assert "not JSON (line 1, column 2: Expecting property name" in result.stderr
    assert "is not JSON" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["here"]
    files = snapshot(folder)
    (action,) = [path for path in files if not path.startswith("ctiFlows/")]
    assert action.startswith("ctiActions/____zzz") and action.endswith(".ctiAction.json")
    del files[action]
    assert len(files) == 2 * len(names)  # each flow its own graph and sidecar
    assert all(len(Path(path).name) < 120 for path in files)
    stems = {Path(p).name.split(".")[0] for p in files}
    assert {"______escape", "a_b", "CON_", "Same_name"} <= stems
    assert len({s.casefold() for s in stems}) == len(names)  # none overwrote another
    assert "\x00" not in result.output and "x" * 200 not in result.output
    checked = run("validate", str(folder))
    assert "cti-duplicate-flow" not in checked.output
    plan = deploy_plan(folder, "--dry-run")
    assert {c["state"] for c in plan["components"]} == {"Unchanged"}
    assert pull(folder).exit_code == 68  # the same again, and still nothing else written


def test_a_folder_that_leads_elsewhere_is_refused(org: FakeOrg, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "pulled"
    folder.mkdir()
    os.symlink(outside, folder / "ctiFlows")
    result = pull(folder)
    assert result.exit_code == 2
    assert "leads outside" in result.stderr
    assert list(outside.iterdir()) == []


def test_what_is_in_the_way_is_refused(org: FakeOrg, tmp_path: Path) -> None:
    (tmp_path / "ctiActions").mkdir()
    (tmp_path / "ctiActions" / "Create_Callback_Task.ctiAction.json").mkdir()
    result = pull(tmp_path)
    assert result.exit_code == 2
    assert "is not a regular file" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ctiActions"]
    file = tmp_path / "file"
    file.write_text("")
    assert pull(file).exit_code == 2


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Create Callback Task", "Create_Callback_Task"),
        ("../x", "___x"),
        ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("nul", "nul_"),
        ("Com1", "Com1_"),
        ("", "_"),
        ("é.json", "__json"),
    ],
)
def test_safe_stem(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


def test_stems_never_collide() -> None:
    long = "y" * 300
    stems = assign_stems(["a b", "a_b", "A_B", long, long + "z"], claimed={"taken"})
    assert stems["A_B"] == "A_B"  # already safe, first in order: keeps its own name
    assert stems["a b"].startswith("a_b-")  # made safe: never takes a safe name's stem
    assert len({s.casefold() for s in stems.values()}) == 5
    assert all(len(s) <= MAX_STEM + 9 for s in stems.values())
    assert assign_stems(["taken"], claimed={"TAKEN"})["taken"] != "taken"
    assert assign_stems(["a_b", "a b"]) == {"a_b": "a_b", "a b": stems["a b"]}  # by name


KEYS = ("FirstName", "LastName", "CallbackPhone")  # what the release's flow reads from the form


def form_field(key: str, order: int) -> dict:
    return {"key": key, "label": key, "type": "Text", "order": order, "required": True}


FIELDS = [form_field(k, i) for i, k in enumerate(KEYS, 1)]


def _admin_built(fake_org: FakeOrg, flow: dict, action: dict) -> None:
    """Records as an admin leaves them in the CTI Flow editor, not as deploy writes them."""
    add_cti_objects(fake_org)
    flow_id = fake_org.insert(FLOW, _flow_row("Built") | flow)
    row = {
        "Name": "Button",
        "amazonconnect__CtiScript__c": flow_id,
        "amazonconnect__Order__c": 2.0,
        "amazonconnect__Payload__c": '{"SubjectPrepend": "Callback"}',
        "amazonconnect__Form__c": json.dumps({"title": "T", "instructions": "I", "fields": FIELDS}),
    }
    fake_org.insert(ACTION, row | action)


def _converges(fake_org: FakeOrg, folder: Path) -> None:
    result = pull(folder)
    assert result.exit_code == 0, result.output
    assert run("validate", str(folder)).exit_code == 0
    writes = len(fake_org.writes)
    plan = deploy_plan(folder, "--dry-run")
    assert {(c["name"], c["state"]) for c in plan["components"]} == {
        ("Built", "Unchanged"),
        ("Button", "Unchanged"),
    }
    assert len(fake_org.writes) == writes


@pytest.mark.parametrize(
    "flow",
    [
        {},
        {"amazonconnect__Event__c": "", "amazonconnect__Description__c": ""},
        {"amazonconnect__Description__c": "Ünïcode ✓ and\nnewlines"},
        {"amazonconnect__Active__c": None},
    ],
    ids=["plain", "empty-strings", "unicode", "active-null"],
)
def test_records_an_admin_built_converge(fake_org: FakeOrg, tmp_path: Path, flow: dict) -> None:
    _admin_built(fake_org, flow, {})
    _converges(fake_org, tmp_path)


@pytest.mark.parametrize(
    "action",
    [
        {"amazonconnect__Form__c": json.dumps({"fields": [{"key": k, "label": k} for k in KEYS]})},
        {
            "amazonconnect__Payload__c": None,
            "amazonconnect__Form__c": json.dumps(
                {
                    "title": "",
                    "instructions": "",
                    "fields": [*FIELDS, form_field("SubjectPrepend", 4)],
                }
            ),
        },
    ],
    ids=["form-without-defaults", "payload-null"],
)
def test_records_an_admin_built_with_defaults_left_out_converge(
    fake_org: FakeOrg, tmp_path: Path, action: dict
) -> None:
    _admin_built(fake_org, {}, action)
    _converges(fake_org, tmp_path)


def test_a_failed_write_leaves_nothing(
    org: FakeOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfupgrade.files import atomic

    real, calls = atomic._write_temp, []

    def failing(target: Path, data: bytes, mode: int) -> Path:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(target, data, mode)

    monkeypatch.setattr(atomic, "_write_temp", failing)
    folder = tmp_path / "pulled"
    result = pull(folder)
    assert result.exit_code == 1 and "cannot write (No space left on device)" in result.stderr
    assert not folder.exists()  # no file, no temporary file, no folder it made


def test_a_file_created_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    from sfupgrade.core.errors import ConcurrentModificationError
    from sfupgrade.files.atomic import write_files
    from sfupgrade.model.writes import FileWrite

    first, second = tmp_path / "a.json", tmp_path / "b.json"
    second.write_bytes(b"someone else's")
    with pytest.raises(ConcurrentModificationError, match="created on disk since"):
        write_files([FileWrite(first, None, b"1"), FileWrite(second, None, b"2")])
    assert not first.exists() and second.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]
    write_files([FileWrite(first, None, b"1")])
    assert first.read_bytes() == b"1"
