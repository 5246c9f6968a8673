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
    from sfupgrade.cti.discover import project_content
    from sfupgrade.cti.validate import ContentCheck, check_content
    from sfupgrade.org.connect import connect_org
    from sfupgrade.org.deploy import apply_deploy, content_records, plan_deploy
    from sfupgrade.org.mapping import load_mapping
    from sfupgrade.org.recordfile import load_records
    from sfupgrade.plan import Read, content_folders
    from sfupgrade.progress import terminal_progress
    from sfupgrade.resources import release_dir

    if records is not None and (paths or release):
        raise click.UsageError("pass CTI content (PATHS, --release) or --records FILE, not both")
    checked: ContentCheck | None = None
    if records is not None:
        wanted = load_records(records)
    else:
        # The same content step as `upgrade` and `validate`: before any connection is made.
        chosen = list(paths) or list(project_content(Path(".")))
        if release:
            chosen.append(release_dir())
        if not chosen:
            raise click.UsageError(
                "no CTI content found in .: put flows in ctiFlows/ and actions in ctiActions/ "
                "(see metadata/README.md), pass PATHS, or add --release for the release's "
                "example flow and action"
            )
        checked = check_content(chosen)
        wanted = content_records(checked.content)
    mapped = load_mapping(mapping)
    target = org.required("deploy")
    org_port = connect_org(target)
    plan = plan_deploy(org_port, mapped, wanted)
    if checked is not None:
        checked.into(plan)
    plan.read = Read(
        projects=tuple(str(p) for p in paths) or (() if records is not None else (".",)),
        org=plan.target,
        content=content_folders(checked.content) if checked is not None else (str(records),),
    )
    plan.dry_run, plan.command = dry_run, "deploy"  # a refused deploy is not a dry run
    with reports_on_failure(plan, report_options):
        if not dry_run and not plan.failed and not plan.errors:
            apply_deploy(
                org_port, plan, mapped, wanted, terminal_progress(report_options.no_progress)
            )
    emit_reports(plan, report_options)
    ctx.exit(report_options.exit_code(plan))
