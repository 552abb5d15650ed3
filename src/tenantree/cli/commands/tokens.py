"""`tenantree api-tokens …`: an org's API tokens (the secret is shown once, at creation)."""

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
    expires: Annotated[
        datetime | None,
        typer.Option(
            parser=resolve.zoned_time, help="When it stops working (RFC 3339 with a zone)"
        ),
    ] = None,
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
