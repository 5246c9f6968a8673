"""Local commands must not pay for the org stack: simple-salesforce, zeep and requests stay out.

CumulusCI too: only a cumulusci.yml's ``class_path`` loads :mod:`sfupgrade.cumulusci`.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sfupgrade.files.resources import example_project_dir

HEAVY = ("simple_salesforce", "zeep", "requests", "jsonschema", "jwt", "cumulusci")

LOCAL_COMMANDS = [
    ["--version"],
    ["--help"],
    ["upgrade", "--dry-run", "--example"],
    ["picklist", "add", "--dry-run", str(example_project_dir())],
    ["validate"],
]


@pytest.mark.parametrize("args", LOCAL_COMMANDS, ids=[" ".join(a) for a in LOCAL_COMMANDS])
def test_local_commands_do_not_import_the_org_stack(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sfupgrade", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 3), result.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert "click" in imported  # the check itself sees imports
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_a_login_mistake_is_reported_before_the_org_stack_loads() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SF_")}
    org = ["--instance-url", "https://acme.my.salesforce.com"]
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sfupgrade", "upgrade", "--dry-run", *org],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 2
    assert "Error: --instance-url needs an access token in SF_ACCESS_TOKEN" in result.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert "sfupgrade" in imported  # the check itself sees imports
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
