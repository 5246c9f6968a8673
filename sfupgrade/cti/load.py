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
from typing import Any, NamedTuple

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
from sfupgrade.cti.refs import extract
from sfupgrade.cti.schema import check
from sfupgrade.errors import UsageError
from sfupgrade.jsonio import loads_keeping_last, loads_strict, read_text_strict

ACTION_SUFFIX = ".ctiAction.json"
RECORD_SUFFIX = ".ctiFlow.json"
FLOWS_DIR = "ctiFlows"
ACTIONS_DIR = "ctiActions"
_GRAPH_SCHEMA = "ctiFlowDefinition.schema.json"
_RECORD_SCHEMA = "ctiFlow.schema.json"
# Tool and VCS folders hold JSON that is never a flow.
_SKIP_DIRS = frozenset({".git", ".sf", ".sfdx", ".venv", "node_modules", "__pycache__"})


class CtiContentError(UsageError):
    """A flow or action file is not in the expected shape."""


@dataclass
class Discovery:
    """The files found under the paths given, by role, in a stable order.

    Paths are kept as strings: for tens of thousands of files, building ``Path`` objects costs
    more than the walk itself.
    """

    actions: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set, repr=False)
    # One path given: every path found is relative to it and normalized, so a path's own text
    # identifies its file; several: only the absolute path does (``_key``).
    single: bool = True

    def key(self, path: str) -> str:
        return os.path.normcase(path) if self.single else _key(path)


def _role(name: str) -> str:
    if name.endswith(ACTION_SUFFIX):
        return "action"
    if name.endswith(RECORD_SUFFIX):
        return "record"
    return "graph"


def _walk_json(directory: str) -> Iterator[tuple[str, str, set[str]]]:
    """Each JSON file under ``directory``: its path, its name, the folders down to it."""
    top = os.path.basename(os.path.abspath(directory))
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        # The folder given counts too: `validate metadata/ctiFlows` is a folder of flows.
        folders = {top, *Path(os.path.relpath(root, directory)).parts}
        for name in sorted(files):
            if name.endswith(".json"):
                yield os.path.join(root, name), name, folders


def _key(path: str) -> str:
    """Identity of a file however it was named (relative, absolute, via a folder given too)."""
    return os.path.normcase(os.path.abspath(path))


def _add(found: Discovery, path: str, name: str, dedupe: bool) -> None:
    # A path given twice (or a file inside a folder also given) is read once.
    if dedupe:
        key = _key(path)
        if key in found.seen:
            return
        found.seen.add(key)
    role = _role(name)
    if role == "graph":
        found.graphs.append(path)
    else:
        (found.actions if role == "action" else found.records).append(path)


def discover(paths: Sequence[Path]) -> Discovery:
    """Classify the JSON files under ``paths``.

    In a directory, other ``*.json`` files count as flows only inside a ``ctiFlows`` folder, so a
    project's ``sfdx-project.json`` is never mistaken for one; a folder with no ``ctiFlows``,
    ``ctiActions`` or record files at all is read as a folder of downloaded flows.
    """
    dedupe = len(paths) > 1  # one folder's walk never meets a file twice
    found = Discovery(single=not dedupe)
    for given in paths:
        path = Path(os.path.normpath(given))
        if not path.exists():
            raise CtiContentError(f"{path}: no such file or directory")
        if path.is_file():
            if path.suffix != ".json":
                raise CtiContentError(
                    f"{path}: not a .json file; give a flow downloaded from the CTI Flow editor,"
                    f" a *{RECORD_SUFFIX} record, a *{ACTION_SUFFIX} action or a folder"
                )
            _add(found, str(path), path.name, dedupe)
            continue
        files = list(_walk_json(str(path)))
        structured = any(
            _role(name) != "graph" or {FLOWS_DIR, ACTIONS_DIR} & folders
            for _, name, folders in files
        )
        taken = [
            (file, name)
            for file, name, folders in files
            if _role(name) != "graph" or FLOWS_DIR in folders or not structured
        ]
        for file, name in taken:
            _add(found, file, name, dedupe)
        if not taken:
            raise CtiContentError(
                f"{path}: no CTI flows or actions found; expected {FLOWS_DIR}/*.json,"
                f" *{RECORD_SUFFIX} or *{ACTION_SUFFIX} files"
            )
    return found


def _checked(path: str, text: str, schema: str, what: str) -> Any:
    data = loads_strict(text, path)
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


def read_record(record: str, fast: bool = False) -> tuple[str, dict[str, Any]]:
    """A record's fields and the graph file it names (default: its own name minus ``.ctiFlow``).

    ``fast`` (for thousands of records) parses with orjson first: a valid record is one flat
    map, so as many keys as the text has colons proves that none was repeated (see
    ``screen.payload_read``). Anything else is read strictly, which finds a repeat if any.
    """
    text = read_text_strict(record)
    fields = loads_keeping_last(text, record) if fast else None
    if type(fields) is not dict or len(fields) != text.count(":"):
        fields = loads_strict(text, record)
    error = check(fields, _RECORD_SCHEMA)
    if error:
        raise CtiContentError(
            f"{record}: not a valid CTI flow record: {error}; fix it (schema: {_RECORD_SCHEMA})"
        )
    fields.pop("$schema", None)
    folder, name = os.path.split(record)
    default = name[: -len(RECORD_SUFFIX)] + ".json"
    return os.path.normpath(os.path.join(folder, fields.pop("definition", default))), fields


