"""`tenantree access …`: a sub-org's access settings — whether its customer may
enter, which partner users may, for how long — and partner users' grants.

The settings are replaced as a whole (PUT /access): each command reads them,
changes one thing and writes them back. Partner users are named by id or
email among the partner's users."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import typer

from tenantree.cli import resolve
from tenantree.cli.backend import Backend
from tenantree.cli.connection import ApiUrlOpt, backend, usage_error
from tenantree.cli.output import OutputOpt, collect, emit
from tenantree.cli.resolve import OrgArg

access_app = typer.Typer(
    help="A sub-org's access settings and partner grants.", no_args_is_help=True
)

ACCESS_COLUMNS = [
    "customer_access",
    "partner_users",
    "customer_may_brand",
    "partner_access_expires_at",
]
GRANT_COLUMNS = ["user_id", "expires_at"]

PartnerUserArg = Annotated[str, typer.Argument(metavar="USER", help="A partner user: id or email")]
Until = Annotated[
    datetime | None,
    typer.Option("--until", parser=resolve.zoned_time, help="When it ends (RFC 3339 with a zone)"),
]


def _put_changed(b: Backend, org: uuid.UUID, **changes: Any) -> dict[str, Any]:
    current = b.get_access(org)
    body = {
        "customer_access": current["customer_access"],
        "partner_users": current["partner_users"],
        "customer_may_brand": current["customer_may_brand"],
        "partner_access_expires_at": current["partner_access_expires_at"],
    } | changes
    if body["partner_users"] != "all":
        body["partner_access_expires_at"] = None  # a window only for "all"
    return b.set_access(org, body)


def _partner_user(b: Backend, sub_org: uuid.UUID, ref: str) -> uuid.UUID:
    parent = b.get_org(sub_org)["parent_id"]
    if parent is None:
        usage_error("access settings exist only for sub-orgs")
    return resolve.user_id(b, uuid.UUID(parent), ref)


@access_app.command("show")
def show(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The sub-org's access settings and grants."""
    with backend(api_url) as b:
        emit(b.get_access(resolve.org_id(b, org)), [*ACCESS_COLUMNS, "partner_user_grants"], output)


def _set(org: str, output: Any, api_url: str | None, **changes: Any) -> None:
    with backend(api_url) as b:
        emit(_put_changed(b, resolve.org_id(b, org), **changes), ACCESS_COLUMNS, output)


@access_app.command("refuse-customer")
def refuse_customer(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """Refuse the customer's own users entry to the sub-org (the partner runs it)."""
    _set(org, output, api_url, customer_access="refused")


@access_app.command("restore-customer")
def restore_customer(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """Let the customer's own users into the sub-org again."""
    _set(org, output, api_url, customer_access="permitted")


@access_app.command("customer-branding")
def customer_branding(
    org: OrgArg,
    allowed: Annotated[bool, typer.Option("--allow/--deny", help="May the customer brand it")],
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Whether the customer may change the sub-org's brand."""
    _set(org, output, api_url, customer_may_brand=allowed)


@access_app.command("partner-users")
def partner_users(
    org: OrgArg,
    users: Annotated[
        list[str] | None, typer.Argument(metavar="[USER]...", help="Only these partner users")
    ] = None,
    all_users: Annotated[bool, typer.Option("--all", help="Every partner user")] = False,
    until: Until = None,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Restrict the partner users who reach the sub-org to USERs, or open it to
    --all of them (optionally --until a time)."""
    if all_users == bool(users):
        usage_error("give either partner users or --all")
    if until is not None and not all_users:
        usage_error("--until goes with --all; a listed user's window is `access grant --until`")
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        chosen: Any = (
            "all" if all_users else [str(_partner_user(b, target, u)) for u in users or []]
        )
        expiry = until.isoformat() if until else None
        changed = _put_changed(b, target, partner_users=chosen, partner_access_expires_at=expiry)
        emit(changed, ACCESS_COLUMNS, output)


@access_app.command("grant")
def grant(
    org: OrgArg, user: PartnerUserArg, until: Until = None, output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:  # fmt: skip
    """Grant a partner user access to the sub-org (until a time, or standing), or renew it."""
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        emit(
            b.grant_partner_user(target, _partner_user(b, target, user), until),
            GRANT_COLUMNS,
            output,
        )


@access_app.command("staff")
def staff(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The partner staff who reach the sub-org now, their role there and until when."""
    with backend(api_url) as b:
        rows = collect(b.list_partner_staff(resolve.org_id(b, org)), "partner staff")
        emit(rows, ["display_name", "email", "role", "until"], output)


@access_app.command("end-grant")
def end_grant(org: OrgArg, user: PartnerUserArg, api_url: ApiUrlOpt = None) -> None:
    """End a partner user's grant to the sub-org now."""
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        b.end_partner_grant(target, _partner_user(b, target, user))
    typer.echo(f"grant of {user} ended")


mfa_policy_app = typer.Typer(help="Whether an org requires a second factor.", no_args_is_help=True)

MFA_COLUMNS = ["required", "required_for_sub_orgs", "inherited", "effective"]


@mfa_policy_app.command("show")
def show_mfa_policy(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The org's MFA policy, and what its partner imposes on it."""
    with backend(api_url) as b:
        emit(b.get_mfa_policy(resolve.org_id(b, org)), MFA_COLUMNS, output)


@mfa_policy_app.command("set")
def set_mfa_policy(
    org: OrgArg,
    required: Annotated[bool, typer.Option("--required/--optional", help="For its members")],
    sub_orgs: Annotated[
        bool, typer.Option("--sub-orgs/--not-sub-orgs", help="A partner: for its sub-orgs too")
    ] = False,
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Require a second factor of the org's members (a partner: also its sub-orgs')."""
    with backend(api_url) as b:
        policy = b.set_mfa_policy(
            resolve.org_id(b, org), required=required, required_for_sub_orgs=sub_orgs
        )
        emit(policy, MFA_COLUMNS, output)
