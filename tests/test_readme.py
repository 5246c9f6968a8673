"""The README stays true: its command reference is what the commands print."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location(
        "cli_reference", REPO / "scripts" / "cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_readme_reference_matches_the_commands_help() -> None:
    readme = (REPO / "README.md").read_text()
    assert _script().updated_readme(readme) == readme, "run: python scripts/cli_reference.py"


def test_readme_quick_start_is_the_ci_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "pip install . && sfupgrade upgrade --dry-run --example\n" in readme
    test_command = "pip install '.[test]' && python -m pytest"
    assert test_command in readme and test_command in ci
