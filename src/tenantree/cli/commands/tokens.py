"""`tenantree api-tokens …` and `tenantree scim-tokens …`: an org's API and SCIM
tokens (the secret is shown once, at creation)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend
from tenantree.cli.output import OutputOpt, collect, emit
from tenantree.cli.resolve import OrgArg
from tenantree.identity.roles import Role

api_tokens_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)

TOKEN_COLUMNS = ["id", "name", "role", "status", "expires_at", "last_used_at"]

Expires = Annotated[
    datetime | None,
    typer.Option(parser=resolve.zoned_time, help="When it stops working (RFC 3339 with a zone)"),
]


@api_tokens_app.command("list")
def list_tokens(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The org's API tokens (never their secrets)."""
    with backend(api_url) as b:
        emit(collect(b.list_api_tokens(resolve.org_id(b, org)), "tokens"), TOKEN_COLUMNS, output)


@api_tokens_app.command("create")
def create(
    org: OrgArg,
    name: Annotated[str, typer.Argument(help="What the token is for")],
    role: Annotated[Role, typer.Option(help="admin, user or read_only")] = Role.READ_ONLY,
    expires: Expires = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Create an API token; its secret (`token`) is printed this once."""
    with backend(api_url) as b:
        issued = b.create_api_token(
            resolve.org_id(b, org), name=name, role=role.value, expires_at=expires
        )
        emit(issued, [*TOKEN_COLUMNS, "token"], output)


@api_tokens_app.command("revoke")
def revoke(
    org: OrgArg,
    token: Annotated[str, typer.Argument(metavar="TOKEN_ID", help="The token's id")],
    api_url: ApiUrlOpt = None,
) -> None:
    """Revoke an API token: it stops working at once."""
    with backend(api_url) as b:
        b.revoke_api_token(resolve.org_id(b, org), resolve.uuid_arg(token, "token"))
    typer.echo(f"token {token} revoked")


scim_tokens_app = typer.Typer(help="SCIM tokens: create, list, revoke.", no_args_is_help=True)

SCIM_COLUMNS = ["id", "name", "status", "expires_at", "last_used_at", "scim_base_url"]


@scim_tokens_app.command("list")
def list_scim_tokens(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The org's SCIM tokens (never their secrets)."""
    with backend(api_url) as b:
        emit(collect(b.list_scim_tokens(resolve.org_id(b, org)), "tokens"), SCIM_COLUMNS, output)


@scim_tokens_app.command("create")
def create_scim_token(
    org: OrgArg,
    name: Annotated[str, typer.Argument(help="Which directory uses it")],
    expires: Expires = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Create a SCIM token for the org's directory; its secret is printed this once."""
    with backend(api_url) as b:
        issued = b.create_scim_token(resolve.org_id(b, org), name=name, expires_at=expires)
        emit(issued, [*SCIM_COLUMNS, "token"], output)


@scim_tokens_app.command("revoke")
def revoke_scim_token(
    org: OrgArg,
    token: Annotated[str, typer.Argument(metavar="TOKEN_ID", help="The token's id")],
    api_url: ApiUrlOpt = None,
) -> None:
    """Revoke a SCIM token: the directory's next request is refused."""
    with backend(api_url) as b:
        b.revoke_scim_token(resolve.org_id(b, org), resolve.uuid_arg(token, "token"))
    typer.echo(f"SCIM token {token} revoked")
