"""``sfupgrade upgrade``: the main job, plan → report → apply → verify."""

from __future__ import annotations

from pathlib import Path

import click

from sfupgrade.plan import Plan
from sfupgrade.resources import example_project_dir
from sfupgrade.upgrade import UpgradeRequest, apply_upgrade, plan_upgrade


def _print_plan(plan: Plan) -> None:
    counts = plan.counts()
    click.echo(f"Upgrade plan for {plan.target}")
    click.echo("  " + "  ".join(f"{k}: {v}" for k, v in counts.items()))
    for change in plan.changes:
        click.echo(
            f"  {change.state.value:<9} {change.component_type} {change.name}: {change.summary}"
        )
    for change in plan.pending:
        click.echo(change.unified_diff(), nl=False)


@click.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True), required=False)
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.option(
    "--detailed-exitcode", is_flag=True, help="With --dry-run, exit 3 when changes are pending."
)
def upgrade(path: Path | None, dry_run: bool, detailed_exitcode: bool) -> None:
    """Plan the whole CTI Actions upgrade, report it, and apply it unless --dry-run.

    PATH is a Salesforce project (source or Metadata API format). Without PATH the bundled
    example project (an org's metadata from before the release) is used, read-only: pass
    --dry-run to see the real diff the upgrade makes.

    \b
    Examples:
      sfupgrade upgrade --dry-run
      sfupgrade upgrade --dry-run ./my-project
      sfupgrade upgrade ./my-project
    """
    if path is None:
        if not dry_run:
            raise click.UsageError(
                "no PATH: the bundled example is read-only; add --dry-run, or pass a project PATH"
            )
        path = example_project_dir()
    request = UpgradeRequest(project=path)
    plan = plan_upgrade(request)
    plan.dry_run = dry_run
    if not dry_run and not plan.errors:
        apply_upgrade(plan, request)
    _print_plan(plan)
    raise SystemExit(plan.exit_code(detailed=detailed_exitcode))
