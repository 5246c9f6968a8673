"""Finding CTI content: which files under the paths given are flows, records and actions.

The documented place (``metadata/README.md``): folders named ``ctiFlows/`` and ``ctiActions/``
anywhere inside a project. In a project (``sfdx-project.json`` or ``package.xml`` at its top, or
any such folder inside) nothing outside those folders is read, so ``package.json``,
``jsconfig.json`` or a static resource is never taken for a flow. A folder that is no project
is a folder of downloaded flows. Each file has one identity, its real path, however it was
spelled (``.``, ``./x``, absolute, through a symlink), so no file is read twice.
"""

from __future__ import annotations

import os
from pathlib import Path

from sfupgrade.core.errors import UsageError
from sfupgrade.files.project import skipped_folder
from sfupgrade.model.value import Value, field

ACTION_SUFFIX = ".ctiAction.json"
RECORD_SUFFIX = ".ctiFlow.json"
FLOWS_DIR = "ctiFlows"
ACTIONS_DIR = "ctiActions"
CONTENT_DIRS = frozenset({FLOWS_DIR, ACTIONS_DIR})
PROJECT_MARKERS = ("sfdx-project.json", "package.xml")
# Besides what no project walk enters (project.skipped_folder): UI bundles, whose JSON
# (jsconfig.json, static resources) is never CTI content.
UI_BUNDLE_DIRS = frozenset({"lwc", "aura", "staticresources"})


class CtiContentError(UsageError):
    """A flow or action file is not in the expected shape, or none was found."""


def identity(path: str) -> tuple[int, int] | str:
    """What makes two spellings of a path one file: its device and inode (through symlinks);
    for a path that does not exist, its absolute form."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return os.path.abspath(path)
    return st.st_dev, st.st_ino


class Source(Value):
    """One file found: the path to show (as the user spelled it, normalised), its identity
    and the folder (absolute) it was found in, which a record's ``definition`` may not leave."""

    path: str
    identity: tuple[int, int] | str
    within: str


class Discovery(Value, frozen=False):
    """The files found, by role, in a stable order, each once."""

    actions: list[Source] = field(default_factory=list)
    records: list[Source] = field(default_factory=list)
    graphs: list[Source] = field(default_factory=list)
    # Projects given that hold no CTI content: said, not an error.
    empty_projects: list[str] = field(default_factory=list)
    _seen: set[tuple[int, int] | str] = field(default_factory=set, repr=False)

    def add(self, path: str, within: str) -> None:
        known = identity(path)
        if known in self._seen:
            return
        self._seen.add(known)
        source = Source(path, known, within)
        name = os.path.basename(path)
        if name.endswith(ACTION_SUFFIX):
            self.actions.append(source)
        elif name.endswith(RECORD_SUFFIX):
            self.records.append(source)
        else:
            self.graphs.append(source)

    @property
    def empty(self) -> bool:
        return not (self.actions or self.records or self.graphs)


def skipped(name: str, folder: str) -> bool:
    """Whether a walk for CTI content (discovery, a pull's look for local files) skips the
    folder ``name`` inside ``folder``."""
    return name in UI_BUNDLE_DIRS or skipped_folder(folder, name)


def _json_files(directory: str) -> list[tuple[str, bool]]:
    """Every ``*.json`` under ``directory`` (never entering skipped folders), with whether it
    lies inside a ``ctiFlows``/``ctiActions`` folder (the folder given counts too)."""
    top = os.path.basename(os.path.realpath(directory)) in CONTENT_DIRS
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not skipped(d, root))
        relative = os.path.relpath(root, directory)
        inside = top or bool(CONTENT_DIRS.intersection(Path(relative).parts))
        found += [(os.path.join(root, f), inside) for f in sorted(files) if f.endswith(".json")]
    return found


def flows_folders(root: str) -> list[str]:
    """Every ``ctiFlows`` folder under ``root``, where discovery would look."""
    found = []
    for folder, dirs, _ in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not skipped(d, folder))
        found += [os.path.join(folder, d) for d in dirs if d == FLOWS_DIR]
    return found


def is_project(directory: Path) -> bool:
    return any((directory / marker).is_file() for marker in PROJECT_MARKERS)


def project_content(directory: Path) -> tuple[Path, ...]:
    """What a job reads as CTI content by default in ``directory``: the directory itself when
    it holds ``ctiFlows``/``ctiActions`` folders (or is one), else nothing.

    A folder without them (a project with no CTI content yet, the current directory of an org
    run) holds no content the user meant, so it is never read as a folder of downloaded flows.
    """
    if directory.is_dir() and any(inside for _, inside in _json_files(str(directory))):
        return (directory,)
    return ()


def discover(paths: list[Path]) -> Discovery:
    """Classify the CTI files under ``paths`` (files or folders)."""
    found = Discovery()
    for given in paths:
        path = os.path.normpath(given)
        if os.path.isfile(path) or (os.path.exists(path) and not os.path.isdir(path)):
            if not path.endswith(".json"):
                raise CtiContentError(
                    f"{path}: not a .json file; give a flow downloaded from the CTI Flow editor,"
                    f" a *{RECORD_SUFFIX} record, a *{ACTION_SUFFIX} action or a folder"
                )
            found.add(path, os.path.dirname(os.path.abspath(path)))
            continue
        if not os.path.isdir(path):
            raise CtiContentError(f"{path}: no such file or directory")
        files = _json_files(path)
        project = is_project(Path(path)) or any(inside for _, inside in files)
        taken = [file for file, inside in files if inside or not project]
        within = os.path.abspath(path)
        for file in taken:
            found.add(os.path.normpath(file), within)
        if not taken:
            if not project:
                raise CtiContentError(
                    f"{path}: no CTI flows or actions found; expected {FLOWS_DIR}/*.json,"
                    f" *{RECORD_SUFFIX} or *{ACTION_SUFFIX} files"
                )
            found.empty_projects.append(path)
    return found
