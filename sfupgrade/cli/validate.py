"""``sfupgrade validate``: check CTI flows against the CTI actions that run them, offline."""

from __future__ import annotations

from pathlib import Path

import click

from sfupgrade.cli.options import ReportOptions, emit_reports, report_options


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to read files with, from 2,000 files on [default: every core].",
)
@report_options
@click.pass_context
def validate_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    jobs: int | None,
    report_options: ReportOptions,
) -> None:
    """Check that every CTI flow an action runs reads only payload keys the action defines.

    PATHS are folders or files: flows (as the CTI Flow editor downloads them), *.ctiFlow.json
    records and *.ctiAction.json actions. Without PATHS, the release content is checked.
    Exits 1 on errors, 0 on warnings only, 2 on unusable input.

    \b
    Examples:
      sfupgrade validate                              # the bundled release content
      sfupgrade validate ./metadata                   # your flows and actions
      sfupgrade validate . --report sarif=cti.sarif   # for code scanning
    """
    from sfupgrade.cti.check import check_into_plan
    from sfupgrade.plan import Plan
    from sfupgrade.resources import release_dir

    targets = list(paths) or [release_dir()]
    plan = Plan(target=", ".join(str(p) for p in targets), validation_only=True)
    # Streamed: thousands of flows are checked one at a time, never all held in memory.
    checked = check_into_plan(plan, targets, jobs=jobs)
    emit_reports(plan, report_options)
    if not report_options.quiet:
        click.echo(
            f"{checked.flows} flow(s), {checked.actions} action(s) checked: "
            f"{len(plan.errors)} error(s), {len(plan.warnings)} warning(s)",
            err=True,
        )
    ctx.exit(report_options.exit_code(plan))
