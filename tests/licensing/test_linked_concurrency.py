"""Many consumers at once drawing through two pools: tier-3 customers of
several MSPs whose pools draw on one distributor's pool, beside the
distributor's direct customers and the MSPs' own use. Neither level ever
passes its bound, and every pool's use stays the sum of its rows.

Each thread uses a session of its own; all start together at a barrier.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from licensing_support import run_at_once
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factories import make_license, make_partner, make_sub_org
from linked_pools_support import SKU, assert_linked_invariants, set_source, tier_two
from tenantree.audit.service import AuditTrail
from tenantree.errors import Conflict
from tenantree.licensing import consumption
from tenantree.licensing.errors import InvalidUsage
from tenantree.licensing.models import LicensePool, LicenseSource, Quota, UsageSnapshot
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org


def arrange(
    sessions: sessionmaker[Session],
    *,
    msps: int,
    customers: int,
    direct: int,
    quantity: int,
    quota: int,
) -> tuple[uuid.UUID, list[uuid.UUID], list[uuid.UUID]]:
    """The distributor, its MSPs (each under `quota`), and every consumer."""
    with sessions() as session:
        d = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
        make_license(session, d, quantity=quantity)
        partners = [tier_two(session, d) for _ in range(msps)]
        for partner in partners:
            session.add(Quota(sub_org_id=partner.id, sku=SKU, max_units=quota))
        consumers = [make_sub_org(session, p).id for p in partners for _ in range(customers)]
        for _ in range(direct):
            org = make_sub_org(session, d)
            set_source(session, org, LicenseSource.PARENT_POOL)
            consumers.append(org.id)
        consumers += [p.id for p in partners]  # their own use, into their own pools
        session.commit()
        return d.id, [p.id for p in partners], consumers


def consume_at_once(
    new_session: Callable[[], Session], org_ids: list[uuid.UUID], *, attempts: int
) -> tuple[Counter[str], list[BaseException]]:
    """One thread per org id, released together; each adds (sometimes releases) a unit."""

    def worker(org_id: uuid.UUID) -> list[str]:
        chance = random.Random(org_id.int)
        outcomes = []
        for _ in range(attempts):
            with new_session() as session:
                org = session.get_one(Org, org_id)
                op = UsageOp.RELEASE if chance.random() < 0.2 else UsageOp.ADD
                try:
                    consumption.report_usage(
                        session,
                        AuditTrail(session, actor_id=None),
                        org,
                        sku=SKU,
                        op=op,
                        amount=1,
                        sees_pool_figures=False,
                    )
                    outcome = "released" if op == UsageOp.RELEASE else "consumed"
                    session.commit()
                except Conflict:
                    outcome = "refused"
                    session.rollback()
                except InvalidUsage:  # a release when it uses nothing
                    outcome = "nothing_to_release"
                    session.rollback()
                outcomes.append(outcome)
        return outcomes

    return run_at_once(worker, org_ids)


def _check(
    sessions: sessionmaker[Session],
    distributor: uuid.UUID,
    partners: list[uuid.UUID],
    consumers: list[uuid.UUID],
    *,
    quantity: int,
    quota: int,
    counts: Counter[str],
) -> None:
    with sessions() as session:
        assert_linked_invariants(session, consumers + [distributor])
        used = session.scalar(
            select(LicensePool.used).where(LicensePool.holder_org_id == distributor)
        )
        assert used == counts["consumed"] - counts["released"]
        assert used <= quantity
        for partner in partners:
            linked = session.scalar(
                select(LicensePool.used).where(LicensePool.holder_org_id == partner)
            )
            assert (linked or 0) <= quota
        # No change ever saw either level past its bound.
        highest = dict(
            session.execute(
                select(LicensePool.holder_org_id, func.max(UsageSnapshot.pool_used))
                .join(UsageSnapshot, UsageSnapshot.pool_id == LicensePool.id)
                .group_by(LicensePool.holder_org_id)
            ).all()
        )
        assert highest.get(distributor, 0) <= quantity
        assert all(highest.get(p, 0) <= quota for p in partners)
        session.commit()


@pytest.mark.postgres_only
def test_tier_three_consumers_through_two_pools_never_pass_either_bound(
    db, sessions, wide_sessions
):  # type: ignore[no-untyped-def]
    # 4 MSPs x 10 customers + 8 direct customers + the 4 MSPs: 52 threads.
    # Demand (about 260 adds) passes both the quotas (4 x 35) and the quantity (120).
    quantity, quota = 120, 35
    distributor, partners, consumers = arrange(
        sessions, msps=4, customers=10, direct=8, quantity=quantity, quota=quota
    )
    counts, failures = consume_at_once(wide_sessions, consumers, attempts=6)
    assert failures == []
    assert counts["refused"] > 0  # the bounds were reached
    _check(
        sessions, distributor, partners, consumers, quantity=quantity, quota=quota, counts=counts
    )


def test_ten_threads_through_two_pools_on_either_database(db, sessions):  # type: ignore[no-untyped-def]
    quantity, quota = 15, 6
    distributor, partners, consumers = arrange(
        sessions, msps=2, customers=3, direct=2, quantity=quantity, quota=quota
    )
    counts, failures = consume_at_once(sessions, consumers, attempts=4)
    assert failures == []
    _check(
        sessions, distributor, partners, consumers, quantity=quantity, quota=quota, counts=counts
    )
