"""The licensing side of a move: what the sub-org holds, the pools locked, the
new pools' room, and the use moved (through linked pools: licensing.linked).

Lock order (licensing.sources.lock_path): the partners' pools by id, then the
distributors' pools above linked ones by id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.service import AuditTrail
from tenantree.licensing.consumer_state import ConsumerState, changed_by, read_consumer_state
from tenantree.licensing.linked import ensure_pool
from tenantree.licensing.models import Consumption, LicensePool, LicenseSource
from tenantree.licensing.pool import Change
from tenantree.licensing.sources import DrawPath, Link, partner_link
from tenantree.licensing.usage_writes import ChangedBy
from tenantree.lifecycle.move_rule import NewPoolRoom, linked_room
from tenantree.orgs.models import Org


@dataclass(frozen=True)
class Held:
    """The sub-org's use of one SKU from its old partner's pool."""

    pool_id: uuid.UUID
    sku: str
    unit: str
    units: int


def held_use(session: Session, org: Org, source: LicenseSource) -> list[Held]:
    if source != LicenseSource.PARENT_POOL:
        return []  # its own pools are its own: nothing moves
    rows = session.execute(
        select(LicensePool.id, LicensePool.sku, LicensePool.unit, Consumption.units)
        .join(LicensePool, LicensePool.id == Consumption.pool_id)
        .where(
            Consumption.org_id == org.id,
            LicensePool.holder_org_id == org.parent_id,
            Consumption.units > 0,
        )
        .order_by(LicensePool.sku)
    )
    return [Held(*row) for row in rows]


@dataclass(frozen=True)
class Links:
    """The linked pools a customer's move draws through (licensing.linked):
    its old partner's and its new partner's, when they are linked."""

    old: Link | None = None
    new: Link | None = None


def links_of(session: Session, org: Org, target: Org, path: DrawPath, *, lock: bool) -> Links:
    if org.is_partner or path.source != LicenseSource.PARENT_POOL:
        # A tier-2 partner's held rows are its linked pools' rows: they move
        # between distributors' pools as a customer's use moves; its pools stay.
        return Links()
    new = partner_link(session, target.id, lock=lock) if target.is_sub_org else None
    return Links(path.link, new)


def lock_pools(session: Session, held: list[Held], target: Org, links: Links) -> None:
    """Lock every pool row the move writes: the partners' pools by id, then the
    distributors' pools above linked ones by id (consumption's lock order)."""
    if not held:
        return
    skus = [h.sku for h in held]
    levels = [
        or_(
            LicensePool.id.in_([h.pool_id for h in held]),
            (LicensePool.holder_org_id == target.id) & LicensePool.sku.in_(skus),
        )
    ]
    above = [link.distributor_id for link in (links.old, links.new) if link is not None]
    if above:
        levels.append(LicensePool.holder_org_id.in_(above) & LicensePool.sku.in_(skus))
    for level in levels:
        session.execute(
            select(LicensePool.id)
            .where(level)
            .order_by(LicensePool.id)
            .with_for_update(key_share=True)
        ).all()


def _room_of(state: ConsumerState | None) -> NewPoolRoom:
    if state is None:
        return NewPoolRoom(quantity=0, used=0, overage_allowed=False, exists=False)
    return NewPoolRoom(
        quantity=state.pool.quantity,
        used=state.pool.used,
        overage_allowed=state.pool.overage_allowed,
    )


def rooms(
    session: Session, org: Org, target: Org, held: list[Held], new_link: Link | None
) -> dict[str, NewPoolRoom]:
    now = clock.utcnow()
    found = {}
    for h in held:
        state = read_consumer_state(session, org.id, target.id, h.sku, now)
        if new_link is None:
            found[h.sku] = _room_of(state)
            continue
        above = read_consumer_state(session, target.id, new_link.distributor_id, h.sku, now)
        found[h.sku] = linked_room(
            _room_of(above),
            quota=above.quota if above else None,
            linked_used=state.pool.used if state else 0,
        )
    return found


def move_use(
    session: Session,
    trail: AuditTrail,
    org: Org,
    target: Org,
    held: list[Held],
    links: Links,
    at: datetime,
) -> None:
    """Release each SKU's use from the old pool and consume it from the new one,
    then follow in the distributors' pools above linked ones (the lock order)."""
    by = changed_by(trail)
    old_used, new_used = {}, {}
    for h in held:
        assert org.parent_id is not None
        old_state = read_consumer_state(session, org.id, org.parent_id, h.sku, at)
        assert old_state is not None
        released = Change(0, -h.units)
        old_used[h.sku] = old_state.write(session, org.id, released, bounded=False, at=at, by=by)
        new_used[h.sku] = _take(session, org.id, target.id, h, at, by)
    for link, used, sign in ((links.old, old_used, -1), (links.new, new_used, 1)):
        if link is None:
            continue
        for h in held:
            after = used[h.sku]
            assert after is not None
            above = upstream_state_or_new(session, link, h, at)
            change = Change(after, sign * h.units)
            above.write(session, link.partner_id, change, bounded=False, at=at, by=by)


def _take(
    session: Session, org_id: uuid.UUID, holder_id: uuid.UUID, h: Held, at: datetime, by: ChangedBy
) -> int | None:
    """Consume the held units from the holder's pool of the SKU (created when
    it has none: taken with allow_overage, or a linked pool's first use)."""
    state = read_consumer_state(session, org_id, holder_id, h.sku, at)
    if state is None:
        ensure_pool(session, holder_id, h.sku, h.unit)
        state = read_consumer_state(session, org_id, holder_id, h.sku, at)
        assert state is not None
    taken = Change(state.units + h.units, h.units)
    return state.write(session, org_id, taken, bounded=False, at=at, by=by)


def upstream_state_or_new(session: Session, link: Link, h: Held, at: datetime) -> ConsumerState:
    """The linked pool's row in the distributor's pool of the SKU (the pool
    created when the distributor has none: taken with allow_overage)."""
    ensure_pool(session, link.distributor_id, h.sku, h.unit)
    state = read_consumer_state(session, link.partner_id, link.distributor_id, h.sku, at)
    assert state is not None
    return state
