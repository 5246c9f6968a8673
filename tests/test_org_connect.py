"""Connecting: credentials from the environment or the sf CLI, retries, errors without tokens."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests
import responses

from sfupgrade.org import connect as connect_module
from sfupgrade.org import polling
from sfupgrade.org.connect import (
    LimitError,
    OrgConfigError,
    OrgError,
    OrgOptions,
    SessionError,
    UnavailableError,
    connect,
    resolve_api_version,
)

URL = "https://acme.my.salesforce.com"
TOKEN = "00D000000000001!AQ4AQFakeTokenValue.x"
QUERY = f"{URL}/services/data/v62.0/query"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    delays: list[float] = []
    monkeypatch.setattr(polling, "pause", delays.append)
    return delays


def conn(**kwargs):
    return connect(OrgOptions(instance_url=URL, **kwargs), environ={"SF_ACCESS_TOKEN": TOKEN})


def test_instance_url_needs_a_token_from_the_environment() -> None:
    with pytest.raises(OrgConfigError, match="SF_ACCESS_TOKEN"):
        connect(OrgOptions(instance_url=URL), environ={})


def test_no_org_given_is_a_usage_error() -> None:
    with pytest.raises(OrgConfigError, match="--target-org ALIAS") as info:
        connect(OrgOptions(), environ={"SF_ACCESS_TOKEN": TOKEN})
    assert info.value.exit_code == 2


def test_instance_url_must_be_https() -> None:
    with pytest.raises(OrgConfigError, match="not an https URL"):
        connect(OrgOptions(instance_url="http://acme.example"), environ={"SF_ACCESS_TOKEN": "x"})


def test_api_version_flag_then_project_then_default(tmp_path: Path) -> None:
    (tmp_path / "sfdx-project.json").write_text(
        json.dumps({"packageDirectories": [{"path": "force-app"}], "sourceApiVersion": "64.0"})
    )
    assert resolve_api_version(OrgOptions(api_version="63.0", project=tmp_path)) == "63.0"
    assert resolve_api_version(OrgOptions(project=tmp_path)) == "64.0"
    assert resolve_api_version(OrgOptions()) == "62.0"
    with pytest.raises(OrgConfigError, match=r"not like 62\.0"):
        resolve_api_version(OrgOptions(api_version="v62"))


def test_api_version_from_a_project_file_without_package_directories(tmp_path: Path) -> None:
    # An org command run from any directory takes only the version from its project file.
    (tmp_path / "sfdx-project.json").write_text(json.dumps({"sourceApiVersion": 61}))
    assert resolve_api_version(OrgOptions(project=tmp_path)) == "61.0"


def test_repr_and_errors_never_show_the_token() -> None:
    c = conn()
    assert TOKEN not in repr(c) and URL in repr(c)
    with responses.RequestsMock() as mock:
        mock.get(QUERY, status=400, json=[{"errorCode": "MALFORMED_QUERY", "message": TOKEN}])
        with pytest.raises(OrgError) as info:
            c.rest("GET", "query", params={"q": "SELECT Id FROM X"})
    assert TOKEN not in str(info.value)
    assert "MALFORMED_QUERY" in str(info.value)
    assert "!AQ4" not in str(info.value)


def test_sends_bearer_token_and_timeouts() -> None:
    c = conn()
    with responses.RequestsMock() as mock:
        mock.get(QUERY, json={"records": []}, headers={"Sforce-Limit-Info": "api-usage=7/15000"})
        assert c.rest("GET", "query", params={"q": "x"}) == {"records": []}
        request = mock.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.req_kwargs["timeout"] == (10.0, 120.0)
    assert c.api_usage == (7, 15000)


def test_503_is_retried_with_backoff_honouring_retry_after(sleeps: list[float]) -> None:
    c = conn()
    with responses.RequestsMock() as mock:
        mock.get(QUERY, status=503, headers={"Retry-After": "3"})
        mock.get(QUERY, status=503)
        mock.get(QUERY, json={"ok": 1})
        assert c.rest("GET", "query") == {"ok": 1}
    assert len(sleeps) == 2
    assert sleeps[0] == 3.0
    assert 0.5 <= sleeps[1] <= 1.0  # base 0.5 * 2**1, jittered into [0.5, 1.0]


def test_backoff_is_capped() -> None:
    policy = connect_module.RetryPolicy(base=1.0, cap=5.0)
    assert all(2.5 <= policy.delay(10) <= 5.0 for _ in range(50))
    assert policy.delay(0, "600") == 5.0


def test_gives_up_after_the_attempts_with_one_line(sleeps: list[float]) -> None:
    c = conn()
    with responses.RequestsMock() as mock:
        mock.get(QUERY, status=503)
        with pytest.raises(UnavailableError, match=r"HTTP 503\) after 4 attempt") as info:
            c.rest("GET", "query")
        assert len(mock.calls) == 4
    assert "\n" not in str(info.value) and len(sleeps) == 3
    assert c.requests_sent == 4  # every attempt counts


def test_read_timeout_retried_for_reads_never_for_inserts(sleeps: list[float]) -> None:
    c = conn()
    with responses.RequestsMock() as mock:
        mock.get(QUERY, body=requests.exceptions.ReadTimeout("slow"))
        mock.get(QUERY, json={"ok": 1})
        assert c.rest("GET", "query") == {"ok": 1}
    collections = f"{URL}/services/data/v62.0/composite/sobjects"
    with responses.RequestsMock() as mock:
        mock.post(collections, body=requests.exceptions.ReadTimeout("slow"))
        with pytest.raises(UnavailableError, match="timed out"):
            c.rest("POST", "composite/sobjects", json={"records": []}, idempotent=False)
        assert len(mock.calls) == 1


def test_request_limit_exceeded_is_not_retried(sleeps: list[float]) -> None:
    c = conn()
    body = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}]
    with responses.RequestsMock() as mock:
        mock.get(
            QUERY, status=403, json=body, headers={"Sforce-Limit-Info": "api-usage=15001/15000"}
        )
        with pytest.raises(LimitError, match=r"15001/15000.*rerun"):
            c.rest("GET", "query")
        assert len(mock.calls) == 1
    assert sleeps == []


def test_invalid_session_without_refresh_is_one_clear_error() -> None:
    c = conn()
    with responses.RequestsMock() as mock:
        mock.get(QUERY, status=401, json=[{"errorCode": "INVALID_SESSION_ID", "message": "x"}])
        with pytest.raises(SessionError, match=r"INVALID_SESSION_ID.*rerun"):
            c.rest("GET", "query")


def _sf_display(token: str, calls: list[list[str]]):
    def runner(argv: list[str]) -> subprocess.CompletedProcess[str]:
        calls.append(argv)
        out = {"status": 0, "result": {"accessToken": token, "instanceUrl": URL + "/"}}
        return subprocess.CompletedProcess(argv, 0, json.dumps(out), "")

    return runner


def test_target_org_through_the_sf_cli_and_one_refresh() -> None:
    calls: list[list[str]] = []
    c = connect(OrgOptions(target_org="prod"), environ={}, runner=_sf_display(TOKEN, calls))
    assert c.instance_url == URL
    assert calls[0][1:] == ["org", "display", "--target-org", "prod", "--json"]
    assert not any(TOKEN in arg for argv in calls for arg in argv)
    with responses.RequestsMock() as mock:
        mock.get(QUERY, status=401, json=[{"errorCode": "INVALID_SESSION_ID", "message": "x"}])
        mock.get(QUERY, json={"ok": 1})
        assert c.rest("GET", "query") == {"ok": 1}
    assert len(calls) == 2  # refreshed once


def test_newer_sf_cli_gives_the_token_through_show_access_token() -> None:
    calls: list[list[str]] = []

    def runner(argv: list[str]) -> subprocess.CompletedProcess[str]:
        calls.append(argv)
        if argv[1:3] == ["org", "display"]:
            out = {"status": 0, "result": {"instanceUrl": URL, "username": "me@example.com"}}
        else:
            out = {"status": 0, "result": {"accessToken": TOKEN}}
        return subprocess.CompletedProcess(argv, 0, json.dumps(out), "")

    c = connect(OrgOptions(target_org="prod"), environ={}, runner=runner)
    assert c.instance_url == URL
    assert [argv[1:4] for argv in calls] == [
        ["org", "display", "--target-org"],
        ["org", "auth", "show-access-token"],
    ]
    assert not any(TOKEN in arg for argv in calls for arg in argv)


def test_target_org_failure_message_is_redacted() -> None:
    def runner(argv: list[str]) -> subprocess.CompletedProcess[str]:
        out = {"status": 1, "name": "NamedOrgNotFound", "message": f"No org {TOKEN}"}
        return subprocess.CompletedProcess(argv, 1, json.dumps(out), "")

    with pytest.raises(OrgConfigError, match="sf org login web --alias nope") as info:
        connect(OrgOptions(target_org="nope"), environ={}, runner=runner)
    assert TOKEN not in str(info.value)


def test_sf_cli_missing() -> None:
    def runner(argv: list[str]) -> subprocess.CompletedProcess[str]:
        raise FileNotFoundError(argv[0])

    with pytest.raises(OrgConfigError, match="sf CLI is not installed"):
        connect(OrgOptions(target_org="x"), environ={}, runner=runner)


def test_soap_fault_is_one_line() -> None:
    c = conn()
    fault = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><soapenv:Fault>'
        "<faultcode>sf:INVALID_TYPE</faultcode><faultstring>bad\n   type</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    with responses.RequestsMock() as mock:
        mock.post(f"{URL}/services/Soap/m/62.0", status=500, body=fault, content_type="text/xml")
        with pytest.raises(OrgError, match=r"readMetadata failed: INVALID_TYPE: bad type$"):
            c.metadata_call("readMetadata", "<type>X</type>")
        request = mock.calls[0].request
    assert b"<sessionId>" in request.body
    assert request.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert "Authorization" not in request.headers  # SOAP's session is in the envelope only


def test_an_access_token_login_sends_nothing_and_holds_our_session() -> None:
    from simple_salesforce import Salesforce

    from sfupgrade.org.transport import PolicySession

    with responses.RequestsMock() as mock:  # fails on any request
        c = conn(api_version="63.0")
        assert len(mock.calls) == 0
    assert isinstance(c.sf, Salesforce) and isinstance(c.session, PolicySession)
    assert c.sf.session_id == TOKEN and c.sf.sf_version == "63.0"
    assert c.session.retry is c.retry  # one policy for simple-salesforce's requests and ours
