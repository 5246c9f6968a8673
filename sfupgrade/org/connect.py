"""One connection to one org: a simple-salesforce login, our transport policy, one-line errors.

simple-salesforce (the design's Salesforce client, and the one CumulusCI tasks and most Python
users already hold) does the logins (:mod:`sfupgrade.org.login`) and holds the session id and
the instance; :meth:`OrgConnection.from_salesforce` takes a client someone else logged in. Its
``requests.Session`` is ours (:class:`~sfupgrade.org.transport.PolicySession`), so every request
it sends, the OAuth token requests included, has timeouts, the retry policy and the redacting
request log; on a caller's own session the same policy is wrapped round each call here.

What stays hand-written, and why: the Metadata API envelopes, because simple-salesforce's
zeep-based ``mdapi`` ignores the session's timeouts, freezes the SessionHeader at first use (so a
refreshed session is never sent) and logs whole envelopes, session id included, at DEBUG, and its
``deploy`` template writes ``None`` and ``True``/``False`` into DeployOptions; the Bulk API 2.0
CSV (:mod:`sfupgrade.org.bulk`), because its ``bulk2`` writes None as an empty cell, which on an
update cannot tell "leave the field unchanged" from "clear it" (``#N/A``). REST goes through
the same session with the client's token rather than through ``restful()``, which turns an empty
JSON answer (``[]``, ``{}``) into None, parses JSON leniently (duplicate keys, NaN), renews an
expired session up to three times (and fails on a 401 whose body is not its error list), and
cannot renew a session the sf CLI gave.

An expired session is renewed once when the login allows it (client credentials, JWT and
``--target-org`` log in again; an access token cannot).
"""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from sfupgrade.core.errors import FailureError, UsageError
from sfupgrade.core.logs import register_secret
from sfupgrade.core.redact import redact_text
from sfupgrade.files.jsonio import JsonInputError, loads_strict
from sfupgrade.files.xmlio import MD_NS, parse_xml
from sfupgrade.model.value import Value
from sfupgrade.org.options import OrgOptions

if TYPE_CHECKING:  # pragma: no cover
    import requests
    from lxml import etree
    from simple_salesforce import Salesforce

    from sfupgrade.org.salesforce import SalesforceOrg

log = logging.getLogger("sfupgrade.org")

DEFAULT_API_VERSION = "62.0"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_VERSION = re.compile(r"^\d{2,3}\.0$")


class OrgConfigError(UsageError):
    """How to reach the org is missing or wrong (no token, bad URL, unknown alias)."""


class OrgError(FailureError):
    """The org refused or failed a request; nothing more was sent after it.

    ``code`` is Salesforce's error code (``NOT_FOUND``, ``INVALID_FIELD``, ...) when it gave one,
    so callers can branch on it rather than on the message.
    """

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class SessionError(OrgError):
    """The session id is expired or invalid (INVALID_SESSION_ID)."""


class LimitError(OrgError):
    """The org's API request allocation is used up (REQUEST_LIMIT_EXCEEDED)."""


class UnavailableError(OrgError):
    """The org did not answer usably (503, timeout, connection error) after every retry."""


