"""The options that point a command at an org, defined once for every command that takes them.

A command decorated with ``@org_options`` receives ``org: OrgTargetArgs``; calling
:meth:`OrgTargetArgs.resolve` tells whether the user asked for an org (and how to reach it).
Nothing here imports the org stack: connecting happens only once a command knows it needs to.

The sf CLI's variables (``SF_TARGET_ORG``, ``SF_ORG_INSTANCE_URL``, ``SF_ORG_API_VERSION``) count
only when no PATH is given, so a shell that has them set does not turn a local run into an org run.
A ``--client-id`` login without ``--login-url`` takes ``SF_ORG_INSTANCE_URL`` as its login URL, as
``sf org login jwt`` does; the sf CLI has no variable of its own for a login URL, so none is
invented here. Secrets come only from the environment: ``SF_ACCESS_TOKEN``, ``SF_CLIENT_SECRET``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from sfupgrade.model.value import Value, replace
from sfupgrade.org.options import OrgOptions


class OrgTargetArgs(Value):
    """The org options as given on the command line, before environment defaults apply."""

    given: OrgOptions

    def required(self, command: str) -> OrgOptions:
        """The org of a command that only works on one (deploy, pull, mapping discover)."""
        target = self.resolve(None)
        if target is None:
            raise click.UsageError(
                f"{command} needs an org: pass --target-org ALIAS or --instance-url URL "
                "(with SF_ACCESS_TOKEN set), or --client-id for an OAuth login"
            )
        return target

    def resolve(
        self,
        path: Path | None,
        namespace: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> OrgOptions | None:
        """The org to work on, or None for a local run; PATH and an org together are refused."""
        environ = os.environ if environ is None else environ
        given = self.given
        oauth = bool(given.client_id or given.jwt_key_file or given.username or given.login_url)
        explicit = bool(given.target_org or given.instance_url or oauth)
        if explicit and path is not None:
            raise click.UsageError(
                "give either PATH (a local project) or --target-org/--instance-url (an org), "
                "not both"
            )
        target_org, instance_url = given.target_org, given.instance_url
        if not explicit and path is None:
            target_org = environ.get("SF_TARGET_ORG") or None
            instance_url = None if target_org else environ.get("SF_ORG_INSTANCE_URL") or None
        if not (target_org or instance_url or oauth):
            return None
        login_url = given.login_url
        if given.client_id and not login_url:
            login_url = environ.get("SF_ORG_INSTANCE_URL") or None
        return replace(
            given,
            target_org=target_org,
            instance_url=instance_url,
            login_url=login_url,
            api_version=given.api_version or environ.get("SF_ORG_API_VERSION") or None,
            namespace=namespace,
            project=Path.cwd(),
        )


CHECK_ONLY_NEEDS_ORG = "--check-only validates in an org: add --target-org or --instance-url"


def org_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --target-org, --instance-url, --api-version and the OAuth options; pass ``org``."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        target_org: str | None,
        instance_url: str | None,
        api_version: str | None,
        client_id: str | None,
        jwt_key_file: Path | None,
        username: str | None,
        sandbox: bool,
        login_url: str | None,
        **kwargs: Any,
    ) -> Any:
        org = OrgTargetArgs(
            OrgOptions(
                target_org=target_org,
                instance_url=instance_url,
                api_version=api_version,
                client_id=client_id,
                jwt_key_file=jwt_key_file,
                username=username,
                sandbox=sandbox,
                login_url=login_url,
            )
        )
        return command(*args, org=org, **kwargs)

    decorators = [
        click.option(
            "--target-org",
            "-o",
            "target_org",
            metavar="ALIAS",
            help="Work on this org through the sf CLI's login (alias or username); "
            "default SF_TARGET_ORG when no PATH is given.",
        ),
        click.option(
            "--instance-url",
            metavar="URL",
            help="Work on the org at URL with the access token in SF_ACCESS_TOKEN; "
            "default SF_ORG_INSTANCE_URL when no PATH is given.",
        ),
        click.option(
            "--api-version",
            metavar="VERSION",
            help="Salesforce API version, e.g. 62.0 (default: sfdx-project.json's "
            "sourceApiVersion in the current directory, else 62.0).",
        ),
        click.option(
            "--client-id",
            metavar="KEY",
            help="OAuth login with the connected app's consumer key: client credentials "
            "(secret in SF_CLIENT_SECRET, --login-url the org's My Domain), or JWT with "
            "--jwt-key-file and --username.",
        ),
        click.option(
            "--login-url",
            metavar="URL",
            help="Where --client-id logs in: the org's My Domain "
            "(https://mydomain.my.salesforce.com), or for JWT also login/test.salesforce.com "
            "(default: SF_ORG_INSTANCE_URL, else login, or test with --sandbox).",
        ),
        click.option(
            "--jwt-key-file",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help="JWT login: the private key whose certificate the connected app holds.",
        ),
        click.option("--username", metavar="USER", help="JWT login: the user to act as."),
        click.option(
            "--sandbox",
            is_flag=True,
            help="JWT login to a sandbox: audience test.salesforce.com (implied by a sandbox "
            "--login-url).",
        ),
    ]
    for decorator in reversed(decorators):
        wrapper = decorator(wrapper)
    return wrapper


def mapping_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--mapping FILE: where CTI flows and actions go in the org (see sfupgrade.org.mapping)."""
    return click.option(
        "--mapping",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help="JSON file mapping CTI flows/actions to sObjects and fields (default: the "
        "bundled, unverified guesses such as amazonconnect__AC_CtiScript__c).",
    )(command)
