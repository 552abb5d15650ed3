"""Managed accounts: an account belongs to its person, unless an org has proven
ownership of its email's domain. That org *manages* it: its relay, domain and
brand may carry the account's own mail (password reset), its provider may sign
the account in and create it just in time. No other org's setting reaches it.

A verified domain manages addresses exactly at that domain, not its subdomains
(prove eu.example.com separately).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.domains.models import EmailDomain
from tenantree.domains.names import email_domain


def managing_org_id(email: str, verified: Mapping[str, uuid.UUID]) -> uuid.UUID | None:
    """The rule: the org that verified the email's domain (`verified`: domain -> org)."""
    domain = email_domain(email)
    return verified.get(domain) if domain is not None else None


def org_managing(session: Session, email: str) -> uuid.UUID | None:
    """The id of the org that manages the account with this email, if any."""
    domain = email_domain(email)
    if domain is None:
        return None
    owner = session.scalar(
        select(EmailDomain.org_id).where(
            EmailDomain.domain == domain, EmailDomain.verified_at.is_not(None)
        )
    )
    return managing_org_id(email, {domain: owner} if owner is not None else {})


def manages(session: Session, org_id: uuid.UUID, email: str) -> bool:
    return org_managing(session, email) == org_id
