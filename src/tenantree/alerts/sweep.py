"""The periodic sweep: every pool, quota and license nearing its end.

Run by `tenantree alerts sweep` and by the server's background loop
(server/alerts_loop.py). It catches what no usage change triggers: a license
nearing its end, a quantity lowered, a threshold changed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.alerts.raising import (
    POOL_ROW,
    Raised,
    evaluate_expiries,
    evaluate_use,
    pool_readings,
    quota_readings,
)
from tenantree.alerts.rules import EXPIRY_DAYS
from tenantree.licensing.models import License, LicensePool, LicenseStatus
from tenantree.outbox import Outbox


def sweep(session: Session, outbox: Outbox) -> Raised:
    """Evaluate everything once; flushes, the caller commits."""
    now = clock.utcnow()
    pools = session.execute(select(*POOL_ROW).order_by(LicensePool.id)).all()
    result = evaluate_use(session, outbox, pool_readings(session, pools, now), now)
    result.add(evaluate_use(session, outbox, quota_readings(session), now))
    ending = list(
        session.scalars(
            select(License)
            .where(
                License.status == LicenseStatus.ACTIVE,
                License.ends_at > now,
                License.ends_at <= now + timedelta(days=max(EXPIRY_DAYS)),
            )
            .order_by(License.id)
        )
    )
    result.add(evaluate_expiries(session, outbox, ending, now))
    return result
