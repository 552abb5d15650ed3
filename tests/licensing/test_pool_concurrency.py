"""Many consumers at once on one MSP pool: the total never passes the quantity.

On PostgreSQL every change moves the pool's use with one conditional UPDATE
(which takes the row's lock to COMMIT), planned on a figure read without the
lock and planned again when the UPDATE finds it moved; on SQLite every write
transaction begins IMMEDIATE, so writers are serialised.
Threads start together at a barrier and each uses a session of its own.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from licensing_support import run_at_once
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factories import make_license, make_partner, make_sub_org
from tenantree.audit.models import AuditEvent
from tenantree.audit.service import AuditTrail
from tenantree.licensing import consumption
from tenantree.licensing.errors import PoolExhausted
from tenantree.licensing.models import Consumption, LicensePool, UsageSnapshot
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.models import Org


def arrange(sessions: sessionmaker[Session], *, consumers: int, quantity: int) -> list[uuid.UUID]:
    with sessions() as session:
        partner = make_partner(session)
        make_license(session, partner, quantity=quantity)
        ids = [make_sub_org(session, partner).id for _ in range(consumers)]
        session.commit()
    return ids


def consume_at_once(
    new_session: Callable[[], Session], org_ids: list[uuid.UUID], *, attempts: int
) -> tuple[Counter[str], list[BaseException]]:
    """One thread per org id, all released together; each adds 1 unit `attempts` times."""

    def worker(org_id: uuid.UUID) -> list[str]:
        outcomes = []
        for _ in range(attempts):
            with new_session() as session:
                org = session.get(Org, org_id)
                trail = AuditTrail(session, actor_id=None)
                try:
                    consumption.report_usage(
                        session,
                        trail,
                        org,
                        sku="mon",
                        op=UsageOp.ADD,
                        amount=1,
                        sees_pool_figures=False,
                    )
                    outcome = "consumed"
                except PoolExhausted:
                    outcome = "refused"
                session.commit()  # as the API does: a refusal's audit event is kept
                outcomes.append(outcome)
        return outcomes

    return run_at_once(worker, org_ids)


def assert_pool_filled_exactly(
    sessions: sessionmaker[Session], org_ids: list[uuid.UUID], quantity: int, counts: Counter[str]
) -> None:
    with sessions() as session:
        pool = session.scalars(
            select(LicensePool)
            .join(Org, Org.parent_id == LicensePool.holder_org_id)
            .where(Org.id == org_ids[0])
        ).one()
        consumed = session.scalar(
            select(func.sum(Consumption.units)).where(Consumption.pool_id == pool.id)
        )
        assert pool.used == quantity
        assert consumed == quantity
        assert counts["consumed"] == quantity
        # Each accepted change saw the pool one unit fuller than the one before it.
        seen = session.scalars(
            select(UsageSnapshot.pool_used).where(UsageSnapshot.pool_id == pool.id)
        ).all()
        assert sorted(seen) == list(range(1, quantity + 1))
        refusals = session.scalar(
            select(func.count()).where(
                AuditEvent.action == "usage.refused", AuditEvent.org_id.in_(org_ids)
            )
        )
        assert refusals == counts["refused"]
        session.commit()


@pytest.mark.postgres_only
def test_sixty_threads_on_distinct_sub_orgs_fill_the_pool_exactly(db, sessions, wide_sessions):
    threads, attempts, quantity = 60, 5, 200  # demand 300 > 200
    org_ids = arrange(sessions, consumers=threads, quantity=quantity)
    counts, failures = consume_at_once(wide_sessions, org_ids, attempts=attempts)
    assert failures == []
    assert counts == {"consumed": quantity, "refused": threads * attempts - quantity}
    assert_pool_filled_exactly(sessions, org_ids, quantity, counts)


@pytest.mark.postgres_only
def test_fifty_threads_sharing_five_sub_orgs_fill_the_pool_exactly(db, sessions, wide_sessions):
    # Several threads make the same org's first consumption at once, too.
    threads, attempts, quantity = 50, 3, 120  # demand 150 > 120
    org_ids = arrange(sessions, consumers=5, quantity=quantity)
    counts, failures = consume_at_once(wide_sessions, org_ids * (threads // 5), attempts=attempts)
    assert failures == []
    assert counts == {"consumed": quantity, "refused": threads * attempts - quantity}
    assert_pool_filled_exactly(sessions, org_ids, quantity, counts)


def test_ten_threads_fill_the_pool_exactly_on_either_database(db, sessions):
    # SQLite serialises the writers (BEGIN IMMEDIATE, 30 s busy timeout);
    # a "database is locked" here would be a failure, not hidden.
    threads, attempts, quantity = 10, 5, 30  # demand 50 > 30
    org_ids = arrange(sessions, consumers=threads, quantity=quantity)
    counts, failures = consume_at_once(sessions, org_ids, attempts=attempts)
    assert failures == []
    assert counts == {"consumed": quantity, "refused": threads * attempts - quantity}
    assert_pool_filled_exactly(sessions, org_ids, quantity, counts)
