"""Every command has help, the package runs as a module, and every module imports on its own."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import sfupgrade
from sfupgrade.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    commands = group.load_all() if hasattr(group, "load_all") else group.commands
    for name, command in commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


COMMANDS = sorted(_commands(cli))


def test_the_main_commands_exist() -> None:
    assert {("upgrade",), ("picklist", "add")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    for flag in ("--help", "-h"):
        result = CliRunner().invoke(cli, [*path, flag])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Usage: cli {' '.join(path)}")
        command = cli
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        assert command.help and len(command.help.strip()) > 20


def test_root_help_and_version() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "upgrade" in result.output and "picklist" in result.output
    result = CliRunner().invoke(cli, ["--version"])
    assert result.output.strip() == f"sfupgrade, version {sfupgrade.__version__}"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sfupgrade", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: sfupgrade")


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    result = CliRunner().invoke(cli, ["upgrade", "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.output and "Traceback" not in result.output


MODULES = sorted(
    m.name for m in pkgutil.walk_packages(sfupgrade.__path__, "sfupgrade.") if "._" not in m.name
)


# Modules of an optional extra, and the package each needs.
EXTRAS = {"sfupgrade.cumulusci": "cumulusci"}


@pytest.mark.parametrize("module", MODULES)
def test_every_module_imports_on_its_own(module: str) -> None:
    if module in EXTRAS:
        pytest.importorskip(EXTRAS[module], reason=f"{module} needs the {EXTRAS[module]} extra")
    code = f"import {module}"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
