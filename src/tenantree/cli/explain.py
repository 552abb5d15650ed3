"""`tenantree explain`: what one person may do in one org, and why."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from tenantree.access.checks import check_account
from tenantree.access.facts import load_org
from tenantree.access.permissions import Permission
from tenantree.cli.context import fail, unit_of_work
from tenantree.identity.accounts import find_account, normalize_email
from tenantree.orgs.service import find_org


def explain(
    user: Annotated[str, typer.Option(help="The person's email address")],
    org: Annotated[str, typer.Option(help="The org's id or Salesforce account ID")],
    permission: Annotated[
        list[Permission] | None,
        typer.Option(help="A permission to check (repeatable); default: every permission"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the structured decision")] = False,
) -> None:
    """Print whether USER may do PERMISSION in ORG, the rule that decided it and the path."""
    with unit_of_work() as work:
        target = find_org(work.session, org)
        loaded = load_org(work.session, target.id)
        assert loaded is not None
        account = find_account(work.session, user)
        if account is None:
            fail(f"no account has the email {normalize_email(user)!r}")
        checks = check_account(work.session, loaded, account, list(permission or Permission))
        for check in checks:
            e = check.explanation
            if as_json:
                path = e.path
                typer.echo(
                    json.dumps(
                        {
                            "permission": e.permission.value,
                            "allowed": e.allowed,
                            "visible": e.visible,
                            "rule": e.rule.value,
                            "code": e.denial_code,
                            "path": None
                            if path is None
                            else {
                                "kind": path.kind.value,
                                "via_org_id": str(path.via_org_id) if path.via_org_id else None,
                                "role": path.role.value if path.role else None,
                                "primary_admin": path.is_primary_admin,
                                "block": path.block.value if path.block else None,
                            },
                            "explanation": check.sentence,
                        }
                    )
                )
            else:
                verdict = "allowed" if e.allowed else f"refused ({e.denial_code or 'not visible'})"
                typer.echo(f"{e.permission.value}: {verdict} [{e.rule.value}]")
                typer.echo(f"  {check.sentence}")
