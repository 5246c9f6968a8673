"""Finding metadata in the layouts Salesforce projects come in.

Source format (``sfdx-project.json`` with package directories holding
``globalValueSets/<Name>.globalValueSet-meta.xml``), Metadata API format (``package.xml`` beside
``globalValueSets/<Name>.globalValueSet``), or any directory holding either. A managed package's
value set may carry its namespace (``amazonconnect__AC_CtiScriptSource``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sfupgrade.errors import ProjectError
from sfupgrade.jsonio import load_strict

SOURCE_SUFFIX = ".globalValueSet-meta.xml"
MDAPI_SUFFIX = ".globalValueSet"
_SKIP_DIRS = {".git", "node_modules", ".sfdx", ".sf", ".venv", "venv", "__pycache__"}


@dataclass(frozen=True)
class Project:
    """What a directory says about itself; ``search_roots`` are where metadata may live."""

    root: Path
    kind: Literal["source", "mdapi", "directory"]
    search_roots: tuple[Path, ...]
    api_version: str | None = None
    namespace: str | None = None


def read_project(root: Path) -> Project:
    """Describe the project at ``root`` (a directory)."""
    if not root.exists():
        raise ProjectError(f"{root}: no such file or directory")
    sfdx = root / "sfdx-project.json"
    if sfdx.is_file():
        config = load_strict(sfdx)
        if not isinstance(config, dict):
            raise ProjectError(f"{sfdx}: expected a JSON object")
        dirs = config.get("packageDirectories") or []
        paths = [d.get("path") for d in dirs if isinstance(d, dict) and d.get("path")]
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


def _matches(file_name: str, names: tuple[str, ...], any_namespace: bool) -> bool:
    for suffix in (SOURCE_SUFFIX, MDAPI_SUFFIX):
        if file_name.endswith(suffix):
            stem = file_name[: -len(suffix)]
            if stem in names:
                return True
            # A managed package's set carries its namespace: ns__Name.
            return any_namespace and any(stem.endswith(f"__{n}") for n in names)
    return False


def find_value_set(path: Path, name: str, namespace: str | None = None) -> Path:
    """The one file that holds value set ``name`` under ``path`` (or ``path`` itself)."""
    if path.is_file():
        if not path.name.endswith((SOURCE_SUFFIX, MDAPI_SUFFIX)):
            raise ProjectError(
                f"{path}: not a global value set file "
                f"(expected *{SOURCE_SUFFIX} or *{MDAPI_SUFFIX})"
            )
        names = (f"{namespace}__{name}",) if namespace else (name,)
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
    found: list[Path] = []
    for search_root in project.search_roots:
        for directory, subdirs, files in os.walk(search_root):
            subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
            found.extend(
                Path(directory) / f
                for f in sorted(files)
                if _matches(f, names, any_namespace=namespace is None)
            )
    if not found:
        looked = ", ".join(str(r) for r in project.search_roots)
        raise ProjectError(
            f"value set {name} not found: looked for {name}{SOURCE_SUFFIX} or "
            f"{name}{MDAPI_SUFFIX} (also namespaced ns__{name}) under {looked} "
            f"({project.kind} layout); pass the file's path or --value-set NAME, or retrieve "
            f"it first (sf project retrieve start --metadata GlobalValueSet:{name}), or "
            "upgrade the org directly with --target-org"
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
