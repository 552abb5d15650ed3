"""Which backend a command runs on, and the command's exit codes.

Remote when an API URL is given (`--api-url` or TENANTREE_API_URL), with the
token from TENANTREE_TOKEN or `tenantree login`; local otherwise, on the
database of TENANTREE_DATABASE_URL, in one unit of work.

Exit codes: 0 done; 1 refused by a rule (the API's error code is printed);
2 usage (bad arguments, an ambiguous org, no token).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tenantree.cli.backend import Backend, Refused
from tenantree.cli.credentials import stored_token

if TYPE_CHECKING:
    import httpx

ApiUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        envvar="TENANTREE_API_URL",
        help="Work through this tenantree API (remote mode); without it, on the local database.",
        show_default=False,
    ),
]

EXIT_REFUSED = 1
EXIT_USAGE = 2


def usage_error(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=EXIT_USAGE)


def refused(exc: Refused) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=EXIT_REFUSED)


def token_for(api_url: str) -> str:
    token = os.environ.get("TENANTREE_TOKEN") or stored_token(api_url)
    if not token:
        usage_error(
            f"no token for {api_url}: run `tenantree login --api-url {api_url}` "
            "or set TENANTREE_TOKEN"
        )
    return token


@contextmanager
def remote_client(api_url: str, token: str | None) -> Iterator[httpx.Client]:
    import httpx  # here, not at the top: `tenantree --help` and local commands skip it

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=30.0) as client:
        yield client


@contextmanager
def backend(api_url: str | None, *, as_operator: str | None = None) -> Iterator[Backend]:
    """The backend of this invocation; a refusal ends the command with exit 1
    (locally after the unit of work rolled back)."""
    if api_url and as_operator:
        usage_error("--as-operator is for local mode; remotely the token's account is the actor")
    try:
        if api_url:
            from tenantree.cli.remote_backend import RemoteBackend

            with remote_client(api_url, token_for(api_url)) as client:
                yield RemoteBackend(client)
        else:
            with _local(as_operator) as local:
                yield local
    except Refused as exc:
        refused(exc)


@contextmanager
def _local(as_operator: str | None) -> Iterator[Backend]:
    from tenantree.cli.context import unit_of_work
    from tenantree.cli.local_backend import LocalBackend
    from tenantree.identity.context import IdentityConfig
    from tenantree.server.mail import make_outbox

    with unit_of_work(as_operator=as_operator) as work:
        identity = IdentityConfig.from_settings(work.settings, make_outbox(work.settings))
        yield LocalBackend(work, identity)
