"""Email domain claims as console lists: found by domain, ordered by the database.
The caller has asked the policy (an org's own claims, or the operator's view)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tenantree.domains.models import EmailDomain
from tenantree.errors import Invalid
from tenantree.orgs.models import Org
from tenantree.pagination import contains

# "status" orders pending before verified (as the words do), then by domain.
CLAIM_SORTS: dict[str, tuple[Any, ...]] = {
    "domain": (EmailDomain.domain,),
    "status": (EmailDomain.verified_at.is_not(None), EmailDomain.domain),
    "created": (EmailDomain.created_at,),
}


def _ordered(query: Select[Any], q: str | None, sort: str, descending: bool) -> Select[Any]:
    if sort not in CLAIM_SORTS:
        raise Invalid(f"sort must be one of {', '.join(CLAIM_SORTS)}", field="sort")
    if q:
        query = query.where(contains(EmailDomain.domain, q))
    columns = (*CLAIM_SORTS[sort], EmailDomain.id)
    return query.order_by(*[c.desc() if descending else c.asc() for c in columns])


def org_claims(
    session: Session, org_id: uuid.UUID, *, q: str | None, sort: str, descending: bool
) -> list[EmailDomain]:
    """One org's claims (a handful) whose domain contains `q`."""
    query = select(EmailDomain).where(EmailDomain.org_id == org_id)
    return list(session.scalars(_ordered(query, q, sort, descending)))


def every_claim(
    session: Session, *, q: str | None, sort: str, descending: bool
) -> list[tuple[EmailDomain, Org]]:
    """Every org's claims whose domain contains `q`, each with its org (operator only)."""
    query = select(EmailDomain, Org).join(Org, Org.id == EmailDomain.org_id)
    return [(claim, org) for claim, org in session.execute(_ordered(query, q, sort, descending))]
