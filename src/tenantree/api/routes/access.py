from fastapi import APIRouter

from tenantree.access import service
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.access import AccessSettingsBody, AccessSettingsOut

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
