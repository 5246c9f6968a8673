"""Reports: every format is a pure function of one :class:`~sfupgrade.plan.Plan`.

:func:`render` is the only entry point callers need. It redacts secrets from the plan before a
renderer sees it and from the text after, so no format can leak a token whatever it escapes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sfupgrade.report.redact import redact, redact_plan

if TYPE_CHECKING:
    from sfupgrade.plan import Plan

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


def _render_with(fmt: str, plan: Plan, color: bool, detailed: bool) -> str:
    module = importlib.import_module(f"sfupgrade.report.{_MODULES[fmt]}")
    if fmt == "text":
        return module.render(plan, color=color)
    if fmt == "json":
        return module.render(plan, detailed=detailed)
    return module.render(plan)


# File name extensions, for users and docs: e.g. --report sarif=sfupgrade.sarif
EXTENSIONS = {"text": "txt", "json": "json", "markdown": "md", "junit": "xml", "sarif": "sarif"}


def render(plan: Plan, fmt: str, *, color: bool = False, detailed: bool = False) -> str:
    """``plan`` in format ``fmt`` (one of :data:`FORMATS`, or ``"github"``), secrets masked.

    ``color`` only affects text; ``detailed`` is ``--detailed-exitcode``, which changes the
    JSON envelope's ``status`` as it changes the exit code.
    """
    if fmt not in _MODULES:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return redact(_render_with(fmt, redact_plan(plan), color, detailed))


__all__ = ["EXTENSIONS", "FORMATS", "redact", "render"]
