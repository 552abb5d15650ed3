"""Confirmation pages for destructive actions: each says what will happen before
the POST that does it, as the access review step does. Each page is guarded by
the permission of the action it leads to, so nobody is shown a step they may
not take."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantree import clock
from tenantree.access.permissions import Permission as P
from tenantree.console.deps import OrgPage
from tenantree.console.forms import done
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import Conflict
from tenantree.identity import api_tokens, directory, scim_tokens
from tenantree.identity.errors import InvitationNotFound
from tenantree.identity.models import Invitation, InvitationStatus
from tenantree.identity.roles import MemberStatus
from tenantree.lifecycle import deactivation
from tenantree.web.routing import GatedRouter

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)


def confirm_page(
    request: Request,
    target,  # type: ignore[no-untyped-def]
    *,
    title: str,
    consequences: list[str],
    action: str,
    button: str,
    cancel: str,
    fields: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        target.session,
        "confirm.html",
        title=title,
        consequences=consequences,
        action=action,
        button=button,
        cancel=cancel,
        fields=fields or {},
    )


@router.get("/orgs/{org_id}/users/{user_id}/suspend")
def confirm_suspend(
    request: Request, user_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)
) -> Response:
    member = directory.get_user(target.session, target.org, user_id)
    org, email = target.org.name, member.account.email
    users = f"/orgs/{target.org.id}/users"
    if member.status != MemberStatus.ACTIVE:
        raise Conflict(f"{email} is already suspended in {org}", code="already_suspended")
    consequences = [
        f"{email} can no longer sign in to {org} or act in it through the API.",
        f"Their sessions and tokens end if {org} was the last org they could use.",
        "Their role and history stay; you can reactivate them from the users page.",
    ]
    if target.org.is_partner:
        consequences.append(f"They also lose access to every customer of {org}.")
    return confirm_page(
        request,
        target,
        title=f"Suspend {email}",
        consequences=consequences,
        action=f"{users}/{member.id}/status",
        fields={"status": MemberStatus.SUSPENDED},
        button=f"Suspend {email}",
        cancel=users,
    )


@router.get("/orgs/{org_id}/users/{user_id}/remove")
def confirm_remove(
    request: Request, user_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)
) -> Response:
    member = directory.get_user(target.session, target.org, user_id)
    org, email = target.org.name, member.account.email
    users = f"/orgs/{target.org.id}/users"
    consequences = [
        f"{email} is removed from {org}'s directory: their role here is gone for good.",
        "To bring them back, invite them again.",
        "If this was the last org they belong to, every session they have ends.",
    ]
    if target.org.is_partner:
        consequences.append(f"Customers of {org} that listed them no longer do.")
    return confirm_page(
        request,
        target,
        title=f"Remove {email}",
        consequences=consequences,
        action=f"{users}/{member.id}/remove",
        button=f"Remove {email}",
        cancel=users,
    )


@router.post("/orgs/{org_id}/users/{user_id}/remove")
def remove(user_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)) -> Response:
    directory.remove_user(target.session, target.trail, target.org, user_id)
    return done(f"/orgs/{target.org.id}/users", "removed")


@router.get("/orgs/{org_id}/invitations/{invitation_id}/revoke")
def confirm_revoke_invitation(
    request: Request, invitation_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)
) -> Response:
    invitation = target.session.get(Invitation, invitation_id)
    if invitation is None or invitation.org_id != target.org.id:
        raise InvitationNotFound("no such invitation in this org")
    if invitation.status_at(clock.utcnow()) != InvitationStatus.PENDING:
        raise Conflict("this invitation is no longer pending", code="not_pending")
    users = f"/orgs/{target.org.id}/users"
    return confirm_page(
        request,
        target,
        title=f"Revoke the invitation of {invitation.email}",
        consequences=[
            f"The link sent to {invitation.email} stops working at once.",
            f"They do not join {target.org.name}; you can invite them again later.",
        ],
        action=f"/orgs/{target.org.id}/invitations/{invitation.id}/revoke",
        button=f"Revoke invitation of {invitation.email}",
        cancel=users,
    )


@router.get("/operator/orgs/{org_id}/deactivate")
def confirm_deactivate(request: Request, target: OrgPage(P.PLATFORM_ORGS_MANAGE)) -> Response:
    org = target.org
    page = f"/operator/orgs/{org.id}"
    if not org.is_active:
        raise Conflict(f"{org.name} is already deactivated", code="already_deactivated")
    if deactivation.has_active_customers(target.session, org):
        # A partner with customers: the choice of what they do is the confirmation.
        return render(
            request,
            target.session,
            "operator_deactivate.html",
            title=f"Deactivate {org.name}",
            target_org=org,
        )
    return confirm_page(
        request,
        target,
        title=f"Deactivate {org.name}",
        consequences=[
            f"Everyone but operators is locked out of {org.name}: sign-ins, sessions, "
            "API tokens and SCIM stop working there.",
            "Nothing is deleted; an operator can reactivate it.",
        ],
        action=f"{page}/status",
        fields={"status": "deactivated"},
        button=f"Deactivate {org.name}",
        cancel=page,
    )


def _confirm_token_revoke(
    request: Request, target, slug: str, kind: str, name: str, token_id: uuid.UUID, what: str
) -> Response:  # type: ignore[no-untyped-def]
    """One confirmation for either kind of token: what revoking it does."""
    org, page = target.org.name, f"/orgs/{target.org.id}/{slug}"
    return confirm_page(
        request,
        target,
        title=f"Revoke {kind} {name}",
        consequences=[
            f"The token {name} stops working at once: {what} using it is refused from now on.",
            "It cannot be restored; a new token has to be created and given to that system.",
            f"The revocation is recorded in {org}'s audit log.",
        ],
        action=f"{page}/{token_id}/revoke",
        button=f"Revoke {name}",
        cancel=page,
    )


@router.get("/orgs/{org_id}/api-tokens/{token_id}/revoke")
def confirm_revoke_api_token(
    request: Request, token_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)
) -> Response:
    token = api_tokens.get_api_token(target.session, target.org, token_id)
    return _confirm_token_revoke(
        request, target, "api-tokens", "API token", token.name, token.id, "every API call"
    )


@router.get("/orgs/{org_id}/scim-tokens/{token_id}/revoke")
def confirm_revoke_scim_token(
    request: Request, token_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)
) -> Response:
    token = scim_tokens.get_scim_token(target.session, target.org, token_id)
    what = "provisioning from the identity provider"
    return _confirm_token_revoke(
        request, target, "scim-tokens", "SCIM token", token.name, token.id, what
    )
