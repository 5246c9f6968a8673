"""A stateful fake Salesforce org on ``responses``, speaking Salesforce's wire formats.

Value sets over the Metadata API (SOAP, ``text/xml``), records over REST (describe, query,
sObject Collections) with ``Sforce-Limit-Info`` headers; every request is logged and faults can
be injected (see :data:`tests.fakeorg.core.FAULT_KINDS` and :meth:`FakeOrg.lock`).
"""

from __future__ import annotations

import json
from typing import Any

import responses

from tests.fakeorg.core import FAULT_KINDS, LOGIN_HOSTS, TOKEN, URL, Call, Crash, Dispatcher
from tests.fakeorg.metadata import MetadataApi, StoredValueSet
from tests.fakeorg.rest import BulkApi, RestApi

__all__ = ["FAULT_KINDS", "TOKEN", "URL", "Call", "Crash", "FakeOrg", "StoredValueSet"]

_V = r"/services/data/v\d+\.\d"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class FakeOrg:
    """One org: its state, the request log and the fault switches."""

    url = URL

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.http = Dispatcher(mock)
        self.metadata = MetadataApi()
        self.data = RestApi(lambda: self.http.usage)
        route = self.http.route
        route("POST", r"/services/Soap/m/\d+\.\d", "soap", self.metadata.handle)
        route("GET", _V + r"/query/?", "query", self.data.query)
        route("GET", _V + r"/query/(?P<locator>[\w-]+)", "query", self.data.query_more)
        route("GET", _V + r"/sobjects/(?P<object>\w+)/describe/?", "describe", self.data.describe)
        route("GET", _V + r"/sobjects/?", "describe_global", self.data.describe_global)
        route("POST", _V + r"/composite/sobjects/?", "composite_create", self.data.collection)
        route("PATCH", _V + r"/composite/sobjects/?", "composite_update", self.data.collection)
        self.bulk = BulkApi(self.data)
        job = _V + r"/jobs/ingest/(?P<job>\w+)"
        route("POST", _V + r"/jobs/ingest/?", "bulk_job", self.bulk.create)
        route("PUT", job + r"/batches/?", "bulk_upload", self.bulk.upload)
        route("PATCH", job + r"/?", "bulk_close", self.bulk.close)
        route("GET", job + r"/?", "bulk_status", self.bulk.status)
        kinds = r"(?P<kind>successfulResults|failedResults|unprocessedrecords)"
        route("GET", job + r"/" + kinds + r"/?", "bulk_results", self.bulk.results)

    @property
    def token(self) -> str:
        return self.http.token

    # -- state --------------------------------------------------------------------------------

    def add_value_set(self, name: str, values: list[dict[str, Any]], **kwargs: Any) -> str:
        return self.metadata.add_value_set(name, values, **kwargs)

    def value_set(self, full_name: str) -> StoredValueSet:
        return self.metadata.value_sets[full_name]

    def add_object(
        self,
        name: str,
        fields: dict[str, str],
        unique: tuple[str, ...] = (),
        label: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        self.data.add_object(name, fields, unique, label, labels)

    def insert(self, name: str, values: dict[str, Any]) -> str:
        return self.data.insert(name, values)

    def records(self, name: str) -> dict[str, dict[str, Any]]:
        return self.data.objects[name].records

    # -- faults -------------------------------------------------------------------------------

    def inject(self, kind: str, *, on: str = "any", times: int = 1, after: int = 0) -> None:
        self.http.inject(kind, on=on, times=times, after=after)

    def lock(self, name: str, unique_value: str, times: int = 1) -> None:
        """Make writes of the record whose unique field is ``unique_value`` fail with
        UNABLE_TO_LOCK_ROW ``times`` times."""
        self.data.objects[name].locks[unique_value] = times

    def allow_jwt(self, client_id: str, username: str, public_key: bytes, sandbox: bool = False):
        """Answer JWT bearer logins signed by ``public_key``'s private key, as Salesforce does."""
        import jwt

        login = LOGIN_HOSTS[1] if sandbox else LOGIN_HOSTS[0]

        def handle(host: str, form: dict[str, list[str]]) -> tuple[int, dict[str, str], str]:
            try:
                assert host == login and form["grant_type"] == [JWT_GRANT]
                claims = jwt.decode(
                    form["assertion"][0],
                    public_key,
                    algorithms=["RS256"],
                    audience=login,
                    issuer=client_id,
                )
                assert claims["sub"] == username
            except (AssertionError, KeyError, jwt.PyJWTError):
                body = {"error": "invalid_grant", "error_description": "invalid assertion"}
                return 400, {"Content-Type": "application/json"}, json.dumps(body)
            body = {
                "access_token": self.token,
                "instance_url": URL,
                "token_type": "Bearer",
                "id": f"{login}/id/00D/005",
                "scope": "api",
            }
            return 200, {"Content-Type": "application/json"}, json.dumps(body)

        self.http.login = handle

    def expire_session(self, new_token: str = TOKEN + "2") -> None:
        self.http.token = new_token

    # -- the log ------------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        return self.http.calls

    @property
    def writes(self) -> list[Call]:
        return self.http.writes

    def count(self, operation: str) -> int:
        return self.http.count(operation)
