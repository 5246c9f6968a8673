"""The command line: a thin Click layer over the library.

Commands live one group per module; this module owns the root group and the single place where
domain errors become one line on stderr and an exit code, so no user mistake shows a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from sfupgrade import __version__
from sfupgrade.errors import SfUpgradeError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Each command's module is imported only when that command runs (or help lists them all), so
# `sfupgrade --version` or a local command never loads the org stack's modules.
_LAZY_COMMANDS = {
    "deploy": "sfupgrade.cli.deploy:deploy",
    "mapping": "sfupgrade.cli.mapping:mapping_group",
    "picklist": "sfupgrade.cli.picklist:picklist",
    "pull": "sfupgrade.cli.pull:pull",
    "upgrade": "sfupgrade.cli.upgrade:upgrade",
    "validate": "sfupgrade.cli.validate:validate_command",
}


class _Root(click.Group):
    """Root group that turns :class:`SfUpgradeError` into ``Error: ...`` and its exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _LAZY_COMMANDS:
            module, _, attribute = _LAZY_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return self.commands.get(cmd_name)

    def load_all(self) -> dict[str, click.Command]:
        """Every command, imported: for help pages, docs and tests that walk the tree."""
        for name in _LAZY_COMMANDS:
            self.get_command(click.Context(self), name)
        return self.commands

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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="sfupgrade")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
