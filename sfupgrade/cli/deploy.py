"""``sfupgrade deploy``: CTI flow and action records into an org."""

from __future__ import annotations

from pathlib import Path

import click

from sfupgrade.cli.options import ReportOptions, emit_reports, report_options, reports_on_failure
from sfupgrade.cli.org_options import OrgTargetArgs, mapping_option, org_options


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--records",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help='Deploy a JSON file {"flows": [...], "actions": [...]} instead of CTI content.',
)
@click.option(
    "--release",
    is_flag=True,
    help="Also deploy the release's example flow and action (Create Callback Task), shipped "
    "with sfupgrade; never deployed without this flag.",
)
@mapping_option
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@org_options
@report_options
@click.pass_context
def deploy(
    ctx: click.Context,
    paths: tuple[Path, ...],
    records: Path | None,
    release: bool,
    mapping: Path | None,
    dry_run: bool,
    org: OrgTargetArgs,
    report_options: ReportOptions,
) -> None:
    """Create or update CTI flow and action records in an org, matched by name.

    PATHS hold CTI content as `sfupgrade validate` reads it (flows, *.ctiFlow.json records,
    *.ctiAction.json actions); without PATHS, the project in the current directory (its ctiFlows/
    and ctiActions/ folders); --release adds the release's example content. The content is
    validated first: any validation error stops the deploy before anything is written. Every
    mapped object and field is checked against the org's describe before anything is written;
    flows are written before the actions that use them, 200 records a call. Exit 68 when some
    records failed and others were written (each failure is in the report); rerunning finishes
    the job.

    \b
    Examples:
      sfupgrade deploy --target-org my-sandbox --dry-run
      sfupgrade deploy --release --target-org my-sandbox --dry-run
      sfupgrade deploy ./metadata --instance-url https://acme.my.salesforce.com
      sfupgrade deploy --records cti-records.json --target-org my-sandbox
    """
    from sfupgrade.core.progress import terminal_progress
    from sfupgrade.jobs.deploy import DeployRequest, apply_deploy_request, plan_deploy_request
    from sfupgrade.org.connect import connect_org

    request = DeployRequest(paths, records, release, mapping, dry_run)
    job = plan_deploy_request(request, lambda: connect_org(org.required("deploy")))
    with reports_on_failure(job.plan, report_options):
        apply_deploy_request(job, terminal_progress(report_options.no_progress))
    emit_reports(job.plan, report_options)
    ctx.exit(report_options.exit_code(job.plan))
