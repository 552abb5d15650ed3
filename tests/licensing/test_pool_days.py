"""A pool's daily rows (UsagePoolDaily) are kept current by every change of
use, in either form of the rule: they equal its consumers' rows summed."""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from usage_history import change_use

from factories import make_license, make_partner, make_sub_org
from tenantree import clock
from tenantree.audit.service import AuditTrail
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.history import sum_pool_days
from tenantree.licensing.models import LicensePool, UsagePoolDaily
from tenantree.licensing.pool import UsageOp
from tenantree.migrations import versions

START = datetime(2025, 3, 1, 8, tzinfo=UTC)


def _pool_days(session, pool_id):  # type: ignore[no-untyped-def]
    p = UsagePoolDaily
    return session.execute(
        select(p.day, p.rise_units, p.moved_units).where(p.pool_id == pool_id).order_by(p.day)
    ).all()


@pytest.mark.parametrize("seed", range(3))
def test_a_pools_days_kept_by_changes_are_its_consumers_days_summed(session, monkeypatch, seed):  # type: ignore[no-untyped-def]
    # Consumers that start and stop on different days, change several times
    # a day or not for days, rise and fall, release to 0; one consumer's change
    # may be dated before another's written earlier (a clock behind).
    rng = random.Random(seed)
    moment = [START]
    monkeypatch.setattr(clock, "utcnow", lambda: moment[0])
    partner = make_partner(session)
    make_license(session, partner, quantity=10_000)
    orgs = [partner] + [make_sub_org(session, partner) for _ in range(4)]
    trail = AuditTrail(session, actor_id=None)
    for day in range(20):
        for org in orgs:
            if rng.random() < 0.5:
                continue
            for second in sorted(rng.sample(range(86_400), rng.choice([1, 2, 4]))):
                moment[0] = START + timedelta(days=day, seconds=second)
                report_usage(session, trail, org, sku="mon", op=UsageOp.SET,
                             amount=rng.choice([0, rng.randint(1, 60)]),
                             sees_pool_figures=True)  # fmt: skip
    pool = session.scalars(select(LicensePool).where(LicensePool.holder_org_id == partner.id)).one()
    kept = _pool_days(session, pool.id)
    assert len(kept) > 10
    sum_pool_days(session, [pool.id])
    summed = _pool_days(session, pool.id)
    assert kept == summed


def test_migration_0025_backfills_the_pools_days_the_changes_keep(session):  # type: ignore[no-untyped-def]
    partner = make_partner(session)
    consumers = [partner.id, make_sub_org(session, partner).id, make_sub_org(session, partner).id]
    pool = LicensePool(holder_org_id=partner.id, sku="mon", unit="seats")
    session.add(pool)
    session.flush()
    for i, (day, units) in enumerate([(0, 5), (0, 9), (1, 2), (4, 7), (4, 0), (6, 3), (9, 8)]):
        at = START + timedelta(days=day, hours=i)
        change_use(session, pool.id, consumers[i % 3], units, at)
    kept = _pool_days(session, pool.id)
    assert len(kept) == 5

    session.execute(delete(UsagePoolDaily))
    path = Path(versions.__path__[0]) / "0025_usage_pool_daily.py"
    spec = importlib.util.spec_from_file_location("migration_0025", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    session.execute(text(migration._BACKFILL))
    assert _pool_days(session, pool.id) == kept
