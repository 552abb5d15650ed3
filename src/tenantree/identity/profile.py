"""What a signed-in person sees of themselves."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.identity.models import Membership
from tenantree.orgs.models import Org


def memberships_of(session: Session, account_id: uuid.UUID) -> list[tuple[Membership, Org]]:
    rows = session.execute(
        select(Membership, Org)
        .join(Org, Org.id == Membership.org_id)
        # Entries awaiting the person's consent are their pending invitations instead.
        .where(Membership.account_id == account_id, ~Membership.awaiting_consent)
        .order_by(Org.name, Org.id)
    ).all()
    return [(m, o) for m, o in rows]
