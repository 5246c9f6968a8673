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


CLIENT_SECRET = "a1B2c3D4e5F6-consumer-secret"


@pytest.fixture(params=["client-credentials", "jwt"])
def oauth_login(
    request: pytest.FixtureRequest,
    fake_org: FakeOrg,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[list[str], list[str]]:
    """A My Domain login of each kind: its options, and every secret it involves."""
    import base64

    from tests import fake_oauth

    fake_org.http.token = PASSWORD  # the token the login hands out, with no Salesforce shape
    monkeypatch.delenv("SF_ACCESS_TOKEN")
    monkeypatch.delenv("SF_ORG_INSTANCE_URL")
    fake_org.add_value_set("AC_CtiScriptSource", VALUES)
    add_cti_objects(fake_org)
    args = ["--client-id", "CONSUMER", "--login-url", URL]
    if request.param == "client-credentials":
        monkeypatch.setenv("SF_CLIENT_SECRET", CLIENT_SECRET)
        fake_oauth.allow_client_credentials(fake_org, "CONSUMER", CLIENT_SECRET)
        basic = base64.b64encode(f"CONSUMER:{CLIENT_SECRET}".encode()).decode()
        return args, [PASSWORD, CLIENT_SECRET, basic]
    private, public = fake_oauth.key_pair()
    key_file = tmp_path / "server.key"
    key_file.write_bytes(private)
    fake_oauth.allow_jwt(fake_org, "CONSUMER", "ci@acme.com", public)
    key_body = private.decode().splitlines()[1]  # a line of the key itself
    return [*args, "--jwt-key-file", str(key_file), "--username", "ci@acme.com"], [
        PASSWORD,
        key_body,
    ]


def test_oauth_logins_show_no_secret_nor_token_anywhere(
    oauth_login, fake_org: FakeOrg, tmp_path: Path
) -> None:
    args, secrets = oauth_login
    fake_org.inject("invalid_session", on="readMetadata")  # a renewed session, logged too
    files = [tmp_path / f"report.{fmt}" for fmt in FORMATS]
    reports = [f"--report={fmt}={path}" for fmt, path in zip(FORMATS, files, strict=True)]
    result = run("upgrade", *args, "-vv", *reports)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("POST /services/oauth2/token headers=") == 2  # logged, masked
    assert fake_org.count("jwt_login") == 2
    everything = _everything(result, files)
    assert all(secret not in everything for secret in secrets)


@pytest.mark.parametrize(
    ("fault", "on"), [("unavailable", "any"), ("request_limit", "any"), ("soap_fault", "any")]
)
def test_oauth_login_errors_show_no_secret_nor_token(
    oauth_login, fake_org: FakeOrg, fault: str, on: str
) -> None:
    args, secrets = oauth_login
    fake_org.http.inject(fault, on=on, times=10)
    result = run("upgrade", *args, "-vv")
    assert result.exit_code != 0
    assert result.stderr.count("Error: ") == 1
    assert all(secret not in result.stdout + result.stderr for secret in secrets)
