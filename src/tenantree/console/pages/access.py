"""A sub-org's access settings: customer access, partner users, customer branding.

Changing them goes through a confirmation page that says what the change does.
"""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantree import clock
from tenantree.access import partner_grants, service
from tenantree.access.permissions import Permission as P
from tenantree.access.service import authorize
from tenantree.console.deps import FormDep, OrgPage, ViewerDep, form_list
from tenantree.console.forms import done, parse_uuid, validated
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import DomainError
from tenantree.identity import directory
from tenantree.identity.models import Membership
from tenantree.orgs.sub_org_access import CustomerAccess
from tenantree.pagination import MAX_LIMIT
from tenantree.web.orgs import OrgRequest
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.access import AccessSettingsBody, PartnerGrantBody

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)


def _partner_users(target: OrgRequest, viewer: ViewerDep) -> list[Membership]:
    """The partner's users, when the viewer may list them (else none)."""
    parent_id = target.org.parent_id
    if parent_id is None:
        return []
    try:
        parent = authorize(target.session, viewer.actor, P.ORG_USERS_READ, parent_id).org
    except DomainError:
        return []
    users: list[Membership] = []
    cursor = None
    while True:
        page = directory.list_users(target.session, parent, limit=MAX_LIMIT, cursor=cursor)
        users.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return users


def _utc(value: str | None) -> str | None:
    """A form's date and time (an HTML datetime-local, read as UTC), or None if empty."""
    value = (value or "").strip()
    if not value:
        return None
    return value if value.endswith("Z") or "+" in value else value + "Z"


def _wanted(request: Request, form: dict[str, str]) -> AccessSettingsBody:
    listed = form_list(request, "partner_user")
    everyone = form.get("partner_users_mode") != "listed"
    return validated(
        AccessSettingsBody,
        {
            "customer_access": form.get("customer_access"),
            "partner_users": "all" if everyone else listed,
            "customer_may_brand": form.get("customer_may_brand") == "yes",
            "partner_access_expires_at": _utc(form.get("partner_access_expires_at"))
            if everyone
            else None,
        },
    )


def _partner_staff(target: OrgRequest) -> list[partner_grants.PartnerStaff]:
    """Every partner user who reaches the sub-org now (what its customer may see)."""
    staff: list[partner_grants.PartnerStaff] = []
    cursor = None
    while True:
        page = partner_grants.partner_staff(
            target.session, target.org, limit=MAX_LIMIT, cursor=cursor
        )
        staff.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return staff


@router.get("/orgs/{org_id}/access")
def access_page(
    request: Request, target: OrgPage(P.ORG_ACCESS_READ), viewer: ViewerDep, done: str = ""
) -> Response:
    settings = service.get_access_settings(target.session, target.org)
    partner_users = _partner_users(target, viewer)
    emails = {m.id: m.account.email for m in partner_users}
    return render(
        request,
        target.session,
        "access.html",
        title=f"Access to {target.org.name}",
        settings=settings,
        partner_users=partner_users,
        listed=set(settings.partner_users or []),
        grants=[
            (emails.get(g.membership_id, str(g.membership_id)), g)
            for g in partner_grants.list_grants(target.session, target.org)
        ],
        staff=_partner_staff(target),
        now=clock.utcnow(),
        notice=_NOTICES.get(done),
    )


_NOTICES = {
    "saved": "Access settings saved.",
    "granted": "Access window saved.",
    "ended": "Access ended.",
}


@router.post("/orgs/{org_id}/access/grants")
def grant_window(target: OrgPage(P.ORG_ACCESS_MANAGE), form: FormDep) -> Response:
    body = validated(PartnerGrantBody, {"expires_at": _utc(form.get("expires_at"))})
    membership_id = parse_uuid(form.get("user_id"), "user_id")
    partner_grants.grant(
        target.session, target.trail, target.org, membership_id, expires_at=body.expires_at
    )
    return done(f"/orgs/{target.org.id}/access", "granted")


@router.post("/orgs/{org_id}/access/grants/{user_id}/end")
def end_window(user_id: uuid.UUID, target: OrgPage(P.ORG_ACCESS_MANAGE)) -> Response:
    partner_grants.end(target.session, target.trail, target.org, user_id)
    return done(f"/orgs/{target.org.id}/access", "ended")


def _consequences(
    target: OrgRequest,
    before: service.AccessSettings,
    after: AccessSettingsBody,
    partner_users: list[Membership],
) -> list[str]:
    name = target.org.name
    lines = []
    if before.customer_access != after.customer_access:
        if after.customer_access == CustomerAccess.REFUSED:
            lines.append(
                f"{name}'s own users will lose access at once: they are refused everything "
                f"in {name}, and cannot sign in to it, until access is permitted again. "
                "Your partner users keep their access."
            )
        else:
            lines.append(f"{name}'s own users will be able to sign in and use {name} again.")
    names = {m.id: m.account.email for m in partner_users}
    was = None if before.partner_users is None else set(before.partner_users)
    now = None if after.partner_users == "all" else set(after.partner_users)
    if was != now:
        if now is None:
            lines.append(f"Every partner user will reach {name} with their partner role.")
        else:
            keep = sorted(names.get(i, str(i)) for i in now)
            lose = sorted(
                m.account.email
                for m in partner_users
                if m.id not in now and not m.is_primary_admin and (was is None or m.id in was)
            )
            lines.append(
                f"Only these partner users will reach {name}: "
                + (", ".join(keep) if keep else "none")
                + " (the primary administrator always does)."
            )
            if lose:
                lines.append("These partner users lose access to it at once: " + ", ".join(lose))
    if after.partner_users == "all" and (
        before.partner_access_expires_at != after.partner_access_expires_at
    ):
        end = after.partner_access_expires_at
        lines.append(
            f"Partner users not listed will reach {name} until {end:%Y-%m-%d %H:%M} UTC, "
            "then lose access without anyone acting."
            if end
            else f"Every partner user will reach {name} with no end."
        )
    if before.customer_may_brand != after.customer_may_brand:
        lines.append(
            f"{name}'s own admins will be able to change its brand."
            if after.customer_may_brand
            else f"{name}'s own admins will no longer be able to change its brand."
        )
    return lines


@router.post("/orgs/{org_id}/access/review")
def review(
    request: Request, target: OrgPage(P.ORG_ACCESS_MANAGE), viewer: ViewerDep, form: FormDep
) -> Response:
    wanted = _wanted(request, form)
    before = service.get_access_settings(target.session, target.org)
    partner_users = _partner_users(target, viewer)
    return render(
        request,
        target.session,
        "access_confirm.html",
        title=f"Confirm the change to {target.org.name}",
        wanted=wanted,
        listed=[] if wanted.partner_users == "all" else wanted.partner_users,
        consequences=_consequences(target, before, wanted, partner_users),
    )


@router.post("/orgs/{org_id}/access")
def apply(request: Request, target: OrgPage(P.ORG_ACCESS_MANAGE), form: FormDep) -> Response:
    wanted = _wanted(request, form)
    service.set_access_settings(
        target.session,
        target.trail,
        target.org,
        customer_access=wanted.customer_access,
        partner_users=None if wanted.partner_users == "all" else list(wanted.partner_users),
        customer_may_brand=wanted.customer_may_brand,
        partner_access_expires_at=wanted.partner_access_expires_at,
    )
    return done(f"/orgs/{target.org.id}/access", "saved")
