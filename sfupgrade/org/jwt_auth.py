"""OAuth 2.0 JWT bearer login: how CI reaches an org without a person or a stored secret.

A connected app's consumer key (``--client-id``), the private key whose certificate the app
holds (``--jwt-key-file``) and the user to act as (``--username``) give an access token. The
token endpoint is ``--login-url``: the org's My Domain (needed where an org blocks the generic
login hosts, and a way round test.salesforce.com's intermittent failures) or login/test. The
assertion's audience is not the endpoint: by Salesforce's rule it stays
``https://login.salesforce.com``, or ``https://test.salesforce.com`` for a sandbox, which is
recognised from its login URL or ``--sandbox`` (:func:`audience`).

simple-salesforce signs and sends the assertion (``consumer_key`` + ``privatekey`` +
``domain`` for the audience + ``instance_url`` for a My Domain endpoint) through our session;
the key is read here, bounded, so a wrong file is one clear line, not a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # pragma: no cover
    from simple_salesforce import Salesforce

    from sfupgrade.org.transport import PolicySession

PRODUCTION = "https://login.salesforce.com"
SANDBOX = "https://test.salesforce.com"
KEY_LIMIT = 64 * 1024  # an RSA key in PEM is a few kB; anything bigger is not one


def is_sandbox_host(host: str) -> bool:
    """Whether a login host is a sandbox's: test.salesforce.com or a sandbox My Domain.

    Enhanced domains put sandboxes under ``*.sandbox.my.salesforce.com``; before them a
    sandbox's My Domain was ``mydomain--name.my.salesforce.com``.
    """
    host = host.lower()
    if host == "test.salesforce.com" or host.endswith(".sandbox.my.salesforce.com"):
        return True
    return host.endswith(".my.salesforce.com") and "--" in host.split(".", 1)[0]


def audience(login_url: str, sandbox: bool) -> str:
    """The ``aud`` claim: login.salesforce.com, or test.salesforce.com for a sandbox."""
    from sfupgrade.org.connect import OrgConfigError

    host = urlsplit(login_url).hostname or ""
    if sandbox and host == "login.salesforce.com":
        raise OrgConfigError(
            "--sandbox with --login-url https://login.salesforce.com: a sandbox logs in at "
            "https://test.salesforce.com or its own My Domain; drop one of the two"
        )
    return SANDBOX if sandbox or is_sandbox_host(host) else PRODUCTION


def read_key(key_file: Path) -> bytes:
    """The private key's bytes: a regular file of at most :data:`KEY_LIMIT` holding an RSA key."""
    import jwt

    from sfupgrade.files.jsonio import read_bytes_bounded
    from sfupgrade.org.connect import OrgConfigError

    # Bounded and regular files only (a FIFO named as the key would block a plain open()); a
    # file above KEY_LIMIT is read as any input file, then told it is no key.
    key = read_bytes_bounded(key_file, error=OrgConfigError)
    try:
        if len(key) > KEY_LIMIT:
            raise ValueError("too big")
        jwt.encode({"probe": 1}, key, algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError):
        raise OrgConfigError(
            f"{key_file}: not an RSA private key in PEM form; pass the key whose certificate "
            "the connected app holds"
        ) from None
    return key


def jwt_salesforce(
    session: PolicySession,
    version: str,
    client_id: str,
    key: bytes,
    username: str,
    login_url: str,
    aud: str,
) -> Salesforce:
    """Log in through simple-salesforce; the token endpoint is ``login_url``'s host."""
    from simple_salesforce import Salesforce

    from sfupgrade.org.login import salesforce_domain

    endpoint = salesforce_domain(login_url)
    aud_domain = salesforce_domain(aud)
    return Salesforce(
        username=username,
        consumer_key=client_id,
        # simple-salesforce types it str; PyJWT takes the PEM bytes as they are.
        privatekey=key,  # type: ignore[arg-type]
        domain=aud_domain,
        # The token endpoint when it is not the audience's host (a My Domain).
        instance_url=None if endpoint == aud_domain else endpoint,
        session=session,
        version=version,
    )
