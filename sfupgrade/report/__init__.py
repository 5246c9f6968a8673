"""Reports: every format is a pure function of one :class:`~sfupgrade.model.plan.Plan`.

:func:`render` is the only entry point callers need. It redacts secrets from the plan before a
renderer sees it and from the text after, so no format can leak a token whatever it escapes; and
it passes every report through :func:`sfupgrade.report.safe.sanitize`, so no input can write a
GitHub Actions workflow command or a character a UTF-8 writer refuses into any of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sfupgrade.core.redact import redact
from sfupgrade.report.redacted import redact_plan
from sfupgrade.report.safe import encodable, sanitize

if TYPE_CHECKING:
    from sfupgrade.model.plan import Plan

# The formats users choose with --format / --report, in the order help lists them.
FORMATS: tuple[str, ...] = ("text", "json", "markdown", "junit", "sarif")

# GitHub annotations are not a report users choose: emit_reports adds them on Actions.
# Renderer modules are imported when used: every command's --help loads this package for FORMATS.
_MODULES = {
    "text": "text",
    "json": "json_report",
    "markdown": "markdown",
    "junit": "junit",
    "sarif": "sarif",
    "github": "github",
}


def _render_with(fmt: str, plan: Plan, color: bool, detailed: bool, repo_root: str | None) -> str:
    module = importlib.import_module(f"sfupgrade.report.{_MODULES[fmt]}")
    # Every renderer module's render() returns the report's text.
    rendered: str
    if fmt == "text":
        rendered = module.render(plan, color=color)
    elif fmt == "json":
        rendered = module.render(plan, detailed=detailed)
    elif fmt == "sarif":
        rendered = module.render(plan, repo_root)
    else:
        rendered = module.render(plan)
    return rendered


# File name extensions, for users and docs: e.g. --report sarif=sfupgrade.sarif
EXTENSIONS = {"text": "txt", "json": "json", "markdown": "md", "junit": "xml", "sarif": "sarif"}


def render(
    plan: Plan,
    fmt: str,
    *,
    color: bool = False,
    detailed: bool = False,
    repo_root: str | None = None,
) -> str:
    """``plan`` in format ``fmt`` (one of :data:`FORMATS`, or ``"github"``), secrets masked.

    ``color`` only affects text; ``detailed`` is ``--detailed-exitcode``, which changes the
    JSON envelope's ``status`` as it changes the exit code; ``repo_root`` is what SARIF's URIs
    are relative to (default ``GITHUB_WORKSPACE``, else the working directory).
    """
    if fmt not in _MODULES:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    text = redact(_render_with(fmt, redact_plan(plan), color, detailed, repo_root))
    # Annotations are the one place workflow commands belong; github.py escapes their content.
    return encodable(text) if fmt == "github" else sanitize(text, fmt)


__all__ = ["EXTENSIONS", "FORMATS", "redact", "render"]
