"""OAuth client credentials at the org's My Domain, the login options, and an existing client.

The token endpoint is the fake org's (tests.fake_oauth), reached through simple-salesforce on
the org layer's session: no network.
"""

from __future__ import annotations

import base64

import pytest
import requests
import responses
from click.testing import CliRunner, Result
from simple_salesforce import Salesforce

from sfupgrade.cli import cli
from sfupgrade.org import polling
from sfupgrade.org.connect import (
    OrgConfigError,
    OrgConnection,
    OrgOptions,
    SessionError,
    UnavailableError,
    connect,
    connect_from,
)
from tests import fake_oauth
from tests.fakeorg import TOKEN, URL, FakeOrg

SECRET = "6E1C0F2BA9D8-consumer-secret-never-shown"
OTHERS = [{"fullName": "voiceContact", "label": "Voice Contact"}]
QUERY = f"{URL}/services/data/v62.0/query"


@pytest.fixture
def cc_org(fake_org: FakeOrg, monkeypatch: pytest.MonkeyPatch) -> tuple[FakeOrg, list[str]]:
    monkeypatch.delenv("SF_ACCESS_TOKEN")
    monkeypatch.delenv("SF_ORG_INSTANCE_URL")
    monkeypatch.setenv("SF_CLIENT_SECRET", SECRET)
    hosts = fake_oauth.allow_client_credentials(fake_org, "CONSUMER", SECRET)
    fake_org.add_value_set("AC_CtiScriptSource", OTHERS)
    return fake_org, hosts


def add(*extra: str) -> Result:
    return CliRunner().invoke(cli, ["picklist", "add", "--client-id", "CONSUMER", *extra])


def test_client_credentials_at_my_domain_then_one_renewal(cc_org) -> None:
    org, hosts = cc_org
    org.inject("invalid_session", on="readMetadata")
    result = add("--login-url", URL)
    assert result.exit_code == 0, result.output
    assert hosts == [URL, URL]  # logged in at the My Domain, and again for the expired session
    request = org.http.login_request
    assert request is not None and "client_credentials" in str(request.body)
    assert SECRET not in str(request.body)  # the secret travels in the Basic header only
    assert org.value_set("AC_CtiScriptSource").values[-1]["fullName"] == "ctiAction"
    basic = base64.b64encode(f"CONSUMER:{SECRET}".encode()).decode()
    for secret in (SECRET, basic, TOKEN):  # (every output path: tests/test_secrets.py)
        assert secret not in result.output


