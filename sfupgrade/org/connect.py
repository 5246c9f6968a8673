"""One connection to one org: authentication, timeouts, safe retries, errors in one line.

Why plain ``requests`` (REST) and hand-written SOAP envelopes rather than simple-salesforce's
``mdapi`` (zeep): simple-salesforce sets no HTTP timeout, retries nothing, shares one header dict
between REST and SOAP, returns uneven shapes and raises a bare ``Exception`` on a failed save.
The three Metadata API calls the upgrade needs (list, read, update) are small envelopes; owning
them keeps every request visible to the retry policy, the request log and the redactor, and lets
the fake org in the tests answer exactly what Salesforce answers.

Retries follow salesforce-facts.md: 502/503 and connection errors are retried with capped
exponential backoff and jitter (honouring ``Retry-After``); a read timeout is retried only for a
request that is safe to repeat (a plain insert may have happened: the caller re-queries instead).
An expired session is refreshed once when the credentials allow it (``--target-org``).
"""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from sfupgrade.errors import FailureError, UsageError
from sfupgrade.jsonio import JsonInputError, loads_strict
from sfupgrade.logs import register_secret
from sfupgrade.org.options import OrgOptions
from sfupgrade.org.redact import redact_headers, redact_text
from sfupgrade.xmlio import MD_NS, parse_xml

if TYPE_CHECKING:  # pragma: no cover
    import requests
    from lxml import etree

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


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter: ``min(cap, base * 2**n) * U(0.5, 1)``."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 20.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(self.cap, float(retry_after.strip()))
        return min(self.cap, self.base * 2**attempt) * random.uniform(0.5, 1.0)


def _sleep(seconds: float) -> None:
    """Indirection so tests run retries without waiting."""
    time.sleep(seconds)


@dataclass(frozen=True)
class Credentials:
    """An instance URL and a token; ``refresh`` gets a new token when the source allows it."""

    instance_url: str
    token: str = field(repr=False)
    refresh: Callable[[], Credentials] | None = field(default=None, repr=False, compare=False)


