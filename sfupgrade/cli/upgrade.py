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
from sfupgrade.picklist import PicklistRequest
from sfupgrade.resources import example_project_dir, release_dir
from sfupgrade.upgrade import UpgradeRequest, apply_upgrade, check_upgrade, plan_upgrade


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
    check_only: bool,
    namespace: str | None,
    mapping: Path | None,
    org: OrgTargetArgs,
    report_options: ReportOptions,
) -> None:
    """Plan the whole CTI Actions upgrade, report it, and apply it unless --dry-run.

    PATH is a Salesforce project (source or Metadata API format). Without PATH the bundled
    example project (an org's metadata from before the release) is used, read-only: pass
    --dry-run to see the real diff the upgrade makes. With --target-org or --instance-url the
    org is upgraded instead: its value set read, merged and written whole, then the CTI flows
    and actions created or updated as records (--mapping; exit 68 if only some succeed). The
    CTI flows and actions the upgrade brings are validated in the same plan; a validation error
    stops the upgrade before anything is written. After applying, the upgrade is planned again
    and must find nothing left to do.

    \b
    Examples:
      sfupgrade upgrade --dry-run
      sfupgrade upgrade --dry-run ./my-project --format markdown > plan.md
      sfupgrade upgrade ./my-project --report junit=junit.xml
      sfupgrade upgrade --dry-run --target-org my-sandbox --format markdown
    """
    target = org.resolve(path, namespace)
    if check_only and target is None:
        raise click.UsageError(CHECK_ONLY_NEEDS_ORG)
    wanted = PicklistRequest(namespace=namespace)
    content = content or (release_dir(),)
    if target is not None:
        from sfupgrade.org.connect import connect

        request = UpgradeRequest(Path.cwd(), wanted, content, org=connect(target), mapping=mapping)
    else:
        if path is None:
            if not dry_run:
                raise click.UsageError(
                    "no PATH: the bundled example is read-only; add --dry-run, or pass a "
                    "project PATH"
                )
            path = example_project_dir()
        request = UpgradeRequest(project=path, picklist=wanted, content=content)
    plan = plan_upgrade(request)
    plan.dry_run = dry_run or check_only
    with reports_on_failure(plan, report_options):
        if check_only:
            if not plan.errors:
                for deploy_id in check_upgrade(plan, request):
                    click.echo(f"Validated by the org (check-only deploy {deploy_id})", err=True)
        elif not dry_run and not plan.errors:
            from sfupgrade.progress import terminal_progress

            apply_upgrade(plan, request, terminal_progress(report_options.no_progress))
    emit_reports(plan, report_options)
    ctx.exit(report_options.exit_code(plan))
