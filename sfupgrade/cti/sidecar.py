"""The record sidecar of a downloaded flow: its file name and content, in one place.

``sfupgrade flow add`` writes it, and the finding for a flow without one prints it, so what a
user pastes and what the command writes cannot differ.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from sfupgrade.cti.discover import (
    FLOWS_DIR,
    RECORD_SUFFIX,
    CtiContentError,
    Source,
    flows_folders,
    identity,
)
from sfupgrade.cti.load import Reader
from sfupgrade.files.jsonio import QUOTE_LIMIT, clip, load_strict, read_bytes_bounded
from sfupgrade.model.cti import CTI_ACTION_SOURCE
from sfupgrade.model.value import Value


def sidecar_name(name: str) -> str:
    """``Create Callback Task`` → ``Create_Callback_Task.ctiFlow.json``."""
    stem = re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip("._") or "flow"
    return stem[:120] + RECORD_SUFFIX


def sidecar(
    flow_file: str,
    name: str,
    source: str = CTI_ACTION_SOURCE,
    event: str | None = None,
    active: bool = True,
    description: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The path (beside ``flow_file``) and fields of the record for ``flow_file``."""
    folder, graph = os.path.split(flow_file)
    record = sidecar_name(name)
    fields: dict[str, Any] = {"name": name, "source": source}
    if event is not None:
        fields["event"] = event
    fields["active"] = active
    if description is not None:
        fields["description"] = description
    if record[: -len(RECORD_SUFFIX)] + ".json" != graph:
        fields["definition"] = graph
    return os.path.join(folder, record), fields


def sidecar_text(fields: dict[str, Any]) -> str:
    return json.dumps(fields, indent=2, ensure_ascii=False) + "\n"


def add_hint(flow_file: str, name: str) -> str:
    """How to make ``flow_file`` a flow an action can run: the command, or the file to write."""
    if len(name) + len(flow_file) > QUOTE_LIMIT:  # a hostile name is not printed twice whole
        return f"give it a record: sfupgrade flow add {clip(flow_file)} --name NAME"
    path, fields = sidecar(flow_file, name)
    import shlex  # only when a hint is written: not at every start

    command = shlex.join(["sfupgrade", "flow", "add", flow_file, "--name", name])
    return f"run `{command}`, or save {path} holding {json.dumps(fields, ensure_ascii=False)}"


class FlowAdd(Value):
    """What ``sfupgrade flow add`` writes: the flow file copied unchanged (unless it is in its
    folder already) and its record."""

    flow: str  # where the flow file is, or will be
    copy_from: str | None
    record: str
    text: str
    data: bytes  # the flow file's bytes, as read and checked
    unchanged: bool = False  # both already there, as they would be written


def _destination(file: str, to: str | None, root: str) -> str:
    if to is not None:
        return to
    if os.path.basename(os.path.dirname(os.path.realpath(file))) == FLOWS_DIR:
        return os.path.dirname(file) or "."
    folders = flows_folders(root)
    if len(folders) > 1:
        listed = ", ".join(clip(os.path.normpath(f)) for f in folders[:5])
        raise CtiContentError(
            f"{len(folders)} {FLOWS_DIR} folders in {root} ({listed}); pass --to FOLDER"
        )
    if folders:
        return os.path.normpath(folders[0])
    packages = _package_dirs(root)
    base = os.path.join(packages[0], "main", "default") if packages else root
    return os.path.normpath(os.path.join(base, FLOWS_DIR))


def _package_dirs(root: str) -> list[str]:
    """A DX project's package folders, the default first (new content goes there)."""
    config_file = os.path.join(root, "sfdx-project.json")
    if not os.path.isfile(config_file):
        return []
    config = load_strict(config_file)
    dirs = config.get("packageDirectories") if isinstance(config, dict) else None
    dirs = [d for d in dirs or [] if isinstance(d, dict) and isinstance(d.get("path"), str)]
    dirs.sort(key=lambda d: d.get("default") is not True)
    return [os.path.join(root, d["path"]) for d in dirs]


def plan_add(
    file: str,
    name: str | None = None,
    to: str | None = None,
    root: str = ".",
    **fields: Any,
) -> FlowAdd:
    """Check ``file`` is a CTI flow (with the reader ``validate`` uses) and decide what to write.

    Refuses to overwrite a different file of the same name; writes nothing.
    """
    real = os.path.realpath(file)
    flow = Reader().flow(Source(file, identity(file), os.path.dirname(real)), None, None)
    data = read_bytes_bounded(file)
    folder = _destination(file, to, root)
    target = os.path.join(folder, os.path.basename(file))
    copy_from = None if os.path.realpath(target) == real else file
    if copy_from is not None and os.path.lexists(target):
        if not os.path.isfile(target) or read_bytes_bounded(target) != data:
            raise CtiContentError(
                f"{target}: exists and differs from {file}; remove it, or pass --to FOLDER"
            )
        copy_from = None  # the same file is there already
    record, values = sidecar(target, name or flow.name, **fields)
    text = sidecar_text(values)
    unchanged = False
    if os.path.lexists(record):
        if not os.path.isfile(record) or read_bytes_bounded(record) != text.encode():
            raise CtiContentError(
                f"{record}: a record of that name exists; edit it, or remove it and rerun"
            )
        unchanged = copy_from is None
    return FlowAdd(target, copy_from, record, text, data, unchanged)


def apply_add(add: FlowAdd) -> None:
    """Write what :func:`plan_add` decided: the copy, then the record (the copy is removed
    again if the record cannot be written)."""
    from sfupgrade.files.atomic import replace_file

    if add.unchanged:
        return
    os.makedirs(os.path.dirname(add.flow) or ".", exist_ok=True)
    if add.copy_from is not None:
        replace_file(Path(add.flow), add.data)
    try:
        if not os.path.exists(add.record):
            replace_file(Path(add.record), add.text.encode())
    except BaseException:
        if add.copy_from is not None:
            os.unlink(add.flow)
        raise
