"""Reading CTI flows and actions from files into the model.

Layout (documented in ``metadata/README.md``): a flow is the file the CTI Flow editor downloads,
kept unchanged, plus an optional ``<name>.ctiFlow.json`` record sidecar; an action is one
``<name>.ctiAction.json``. Every file is read strictly (duplicate keys, NaN and non-UTF-8 are
refused) and checked against the shipped schema, so a hand-editing slip is one clear line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfupgrade.cti.model import (
    Block,
    Content,
    CtiAction,
    CtiFlow,
    Form,
    FormField,
    PayloadEntry,
    Port,
)
from sfupgrade.cti.refs import LineFinder, extract
from sfupgrade.cti.schema import check
from sfupgrade.errors import UsageError
from sfupgrade.jsonio import loads_strict, read_text_strict

ACTION_SUFFIX = ".ctiAction.json"
RECORD_SUFFIX = ".ctiFlow.json"
FLOWS_DIR = "ctiFlows"
ACTIONS_DIR = "ctiActions"
_GRAPH_SCHEMA = "ctiFlowDefinition.schema.json"
# Tool and VCS folders hold JSON that is never a flow.
_SKIP_DIRS = frozenset({".git", ".sf", ".sfdx", ".venv", "node_modules", "__pycache__"})


class CtiContentError(UsageError):
    """A flow or action file is not in the expected shape."""


@dataclass
class Discovery:
    """The files found under the paths given, by role, in a stable order."""

    actions: list[Path] = field(default_factory=list)
    records: list[Path] = field(default_factory=list)
    graphs: list[Path] = field(default_factory=list)
    seen: set[str] = field(default_factory=set, repr=False)


def _role(path: Path) -> str:
    name = path.name
    if name.endswith(ACTION_SUFFIX):
        return "action"
    if name.endswith(RECORD_SUFFIX):
        return "record"
    return "graph"


def _walk_json(directory: Path) -> Iterator[tuple[Path, set[str]]]:
    """Each JSON file under ``directory`` with the names of the folders down to it."""
    top = Path(os.path.abspath(directory)).name
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        # The folder given counts too: `validate metadata/ctiFlows` is a folder of flows.
        folders = {top, *Path(os.path.relpath(root, directory)).parts}
        for name in sorted(files):
            if name.endswith(".json"):
                yield Path(root, name), folders


def _key(path: Path) -> str:
    """Identity of a file however it was named (relative, absolute, via a folder given too)."""
    return os.path.normcase(os.path.abspath(path))


def _add(found: Discovery, path: Path) -> None:
    # A path given twice (or a file inside a folder also given) is read once.
    key = _key(path)
    if key in found.seen:
        return
    found.seen.add(key)
    role = _role(path)
    {"action": found.actions, "record": found.records, "graph": found.graphs}[role].append(path)


def discover(paths: Sequence[Path]) -> Discovery:
    """Classify the JSON files under ``paths``.

    In a directory, other ``*.json`` files count as flows only inside a ``ctiFlows`` folder, so a
    project's ``sfdx-project.json`` is never mistaken for one; a folder with no ``ctiFlows``,
    ``ctiActions`` or record files at all is read as a folder of downloaded flows.
    """
    found = Discovery()
    for path in paths:
        if not path.exists():
            raise CtiContentError(f"{path}: no such file or directory")
        if path.is_file():
            if path.suffix != ".json":
                raise CtiContentError(
                    f"{path}: not a .json file; give a flow downloaded from the CTI Flow editor,"
                    f" a *{RECORD_SUFFIX} record, a *{ACTION_SUFFIX} action or a folder"
                )
            _add(found, path)
            continue
        files = list(_walk_json(path))
        structured = any(
            _role(f) != "graph" or {FLOWS_DIR, ACTIONS_DIR} & folders for f, folders in files
        )
        taken = [
            file
            for file, folders in files
            if _role(file) != "graph" or FLOWS_DIR in folders or not structured
        ]
        for file in taken:
            _add(found, file)
        if not taken:
            raise CtiContentError(
                f"{path}: no CTI flows or actions found; expected {FLOWS_DIR}/*.json,"
                f" *{RECORD_SUFFIX} or *{ACTION_SUFFIX} files"
            )
    return found


def _checked(path: Path, text: str, schema: str, what: str) -> Any:
    data = loads_strict(text, str(path))
    error = check(data, schema)
    if error:
        raise CtiContentError(f"{path}: not a valid {what}: {error}; fix it (schema: {schema})")
    return data


_NUMBER_TYPES = {int, float}  # exact types: bool is an int subclass but not a number here


def _block(raw: Any) -> Block | None:
    """One block, or None where it breaks the graph schema (the schema then words the error).

    The schema's rules are inlined here because this runs for every block of every flow; a test
    holds :func:`parse_blocks` to the same verdicts as ``ctiFlowDefinition.schema.json``.
    """
    if not isinstance(raw, dict):
        return None
    block_id = raw.get("id")
    block_type = raw.get("type")
    controls = raw.get("controls")
    meta = raw.get("meta")
    ports = raw.get("ports")
    position = raw.get("position")
    if not (
        isinstance(block_id, str)
        and isinstance(block_type, str)
        and block_type
        and (controls is None or isinstance(controls, dict))
        and (meta is None or isinstance(meta, dict))
        and (ports is None or isinstance(ports, dict))
        and (position is None or isinstance(position, list))
    ):
        return None
    # Type sets, not a Python call per value: this runs for every port and coordinate.
    if ports and not {type(target) for target in ports.values()} <= {str}:
        return None
    if position and not {type(value) for value in position} <= _NUMBER_TYPES:
        return None
    return Block(
        block_id,
        block_type,
        controls or {},
        tuple(Port(name, target) for name, target in ports.items()) if ports else (),
        tuple(position) if position is not None else None,
    )


def parse_blocks(data: Any) -> tuple[Block, ...] | None:
    """The blocks of a parsed flow file, or None if it does not follow the graph schema."""
    raw_blocks = data.get("actions") if isinstance(data, dict) else None
    if not isinstance(raw_blocks, list) or not isinstance(data.get("name", ""), str):
        return None
    blocks = tuple(map(_block, raw_blocks))
    return None if None in blocks else blocks  # type: ignore[return-value]


def _record(record: Path) -> tuple[Path, dict[str, Any]]:
    """A record's fields and the graph file it names (default: its own name minus ``.ctiFlow``)."""
    fields = _checked(record, read_text_strict(record), "ctiFlow.schema.json", "CTI flow record")
    fields.pop("$schema", None)
    default = record.name[: -len(RECORD_SUFFIX)] + ".json"
    graph = record.parent / fields.pop("definition", default)
    if not graph.is_file():
        raise CtiContentError(
            f"{record}: its flow file {graph.name} does not exist; put the file downloaded from"
            " the CTI Flow editor next to it or name it in 'definition'"
        )
    return graph, fields


