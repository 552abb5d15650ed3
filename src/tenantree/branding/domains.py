"""Custom domains: claims, DNS TXT proof of ownership, and finding the org of a host.

An org claims a hostname by naming it in its brand; the claim carries a
random token the org publishes as a TXT record. A pending claim blocks nobody:
several orgs may claim a hostname, the first to prove it holds it, and the
others' pending claims are released then. What another org refused says
nothing of who holds the hostname (one neutral message). `DomainVerifier` is the one
thing that asks the DNS, so tests (which have no DNS) pass a double.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.branding.errors import (
    DnsUnavailable,
    DomainNotVerified,
    DomainUnavailable,
    NoDomainClaim,
)
from tenantree.branding.models import DomainClaim
from tenantree.orgs.models import Org

TXT_LABEL = "_tenantree-challenge"
TXT_VALUE_PREFIX = "tenantree-domain-verification="
# The one answer to an org that cannot have a hostname: it must not tell that
# another tenant holds it, nor which.
UNAVAILABLE = "this domain cannot be verified for this org"


class DomainVerifier(Protocol):
    def txt_records(self, name: str) -> list[str]:
        """The TXT strings published at `name` ([] if none); DnsUnavailable if DNS fails."""
        ...


class DnsTxtVerifier:
    """Asks the system's resolvers through dnspython."""

    def __init__(self, timeout: float = 5.0):
        self.timeout = timeout

    def txt_records(self, name: str) -> list[str]:
        import dns.exception
        import dns.resolver

        try:
            resolver = dns.resolver.Resolver()
            answer = resolver.resolve(name, "TXT", lifetime=self.timeout, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.YXDOMAIN):
            return []
        except dns.exception.DNSException as exc:  # timeout, no servers, no resolv.conf
            raise DnsUnavailable(
                f"the DNS could not be asked for {name} ({type(exc).__name__}); try again later"
            ) from exc
        return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def record_name(hostname: str) -> str:
    return f"{TXT_LABEL}.{hostname}"


class _Claim(Protocol):
    token: str


def record_value(claim: _Claim) -> str:
    """The TXT value proving a claim (a custom domain's or an email domain's)."""
    return TXT_VALUE_PREFIX + claim.token


def require_txt_proof(verifier: DomainVerifier, domain: str, claim: _Claim) -> None:
    """DomainNotVerified (saying what to publish) unless the claim's TXT record is there."""
    name, expected = record_name(domain), record_value(claim)
    found = verifier.txt_records(name)
    if expected not in (value.strip() for value in found):
        raise DomainNotVerified(
            f"no TXT record {name} with the value {expected} was found "
            f"({len(found)} other TXT value(s) there); create it at your DNS provider, "
            "wait for it to propagate, then verify again",
            extra={"txt_record_name": name, "txt_record_value": expected},
        )


def claims_of(session: Session, org_id: uuid.UUID) -> list[DomainClaim]:
    return list(
        session.scalars(
            select(DomainClaim).where(DomainClaim.org_id == org_id).order_by(DomainClaim.hostname)
        )
    )


def sync_claims(session: Session, trail: AuditTrail, org: Org, wanted: set[str]) -> None:
    """Make the org's claims exactly the hostnames its draft and published brand name."""
    held = {claim.hostname: claim for claim in claims_of(session, org.id)}
    for hostname in sorted(wanted - set(held)):
        if verified_owner(session, hostname) is not None:
            raise DomainUnavailable(
                f"custom_domain {hostname}: {UNAVAILABLE}", field="custom_domain"
            )
        claim = DomainClaim(
            org_id=org.id,
            hostname=hostname,
            token=secrets.token_urlsafe(24),
            created_at=clock.utcnow(),
        )
        session.add(claim)
        session.flush()
        trail.record(
            AuditAction.BRAND_DOMAIN_CLAIMED,
            org_id=org.id,
            target_type="domain_claim",
            target_id=claim.id,
            hostname=hostname,
            txt_record_name=record_name(hostname),
        )
    for hostname in sorted(set(held) - wanted):
        claim = held[hostname]
        session.delete(claim)
        session.flush()
        trail.record(
            AuditAction.BRAND_DOMAIN_RELEASED,
            org_id=org.id,
            target_type="domain_claim",
            target_id=claim.id,
            hostname=hostname,
            was_verified=claim.verified_at is not None,
        )


def verify_domain(
    session: Session,
    trail: AuditTrail,
    verifier: DomainVerifier,
    org: Org,
    hostname: str | None,
    *,
    default: str | None,
) -> DomainClaim:
    """Check the TXT record of one of the org's claims (default: its draft's domain)."""
    claims = {claim.hostname: claim for claim in claims_of(session, org.id)}
    wanted = hostname or default or (next(iter(claims)) if len(claims) == 1 else None)
    claim = claims.get(wanted) if wanted else None
    if claim is None:
        raise NoDomainClaim(
            "this org has no claim on that domain; set custom_domain in the draft brand first"
            if wanted
            else "this org claims no custom domain; set custom_domain in the draft brand first",
            field="hostname" if hostname else None,
        )
    if claim.verified_at is not None:
        return claim
    if verified_owner(session, claim.hostname) is not None:
        raise DomainUnavailable(UNAVAILABLE, field="hostname" if hostname else None)
    require_txt_proof(verifier, claim.hostname, claim)
    claim.verified_at = clock.utcnow()
    session.flush()  # the partial unique index settles a race between two provers
    trail.record(
        AuditAction.BRAND_DOMAIN_VERIFIED,
        org_id=org.id,
        target_type="domain_claim",
        target_id=claim.id,
        hostname=claim.hostname,
    )
    _release_others(session, trail, claim)
    return claim


def _release_others(session: Session, trail: AuditTrail, won: DomainClaim) -> None:
    """The other orgs' pending claims on a hostname someone proved end here."""
    others = session.scalars(
        select(DomainClaim).where(DomainClaim.hostname == won.hostname, DomainClaim.id != won.id)
    ).all()
    for claim in others:
        session.delete(claim)
        session.flush()
        # A platform event: in the releasing org's own log it would name the winner.
        trail.record(
            AuditAction.BRAND_DOMAIN_RELEASED,
            org_id=None,
            target_type="domain_claim",
            target_id=claim.id,
            hostname=claim.hostname,
            claimed_by_org_id=str(claim.org_id),
            was_verified=False,
        )


def verified_hostnames(session: Session, org_ids: list[uuid.UUID]) -> set[tuple[uuid.UUID, str]]:
    rows = session.execute(
        select(DomainClaim.org_id, DomainClaim.hostname).where(
            DomainClaim.org_id.in_(org_ids), DomainClaim.verified_at.is_not(None)
        )
    )
    return {(org_id, hostname) for org_id, hostname in rows}


def verified_owner(session: Session, hostname: str) -> uuid.UUID | None:
    return session.scalar(
        select(DomainClaim.org_id).where(
            DomainClaim.hostname == hostname, DomainClaim.verified_at.is_not(None)
        )
    )
