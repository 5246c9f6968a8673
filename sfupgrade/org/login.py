"""The logins, in the order a release engineer expects, each giving a simple-salesforce client.

1. ``--instance-url`` with an access token from ``SF_ACCESS_TOKEN``: no login request at all,
   and nothing to renew the token with when it expires.
2. OAuth 2.0 client credentials: ``--client-id``, the secret from ``SF_CLIENT_SECRET`` (never
   argv), ``--login-url`` the org's My Domain (Salesforce serves this flow only there).
3. JWT bearer: ``--client-id``, ``--jwt-key-file``, ``--username``, ``--login-url`` a My Domain
   or login/test (see :mod:`sfupgrade.org.jwt_auth`).
4. ``--target-org``: the sf CLI's login (:func:`sfupgrade.org.connect.sf_cli_credentials`).

Logins 2 and 3 (and 4, by asking sf again) can be repeated when a session expires: a
:class:`Login` carries how. Every request goes through the :class:`PolicySession` given, and a
refused login becomes one line that says how to fix it, with no secret in it. simple-salesforce
(with zeep, which it always loads) is imported only once the options are known to add up, so a
mistake is reported without that cost.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sfupgrade.core.logs import register_secret
from sfupgrade.core.redact import redact_text
from sfupgrade.model.value import Value
from sfupgrade.org.connect import (
    OrgConfigError,
    RetryPolicy,
    Runner,
    check_url,
    sf_cli_credentials,
)
from sfupgrade.org.options import OrgOptions

if TYPE_CHECKING:  # pragma: no cover
    from simple_salesforce import Salesforce, SalesforceAuthenticationFailed

    from sfupgrade.org.transport import PolicySession

SECRET_VARIABLE = "SF_CLIENT_SECRET"
_GENERIC_HOSTS = ("login.salesforce.com", "test.salesforce.com")


class Login(Value):
    """A logged-in client, and how to log in again when its session expires (None: cannot)."""

    sf: Salesforce
    again: Callable[[], Salesforce] | None = None


def salesforce_domain(url: str) -> str:
    """simple-salesforce's ``domain``: the part of the host before ``.salesforce.com``.

    simple-salesforce builds every login URL as ``https://<domain>.salesforce.com``.
    """
    host = urlsplit(url).hostname or ""
    if not host.endswith(".salesforce.com"):
        raise OrgConfigError(
            f"--login-url {url}: not a Salesforce login host; pass the org's My Domain "
            "(https://mydomain.my.salesforce.com) or https://login.salesforce.com"
        )
    return host.removesuffix(".salesforce.com")


def check_login_url(url: str) -> str:
    """``https://host`` of a login URL: https, no port, no path; a host under salesforce.com."""
    parts = urlsplit(url.strip())
    if (
        parts.scheme != "https"
        or not parts.hostname
        or parts.port is not None
        or parts.path.strip("/")
        or parts.query
    ):
        raise OrgConfigError(
            f"--login-url {url!r} is not an https host URL; pass e.g. "
            "--login-url https://mydomain.my.salesforce.com"
        )
    salesforce_domain(url)
    return f"https://{parts.hostname}"


def choose(
    options: OrgOptions,
    environ: Mapping[str, str],
    retry: RetryPolicy,
    version: str,
    runner: Runner | None = None,
) -> Login:
    """The login the options ask for, done; one clear line when they do not add up.

    Every request of the login, and of the connection after it, goes through one
    :class:`~sfupgrade.org.transport.PolicySession` on ``retry``.
    """
    if options.jwt_key_file or options.username:
        return _jwt(options, retry, version)
    if options.client_id:
        return _client_credentials(options, environ, retry, version)
    if options.login_url:
        raise OrgConfigError(
            "--login-url is where --client-id logins go: add --client-id (client credentials, "
            "with SF_CLIENT_SECRET) or --client-id, --jwt-key-file and --username (JWT)"
        )
    if options.target_org:
        url, token = sf_cli_credentials(options.target_org, runner)
        session = _session(retry)

        def again() -> Salesforce:
            return _direct(*sf_cli_credentials(str(options.target_org), runner), session, version)

        return Login(_direct(url, token, session, version), again)
    if options.instance_url:
        token = environ.get("SF_ACCESS_TOKEN", "").strip()
        if not token:
            raise OrgConfigError(
                "--instance-url needs an access token in SF_ACCESS_TOKEN (e.g. from "
                "sf org display --json); it is read from the environment, never from argv"
            )
        url = check_url(options.instance_url)
        return Login(_direct(url, token, _session(retry), version))
    raise OrgConfigError(
        "no org given: pass --target-org ALIAS (sf CLI), --instance-url URL with "
        "SF_ACCESS_TOKEN set, --client-id with SF_CLIENT_SECRET and --login-url (client "
        "credentials), or --client-id/--jwt-key-file/--username (JWT)"
    )


