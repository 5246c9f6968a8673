"""JWT bearer login (CI's way in): a signed assertion for a token, refreshed when it expires."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sfupgrade.cli import cli
from tests.fakeorg import TOKEN, FakeOrg

OTHERS = [{"fullName": "voiceContact", "label": "Voice Contact"}]


@pytest.fixture(scope="module")
def key_pair() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture
def jwt_org(fake_org: FakeOrg, key_pair, tmp_path: Path, monkeypatch) -> tuple[FakeOrg, Path]:
    monkeypatch.delenv("SF_ACCESS_TOKEN")
    monkeypatch.delenv("SF_ORG_INSTANCE_URL")
    fake_org.allow_jwt("CONSUMER", "ci@acme.com", key_pair[1])
    fake_org.add_value_set("AC_CtiScriptSource", OTHERS)
    key_file = tmp_path / "server.key"
    key_file.write_bytes(key_pair[0])
    return fake_org, key_file


def add(key_file: Path, *extra: str, user: str = "ci@acme.com") -> Result:
    args = ["picklist", "add", "--client-id", "CONSUMER", "--jwt-key-file", str(key_file)]
    return CliRunner().invoke(cli, [*args, "--username", user, *extra])


def test_jwt_login_then_refresh_once(jwt_org) -> None:
    org, key_file = jwt_org
    org.inject("invalid_session", on="listMetadata")
    result = add(key_file)
    assert result.exit_code == 0, result.output
    assert org.count("jwt_login") == 2  # the expired session was renewed once
    assert org.value_set("AC_CtiScriptSource").values[-1]["fullName"] == "ctiAction"
    assert TOKEN not in result.output


def test_jwt_refused_is_one_clear_line(jwt_org) -> None:
    org, key_file = jwt_org
    result = add(key_file, user="someone@else.com")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: JWT login for someone@else.com at https://login.salesforce.com failed: "
        "invalid_grant: invalid assertion;"
    )
    assert "--sandbox" in result.stderr and org.writes == []


def test_jwt_needs_all_three_options(jwt_org) -> None:
    _, key_file = jwt_org
    result = CliRunner().invoke(cli, ["picklist", "add", "--jwt-key-file", str(key_file)])
    assert result.exit_code == 2
    assert "--client-id, --jwt-key-file and --username together" in result.stderr


def test_a_file_that_is_no_key(jwt_org, tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    result = add(bad)
    assert result.exit_code == 2 and "not an RSA private key" in result.stderr