def test_login_url_defaults_to_sf_org_instance_url(cc_org, monkeypatch) -> None:
    _, hosts = cc_org
    monkeypatch.setenv("SF_ORG_INSTANCE_URL", URL)
    result = add("--dry-run")
    assert result.exit_code == 0, result.output
    assert hosts == [URL]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--login-url", URL],
            {"SF_CLIENT_SECRET": ""},
            "Error: --client-id without --jwt-key-file logs in with client credentials: set the "
            "connected app's consumer secret in SF_CLIENT_SECRET (it is read from the "
            "environment, never from argv), or add --jwt-key-file and --username for JWT\n",
        ),
        (
            [],
            {},
            "Error: client credentials log in at the org's My Domain: pass "
            "--login-url https://mydomain.my.salesforce.com (Setup > My Domain)\n",
        ),
        (
            ["--login-url", "http://acme.my.salesforce.com"],
            {},
            "Error: --login-url 'http://acme.my.salesforce.com' is not an https host URL; pass "
            "e.g. --login-url https://mydomain.my.salesforce.com\n",
        ),
        (
            ["--login-url", f"{URL}/services/oauth2/token"],
            {},
            f"Error: --login-url '{URL}/services/oauth2/token' is not an https host URL; pass "
            "e.g. --login-url https://mydomain.my.salesforce.com\n",
        ),
        (
            ["--login-url", "https://login.salesforce.com"],
            {},
            "Error: --login-url https://login.salesforce.com: Salesforce serves client "
            "credentials only at the org's My Domain; pass --login-url "
            "https://mydomain.my.salesforce.com\n",
        ),
        (
            ["--login-url", "https://acme.example.com"],
            {},
            "Error: --login-url https://acme.example.com: not a Salesforce login host; pass the "
            "org's My Domain (https://mydomain.my.salesforce.com) or "
            "https://login.salesforce.com\n",
        ),
    ],
)
def test_login_mistakes_are_one_line_and_send_nothing(
    cc_org, monkeypatch, args: list[str], env: dict[str, str], message: str
) -> None:
    org, hosts = cc_org
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = add(*args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert hosts == [] and org.calls == []


def test_login_url_alone_says_what_it_is_for(fake_org: FakeOrg) -> None:
    result = CliRunner().invoke(cli, ["picklist", "add", "--login-url", URL])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --login-url is where --client-id logins go:")


@pytest.mark.parametrize(
    ("secret", "client_id", "refusal"),
    [
        ("wrong-" + SECRET, "CONSUMER", "invalid_client: invalid client credentials"),
        (SECRET, "OTHER-APP", "invalid_client: invalid client credentials"),
    ],
)
def test_a_refused_login_says_how_to_fix(
    cc_org, monkeypatch, secret: str, client_id: str, refusal: str
) -> None:
    org, _ = cc_org
    monkeypatch.setenv("SF_CLIENT_SECRET", secret)
    result = CliRunner().invoke(
        cli, ["picklist", "add", "--client-id", client_id, "--login-url", URL]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: client credentials at {URL} failed: {refusal}; check --client-id and "
        "SF_CLIENT_SECRET (the connected app's consumer key and secret), that the app enables "
        "the client credentials flow with a run-as user, and that --login-url is this org's "
        "My Domain\n"
    )
    assert secret not in result.output and org.writes == []


def test_a_refusal_quoting_the_secret_is_masked(monkeypatch) -> None:
    answer = {"error": "invalid_grant", "error_description": f"no user for {SECRET}"}
    with responses.RequestsMock() as mock:
        mock.post(f"{URL}/services/oauth2/token", status=400, json=answer)
        with pytest.raises(OrgConfigError) as info:
            connect(
                OrgOptions(client_id="CONSUMER", login_url=URL),
                environ={"SF_CLIENT_SECRET": SECRET},
            )
    assert "invalid_grant: no user for" in str(info.value)
    assert SECRET not in str(info.value)


def test_the_token_request_has_the_retry_policy(monkeypatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(polling, "pause", sleeps.append)
    answer = {"access_token": TOKEN, "instance_url": URL, "token_type": "Bearer"}
    with responses.RequestsMock() as mock:
        mock.post(f"{URL}/services/oauth2/token", status=503)
        mock.post(f"{URL}/services/oauth2/token", body=requests.exceptions.ConnectTimeout("x"))
        mock.post(f"{URL}/services/oauth2/token", json=answer)
        connection = connect(
            OrgOptions(client_id="CONSUMER", login_url=URL), environ={"SF_CLIENT_SECRET": SECRET}
        )
        timeouts = {call.request.req_kwargs["timeout"] for call in mock.calls}
    assert len(sleeps) == 2 and timeouts == {(10.0, 120.0)}
    assert connection.instance_url == URL and connection.sf.session_id == TOKEN


def test_an_unreachable_token_endpoint_is_one_line(monkeypatch) -> None:
    monkeypatch.setattr(polling, "pause", lambda _s: None)
    with responses.RequestsMock() as mock:
        mock.post(f"{URL}/services/oauth2/token", status=503)
        with pytest.raises(UnavailableError, match=r"oauth2/token failed \(HTTP 503\) after 4"):
            connect(
                OrgOptions(client_id="CONSUMER", login_url=URL),
                environ={"SF_CLIENT_SECRET": SECRET},
            )


# -- an existing simple-salesforce client -------------------------------------------------------


def test_an_existing_client_is_used_with_the_policy_around_its_session(monkeypatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(polling, "pause", sleeps.append)
    sf = Salesforce(instance_url=URL + "/", session_id=TOKEN, version="63.0")
    connection = connect_from(sf)
    assert connection.api_version == "63.0" and connection.instance_url == URL
    assert connection.session is sf.session  # the caller's adapters, proxies, certificates
    with responses.RequestsMock() as mock:
        mock.get(f"{URL}/services/data/v63.0/query", status=503)
        mock.get(f"{URL}/services/data/v63.0/query", json={"records": []})
        assert connection.rest("GET", "query", params={"q": "x"}) == {"records": []}
        request = mock.calls[1].request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.req_kwargs["timeout"] == (10.0, 120.0) and len(sleeps) == 1


def test_an_existing_client_is_renewed_only_when_the_caller_says_how() -> None:
    stale = Salesforce(instance_url=URL, session_id="stale", version="62.0")
    fresh = Salesforce(instance_url=URL, session_id=TOKEN, version="62.0")
    renewing = OrgConnection.from_salesforce(stale, again=lambda: fresh)
    expired = [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}]
    with responses.RequestsMock() as mock:
        mock.get(QUERY, status=401, json=expired)
        mock.get(QUERY, json={"ok": 1})
        assert renewing.rest("GET", "query") == {"ok": 1}
        assert mock.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert renewing.sf is fresh
    fixed = OrgConnection.from_salesforce(Salesforce(instance_url=URL, session_id="stale"), "62.0")
    with responses.RequestsMock() as mock:
        mock.get(QUERY, status=401, json=expired)
        with pytest.raises(SessionError, match="INVALID_SESSION_ID"):
            fixed.rest("GET", "query")


def test_an_existing_client_with_a_bad_version() -> None:
    sf = Salesforce(instance_url=URL, session_id=TOKEN, version="v62")
    with pytest.raises(OrgConfigError, match=r"not like 62\.0"):
        connect_from(sf)


def test_a_login_url_that_is_no_token_endpoint(monkeypatch) -> None:
    page = "<html><body>URL No Longer Exists</body></html>"
    with responses.RequestsMock() as mock:
        mock.post(f"{URL}/services/oauth2/token", status=404, body=page, content_type="text/html")
        with pytest.raises(OrgConfigError) as info:
            connect(
                OrgOptions(client_id="CONSUMER", login_url=URL),
                environ={"SF_CLIENT_SECRET": SECRET},
            )
    assert str(info.value).startswith(
        f"client credentials at {URL} failed: HTTP 404: not an answer from Salesforce's login "
        "service; check"
    )


def test_a_lost_token_answer_is_asked_again(monkeypatch) -> None:
    monkeypatch.setattr(polling, "pause", lambda _s: None)
    answer = {"access_token": TOKEN, "instance_url": URL, "token_type": "Bearer"}
    with responses.RequestsMock() as mock:
        mock.post(f"{URL}/services/oauth2/token", body=requests.exceptions.ReadTimeout("slow"))
        mock.post(f"{URL}/services/oauth2/token", body=requests.exceptions.ConnectionError("x"))
        mock.post(f"{URL}/services/oauth2/token", json=answer)
        connection = connect(
            OrgOptions(client_id="CONSUMER", login_url=URL), environ={"SF_CLIENT_SECRET": SECRET}
        )
        assert len(mock.calls) == 3
    assert connection.sf.session_id == TOKEN