class RetryPolicy(Value):
    """Capped exponential backoff with full jitter: ``min(cap, base * 2**n) * U(0.5, 1)``."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 20.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(self.cap, float(retry_after.strip()))
        return min(self.cap, self.base * 2.0**attempt) * random.uniform(0.5, 1.0)


class OrgConnection:
    """REST and SOAP calls to one org, with retries and errors that never show the token.

    ``sf`` is a logged-in ``simple_salesforce.Salesforce``; ``again`` logs in anew when the
    session expires (None: the login cannot be repeated, as with a bare access token).
    """

    def __init__(
        self,
        sf: Salesforce,
        api_version: str,
        retry: RetryPolicy | None = None,
        *,
        again: Callable[[], Salesforce] | None = None,
    ) -> None:
        self._again = again
        self.api_version = api_version
        self.retry = retry or RetryPolicy()
        self.api_usage: tuple[int, int] | None = None
        self.requests_sent = 0
        self._use(sf)

    def _use(self, sf: Salesforce) -> None:
        """Work through ``sf`` from now on (a renewed login may name another instance)."""
        register_secret(sf.session_id)
        self._instance_url = check_url(f"https://{sf.sf_instance}")
        self._sf = sf

    @classmethod
    def from_salesforce(
        cls,
        sf: Salesforce,
        api_version: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        again: Callable[[], Salesforce] | None = None,
    ) -> OrgConnection:
        """Work through a client someone else logged in (CumulusCI's ``self.sf``, a script's).

        Its session (adapters, proxies, certificates) carries our calls, each with the retry
        policy and timeouts around it. ``api_version`` defaults to the client's ``sf_version``;
        ``again`` may give a fresh client when the session expires.
        """
        version = api_version or str(sf.sf_version)
        if not _VERSION.match(version):
            raise OrgConfigError(
                f"API version {version!r} is not like 62.0; pass api_version='62.0'"
            )
        return cls(sf, version, retry, again=again)

    def __repr__(self) -> str:
        return f"OrgConnection({self.instance_url!r}, api_version={self.api_version!r})"

    @property
    def sf(self) -> Salesforce:
        """The simple-salesforce client in use (a new one after a renewed session)."""
        return self._sf

    @property
    def instance_url(self) -> str:
        return self._instance_url

    @property
    def target(self) -> str:
        """How reports name this org: ``org:<host>``."""
        return f"org:{self.host}"

    @property
    def host(self) -> str:
        return urlsplit(self.instance_url).hostname or self.instance_url

    @property
    def session(self) -> requests.Session:
        return self._sf.session

    @property
    def _token(self) -> str:
        return str(self._sf.session_id)

    def _clean(self, text: str) -> str:
        return redact_text(text, [self._token])

    # -- REST -------------------------------------------------------------------------------

    def rest_url(self, path: str) -> str:
        if path.startswith("/services/"):
            return self.instance_url + path
        return f"{self.instance_url}/services/data/v{self.api_version}/{path.lstrip('/')}"

    def rest(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        idempotent: bool = True,
    ) -> Any:
        """Send one REST request; the decoded JSON body, or an :class:`OrgError`."""
        headers = {"Accept": "application/json"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        response = self._send(
            method,
            self.rest_url(path),
            params=params,
            json=json,
            headers=headers,
            idempotent=idempotent,
        )
        if response.status_code >= 400:
            raise self._rest_error(method, path, response)
        if not response.content:
            return None
        try:
            return loads_strict(response.text, f"{method} {path}")
        except JsonInputError as exc:
            raise OrgError(f"{self.host}: unreadable answer to {method} {path}: {exc}") from None

    def rest_raw(
        self, method: str, path: str, body: str | None = None, content_type: str = "text/csv"
    ) -> str:
        """Send or fetch a non-JSON body (Bulk API CSV); the answer's text.

        Only reads are retried: an upload is sent once (see :mod:`sfupgrade.org.bulk`).
        """
        headers = {"Accept": content_type}
        if body is not None:
            headers["Content-Type"] = content_type
        data = body.encode("utf-8") if body is not None else None
        response = self._send(
            method,
            self.rest_url(path),
            data=(lambda: data) if data is not None else None,
            headers=headers,
            idempotent=method == "GET",
        )
        if response.status_code >= 400:
            raise self._rest_error(method, path, response)
        return response.content.decode("utf-8-sig")

    def _rest_error(self, method: str, path: str, response: requests.Response) -> OrgError:
        code, message = _rest_error_fields(response)
        where = f"{method} {path.split('?')[0]}"
        if code == "REQUEST_LIMIT_EXCEEDED":
            return self._limit_error(message)
        return OrgError(
            self._clean(
                f"{self.host}: {where} failed with HTTP {response.status_code} {code}: {message}"
            ),
            code,
        )

    def _limit_error(self, message: str) -> LimitError:
        usage = f" (API usage {self.api_usage[0]}/{self.api_usage[1]})" if self.api_usage else ""
        return LimitError(
            self._clean(
                f"{self.host}: the org's API request limit is used up (REQUEST_LIMIT_EXCEEDED"
                f"{usage}: {message}); wait for the 24-hour window to free calls, then rerun"
            )
        )

    # -- SOAP (Metadata API) ----------------------------------------------------------------

    @property
    def soap_url(self) -> str:
        return f"{self.instance_url}/services/Soap/m/{self.api_version}"

    def metadata_call(self, operation: str, body: str) -> etree._Element:
        """Call one Metadata API operation; its ``<operationResponse>`` element.

        ``body`` is the operation's inner XML (already escaped). The session id goes in the
        SessionHeader, built at send time so a refreshed token is used on a retry.
        """

        def envelope() -> bytes:
            return (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns="{MD_NS}" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                "<soapenv:Header><SessionHeader><sessionId>"
                f"{escape(self._token)}"
                "</sessionId></SessionHeader></soapenv:Header>"
                f"<soapenv:Body><{operation}>{body}</{operation}></soapenv:Body>"
                "</soapenv:Envelope>"
            ).encode()

        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
        response = self._send(
            "POST", self.soap_url, data=envelope, headers=headers, idempotent=True, bearer=False
        )
        root = parse_xml(response.content, f"{self.host} {operation} response")
        fault = root.find(f"{{{SOAP_NS}}}Body/{{{SOAP_NS}}}Fault")
        if fault is not None:
            code, text = _fault_fields(fault)
            if code == "REQUEST_LIMIT_EXCEEDED":
                raise self._limit_error(text)
            raise OrgError(self._clean(f"{self.host}: {operation} failed: {code}: {text}"))
        result = root.find(f"{{{SOAP_NS}}}Body/{{{MD_NS}}}{operation}Response")
        if response.status_code >= 400 or result is None:
            raise OrgError(
                f"{self.host}: {operation} answered HTTP {response.status_code} without a result"
            )
        return result

    # -- transport --------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        idempotent: bool,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Callable[[], bytes] | None = None,
        bearer: bool = True,
    ) -> requests.Response:
        """Send with the transport policy; return the final response (any status) or raise.

        ``bearer=False`` for SOAP, whose session travels in the envelope: REST and SOAP headers
        are kept apart. Headers and body are built again after a renewed session.
        """
        from sfupgrade.org.transport import send, transport_of

        def counted(*args: Any, **kwargs: Any) -> requests.Response:
            self.requests_sent += 1
            return transport_of(self.session)(*args, **kwargs)

        renewed = False
        while True:
            sent = {**headers, "Authorization": f"Bearer {self._token}"} if bearer else headers
            response = send(
                counted,
                self.retry,
                method,
                url,
                idempotent=idempotent,
                params=params,
                json=json,
                data=data() if data else None,
                headers=sent,
            )
            self._note_usage(response)
            if _is_invalid_session(response):
                if not renewed and self._again is not None:
                    renewed = True
                    self._use(self._again())
                    continue
                raise SessionError(
                    f"{self.host}: the session is expired or invalid (INVALID_SESSION_ID); "
                    "log in again (sf org login web) or set a fresh SF_ACCESS_TOKEN, then rerun"
                )
            if response.status_code == 403 and b"REQUEST_LIMIT_EXCEEDED" in response.content:
                raise self._limit_error(_rest_error_fields(response)[1])
            return response

    def _note_usage(self, response: requests.Response) -> None:
        info = response.headers.get("Sforce-Limit-Info", "")
        match = re.search(r"api-usage=(\d+)/(\d+)", info)
        if match:
            self.api_usage = (int(match.group(1)), int(match.group(2)))


def _rest_error_fields(response: requests.Response) -> tuple[str, str]:
    """Salesforce's REST errors are ``[{"errorCode", "message"}]``; be lenient about shape."""
    try:
        body = loads_strict(response.text)
    except JsonInputError:
        return "", response.text[:200]
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if isinstance(body, dict):
        return str(body.get("errorCode", "")), str(body.get("message", ""))
    return "", str(body)[:200]


