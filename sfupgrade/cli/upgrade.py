"""``sfupgrade upgrade``: the main job, plan → report → apply → verify."""

from __future__ import annotations

from pathlib import Path

import click

from sfupgrade.cli.options import ReportOptions, emit_reports, report_options
from sfupgrade.resources import example_project_dir, release_dir
from sfupgrade.upgrade import UpgradeRequest, apply_upgrade, plan_upgrade


@click.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True), required=False)
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.option(
    "--content",
    "content",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="CTI flows and actions to validate (and deploy to an org); repeatable. "
    "Default: the release content shipped with sfupgrade.",
)
@report_options
@click.pass_context
def upgrade(
    ctx: click.Context,
    path: Path | None,
    dry_run: bool,
    content: tuple[Path, ...],
    report_options: ReportOptions,
) -> None:
    """Plan the whole CTI Actions upgrade, report it, and apply it unless --dry-run.

    PATH is a Salesforce project (source or Metadata API format). Without PATH the bundled
    example project (an org's metadata from before the release) is used, read-only: pass
    --dry-run to see the real diff the upgrade makes. The CTI flows and actions the upgrade
    brings are validated in the same plan; a validation error stops the upgrade before anything
    is written. After applying, the upgrade is planned again and must find nothing left to do.

    \b
    Examples:
      sfupgrade upgrade --dry-run
      sfupgrade upgrade --dry-run ./my-project --format markdown > plan.md
      sfupgrade upgrade ./my-project --report junit=junit.xml
    """
    if path is None:
        if not dry_run:
            raise click.UsageError(
                "no PATH: the bundled example is read-only; add --dry-run, or pass a project PATH"
            )
        path = example_project_dir()
    request = UpgradeRequest(project=path, content=content or (release_dir(),))
    plan = plan_upgrade(request)
    if not dry_run and not plan.errors:
        apply_upgrade(plan, request)
    emit_reports(plan, report_options)
    ctx.exit(report_options.exit_code(plan))
