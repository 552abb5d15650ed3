import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from pydantic import TypeAdapter

from tenantree.access import org_listing
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import (
    BEARER,
    CallerRequest,
    IdentityDep,
    OperatorDep,
    OrgIdPath,
    OrgRequest,
    OrgWith,
    SessionDep,
    TrailDep,
    UnitOfWorkRoute,
    caller_reader,
    org_reader,
    reads_only,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import QUERY_TEXT, Cursor, Limit
from tenantree.api.schemas.common import ListResponse
from tenantree.api.schemas.orgs import (
    OrgCreate,
    OrgMove,
    OrgMoveOut,
    OrgOut,
    OrgSummaryRow,
    OrgSummaryTextPage,
    OrgUpdate,
    PartnerActivation,
    SubOrgCreate,
)
from tenantree.lifecycle import moves, service
from tenantree.pagination import Page
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1/orgs", tags=["orgs"], responses=ERROR_RESPONSES
)


# A page's rows serialized as they were read (their ids and times as text):
# validating them into `OrgOut` first was three times the cost of this
# (bench/ANALYSIS.md, rounds 6 and 10).
_SUMMARY_PAGE = TypeAdapter(OrgSummaryTextPage)
_SUMMARY = TypeAdapter(OrgSummaryRow)
_OUT_FIELDS = tuple(OrgOut.model_fields)


def _org_answer(org: OrgSummaryRow) -> Response:
    """One org read as its row (`access.facts.load_org_row`), as `OrgOut`: the
    row's columns serialized as they are, as a page's rows are (the model's
    validation cost as much as its serialization, and the row has its schema)."""
    fields = {name: getattr(org, name) for name in _OUT_FIELDS}
    return Response(_SUMMARY.dump_json(fields), media_type="application/json")


def _org_page(page: Page) -> Response:
    """A page of org summary texts (`org_listing.list_orgs(texts=True)`), as
    `ListResponse[OrgOut]`."""
    body = _SUMMARY_PAGE.dump_json({"items": page.items, "next_cursor": page.next_cursor})
    return Response(body, media_type="application/json")


Search = Annotated[
    str | None,
    Query(max_length=200, pattern=QUERY_TEXT, description="Name contains (any case)"),
]


@router.get("", response_model=ListResponse[OrgOut], operation_id="list_orgs", openapi_extra=BEARER)
@reads_only
async def list_orgs(
    request: Request,
    q: Search = None,
    parent_id: uuid.UUID | None = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Response:
    def page_of(read: CallerRequest) -> Response:
        page = org_listing.list_orgs(
            read.session,
            read.caller.actor,
            q=q,
            parent_id=parent_id,
            limit=limit,
            cursor=cursor,
            summaries=True,
            texts=True,
        )
        return _org_page(page)

    # The caller's token and the page in one unit of work, in a thread, as
    # the sub-orgs page is read (below).
    caller = await caller_reader(request)
    return await caller.read(page_of, on_the_loop=False)


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


@router.get("/{org_id}", response_model=OrgOut, operation_id="get_org", openapi_extra=BEARER)
@reads_only
async def get_org(request: Request, org_id: OrgIdPath) -> Response:
    # The check and the answer in one hop, in a unit of work of its own
    # (web.orgs.OrgReader): nothing of the session is left for the event loop.
    org = await org_reader(request, org_id, P.ORG_VIEW)
    return await org.read(lambda target: _org_answer(target.org))


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


@router.get(
    "/{org_id}/sub-orgs",
    response_model=ListResponse[OrgOut],
    operation_id="list_sub_orgs",
    openapi_extra=BEARER,
)
@reads_only
async def list_sub_orgs(
    request: Request,
    org_id: OrgIdPath,
    q: Search = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Response:
    def page_of(target: OrgRequest) -> Response:
        page = org_listing.list_sub_orgs(
            target.session,
            target.target.actor,
            target.org,
            q=q,
            limit=limit,
            cursor=cursor,
            summaries=True,
            texts=True,
        )
        return _org_page(page)

    # The org check and the page in one unit of work (web.orgs.OrgReader), in
    # a thread, not on the event loop: a page spends ~550 µs in SQLite's own
    # code, which a thread overlaps with other requests; on the loop the
    # page's p99 rose 1.1-3.6x for no gain in throughput (bench/ANALYSIS.md,
    # round 12). On SQLite that thread is the read lane's (round 15).
    org = await org_reader(request, org_id, P.ORG_SUB_ORGS_READ)
    return await org.read(page_of, on_the_loop=False)


@router.post("/{org_id}/move", response_model=OrgMoveOut, operation_id="move_sub_org")
def move_sub_org(body: OrgMove, target: OrgWith(P.PLATFORM_ORGS_MOVE)) -> OrgMoveOut:
    """Move a sub-org to another MSP or reseller partner, in one transaction:
    its use moves from the old partner's pools to the new one's (409 naming
    the shortfall per SKU unless allow_overage), the old partner's staff lose
    access at once, and the move is audited in all three orgs' logs."""
    partner = service.find_partner(target.session, body.to_partner_id)
    result = moves.move_sub_org(
        target.session, target.trail, target.org, partner, allow_overage=body.allow_overage
    )
    plan = result.plan
    return OrgMoveOut(
        org=OrgOut.model_validate(target.org),
        from_partner_id=plan.from_partner_id,
        to_partner_id=plan.to_partner_id,
        license_source=plan.source.value,
        moved=plan.moving,
        overage=plan.shortfall if result.allow_overage else {},
        grants_ended=plan.grants_ending,
        moved_at=result.moved_at,
    )
