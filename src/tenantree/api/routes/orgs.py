import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from tenantree.access import org_listing
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import (
    CallerDep,
    IdentityDep,
    OperatorDep,
    OrgWith,
    SessionDep,
    TrailDep,
    UnitOfWorkRoute,
    reads_only,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import QUERY_TEXT, Cursor, Limit
from tenantree.api.schemas.common import ListResponse
from tenantree.api.schemas.orgs import (
    OrgCreate,
    OrgOut,
    OrgUpdate,
    PartnerActivation,
    SubOrgCreate,
)
from tenantree.lifecycle import service

router = APIRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1/orgs", tags=["orgs"], responses=ERROR_RESPONSES
)

Search = Annotated[
    str | None,
    Query(max_length=200, pattern=QUERY_TEXT, description="Name contains (any case)"),
]


@router.get("", response_model=ListResponse[OrgOut], operation_id="list_orgs")
@reads_only
def list_orgs(
    caller: CallerDep,
    session: SessionDep,
    q: Search = None,
    parent_id: uuid.UUID | None = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ListResponse[OrgOut]:
    page = org_listing.list_orgs(
        session, caller.actor, q=q, parent_id=parent_id, limit=limit, cursor=cursor
    )
    return ListResponse(
        items=[OrgOut.model_validate(o) for o in page.items], next_cursor=page.next_cursor
    )


@router.post("", response_model=OrgOut, status_code=201, operation_id="create_org")
def create_org(
    body: OrgCreate,
    _: OperatorDep,
    session: SessionDep,
    trail: TrailDep,
    identity: IdentityDep,
) -> OrgOut:
    org = service.create_org(
        session,
        trail,
        identity,
        name=body.name,
        salesforce_id=body.salesforce_id,
        edition=body.edition,
        primary_admin_email=str(body.primary_admin_email),
    )
    return OrgOut.model_validate(org)


@router.get("/{org_id}", response_model=OrgOut, operation_id="get_org")
@reads_only
async def get_org(target: OrgWith(P.ORG_VIEW)) -> OrgOut:
    # No I/O left (the dependency loaded the org), so no hop to the thread pool.
    return OrgOut.model_validate(target.org)


@router.patch("/{org_id}", response_model=OrgOut, operation_id="update_org")
def update_org(body: OrgUpdate, target: OrgWith(P.PLATFORM_ORGS_MANAGE)) -> OrgOut:
    org = service.update_org(
        target.session,
        target.trail,
        target.org,
        name=body.name,
        edition=body.edition,
        status=body.status,
        customers=body.customers,
    )
    return OrgOut.model_validate(org)


@router.post("/{org_id}/partner-activation", response_model=OrgOut, operation_id="activate_partner")
def activate_partner(body: PartnerActivation, target: OrgWith(P.PLATFORM_ORGS_MANAGE)) -> OrgOut:
    org = service.activate_partner(
        target.session, target.trail, target.org, partner_type=body.partner_type
    )
    return OrgOut.model_validate(org)


@router.post(
    "/{org_id}/sub-orgs", response_model=OrgOut, status_code=201, operation_id="create_sub_org"
)
def create_sub_org(
    body: SubOrgCreate, target: OrgWith(P.PLATFORM_ORGS_MANAGE), identity: IdentityDep
) -> OrgOut:
    sub_org = service.create_sub_org(
        target.session,
        target.trail,
        identity,
        target.org,
        name=body.name,
        salesforce_id=body.salesforce_id,
        customer_name=body.customer_name,
        primary_admin_email=str(body.primary_admin_email) if body.primary_admin_email else None,
    )
    return OrgOut.model_validate(sub_org)


@router.get("/{org_id}/sub-orgs", response_model=ListResponse[OrgOut], operation_id="list_sub_orgs")
@reads_only
def list_sub_orgs(
    target: OrgWith(P.ORG_SUB_ORGS_READ),
    caller: CallerDep,
    q: Search = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ListResponse[OrgOut]:
    page = org_listing.list_sub_orgs(
        target.session, caller.actor, target.org, q=q, limit=limit, cursor=cursor
    )
    return ListResponse(
        items=[OrgOut.model_validate(o) for o in page.items], next_cursor=page.next_cursor
    )
