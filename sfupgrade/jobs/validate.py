"""``validate`` as a library call: a project's CTI content and its value set file, offline.

One plan holds every finding (CTI rules, an unusable value set file), so one run names every
error of a project; the notes say what was read and what was not there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sfupgrade.model.plan import Finding, Plan
from sfupgrade.model.value import Value, field


class Validation(Value, frozen=False):
    """The plan (validation only: findings, nothing to apply), what was counted, and a note per
    project for the user (a value set checked or not there, no CTI content found)."""

    plan: Plan
    flows: int
    actions: int
    notes: list[str] = field(default_factory=list)


def validate_paths(paths: Sequence[Path] = (), release: bool = False) -> Validation:
    """Validate ``paths`` (default: the current directory; ``release`` adds the release content).

    In a project the CTI content is its ctiFlows/ and ctiActions/ folders and its
    AC_CtiScriptSource value set file is checked too (``valueset-invalid`` when unusable).
    """
    from sfupgrade.cti.discover import is_project
    from sfupgrade.cti.validate import check_content
    from sfupgrade.files.resources import release_dir
    from sfupgrade.model.plan import Read, content_folders
    from sfupgrade.model.valueset import INVALID_FILE

    targets = list(paths) or ([] if release else [Path(".")])
    if release:
        targets.append(release_dir())
    plan = Plan(target=", ".join(str(p) for p in targets), validation_only=True)
    checked = check_content(targets, every_picture=False)
    notes = [f"no CTI content found in {path}" for path in checked.empty_projects]
    projects = [path for path in targets if path.is_dir() and is_project(path)]
    if projects:
        plan.checks.append(INVALID_FILE)
    value_sets: list[str] = []
    for project in projects:
        note, file, unusable = _check_value_set(project)
        notes.append(note)
        value_sets += [file] if file else []
        plan.extend(findings=unusable)
    checked.into(plan)
    plan.read = Read(
        projects=tuple(str(p) for p in targets),
        value_sets=tuple(value_sets) if projects else None,
        content=content_folders(checked.content),
    )
    content = checked.content
    return Validation(plan, len(content.flows), len(content.actions), notes)


def _check_value_set(project: Path) -> tuple[str, str | None, list[Finding]]:
    """Check the project's AC_CtiScriptSource file, found as `upgrade` finds it: a note for
    stderr, the file as reports show it (None: none found), and the finding if it is unusable.

    A project without one is fine (the org may hold it): said, not failed. A file that is
    there must be well-formed and within Salesforce's limits, else it is an error finding
    (``valueset-invalid``) next to the CTI findings, so one run names every error.
    """
    from sfupgrade.core.errors import MetadataXmlError, ProjectError, ValueSetError
    from sfupgrade.files.project import find_value_set
    from sfupgrade.files.xmlio import ValueSetDocument
    from sfupgrade.jobs.picklist import display_path, invalid_file_finding
    from sfupgrade.model.valueset import VALUE_SET, check_value_set

    try:
        file = find_value_set(project, VALUE_SET)
    except ProjectError as exc:  # none found (or the project names no folder to look in)
        if f"value set {VALUE_SET} not found" in str(exc):
            return f"no {VALUE_SET} value set file in {project}: not checked", None, []
        return f"value set {VALUE_SET} not checked: {exc}", None, []
    shown = display_path(file, project)
    try:
        document = ValueSetDocument.from_path(file)
        values = document.value_set.values
        check_value_set(document.value_set, str(file))
    except (MetadataXmlError, ValueSetError) as exc:
        finding = invalid_file_finding(exc, project)
        return f"value set {VALUE_SET}: {file}, invalid", shown, [finding]
    return f"value set {document.name}: {file}, {len(values)} value(s), valid", shown, []
