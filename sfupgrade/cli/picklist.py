"""``sfupgrade picklist``: one value into one global value set."""

from __future__ import annotations

from pathlib import Path

import click

from sfupgrade.cli.org_options import CHECK_ONLY_NEEDS_ORG, OrgTargetArgs, org_options
from sfupgrade.picklist import (
    LABEL,
    VALUE,
    VALUE_SET,
    PicklistRequest,
    apply_file_changes,
    plan_file,
)


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
    "--detailed-exitcode", is_flag=True, help="With --dry-run, exit 3 when a change is pending."
)
@click.option(
    "--check-only",
    is_flag=True,
    help="In an org: print the diff and have Salesforce validate it; save nothing.",
)
@org_options
def add(
    path: Path | None,
    value_set: str,
    value: str,
    label: str,
    namespace: str | None,
    dry_run: bool,
    detailed_exitcode: bool,
    check_only: bool,
    org: OrgTargetArgs,
) -> None:
    """Make VALUE present, active and labelled LABEL in a global value set.

    PATH is a project (sfdx-project.json or package.xml), a directory, or the value set file
    (default: the current directory); the set is found by name, also under a namespace
    (amazonconnect__AC_CtiScriptSource). With --target-org or --instance-url the set in that
    org is read, and the whole merged set is written back and read again to verify.
    An absent value is appended after the last value; a wrong label is fixed; an inactive value
    is reactivated; nothing else in the file changes. Running it again changes nothing.

    \b
    Examples:
      sfupgrade picklist add --dry-run force-app
      sfupgrade picklist add . --value-set My_Set --value gold --label Gold
      sfupgrade picklist add --dry-run --target-org my-sandbox
    """
    request = PicklistRequest(value_set, value, label, namespace)
    target = org.resolve(path, namespace)
    apply = apply_file_changes
    if target is None:
        if check_only:
            raise click.UsageError(CHECK_ONLY_NEEDS_ORG)
        change = plan_file(path or Path("."), request)
    else:
        from sfupgrade.org.connect import connect
        from sfupgrade.org.valueset import apply_org_changes, plan_org_value_set

        change = plan_org_value_set(connect(target), request)
        apply = apply_org_changes
    if not change.pending:
        click.echo(
            f"{change.name} is up to date in {change.target}: {change.summary}; nothing written"
        )
        return
    if dry_run or check_only:
        click.echo(change.unified_diff(), nl=False)
        if check_only:
            from sfupgrade.org.valueset import check_org_changes

            (deploy_id,) = check_org_changes([change])
            click.echo(
                f"Validated by the org: {change.summary} in {change.target} "
                f"(check-only deploy {deploy_id}; nothing saved)",
                err=True,
            )
        else:
            click.echo(
                f"Would {change.summary} in {change.target} (dry run: nothing written)", err=True
            )
        if detailed_exitcode:
            raise SystemExit(3)
        return
    apply([change])
    click.echo(f"{change.target}: {change.summary}")
