import uuid
from typing import Annotated, Any

from fastapi import Path, Query, Response
from fastapi.responses import JSONResponse

from tenantree import clock
from tenantree.access.permissions import Permission as P
from tenantree.access.service import visible_sub_org_ids
from tenantree.alerts.reports import child_report_with_forecasts, parent_report_with_forecasts
from tenantree.alerts.usage import report_usage_and_alert
from tenantree.api.deps import IdentityDep, OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import Cursor, Limit
from tenantree.api.schemas.common import Day, ListResponse, Timestamp
from tenantree.api.schemas.licensing import (
    LicenseCreate,
    LicenseOut,
    LicenseSourceBody,
    LicenseSourceOut,
    LicenseUpdate,
    QuotaBody,
    QuotaOut,
    ReportFormat,
    Sku,
    UsageBody,
    UsageEventOut,
    UsageOut,
)
from tenantree.licensing import changes, export, grants, reports, sub_org_terms
from tenantree.licensing.models import License
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sources import current_source
from tenantree.web.orgs import sees_distributor_figures, sees_pool_figures
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["licensing"],
    responses=ERROR_RESPONSES,
)


def license_out(license_: License) -> LicenseOut:
    return LicenseOut(
        id=license_.id,
        org_id=license_.holder_org_id,
        sku=license_.sku,
        unit=license_.unit,
        quantity=license_.quantity,
        starts_at=license_.starts_at,
        ends_at=license_.ends_at,
        overage_policy=license_.overage_policy,
        salesforce_contract_id=license_.salesforce_contract_id,
        status=license_.status,
        in_term=license_.in_term(clock.utcnow()),
        created_at=license_.created_at,
    )


@router.post("/licenses", response_model=LicenseOut, status_code=201, operation_id="grant_license")
def grant_license(body: LicenseCreate, target: OrgWith(P.PLATFORM_ORGS_MANAGE)) -> LicenseOut:
    license_ = grants.grant_requested_license(target.session, target.trail, target.org, body)
    return license_out(license_)


@router.get("/licenses", response_model=ListResponse[LicenseOut], operation_id="list_licenses")
def list_licenses(target: OrgWith(P.ORG_LICENSE_REPORT_READ)) -> ListResponse[LicenseOut]:
    licenses = grants.list_licenses(target.session, target.org)
    return ListResponse(items=[license_out(lic) for lic in licenses], next_cursor=None)


@router.patch("/licenses/{license_id}", response_model=LicenseOut, operation_id="update_license")
def update_license(
    license_id: uuid.UUID, body: LicenseUpdate, target: OrgWith(P.PLATFORM_ORGS_MANAGE)
) -> LicenseOut:
    license_ = grants.change_requested_license(
        target.session, target.trail, target.org, license_id, body
    )
    return license_out(license_)


@router.get("/license-source", response_model=LicenseSourceOut, operation_id="get_license_source")
def get_license_source(target: OrgWith(P.ORG_LICENSE_REPORT_READ)) -> LicenseSourceOut:
    return LicenseSourceOut(source=current_source(target.session, target.org))


@router.put(
    "/license-source",
    response_model=LicenseSourceOut,
    operation_id="set_license_source",
    description=(
        "A customer's use of its old source's pools is released. A tier-2 partner's pools "
        "keep their use: to `parent_pool` it is put onto the distributor's pools (409 "
        "`distributor_pool_lacks_room` with `shortfall` per SKU when they lack room), to "
        "`own` it is taken off."
    ),
)
def set_license_source(
    body: LicenseSourceBody, target: OrgWith(P.PLATFORM_ORGS_MANAGE)
) -> LicenseSourceOut:
    source = sub_org_terms.set_license_source(target.session, target.trail, target.org, body.source)
    return LicenseSourceOut(source=source)


# A sub-org's quotas are part of what its license report (child view) shows.
@router.get("/quotas", response_model=ListResponse[QuotaOut], operation_id="list_quotas")
def list_quotas(target: OrgWith(P.ORG_LICENSE_REPORT_READ)) -> ListResponse[QuotaOut]:
    quotas = sub_org_terms.list_quotas(target.session, target.org)
    return ListResponse(
        items=[QuotaOut(sku=q.sku, max_units=q.max_units) for q in quotas], next_cursor=None
    )


