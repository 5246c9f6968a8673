"""Global value sets as values, and the rules of the picklist upgrade.

Pure: no files, no XML. The same rules serve a file in a repository and a set read from an org,
so both targets plan identically. Salesforce's limits are checked here, before anything is
written, because an org rejects a set that breaks them only after a deploy has started.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from sfupgrade.core.errors import ValueSetError
from sfupgrade.model.value import Value, replace

MAX_VALUES = 1000
MAX_LENGTH = 255


# The release's value: the one the CTI Actions release needs in the set.
VALUE_SET = "AC_CtiScriptSource"
VALUE = "ctiAction"
LABEL = "CTI Action"

# The finding for a value set (or manifest) file that cannot be planned: reported with the CTI
# findings, so one run names every error of a project (a pre-commit hook, a CI job) instead of
# stopping at the first file. Described here once; report.rules gives it to SARIF and JUnit.
INVALID_FILE = "valueset-invalid"
INVALID_FILE_SUMMARY = (
    "The value set file (or its package.xml) is not well-formed metadata or breaks a Salesforce "
    "limit."
)
INVALID_FILE_HELP = (
    "The file is malformed or hostile XML, not UTF-8, not a GlobalValueSet, or breaks a limit "
    "Salesforce enforces (duplicate or empty fullName, over 1,000 values, a value or label over "
    "255 characters). The message says where; fix the file and rerun. Nothing is planned for "
    "it, and nothing is written while it stands."
)


class PicklistRequest(Value):
    """Which value must exist, with which label, in which set (the release's defaults)."""

    value_set: str = VALUE_SET
    value: str = VALUE
    label: str = LABEL
    namespace: str | None = None


class CustomValue(Value):
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


class ValueSet(Value):
    """A GlobalValueSet: its name comes from the file name or the org, not from the XML body."""

    name: str
    master_label: str
    sorted: bool = False
    description: str | None = None
    values: tuple[CustomValue, ...] = ()


EditKind = Literal["add", "relabel", "activate", "relabel+activate"]


class ValueEdit(Value):
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
    check_names([v.full_name for v in vs.values], [v.label for v in vs.values if v.label], source)


def check_names(names: Sequence[str], labels: Iterable[str], source: str) -> None:
    """The set-wide rules, on just the names and labels (cheap to get from a large file)."""
    if len(names) > MAX_VALUES:
        raise ValueSetError(
            f"{source}: {len(names)} values exceed Salesforce's limit of {MAX_VALUES} "
            "per global value set (inactive values count); remove unused values first"
        )
    # Whole-list checks first (C speed); the slow search for the culprit runs only on failure.
    if "" in names:  # names come stripped, as Salesforce trims them
        raise ValueSetError(f"{source}: a customValue has an empty fullName; give it one")
    if len(set(names)) != len(names):
        seen: set[str] = set()
        duplicate = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
        raise ValueSetError(
            f"{source}: duplicate fullName {duplicate!r}; Salesforce rejects the set, "
            "remove one of them"
        )
    for texts, what in ((names, "value"), (list(labels), "label")):
        if texts and max(map(len, texts)) > MAX_LENGTH:
            for text in texts:
                _check_length(text, what, source)


def is_xml_char(char: str) -> bool:
    """XML 1.0's Char production: a value or label holding anything else cannot be written to
    the value-set file or sent in a Metadata API envelope (the org's SOAP parser refuses it).
    A loop, not a regular expression: compiling that class costs ~10 ms of every start-up."""
    code = ord(char)
    if code < 0x20:
        return char in "\t\n\r"
    return not (0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF))


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
    check_request(full_name, label)
    check_value_set(vs, source)
    current = next((v for v in vs.values if v.full_name == full_name), None)
    return decide(current, len(vs.values), full_name, label, source)


def check_request(full_name: str, label: str) -> None:
    """The wanted value itself must be one Salesforce accepts."""
    if not full_name.strip() or full_name != full_name.strip():
        raise ValueSetError(f"value {full_name!r} is empty or has surrounding spaces")
    if not label.strip():
        raise ValueSetError(f"label for {full_name!r} is empty")
    _check_length(full_name, "value", "--value")
    _check_length(label, "label", "--label")
    for text, option in ((full_name, "--value"), (label, "--label")):
        for position, char in enumerate(text, 1):
            if not is_xml_char(char):
                raise ValueSetError(
                    f"{option} holds U+{ord(char):04X} at character {position}, which no"
                    " metadata file (XML) can hold; remove it"
                )


def decide(
    current: CustomValue | None, count: int, full_name: str, label: str, source: str
) -> ValueEdit | None:
    """The edit for one value, given its current state (None: absent) and the set's size."""
    if current is None:
        if count >= MAX_VALUES:
            raise ValueSetError(
                f"{source}: already holds {count} values, Salesforce's limit of "
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


def edited_value(current: CustomValue | None, edit: ValueEdit) -> CustomValue:
    """One value after the edit: a new value is inactive-free, non-default, labelled."""
    if current is None:
        return CustomValue(full_name=edit.full_name, label=edit.label, default=False)
    if "relabel" in edit.kind:
        current = replace(current, label=edit.label)
    if "activate" in edit.kind:
        current = replace(current, is_active=True)
    return current


def merge(vs: ValueSet, edit: ValueEdit) -> ValueSet:
    """Apply an edit to the set: the whole set comes back, nothing dropped or reordered.

    An org deactivates every value missing from an update, so callers send this whole result.
    """
    if edit.kind == "add":
        return replace(vs, values=(*vs.values, edited_value(None, edit)))
    values = tuple(edited_value(v, edit) if v.full_name == edit.full_name else v for v in vs.values)
    return replace(vs, values=values)
