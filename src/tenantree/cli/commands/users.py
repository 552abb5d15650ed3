"""`tenantree users …` and `tenantree invitations …`: an org's members, their
role and status, the primary admin, and invitations.

A user is named by its id or email."""

from __future__ import annotations

from typing import Annotated

import typer

from tenantree.cli import resolve
from tenantree.cli.connection import ApiUrlOpt, backend
from tenantree.cli.output import OutputOpt, collect, emit
from tenantree.cli.resolve import OrgArg
from tenantree.identity.roles import MemberStatus, Role

users_app = typer.Typer(help="An org's users: list, role, suspend, remove.", no_args_is_help=True)
invitations_app = typer.Typer(help="Invitations: list, invite, revoke.", no_args_is_help=True)

USER_COLUMNS = ["id", "email", "display_name", "role", "is_primary_admin", "status"]
INVITATION_COLUMNS = ["id", "email", "role", "status", "expires_at"]

UserArg = Annotated[str, typer.Argument(metavar="USER", help="The user: its id or email")]


@users_app.command("list")
def list_users(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The org's users."""
    with backend(api_url) as b:
        emit(collect(b.list_users(resolve.org_id(b, org)), "users"), USER_COLUMNS, output)


def _change(org: str, user: str, changes: dict[str, str], output, api_url) -> None:  # type: ignore[no-untyped-def]
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        changed = b.update_user(target, resolve.user_id(b, target, user), changes)
        emit(changed, USER_COLUMNS, output)


@users_app.command("role")
def set_role(
    org: OrgArg,
    user: UserArg,
    role: Annotated[Role, typer.Argument(help="admin, user or read_only")],
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Change a user's role in the org."""
    _change(org, user, {"role": role.value}, output, api_url)


@users_app.command("suspend")
def suspend(
    org: OrgArg, user: UserArg, output: OutputOpt = None, api_url: ApiUrlOpt = None
) -> None:
    """Suspend a user: it can no longer sign in to the org."""
    _change(org, user, {"status": MemberStatus.SUSPENDED.value}, output, api_url)


@users_app.command("reactivate")
def reactivate(
    org: OrgArg, user: UserArg, output: OutputOpt = None, api_url: ApiUrlOpt = None
) -> None:
    """Reactivate a suspended user."""
    _change(org, user, {"status": MemberStatus.ACTIVE.value}, output, api_url)


@users_app.command("remove")
def remove(org: OrgArg, user: UserArg, api_url: ApiUrlOpt = None) -> None:
    """Remove a user from the org."""
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        b.remove_user(target, resolve.user_id(b, target, user))
    typer.echo(f"{user} removed")


@users_app.command("transfer-primary-admin")
def transfer_primary_admin(
    org: OrgArg, user: UserArg, output: OutputOpt = None, api_url: ApiUrlOpt = None
) -> None:
    """Make USER the org's primary admin (an admin of it already)."""
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        changed = b.transfer_primary_admin(target, resolve.user_id(b, target, user))
        emit(changed, USER_COLUMNS, output)


@invitations_app.command("list")
def list_invitations(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The org's invitations, with how their email fared."""
    with backend(api_url) as b:
        rows = collect(b.list_invitations(resolve.org_id(b, org)), "invitations")
        emit(rows, INVITATION_COLUMNS, output)


@invitations_app.command("invite")
def invite(
    org: OrgArg,
    email: Annotated[str, typer.Argument(help="Who to invite")],
    role: Annotated[Role, typer.Option(help="admin, user or read_only")] = Role.USER,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Invite EMAIL to the org with a role."""
    with backend(api_url) as b:
        emit(
            b.invite(resolve.org_id(b, org), email=email, role=role.value),
            INVITATION_COLUMNS,
            output,
        )


@invitations_app.command("revoke")
def revoke(
    org: OrgArg,
    invitation: Annotated[str, typer.Argument(metavar="INVITATION", help="The invitation's id")],
    api_url: ApiUrlOpt = None,
) -> None:
    """Revoke a pending invitation."""
    with backend(api_url) as b:
        b.revoke_invitation(resolve.org_id(b, org), resolve.uuid_arg(invitation, "invitation"))
    typer.echo(f"invitation {invitation} revoked")