def _flow(graph: Path, fields: dict[str, Any] | None, record: Path | None) -> CtiFlow:
    text = read_text_strict(graph)
    data = loads_strict(text, str(graph))
    if not isinstance(data, dict) or "actions" not in data:
        raise CtiContentError(
            f"{graph}: not a CTI flow: no top-level 'actions' list; save the file the CTI Flow"
            " editor's Download link gives, unchanged"
        )
    blocks = parse_blocks(data)
    if blocks is None:
        error = check(data, _GRAPH_SCHEMA) or "does not follow the schema"
        raise CtiContentError(
            f"{graph}: not a valid CTI flow: {error}; fix it (schema: {_GRAPH_SCHEMA})"
        )
    references = []
    for block in blocks:
        references += extract(block.controls, block.id, block.type)
    return CtiFlow(
        blocks=blocks,
        references=tuple(references),
        definition=text,
        file=str(graph),
        record_file=str(record) if record else None,
        record_line=1 if record else None,
        **(fields if fields is not None else {"name": data.get("name") or graph.stem}),
    )


def _payload(data: dict[str, Any], text: str) -> tuple[PayloadEntry, ...]:
    lines = LineFinder(text)
    lines.find('"payload"')
    return tuple(
        PayloadEntry(key, value, lines.find_value(key, value))
        for key, value in data.get("payload", {}).items()
    )


def _form(data: dict[str, Any] | None, text: str) -> Form | None:
    if data is None:
        return None
    lines = LineFinder(text)
    lines.find('"form"')
    fields = tuple(
        FormField(
            key=raw["key"],
            label=raw["label"],
            type=raw.get("type", "Text"),
            order=raw.get("order", index + 1),
            required=raw.get("required", False),
            line=lines.find_value("key", raw["key"]),
        )
        for index, raw in enumerate(data["fields"])
    )
    return Form(data.get("title", ""), data.get("instructions", ""), fields)


def load_action(path: Path) -> CtiAction:
    """One ``*.ctiAction.json`` file."""
    text = read_text_strict(path)
    data = _checked(path, text, "ctiAction.schema.json", "CTI action")
    return CtiAction(
        name=data["name"],
        flow=data["flow"],
        order=data.get("order", 0),
        payload=_payload(data, text),
        form=_form(data.get("form"), text),
        file=str(path),
        line=LineFinder(text).find('"name"'),
        flow_line=LineFinder(text).find_value("flow", data["flow"]),
    )


def iter_flows(found: Discovery) -> Iterator[CtiFlow]:
    """The flows one at a time, so a caller that streams never holds them all."""
    paired: set[str] = set()
    for record in found.records:
        graph, fields = _record(record)
        paired.add(_key(graph))
        yield _flow(graph, fields, record)
    for graph in found.graphs:
        if _key(graph) not in paired:
            yield _flow(graph, None, None)


def load_content(paths: Sequence[Path]) -> Content:
    """Every flow and action under ``paths`` (files or folders)."""
    found = discover(paths)
    actions = tuple(load_action(path) for path in found.actions)
    return Content(flows=tuple(iter_flows(found)), actions=actions)
