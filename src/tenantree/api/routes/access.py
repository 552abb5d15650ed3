import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from tenantree.access import service
from tenantree.access.checks import AccessCheck, check_access
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.access import (
    AccessCheckOut,
    AccessPathOut,
    AccessSettingsBody,
    AccessSettingsOut,
)

router = APIRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["access"],
    responses=ERROR_RESPONSES,
)


def settings_out(settings: service.AccessSettings) -> AccessSettingsOut:
    return AccessSettingsOut(
        customer_access=settings.customer_access,
        partner_users="all" if settings.partner_users is None else settings.partner_users,
        customer_may_brand=settings.customer_may_brand,
    )


@router.get("/access", response_model=AccessSettingsOut, operation_id="get_access_settings")
def get_access(target: OrgWith(P.ORG_ACCESS_READ)) -> AccessSettingsOut:
    return settings_out(service.get_access_settings(target.session, target.org))


@router.put("/access", response_model=AccessSettingsOut, operation_id="set_access_settings")
def put_access(body: AccessSettingsBody, target: OrgWith(P.ORG_ACCESS_MANAGE)) -> AccessSettingsOut:
    settings = service.set_access_settings(
        target.session,
        target.trail,
        target.org,
        customer_access=body.customer_access,
        partner_users=None if body.partner_users == "all" else list(body.partner_users),
        customer_may_brand=body.customer_may_brand,
    )
    return settings_out(settings)


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
        ),
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