class OrgConnection:
    """REST and SOAP calls to one org, with retries and errors that never show the token."""

    def __init__(
        self,
        credentials: Credentials,
        api_version: str,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self._credentials = credentials
        register_secret(credentials.token)
        self.api_version = api_version
        self.retry = retry or RetryPolicy()
        self._session = session
        self.api_usage: tuple[int, int] | None = None
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"OrgConnection({self.instance_url!r}, api_version={self.api_version!r})"

    @property
    def instance_url(self) -> str:
        return self._credentials.instance_url

    @property
    def target(self) -> str:
        """How reports name this org: ``org:<host>``."""
        return f"org:{self.host}"

    @property
    def host(self) -> str:
        return urlsplit(self.instance_url).hostname or self.instance_url

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def _clean(self, text: str) -> str:
        return redact_text(text, [self._credentials.token])

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
                f"{escape(self._credentials.token)}"
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
        """Send with retries; return the final response (any status) or raise.

        ``bearer=False`` for SOAP, whose session travels in the envelope: REST and SOAP headers
        are kept apart.
        """
        import requests

        refreshed = False
        attempt = 0
        while True:
            if bearer:
                headers = {**headers, "Authorization": f"Bearer {self._credentials.token}"}
            self.requests_sent += 1
            # The logging filter masks the token too; redacting here keeps this line safe even
            # for a handler someone else configured.
            log.debug("%s %s headers=%s", method, _path(url), redact_headers(headers))
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data() if data else None,
                    headers=headers,
                    timeout=(self.retry.connect_timeout, self.retry.read_timeout),
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                # A read timeout means the request may have been applied: repeat only if safe.
                retryable = idempotent or isinstance(exc, requests.ConnectTimeout)
                kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                log.debug("%s %s: %s (attempt %d)", method, _path(url), kind, attempt + 1)
                if retryable and attempt + 1 < self.retry.attempts:
                    _sleep(self.retry.delay(attempt))
                    attempt += 1
                    continue
                raise UnavailableError(self._unavailable(method, url, kind, attempt + 1)) from None
            self._note_usage(response)
            log.debug("%s %s -> %d", method, _path(url), response.status_code)
            # 503: Salesforce did not take the request. 502 comes from a proxy that may have
            # passed it on, so only a request that is safe to repeat is sent again.
            if response.status_code == 503 or (idempotent and response.status_code == 502):
                if attempt + 1 < self.retry.attempts:
                    _sleep(self.retry.delay(attempt, response.headers.get("Retry-After")))
                    attempt += 1
                    continue
                what = f"HTTP {response.status_code}"
                raise UnavailableError(self._unavailable(method, url, what, attempt + 1))
            if _is_invalid_session(response):
                if not refreshed and self._credentials.refresh is not None:
                    refreshed = True
                    self._credentials = self._credentials.refresh()
                    register_secret(self._credentials.token)
                    continue
                raise SessionError(
                    f"{self.host}: the session is expired or invalid (INVALID_SESSION_ID); "
                    "log in again (sf org login web) or set a fresh SF_ACCESS_TOKEN, then rerun"
                )
            if response.status_code == 403 and b"REQUEST_LIMIT_EXCEEDED" in response.content:
                raise self._limit_error(_rest_error_fields(response)[1])
            return response

    def _unavailable(self, method: str, url: str, what: str, attempts: int) -> str:
        return (
            f"{self.host}: {method} {_path(url)} failed ({what}) after {attempts} attempt(s); "
            "nothing more was sent. Check https://status.salesforce.com and rerun"
        )

    def _note_usage(self, response: requests.Response) -> None:
        info = response.headers.get("Sforce-Limit-Info", "")
        match = re.search(r"api-usage=(\d+)/(\d+)", info)
        if match:
            self.api_usage = (int(match.group(1)), int(match.group(2)))


def _path(url: str) -> str:
    return urlsplit(url).path


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
        from sfupgrade.project import source_api_version

        version = source_api_version(options.project)
    version = version or DEFAULT_API_VERSION
    if not _VERSION.match(version):
        raise OrgConfigError(f"API version {version!r} is not like 62.0; pass --api-version 62.0")
    return version


def _check_url(url: str) -> str:
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


def sf_cli_credentials(alias: str, runner: Runner | None = None) -> Credentials:
    """Instance URL and token of an sf CLI alias, via ``sf org display --json``.

    The token comes back on the child's stdout, never passes through its argv, and is
    asked for again when the session expires (``refresh``).
    """
    runner = runner or _run_sf
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
    return Credentials(_check_url(str(url)), str(token), lambda: sf_cli_credentials(alias, runner))


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
    """The one way commands reach an org; called only by commands that need one."""
    environ = os.environ if environ is None else environ
    version = resolve_api_version(options)
    if options.client_id or options.jwt_key_file:
        if not (options.client_id and options.jwt_key_file and options.username):
            raise OrgConfigError(
                "JWT login needs --client-id, --jwt-key-file and --username together"
            )
        from sfupgrade.org.jwt_auth import jwt_credentials

        credentials = jwt_credentials(
            options.client_id, options.jwt_key_file, options.username, options.sandbox
        )
    elif options.target_org:
        credentials = sf_cli_credentials(options.target_org, runner)
    elif options.instance_url:
        token = environ.get("SF_ACCESS_TOKEN", "").strip()
        if not token:
            raise OrgConfigError(
                "--instance-url needs an access token in SF_ACCESS_TOKEN (e.g. from "
                "sf org display --json); it is read from the environment, never from argv"
            )
        credentials = Credentials(_check_url(options.instance_url), token)
    else:
        raise OrgConfigError(
            "no org given: pass --target-org ALIAS (sf CLI), --instance-url URL with "
            "SF_ACCESS_TOKEN set, or --client-id/--jwt-key-file/--username (JWT)"
        )
    return OrgConnection(credentials, version, retry)
