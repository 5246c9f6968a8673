"""``sfupgrade upgrade``: the main job, plan → report → apply → verify."""

from __future__ import annotations

from pathlib import Path

import click

from sfupgrade.cli.options import (
    ReportOptions,
    emit_reports,
    report_options,
    reports_on_failure,
)
from sfupgrade.cli.org_options import (
    CHECK_ONLY_NEEDS_ORG,
    OrgTargetArgs,
    mapping_option,
    org_options,
)
from sfupgrade.files.resources import example_project_dir, release_dir
from sfupgrade.jobs.upgrade import UpgradeRequest, apply_upgrade, check_upgrade, plan_upgrade
from sfupgrade.model.valueset import PicklistRequest


@click.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True), required=False)
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.option(
    "--content",
    "content",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="CTI flows and actions to validate (and deploy to an org); repeatable. "
    "Default: the project's own (its ctiFlows/ and ctiActions/ folders).",
)
@click.option(
    "--release",
    is_flag=True,
    help="Also validate (and deploy) the release's example flow and action, Create Callback "
    "Task, shipped with sfupgrade. Never deployed without this flag.",
)
@click.option(
    "--example",
    is_flag=True,
    help="Run on the bundled example project (an org's metadata from before the release) "
    "with the release content; read-only: use with --dry-run.",
)
@click.option(
    "--check-only",
    is_flag=True,
    help="In an org: have Salesforce validate the value set (a check-only deploy); save "
    "nothing, records included.",
)
@click.option("--namespace", help="Managed-package namespace of the org's value set.")
@mapping_option
@org_options
@report_options
@click.pass_context
def upgrade(
    ctx: click.Context,
    path: Path | None,
    dry_run: bool,
    content: tuple[Path, ...],
    release: bool,
    example: bool,
    check_only: bool,
    namespace: str | None,
    mapping: Path | None,
    org: OrgTargetArgs,
    report_options: ReportOptions,
) -> None:
    """Plan the whole CTI Actions upgrade, report it, and apply it unless --dry-run.

    PATH is a Salesforce project (source or Metadata API format); default: the current
    directory. Its value set file is upgraded and its CTI flows and actions (ctiFlows/ and
    ctiActions/ folders, see metadata/README.md) are validated in the same plan; a validation
    error stops the upgrade before anything is written. --example runs on the bundled example
    project instead (read-only: with --dry-run). With --target-org or --instance-url the org is
    upgraded: its value set read, merged and written whole, then the current directory's CTI
    flows and actions created or updated as records (--mapping; exit 68 if only some succeed).
    The release's example flow and action are added only with --release. After applying, the
    upgrade is planned again and must find nothing left to do.

    \b
    Examples:
      sfupgrade upgrade --dry-run --example
      sfupgrade upgrade --dry-run --format markdown > plan.md
      sfupgrade upgrade --dry-run ./my-project --format markdown > plan.md
      sfupgrade upgrade ./my-project --report junit=junit.xml
      sfupgrade upgrade --dry-run --target-org my-sandbox --format markdown
    """
    target = org.resolve(path, namespace)
    if check_only and target is None:
        raise click.UsageError(CHECK_ONLY_NEEDS_ORG)
    from sfupgrade.cti.discover import project_content

    wanted = PicklistRequest(namespace=namespace)
    if example:
        if path is not None or target is not None:
            raise click.UsageError("--example runs on the bundled example project: drop PATH/org")
        if not dry_run:
            raise click.UsageError("the bundled example is read-only: add --dry-run")
        path, release = example_project_dir(), True
    project = path or Path(".")
    content = content or project_content(Path(".") if target is not None else project)
    if release:
        content = (*content, release_dir())
    if target is not None:
        from sfupgrade.org.connect import connect_org

        request = UpgradeRequest(
            Path.cwd(), wanted, content, org=connect_org(target), mapping=mapping
        )
    else:
        request = UpgradeRequest(project=project, picklist=wanted, content=content)
    plan = plan_upgrade(request)
    plan.dry_run = dry_run or check_only
    with reports_on_failure(plan, report_options):
        if check_only:
            if not plan.errors:
                for deploy_id in check_upgrade(plan, request):
                    click.echo(f"Validated by the org (check-only deploy {deploy_id})", err=True)
        elif not dry_run and not plan.errors:
            from sfupgrade.core.progress import terminal_progress

            apply_upgrade(plan, request, terminal_progress(report_options.no_progress))
    emit_reports(plan, report_options)
    if not content and not report_options.quiet:
        click.echo(f"no CTI content found in {project}: only the value set is upgraded", err=True)
    ctx.exit(report_options.exit_code(plan))
