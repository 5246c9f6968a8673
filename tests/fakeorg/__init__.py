"""A stateful fake Salesforce org on ``responses``, speaking Salesforce's wire formats.

Value sets over the Metadata API (SOAP, ``text/xml``), records over REST (describe, query,
sObject Collections) with ``Sforce-Limit-Info`` headers; every request is logged and faults can
be injected (see :data:`tests.fakeorg.core.FAULT_KINDS` and :meth:`FakeOrg.lock`).
"""

from __future__ import annotations

from typing import Any

import responses

from tests.fakeorg.core import FAULT_KINDS, TOKEN, URL, Call, Dispatcher
from tests.fakeorg.metadata import MetadataApi, StoredValueSet
from tests.fakeorg.rest import RestApi

__all__ = ["FAULT_KINDS", "TOKEN", "URL", "Call", "FakeOrg", "StoredValueSet"]

_V = r"/services/data/v\d+\.\d"


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
        route("POST", _V + r"/composite/sobjects/?", "composite_create", self.data.collection)
        route("PATCH", _V + r"/composite/sobjects/?", "composite_update", self.data.collection)

    @property
    def token(self) -> str:
        return self.http.token

    # -- state --------------------------------------------------------------------------------

    def add_value_set(self, name: str, values: list[dict[str, Any]], **kwargs: Any) -> str:
        return self.metadata.add_value_set(name, values, **kwargs)

    def value_set(self, full_name: str) -> StoredValueSet:
        return self.metadata.value_sets[full_name]

    def add_object(self, name: str, fields: dict[str, str], unique: tuple[str, ...] = ()) -> None:
        self.data.add_object(name, fields, unique)

    def insert(self, name: str, values: dict[str, Any]) -> str:
        return self.data.insert(name, values)

    def records(self, name: str) -> dict[str, dict[str, Any]]:
        return self.data.objects[name].records

    # -- faults -------------------------------------------------------------------------------

    def inject(self, kind: str, *, on: str = "any", times: int = 1) -> None:
        self.http.inject(kind, on=on, times=times)

    def lock(self, name: str, unique_value: str, times: int = 1) -> None:
        """Make writes of the record whose unique field is ``unique_value`` fail with
        UNABLE_TO_LOCK_ROW ``times`` times."""
        self.data.objects[name].locks[unique_value] = times

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
