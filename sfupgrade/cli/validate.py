"""``sfupgrade validate``: check a project's CTI flows, actions and value set, offline."""

from __future__ import annotations

from pathlib import Path

import click

from sfupgrade.cli.options import ReportOptions, emit_reports, report_options


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
    from sfupgrade.jobs.validate import validate_paths

    done = validate_paths(paths, release)
    plan = done.plan
    emit_reports(plan, report_options)
    if not report_options.quiet:
        click.echo(
            f"{done.flows} flow(s), {done.actions} action(s) checked: "
            f"{len(plan.errors)} error(s), {len(plan.warnings)} warning(s)",
            err=True,
        )
        for note in done.notes:
            click.echo(note, err=True)
    ctx.exit(report_options.exit_code(plan))
