"""`tenantree explain` (also `access-check`): what one person may do in one org,
and why — the API's GET /orgs/{org_id}/access-check, in both modes.

Remotely the caller must read the org's users, and the person is a user of the
org or partner staff reaching it (by id or email). Locally, on the server, any
account may be named by email, even one with no way in.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from tenantree.access.permissions import Permission
from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend


def explain(
    user: Annotated[str, typer.Option(help="The person: email address (or user id)")],
    org: Annotated[str, typer.Option(help="The org's id, Salesforce account ID or exact name")],
    permission: Annotated[
        list[Permission] | None,
        typer.Option(help="A permission to check (repeatable); default: every permission"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the structured decision")] = False,
    api_url: ApiUrlOpt = None,
) -> None:
    """Print whether USER may do PERMISSION in ORG, the rule that decided it and the path."""
    wanted = [p.value for p in permission or Permission]
    with backend(api_url) as b:
        checks = b.check_access(resolve.org_id(b, org), user, wanted)
    for check in checks:
        if as_json:
            typer.echo(json.dumps(check))
            continue
        verdict = "allowed" if check["allowed"] else f"refused ({check['code'] or 'not visible'})"
        typer.echo(f"{check['permission']}: {verdict} [{check['rule']}]")
        typer.echo(f"  {check['explanation']}")
