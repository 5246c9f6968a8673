"""Golden files: every format over the same hand-built plans (see tests/report_plans.py).

A change to a format shows up as a reviewable diff of these files. To accept one on purpose,
run ``SFUPGRADE_UPDATE_GOLDEN=1 python -m pytest tests/test_report_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sfupgrade import __version__
from sfupgrade.report import EXTENSIONS, FORMATS, render
from tests.report_plans import PLANS

GOLDEN = Path(__file__).resolve().parent / "golden" / "reports"
# The tool's version appears in SARIF; the golden files hold a placeholder so releases need no
# golden update.
VERSION_LINE = f'"version": "{__version__}",'
VERSION_PLACEHOLDER = '"version": "@VERSION@",'
# SARIF names the repository root it made its URIs relative to (here the working directory).
ROOT_LINE = f'"uri": "{Path.cwd().as_uri().rstrip("/")}/"'
ROOT_PLACEHOLDER = '"uri": "@SRCROOT@"'

CASES = [(plan, fmt) for plan in PLANS for fmt in (*FORMATS, "github")]


SUFFIXES = {**EXTENSIONS, "junit": "junit.xml", "github": "github.txt"}


def _golden_name(plan: str, fmt: str) -> str:
    return f"{plan}.{SUFFIXES[fmt]}"


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    stored = actual.replace(VERSION_LINE, VERSION_PLACEHOLDER).replace(ROOT_LINE, ROOT_PLACEHOLDER)
    if os.environ.get("SFUPGRADE_UPDATE_GOLDEN") == "1":
        path.write_text(stored, encoding="utf-8", newline="")
    expected = path.read_text(encoding="utf-8").replace(VERSION_PLACEHOLDER, VERSION_LINE)
    expected = expected.replace(ROOT_PLACEHOLDER, ROOT_LINE)
    assert actual == expected, f"{name} differs; see the module docstring to update on purpose"


@pytest.mark.parametrize(("plan", "fmt"), CASES, ids=[f"{p}-{f}" for p, f in CASES])
def test_format_matches_golden_file(plan: str, fmt: str) -> None:
    _check(_golden_name(plan, fmt), render(PLANS[plan](), fmt))


@pytest.mark.parametrize("plan", ["value-set", "records"])
def test_coloured_text_matches_golden_file(plan: str) -> None:
    _check(f"{plan}.text-color.txt", render(PLANS[plan](), "text", color=True))


def test_every_golden_file_is_used() -> None:
    """A golden file no test reads would pass forever while pinning nothing."""
    used = {_golden_name(p, f) for p, f in CASES}
    used |= {f"{p}.text-color.txt" for p in ("value-set", "records")}
    assert {p.name for p in GOLDEN.iterdir()} == used
