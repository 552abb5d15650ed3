"""A window's end is audited once, however many requests observe it at once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from factories import make_member, make_partner, make_sub_org
from tenantree import clock
from tenantree.access.facts import load_org
from tenantree.access.lapses import record_lapses
from tenantree.audit.models import AuditEvent
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.identity.roles import Role
from tenantree.orgs.sub_org_access import SubOrgPartnerUser


@pytest.mark.postgres_only  # SQLite writes one at a time: nothing to race
def test_concurrent_requests_audit_a_closed_window_once(db, sessions, identity):
    observers = 4  # within the engine's connection pool
    with sessions() as session:
        partner = make_partner(session)
        helper = make_member(session, identity, partner, role=Role.ADMIN)
        sub_org = make_sub_org(session, partner, partner_users=[])
        session.add(
            SubOrgPartnerUser(
                sub_org_id=sub_org.id,
                membership_id=helper.id,
                expires_at=clock.utcnow() - timedelta(minutes=1),
            )
        )
        session.commit()
        sub_org_id = sub_org.id
    barrier = threading.Barrier(observers, timeout=60)

    def observe() -> None:
        with sessions() as session, UnitOfWork(session):
            loaded = load_org(session, sub_org_id)
            assert loaded is not None
            barrier.wait()
            record_lapses(session, loaded.facts)

    with ThreadPoolExecutor(max_workers=observers) as pool:
        for future in [pool.submit(observe) for _ in range(observers)]:
            future.result()
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "access.partner_access_lapsed", AuditEvent.org_id == sub_org_id
            )
        )
    assert count == 1
