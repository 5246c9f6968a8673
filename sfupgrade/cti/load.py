"""Reading CTI flows and actions from files into the model.

Layout (documented in ``metadata/README.md``): a flow is the file the CTI Flow editor downloads,
kept unchanged, plus an optional ``<name>.ctiFlow.json`` record sidecar; an action is one
``<name>.ctiAction.json``. Every file goes through the one bounded, strict reader
(``sfupgrade.files.jsonio``) and the shipped schema, so a hand-editing slip or a hostile file is one
clear line.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import starmap
from pathlib import Path
from typing import Any

from sfupgrade.cti.discover import (
    RECORD_SUFFIX,
    CtiContentError,
    Discovery,
    Source,
    discover,
    identity,
)
from sfupgrade.cti.refs import flow_references
from sfupgrade.cti.schema import Schema
from sfupgrade.files.jsonio import JsonInputError, clip, loads_strict, quote, read_text_strict
from sfupgrade.model.cti import (
    Block,
    Content,
    CtiAction,
    CtiFlow,
    Form,
    FormField,
    PayloadEntry,
    Port,
)

GRAPH_SCHEMA = "ctiFlowDefinition.schema.json"
RECORD_SCHEMA = "ctiFlow.schema.json"
ACTION_SCHEMA = "ctiAction.schema.json"


class Reader:
    """Reads one run's files, with each schema compiled once for the run."""

    def __init__(self) -> None:
        self._schemas: dict[str, Schema] = {}

    def _checked(self, path: str, text: str, schema: str, what: str) -> Any:
        return self._check(path, loads_strict(text, path), schema, what)

    def _check(self, path: str, data: Any, schema: str, what: str) -> Any:
        if schema not in self._schemas:
            self._schemas[schema] = Schema(schema)
        error = self._schemas[schema].check(data)
        if error:
            raise CtiContentError(f"{path}: not a valid {what}: {error}; fix it (schema: {schema})")
        return data

    def action(self, source: Source) -> CtiAction:
        """One ``*.ctiAction.json`` file."""
        path = source.path
        text = read_text_strict(path)
        data = self._checked(path, text, ACTION_SCHEMA, "CTI action")
        form = data.get("form")
        return CtiAction(
            name=data["name"],
            flow=data["flow"],
            order=data.get("order", 0),
            payload=tuple(PayloadEntry(k, v) for k, v in data.get("payload", {}).items()),
            form=None if form is None else read_form(form),
            file=path,
            text=text,
        )

    def record(self, source: Source) -> tuple[Source, dict[str, Any]]:
        """A record's fields and the graph file it names (default: its name minus ``.ctiFlow``).

        The graph must lie inside the folder the record was found in: a record is input like
        any other, and ``"definition": "../../../../etc/passwd"`` must not read that file.
        """
        record = source.path
        fields = self._checked(record, read_text_strict(record), RECORD_SCHEMA, "CTI flow record")
        fields.pop("$schema", None)
        folder, name = os.path.split(record)
        definition = fields.pop("definition", name[: -len(RECORD_SUFFIX)] + ".json")
        if "\0" in definition:
            raise CtiContentError(
                f"{record}: 'definition' {quote(definition)} holds a NUL character;"
                " name the flow file beside the record"
            )
        graph = os.path.normpath(os.path.join(folder, definition))
        if os.path.commonpath([os.path.abspath(graph), source.within]) != source.within:
            raise CtiContentError(
                f"{record}: 'definition' {quote(definition)} points outside {source.within};"
                " keep the flow file inside the folder that holds the record"
            )
        return Source(graph, identity(graph), source.within), fields

    def flow(self, graph: Source, fields: dict[str, Any] | None, record: str | None) -> CtiFlow:
        """One flow file (with its record's fields, if any) as the model."""
        try:
            text = read_text_strict(graph.path)
        except JsonInputError:
            if record is not None and not os.path.lexists(graph.path):
                raise CtiContentError(
                    f"{record}: its flow file {clip(os.path.basename(graph.path))} does not"
                    " exist; put the file downloaded from the CTI Flow editor next to it or name"
                    " it in 'definition'"
                ) from None
            raise
        data = loads_strict(text, graph.path)
        if not isinstance(data, dict) or "actions" not in data:
            raise CtiContentError(
                f"{graph.path}: not a CTI flow: no top-level 'actions' list; save the file the"
                " CTI Flow editor's Download link gives, unchanged"
            )
        self._check(graph.path, data, GRAPH_SCHEMA, "CTI flow")
        blocks = tuple(map(_block, data["actions"]))
        references = flow_references(blocks, graph.path)
        if fields is None:
            named = data.get("name")
            fields = {"name": named if named else _stem(graph.path)}
        return CtiFlow(
            blocks=blocks,
            references=tuple(references),
            definition=text,
            file=graph.path,
            record_file=record,
            record_line=1 if record else None,
            **fields,
        )


def _block(raw: dict[str, Any]) -> Block:
    ports = raw.get("ports")
    position = raw.get("position")
    return Block(
        raw["id"],
        raw["type"],
        raw.get("controls") or {},
        tuple(starmap(Port, ports.items())) if ports else (),
        tuple(position) if position is not None else None,
    )


def read_form(data: dict[str, Any]) -> Form:
    """An action's form as the model holds it, with the documented defaults filled in (type
    Text, order = position, required false): one home for them, used for files and org rows."""
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


def is_graph(data: Any) -> bool:
    """Whether parsed JSON is a flow graph by the shipped schema (for text from an org)."""
    return isinstance(data, dict) and "actions" in data and Schema(GRAPH_SCHEMA).check(data) is None


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a run's files become the model.

    Reading keeps every parsed file alive (the model refers to it), and none of it is garbage
    or cyclic; yet each few hundred new objects start a collection that walks everything read
    so far. On a fleet export that was a third of the run, on a 55 MB flow half of it
    (``bench/bench_validate.py``). Reference counting still frees what is dropped; collection
    resumes when reading ends, also after an error.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def read_content(found: Discovery) -> Content:
    """The model of what ``discover`` found: every record with the flow file it names, then
    the flow files no record names, and the actions."""
    with _no_collection():
        return _read_content(found)


def _read_content(found: Discovery) -> Content:
    reader = Reader()
    actions = tuple(map(reader.action, found.actions))
    flows = []
    paired: set[tuple[int, int] | str] = set()
    for record in found.records:
        graph, fields = reader.record(record)
        paired.add(graph.identity)
        flows.append(reader.flow(graph, fields, record.path))
    for graph in found.graphs:
        if graph.identity not in paired:
            flows.append(reader.flow(graph, None, None))
    return Content(flows=tuple(flows), actions=actions)


def load_content(paths: list[Path] | tuple[Path, ...]) -> Content:
    """Every flow and action under ``paths`` (files or folders)."""
    return read_content(discover(list(paths)))


def load_action(path: str | Path) -> CtiAction:
    """One ``*.ctiAction.json`` file, on its own."""
    path = str(path)
    return Reader().action(Source(path, identity(path), os.path.dirname(os.path.abspath(path))))
