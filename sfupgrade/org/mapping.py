"""From our model of CTI flows and actions to the managed package's sObjects and fields.

The CTI Adapter's object and field API names are not public, so they live in one JSON file the
user can override (``--mapping FILE``); the bundled defaults (``default_mapping.json``, read with
importlib.resources) are guesses marked ``"verified": false``. Because a wrong guess would fail
mid-deploy, :func:`check_mapping` compares every mapped name with the org's describe first and
names the key to fix, pointing at ``sfupgrade mapping discover`` (:mod:`sfupgrade.org.discover`),
which writes a mapping file from the org's describe.

The loader reads ``verified``, ``flow`` and ``action`` (each ``object`` and ``fields``) and
ignores every other key by design: ``_about`` and each kind's ``notes`` (how discover placed each
name) are for the people who read the file.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfupgrade.core.errors import UsageError
from sfupgrade.files.jsonio import load_strict, loads_strict
from sfupgrade.model.value import Value

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.port import OrgPort

FLOW_FIELDS = ("name", "source", "event", "active", "description", "definition")
ACTION_FIELDS = ("name", "flow", "order", "payload", "form")
_KINDS = {"flow": FLOW_FIELDS, "action": ACTION_FIELDS}
# How every mismatch error ends: the one command that finds the org's real names.
DISCOVER_HINT = (
    "find the org's names with `sfupgrade mapping discover` (same org options) > mapping.json "
    "and pass --mapping FILE"
)


class MappingError(UsageError):
    """The mapping file is malformed or names an object or field the org does not have."""


class ObjectMapping(Value):
    """One model kind (``flow`` or ``action``) mapped to an sObject and its fields."""

    kind: str
    object: str
    fields: tuple[tuple[str, str], ...]  # (model field, sObject field), in model order

    def field(self, model_field: str) -> str:
        return dict(self.fields)[model_field]


class Mapping(Value):
    """Where CTI flows and actions live in the org: an object mapping for each."""

    flow: ObjectMapping
    action: ObjectMapping
    source: str
    verified: bool = False


def load_mapping(path: Path | None = None) -> Mapping:
    """The mapping in ``path``, or the bundled defaults."""
    if path is None:
        text = resources.files("sfupgrade.org").joinpath("default_mapping.json").read_text("utf-8")
        source = "the default mapping"
        data = loads_strict(text, source)
    else:
        source = str(path)
        data = load_strict(path)
    if not isinstance(data, dict):
        raise MappingError(f"{source}: expected a JSON object with 'flow' and 'action'")
    kinds = {
        kind: _object_mapping(data.get(kind), kind, names, source) for kind, names in _KINDS.items()
    }
    return Mapping(kinds["flow"], kinds["action"], source, data.get("verified") is True)


def _object_mapping(entry: Any, kind: str, names: tuple[str, ...], source: str) -> ObjectMapping:
    if not isinstance(entry, dict) or not isinstance(entry.get("object"), str):
        raise MappingError(f"{source}: '{kind}' needs an 'object' name and a 'fields' object")
    fields = entry.get("fields")
    if not isinstance(fields, dict) or set(fields) != set(names):
        raise MappingError(
            f"{source}: '{kind}.fields' must map exactly {', '.join(names)}; "
            f"got {', '.join(fields or {}) or 'nothing'}"
        )
    for name, value in fields.items():
        if not isinstance(value, str) or not value.strip():
            raise MappingError(f"{source}: '{kind}.fields.{name}' must be a field API name")
    return ObjectMapping(kind, entry["object"], tuple((n, fields[n]) for n in names))


def check_mapping(org: OrgPort, mapping: Mapping) -> None:
    """Every mapped object and field must exist in the org (and the flow lookup point right)."""
    for om in (mapping.flow, mapping.action):
        fields = org.describe(om.object)
        if not fields:
            raise MappingError(
                f"{org.host}: object {om.object} (CTI {om.kind}s, '{om.kind}.object' in "
                f"{mapping.source}) is not in the org; is the CTI Adapter installed? Otherwise "
                f"{DISCOVER_HINT}"
            )
        for model_field, api_name in om.fields:
            if api_name not in fields:
                close = difflib.get_close_matches(api_name, list(fields), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise MappingError(
                    f"{org.host}: field {om.object}.{api_name} ('{om.kind}.fields."
                    f"{model_field}' in {mapping.source}) is not in the org{hint}; "
                    f"{DISCOVER_HINT}"
                )
        if om.kind == "action":
            lookup = fields[om.field("flow")]
            if mapping.flow.object not in (lookup.get("referenceTo") or []):
                raise MappingError(
                    f"{org.host}: {om.object}.{om.field('flow')} ('action.fields.flow') "
                    f"is not a lookup to {mapping.flow.object}; {DISCOVER_HINT}"
                )
