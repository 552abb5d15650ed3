"""A consumer that loaded its sub-org before a move committed draws on the new
partner's pool: the partner is read again under the sub-org's lock (PostgreSQL,
READ COMMITTED; on SQLite writers are serialised from their first statement)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories import make_license, make_partner, make_sub_org
from tenantree.audit.service import AuditTrail
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.models import LicensePool
from tenantree.licensing.pool import UsageOp
from tenantree.lifecycle.moves import move_sub_org
from tenantree.orgs.models import Org


def _used(sessions, holder_id) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(
            select(LicensePool.used).where(LicensePool.holder_org_id == holder_id)
        )  # type: ignore[no-any-return]


@pytest.mark.postgres_only
def test_use_reported_across_a_move_goes_to_the_new_partners_pool(db, sessions, backend):  # type: ignore[no-untyped-def]
    with sessions() as session:
        old, new = make_partner(session), make_partner(session)
        make_license(session, old, quantity=10)
        make_license(session, new, quantity=10)
        customer_id, old_id, new_id = make_sub_org(session, old).id, old.id, new.id
        session.commit()

    with sessions() as consumer:
        stale = consumer.get(Org, customer_id)  # loaded under the old partner
        assert stale is not None and stale.parent_id == old_id
        with sessions() as operator:
            move_sub_org(
                operator,
                AuditTrail(operator, actor_id=None),
                operator.get(Org, customer_id),  # type: ignore[arg-type]
                operator.get(Org, new_id),  # type: ignore[arg-type]
                allow_overage=False,
            )
            operator.commit()
        report_usage(
            consumer,
            AuditTrail(consumer, actor_id=None),
            stale,
            sku="mon",
            op=UsageOp.ADD,
            amount=3,
            sees_pool_figures=True,
        )
        consumer.commit()

    assert _used(sessions, new_id) == 3
    assert _used(sessions, old_id) == 0
