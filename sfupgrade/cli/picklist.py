"""``sfupgrade picklist``: one value into one global value set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sfupgrade.cli.options import ReportOptions, emit_reports, report_options, reports_on_failure
from sfupgrade.cli.org_options import CHECK_ONLY_NEEDS_ORG, OrgTargetArgs, org_options
from sfupgrade.jobs.picklist import apply_file_changes, plan_files
from sfupgrade.model.plan import Plan, Read
from sfupgrade.model.valueset import LABEL, VALUE, VALUE_SET, PicklistRequest
from sfupgrade.report.safe import escape_controls, printable

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.port import OrgPort


@click.group()
def picklist() -> None:
    """Edit global value sets (picklist value sets) in metadata files or in an org."""


@picklist.command("add")
@click.argument("path", type=click.Path(path_type=Path, exists=True), required=False)
@click.option("--value-set", default=VALUE_SET, show_default=True, help="Global value set name.")
@click.option("--value", default=VALUE, show_default=True, help="API name (fullName) of the value.")
@click.option("--label", default=LABEL, show_default=True, help="Label the value must carry.")
@click.option("--namespace", help="Managed-package namespace, e.g. amazonconnect.")
@click.option("--dry-run", is_flag=True, help="Print the unified diff; write nothing.")
@click.option(
    "--check-only",
    is_flag=True,
    help="In an org: print the diff and have Salesforce validate it; save nothing.",
)
@org_options
@report_options
@click.pass_context
def add(
    ctx: click.Context,
    path: Path | None,
    value_set: str,
    value: str,
    label: str,
    namespace: str | None,
    dry_run: bool,
    check_only: bool,
    org: OrgTargetArgs,
    report_options: ReportOptions,
) -> None:
    """Make VALUE present, active and labelled LABEL in a global value set.

    PATH is a project (a folder, its sfdx-project.json or package.xml), a directory, or the
    value set file (default: the current directory, searched a few levels deep); the set is
    found by name, also under a namespace (amazonconnect__AC_CtiScriptSource). In a Metadata
    API project, package.xml gets the set's GlobalValueSet member if it lacks it. With
    --target-org or --instance-url the set in that org is read, and the whole merged set is
    written back and read again to verify. An absent value is appended after the last value; a
    wrong label is fixed; an inactive value is reactivated; nothing else in the file changes.
    Running it again changes nothing. The text report is the unified diff; --format and
    --report give the same reports as `sfupgrade upgrade`.

    \b
    Examples:
      sfupgrade picklist add --dry-run force-app
      sfupgrade picklist add . --value-set My_Set --value gold --label Gold
      sfupgrade picklist add --dry-run --target-org my-sandbox --json
    """
    request = PicklistRequest(value_set, value, label, namespace)
    target = org.resolve(path, namespace)
    apply = apply_file_changes
    org_port: OrgPort | None = None
    if target is None:
        if check_only:
            raise click.UsageError(CHECK_ONLY_NEEDS_ORG)
        changes = plan_files(path or Path("."), request)
    else:
        from functools import partial

        from sfupgrade.org.connect import connect_org
        from sfupgrade.org.valueset import apply_org_changes, plan_org_value_set

        org_port = connect_org(target)
        changes = [plan_org_value_set(org_port, request)]
        apply = partial(apply_org_changes, org_port)
    plan = Plan(target=changes[0].target, changes=changes, dry_run=dry_run or check_only)
    if target is None:
        plan.read = Read(projects=(str(path or Path(".")),), value_sets=(changes[0].target,))
    else:
        plan.read = Read(org=plan.target, value_sets=(changes[0].name,))
    notes: list[str] = []
    with reports_on_failure(plan, report_options):
        if plan.pending and check_only and org_port is not None:
            from sfupgrade.org.valueset import check_org_changes

            (deploy_id,) = check_org_changes(org_port, plan.pending)
            notes = [
                f"Validated by the org: {c.summary} in {c.target} (check-only deploy "
                f"{deploy_id}; nothing saved)"
                for c in plan.pending
            ]
        elif plan.pending and dry_run:
            notes = [
                f"Would {c.summary} in {c.target} (dry run: nothing written)" for c in plan.pending
            ]
        elif plan.pending:
            apply(plan.changes)
            plan.applied = True
    emit_reports(plan, report_options, text=_text(plan))
    if report_options.format == "text" and not report_options.quiet:
        for note in notes:
            click.echo(printable(note), err=True)
    ctx.exit(report_options.exit_code(plan))


def _text(plan: Plan) -> str:
    """The text report of ``picklist add``: the diff of a dry run, one line otherwise."""
    if not plan.pending:
        return "".join(
            f"{c.name} is up to date in {c.target}: {c.summary}; nothing written\n"
            for c in plan.changes
        )
    if plan.applied:
        return "".join(f"{c.target}: {c.summary}\n" for c in plan.pending)
    diff = "".join(c.unified_diff() for c in plan.pending)
    return "".join(escape_controls(line, "\t") + "\n" for line in diff[:-1].split("\n"))
