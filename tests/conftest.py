"""Shared fixtures: ``fake_org``, a stateful fake Salesforce org behind ``responses``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from tests.fakeorg import TOKEN, URL, FakeOrg


@pytest.fixture
def fake_org(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOrg]:
    """A fake org reached with ``--instance-url URL`` and ``SF_ACCESS_TOKEN``; retries don't wait.

    Every request goes to the fake (no network); one it does not know fails the test.
    """
    from sfupgrade.org import polling

    monkeypatch.setenv("SF_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("SF_ORG_INSTANCE_URL", URL)
    monkeypatch.delenv("SF_TARGET_ORG", raising=False)
    monkeypatch.delenv("SF_ORG_API_VERSION", raising=False)
    monkeypatch.setattr(polling, "pause", lambda _seconds: None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        org = FakeOrg(mock)
        yield org
    assert not org.http.unexpected, org.http.unexpected
