"""``sfupgrade validate``: check a project's CTI flows, actions and value set, offline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sfupgrade.cli.options import ReportOptions, emit_reports, report_options

if TYPE_CHECKING:
    from sfupgrade.plan import Finding


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--release",
    is_flag=True,
    help="Also check the release content shipped with sfupgrade (its metadata/ folder).",
)
@report_options
@click.pass_context
def validate_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    release: bool,
    report_options: ReportOptions,
) -> None:
    """Check that every CTI flow an action runs reads only payload keys the action defines.

    PATHS are folders or files (a project is a folder): flows (as the CTI Flow editor downloads
    them), *.ctiFlow.json records and *.ctiAction.json actions. Without PATHS, the project in the
    current directory is checked. In a project (sfdx-project.json or package.xml, or any
    ctiFlows/ or ctiActions/ folder) only ctiFlows/ and ctiActions/ folders are read, and the
    project's AC_CtiScriptSource value set file is checked too (valueset-invalid when it is not
    well-formed or breaks a Salesforce limit). Exits 1 on errors, 0 on warnings only, 2 on
    unusable CTI input.

    \b
    Examples:
      sfupgrade validate                              # the project in this directory
      sfupgrade validate --release                    # the bundled release content
      sfupgrade validate . --report sarif=cti.sarif   # for code scanning
    """
    from sfupgrade.cti.discover import is_project
    from sfupgrade.cti.validate import check_content
    from sfupgrade.plan import Plan, Read, content_folders
    from sfupgrade.resources import release_dir

    targets = list(paths) or ([] if release else [Path(".")])
    if release:
        targets.append(release_dir())
    plan = Plan(target=", ".join(str(p) for p in targets), validation_only=True)
    checked = check_content(targets, every_picture=False)
    notes = [f"no CTI content found in {path}" for path in checked.empty_projects]
    projects = [path for path in targets if path.is_dir() and is_project(path)]
    if projects:
        from sfupgrade.picklist import INVALID_FILE

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
    emit_reports(plan, report_options)
    if not report_options.quiet:
        content = checked.content
        click.echo(
            f"{len(content.flows)} flow(s), {len(content.actions)} action(s) checked: "
            f"{len(plan.errors)} error(s), {len(plan.warnings)} warning(s)",
            err=True,
        )
        for note in notes:
            click.echo(note, err=True)
    ctx.exit(report_options.exit_code(plan))


def _check_value_set(project: Path) -> tuple[str, str | None, list[Finding]]:
    """Check the project's AC_CtiScriptSource file, found as `upgrade` finds it: a note for
    stderr, the file as reports show it (None: none found), and the finding if it is unusable.

    A project without one is fine (the org may hold it): said, not failed. A file that is
    there must be well-formed and within Salesforce's limits, else it is an error finding
    (``valueset-invalid``) next to the CTI findings, so one run names every error.
    """
    from sfupgrade.errors import MetadataXmlError, ProjectError, ValueSetError
    from sfupgrade.picklist import VALUE_SET, display_path, invalid_file_finding
    from sfupgrade.project import find_value_set
    from sfupgrade.valueset import check_value_set
    from sfupgrade.xmlio import ValueSetDocument

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
