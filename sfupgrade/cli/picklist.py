"""``sfupgrade picklist``: one value into one global value set."""

from __future__ import annotations

from pathlib import Path

import click

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
    """Edit global value sets (picklist value sets) in metadata files."""


@picklist.command("add")
@click.argument("path", type=click.Path(path_type=Path, exists=True), default=".", required=False)
@click.option("--value-set", default=VALUE_SET, show_default=True, help="Global value set name.")
@click.option("--value", default=VALUE, show_default=True, help="API name (fullName) of the value.")
@click.option("--label", default=LABEL, show_default=True, help="Label the value must carry.")
@click.option("--namespace", help="Managed-package namespace, e.g. amazonconnect.")
@click.option("--dry-run", is_flag=True, help="Print the unified diff; write nothing.")
@click.option(
    "--detailed-exitcode", is_flag=True, help="With --dry-run, exit 3 when a change is pending."
)
def add(
    path: Path,
    value_set: str,
    value: str,
    label: str,
    namespace: str | None,
    dry_run: bool,
    detailed_exitcode: bool,
) -> None:
    """Make VALUE present, active and labelled LABEL in a global value set.

    PATH is a project (sfdx-project.json or package.xml), a directory, or the value set file;
    the set is found by name, also under a namespace (amazonconnect__AC_CtiScriptSource).
    An absent value is appended after the last value; a wrong label is fixed; an inactive value
    is reactivated; nothing else in the file changes. Running it again changes nothing.

    \b
    Examples:
      sfupgrade picklist add --dry-run force-app
      sfupgrade picklist add . --value-set My_Set --value gold --label Gold
    """
    request = PicklistRequest(value_set, value, label, namespace)
    change = plan_file(path, request)
    if not change.pending:
        click.echo(
            f"{change.name} is up to date in {change.target}: {change.summary}; nothing written"
        )
        return
    if dry_run:
        click.echo(change.unified_diff(), nl=False)
        click.echo(
            f"Would {change.summary} in {change.target} (dry run: nothing written)", err=True
        )
        if detailed_exitcode:
            raise SystemExit(3)
        return
    apply_file_changes([change])
    click.echo(f"{change.target}: {change.summary}")
