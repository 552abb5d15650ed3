import uuid
from typing import Annotated

from fastapi import Query, Response

from tenantree.access import partner_grants, service
from tenantree.access.checks import AccessCheck, check_access
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import Cursor, Limit
from tenantree.api.schemas.access import (
    AccessCheckOut,
    AccessPathOut,
    AccessSettingsBody,
    AccessSettingsOut,
    PartnerGrantBody,
    PartnerGrantOut,
    PartnerStaffOut,
)
from tenantree.api.schemas.common import ListResponse
from tenantree.web.orgs import OrgRequest
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["access"],
    responses=ERROR_RESPONSES,
)


def settings_out(target: OrgRequest, settings: service.AccessSettings) -> AccessSettingsOut:
    return AccessSettingsOut(
        customer_access=settings.customer_access,
        partner_users="all" if settings.partner_users is None else settings.partner_users,
        customer_may_brand=settings.customer_may_brand,
        partner_access_expires_at=settings.partner_access_expires_at,
        partner_user_grants=[
            PartnerGrantOut(user_id=g.membership_id, expires_at=g.expires_at)
            for g in partner_grants.list_grants(target.session, target.org)
        ],
    )


@router.get("/access", response_model=AccessSettingsOut, operation_id="get_access_settings")
def get_access(target: OrgWith(P.ORG_ACCESS_READ)) -> AccessSettingsOut:
    return settings_out(target, service.get_access_settings(target.session, target.org))


@router.put("/access", response_model=AccessSettingsOut, operation_id="set_access_settings")
def put_access(body: AccessSettingsBody, target: OrgWith(P.ORG_ACCESS_MANAGE)) -> AccessSettingsOut:
    settings = service.set_access_settings(
        target.session,
        target.trail,
        target.org,
        customer_access=body.customer_access,
        partner_users=None if body.partner_users == "all" else list(body.partner_users),
        customer_may_brand=body.customer_may_brand,
        partner_access_expires_at=body.partner_access_expires_at,
    )
    return settings_out(target, settings)


@router.put(
    "/partner-grants/{user_id}", response_model=PartnerGrantOut, operation_id="grant_partner_user"
)
def put_grant(
    user_id: uuid.UUID, body: PartnerGrantBody, target: OrgWith(P.ORG_ACCESS_MANAGE)
) -> PartnerGrantOut:
    """Grant a partner user access to this sub-org until `expires_at`, or renew it."""
    grant = partner_grants.grant(
        target.session, target.trail, target.org, user_id, expires_at=body.expires_at
    )
    return PartnerGrantOut(user_id=grant.membership_id, expires_at=grant.expires_at)


@router.delete("/partner-grants/{user_id}", status_code=204, operation_id="end_partner_grant")
def delete_grant(user_id: uuid.UUID, target: OrgWith(P.ORG_ACCESS_MANAGE)) -> Response:
    """End a partner user's grant into this sub-org now."""
    partner_grants.end(target.session, target.trail, target.org, user_id)
    return Response(status_code=204)


@router.get(
    "/partner-access",
    response_model=ListResponse[PartnerStaffOut],
    operation_id="list_partner_staff_reaching",
)
def list_partner_access(
    target: OrgWith(P.ORG_ACCESS_READ), limit: Limit = None, cursor: Cursor = None
) -> ListResponse[PartnerStaffOut]:
    """The partner staff who reach this sub-org now, their role here and until
    when: names and emails only, nothing else of the partner. A page may hold
    fewer than `limit` items; follow `next_cursor`."""
    page = partner_grants.partner_staff(target.session, target.org, limit=limit, cursor=cursor)
    return ListResponse(
        items=[
            PartnerStaffOut(display_name=s.display_name, email=s.email, role=s.role, until=s.until)
            for s in page.items
        ],
        next_cursor=page.next_cursor,
    )


def check_out(check: AccessCheck, user_id: uuid.UUID) -> AccessCheckOut:
    explanation = check.explanation
    path = explanation.path
    return AccessCheckOut(
        org_id=check.org.id,
        user_id=user_id,
        permission=explanation.permission,
        allowed=explanation.allowed,
        visible=explanation.visible,
        rule=explanation.rule.value,
        code=explanation.denial_code,
        path=None
        if path is None
        else AccessPathOut(
            kind=path.kind.value,
            via_org_id=check.via_org_id,
            role=path.role,
            primary_admin=path.is_primary_admin,
            block=None if path.block is None else path.block.value,
            until=path.until,
        ),
        access_ended_at=explanation.ended_at,
        explanation=check.sentence,
    )


@router.get("/access-check", response_model=AccessCheckOut, operation_id="check_access")
def access_check(
    target: OrgWith(P.ORG_USERS_READ),
    user_id: Annotated[
        uuid.UUID, Query(description="A user of this org or a partner user reaching it")
    ],
    permission: Annotated[P, Query(description="The permission to check")],
) -> AccessCheckOut:
    """Whether a user may do something in this org, and why (the rule and the path)."""
    (check,) = check_access(
        target.session, target.target.actor, target.target.loaded, user_id, [permission]
    )
    return check_out(check, user_id)
