"""Consuming seats: moving an org's use of a SKU against the pools on its path."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tenantree import clock
from tenantree.access.policy import shows_pool
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import keep
from tenantree.errors import DomainError
from tenantree.licensing.consumer_state import changed_by, pool_use, read_consumer_state
from tenantree.licensing.errors import NoLicense
from tenantree.licensing.linked import linked_states, upstream_state
from tenantree.licensing.pool import Change, LinkedPool, UsageOp, plan_change
from tenantree.licensing.sources import DrawPath, lock_path
from tenantree.licensing.usage_function import Applied, applies, apply_change
from tenantree.orgs.models import Org


@dataclass(frozen=True)
class UsageResult:
    sku: str
    consumed: int
    over_quantity: bool
    # The database function's answer, when it applied the change (PostgreSQL,
    # a path without a linked pool): the figures the change left, for alerts.
    applied: Applied | None = None


def top_holder(path: DrawPath) -> uuid.UUID:
    """The holder of the pool whose licenses bound a use on this path."""
    return path.link.distributor_id if path.link is not None else path.holder_id


def _apply(
    session: Session,
    write: Callable[[bool], int | None],
    replan: Callable[[int], object],
    pool_id: uuid.UUID,
    *,
    bounded: bool,
) -> int:
    """Write a planned change to one pool; the pool's use after it.

    If another consumer took the units between the read and the conditional
    UPDATE, it matches nothing and the change is planned again on the newer
    figure (most often a refusal, no lock held) and, should that race too,
    under the pool's lock, where the figure cannot move.
    """
    used = write(bounded)
    if used is None:
        replan(pool_use(session, pool_id, lock=False))
        used = write(bounded)
    if used is None:
        replan(pool_use(session, pool_id, lock=True))
        used = write(False)
        assert used is not None
    return used


def _no_pool(sku: str) -> NoLicense:
    """The consumer's license source has no pool of the SKU (either form of the rule)."""
    return NoLicense(f"this org's license source holds no license of {sku}", field="sku")


def _audit_refusal(
    session: Session,
    trail: AuditTrail,
    refusal: DomainError,
    *,
    org_id: uuid.UUID,
    pool_id: uuid.UUID,
    sku: str,
    op: UsageOp,
    amount: int,
    current: int,
) -> None:
    """A refusal for want of units is audited although the work is rolled back: kept."""
    if refusal.status != 409:
        return
    reason = refusal.code
    keep(
        session,
        lambda: trail.record(
            AuditAction.USAGE_REFUSED,
            org_id=org_id,
            target_type="pool",
            target_id=pool_id,
            sku=sku,
            requested={op.value: amount},
            current=current,
            reason=reason,
        ),
    )


def _record_overage(
    trail: AuditTrail,
    org_id: uuid.UUID,
    *,
    pool_id: uuid.UUID,
    top_holder_id: uuid.UUID,
    sku: str,
    units: int,
    pool_overage: int,
) -> None:
    # allow_and_flag let this change take the pool over its quantity. The
    # event is in the consumer's audit trail, which a sub-org's own admins
    # read: how far a partner's pool is over is a pool figure they may not
    # see (its holder's admins have it in the parent report).
    trail.record(
        AuditAction.USAGE_OVERAGE,
        org_id=org_id,
        target_type="pool",
        target_id=pool_id,
        sku=sku,
        units=units,
        **(
            {"pool_overage": pool_overage}
            if shows_pool(False, holder_id=top_holder_id, org_id=org_id)
            else {}
        ),
    )


def _applied_in_database(
    session: Session,
    trail: AuditTrail,
    org: Org,
    applied: Applied,
    *,
    sku: str,
    op: UsageOp,
    amount: int,
    sees_pool_figures: bool,
) -> UsageResult:
    """Answer a change the database function applied or refused, as the Python
    form would: a refusal is raised by the rule itself on the figures the
    function decided on, so its message shows what the caller may see."""
    if applied.pool_id is None:
        raise _no_pool(sku)
    if applied.refusal is not None:
        try:
            plan_change(
                current=applied.current,
                op=op,
                amount=amount,
                pool=applied.pool,
                quota=applied.quota,
                sees_pool_figures=shows_pool(
                    sees_pool_figures, holder_id=applied.holder_id, org_id=org.id
                ),
            )
        except DomainError as refusal:
            if refusal.code != applied.refusal:
                raise RuntimeError(
                    f"usage rule forms disagree: {applied.refusal} in SQL, {refusal.code}"
                ) from refusal
            _audit_refusal(
                session, trail, refusal, org_id=org.id, pool_id=applied.pool_id, sku=sku,
                op=op, amount=amount, current=applied.current,
            )  # fmt: skip
            raise
        raise RuntimeError(f"usage rule forms disagree: {applied.refusal} in SQL only")
    pool_overage = max(0, applied.pool.used - applied.pool.quantity)
    if pool_overage > 0 and applied.new_units > applied.current:
        _record_overage(
            trail, org.id, pool_id=applied.pool_id, top_holder_id=applied.holder_id, sku=sku,
            units=applied.new_units, pool_overage=pool_overage,
        )  # fmt: skip
    return UsageResult(sku, applied.new_units, pool_overage > 0, applied)


