"""What applying a change does, by kind, as plain data: a plan's operations.

A :class:`~sfupgrade.model.plan.Change` carries one of these so that applying needs no
re-planning; the org or the file system is the applier's argument, never part of the plan. They
live below every applier (:mod:`sfupgrade.files.atomic`, :mod:`sfupgrade.org.records`,
:mod:`sfupgrade.org.valueset`) so that the plan can name them without importing an adapter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeAlias

from sfupgrade.model.value import Value
from sfupgrade.model.valueset import ValueSet


class FileWrite(Value):
    """Replace ``path``'s content ``expected`` (as read when planning) by ``data``; with
    ``expected`` None, create ``path``, which must not exist yet."""

    path: Path
    expected: bytes | None
    data: bytes


class RecordWrite(Value):
    """One create or update, in sObject terms; an action's flow lookup may await its flow."""

    kind: str  # "flow" | "action"
    sobject: str
    record_id: str | None  # None: create
    values: tuple[tuple[str, Any], ...]
    name_field: str
    lookup_field: str | None = None  # set when the flow lookup is to be written
    flow_name: str | None = None
    flow_id: str | None = None

    @property
    def create(self) -> bool:
        return self.record_id is None


class OrgValueSetWrite(Value):
    """What applying needs, as plain data: the set's full name, the set as planned from, and
    the whole set to write. The org is the applier's argument, not part of the plan."""

    full_name: str
    before: ValueSet
    after: ValueSet


Operation: TypeAlias = FileWrite | OrgValueSetWrite | RecordWrite
