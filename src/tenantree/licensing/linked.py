"""Linked pools: a tier-2 partner's pool drawing on its distributor's (rules: sources).

A linked pool holds no quantity of its own. Its consumers' rows are its own,
as in any pool; the pool itself has one row in the distributor's pool (org =
the partner) whose units always equal the linked pool's use, so the
distributor's reports, rollups and forecasts see the partner's whole subtree
as one child. Every change to a linked pool's use is made, by the same delta,
in that row and the distributor's pool, in the same transaction.

Bounds: the partner's quota from its distributor bounds the linked pool (its
UPDATE re-checks it), the distributor's quantity bounds the distributor's pool.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tenantree.errors import Conflict
from tenantree.licensing.consumer_state import ConsumerState, read_consumer_state
from tenantree.licensing.errors import NoLicense
from tenantree.licensing.models import Consumption, LicensePool
from tenantree.licensing.pool import Change, PoolView
from tenantree.licensing.sources import Link
from tenantree.licensing.usage_writes import ChangedBy

# A linked pool without a quota has no bound of its own: snapshots never flag it.
_UNBOUNDED = 2**62


def ensure_pool(session: Session, holder_id: uuid.UUID, sku: str, unit: str) -> None:
    """Create the holder's pool of the SKU unless it exists: a linked pool is
    created by its first use, and two first uses may race."""
    values = {"holder_org_id": holder_id, "sku": sku, "unit": unit, "used": 0}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(LicensePool).values(id=uuid.uuid4(), **values)
    elif dialect == "sqlite":
        statement = sqlite.insert(LicensePool).values(id=uuid.uuid4(), **values)
    else:  # pragma: no cover - the two databases the service runs on
        session.execute(insert(LicensePool).values(id=uuid.uuid4(), **values))
        return
    session.execute(statement.on_conflict_do_nothing(index_elements=["holder_org_id", "sku"]))


def as_linked(state: ConsumerState, quota: int | None) -> ConsumerState:
    """The linked pool as its consumers' writes bound it: by the partner's quota
    (none: unbounded), never by licenses of its own."""
    view = PoolView(
        quantity=_UNBOUNDED if quota is None else quota,
        used=state.pool.used,
        in_term=True,
        overage_allowed=quota is None,
    )
    return replace(state, pool=view)


def upstream_state(session: Session, link: Link, sku: str, at: datetime) -> ConsumerState:
    """The linked pool's row in the distributor's pool, with that pool and the
    partner's quota from the distributor."""
    state = read_consumer_state(session, link.partner_id, link.distributor_id, sku, at)
    if state is None:
        raise NoLicense(f"the distributor's pool drawn on holds no license of {sku}", field="sku")
    return state


def linked_states(
    session: Session, org_id: uuid.UUID, link: Link, sku: str, at: datetime
) -> tuple[ConsumerState, ConsumerState]:
    """The consumer's state in a linked pool (created if this is its first use)
    and the linked pool's state in the distributor's."""
    upstream = upstream_state(session, link, sku, at)
    state = read_consumer_state(session, org_id, link.partner_id, sku, at)
    if state is None:
        ensure_pool(session, link.partner_id, sku, upstream.unit)
        state = read_consumer_state(session, org_id, link.partner_id, sku, at)
        assert state is not None
    return as_linked(state, upstream.quota), upstream


class DistributorPoolLacksRoom(Conflict):
    code = "distributor_pool_lacks_room"


def _rows_in(session: Session, org_id: uuid.UUID, holder_id: uuid.UUID) -> list[Row[Any]]:
    """The org's rows with use in the holder's pools, locked by pool id (lock order)."""
    return list(
        session.execute(
            select(LicensePool.id, LicensePool.sku, LicensePool.unit, Consumption.units)
            .join(LicensePool, LicensePool.id == Consumption.pool_id)
            .where(
                Consumption.org_id == org_id,
                LicensePool.holder_org_id == holder_id,
                Consumption.units > 0,
            )
            .order_by(LicensePool.id)
            .with_for_update(of=LicensePool, key_share=True)
        )
    )


