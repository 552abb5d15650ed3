"""`tenantree sso …` and `tenantree smtp-relay …`: an org's single sign-on
(OpenID Connect) and its own outgoing-mail relay."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend
from tenantree.cli.output import OutputOpt, emit
from tenantree.cli.resolve import OrgArg
from tenantree.identity.roles import Role

sso_app = typer.Typer(help="Single sign-on: show, set, remove.", no_args_is_help=True)
smtp_relay_app = typer.Typer(
    help="The org's own SMTP relay: show, set, remove.", no_args_is_help=True
)

SSO_COLUMNS = ["issuer", "client_id", "allowed_domains", "sso_required", "jit_role", "sign_in_url"]
RELAY_COLUMNS = ["delivery_via", "relay"]


@sso_app.command("show")
def show_sso(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The org's SSO settings (never the client secret)."""
    with backend(api_url) as b:
        emit(b.get_sso(resolve.org_id(b, org)), SSO_COLUMNS, output)


@sso_app.command("set")
def set_sso(
    org: OrgArg,
    issuer: Annotated[str, typer.Option(help="The OpenID Connect issuer (discovery)")],
    client_id: Annotated[str, typer.Option()],
    domain: Annotated[
        list[str], typer.Option("--domain", help="A verified email domain SSO signs in (repeat)")
    ],
    required: Annotated[bool, typer.Option(help="Only SSO may sign in")] = False,
    jit_role: Annotated[
        Role | None, typer.Option(help="Create unknown people with this role")
    ] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Configure SSO. The client secret comes from TENANTREE_SSO_CLIENT_SECRET
    (never argv); without it the stored one is kept."""
    import os

    body: dict[str, Any] = {
        "issuer": issuer,
        "client_id": client_id,
        "client_secret": os.environ.get("TENANTREE_SSO_CLIENT_SECRET") or None,
        "allowed_domains": domain,
        "sso_required": required,
        "jit_role": jit_role.value if jit_role else None,
    }
    with backend(api_url) as b:
        emit(b.set_sso(resolve.org_id(b, org), body), SSO_COLUMNS, output)


@sso_app.command("remove")
def remove_sso(org: OrgArg, api_url: ApiUrlOpt = None) -> None:
    """Remove the org's SSO: its people sign in with passwords again."""
    with backend(api_url) as b:
        b.remove_sso(resolve.org_id(b, org))
    typer.echo("single sign-on removed")


@smtp_relay_app.command("show")
def show_relay(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The org's own relay, if any, and whose relay its mail goes through."""
    with backend(api_url) as b:
        emit(b.get_smtp_relay(resolve.org_id(b, org)), RELAY_COLUMNS, output)


@smtp_relay_app.command("set")
def set_relay(
    org: OrgArg,
    host: Annotated[str, typer.Option(help="A public host name or address")],
    port: Annotated[int, typer.Option(min=1, max=65535)] = 587,
    starttls: Annotated[bool, typer.Option(help="Required with credentials")] = True,
    username: Annotated[str | None, typer.Option()] = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Send the org's mail through its own relay. The password comes from
    TENANTREE_SMTP_PASSWORD (never argv); without it the stored one is kept."""
    import os

    body: dict[str, Any] = {"host": host, "port": port, "starttls": starttls, "username": username}
    if os.environ.get("TENANTREE_SMTP_PASSWORD"):
        body["password"] = os.environ["TENANTREE_SMTP_PASSWORD"]
    with backend(api_url) as b:
        emit(b.set_smtp_relay(resolve.org_id(b, org), body), RELAY_COLUMNS, output)


@smtp_relay_app.command("remove")
def remove_relay(org: OrgArg, api_url: ApiUrlOpt = None) -> None:
    """Stop using the org's own relay (its mail goes through its partner's or the platform's)."""
    with backend(api_url) as b:
        b.remove_smtp_relay(resolve.org_id(b, org))
    typer.echo("SMTP relay removed")
