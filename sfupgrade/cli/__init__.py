"""The command line: a thin Click layer over the library.

Commands live one group per module; this module owns the root group and the single place where
domain errors, usage errors and Ctrl-C become one line on stderr (or, as in the sf CLI with
``--json``, one JSON error envelope on stdout) and an exit code, so no user mistake shows a
traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import click

from sfupgrade import __version__
from sfupgrade.core.errors import SfUpgradeError
from sfupgrade.model.value import Value

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Each command's module is imported only when that command runs (or help lists them all), so
# `sfupgrade --version` or a local command never loads the org stack's modules.
_LAZY_COMMANDS = {
    "deploy": "sfupgrade.cli.deploy:deploy",
    "flow": "sfupgrade.cli.flow:flow",
    "mapping": "sfupgrade.cli.mapping:mapping_group",
    "picklist": "sfupgrade.cli.picklist:picklist",
    "pull": "sfupgrade.cli.pull:pull",
    "upgrade": "sfupgrade.cli.upgrade:upgrade",
    "validate": "sfupgrade.cli.validate:validate_command",
}


class _Failure(Value):
    """A failed run, as both the one-line message and sf's JSON error envelope need it."""

    name: str
    message: str
    exit_code: int
    actions: tuple[str, ...] = ()
    code: str | None = None
    result: Any = None
    usage: bool = False  # Click's usage errors, already shown by Click itself


class _Interrupted(Exception):
    """Ctrl-C inside a command, carried out of Click so the root reports it in one line."""


INTERRUPTED = 130  # 128 + SIGINT, what shells report for a program stopped by Ctrl-C


def json_output_wanted(args: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether failures go to stdout as sf's JSON error envelope rather than to stderr as text.

    As in sf: ``--json`` or ``SF_CONTENT_TYPE=JSON`` (unless ``--format``/``--output`` choose
    otherwise); and a JSON report on stdout (``--format json`` without ``--output``), so that
    ``... | jq`` always has a document to read. Decided from the raw arguments because a usage
    error happens before any option is parsed.
    """
    fmt, to_file = "", False
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            break
        if token == "--json":
            return True
        if token == "--format":
            fmt = next(tokens, "")
        elif token.startswith("--format="):
            fmt = token.partition("=")[2]
        elif token == "--output" or token.startswith("--output="):
            to_file = True
    if fmt or to_file:  # an explicit report choice beats SF_CONTENT_TYPE from the shell
        return fmt.lower() == "json" and not to_file
    return environ.get("SF_CONTENT_TYPE", "").upper() == "JSON"


class _Root(click.Group):
    """Root group: every failure becomes one line on stderr (or sf's JSON error envelope on
    stdout) and its exit code, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _LAZY_COMMANDS:
            module, _, attribute = _LAZY_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return self.commands.get(cmd_name)

    def load_all(self) -> MutableMapping[str, click.Command]:
        """Every command, imported: for help pages, docs and tests that walk the tree."""
        for name in _LAZY_COMMANDS:
            self.get_command(click.Context(self), name)
        return self.commands

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def command_name(self, args: Sequence[str]) -> str:
        """The command ``args`` run ("upgrade", "picklist add"), for the JSON envelope."""
        names: list[str] = []
        command: click.Command = self
        for token in args:
            if not isinstance(command, click.Group) or token.startswith("-"):
                break
            try:
                found = command.get_command(click.Context(command), token)
            except Exception:  # an unimportable command is reported by main, not here
                found = None
            if found is None:
                break
            names.append(token)
            command = found
        return " ".join(names) or "sfupgrade"

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        as_json = json_output_wanted(args, os.environ)
        failure: _Failure | None = None
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except click.ClickException as exc:
            # Click's own message (usage line, "Try --help") for people; the envelope for JSON.
            code = exc.exit_code
            if not as_json:
                _show(exc)
            hint = f"Run 'sfupgrade {self.command_name(args)} --help' for the options."
            failure = _Failure(type(exc).__name__, exc.format_message(), code, (hint,), usage=True)
        except (click.Abort, _Interrupted):
            failure = _Failure("InterruptedError", "interrupted (Ctrl-C)", INTERRUPTED)
        except SfUpgradeError as exc:
            failure = _Failure(
                type(exc).__name__,
                str(exc),
                exc.exit_code,
                tuple(getattr(exc, "actions", ())),
                code=getattr(exc, "code", None) or None,
                result=getattr(exc, "result", None),
            )
        except OSError as exc:
            # Disk full, permission denied, ...: the user's environment, said in one line.
            message = f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
            failure = _Failure(type(exc).__name__, message, 1)
        if failure is not None:
            code = _report_failure(failure, self.command_name(args), as_json)
        if standalone_mode:
            sys.exit(code)
        return code


def _show(exc: click.ClickException) -> None:
    """Click's usage message, with whatever it quotes from the command line made printable."""
    import io

    from sfupgrade.report.safe import escape_controls, sanitize

    buffer = io.StringIO()
    exc.show(file=buffer)
    click.echo(sanitize(escape_controls(buffer.getvalue(), keep="\n")), nl=False, err=True)


def _report_failure(failure: _Failure, command: str, as_json: bool) -> int:
    """Say what failed, once for people (one line on stderr) and, when JSON was asked for, once
    for programs (sf's JSON error envelope, alone on stdout)."""
    from sfupgrade.report.safe import printable, sanitize

    if as_json:
        from sfupgrade.report.json_report import render_error

        text = render_error(
            name=failure.name,
            message=failure.message,
            exit_code=failure.exit_code,
            command=command,
            actions=failure.actions,
            code=failure.code,
            result=failure.result,
        )
        click.echo(sanitize(text, "json"), nl=False)
    if failure.exit_code == INTERRUPTED:
        click.echo(f"Interrupted (Ctrl-C): sfupgrade {printable(command)} stopped", err=True)
    elif not failure.usage or as_json:
        click.echo(f"Error: {printable(failure.message)}", err=True)
    return failure.exit_code


@click.group(cls=_Root, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="sfupgrade")
def cli() -> None:
    """Upgrade Salesforce orgs to the Amazon Connect CTI Adapter's CTI Actions release.

    Every command can show what it would change first (--dry-run) and reports in text, JSON,
    Markdown, JUnit XML or SARIF.

    \b
    Examples:
      sfupgrade upgrade --dry-run --example    # the bundled example project
      sfupgrade upgrade --dry-run              # the project in this directory
      sfupgrade upgrade ./my-sfdx-project      # add ctiAction to AC_CtiScriptSource
      sfupgrade picklist add --dry-run .       # just the value set step
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="sfupgrade")


if __name__ == "__main__":  # pragma: no cover
    main()
