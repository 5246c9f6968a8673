"""Keeping the access token out of every message, log line and repr the org layer produces.

The report redactor masks anything shaped like a Salesforce session id or a Bearer header; a
token given by the user may not have that shape (a test token, an OAuth token of another
format), so the org layer also masks the literal token it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sfupgrade.report.redact import MASK, redact

_SECRET_HEADERS = {"authorization", "cookie", "set-cookie"}


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with token-shaped strings and each literal secret masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return redact(text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers fit for a log: credentials replaced, everything else kept for debugging."""
    return {
        name: MASK if name.lower() in _SECRET_HEADERS else redact(value)
        for name, value in headers.items()
    }
