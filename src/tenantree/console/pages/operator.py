"""Operator pages: create orgs and sub-orgs, activate partner features, grant licenses,
move a sub-org to another partner (after a page saying what the move will do).

Every form needs PLATFORM_ORGS_MANAGE, as the API routes do; the Salesforce
ID is checked as you type (static/console.js) but the server decides.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from sqlalchemy.orm import Session

from tenantree.access import org_listing
from tenantree.access.permissions import Permission as P
from tenantree.console.deps import FormDep, OperatorViewer, OrgPage, trail_for
from tenantree.console.forms import done, validated
from tenantree.console.listing import direction, org_listing_page
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import Conflict, DomainError, Invalid
from tenantree.licensing import grants
from tenantree.lifecycle import deactivation, moves, service
from tenantree.orgs.kinds import TIER_TWO_TYPES, Edition, OrgStatus, PartnerType
from tenantree.orgs.models import Org
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.licensing import LicenseCreate, LicenseUpdate
from tenantree.web.schemas.orgs import OrgCreate, OrgUpdate, PartnerActivation, SubOrgCreate
from tenantree.web.services import IdentityDep
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

DONE = {
    "created": "Org created; its primary administrator has been invited.",
    "partner": "Partner features activated.",
    "sub_org": "Sub-org created.",
    "license": "License granted.",
    "license_changed": "License changed.",
    "status": "Status changed.",
    "moved": "Sub-org moved to its new partner.",
}


def _page(org_id: uuid.UUID) -> str:
    return f"/operator/orgs/{org_id}"


@router.get("/operator/orgs")
def operator_home(
    request: Request,
    session: SessionDep,
    viewer: OperatorViewer,
    q: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    before: Annotated[str | None, Query(max_length=500)] = None,
    sort: Annotated[str, Query(max_length=20)] = "name",
    dir: Annotated[str, Query(max_length=20)] = "asc",  # noqa: A002 - the parameter's name
) -> Response:
    return _home(request, session, viewer, q=q, cursor=cursor, before=before, sort=sort, dir=dir)


def _home(  # noqa: PLR0913 - the list's query, and a refused form shown back
    request: Request,
    session: SessionDep,
    viewer: OperatorViewer,
    *,
    q: str | None = None,
    cursor: str | None = None,
    before: str | None = None,
    sort: str = "name",
    dir: str = "asc",  # noqa: A002 - the query parameter's name
    refused: DomainError | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    page = org_listing.list_orgs(
        session,
        viewer.actor,
        q=q or None,
        parent_id=None,
        limit=25,
        cursor=cursor,
        sort=sort,
        descending=direction(dir),
        before=before,
    )
    return render(
        request,
        session,
        "operator.html",
        title="Operator: orgs",
        orgs=page.items,
        q=q or "",
        editions=list(Edition),
        listing=org_listing_page("/operator/orgs", q, sort, dir, 25, page),
        refused=refused,
        entered=entered or {},
        status_code=refused.status if refused else 200,
    )


@router.post("/operator/orgs")
def create_org(
    request: Request,
    session: SessionDep,
    viewer: OperatorViewer,
    identity: IdentityDep,
    form: FormDep,
) -> Response:
    entered = {
        "name": form.get("name", "").strip(),
        "salesforce_id": form.get("salesforce_id", "").strip(),
        "edition": form.get("edition") or Edition.STANDARD,
        "primary_admin_email": form.get("primary_admin_email", "").strip(),
    }
    try:
        body = validated(OrgCreate, entered)
        org = service.create_org(
            session,
            trail_for(request, session, viewer),
            identity,
            name=body.name,
            salesforce_id=body.salesforce_id,
            edition=body.edition,
            primary_admin_email=str(body.primary_admin_email),
        )
    except (Invalid, Conflict) as exc:
        # The form again, what was typed kept, the rule beside its field; the
        # answer's status rolls back anything written.
        return _home(request, session, viewer, refused=exc, entered=entered)
    return done(_page(org.id), "created")


@router.get("/operator/orgs/{org_id}")
def operator_org(
    request: Request, target: OrgPage(P.PLATFORM_ORGS_MANAGE), done: str = ""
) -> Response:
    return render(
        request,
        target.session,
        "operator_org.html",
        title=f"Operator: {target.org.name}",
        licenses=grants.list_licenses(target.session, target.org),
        partner_types=_activation_types(target.session, target.org),
        notice=DONE.get(done),
    )


def _activation_types(session: Session, org: Org) -> list[PartnerType]:
    """The partner types the activation form offers: any for a top-level org,
    MSP or reseller for a distributor's customer (tier 2), none otherwise."""
    if org.is_partner:
        return []
    if not org.is_sub_org:
        return list(PartnerType)
    parent = session.get(Org, org.parent_id)
    if parent is None or not parent.is_distributor:
        return []
    return [t for t in PartnerType if t in TIER_TWO_TYPES]


