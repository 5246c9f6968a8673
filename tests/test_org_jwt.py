"""JWT bearer login (CI's way in): a signed assertion for a token, refreshed when it expires.

The token endpoint may be the org's My Domain (``--login-url``); the audience stays
login/test.salesforce.com by Salesforce's rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from click.testing import CliRunner, Result

from sfupgrade.cli import cli
from sfupgrade.org.connect import OrgConfigError, OrgOptions, connect
from sfupgrade.org.jwt_auth import audience, is_sandbox_host
from tests import fake_oauth
from tests.fakeorg import TOKEN, URL, FakeOrg

OTHERS = [{"fullName": "voiceContact", "label": "Voice Contact"}]


@pytest.fixture(scope="module")
def key_pair() -> tuple[bytes, bytes]:
    return fake_oauth.key_pair()


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


def test_jwt_at_my_domain_keeps_the_production_audience_and_refreshes_there(
    jwt_org, key_pair
) -> None:
    org, key_file = jwt_org
    accepted = fake_oauth.allow_jwt(org, "CONSUMER", "ci@acme.com", key_pair[1])
    org.inject("invalid_session", on="listMetadata")
    result = add(key_file, "--login-url", URL)
    assert result.exit_code == 0, result.output
    assert [c["host"] for c in accepted] == [URL, URL]  # the login, then the renewed session
    assert {c["aud"] for c in accepted} == {"https://login.salesforce.com"}
    assert org.value_set("AC_CtiScriptSource").values[-1]["fullName"] == "ctiAction"
    assert TOKEN not in result.output


def test_jwt_login_url_defaults_to_sf_org_instance_url_as_sf_does(
    jwt_org, key_pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, key_file = jwt_org
    accepted = fake_oauth.allow_jwt(org, "CONSUMER", "ci@acme.com", key_pair[1])
    monkeypatch.setenv("SF_ORG_INSTANCE_URL", URL)
    result = add(key_file, "--dry-run")
    assert result.exit_code == 0, result.output
    assert [c["host"] for c in accepted] == [URL]


def test_jwt_at_my_domain_refused_says_how_to_fix(jwt_org, key_pair) -> None:
    org, key_file = jwt_org
    fake_oauth.allow_jwt(org, "CONSUMER", "ci@acme.com", key_pair[1], sandbox=True)
    result = add(key_file, "--login-url", URL)  # a production audience for a sandbox's app
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: JWT login for ci@acme.com at {URL} failed: invalid_grant: audience is "
        "invalid; check --client-id and --username, that the connected app holds the key's "
        "certificate and that the user is pre-authorised (a sandbox needs --sandbox)\n"
    )
    assert org.writes == []


@pytest.mark.parametrize(
    ("host", "sandbox"),
    [
        ("login.salesforce.com", False),
        ("test.salesforce.com", True),
        ("acme.my.salesforce.com", False),
        ("acme--uat.sandbox.my.salesforce.com", True),
        ("ACME--UAT.SANDBOX.MY.SALESFORCE.COM", True),
        ("acme--uat.my.salesforce.com", True),  # a sandbox's My Domain before enhanced domains
        ("acme-uat.my.salesforce.com", False),
    ],
)
def test_sandbox_hosts_by_salesforce_rule(host: str, sandbox: bool) -> None:
    assert is_sandbox_host(host) is sandbox
    expected = "https://test.salesforce.com" if sandbox else "https://login.salesforce.com"
    assert audience(f"https://{host}", False) == expected
    if host != "login.salesforce.com":  # --sandbox makes any other host's audience test
        assert audience(f"https://{host}", True) == "https://test.salesforce.com"


def test_sandbox_flag_against_the_production_login_host_is_refused(key_pair, tmp_path) -> None:
    key_file = tmp_path / "server.key"
    key_file.write_bytes(key_pair[0])
    options = OrgOptions(
        client_id="CONSUMER",
        jwt_key_file=key_file,
        username="ci@acme.com",
        login_url="https://login.salesforce.com",
        sandbox=True,
    )
    with pytest.raises(OrgConfigError, match="drop one of the two"):
        connect(options, environ={})


def test_jwt_to_a_sandbox_my_domain_posts_there_with_the_test_audience(key_pair, tmp_path) -> None:
    import jwt

    sandbox = "https://acme--uat.sandbox.my.salesforce.com"
    key_file = tmp_path / "server.key"
    key_file.write_bytes(key_pair[0])
    answer = {"access_token": TOKEN, "instance_url": sandbox, "token_type": "Bearer"}
    with responses.RequestsMock() as mock:
        mock.post(f"{sandbox}/services/oauth2/token", json=answer)
        connection = connect(
            OrgOptions(
                client_id="CONSUMER",
                jwt_key_file=key_file,
                username="ci@acme.com.uat",
                login_url=sandbox + "/",
            ),
            environ={},
        )
        request = mock.calls[0].request
    form = dict(part.split("=", 1) for part in str(request.body).split("&"))
    claims = jwt.decode(form["assertion"], key_pair[1], algorithms=["RS256"], audience=SANDBOX)
    assert claims["iss"] == "CONSUMER" and claims["sub"] == "ci@acme.com.uat"
    assert request.req_kwargs["timeout"] == (10.0, 120.0)  # the login request has the policy too
    assert connection.instance_url == sandbox


SANDBOX = "https://test.salesforce.com"


def test_a_key_file_too_big_to_be_a_key(jwt_org, tmp_path: Path) -> None:
    big = tmp_path / "big.key"
    big.write_bytes(b"-----BEGIN PRIVATE KEY-----\n" + b"A" * 100_000)
    result = add(big)
    assert result.exit_code == 2 and "not an RSA private key" in result.stderr
