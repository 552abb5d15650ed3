"""A change of use, with the alerts it crosses raised in the same unit of work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.alerts.change_context import ChangeContext, read_context, readings_after
from tenantree.alerts.raising import (
    POOL_ROW,
    Raised,
    evaluate_use,
    evaluate_with_thresholds,
    pool_readings,
    quota_readings,
)
from tenantree.audit.service import AuditTrail
from tenantree.licensing.consumption import UsageResult, report_usage
from tenantree.licensing.models import LicensePool
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sources import current_path
from tenantree.licensing.usage_function import applies
from tenantree.orgs.models import Org
from tenantree.outbox import Outbox


def evaluate_after_usage(session: Session, outbox: Outbox, org: Org, sku: str) -> Raised:
    """Hold the pool the org draws the SKU from, and the org's quota, against
    their thresholds."""
    path = current_path(session, org)
    # A linked pool has no quantity of its own: the distributor's pool is held
    # against its thresholds (alerting its admins), the linked pool against the
    # partner's quota from the distributor (alerting the partner's).
    holder_id = path.holder_id if path.link is None else path.link.distributor_id
    now = clock.utcnow()
    pools = session.execute(
        select(*POOL_ROW).where(LicensePool.holder_org_id == holder_id, LicensePool.sku == sku)
    ).all()
    readings = pool_readings(session, pools, now)
    if path.holder_id != org.id:
        readings += quota_readings(session, sub_org_id=org.id, sku=sku)
    if path.link is not None:
        readings += quota_readings(session, sub_org_id=path.link.partner_id, sku=sku)
    return evaluate_use(session, outbox, readings, now)


def report_usage_and_alert(
    session: Session,
    trail: AuditTrail,
    outbox: Outbox,
    org: Org,
    *,
    sku: str,
    op: UsageOp,
    amount: int,
    sees_pool_figures: bool,
    sees_distributor_figures: bool = False,
) -> UsageResult:
    """licensing.consumption.report_usage, then the alerts it crosses (or clears).

    Where the database function applies changes (PostgreSQL), what the
    decision needs besides the figures is read before the change
    (alerts.change_context), so that after the function's answer, with the
    pool's row locked, one statement is read: the crossings.
    """
    context = read_context(session, org, sku) if applies(session) else None
    result = report_usage(
        session, trail, org, sku=sku, op=op, amount=amount, sees_pool_figures=sees_pool_figures,
        sees_distributor_figures=sees_distributor_figures,
    )  # fmt: skip
    alert_after_change(session, outbox, org, sku, context, result)
    return result


def alert_after_change(
    session: Session,
    outbox: Outbox,
    org: Org,
    sku: str,
    context: ChangeContext | None,
    result: UsageResult,
) -> Raised:
    """The alerts a change crosses: from the context read before it and the
    function's figures when they fit, else everything read again."""
    if context is not None and result.applied is not None:
        fitted = readings_after(context, result.applied, org.id, sku)
        if fitted is not None:
            readings, percents = fitted
            holder = result.applied.holder_id
            return evaluate_with_thresholds(
                session, outbox, readings, {holder: percents}, clock.utcnow()
            )
    return evaluate_after_usage(session, outbox, org, sku)
