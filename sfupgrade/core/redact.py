"""Masking secrets in text: the one redaction every layer uses.

Reports are pasted into pull requests, uploaded to code scanning and kept as CI artifacts, and
logs end up in CI output, so a session id that slipped into a record field, an error message or a
log line would leak far. Token-shaped strings are masked wherever they appear; a token given by
the user may not have that shape (a test token, an OAuth token of another format), so the org
layer also passes the literal secrets it holds (:func:`redact_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "REDACTED"

# A session id / access token is the org id (00D + 12 or 15 characters) "!" and the token proper.
# The org id is kept: it says which org, and it is not a secret (`sf org display` shows it).
_SESSION_ID = re.compile(r"(00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)![A-Za-z0-9._~+/=-]+")
_BEARER = re.compile(r"\b((?i:Bearer|OAuth))(\s+)(?!REDACTED\b)[A-Za-z0-9._~+/=!-]+")
# Token fields in JSON bodies, form posts and query strings: the value up to a quote or separator.
_TOKEN_FIELD = re.compile(
    r"""(\b(?:access_token|refresh_token|sessionId|sid)\b["']?\s*[:=]\s*["']?)"""
    r"""(?!REDACTED\b)[^\s"'&,;<>]+""",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with every session id, Bearer/OAuth credential and token field masked.

    Idempotent, so redacting an already redacted report changes nothing.
    """
    text = _SESSION_ID.sub(rf"\1!{MASK}", text)
    text = _BEARER.sub(rf"\1\2{MASK}", text)
    return _TOKEN_FIELD.sub(rf"\1{MASK}", text)


def redact_value(value: Any) -> Any:
    """Redact the strings inside a record field value (plain JSON-like data)."""
    if type(value) is str:
        return redact(value)
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v) for v in value)
    if isinstance(value, dict):
        return {redact_value(k): redact_value(v) for k, v in value.items()}
    return value


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
