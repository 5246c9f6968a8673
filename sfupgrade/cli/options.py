"""Report options shared by every command that shows a plan, defined once (like pip-tools').

A command takes ``@report_options`` and receives one ``report_options: ReportOptions`` value;
after planning (and applying) it calls :func:`emit_reports` and exits with
``report_options.exit_code(plan)``. Where output goes, whether it has colour and which exit
code CI sees are decided here, so every command behaves alike.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import click

from sfupgrade.core.errors import PartlyAppliedError, SfUpgradeError, WriteError
from sfupgrade.files.atomic import replace_file
from sfupgrade.model.plan import Plan
from sfupgrade.model.value import Value, replace
from sfupgrade.report import FORMATS, render


class ReportOptions(Value):
    """What the user asked for: the main report, extra report files, colour, verbosity."""

    format: str = "text"
    output: Path | None = None
    reports: tuple[tuple[str, Path], ...] = ()
    color: bool = False
    quiet: bool = False
    detailed_exitcode: bool = False
    verbose: int = 0
    json: bool = False  # --json / SF_CONTENT_TYPE=JSON: the JSON envelope alone on stdout
    repo_root: Path | None = None  # what SARIF's URIs are relative to (--repo-root)
    no_progress: bool = False  # --quiet, or SF_USE_PROGRESS_BAR=false as in sf

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


def json_requested(flag: bool, environ: Mapping[str, str], chosen: bool = False) -> bool:
    """``--json``, or ``SF_CONTENT_TYPE=JSON`` as the sf CLI reads it, unless the command line
    ``chosen`` another report (``--format``, ``--output``): the shell's default yields to it."""
    if flag:
        return True
    return not chosen and environ.get("SF_CONTENT_TYPE", "").upper() == "JSON"


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def _json_conflicts(ctx: click.Context, output: Path | None) -> None:
    if output is not None:
        raise click.UsageError(
            "--json prints the JSON envelope on stdout; for a file use --report json=PATH"
        )
    if _given(ctx, "fmt"):
        fmt = ctx.params.get("fmt", "")
        if str(fmt).lower() != "json":
            raise click.UsageError(
                f"--json and --format {fmt} both choose stdout's report; drop one "
                "(other formats go to files with --report FORMAT=PATH)"
            )


# --json, defined once: the plan commands take it with their report options, the others
# (pull, mapping discover, flow add) with :func:`json_option`.
_JSON_OPTION = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the JSON report alone on stdout, in the sf CLI's envelope; failures too, "
    "as sf's error envelope (also with SF_CONTENT_TYPE=JSON).",
)


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--json`` for a command that has no plan to report: it receives ``as_json`` (true with
    ``--json`` or ``SF_CONTENT_TYPE=JSON``) and then prints its result with :func:`echo_result`
    instead of its text. A failure is sf's error envelope, printed by the root for every
    command alike (``sfupgrade.cli``)."""

    @functools.wraps(command)
    def wrapper(*args: Any, as_json: bool, **kwargs: Any) -> Any:
        return command(*args, as_json=json_requested(as_json, os.environ), **kwargs)

    return _JSON_OPTION(wrapper)


def echo_result(result: Any, status: int = 0, warnings: list[str] | None = None) -> None:
    """Print ``result`` in sf's envelope alone on stdout (``status`` is the exit code)."""
    from sfupgrade.report.json_report import render_result
    from sfupgrade.report.safe import sanitize

    click.echo(sanitize(render_result(result, status, warnings), "json"), nl=False)


