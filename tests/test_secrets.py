"""No output path ever shows a token or password: reports, report files, -vv logs, errors.

The fake org is given a planted session id, and then a password-like token with no Salesforce
shape (so only the literal masking of secrets the process holds can catch it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.report import FORMATS
from tests.fakeorg import TOKEN, URL, FakeOrg
from tests.fakeorg.cti import add_cti_objects

PASSWORD = "correct-horse-battery-staple-42"
VALUES = [{"fullName": "voiceContact", "label": "Voice Contact", "default": "false"}]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(params=["session-id", "password"])
def secret(request: pytest.FixtureRequest, fake_org: FakeOrg, monkeypatch: pytest.MonkeyPatch):
    value = TOKEN if request.param == "session-id" else PASSWORD
    fake_org.http.token = value
    monkeypatch.setenv("SF_ACCESS_TOKEN", value)
    fake_org.add_value_set("AC_CtiScriptSource", VALUES)
    add_cti_objects(fake_org)
    return value


def _everything(result: Result, files: list[Path]) -> str:
    return result.stdout + result.stderr + "".join(p.read_text() for p in files if p.exists())


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_file_or_debug_log_shows_the_secret(
    secret: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    files = [tmp_path / f"report.{other}" for other in FORMATS]
    reports = [f"--report={other}={path}" for other, path in zip(FORMATS, files, strict=True)]
    result = run("upgrade", "--instance-url", URL, "-vv", "--format", fmt, *reports)
    assert result.exit_code == 0, result.output
    assert "sfupgrade: DEBUG: GET " in result.stderr  # the requests were logged...
    assert "Authorization" in result.stderr  # ...with their headers, masked
    assert secret not in _everything(result, files)


@pytest.mark.parametrize(
    ("fault", "on"),
    [
        ("invalid_session", "any"),
        ("unavailable", "any"),
        ("soap_fault", "readMetadata"),
        ("request_limit", "any"),
    ],
)
def test_no_error_message_shows_the_secret(
    secret: str, fake_org: FakeOrg, fault: str, on: str
) -> None:
    fake_org.http.inject(fault, on=on, times=10)
    result = run("upgrade", "--instance-url", URL, "-vv")
    assert result.exit_code != 0
    assert result.stderr.count("Error: ") == 1
    assert secret not in result.stdout + result.stderr