def link_partner(session: Session, link: Link, *, at: datetime, by: ChangedBy) -> dict[str, int]:
    """Put the use of each of the partner's pools onto its distributor's pool
    (its source becomes parent_pool); per SKU, the units put. Call under the
    partner's row lock (sources.lock_path): its pools' use cannot move.

    Raises 409 naming each SKU's shortfall when the distributor's pool (or the
    partner's quota from it) cannot take the use.
    """
    pools = session.execute(
        select(LicensePool.sku, LicensePool.used)
        .where(LicensePool.holder_org_id == link.partner_id, LicensePool.used > 0)
        .order_by(LicensePool.sku)
    ).all()
    if not pools:
        return {}
    session.execute(
        select(LicensePool.id)
        .where(
            LicensePool.holder_org_id == link.distributor_id,
            LicensePool.sku.in_([p.sku for p in pools]),
        )
        .order_by(LicensePool.id)
        .with_for_update(key_share=True)
    ).all()
    states = {
        p.sku: read_consumer_state(session, link.partner_id, link.distributor_id, p.sku, at)
        for p in pools
    }
    lacking: dict[str, int] = {}
    for p in pools:
        short = _shortfall(states[p.sku], p.used)
        if short:
            lacking[p.sku] = short
    if lacking:
        named = ", ".join(f"{sku}: {units} units short" for sku, units in lacking.items())
        raise DistributorPoolLacksRoom(
            f"the distributor's pool cannot take this partner's use ({named})",
            field="source",
            extra={"shortfall": lacking},
        )
    for p in pools:
        state = states[p.sku]
        assert state is not None
        change = Change(p.used, p.used - state.units)
        state.write(session, link.partner_id, change, bounded=False, at=at, by=by)
    return {p.sku: p.used for p in pools}


def _shortfall(state: ConsumerState | None, used: int) -> int:
    """Units the distributor's pool (and the partner's quota) lack to take `used`."""
    if state is None:
        return used
    short = 0
    if state.quota is not None and used > state.quota:
        short = used - state.quota
    if not state.pool.overage_allowed:
        left = state.pool.quantity - state.pool.used + state.units
        short = max(short, used - max(0, left))
    return max(0, short)


def unlink_partner(session: Session, link: Link, *, at: datetime, by: ChangedBy) -> dict[str, int]:
    """Take the partner's use off its distributor's pools (its source becomes
    own); per SKU, the units taken off. Its pools keep their use, bounded by
    its own licenses from now on (flagged when over)."""
    taken: dict[str, int] = {}
    for row in _rows_in(session, link.partner_id, link.distributor_id):
        state = read_consumer_state(session, link.partner_id, link.distributor_id, row.sku, at)
        assert state is not None
        state.write(session, link.partner_id, Change(0, -row.units), bounded=False, at=at, by=by)
        taken[row.sku] = row.units
    return taken


def gather_partner_use(
    session: Session, link: Link, *, at: datetime, by: ChangedBy
) -> dict[str, int]:
    """A distributor's customer drawing on its pool has just become a tier-2
    partner: its own use now sits in its own pools (sources.pool_holder), so
    each SKU's use moves into its linked pool, and its row in the
    distributor's pool stays as that pool's row (equal to its use)."""
    gathered: dict[str, int] = {}
    for row in _rows_in(session, link.partner_id, link.distributor_id):
        ensure_pool(session, link.partner_id, row.sku, row.unit)
        state = read_consumer_state(session, link.partner_id, link.partner_id, row.sku, at)
        assert state is not None
        change = Change(state.units + row.units, row.units)
        used = state.write(session, link.partner_id, change, bounded=False, at=at, by=by)
        if used != row.units:
            # Use left in its own pool from before (none, as its source released
            # it): the distributor's row follows the pool, as everywhere.
            assert used is not None
            upstream = upstream_state(session, link, row.sku, at)
            lifted = Change(used, used - row.units)
            upstream.write(session, link.partner_id, lifted, bounded=False, at=at, by=by)
        gathered[row.sku] = row.units
    return gathered
