"""``sfupgrade flow add``: make a file downloaded from the CTI Flow editor a flow of the project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sfupgrade.cli.options import echo_result, json_option

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.cti.sidecar import FlowAdd


@click.group()
def flow() -> None:
    """CTI flows in a project (see metadata/README.md for the layout)."""


@flow.command("add")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--name", help="The flow's name, which actions use [default: the file's name].")
@click.option(
    "--source",
    default="ctiAction",
    show_default=True,
    help="The AC_CtiScriptSource value; ctiAction for a flow CTI Actions run.",
)
@click.option("--event", help="The event the flow runs on (not for ctiAction flows).")
@click.option("--active/--inactive", default=True, show_default=True)
@click.option("--description", help="Free text for the record.")
@click.option(
    "--to",
    type=click.Path(path_type=Path, file_okay=False),
    help="The ctiFlows folder to copy into [default: the project's, in the current directory].",
)
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@json_option
def add(
    file: Path,
    name: str | None,
    source: str,
    event: str | None,
    active: bool,
    description: str | None,
    to: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Copy FILE into the project's ctiFlows folder unchanged and write its record file.

    FILE is a flow as the CTI Flow editor's Download link saves it; it is checked as
    `sfupgrade validate` checks flows. A FILE already in a ctiFlows folder stays where it is.
    The record (<Name>.ctiFlow.json beside it) gives the flow its name and source, so an
    action whose "flow" is NAME can run it.

    \b
    Examples:
      sfupgrade flow add ~/Downloads/10-Create+Callback+Task.json --name "Create Callback Task"
      sfupgrade flow add force-app/main/default/ctiFlows/MyFlow.json --dry-run --json
    """
    from sfupgrade.cti.sidecar import apply_add, plan_add

    planned = plan_add(
        str(file),
        name,
        str(to) if to else None,
        source=source,
        event=event,
        active=active,
        description=description,
    )
    if planned.unchanged:
        click.echo(f"{planned.record}: already there, unchanged", err=True)
    else:
        would = "would " if dry_run else ""
        if planned.copy_from is not None:
            click.echo(f"{would}copy {planned.copy_from} -> {planned.flow}", err=True)
        click.echo(f"{would}write {planned.record}:", err=True)
        if not as_json:  # with --json the record is in the envelope, alone on stdout
            click.echo(planned.text, nl=False)
        if not dry_run:
            apply_add(planned)
    if as_json:
        echo_result(_result(planned, dry_run))


def _result(planned: FlowAdd, dry_run: bool) -> dict[str, Any]:
    """What flow add did (or would do), for --json: where the flow and its record are, where
    the flow was copied from (null: it stays where it is), and the record's fields."""
    return {
        "flow": planned.flow,
        "record": planned.record,
        "copiedFrom": planned.copy_from,
        "dryRun": dry_run,
        "unchanged": planned.unchanged,
        "written": not (dry_run or planned.unchanged),
        "fields": json.loads(planned.text),
    }
