"""Claiming, proving, removing and revoking an org's email domains; the questions
other packages ask of them. Services flush; the request commits.

The proof reuses the custom-domain DNS check (`branding.domains`): the org
publishes `_tenantree-challenge.<domain>` TXT `tenantree-domain-verification=<token>`.
A pending claim blocks nobody; the first org to prove a domain holds it; other
orgs' pending claims stay (if the holder's claim is removed or revoked, they may
prove it next), and what an org is refused never says who holds the domain.
"""

from __future__ import annotations

import secrets
import uuid
from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.branding.config import BrandingConfig
from tenantree.branding.domains import DomainVerifier, record_name, require_txt_proof
from tenantree.domains.errors import (
    DomainAlreadyClaimed,
    DomainClaimNotFound,
    DomainTaken,
)
from tenantree.domains.models import EmailDomain
from tenantree.domains.names import normalize_domain
from tenantree.orgs.models import Org

# The one answer to an org that cannot have a domain: never who holds it.
UNAVAILABLE = "this domain cannot be verified for this org"


def platform_domains(config: BrandingConfig) -> frozenset[str]:
    """The platform's own domains (its hosts and its sender's), which no org may claim."""
    sender = parseaddr(config.platform.email_from_address or "")[1].rpartition("@")[2].lower()
    return config.platform_hosts | ({sender} if sender else set())


def claims_of(session: Session, org_id: uuid.UUID) -> list[EmailDomain]:
    return list(
        session.scalars(
            select(EmailDomain).where(EmailDomain.org_id == org_id).order_by(EmailDomain.domain)
        )
    )


def every_claim(session: Session) -> list[tuple[EmailDomain, Org]]:
    """Every org's claims, for the operator: by domain, the verified one first."""
    rows = session.execute(
        select(EmailDomain, Org)
        .join(Org, Org.id == EmailDomain.org_id)
        .order_by(EmailDomain.domain, EmailDomain.verified_at.is_(None), EmailDomain.created_at)
    )
    return [(claim, org) for claim, org in rows]


def verified_owner(session: Session, domain: str) -> uuid.UUID | None:
    return session.scalar(
        select(EmailDomain.org_id).where(
            EmailDomain.domain == domain, EmailDomain.verified_at.is_not(None)
        )
    )


def verified_domains(session: Session, org_ids: list[uuid.UUID]) -> set[str]:
    """The domains these orgs have proven."""
    return set(
        session.scalars(
            select(EmailDomain.domain).where(
                EmailDomain.org_id.in_(org_ids), EmailDomain.verified_at.is_not(None)
            )
        )
    )


def sender_domains(session: Session, org: Org) -> set[str]:
    """The domains the platform's sender may send the org's mail from: its own
    verified domains and its partner's."""
    return verified_domains(session, [org.id] + ([org.parent_id] if org.parent_id else []))


def claim_domain(
    session: Session, trail: AuditTrail, org: Org, raw: str, *, reserved: frozenset[str]
) -> EmailDomain:
    domain = normalize_domain(raw, reserved=reserved)
    if session.scalar(
        select(EmailDomain.id).where(EmailDomain.org_id == org.id, EmailDomain.domain == domain)
    ):
        raise DomainAlreadyClaimed(f"this org already claims {domain}", field="domain")
    if verified_owner(session, domain) is not None:
        raise DomainTaken(f"domain {domain}: {UNAVAILABLE}", field="domain")
    claim = EmailDomain(
        org_id=org.id, domain=domain, token=secrets.token_urlsafe(24), created_at=clock.utcnow()
    )
    session.add(claim)
    session.flush()
    trail.record(
        AuditAction.DOMAIN_CLAIMED,
        org_id=org.id,
        target_type="email_domain",
        target_id=claim.id,
        domain=domain,
        txt_record_name=record_name(domain),
    )
    return claim


def get_claim(session: Session, org: Org, claim_id: uuid.UUID) -> EmailDomain:
    claim = session.get(EmailDomain, claim_id)
    if claim is None or claim.org_id != org.id:
        raise DomainClaimNotFound("this org has no such domain claim")
    return claim


def verify_claim(
    session: Session, trail: AuditTrail, verifier: DomainVerifier, org: Org, claim_id: uuid.UUID
) -> EmailDomain:
    """Look up the claim's TXT record; the first org to prove a domain holds it."""
    claim = get_claim(session, org, claim_id)
    if claim.verified_at is not None:
        return claim
    if verified_owner(session, claim.domain) is not None:
        raise DomainTaken(UNAVAILABLE)
    require_txt_proof(verifier, claim.domain, claim)
    claim.verified_at = clock.utcnow()
    session.flush()  # the partial unique index settles a race between two provers (409)
    trail.record(
        AuditAction.DOMAIN_VERIFIED,
        org_id=org.id,
        target_type="email_domain",
        target_id=claim.id,
        domain=claim.domain,
    )
    return claim


def remove_claim(session: Session, trail: AuditTrail, org: Org, claim_id: uuid.UUID) -> None:
    """The org gives up its claim (and, if verified, the accounts it managed)."""
    claim = get_claim(session, org, claim_id)
    _delete(session, trail, claim, AuditAction.DOMAIN_REMOVED)


def revoke_claim(session: Session, trail: AuditTrail, claim_id: uuid.UUID) -> EmailDomain:
    """The operator ends any org's claim, verified or not."""
    claim = session.get(EmailDomain, claim_id)
    if claim is None:
        raise DomainClaimNotFound("no such domain claim")
    _delete(session, trail, claim, AuditAction.DOMAIN_REVOKED)
    return claim


def _delete(session: Session, trail: AuditTrail, claim: EmailDomain, action: AuditAction) -> None:
    session.delete(claim)
    session.flush()
    trail.record(
        action,
        org_id=claim.org_id,
        target_type="email_domain",
        target_id=claim.id,
        domain=claim.domain,
        was_verified=claim.verified_at is not None,
    )