@router.put("/quotas/{sku}", response_model=QuotaOut, operation_id="set_quota")
def set_quota(
    sku: Annotated[Sku, Path()], body: QuotaBody, target: OrgWith(P.ORG_QUOTAS_MANAGE)
) -> QuotaOut:
    max_units = sub_org_terms.set_quota(
        target.session, target.trail, target.org, sku, body.max_units
    )
    return QuotaOut(sku=sku, max_units=max_units)


@router.post(
    "/usage",
    response_model=UsageOut,
    operation_id="report_usage",
    description="Set, add or release units; 409 with what is left when refused.",
)
def report_usage(
    body: UsageBody, target: OrgWith(P.ORG_USAGE_REPORT), identity: IdentityDep
) -> UsageOut:
    op, amount = next(
        (UsageOp(name), getattr(body, name))
        for name in ("set", "add", "release")
        if getattr(body, name) is not None
    )
    # A refusal is audited; the service keeps that event through the rollback.
    # The alerts the change crosses are raised in the same unit of work.
    result = report_usage_and_alert(
        target.session,
        target.trail,
        identity.outbox,
        target.org,
        sku=body.sku,
        op=op,
        amount=amount,
        sees_pool_figures=sees_pool_figures(target),
        sees_distributor_figures=sees_distributor_figures(target),
    )
    return UsageOut(
        sku=result.sku,
        consumed=result.consumed,
        # Whether the partner's pool is over its quantity is the partner's business.
        over_quantity=result.over_quantity if sees_pool_figures(target) else None,
    )


@router.get(
    "/usage-events",
    response_model=ListResponse[UsageEventOut],
    operation_id="list_usage_events",
    description=(
        "Every successful change of the org's use, newest first, with who made it "
        "(refusals and overage are audit events). Readable by those who read the org's "
        "audit events; the partner pool's figures only by those who see them."
    ),
)
def list_usage_events(
    target: OrgWith(P.ORG_AUDIT_READ),
    sku: Annotated[Sku | None, Query()] = None,
    actor_id: uuid.UUID | None = None,
    since: Annotated[Timestamp | None, Query(alias="from", description="Inclusive")] = None,
    until: Annotated[Timestamp | None, Query(alias="to", description="Exclusive")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ListResponse[UsageEventOut]:
    page = changes.usage_changes(
        target.session,
        target.org,
        sees_pool_figures=sees_pool_figures(target),
        sku=sku,
        actor_id=actor_id,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return ListResponse(
        items=[UsageEventOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/license-report",
    operation_id="get_license_report",
    description=(
        "A customer sub-org gets the child view; a partner (a tier-2 partner too) or "
        "standard org the parent view. "
        "`from`/`to` (UTC days, inclusive) add peak and average use over the period."
    ),
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def license_report(
    target: OrgWith(P.ORG_LICENSE_REPORT_READ),
    first: Annotated[Day | None, Query(alias="from")] = None,
    last: Annotated[Day | None, Query(alias="to")] = None,
    format: Annotated[ReportFormat, Query()] = "json",  # noqa: A002 - the API's name
) -> Any:
    period = reports.period_between(first, last)
    org = target.org
    if org.is_customer:
        child = child_report_with_forecasts(
            target.session, org, sees_pool_figures=sees_pool_figures(target), period=period
        )
        if format == "csv":
            return _csv_response(export.child_report_csv(child), org.id)
        return JSONResponse(export.child_report_dict(child))
    parent = parent_report_with_forecasts(
        target.session,
        org,
        period=period,
        visible_child_ids=visible_sub_org_ids(target.session, target.target.actor, org),
    )
    if format == "csv":
        return _csv_response(export.parent_report_csv(parent), org.id)
    # Already plain JSON types: skip FastAPI's encoder walking thousands of children.
    return Response(
        export.json_body(export.parent_report_dict(parent)), media_type="application/json"
    )


def _csv_response(text: str, org_id: uuid.UUID) -> Response:
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="license-report-{org_id}.csv"'},
    )
