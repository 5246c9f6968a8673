"""The command line: a thin Click layer over the library.

Commands live one group per module; this module owns the root group and the single place where
domain errors become one line on stderr and an exit code, so no user mistake shows a traceback.
"""

from __future__ import annotations

import sys

import click

from sfupgrade import __version__
from sfupgrade.errors import SfUpgradeError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Root(click.Group):
    """Root group that turns :class:`SfUpgradeError` into ``Error: ...`` and its exit code."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except SfUpgradeError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:
            # Disk full, permission denied, ...: the user's environment, said in one line.
            click.echo(f"Error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            ctx.exit(1)


@click.group(cls=_Root, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="sfupgrade")
def cli() -> None:
    """Upgrade Salesforce orgs to the Amazon Connect CTI Adapter's CTI Actions release.

    Every command can show what it would change first (--dry-run) and reports in text, JSON,
    Markdown, JUnit XML or SARIF.

    \b
    Examples:
      sfupgrade upgrade --dry-run              # the bundled example project
      sfupgrade upgrade ./my-sfdx-project      # add ctiAction to AC_CtiScriptSource
      sfupgrade picklist add --dry-run .       # just the value set step
    """


def _register() -> None:
    # One import line and one add_command line per command module; imported here, not at the
    # top, so that `cli` exists before the command modules that need the root group load.
    from sfupgrade.cli import deploy, picklist, upgrade
    from sfupgrade.cli.validate import validate_command

    cli.add_command(deploy.deploy)
    cli.add_command(picklist.picklist)
    cli.add_command(upgrade.upgrade)
    cli.add_command(validate_command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="sfupgrade")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
