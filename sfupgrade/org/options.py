"""How the user asked to reach an org, as a plain value.

Kept apart from :mod:`sfupgrade.org.connect` so that declaring the org options of a command
costs nothing: local commands load this, never the connection code.
"""

from __future__ import annotations

from pathlib import Path

from sfupgrade.model.value import Value


class OrgOptions(Value):
    """How the user asked to reach an org (the CLI's org options; see sfupgrade.org.login)."""

    target_org: str | None = None
    instance_url: str | None = None
    api_version: str | None = None
    namespace: str | None = None
    project: Path | None = None
    client_id: str | None = None
    jwt_key_file: Path | None = None
    username: str | None = None
    sandbox: bool = False
    login_url: str | None = None  # token endpoint of --client-id logins (My Domain)