def report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --json, --format, --report, --output, --repo-root, --no-color, --quiet,
    --detailed-exitcode and -v."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        as_json: bool,
        fmt: str,
        reports: tuple[tuple[str, Path], ...],
        output: Path | None,
        repo_root: Path | None,
        no_color: bool,
        quiet: bool,
        detailed_exitcode: bool,
        verbose: int,
        **kwargs: Any,
    ) -> Any:
        ctx = click.get_current_context()
        if as_json:
            _json_conflicts(ctx, output)
        as_json = json_requested(as_json, os.environ, _given(ctx, "fmt") or output is not None)
        if as_json:
            fmt = "json"
        options = ReportOptions(
            format=fmt.lower(),
            output=output,
            reports=reports,
            color=fmt.lower() == "text" and decide_color(no_color, output, os.environ, sys.stdout),
            quiet=quiet and not as_json,
            detailed_exitcode=detailed_exitcode,
            verbose=verbose,
            json=as_json,
            repo_root=repo_root,
            no_progress=quiet or os.environ.get("SF_USE_PROGRESS_BAR", "").lower() == "false",
        )
        _check_destinations(options)
        if verbose:
            # Only when asked: local commands then never load logging. The org layer installs
            # the same redacting handler itself when it logs in (sfupgrade.core.logs).
            from sfupgrade.core.logs import configure

            configure(verbose)
        return command(*args, report_options=options, **kwargs)

    decorators = [
        _JSON_OPTION,
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
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the --format report to this file instead of stdout "
            "(-o is --target-org, as in sf).",
        ),
        click.option(
            "--repo-root",
            type=click.Path(file_okay=False, path_type=Path),
            help="Directory SARIF file URIs are relative to (default: GITHUB_WORKSPACE, else "
            "the current directory).",
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
    """Write a report file atomically (see :func:`sfupgrade.files.atomic.replace_file`)."""
    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as exc:
        raise WriteError(
            f"{path}: cannot write the {fmt} report ({exc.strerror or exc}); check that the "
            "directory exists and is writable"
        ) from None


@contextlib.contextmanager
def reports_on_failure(plan: Plan, options: ReportOptions) -> Iterator[None]:
    """Around applying and verifying: a failure still writes the plan's reports, then raises.

    The report files (``--report``, ``--output``) are written with ``plan.failure`` set; stdout
    gets the report in text only, since with ``--json`` it must hold the error envelope alone
    (which then carries the plan's report as ``result``, as sf's error envelope does).
    """
    try:
        yield
    except SfUpgradeError as exc:
        if plan.failure is None:
            plan.failure = str(exc)
        from sfupgrade.report.json_report import envelope

        exc.result = envelope(plan, detailed=options.detailed_exitcode)["result"]  # type: ignore[attr-defined]
        files_only = replace(options, quiet=options.quiet or options.json)
        # The first failure is the one to tell; a report failing now would only hide it.
        with contextlib.suppress(SfUpgradeError):
            emit_reports(plan, files_only)
        if plan.applied and not isinstance(exc, PartlyAppliedError):
            # Exit 1 promises nothing was applied: after a write that is no longer true.
            partly = PartlyAppliedError(f"applied to {plan.target}, but then: {exc}")
            partly.result = exc.result  # type: ignore[attr-defined]
            raise partly from None
        raise


def emit_reports(
    plan: Plan,
    options: ReportOptions,
    *,
    environ: Mapping[str, str] | None = None,
    text: str | None = None,
) -> None:
    """Write the main report (stdout or --output), every --report file, and GitHub annotations.

    Annotations go to stdout next to a text report, and to stderr when stdout carries a
    machine-readable report that they would corrupt (the Actions runner reads both streams).
    Report files are written before stdout, so a failed write leaves no success on stdout (and,
    with --json, stdout holds the error envelope alone). ``text`` replaces the text report
    (``picklist add`` shows its diff).
    """
    environ = os.environ if environ is None else environ
    detailed = options.detailed_exitcode
    root = str(options.repo_root) if options.repo_root is not None else None
    # The files first: a report that cannot be written fails the run before stdout claims success.
    if text is not None and options.format == "text":
        # A command's own text report (picklist add's diff), held to the same rules.
        from sfupgrade.report.safe import sanitize

        main = sanitize(text, "text")
    else:
        main = render(plan, options.format, color=options.color, detailed=detailed, repo_root=root)
    try:
        for fmt, path in options.reports:
            write_report_file(path, render(plan, fmt, detailed=detailed, repo_root=root), fmt)
        if options.output is not None:
            write_report_file(options.output, main, options.format)
    except WriteError as exc:
        if plan.applied and plan.failure is None:
            plan.failure = str(exc)
            raise PartlyAppliedError(f"applied to {plan.target}, but {exc}") from None
        raise
    if options.output is None and not options.quiet:
        click.echo(main, nl=False, color=options.color)
    if environ.get("GITHUB_ACTIONS") == "true":
        annotations = render(plan, "github")
        stdout_is_data = options.output is None and options.format != "text"
        if annotations:
            click.echo(annotations, nl=False, err=stdout_is_data)


__all__ = [
    "ReportOptions",
    "decide_color",
    "echo_result",
    "emit_reports",
    "json_option",
    "report_options",
    "reports_on_failure",
    "write_report_file",
]
