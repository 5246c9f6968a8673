"""``sfupgrade mapping discover``: the org's own object and field names, as a mapping file."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from sfupgrade.cli.options import echo_result, json_option
from sfupgrade.cli.org_options import OrgTargetArgs, org_options

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.discover import Discovery

EXIT_INCOMPLETE = 1  # something could not be placed; the file is still printed


@click.group("mapping")
def mapping_group() -> None:
    """Where CTI flows and actions live in an org (the --mapping file)."""


def _shown(text: str) -> str:
    """An org's name, safe on a terminal: control and non-ASCII characters escaped."""
    return json.dumps(text)[1:-1]


@mapping_group.command("discover")
@org_options
@json_option
@click.pass_context
def discover(ctx: click.Context, org: OrgTargetArgs, as_json: bool) -> None:
    """Print a mapping file for the org, read from its describe.

    Each model field is placed by API name (the bundled default's, with any namespace or none:
    found), else by label (guessed: check it). What nothing fits keeps the default name and
    lists the likeliest candidates. The file goes to stdout and is accepted by --mapping as is;
    a summary goes to stderr. Exit 0 when everything was placed, 1 when something was not.

    \b
    Examples:
      sfupgrade mapping discover --target-org my-sandbox > mapping.json
      sfupgrade deploy ./metadata --target-org my-sandbox --mapping mapping.json
      sfupgrade mapping discover --target-org my-sandbox --json | jq .result.mapping
    """
    from sfupgrade.org.connect import connect_org
    from sfupgrade.org.discover import MISSING, OBJECT, discover_mapping

    target = org.required("mapping discover")
    found = discover_mapping(connect_org(target))
    if not as_json:
        click.echo(json.dumps(found.document(), indent=2))
    for kind in ("flow", "action"):
        placements = found.of(kind)
        head = placements[0]
        counts = {
            status: sum(p.status == status for p in placements[1:])
            for status in ("found", "guessed", MISSING)
        }
        summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        click.echo(f"{kind}: {_shown(head.api_name)} ({head.status}); fields: {summary}", err=True)
        for p in placements:
            if p.status == "found":
                continue
            where = "object" if p.field == OBJECT else p.field
            line = f"  {p.status}: {kind} {where} -> {_shown(p.api_name)} ({_shown(p.by)})"
            if p.candidates:
                line += "; candidates: " + ", ".join(_shown(c) for c in p.candidates)
            click.echo(line, err=True)
    code = 0 if found.complete else EXIT_INCOMPLETE
    if not found.complete:
        click.echo(
            "Error: some names could not be placed; fix the 'missing' entries in the file "
            "(Setup > Object Manager) before passing it with --mapping",
            err=True,
        )
    if as_json:
        missing = [p for p in found.placements if p.status == MISSING]
        warnings = [
            f"{p.key}: no name in the org fits ({p.by}); fix it in the file" for p in missing
        ]
        echo_result(_result(found), code, warnings)
    ctx.exit(code)


def _result(found: Discovery) -> dict[str, Any]:
    """The discovery as data, for --json: the mapping file as --mapping reads it, whether every
    name was placed, and how each was."""
    return {
        "org": found.host,
        "complete": found.complete,
        "mapping": found.document(),
        "placements": [
            {
                "key": p.key,
                "apiName": p.api_name,
                "status": p.status,
                "by": p.by,
                "candidates": list(p.candidates),
            }
            for p in found.placements
        ],
    }
