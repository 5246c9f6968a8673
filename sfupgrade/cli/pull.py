"""``sfupgrade pull DIR``: an org's CTI flows and actions into files for validate and deploy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sfupgrade.cli.options import echo_result, json_option
from sfupgrade.cli.org_options import OrgTargetArgs, mapping_option, org_options

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.pull import PulledFile, PullPlan

EXIT_PARTIAL = 68  # some records were skipped, the rest written (the sf CLI's partial success)


@click.command("pull")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@mapping_option
@click.option("--force", is_flag=True, help="Overwrite local files that differ from the org.")
@click.option("--dry-run", is_flag=True, help="List what would be written; write nothing.")
@org_options
@json_option
@click.pass_context
def pull(
    ctx: click.Context,
    directory: Path,
    mapping: Path | None,
    force: bool,
    dry_run: bool,
    org: OrgTargetArgs,
    as_json: bool,
) -> None:
    """Write the org's CTI flows and actions into DIR, in the layout validate and deploy read.

    DIR/ctiFlows/ gets each flow's graph exactly as the org stores it and its record sidecar,
    DIR/ctiActions/ each action (file names: metadata/README.md). A record that already has a
    file in DIR keeps it. Files that already match are left alone ("unchanged"); a local file
    that differs from the org is never overwritten without --force: the pull lists them and
    writes nothing (exit 1; --dry-run too, so it tells whether DIR has drifted from the org).
    Records that cannot be files (e.g. a definition that is not JSON) are skipped and reported
    (exit 68). Nothing is ever deleted.

    \b
    Examples:
      sfupgrade pull ./metadata --target-org my-sandbox --dry-run
      sfupgrade pull ./metadata --target-org my-sandbox && sfupgrade validate ./metadata
      sfupgrade pull ./metadata --target-org my-sandbox --dry-run --json | jq .result.files
    """
    from sfupgrade.org.connect import connect_org
    from sfupgrade.org.mapping import load_mapping
    from sfupgrade.org.pull import DIFFERS, PullConflictError, apply_pull, plan_pull

    mapped = load_mapping(mapping)
    target = org.required("pull")
    plan = plan_pull(connect_org(target), mapped, directory)
    # With --json, stdout holds the envelope alone (the file list is in it).
    for line in plan.skipped:
        click.echo(f"Warning: {line}", err=True)
    written: list[PulledFile] = []
    if dry_run:
        for f in plan.files:
            if f.state == DIFFERS:
                verb = "would overwrite" if force else "differs (kept; --force overwrites)"
            else:
                verb = {"new": "would create", "unchanged": "unchanged"}[f.state]
            if not as_json:
                click.echo(f"{verb}: {directory / f.path}")
    else:
        if plan.of(DIFFERS) and not force:
            for f in plan.of(DIFFERS):
                click.echo(f"differs: {directory / f.path}", err=True)
        try:
            written = apply_pull(plan, force)
        except PullConflictError as exc:
            exc.result = _result(plan, directory, dry_run, force, [])  # type: ignore[attr-defined]
            raise
        if not as_json:
            for f in written:
                click.echo(f"{'created' if f.state == 'new' else 'updated'}: {directory / f.path}")
            for f in plan.of("unchanged"):
                click.echo(f"unchanged: {directory / f.path}")
    click.echo(
        f"{plan.flows} flow(s), {plan.actions} action(s) from {plan.host}: "
        f"{len(written)} file(s) written, {len(plan.of('unchanged'))} unchanged"
        + (f", {len(plan.skipped)} record(s) skipped" if plan.skipped else "")
        + (" (dry run)" if dry_run else ""),
        err=True,
    )
    code = EXIT_PARTIAL if plan.skipped else 0
    if dry_run and plan.of(DIFFERS) and not force:
        click.echo(
            f"Error: {len(plan.of(DIFFERS))} local file(s) differ from the org; a pull would "
            "write nothing without --force",
            err=True,
        )
        code = 1
    if as_json:
        result = _result(plan, directory, dry_run, force, written)
        echo_result(result, code, [f"skipped: {line}" for line in plan.skipped])
    ctx.exit(code)


def _result(
    plan: PullPlan, directory: Path, dry_run: bool, force: bool, written: list[PulledFile]
) -> dict[str, Any]:
    """The pull as data, for --json: every file with its state against the org and whether
    this run wrote it, and the records skipped."""
    done = {f.path for f in written}
    return {
        "directory": str(directory),
        "org": plan.host,
        "dryRun": dry_run,
        "force": force,
        "flows": plan.flows,
        "actions": plan.actions,
        "files": [
            {"path": str(directory / f.path), "state": f.state, "written": f.path in done}
            for f in plan.files
        ],
        "skipped": list(plan.skipped),
    }
