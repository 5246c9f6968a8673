"""The fake org's plumbing: one dispatcher on ``responses``, a request log, injected faults.

Every method is routed through one callback on a catch-all pattern, so no two registrations
overlap (``responses`` pops the first of several matches) and a request the fake does not know
is recorded in ``unexpected`` and answered with an AssertionError, which the fixture re-raises.

Request size, as Salesforce limits it ("Maximum number of rows returned by SOQL queries over the
REST API", help.salesforce.com article 000386264): "In each REST call, the maximum length for
the combined URI and headers is 16,384 bytes. A request exceeding this limit returns a 431
Request Header Fields Too Large error. If the URI itself exceeds this limit, the request returns
a 414 URI Too Long error." The fake answers both, before it reads the request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

URL = "https://acme.my.salesforce.com"
TOKEN = "00D5g000004ABCDEFGH!AQ8AQFakeSessionTokenForTests.abc"
LOGIN_HOSTS = ("https://login.salesforce.com", "https://test.salesforce.com")
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MD_NS = "http://soap.sforce.com/2006/04/metadata"
Reply = tuple[int, dict[str, str], str]
URI_AND_HEADERS_LIMIT = 16384  # bytes, see the module docstring


@dataclass(frozen=True)
class Call:
    """One request the org received: what it was, whether it writes, how it was answered."""

    method: str
    path: str
    operation: str  # "query", "describe", "composite", "readMetadata", ...
    write: bool
    status: int | str  # HTTP status, or the exception name for a timeout/connection error
    records: int = 0  # records in a collection write
    body: bytes = field(default=b"", compare=False, repr=False)


class Crash(BaseException):
    """The process dying mid-run (killed, power cut): raised from inside a request, and, not
    being an Exception, caught by nothing in sfupgrade or in Click's test runner."""


@dataclass
class Fault:
    """A fault to inject on the next ``times`` requests whose operation matches ``on``, once
    ``after`` such requests have gone through untouched."""

    kind: str
    on: str = "any"
    times: int = 1
    after: int = 0

    def fires(self, operation: str, kind: str) -> bool:
        """Whether this request gets the fault; counts it down either way."""
        if self.times <= 0 or self.on not in ("any", operation, kind):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        self.times -= 1
        return True


WRITES = (
    "updateMetadata",
    "composite_create",
    "composite_update",
    "bulk_job",
    "bulk_upload",
    "bulk_close",
)
FAULT_KINDS = (
    "unavailable",  # 503
    "request_limit",  # 403 REQUEST_LIMIT_EXCEEDED
    "invalid_session",  # 401 REST / SOAP fault INVALID_SESSION_ID
    "soap_fault",  # 500 SOAP fault UNKNOWN_EXCEPTION
    "failed_save",  # updateMetadata answers SaveResult success=false
    "timeout",  # ReadTimeout before the org does anything
    "timeout_after_write",  # the org applies the request, the answer is lost
    "connection_error",
    "crash",  # the process dies (Crash) before the request reaches the org
    "crash_after_write",  # the org applies the request, then the process dies
)


_AFTER_HANDLING = ("timeout_after_write", "failed_save", "crash_after_write")


def json_reply(status: int, body: Any, usage: str) -> Reply:
    headers = {"Content-Type": "application/json;charset=UTF-8", "Sforce-Limit-Info": usage}
    return status, headers, json.dumps(body)


def xml_reply(status: int, body: str) -> Reply:
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns="{MD_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
    return status, {"Content-Type": "text/xml; charset=utf-8"}, envelope


def soap_fault(code: str, message: str) -> Reply:
    """A fault as Salesforce sends it: unqualified faultcode/faultstring, ``sf:`` prefix."""
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:sf="{MD_NS}">'
        f"<soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode>"
        f"<faultstring>{code}: {message}</faultstring></soapenv:Fault></soapenv:Body>"
        "</soapenv:Envelope>"
    )
    return 500, {"Content-Type": "text/xml; charset=utf-8"}, envelope


