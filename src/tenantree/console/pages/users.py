"""An org's users and invitations; each form guarded by the API route's permission."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from tenantree import clock
from tenantree.access.permissions import Permission as P
from tenantree.console.deps import FormDep, OrgPage
from tenantree.console.forms import done, validated
from tenantree.console.listing import Listing, direction, link_pages
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import Invalid
from tenantree.identity import directory, invitations
from tenantree.identity.directory_export import users_csv as users_csv_text
from tenantree.identity.models import Invitation, InvitationStatus, Membership
from tenantree.identity.roles import Role
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.users import InvitationCreate, PrimaryAdminTransfer, UserUpdate
from tenantree.web.services import IdentityDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

DONE = {
    "invited": "Invitation sent.",
    "resent": "Invitation sent again; the earlier link no longer works.",
    "revoked": "Invitation revoked.",
    "removed": "User removed.",
    "role": "Role changed.",
    "status": "Status changed.",
    "transferred": "Primary administrator transferred.",
}
Cursor = Annotated[str | None, Query(max_length=500)]
PAGE_SIZE = 50


def _path(org_id: uuid.UUID) -> str:
    return f"/orgs/{org_id}/users"


@router.get("/orgs/{org_id}/users")
def users_page(
    request: Request,
    target: OrgPage(P.ORG_USERS_READ),
    cursor: Cursor = None,
    before: Cursor = None,
    q: Annotated[str, Query(max_length=200, pattern=r"^[^\x00]*$")] = "",
    sort: Annotated[str, Query(max_length=20)] = "joined",
    dir: Annotated[str, Query(max_length=20)] = "asc",  # noqa: A002 - the parameter's name
    # The invitations' own order and page ("i" for invitations), beside the users'.
    isort: Annotated[str, Query(max_length=20)] = "sent",
    idir: Annotated[str, Query(max_length=20)] = "desc",
    icursor: Cursor = None,
    ibefore: Cursor = None,
    done: str | None = None,
) -> Response:
    page = directory.list_users(
        target.session,
        target.org,
        limit=PAGE_SIZE,
        cursor=cursor,
        q=q or None,
        sort=sort,
        descending=direction(dir),
        before=before,
    )
    if isort not in invitations.INVITATION_SORTS:
        raise Invalid(
            f"isort must be one of {', '.join(invitations.INVITATION_SORTS)}", field="isort"
        )
    if idir not in ("asc", "desc"):
        raise Invalid("idir must be asc or desc", field="idir")
    invitation_order = {"isort": isort, "idir": idir}
    listing = Listing(_path(target.org.id), {"q": q, **invitation_order}, sort, direction(dir))
    link_pages(listing, page)
    pending: list[tuple[Invitation, InvitationStatus]] = []
    deliveries = {}
    invitation_listing = None
    if P.ORG_USERS_MANAGE in request.state.granted:
        now = clock.utcnow()
        listed = invitations.list_invitations(
            target.session,
            target.org,
            limit=PAGE_SIZE,
            cursor=icursor,
            before=ibefore,
            q=q or None,
            sort=isort,
            descending=direction(idir),
            unanswered_only=True,
        )
        pending = [(inv, inv.status_at(now)) for inv in listed.items]
        deliveries = invitations.email_deliveries(target.session, [inv for inv, _ in pending])
        invitation_listing = Listing(
            _path(target.org.id),
            {"q": q, "sort": sort, "dir": dir},
            isort,
            direction(idir),
            prefix="i",
        )
        link_pages(invitation_listing, listed)
    return render(
        request,
        target.session,
        "users.html",
        title=f"Users of {target.org.name}",
        users=page.items,
        listing=listing,
        q=q,
        invitations=pending,
        invitation_listing=invitation_listing,
        deliveries=deliveries,
        roles=list(Role),
        notice=DONE.get(done or ""),
    )


@router.get("/orgs/{org_id}/users.csv")
def users_csv(target: OrgPage(P.ORG_USERS_READ)) -> Response:
    """Every entry of the directory, whatever page the list shows."""
    entries: list[Membership] = []
    cursor = None
    while True:
        page = directory.list_users(target.session, target.org, limit=500, cursor=cursor)
        entries.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    return Response(
        content=users_csv_text(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="users-{target.org.id}.csv"'},
    )


@router.post("/orgs/{org_id}/users/invite")
def invite(target: OrgPage(P.ORG_USERS_MANAGE), identity: IdentityDep, form: FormDep) -> Response:
    body = validated(InvitationCreate, {"email": form.get("email"), "role": form.get("role")})
    invitations.invite(
        target.session, target.trail, identity, target.org, email=str(body.email), role=body.role
    )
    return done(_path(target.org.id), "invited")


@router.post("/orgs/{org_id}/invitations/resend")
def resend(target: OrgPage(P.ORG_USERS_MANAGE), identity: IdentityDep, form: FormDep) -> Response:
    # Inviting again replaces the pending invitation (and keeps its primary-admin flag).
    body = validated(InvitationCreate, {"email": form.get("email"), "role": form.get("role")})
    invitations.invite(
        target.session, target.trail, identity, target.org, email=str(body.email), role=body.role
    )
    return done(_path(target.org.id), "resent")


@router.post("/orgs/{org_id}/invitations/{invitation_id}/revoke")
def revoke(invitation_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE)) -> Response:
    invitations.revoke_invitation(target.session, target.trail, target.org, invitation_id)
    return done(_path(target.org.id), "revoked")


@router.post("/orgs/{org_id}/users/{user_id}/role")
def change_role(user_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE), form: FormDep) -> Response:
    body = validated(UserUpdate, {"role": form.get("role")})
    directory.update_user(target.session, target.trail, target.org, user_id, role=body.role)
    return done(_path(target.org.id), "role")


@router.post("/orgs/{org_id}/users/{user_id}/status")
def change_status(
    user_id: uuid.UUID, target: OrgPage(P.ORG_USERS_MANAGE), form: FormDep
) -> Response:
    body = validated(UserUpdate, {"status": form.get("status")})
    directory.update_user(target.session, target.trail, target.org, user_id, status=body.status)
    return done(_path(target.org.id), "status")


@router.post("/orgs/{org_id}/primary-admin")
def transfer(target: OrgPage(P.ORG_PRIMARY_ADMIN_TRANSFER), form: FormDep) -> Response:
    body = validated(PrimaryAdminTransfer, {"user_id": form.get("user_id")})
    directory.transfer_primary_admin(target.session, target.trail, target.org, body.user_id)
    return done(_path(target.org.id), "transferred")