def _fault_fields(fault: etree._Element) -> tuple[str, str]:
    # Unqualified in Salesforce's faults; any namespace accepted, proxies differ.
    code = (fault.findtext("{*}faultcode") or "").strip()
    text = " ".join((fault.findtext("{*}faultstring") or "").split())
    return code.rpartition(":")[2] or code, text


def _is_invalid_session(response: requests.Response) -> bool:
    if response.status_code == 401:
        return True
    # The Metadata API reports an expired session as a SOAP fault with HTTP 500.
    return response.status_code == 500 and b"INVALID_SESSION_ID" in response.content


# -- the factory ----------------------------------------------------------------------------


def resolve_api_version(options: OrgOptions) -> str:
    """--api-version, else sfdx-project.json's sourceApiVersion, else 62.0 (Winter '25)."""
    version = options.api_version
    if not version and options.project is not None and options.project.is_dir():
        from sfupgrade.files.project import source_api_version

        version = source_api_version(options.project)
    version = version or DEFAULT_API_VERSION
    if not _VERSION.match(version):
        raise OrgConfigError(f"API version {version!r} is not like 62.0; pass --api-version 62.0")
    return version


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise OrgConfigError(
            f"instance URL {url!r} is not an https URL; pass e.g. "
            "--instance-url https://mydomain.my.salesforce.com"
        )
    return f"https://{parts.netloc}"


