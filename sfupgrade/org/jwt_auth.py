"""OAuth 2.0 JWT bearer login: how CI reaches an org without a person or a stored session.

A connected app's consumer key (``--client-id``), the private key whose certificate the app
holds (``--jwt-key-file``) and the user to act as (``--username``) give a fresh access token
from ``login.salesforce.com`` (``test.salesforce.com`` with ``--sandbox``). The assertion lives
three minutes and is never logged; a new one is signed when the session expires.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from sfupgrade.jsonio import JsonInputError, loads_strict
from sfupgrade.org.redact import redact_text

if TYPE_CHECKING:  # pragma: no cover
    from sfupgrade.org.connect import Credentials

PRODUCTION = "https://login.salesforce.com"
SANDBOX = "https://test.salesforce.com"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def jwt_credentials(
    client_id: str, key_file: Path, username: str, sandbox: bool = False
) -> Credentials:
    """Log in with a signed JWT; the credentials refresh themselves the same way."""
    import jwt
    import requests

    from sfupgrade.org.connect import Credentials, OrgConfigError, _check_url

    login = SANDBOX if sandbox else PRODUCTION
    try:
        key = key_file.read_bytes()
    except OSError as exc:
        raise OrgConfigError(f"{key_file}: cannot read the JWT key file: {exc.strerror}") from None
    claims = {"iss": client_id, "sub": username, "aud": login, "exp": int(time.time()) + 180}
    try:
        assertion = jwt.encode(claims, key, algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError):
        raise OrgConfigError(
            f"{key_file}: not an RSA private key in PEM form; pass the key whose certificate "
            "the connected app holds"
        ) from None
    try:
        response = requests.post(
            f"{login}/services/oauth2/token",
            data={"grant_type": GRANT, "assertion": assertion},
            timeout=(10, 60),
        )
    except requests.RequestException as exc:
        raise OrgConfigError(f"JWT login at {login} failed: {type(exc).__name__}") from None
    try:
        body = loads_strict(response.text or "{}", "JWT login answer")
    except JsonInputError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        error = body.get("error", response.status_code) if isinstance(body, dict) else ""
        detail = body.get("error_description", "") if isinstance(body, dict) else ""
        raise OrgConfigError(
            redact_text(
                f"JWT login for {username} at {login} failed: {error}: {detail}; check "
                "--client-id, --username, that the connected app holds the key's certificate "
                "and that the user is pre-authorised"
                + ("" if sandbox else " (a sandbox needs --sandbox)")
            )
        )
    return Credentials(
        _check_url(str(body.get("instance_url", ""))),
        str(body["access_token"]),
        lambda: jwt_credentials(client_id, key_file, username, sandbox),
    )
