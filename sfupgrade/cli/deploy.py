"""``sfupgrade deploy``: CTI flow and action records into an org."""

from __future__ import annotations

from pathlib import Path

import click

from sfupgrade.cli.options import ReportOptions, emit_reports, report_options
from sfupgrade.cli.org_options import OrgTargetArgs, mapping_option, org_options


@click.command()
@click.argument("records", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@mapping_option
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@org_options
@report_options
@click.pass_context
def deploy(
    ctx: click.Context,
    records: Path,
    mapping: Path | None,
    dry_run: bool,
    org: OrgTargetArgs,
    report_options: ReportOptions,
) -> None:
    """Create or update CTI flow and action records in an org, matched by name.

    RECORDS is a JSON file {"flows": [...], "actions": [...]}. Every mapped object and field is
    checked against the org's describe before anything is written; flows are written before
    the actions that use them, 200 records a call. Exit 68 when some records failed and others
    were written (each failure is in the report); rerunning finishes the job.

    \b
    Examples:
      sfupgrade deploy cti-records.json --target-org my-sandbox --dry-run
      sfupgrade deploy cti-records.json --instance-url https://acme.my.salesforce.com
    """
    from sfupgrade.org.connect import connect
    from sfupgrade.org.deploy import apply_deploy, plan_deploy
    from sfupgrade.org.mapping import load_mapping
    from sfupgrade.org.recordfile import load_records

    wanted = load_records(records)
    mapped = load_mapping(mapping)
    target = org.resolve(None)
    if target is None:
        raise click.UsageError(
            "deploy needs an org: pass --target-org ALIAS or --instance-url URL "
            "(with SF_ACCESS_TOKEN set)"
        )
    connection = connect(target)
    plan = plan_deploy(connection, mapped, wanted)
    if not dry_run and not plan.failed:
        apply_deploy(connection, plan, mapped, wanted)
    emit_reports(plan, report_options)
    ctx.exit(report_options.exit_code(plan))
