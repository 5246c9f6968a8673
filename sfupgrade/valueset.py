"""Global value sets as values, and the rules of the picklist upgrade.

Pure: no files, no XML. The same rules serve a file in a repository and a set read from an org,
so both targets plan identically. Salesforce's limits are checked here, before anything is
written, because an org rejects a set that breaks them only after a deploy has started.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from sfupgrade.errors import ValueSetError

MAX_VALUES = 1000
MAX_LENGTH = 255


@dataclass(frozen=True)
class CustomValue:
    """One picklist value; ``is_active`` None (element absent) means active to Salesforce."""

    full_name: str
    label: str | None = None
    default: bool = False
    is_active: bool | None = None
    color: str | None = None
    description: str | None = None

    @property
    def active(self) -> bool:
        return self.is_active is not False

    @property
    def shown_label(self) -> str:
        """Salesforce shows the API name when a value has no label."""
        return self.full_name if self.label is None else self.label


@dataclass(frozen=True)
class ValueSet:
    """A GlobalValueSet: its name comes from the file name or the org, not from the XML body."""

    name: str
    master_label: str
    sorted: bool = False
    description: str | None = None
    values: tuple[CustomValue, ...] = ()


EditKind = Literal["add", "relabel", "activate", "relabel+activate"]


@dataclass(frozen=True)
class ValueEdit:
    """What must happen to one value so that it exists, is active and carries the wanted label."""

    kind: EditKind
    full_name: str
    label: str
    old_label: str | None = None

    @property
    def summary(self) -> str:
        if self.kind == "add":
            return f"add value {self.full_name} (label {self.label!r})"
        parts = []
        if "relabel" in self.kind:
            parts.append(f"relabel {self.full_name} from {self.old_label!r} to {self.label!r}")
        if "activate" in self.kind:
            parts.append(f"reactivate {self.full_name}")
        return " and ".join(parts)


def check_value_set(vs: ValueSet, source: str) -> None:
    """Refuse a set Salesforce would refuse, naming the offending value so the user can fix it."""
    if len(vs.values) > MAX_VALUES:
        raise ValueSetError(
            f"{source}: {len(vs.values)} values exceed Salesforce's limit of {MAX_VALUES} "
            "per global value set (inactive values count); remove unused values first"
        )
    seen: set[str] = set()
    for value in vs.values:
        if not value.full_name.strip():
            raise ValueSetError(f"{source}: a customValue has an empty fullName; give it one")
        if value.full_name in seen:
            raise ValueSetError(
                f"{source}: duplicate fullName {value.full_name!r}; Salesforce rejects the set, "
                "remove one of them"
            )
        seen.add(value.full_name)
        _check_length(value.full_name, "value", source)
        if value.label is not None:
            _check_length(value.label, "label", source)


def _check_length(text: str, what: str, source: str) -> None:
    if len(text) > MAX_LENGTH:
        raise ValueSetError(
            f"{source}: {what} {text[:40]!r}... is {len(text)} characters, over Salesforce's "
            f"limit of {MAX_LENGTH}"
        )


def plan_value(vs: ValueSet, full_name: str, label: str, source: str = "") -> ValueEdit | None:
    """Decide the edit that makes ``full_name`` present, active and labelled ``label``.

    Returns None when the value is already right, so a rerun writes nothing.
    """
    source = source or vs.name
    if not full_name.strip() or full_name != full_name.strip():
        raise ValueSetError(f"value {full_name!r} is empty or has surrounding spaces")
    if not label.strip():
        raise ValueSetError(f"label for {full_name!r} is empty")
    _check_length(full_name, "value", "--value")
    _check_length(label, "label", "--label")
    check_value_set(vs, source)
    current = next((v for v in vs.values if v.full_name == full_name), None)
    if current is None:
        if len(vs.values) >= MAX_VALUES:
            raise ValueSetError(
                f"{source}: already holds {len(vs.values)} values, Salesforce's limit of "
                f"{MAX_VALUES} per global value set; adding {full_name!r} would exceed it, "
                "remove unused values first"
            )
        return ValueEdit("add", full_name, label)
    relabel = current.shown_label != label
    activate = not current.active
    if relabel and activate:
        return ValueEdit("relabel+activate", full_name, label, current.shown_label)
    if relabel:
        return ValueEdit("relabel", full_name, label, current.shown_label)
    if activate:
        return ValueEdit("activate", full_name, label, current.shown_label)
    return None


def merge(vs: ValueSet, edit: ValueEdit) -> ValueSet:
    """Apply an edit to the set: the whole set comes back, nothing dropped or reordered.

    An org deactivates every value missing from an update, so callers send this whole result.
    """
    if edit.kind == "add":
        new = CustomValue(full_name=edit.full_name, label=edit.label, default=False)
        return replace(vs, values=(*vs.values, new))
    values = []
    for value in vs.values:
        if value.full_name == edit.full_name:
            if "relabel" in edit.kind:
                value = replace(value, label=edit.label)
            if "activate" in edit.kind:
                value = replace(value, is_active=True)
        values.append(value)
    return replace(vs, values=tuple(values))
