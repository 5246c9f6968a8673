"""The records file ``sfupgrade deploy`` reads: the CTI flows and actions an org must hold.

``{"flows": [{name, source, event, active, description, definition}], "actions": [{name, flow,
order, payload, form}]}``. ``definition`` is the flow as the CTI Flow editor downloads it, given
as a JSON object or as its text. ``event`` and ``description`` may be null or left out (a
``ctiAction`` flow runs on an action, not an event: the release's own
``Create_Callback_Task.ctiFlow.json`` holds ``"event": null``, as metadata/README.md documents);
``active`` may be left out and is then false, as Salesforce stores an unset checkbox. Read
strictly and checked whole before anything is sent, so a typo is one located error instead of
a half-deployed org.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from sfupgrade.core.errors import UsageError
from sfupgrade.files.jsonio import load_strict
from sfupgrade.model.value import Value


class RecordFileError(UsageError):
    """The records file has the wrong shape."""


class RecordSet(Value):
    """The flow and action records to deploy, as plain dicts in the record file's shape."""

    flows: tuple[dict[str, Any], ...]
    actions: tuple[dict[str, Any], ...]


_FLOW = {
    "name": str,
    "source": str,
    "event": (str, type(None)),
    "active": bool,
    "description": (str, type(None)),
    "definition": (str, dict),
}
_ACTION = {"name": str, "flow": str, "order": int, "payload": dict, "form": dict}
# Keys that may be left out; the org layer gives them the value the org would store.
_OPTIONAL = ("event", "active", "description")


def _check(item: Any, spec: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RecordFileError(f"{where}: expected an object with {', '.join(spec)}")
    unknown = set(item) - set(spec)
    if unknown:
        raise RecordFileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    record: dict[str, Any] = {}
    for key, kind in spec.items():
        value = item.get(key)
        if key in _OPTIONAL and key not in item:
            record[key] = None
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise RecordFileError(f"{where}: '{key}' is missing or not {_kind_name(kind)}")
        record[key] = value
    if not record["name"].strip():
        raise RecordFileError(f"{where}: 'name' is empty")
    if isinstance(record.get("definition"), dict):
        record["definition"] = json.dumps(record["definition"], ensure_ascii=False, indent=2)
    return record


def _kind_name(kind: Any) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "a string",
        bool: "true/false",
        int: "a whole number",
        dict: "an object",
        type(None): "null",
    }
    return " or ".join(names[k] for k in kinds)


def parse_records(data: Any, source: str) -> RecordSet:
    if not isinstance(data, dict) or set(data) - {"flows", "actions"}:
        raise RecordFileError(f'{source}: expected {{"flows": [...], "actions": [...]}}')
    flows = [_check(f, _FLOW, f"{source}: flows[{i}]") for i, f in enumerate(data.get("flows", []))]
    actions = [
        _check(a, _ACTION, f"{source}: actions[{i}]") for i, a in enumerate(data.get("actions", []))
    ]
    for kind, items in (("flow", flows), ("action", actions)):
        twice = sorted(n for n, count in Counter(r["name"] for r in items).items() if count > 1)
        if twice:
            raise RecordFileError(f"{source}: {kind} name(s) given twice: {', '.join(twice)}")
    return RecordSet(tuple(flows), tuple(actions))


def load_records(path: Path) -> RecordSet:
    return parse_records(load_strict(path), str(path))
