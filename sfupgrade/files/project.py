"""Finding metadata in the layouts Salesforce projects come in.

Source format (``sfdx-project.json`` with package directories holding
``globalValueSets/<Name>.globalValueSet-meta.xml``), Metadata API format (``package.xml`` beside
``globalValueSets/<Name>.globalValueSet``), or any directory holding either. A managed package's
value set may carry its namespace (``amazonconnect__AC_CtiScriptSource``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from sfupgrade.core.errors import ProjectError
from sfupgrade.files.jsonio import load_strict
from sfupgrade.model.value import Value

SOURCE_SUFFIX = ".globalValueSet-meta.xml"
MDAPI_SUFFIX = ".globalValueSet"
PROJECT_FILES = ("sfdx-project.json", "package.xml")
# Never searched: dependencies and tool state, however they are named, and hidden folders.
# Never searched: other people's files (dependencies, caches, virtual environments by any name,
# which pyvenv.cfg marks). Hidden folders (.git, .sf, .sfdx, .vscode, .venv) by their dot.
SKIP_DIRS = frozenset({"node_modules", "bower_components", "__pycache__", "site-packages", "venv"})
# A search without a project file (no PATH: the current directory, maybe a home directory) is
# bounded; a Salesforce project's metadata sits a few levels down and holds far fewer folders.
MAX_DEPTH = 8
MAX_DIRECTORIES = 5_000


class Project(Value):
    """What a directory says about itself; ``search_roots`` are where metadata may live."""

    root: Path
    kind: Literal["source", "mdapi", "directory"]
    search_roots: tuple[Path, ...]
    api_version: str | None = None
    namespace: str | None = None


def read_project(root: Path) -> Project:
    """Describe the project at ``root`` (a directory, or its sfdx-project.json / package.xml)."""
    if not root.exists():
        raise ProjectError(f"{root}: no such file or directory")
    if root.is_file() and root.name in PROJECT_FILES:
        root = root.parent
    sfdx = root / "sfdx-project.json"
    if sfdx.is_file():
        config = load_strict(sfdx)
        if not isinstance(config, dict):
            raise ProjectError(f"{sfdx}: expected a JSON object")
        dirs = config.get("packageDirectories") or []
        if not isinstance(dirs, list):
            raise ProjectError(f"{sfdx}: packageDirectories must be an array")
        paths: list[str] = []
        for d in dirs:
            dir_path = d.get("path") if isinstance(d, dict) else None
            if dir_path is not None and not isinstance(dir_path, str):
                raise ProjectError(f"{sfdx}: packageDirectories[].path must be a string")
            if dir_path:
                paths.append(dir_path)
        if not paths:
            raise ProjectError(f"{sfdx}: no packageDirectories[].path; add one")
        roots = tuple(root / p for p in paths)
        version = config.get("sourceApiVersion")
        return Project(
            root,
            "source",
            roots,
            str(version) if version else None,
            config.get("namespace") or None,
        )
    if (root / "package.xml").is_file():
        return Project(root, "mdapi", (root,))
    return Project(root, "directory", (root,))


def source_api_version(root: Path) -> str | None:
    """``sourceApiVersion`` of the sfdx-project.json in ``root``, if any, as "62.0".

    Read on its own (not through :func:`read_project`) so that an org command run from any
    directory is not refused for a project file it only takes a version from.
    """
    sfdx = root / "sfdx-project.json"
    if not sfdx.is_file():
        return None
    config = load_strict(sfdx)
    version = config.get("sourceApiVersion") if isinstance(config, dict) else None
    if isinstance(version, int | float) and not isinstance(version, bool):
        return f"{float(version):.1f}"
    return str(version) if version else None


def _candidate_names(name: str, namespace: str | None) -> tuple[str, ...]:
    return (name, f"{namespace}__{name}") if namespace else (name,)


def _stem(file_name: str) -> str | None:
    for suffix in (SOURCE_SUFFIX, MDAPI_SUFFIX):
        if file_name.endswith(suffix):
            return file_name[: -len(suffix)]
    return None


def _matches(file_name: str, names: tuple[str, ...], any_namespace: bool) -> bool:
    stem = _stem(file_name)
    if stem is None:
        return False
    if stem in names:
        return True
    # A managed package's set carries its namespace: ns__Name.
    return any_namespace and any(stem.endswith(f"__{n}") for n in names)


def value_set_files(search_root: Path, bounded: bool) -> list[Path]:
    """Every global value set file under ``search_root``, in a stable order.

    ``bounded`` (no project file says where metadata is) stops at :data:`MAX_DEPTH` levels and
    :data:`MAX_DIRECTORIES` folders with an error that asks for PATH.
    """
    found: list[Path] = []
    base_depth = len(search_root.parts)
    for visited, (directory, subdirs, files) in enumerate(os.walk(search_root), start=1):
        here = Path(directory)
        subdirs[:] = sorted(d for d in subdirs if not skipped_folder(directory, d))
        if bounded and (visited > MAX_DIRECTORIES or len(here.parts) - base_depth >= MAX_DEPTH):
            if visited > MAX_DIRECTORIES:
                raise ProjectError(
                    f"{search_root}: searched {MAX_DIRECTORIES:,} folders for a value set "
                    "without finding a project; pass the project's PATH (the folder with "
                    "sfdx-project.json or package.xml) or the value set file"
                )
            subdirs[:] = []
        found.extend(here / f for f in sorted(files) if _stem(f) is not None)
    return found


def skipped_folder(folder: str | Path, name: str) -> bool:
    """Whether a walk of a project (for the value set, for CTI content, for a pull's local
    files) skips the folder ``name`` inside ``folder``: hidden folders, dependencies and
    virtual environments, whatever their name. They hold other people's files, and a home
    directory holds many of them. The one home of this rule."""
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    return os.path.isfile(os.path.join(folder, name, "pyvenv.cfg"))


def strip_namespace(name: str, namespace: str | None) -> str:
    """``amazonconnect__AC_CtiScriptSource`` with namespace ``amazonconnect`` is the same set
    as ``AC_CtiScriptSource``: the namespace given twice must not be added twice."""
    if namespace and name.startswith(f"{namespace}__"):
        return name[len(namespace) + 2 :]
    return name


def _did_you_mean(name: str, files: list[Path], namespace: str | None) -> str:
    import difflib  # only when a name is not found

    stems = sorted({s for f in files if (s := _stem(f.name))})
    if namespace and name in stems:
        return f"; {name} is there without the namespace {namespace}: drop --namespace to use it"
    bare = {s.split("__", 1)[-1]: s for s in stems}
    close = difflib.get_close_matches(name, list(bare), n=1, cutoff=0.75)
    if close:
        return f"; did you mean --value-set {bare[close[0]]}?"
    if stems:
        shown = ", ".join(stems[:5]) + (", ..." if len(stems) > 5 else "")
        return f"; value sets there: {shown}"
    return ""


def find_value_set(path: Path, name: str, namespace: str | None = None) -> Path:
    """The one file that holds value set ``name`` under ``path`` (or ``path`` itself).

    ``path`` may be a project folder, its ``sfdx-project.json`` or ``package.xml``, any folder,
    or the value set file.
    """
    name = strip_namespace(name, namespace)
    if path.is_file() and path.name not in PROJECT_FILES:
        if not path.name.endswith((SOURCE_SUFFIX, MDAPI_SUFFIX)):
            raise ProjectError(
                f"{path}: not a global value set file "
                f"(expected *{SOURCE_SUFFIX} or *{MDAPI_SUFFIX}, or sfdx-project.json / "
                "package.xml)"
            )
        names: tuple[str, ...] = (f"{namespace}__{name}",) if namespace else (name,)
        if not _matches(path.name, names, any_namespace=namespace is None):
            raise ProjectError(
                f"{path}: holds value set {value_set_name(path)}, not {name}; pass the file "
                f"of {name}, or --value-set {value_set_name(path)} to edit this one"
            )
        return path
    project = read_project(path)
    # An explicit namespace means the managed package's set; a project's own namespace is
    # usually left out of its file names, so both spellings count then.
    names = (f"{namespace}__{name}",) if namespace else _candidate_names(name, project.namespace)
    every: list[Path] = []
    for search_root in project.search_roots:
        every.extend(value_set_files(search_root, bounded=project.kind == "directory"))
    found = [f for f in every if _matches(f.name, names, any_namespace=namespace is None)]
    if not found:
        looked = ", ".join(str(r) for r in project.search_roots)
        hint = _did_you_mean(name, every, namespace)
        raise ProjectError(
            f"value set {name} not found: looked for {name}{SOURCE_SUFFIX} or "
            f"{name}{MDAPI_SUFFIX} (also namespaced ns__{name}) under {looked} "
            f"({project.kind} layout){hint}; pass the file's path or "
            f"--value-set NAME, or retrieve it first (sf project retrieve start --metadata "
            f"GlobalValueSet:{name}), or upgrade the org directly with --target-org"
        )
    if len(found) != 1:
        listed = ", ".join(str(f) for f in found)
        raise ProjectError(
            f"value set {name} found in {len(found)} places ({listed}); pass the one file to "
            "use, or --namespace to choose"
        )
    return found[0]


def value_set_name(path: Path) -> str:
    """A value set's name is its file name without the metadata suffix."""
    name = path.name
    for suffix in (SOURCE_SUFFIX, MDAPI_SUFFIX):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem
