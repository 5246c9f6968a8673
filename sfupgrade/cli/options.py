"""Report options shared by every command that shows a plan, defined once (like pip-tools').

A command takes ``@report_options`` and receives one ``report_options: ReportOptions`` value;
after planning (and applying) it calls :func:`emit_reports` and exits with
``report_options.exit_code(plan)``. Where output goes, whether it has colour and which exit
code CI sees are decided here, so every command behaves alike.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click

from sfupgrade.atomic import replace_file
from sfupgrade.errors import WriteError
from sfupgrade.plan import Plan
from sfupgrade.report import FORMATS, render


@dataclass(frozen=True)
class ReportOptions:
    """What the user asked for: the main report, extra report files, colour, verbosity."""

    format: str = "text"
    output: Path | None = None
    reports: tuple[tuple[str, Path], ...] = ()
    color: bool = False
    quiet: bool = False
    detailed_exitcode: bool = False
    verbose: int = 0

    def exit_code(self, plan: Plan) -> int:
        """The process exit code for ``plan`` (0, 1, 3 with --detailed-exitcode, or 68)."""
        return plan.exit_code(detailed=self.detailed_exitcode)


def decide_color(
    no_color: bool, output: Path | None, environ: Mapping[str, str], stream: TextIO
) -> bool:
    """Colour only for a person at a terminal: never in files, pipes, NO_COLOR or dumb terminals.

    NO_COLOR counts when set to anything but the empty string (https://no-color.org).
    """
    if no_color or output is not None or environ.get("NO_COLOR"):
        return False
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _parse_reports(
    _ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, Path], ...]:
    parsed = []
    for value in values:
        fmt, sep, path = value.partition("=")
        fmt = fmt.strip().lower()
        if not sep or fmt not in FORMATS or not path or path == "-":
            raise click.BadParameter(
                f"{value!r} is not FORMAT=PATH with FORMAT one of {', '.join(FORMATS)} and PATH "
                "a file, e.g. --report sarif=sfupgrade.sarif (stdout takes --format)",
                param=param,
            )
        parsed.append((fmt, Path(path)))
    return tuple(parsed)


def _check_destinations(options: ReportOptions) -> None:
    """Refuse, before doing any work, report files that could not be written.

    Two reports into one file would leave only the last; a missing or read-only directory would
    fail after the upgrade was applied, leaving a changed org or project without its report.
    """
    seen: dict[Path, str] = {}
    destinations = list(options.reports)
    if options.output is not None:
        destinations.insert(0, (options.format, options.output))
    for fmt, path in destinations:
        key = Path(os.path.abspath(path))
        if key in seen:
            raise click.UsageError(
                f"{path}: both the {seen[key]} and the {fmt} report would be written there; "
                "give each report its own file"
            )
        seen[key] = fmt
        directory = key.parent
        if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
            raise click.UsageError(
                f"{path}: cannot write the {fmt} report there: {directory} is not a writable "
                "directory; create it or choose another path"
            )


def report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --format, --report, --output, --no-color, --quiet, --detailed-exitcode and -v."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        fmt: str,
        reports: tuple[tuple[str, Path], ...],
        output: Path | None,
        no_color: bool,
        quiet: bool,
        detailed_exitcode: bool,
        verbose: int,
        **kwargs: Any,
    ) -> Any:
        options = ReportOptions(
            format=fmt.lower(),
            output=output,
            reports=reports,
            color=fmt.lower() == "text" and decide_color(no_color, output, os.environ, sys.stdout),
            quiet=quiet,
            detailed_exitcode=detailed_exitcode,
            verbose=verbose,
        )
        _check_destinations(options)
        if verbose:
            # Only when asked: local commands then never load logging. The org layer installs
            # the same redacting handler itself when it logs in (sfupgrade.logs).
            from sfupgrade.logs import configure

            configure(verbose)
        return command(*args, report_options=options, **kwargs)

    decorators = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS, case_sensitive=False),
            default="text",
            show_default=True,
            help="Format of the report on stdout (or in --output).",
        ),
        click.option(
            "--report",
            "reports",
            multiple=True,
            metavar="FORMAT=PATH",
            callback=_parse_reports,
            help="Also write a report in FORMAT to the file PATH; repeatable "
            "(e.g. --report sarif=sfupgrade.sarif --report markdown=plan.md).",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the --format report to this file instead of stdout.",
        ),
        click.option(
            "--no-color",
            is_flag=True,
            help="No colour in the text report (also when NO_COLOR is set or stdout is no TTY).",
        ),
        click.option(
            "--quiet",
            "-q",
            is_flag=True,
            help="Nothing on stdout, no progress; files still written.",
        ),
        click.option(
            "--detailed-exitcode",
            is_flag=True,
            help="Exit 3 when a dry run finds changes to make (0: nothing to do).",
        ),
        click.option("--verbose", "-v", count=True, help="Say more on stderr; repeat for more."),
    ]
    for decorator in reversed(decorators):
        wrapper = decorator(wrapper)
    return wrapper


def write_report_file(path: Path, text: str, fmt: str) -> None:
    """Write a report file atomically (see :func:`sfupgrade.atomic.replace_file`)."""
    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as exc:
        raise WriteError(
            f"{path}: cannot write the {fmt} report ({exc.strerror or exc}); check that the "
            "directory exists and is writable"
        ) from None


def emit_reports(
    plan: Plan,
    options: ReportOptions,
    *,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Write the main report (stdout or --output), every --report file, and GitHub annotations.

    Annotations go to stdout next to a text report, and to stderr when stdout carries a
    machine-readable report that they would corrupt (the Actions runner reads both streams).
    """
    environ = os.environ if environ is None else environ
    detailed = options.detailed_exitcode
    main = render(plan, options.format, color=options.color, detailed=detailed)
    if options.output is not None:
        write_report_file(options.output, main, options.format)
    elif not options.quiet:
        click.echo(main, nl=False, color=options.color)
    for fmt, path in options.reports:
        write_report_file(path, render(plan, fmt, detailed=detailed), fmt)
    if environ.get("GITHUB_ACTIONS") == "true":
        annotations = render(plan, "github")
        stdout_is_data = options.output is None and options.format != "text"
        if annotations:
            click.echo(annotations, nl=False, err=stdout_is_data)


__all__ = [
    "ReportOptions",
    "decide_color",
    "emit_reports",
    "report_options",
    "write_report_file",
]