class Dispatcher:
    """Routes requests, checks the session, applies faults and logs every call."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.token = TOKEN
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.unexpected: list[str] = []
        self.api_used = 0
        self.api_limit = 15000
        self.login: Callable[[str, dict[str, list[str]]], Reply] | None = None
        self.login_request: requests.PreparedRequest | None = None
        self._routes: list[tuple[str, re.Pattern[str], str, Callable[..., Any]]] = []
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            mock.add_callback(method, re.compile(r"https?://.*"), callback=self._dispatch)

    # -- configuration ------------------------------------------------------------------------

    def route(self, method: str, pattern: str, operation: str, handler: Callable[..., Any]) -> None:
        self._routes.append((method, re.compile(pattern), operation, handler))

    def inject(self, kind: str, *, on: str = "any", times: int = 1, after: int = 0) -> None:
        """Make the next ``times`` requests matching ``on`` fail with ``kind``, after letting
        ``after`` of them through."""
        assert kind in FAULT_KINDS, kind
        self.faults.append(Fault(kind, on, times, after))

    @property
    def usage(self) -> str:
        return f"api-usage={self.api_used}/{self.api_limit}"

    # -- the log ------------------------------------------------------------------------------

    @property
    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.write]

    def count(self, operation: str) -> int:
        return sum(1 for c in self.calls if c.operation == operation)

    # -- dispatch -----------------------------------------------------------------------------

    def _dispatch(self, request: requests.PreparedRequest) -> Reply:
        parts = urlsplit(request.url or "")
        host = f"{parts.scheme}://{parts.netloc}"
        # The token endpoint: the generic login hosts, or the org's own My Domain.
        if host in (*LOGIN_HOSTS, URL) and parts.path == "/services/oauth2/token" and self.login:
            self.calls.append(Call(request.method, parts.path, "jwt_login", False, 200))
            self.login_request = request  # a client credentials login sends its secret in a header
            return self.login(host, parse_qs(str(request.body or "")))
        if host != URL:
            return self._unexpected(request, "host")
        for method, pattern, operation, handler in self._routes:
            match = pattern.fullmatch(parts.path)
            if method == request.method and match:
                return self._handle(request, operation, handler, match, parse_qs(parts.query))
        return self._unexpected(request, "route")

    def _unexpected(self, request: requests.PreparedRequest, why: str) -> Reply:
        self.unexpected.append(f"{request.method} {request.url} ({why})")
        raise AssertionError(f"fake org: unregistered request {request.method} {request.url}")

    def _too_large(self, request: requests.PreparedRequest) -> int | None:
        """414 for a URI over the limit, 431 for URI plus headers over it, else None."""
        uri = len((request.url or "").encode())
        headers = sum(len(f"{k}: {v}\r\n".encode()) for k, v in request.headers.items())
        if uri > URI_AND_HEADERS_LIMIT:
            return 414
        if uri + headers > URI_AND_HEADERS_LIMIT:
            return 431
        return None

    def _handle(self, request, operation, handler, match, query) -> Reply:
        soap = operation == "soap"
        too_large = self._too_large(request)
        if too_large is not None:
            self.calls.append(Call(request.method, request.path_url, operation, False, too_large))
            reason = "URI Too Long" if too_large == 414 else "Request Header Fields Too Large"
            page = f"<html><body><h1>{too_large} {reason}</h1></body></html>"
            return too_large, {"Content-Type": "text/html"}, page
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        if soap:
            from tests.fakeorg.metadata import operation_of

            operation = operation_of(body)
        write = operation in WRITES
        self.api_used += 1
        fault = next(
            (f for f in self.faults if f.fires(operation, "soap" if soap else "rest")), None
        )
        if fault is not None and fault.kind not in _AFTER_HANDLING:
            return self._fault(fault.kind, soap, request, operation, write)
        if not self._authorised(request, body, soap):
            self.calls.append(Call(request.method, request.path_url, operation, write, 401))
            if soap:
                return soap_fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader")
            return json_reply(401, _session_error(), self.usage)
        status, headers, text = handler(
            body=body, match=match, query=query, operation=operation, fault=fault
        )
        records = (
            len(json.loads(body).get("records", [])) if operation.startswith("composite_") else 0
        )
        self.calls.append(
            Call(request.method, request.path_url, operation, write, status, records, body)
        )
        if fault is not None and fault.kind == "timeout_after_write":  # applied, answer lost
            raise requests.exceptions.ReadTimeout("fake org: read timed out")
        if fault is not None and fault.kind == "crash_after_write":
            raise Crash(f"fake org: process died after {operation} was applied")
        return status, headers, text

    def _authorised(self, request: requests.PreparedRequest, body: bytes, soap: bool) -> bool:
        if soap:
            return f"<sessionId>{self.token}</sessionId>".encode() in body
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    def _fault(self, kind: str, soap: bool, request, operation: str, write: bool) -> Reply:
        if kind == "crash":
            self.calls.append(Call(request.method, request.path_url, operation, write, kind))
            raise Crash(f"fake org: process died before {operation}")
        if kind in ("timeout", "connection_error"):
            error = (
                requests.exceptions.ReadTimeout
                if kind == "timeout"
                else requests.exceptions.ConnectionError
            )
            self.calls.append(Call(request.method, request.path_url, operation, write, kind))
            raise error(f"fake org: {kind}")
        reply = self._fault_reply(kind, soap)
        self.calls.append(Call(request.method, request.path_url, operation, write, reply[0]))
        return reply

    def _fault_reply(self, kind: str, soap: bool) -> Reply:
        if kind == "unavailable":
            return json_reply(
                503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "Try later"}], self.usage
            )
        if kind == "request_limit" and soap:
            return soap_fault("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        if kind == "request_limit":
            body = [
                {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
            ]
            return json_reply(403, body, f"api-usage={self.api_limit + 1}/{self.api_limit}")
        if kind == "invalid_session":
            if soap:
                return soap_fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader")
            return json_reply(401, _session_error(), self.usage)
        return soap_fault(
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this "
            "ErrorId if you contact support: 1234-5678 (-1)",
        )


def _session_error() -> list[dict[str, str]]:
    return [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
