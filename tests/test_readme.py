"""The docs stay true: the command reference is what the commands print, the README stays a
short page for users, and every relative link in the README and docs/ leads to a file."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README_MAX_LINES = 250
# [text](target) with a target that is not a URL; an #anchor is dropped before the check.
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _script():
    spec = importlib.util.spec_from_file_location(
        "cli_reference", REPO / "scripts" / "cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _docs() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def test_command_reference_matches_the_commands_help() -> None:
    script = _script()
    commands = (REPO / script.COMMANDS).read_text()
    assert script.START in commands and script.END in commands
    assert script.updated_reference(commands) == commands, "run: python scripts/cli_reference.py"
    # Every command is in it.
    assert "## `sfupgrade upgrade`" in commands and "## `sfupgrade mapping discover`" in commands


def test_readme_links_the_command_reference_and_holds_no_copy() -> None:
    readme = (REPO / "README.md").read_text()
    assert "(docs/commands.md)" in readme
    assert "cli-reference:start" not in readme


def test_readme_quick_start_is_the_ci_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "pip install . && sfupgrade upgrade --dry-run --example\n" in readme
    test_command = "pip install '.[test]' && python -m pytest"
    assert test_command in readme and test_command in ci


def test_readme_is_at_most_250_lines() -> None:
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"


def test_every_relative_link_in_readme_and_docs_leads_to_a_file() -> None:
    broken, checked = [], 0
    for doc in _docs():
        for target in _LINK.findall(doc.read_text()):
            if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a URL (https:, mailto:) or an anchor in the same page
            checked += 1
            path = target.split("#", 1)[0]
            if not (doc.parent / path).exists():
                broken.append(f"{doc.relative_to(REPO)}: {target}")
    assert checked, "no relative link found: the pattern is wrong"
    assert not broken, broken
