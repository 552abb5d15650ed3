"""An org's verified email domains; every org's claims for the operator."""

from __future__ import annotations

import uuid

from fastapi import Response

from tenantree.access.permissions import Permission as P
from tenantree.api.deps import (
    BrandingDep,
    OperatorDep,
    OrgWith,
    SessionDep,
    TrailDep,
    UnitOfWorkRoute,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.common import ErrorResponse
from tenantree.api.schemas.domains import (
    ClaimedDomainList,
    ClaimedDomainOut,
    DomainClaimBody,
    EmailDomainList,
    EmailDomainOut,
)
from tenantree.branding.domains import record_name, record_value
from tenantree.domains import service
from tenantree.domains.models import EmailDomain
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["domains"], responses=ERROR_RESPONSES
)
ORG_DOMAINS = "/orgs/{org_id}/domains"


def domain_out(claim: EmailDomain) -> EmailDomainOut:
    return EmailDomainOut(
        id=claim.id,
        org_id=claim.org_id,
        domain=claim.domain,
        status="verified" if claim.verified_at is not None else "pending",
        txt_record_name=record_name(claim.domain),
        txt_record_value=record_value(claim),
        claimed_at=claim.created_at,
        verified_at=claim.verified_at,
    )


@router.get(ORG_DOMAINS, response_model=EmailDomainList, operation_id="list_org_domains")
def list_domains(target: OrgWith(P.ORG_DOMAINS_MANAGE)) -> EmailDomainList:
    return EmailDomainList(
        items=[domain_out(c) for c in service.claims_of(target.session, target.org.id)]
    )


@router.post(
    ORG_DOMAINS,
    response_model=EmailDomainOut,
    status_code=201,
    operation_id="claim_org_domain",
    description="Claims an email domain; publish the TXT record it names, then verify. "
    "A claim blocks no other org until it is verified.",
)
def claim_domain(
    body: DomainClaimBody, target: OrgWith(P.ORG_DOMAINS_MANAGE), config: BrandingDep
) -> EmailDomainOut:
    claim = service.claim_domain(
        target.session,
        target.trail,
        target.org,
        body.domain,
        reserved=service.platform_domains(config),
    )
    return domain_out(claim)


@router.post(
    ORG_DOMAINS + "/{domain_id}/verify",
    response_model=EmailDomainOut,
    operation_id="verify_org_domain",
    description="Looks up the claim's TXT record. 409 `domain_not_verified` when it is not "
    "there yet, 409 `domain_unavailable` when this org cannot have the domain; "
    "503 when DNS cannot be asked.",
    responses={
        503: {"model": ErrorResponse, "description": "DNS could not be asked; try again later"}
    },
)
def verify_domain(
    domain_id: uuid.UUID, target: OrgWith(P.ORG_DOMAINS_MANAGE), config: BrandingDep
) -> EmailDomainOut:
    claim = service.verify_claim(
        target.session, target.trail, config.verifier, target.org, domain_id
    )
    return domain_out(claim)


@router.delete(ORG_DOMAINS + "/{domain_id}", status_code=204, operation_id="remove_org_domain")
def remove_domain(domain_id: uuid.UUID, target: OrgWith(P.ORG_DOMAINS_MANAGE)) -> Response:
    service.remove_claim(target.session, target.trail, target.org, domain_id)
    return Response(status_code=204)


@router.get("/domains", response_model=ClaimedDomainList, operation_id="list_every_domain_claim")
def list_every_claim(_: OperatorDep, session: SessionDep) -> ClaimedDomainList:
    return ClaimedDomainList(
        items=[
            ClaimedDomainOut(**domain_out(claim).model_dump(), org_name=org.name)
            for claim, org in service.every_claim(session)
        ]
    )


@router.delete(
    "/domains/{domain_id}",
    status_code=204,
    operation_id="revoke_domain_claim",
    description="Operators only: ends any org's claim, verified or not.",
)
def revoke_claim(
    domain_id: uuid.UUID, _: OperatorDep, session: SessionDep, trail: TrailDep
) -> Response:
    service.revoke_claim(session, trail, domain_id)
    return Response(status_code=204)
