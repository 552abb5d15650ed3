"""An org's email domains (claim, the TXT record to publish, verify, remove), and
every org's claims for the operator."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantree.access.permissions import Permission as P
from tenantree.branding.domains import record_name, record_value
from tenantree.console.deps import FormDep, OperatorViewer, OrgPage, trail_for
from tenantree.console.forms import done, validated
from tenantree.console.listing import Listing, Search, Word, direction
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.domains import listing, service
from tenantree.domains.models import EmailDomain
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.domains import DomainClaimBody
from tenantree.web.services import BrandingDep
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

DONE = {
    "claimed": "Domain claimed. Publish its TXT record, then verify.",
    "verified": "Domain verified: accounts with an address there are now managed by this org.",
    "removed": "Domain removed.",
    "revoked": "Claim revoked.",
}


def _rows(claims: list[EmailDomain]) -> list[tuple[EmailDomain, str, str]]:
    return [(c, record_name(c.domain), record_value(c)) for c in claims]


def _page(org_id: uuid.UUID) -> str:
    return f"/orgs/{org_id}/domains"


@router.get("/orgs/{org_id}/domains")
def domains_page(
    request: Request,
    target: OrgPage(P.ORG_DOMAINS_MANAGE),
    done: str = "",
    q: Search = "",
    sort: Word = "domain",
    dir: Word = "asc",  # noqa: A002 - the parameter's name
) -> Response:
    order = Listing(_page(target.org.id), {"q": q}, sort, direction(dir))
    claims = listing.org_claims(
        target.session, target.org.id, q=q or None, sort=sort, descending=order.descending
    )
    return render(
        request,
        target.session,
        "domains.html",
        title=f"Email domains of {target.org.name}",
        claims=_rows(claims),
        listing=order,
        q=q,
        notice=DONE.get(done),
    )


@router.post("/orgs/{org_id}/domains")
def claim_domain(
    target: OrgPage(P.ORG_DOMAINS_MANAGE), config: BrandingDep, form: FormDep
) -> Response:
    body = validated(DomainClaimBody, {"domain": form.get("domain", "")})
    service.claim_domain(
        target.session,
        target.trail,
        target.org,
        body.domain,
        reserved=service.platform_domains(config),
    )
    return done(_page(target.org.id), "claimed")


@router.post("/orgs/{org_id}/domains/{domain_id}/verify")
def verify_domain(
    domain_id: uuid.UUID, target: OrgPage(P.ORG_DOMAINS_MANAGE), config: BrandingDep
) -> Response:
    service.verify_claim(target.session, target.trail, config.verifier, target.org, domain_id)
    return done(_page(target.org.id), "verified")


@router.post("/orgs/{org_id}/domains/{domain_id}/remove")
def remove_domain(domain_id: uuid.UUID, target: OrgPage(P.ORG_DOMAINS_MANAGE)) -> Response:
    service.remove_claim(target.session, target.trail, target.org, domain_id)
    return done(_page(target.org.id), "removed")


@router.get("/operator/domains")
def every_claim(
    request: Request,
    session: SessionDep,
    _: OperatorViewer,
    done: str = "",
    q: Search = "",
    sort: Word = "domain",
    dir: Word = "asc",  # noqa: A002 - the parameter's name
) -> Response:
    order = Listing("/operator/domains", {"q": q}, sort, direction(dir))
    claims = listing.every_claim(session, q=q or None, sort=sort, descending=order.descending)
    return render(
        request,
        session,
        "operator_domains.html",
        title="Operator: email domain claims",
        claims=claims,
        listing=order,
        q=q,
        notice=DONE.get(done),
    )


@router.post("/operator/domains/{domain_id}/revoke")
def revoke_claim(
    request: Request, domain_id: uuid.UUID, session: SessionDep, viewer: OperatorViewer
) -> Response:
    service.revoke_claim(session, trail_for(request, session, viewer), domain_id)
    return done("/operator/domains", "revoked")
