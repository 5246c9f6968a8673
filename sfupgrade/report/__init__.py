"""Reports: every format is a pure function of one :class:`~sfupgrade.plan.Plan`.

:func:`render` is the only entry point callers need. It redacts secrets from the plan before a
renderer sees it and from the text after, so no format can leak a token whatever it escapes.
"""

from __future__ import annotations

from collections.abc import Callable

from sfupgrade.plan import Plan
from sfupgrade.report import github, json_report, junit, markdown, sarif, text
from sfupgrade.report.redact import redact, redact_plan

# The formats users choose with --format / --report, in the order help lists them.
FORMATS: tuple[str, ...] = ("text", "json", "markdown", "junit", "sarif")

# GitHub annotations are not a report users choose: emit_reports adds them on Actions.
_RENDERERS: dict[str, Callable[[Plan, bool, bool], str]] = {
    "text": lambda plan, color, _detailed: text.render(plan, color=color),
    "json": lambda plan, _color, detailed: json_report.render(plan, detailed=detailed),
    "markdown": lambda plan, _color, _detailed: markdown.render(plan),
    "junit": lambda plan, _color, _detailed: junit.render(plan),
    "sarif": lambda plan, _color, _detailed: sarif.render(plan),
    "github": lambda plan, _color, _detailed: github.render(plan),
}

# File name extensions, for users and docs: e.g. --report sarif=sfupgrade.sarif
EXTENSIONS = {"text": "txt", "json": "json", "markdown": "md", "junit": "xml", "sarif": "sarif"}


def render(plan: Plan, fmt: str, *, color: bool = False, detailed: bool = False) -> str:
    """``plan`` in format ``fmt`` (one of :data:`FORMATS`, or ``"github"``), secrets masked.

    ``color`` only affects text; ``detailed`` is ``--detailed-exitcode``, which changes the
    JSON envelope's ``status`` as it changes the exit code.
    """
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}"
        ) from None
    return redact(renderer(redact_plan(plan), color, detailed))


__all__ = ["EXTENSIONS", "FORMATS", "redact", "render"]