def _invalid(graph: str, data: Any) -> CtiContentError:
    error = check(data, _GRAPH_SCHEMA) or "does not follow the schema"
    return CtiContentError(
        f"{graph}: not a valid CTI flow: {error}; fix it (schema: {_GRAPH_SCHEMA})"
    )


class FlowFile(NamedTuple):
    """One flow as read from disk: parsed, but not yet turned into the model.

    A checker that streams thousands of flows screens this first (``cti.screen``) and builds
    the model, which costs several times the parse, only for a flow that may have a finding.
    """

    graph: str
    text: str
    data: dict[str, Any]
    fields: dict[str, Any] | None  # the record's fields; None for a flow without a record
    record: str | None
    # False when ``data`` was parsed keeping the last of repeated keys (``jsonio``): the
    # screen then proves there were none, and ``build`` parses strictly.
    strict: bool = True

    @property
    def name(self) -> str:
        if self.fields is not None:
            return str(self.fields["name"])
        named = self.data.get("name")
        return named if isinstance(named, str) and named else _stem(self.graph)

    def build(self) -> CtiFlow:
        """The model of this flow (its blocks and references), or one line on what is wrong."""
        data = self.data if self.strict else loads_strict(self.text, self.graph)
        blocks = parse_blocks(data)
        if blocks is None:
            raise _invalid(self.graph, data)
        references = []
        for block in blocks:
            references += extract(block.controls, block.id, block.type)
        record = self.record
        return CtiFlow(
            blocks=blocks,
            references=tuple(references),
            definition=self.text,
            file=self.graph,
            record_file=record,
            record_line=1 if record else None,
            **(self.fields if self.fields is not None else {"name": self.name}),
        )


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _is_flow(data: Any) -> bool:
    return isinstance(data, dict) and "actions" in data and isinstance(data.get("name", ""), str)


def read_flow(
    graph: str, fields: dict[str, Any] | None, record: str | None, strict: bool
) -> FlowFile:
    try:
        text = read_text_strict(graph)
    except UsageError:
        if record is not None and not os.path.isfile(graph):
            raise CtiContentError(
                f"{record}: its flow file {os.path.basename(graph)} does not exist; put the file"
                " downloaded from the CTI Flow editor next to it or name it in 'definition'"
            ) from None
        raise
    data = (loads_strict if strict else loads_keeping_last)(text, graph)
    if not strict and not _is_flow(data):
        data, strict = loads_strict(text, graph), True  # a repeated key is what to report first
    if not isinstance(data, dict) or "actions" not in data:
        raise CtiContentError(
            f"{graph}: not a CTI flow: no top-level 'actions' list; save the file the CTI Flow"
            " editor's Download link gives, unchanged"
        )
    if not isinstance(data.get("name", ""), str):
        raise _invalid(graph, data)
    return FlowFile(graph, text, data, fields, record, strict)


def _form(data: dict[str, Any] | None) -> Form | None:
    if data is None:
        return None
    fields = tuple(
        FormField(
            raw["key"],
            raw["label"],
            raw.get("type", "Text"),
            raw.get("order", index),
            raw.get("required", False),
        )
        for index, raw in enumerate(data["fields"], 1)
    )
    return Form(data.get("title", ""), data.get("instructions", ""), fields)


def load_action(path: str | Path) -> CtiAction:
    """One ``*.ctiAction.json`` file."""
    path = str(path)
    text = read_text_strict(path)
    data = _checked(path, text, "ctiAction.schema.json", "CTI action")
    return CtiAction(
        name=data["name"],
        flow=data["flow"],
        order=data.get("order", 0),
        payload=tuple(PayloadEntry(key, value) for key, value in data.get("payload", {}).items()),
        form=_form(data.get("form")),
        file=path,
        text=text,
    )


def read_flows(found: Discovery) -> Iterator[FlowFile]:
    """The flows one at a time, so a caller that streams never holds them all: first each
    record with the flow file it names, then the flow files no record names."""
    paired: set[str] = set()
    for record in found.records:
        graph, fields = read_record(record)
        paired.add(found.key(graph))
        yield read_flow(graph, fields, record, strict=True)
    for graph in found.graphs:
        if found.key(graph) not in paired:
            yield read_flow(graph, None, None, strict=True)


def iter_flows(found: Discovery) -> Iterator[CtiFlow]:
    """The flows as models, one at a time."""
    return (flow.build() for flow in read_flows(found))


def load_content(paths: Sequence[Path]) -> Content:
    """Every flow and action under ``paths`` (files or folders)."""
    found = discover(paths)
    actions = tuple(load_action(path) for path in found.actions)
    return Content(flows=tuple(iter_flows(found)), actions=actions)