def report_usage(
    session: Session,
    trail: AuditTrail,
    org: Org,
    *,
    sku: str,
    op: UsageOp,
    amount: int,
    sees_pool_figures: bool,
    sees_distributor_figures: bool = False,
) -> UsageResult:
    """Move an org's use of a SKU, atomically against every pool on its path.

    Raises 409 (with what is left) when a pool or quota cannot cover it. A
    refusal is audited; the caller commits that event before answering.

    Only the pool rows are shared by the pools' consumers, so they are touched
    last: the consumer's rows are read under the consumer's lock, the change
    is planned on the pools' use as last committed, and a conditional UPDATE
    per pool applies it, nearest pool first (sources.lock_path), re-planning
    on a lost race (`_apply`). Through a linked pool (licensing.linked) the
    linked partner's quota and the distributor's quantity are both checked;
    a race lost on the distributor's pool after the linked one was written
    ends in a refusal the unit of work rolls back with the rest.

    `sees_distributor_figures`: the caller may see the figures of the
    distributor's pool a tier-2 partner's customer draws through (policy
    sees_pool_figures on the partner); a partner's own use asks
    `sees_pool_figures`, as the distributor's pool is its partner's.

    On PostgreSQL one call of the database function `apply_usage_change`
    (licensing.usage_function) does all of this in one round trip for a path
    without a linked pool; a linked path is applied by the Python form below,
    which is also SQLite's.
    """
    now = clock.utcnow()
    by = changed_by(trail)
    if applies(session):
        applied = apply_change(session, org.id, sku=sku, op=op, amount=amount, at=now, by=by)
        # The partner as read under the lock, as lock_path keeps it.
        set_committed_value(org, "parent_id", applied.parent_id)
        if isinstance(applied, Applied):
            return _applied_in_database(
                session, trail, org, applied, sku=sku, op=op, amount=amount,
                sees_pool_figures=sees_pool_figures,
            )  # fmt: skip
    path = lock_path(session, org)
    holder_id = path.holder_id
    if path.link is None:
        state, upstream = read_consumer_state(session, org.id, holder_id, sku, now), None
    else:
        state, upstream = linked_states(session, org.id, path.link, sku, now)
    if state is None:
        raise _no_pool(sku)
    # Quotas bound a sub-org's draw on its partner's pool only.
    quota = state.quota if holder_id != org.id else None
    shows_holder = shows_pool(sees_pool_figures, holder_id=holder_id, org_id=org.id)
    top = upstream or state  # the pool whose licenses bound the use
    shows_top = shows_holder
    if upstream is not None:
        shows_top = sees_pool_figures if holder_id == org.id else sees_distributor_figures

    def plan(linked_used: int, pool_used: int) -> Change:
        link = None
        if upstream is not None:
            link = LinkedPool(linked_used, upstream.quota, shows_figures=shows_holder)
        try:
            return plan_change(
                current=state.units,
                op=op,
                amount=amount,
                pool=replace(top.pool, used=pool_used),
                quota=quota,
                sees_pool_figures=shows_top,
                link=link,
            )
        except DomainError as refusal:
            _audit_refusal(
                session, trail, refusal, org_id=org.id, pool_id=state.pool_id, sku=sku,
                op=op, amount=amount, current=state.units,
            )  # fmt: skip
            raise

    change = plan(state.pool.used, top.pool.used)

    def write_own(bounded: bool) -> int | None:
        return state.write(session, org.id, change, bounded=bounded, at=now, by=by)

    growing = change.delta > 0
    used_after = _apply(
        session,
        write_own,
        lambda used: plan(used, top.pool.used) if upstream else plan(used, used),
        state.pool_id,
        bounded=growing and not state.pool.overage_allowed,
    )
    if upstream is not None and path.link is not None:
        partner_id = path.link.partner_id
        # Read again under the linked pool's lock, which guards the partner's
        # row and rollup in the distributor's pool: these figures are current.
        top = upstream_state(session, path.link, sku, now)
        before = used_after - change.delta
        lifted = Change(used_after, change.delta)

        def write_up(bounded: bool) -> int | None:
            return top.write(session, partner_id, lifted, bounded=bounded, at=now, by=by)

        used_after = _apply(
            session,
            write_up,
            lambda used: plan(before, used),
            top.pool_id,
            bounded=growing and not top.pool.overage_allowed,
        )
    pool_overage = max(0, used_after - top.pool.quantity)
    if pool_overage > 0 and growing:
        _record_overage(
            trail, org.id, pool_id=top.pool_id, top_holder_id=top_holder(path), sku=sku,
            units=change.new_units, pool_overage=pool_overage,
        )  # fmt: skip
    # Whether the distributor's pool is over is shown only to who sees its figures.
    over = pool_overage > 0 and (upstream is None or shows_top)
    return UsageResult(sku, change.new_units, over)
