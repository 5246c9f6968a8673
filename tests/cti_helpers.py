"""Test data for the CTI tests: the real flow fixtures, and the seed's action written here."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "cti-flows"
CALLBACK_FLOW = FIXTURES / "10-Create+Callback+Task.json"

CALLBACK_ACTION = {
    "name": "Create Callback Task",
    "flow": "Create Callback Task",
    "order": 1,
    "payload": {"SubjectPrepend": "Callback"},
    "form": {
        "title": "Customer Callback Information",
        "instructions": "Name and, if different, the number to call back.",
        "fields": [
            {"key": "FirstName", "label": "First Name", "type": "Text", "required": True},
            {"key": "LastName", "label": "Last Name", "type": "Text", "required": True},
            {"key": "CallbackPhone", "label": "Callback Number", "type": "Text"},
        ],
    },
}
CALLBACK_RECORD = {
    "name": "Create Callback Task",
    "source": "ctiAction",
    "active": True,
    "definition": CALLBACK_FLOW.name,
}


def need_fixtures() -> None:
    if not CALLBACK_FLOW.is_file():
        pytest.skip(f"the shared CTI flow fixtures are absent ({FIXTURES})")


def write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def callback_project(root: Path, action: dict | None = None, record: dict | None = None) -> Path:
    """A project with AWS's callback flow (copied at test time), its record and the action."""
    need_fixtures()
    flows = root / "ctiFlows"
    flows.mkdir(parents=True)
    shutil.copyfile(CALLBACK_FLOW, flows / CALLBACK_FLOW.name)
    write_json(flows / "Create_Callback_Task.ctiFlow.json", record or CALLBACK_RECORD)
    write_json(
        root / "ctiActions" / "Create_Callback_Task.ctiAction.json", action or CALLBACK_ACTION
    )
    return root


def mutate_flow(root: Path, change: Callable[[dict[str, dict]], None]) -> Path:
    """Apply ``change`` to the project's flow blocks (by id) and write the file back."""
    path = root / "ctiFlows" / CALLBACK_FLOW.name
    data = json.loads(path.read_text(encoding="utf-8"))
    change({block["id"]: block for block in data["actions"]})
    path.write_text(json.dumps(data, indent=4), encoding="utf-8")
    return path


def set_control(root: Path, block: str, control: str, value: str) -> Path:
    """Set one control of one block of the project's flow (a typo, a broken reference)."""

    def change(blocks: dict[str, dict]) -> None:
        blocks[block]["controls"][control] = value

    return mutate_flow(root, change)


def set_port(root: Path, block: str, port: str, target: str) -> Path:
    def change(blocks: dict[str, dict]) -> None:
        blocks[block]["ports"][port] = target

    return mutate_flow(root, change)


def line_of(path: Path, needle: str) -> int:
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert len(lines) == 1, needle
    return lines[0]