def _session(retry: RetryPolicy) -> PolicySession:
    from sfupgrade.org.transport import PolicySession

    return PolicySession(retry)


def _direct(url: str, token: str, session: PolicySession, version: str) -> Salesforce:
    from simple_salesforce import Salesforce

    register_secret(token)
    return Salesforce(instance_url=url, session_id=token, session=session, version=version)


def _client_credentials(
    options: OrgOptions, environ: Mapping[str, str], retry: RetryPolicy, version: str
) -> Login:
    client_id = str(options.client_id)
    secret = environ.get(SECRET_VARIABLE, "").strip()
    if not secret:
        raise OrgConfigError(
            f"--client-id without --jwt-key-file logs in with client credentials: set the "
            f"connected app's consumer secret in {SECRET_VARIABLE} (it is read from the "
            "environment, never from argv), or add --jwt-key-file and --username for JWT"
        )
    register_secret(secret)
    if not options.login_url:
        raise OrgConfigError(
            "client credentials log in at the org's My Domain: pass "
            "--login-url https://mydomain.my.salesforce.com (Setup > My Domain)"
        )
    login_url = check_login_url(options.login_url)
    if urlsplit(login_url).hostname in _GENERIC_HOSTS:
        raise OrgConfigError(
            f"--login-url {login_url}: Salesforce serves client credentials only at the org's "
            "My Domain; pass --login-url https://mydomain.my.salesforce.com"
        )
    domain = salesforce_domain(login_url)
    session = _session(retry)

    def login() -> Salesforce:
        from simple_salesforce import Salesforce

        return _logged_in(
            "client credentials",
            login_url,
            "check --client-id and SF_CLIENT_SECRET (the connected app's consumer key and "
            "secret), that the app enables the client credentials flow with a run-as user, "
            "and that --login-url is this org's My Domain",
            [secret],
            lambda: Salesforce(
                consumer_key=client_id,
                consumer_secret=secret,
                domain=domain,
                session=session,
                version=version,
            ),
        )

    return Login(login(), login)


def _jwt(options: OrgOptions, retry: RetryPolicy, version: str) -> Login:
    from sfupgrade.org.jwt_auth import PRODUCTION, SANDBOX, audience, jwt_salesforce, read_key

    if not (options.client_id and options.jwt_key_file and options.username):
        raise OrgConfigError("JWT login needs --client-id, --jwt-key-file and --username together")
    client_id, username, key_file = options.client_id, options.username, options.jwt_key_file
    if options.login_url:
        login_url = check_login_url(options.login_url)
    else:
        login_url = SANDBOX if options.sandbox else PRODUCTION
    aud = audience(login_url, options.sandbox)
    key = read_key(key_file)
    hint = (
        "check --client-id and --username, that the connected app holds the key's certificate "
        "and that the user is pre-authorised"
    )
    if aud == PRODUCTION and not options.sandbox:
        hint += " (a sandbox needs --sandbox)"
    session = _session(retry)

    def login() -> Salesforce:
        return _logged_in(
            f"JWT login for {username}",
            login_url,
            hint,
            [],
            lambda: jwt_salesforce(session, version, client_id, key, username, login_url, aud),
        )

    return Login(login(), login)


def _logged_in(
    what: str, login_url: str, hint: str, secrets: list[str], make: Callable[[], Salesforce]
) -> Salesforce:
    """``make()``, with a refusal turned into one line; the new token registered as a secret."""
    from simple_salesforce import SalesforceAuthenticationFailed

    try:
        with warnings.catch_warnings():
            # simple-salesforce warns (to stderr) how to approve an app; the hint says it.
            warnings.simplefilter("ignore")
            sf = make()
    except SalesforceAuthenticationFailed as exc:
        code, detail = _refusal(exc)
        raise OrgConfigError(
            redact_text(f"{what} at {login_url} failed: {code}: {detail}; {hint}", secrets)
        ) from None
    register_secret(sf.session_id)
    return sf


def _refusal(exc: SalesforceAuthenticationFailed) -> tuple[str, str]:
    """The OAuth ``error`` and ``error_description``; for an answer that is not OAuth's (a page
    from a wrong host), its HTTP status."""
    code = exc.code if exc.code is not None else "refused"
    detail = getattr(exc, "auth_message", None)
    detail = " ".join(str(detail if detail is not None else exc).split())
    if isinstance(code, int):
        return f"HTTP {code}", "not an answer from Salesforce's login service"
    return str(code), detail[:200]
