"""Salesforce's OAuth token endpoint for the fake org: client credentials and JWT bearer.

They answer at the org's My Domain (``tests.fakeorg.URL``) or the generic login hosts as
Salesforce does: the client credentials flow only at a My Domain, a JWT's audience by
Salesforce's rule (login.salesforce.com, test.salesforce.com for a sandbox) whatever the
endpoint, errors as ``{"error", "error_description"}`` with HTTP 400.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakeorg import URL, FakeOrg
from tests.fakeorg.core import LOGIN_HOSTS

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
Reply = tuple[int, dict[str, str], str]
Handler = Callable[[str, dict[str, list[str]]], Reply]


def key_pair() -> tuple[bytes, bytes]:
    """A fresh RSA key: (private PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def _error(code: str, description: str) -> Reply:
    body = {"error": code, "error_description": description}
    return 400, {"Content-Type": "application/json;charset=UTF-8"}, json.dumps(body)


def _token(org: FakeOrg, host: str) -> Reply:
    body = {
        "access_token": org.token,
        "signature": "c2lnbmF0dXJl",
        "scope": "api",
        "instance_url": URL,
        "id": f"{host}/id/00D5g000004ABCD/0055g000001XYZA",
        "token_type": "Bearer",
        "issued_at": "1764633600000",
    }
    return 200, {"Content-Type": "application/json;charset=UTF-8"}, json.dumps(body)


def allow_client_credentials(org: FakeOrg, client_id: str, secret: str) -> list[str]:
    """Answer client credentials logins for this app; the hosts asked are returned, in order."""
    hosts: list[str] = []
    expected = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()

    def handle(host: str, form: dict[str, list[str]]) -> Reply:
        hosts.append(host)
        if form.get("grant_type") != ["client_credentials"]:
            return _error("unsupported_grant_type", "grant type not supported")
        if host in LOGIN_HOSTS:  # Salesforce serves this flow only at a My Domain
            return _error("invalid_grant", "request not supported on this domain")
        request = org.http.login_request
        sent = request.headers.get("Authorization", "") if request is not None else ""
        if sent != expected:
            return _error("invalid_client", "invalid client credentials")
        return _token(org, host)

    org.http.login = handle
    return hosts


def allow_jwt(
    org: FakeOrg, client_id: str, username: str, public_key: bytes, sandbox: bool = False
) -> list[dict[str, object]]:
    """Answer JWT bearer logins at any token host; the claims of each accepted one are returned."""
    import jwt

    audience = LOGIN_HOSTS[1] if sandbox else LOGIN_HOSTS[0]
    accepted: list[dict[str, object]] = []

    def handle(host: str, form: dict[str, list[str]]) -> Reply:
        if form.get("grant_type") != [JWT_GRANT]:
            return _error("unsupported_grant_type", "grant type not supported")
        try:
            claims = jwt.decode(
                form["assertion"][0],
                public_key,
                algorithms=["RS256"],
                audience=audience,
                issuer=client_id,
            )
        except jwt.InvalidAudienceError:
            return _error("invalid_grant", "audience is invalid")
        except (KeyError, jwt.PyJWTError):
            return _error("invalid_grant", "invalid assertion")
        if claims.get("sub") != username:
            return _error("invalid_grant", "invalid assertion")
        accepted.append({"host": host, **claims})
        return _token(org, host)

    org.http.login = handle
    return accepted