@router.post("/operator/orgs/{org_id}/partner-activation")
def activate_partner(target: OrgPage(P.PLATFORM_ORGS_MANAGE), form: FormDep) -> Response:
    body = validated(PartnerActivation, {"partner_type": form.get("partner_type")})
    service.activate_partner(
        target.session, target.trail, target.org, partner_type=body.partner_type
    )
    return done(_page(target.org.id), "partner")


@router.post("/operator/orgs/{org_id}/sub-orgs")
def create_sub_org(
    target: OrgPage(P.PLATFORM_ORGS_MANAGE), identity: IdentityDep, form: FormDep
) -> Response:
    body = validated(
        SubOrgCreate,
        {
            "name": form.get("name", "").strip(),
            "salesforce_id": form.get("salesforce_id", "").strip(),
            "customer_name": form.get("customer_name", "").strip(),
            "primary_admin_email": form.get("primary_admin_email", "").strip() or None,
        },
    )
    sub = service.create_sub_org(
        target.session,
        target.trail,
        identity,
        target.org,
        name=body.name,
        salesforce_id=body.salesforce_id,
        customer_name=body.customer_name,
        primary_admin_email=str(body.primary_admin_email) if body.primary_admin_email else None,
    )
    return done(_page(sub.id), "sub_org")


@router.post("/operator/orgs/{org_id}/licenses")
def grant_license(target: OrgPage(P.PLATFORM_ORGS_MANAGE), form: FormDep) -> Response:
    body = validated(
        LicenseCreate,
        {
            "sku": form.get("sku", "").strip(),
            "unit": form.get("unit", "").strip(),
            "quantity": form.get("quantity", ""),
            "starts_at": _day_start(form.get("starts_on", "")),
            "ends_at": _day_start(form.get("ends_on", "")),
            "overage_policy": form.get("overage_policy") or "block",
            "salesforce_contract_id": form.get("salesforce_contract_id", "").strip() or None,
        },
    )
    grants.grant_requested_license(target.session, target.trail, target.org, body)
    return done(_page(target.org.id), "license")


@router.post("/operator/orgs/{org_id}/licenses/{license_id}")
def change_license(
    license_id: uuid.UUID, target: OrgPage(P.PLATFORM_ORGS_MANAGE), form: FormDep
) -> Response:
    """Change a license's quantity, last day or overage, or end it (PATCH .../licenses/{id})."""
    given = {
        "quantity": form.get("quantity", "").strip() or None,
        "ends_at": _day_start(form.get("ends_on", "")) or None,
        "overage_policy": form.get("overage_policy") or None,
        "status": form.get("status") or None,
    }
    body = validated(LicenseUpdate, given)
    grants.change_requested_license(target.session, target.trail, target.org, license_id, body)
    return done(_page(target.org.id), "license_changed")


@router.post("/operator/orgs/{org_id}/status")
def change_status(
    request: Request, target: OrgPage(P.PLATFORM_ORGS_MANAGE), form: FormDep
) -> Response:
    body = validated(
        OrgUpdate, {"status": form.get("status"), "customers": form.get("customers") or None}
    )
    org = target.org
    deactivating = org.is_active and body.status == OrgStatus.DEACTIVATED
    if (
        deactivating
        and body.customers is None
        and deactivation.has_active_customers(target.session, org)
    ):
        # The operator chooses what the partner's customers do: ask, on a page of its own.
        return render(
            request,
            target.session,
            "operator_deactivate.html",
            title=f"Deactivate {org.name}",
            target_org=org,
        )
    service.update_org(
        target.session, target.trail, org, status=body.status, customers=body.customers
    )
    return done(_page(org.id), "status")


def _day_start(value: str) -> str:
    value = value.strip()
    return f"{value}T00:00:00Z" if len(value) == 10 else value


PartnerRef = Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


@router.get("/operator/orgs/{org_id}/move")
def confirm_move(
    request: Request, target: OrgPage(P.PLATFORM_ORGS_MOVE), to: PartnerRef
) -> Response:
    """What moving the sub-org would do, to confirm: nothing is written."""
    partner = service.find_org(target.session, to)
    plan = moves.preview_move(target.session, target.org, partner)
    return render(
        request,
        target.session,
        "operator_move.html",
        title=f"Move {target.org.name}",
        target_org=target.org,
        plan=plan,
    )


@router.post("/operator/orgs/{org_id}/move")
def move_sub_org(target: OrgPage(P.PLATFORM_ORGS_MOVE), form: FormDep) -> Response:
    partner = service.find_org(target.session, form.get("to", ""))
    moves.move_sub_org(
        target.session,
        target.trail,
        target.org,
        partner,
        allow_overage=form.get("allow_overage") == "yes",
    )
    return done(_page(target.org.id), "moved")
