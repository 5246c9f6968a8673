"""Validating files straight from disk, one flow at a time.

For a CI job over thousands of flows: memory holds the actions and the findings, never every
flow's text at once. ``load_content`` + ``validate`` give the same findings for small inputs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from sfupgrade.cti.load import discover, iter_flows, load_action
from sfupgrade.cti.validate import iter_validate
from sfupgrade.plan import Finding


def check_paths(paths: Sequence[Path]) -> Iterator[Finding]:
    """Findings for every flow and action under ``paths``, reading each flow only when checked."""
    found = discover(paths)
    actions = [load_action(path) for path in found.actions]
    return iter_validate(iter_flows(found), actions)