Runner = Callable[[list[str]], "subprocess.CompletedProcess[str]"]


def _run_sf(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)


def _run_sf_now(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``_run_sf`` looked up at call time, so a test may replace it on this module."""
    return _run_sf(argv)


def sf_cli_credentials(alias: str, runner: Runner | None = None) -> tuple[str, str]:
    """Instance URL and token of an sf CLI alias, via ``sf org display --json``.

    The token comes back on the child's stdout and never passes through its argv; the login
    asks for it again when the session expires.
    """
    runner = runner or _run_sf_now
    exe = shutil.which("sf") or "sf"
    result = _sf_result(runner, [exe, "org", "display", "--target-org", alias, "--json"], alias)
    token, url = result.get("accessToken"), result.get("instanceUrl")
    if not token:
        # sf 2.136.8 and later leave the token out of `org display`; this command gives it.
        shown = _sf_result(
            runner,
            [exe, "org", "auth", "show-access-token", "--target-org", alias, "--json"],
            alias,
        )
        token = shown.get("accessToken") or shown.get("token")
    if not token or not url:
        raise OrgConfigError(
            f"sf org display --target-org {alias} gave no access token or instance URL; "
            f"log in again (sf org login web --alias {alias})"
        )
    return check_url(str(url)), str(token)


def _sf_result(runner: Runner, argv: list[str], alias: str) -> dict[str, Any]:
    """Run one sf CLI ``--json`` command and return its ``result``, or one clear error line."""
    try:
        done = runner(argv)
    except FileNotFoundError:
        raise OrgConfigError(
            "the sf CLI is not installed (needed for --target-org); install it "
            "(npm install -g @salesforce/cli) or use --instance-url with SF_ACCESS_TOKEN"
        ) from None
    command = " ".join(argv[1:4])
    try:
        answer = loads_strict(done.stdout or "{}", f"sf {command}")
    except JsonInputError:
        answer = {}
    result = answer.get("result") if isinstance(answer, dict) else None
    if done.returncode != 0 or not isinstance(result, dict):
        message = answer.get("message") if isinstance(answer, dict) else None
        raise OrgConfigError(
            redact_text(
                f"sf {command} --target-org {alias} failed: "
                f"{message or (done.stderr or '').strip()[:200] or 'no result'}; "
                f"check the alias (sf org list) or log in (sf org login web --alias {alias})"
            )
        )
    return result


def connect(
    options: OrgOptions,
    *,
    environ: Mapping[str, str] | None = None,
    runner: Runner | None = None,
    retry: RetryPolicy | None = None,
) -> OrgConnection:
    """The one way commands reach an org; called only by commands that need one.

    simple-salesforce and requests are imported here, never on a local command's path, and
    only once the options add up: a login mistake is reported without loading them.
    """
    environ = os.environ if environ is None else environ
    version = resolve_api_version(options)
    retry = retry or RetryPolicy()
    from sfupgrade.org.login import choose

    login = choose(options, environ, retry, version, runner)
    return OrgConnection(login.sf, version, retry, again=login.again)


def connect_org(options: OrgOptions, **kwargs: Any) -> SalesforceOrg:
    """:func:`connect`, behind the Salesforce adapter: the org as planners and appliers take
    it (:class:`~sfupgrade.org.port.OrgPort`)."""
    from sfupgrade.org.salesforce import SalesforceOrg

    return SalesforceOrg(connect(options, **kwargs))


def connect_from(sf: Salesforce, api_version: str | None = None) -> OrgConnection:
    """The library's way in with an existing ``simple_salesforce.Salesforce`` (no login)."""
    return OrgConnection.from_salesforce(sf, api_version)
