"""The picklist step of the upgrade, on files: plan the value-set edit, then apply it.

Planning reads and decides; applying only writes what the plan holds (the exact bytes shown in
the dry-run diff), after checking the file did not change in between.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from sfupgrade.core.errors import MetadataXmlError, ValueSetError
from sfupgrade.files.atomic import write_files
from sfupgrade.files.jsonio import read_bytes_bounded
from sfupgrade.files.project import MDAPI_SUFFIX, find_value_set
from sfupgrade.files.xmlio import ValueSetDocument, add_package_member
from sfupgrade.model.plan import Change, Finding, Location, State
from sfupgrade.model.value import Value
from sfupgrade.model.valueset import INVALID_FILE, VALUE_SET, PicklistRequest
from sfupgrade.model.writes import FileWrite

# Errors raised as "<file>:<line>:<column>: <what>" (line and column when known).
_WHERE = re.compile(r"(?P<file>.+?)(?::(?P<line>\d+))?(?::(?P<column>\d+))?: (?P<what>.*)", re.S)


def plan_files(
    path: Path, request: PicklistRequest = PicklistRequest(), file: Path | None = None
) -> list[Change]:
    """Plan the value set's edit and, in a Metadata API project, its manifest's.

    A ``package.xml`` that does not list the set under ``GlobalValueSet`` would leave the
    edited set out of a deploy of that folder, so the upgrade adds the member (the change shows
    the exact line); one that lists it, or ``*``, is left alone.
    """
    change = plan_file(path, request, file)
    file = file or change_file(change, path, request)
    manifest = file.parent.parent / "package.xml"
    # lexists: a manifest that is a FIFO or a device is refused by the reader, not skipped.
    if not file.name.endswith(MDAPI_SUFFIX) or not os.path.lexists(manifest):
        return [change]
    data = read_bytes_bounded(manifest, error=MetadataXmlError)
    member = file.name[: -len(MDAPI_SUFFIX)]
    edited = add_package_member(data, str(manifest), "GlobalValueSet", member)
    if edited is None:
        return [change]
    line = f"<members>{member}</members>"
    manifest_change = Change(
        component_type="Package",
        name="package.xml",
        state=State.CHANGED,
        target=display_path(manifest, path if path.is_dir() else manifest.parent),
        summary=f"add {line} under <name>GlobalValueSet</name>: without it a deploy of this "
        "folder leaves the value set out",
        before_text=data.decode("utf-8"),
        after_text=edited.decode("utf-8"),
        operation=FileWrite(manifest, data, edited),
    )
    return [change, manifest_change]


class CheckedFiles(Value):
    """The value set step's plan: its changes, or the finding that its file is unusable."""

    changes: list[Change]
    findings: list[Finding]
    file: str  # the value set file, as reports show it


def plan_files_checked(path: Path, request: PicklistRequest = PicklistRequest()) -> CheckedFiles:
    """:func:`plan_files`, with a file that cannot be planned as an error finding instead.

    A missing value set stays an error (there is nothing to upgrade); a broken one is a
    finding of the plan, next to the CTI content's, and stops the upgrade the same way.
    """
    file = find_value_set(path, request.value_set, request.namespace)
    shown = display_path(file, path if path.is_dir() else file.parent)
    try:
        return CheckedFiles(plan_files(path, request, file), [], shown)
    except (MetadataXmlError, ValueSetError) as exc:
        return CheckedFiles([], [invalid_file_finding(exc, path, request.value_set)], shown)


def invalid_file_finding(
    error: MetadataXmlError | ValueSetError, base: Path, subject: str = VALUE_SET
) -> Finding:
    """The :data:`INVALID_FILE` finding for ``error``, at the file, line and column it names."""
    message = str(error)
    where = _WHERE.fullmatch(message)
    if where is None or not Path(where["file"]).is_file():
        return Finding("error", INVALID_FILE, message, subject)
    file = Path(where["file"])
    location = Location(
        file=display_path(file, base if base.is_dir() else file.parent),
        line=int(where["line"]) if where["line"] else None,
        column=int(where["column"]) if where["column"] else None,
    )
    return Finding("error", INVALID_FILE, where["what"], subject, location)


def change_file(change: Change, path: Path, request: PicklistRequest) -> Path:
    """The value set file a planned change is about."""
    if isinstance(change.operation, FileWrite):
        return change.operation.path
    return find_value_set(path, request.value_set, request.namespace)


def plan_file(
    path: Path, request: PicklistRequest = PicklistRequest(), file: Path | None = None
) -> Change:
    """Plan the edit of the value set found at ``path`` (a project, a directory or the file;
    ``file``: the one found there already)."""
    file = file or find_value_set(path, request.value_set, request.namespace)
    document = ValueSetDocument.from_path(file)
    shown = display_path(file, path if path.is_dir() else file.parent)
    edit = document.plan(request.value, request.label)
    if edit is None:
        return Change(
            component_type="GlobalValueSet",
            name=document.name,
            state=State.UNCHANGED,
            target=shown,
            summary=f"{request.value} ({request.label!r}) present and active",
        )
    edited = document.apply(edit)
    return Change(
        component_type="GlobalValueSet",
        name=document.name,
        state=State.CHANGED,
        target=shown,
        summary=edit.summary,
        before_text=document.text,
        after_text=edited.text,
        operation=FileWrite(file, document.data, edited.data),
    )


def display_path(path: Path, base: Path) -> str:
    """Paths in reports are relative to the working directory, else to the project given.

    Short paths keep diffs readable and let ``git apply`` take them from the project root.
    """
    for root in (Path.cwd(), base):
        relative = os.path.relpath(path, root)
        if not relative.startswith(".."):
            return relative
    return str(path)


def apply_file_changes(changes: Iterable[Change]) -> None:
    """Write every pending file change of a plan, all or none."""
    write_files([c.operation for c in changes if c.pending and isinstance(c.operation, FileWrite)])
