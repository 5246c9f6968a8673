"""Every HTTP request to Salesforce under one policy: timeouts, safe retries, a redacting log.

:class:`PolicySession` is the ``requests.Session`` handed to simple-salesforce, so its own
requests (the OAuth token requests of a login) get the same timeouts, retries and request log
as the org layer's REST and SOAP calls. A session that is not ours (a caller's
``simple_salesforce.Salesforce``, CumulusCI's ``self.sf``) keeps its adapters and proxies; the
org layer wraps the same policy around each of its own calls through it (:func:`send`).

Retries follow salesforce-facts.md: 503 and connection errors are retried with capped
exponential backoff and jitter (honouring ``Retry-After``); 502 and a read timeout only for a
request that is safe to repeat (a plain insert may have happened: the caller re-queries instead).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from sfupgrade.core.redact import redact_headers

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import RetryPolicy

log = logging.getLogger("sfupgrade.org")

# Methods that change nothing or set a state: repeating one after a lost answer is harmless.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# A token request changes nothing in the org either: a lost answer only costs a new token.
_TOKEN_PATH = "/services/oauth2/token"


def send(
    transport: Callable[..., requests.Response],
    retry: RetryPolicy,
    method: str,
    url: str,
    *,
    idempotent: bool | None = None,
    **kwargs: Any,
) -> requests.Response:
    """One request through ``transport`` (a session's ``request``) with the policy around it.

    Returns the final response, whatever its status, or raises
    :class:`~sfupgrade.org.connect.UnavailableError` once the attempts are spent.
    """
    from sfupgrade.org import connect as _connect
    from sfupgrade.org import polling  # `pause` is replaced there by the tests

    host, path = _where(url)
    if idempotent is None:
        idempotent = method.upper() in _SAFE_METHODS or path == _TOKEN_PATH
    kwargs.setdefault("timeout", (retry.connect_timeout, retry.read_timeout))
    attempt = 0
    while True:
        # Headers are redacted here as well as by the logging filter, so the line stays safe
        # under a handler someone else configured.
        log.debug("%s %s headers=%s", method, path, redact_headers(kwargs.get("headers") or {}))
        try:
            response = transport(method, url, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            retryable = idempotent or isinstance(exc, requests.ConnectTimeout)
            kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
            log.debug("%s %s: %s (attempt %d)", method, path, kind, attempt + 1)
            if retryable and attempt + 1 < retry.attempts:
                polling.pause(retry.delay(attempt))
                attempt += 1
                continue
            what = _unavailable(host, method, path, kind, attempt + 1)
            raise _connect.UnavailableError(what) from None
        log.debug("%s %s -> %d", method, path, response.status_code)
        # 503: Salesforce did not take the request. 502 comes from a proxy that may have
        # passed it on, so only a request that is safe to repeat is sent again.
        if response.status_code == 503 or (idempotent and response.status_code == 502):
            if attempt + 1 < retry.attempts:
                polling.pause(retry.delay(attempt, response.headers.get("Retry-After")))
                attempt += 1
                continue
            what = f"HTTP {response.status_code}"
            raise _connect.UnavailableError(_unavailable(host, method, path, what, attempt + 1))
        return response


class PolicySession(requests.Session):
    """A session whose every request, simple-salesforce's included, goes through :func:`send`.

    ``idempotent=`` may be passed to ``request``; without it the method decides (a POST is not
    repeated after a read timeout), except that an OAuth token request is always safe to repeat.
    """

    def __init__(self, retry: RetryPolicy) -> None:
        super().__init__()
        self.retry = retry

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        method = method.decode() if isinstance(method, bytes) else method
        url = url.decode() if isinstance(url, bytes) else url
        if args:  # requests' positional order after url: params, data, headers
            kwargs.update(zip(("params", "data", "headers"), args, strict=False))
        return send(super().request, self.retry, method, url, **kwargs)

    def send_once(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """The plain request, for a caller that runs :func:`send` itself."""
        kwargs.pop("idempotent", None)
        return super().request(method, url, **kwargs)


def transport_of(session: requests.Session) -> Callable[..., requests.Response]:
    """What :func:`send` should call on ``session`` so that the policy applies exactly once."""
    if isinstance(session, PolicySession):
        return session.send_once
    return session.request


def _where(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.path


def _unavailable(host: str, method: str, path: str, what: str, attempts: int) -> str:
    return (
        f"{host}: {method} {path} failed ({what}) after {attempts} attempt(s); "
        "nothing more was sent. Check https://status.salesforce.com and rerun"
    )
