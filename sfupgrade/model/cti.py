"""CTI Flows and CTI Actions as plain values (no I/O).

Values (:class:`~sfupgrade.model.value.Value`): immutable, equal only to their own kind, cheap
to define at start-up and to build by the thousand.

Reports (SARIF, editors) need a file and a line, and the validator must stay pure: a flow and an
action carry their file's text (a flow's ``definition`` is deployed as is), in which the
validator looks up a line only for the few places it reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

from sfupgrade.model.value import Value, field

CTI_ACTION_SOURCE = "ctiAction"
START_TYPE = "SE_Start"

RefKind = Literal["payload", "action", "contact", "malformed"]
_NO_CONTROLS: Mapping[str, Any] = MappingProxyType({})


class Reference(Value):
    """One ``$``-string inside a block's controls.

    ``name`` is the payload key, the referenced block id or the contact path, depending on
    ``kind``; ``rest`` is what follows (for ``$.actions.<id>.results.<rest>``).
    """

    kind: RefKind
    text: str
    name: str
    rest: str
    block: str
    block_type: str
    path: str


class Port(Value):
    """An edge of the flow graph: ``block`` continues at ``target`` through port ``name``."""

    name: str
    target: str


class Block(Value):
    """One block of a flow, as the CTI Flow editor writes it. Ids are any string."""

    id: str
    type: str
    controls: Mapping[str, Any] = field(default_factory=lambda: _NO_CONTROLS)
    ports: tuple[Port, ...] = ()
    position: tuple[float, ...] | None = None


class CtiFlow(Value):
    """A CTI Flow record: the graph plus the record fields kept in a sidecar file.

    A flow dropped in without a sidecar has ``has_record`` false and no source: it can be
    checked for graph integrity, but no action may run it until its record says ``ctiAction``.
    """

    name: str
    blocks: tuple[Block, ...]
    references: tuple[Reference, ...]
    definition: str
    source: str | None = None
    event: str | None = None
    active: bool | None = None
    description: str | None = None
    file: str | None = None
    record_file: str | None = None
    record_line: int | None = None

    @property
    def has_record(self) -> bool:
        return self.record_file is not None

    def payload_keys(self) -> set[str]:
        return {ref.name for ref in self.references if ref.kind == "payload"}

    def record_fields(self) -> dict[str, Any]:
        """The logical record the org deployer upserts; ``definition`` is the file's own text."""
        return {
            "name": self.name,
            "source": self.source,
            "event": self.event,
            "active": self.active,
            "description": self.description,
            "definition": self.definition,
        }


class FormField(Value):
    """An input the agent fills in; its ``key`` becomes ``$.payload.<key>`` in the flow."""

    key: str
    label: str
    type: str
    order: int
    required: bool

    def record_fields(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "order": self.order,
            "required": self.required,
        }


class Form(Value):
    """The form the CCP shows the agent before the flow runs."""

    title: str
    instructions: str
    fields: tuple[FormField, ...]

    def record_fields(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "instructions": self.instructions,
            "fields": [f.record_fields() for f in self.fields],
        }


class PayloadEntry(Value):
    """A hardcoded payload value."""

    key: str
    value: str


class CtiAction(Value):
    """A CTI Action: a CCP button that runs one flow (by name) with a payload and a form."""

    name: str
    flow: str
    order: int
    payload: tuple[PayloadEntry, ...] = ()
    form: Form | None = None
    file: str | None = None
    # The file's text, for the lines of what is reported.
    text: str | None = None

    @property
    def form_fields(self) -> tuple[FormField, ...]:
        return self.form.fields if self.form else ()

    def defined_keys(self) -> dict[str, tuple[str, int]]:
        """Every key the flow may read, hardcoded and form alike (one namespace), with where it
        is first defined: ``("payload" | "form", index in that section)``."""
        keys: dict[str, tuple[str, int]] = {}
        for index, entry in enumerate(self.payload):
            keys.setdefault(entry.key, ("payload", index))
        for index, form_field in enumerate(self.form_fields):
            keys.setdefault(form_field.key, ("form", index))
        return keys

    def record_fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "flow": self.flow,
            "order": self.order,
            "payload": {entry.key: entry.value for entry in self.payload},
            "form": self.form.record_fields() if self.form else None,
        }


class Content(Value):
    """Everything found under the paths given: flows and actions, in a stable order."""

    flows: tuple[CtiFlow, ...] = ()
    actions: tuple[CtiAction, ...] = ()
