"""A change is planned on the pool's use as last read, without the pool's lock,
and applied by a conditional UPDATE. These tests make that read stale on
purpose (as a concurrent consumer would) and check the outcome on either
database: refused with nothing written when the pool filled meanwhile,
applied on the true figure when it still has room."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
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

QUANTITY = 3


@dataclasses.dataclass
class World:
    pool_id: uuid.UUID
    filler: uuid.UUID  # a sub-org that takes the pool's units
    consumer: uuid.UUID  # the sub-org whose read is made stale


@pytest.fixture
def world(db, sessions: sessionmaker[Session]) -> World:  # type: ignore[no-untyped-def]
    with sessions() as session:
        partner = make_partner(session)
        make_license(session, partner, quantity=QUANTITY)
        filler, consumer = make_sub_org(session, partner), make_sub_org(session, partner)
        session.commit()
        pool_id = session.scalar(
            select(LicensePool.id).where(LicensePool.holder_org_id == partner.id)
        )
        assert pool_id is not None
        return World(pool_id, filler.id, consumer.id)


def add(sessions: sessionmaker[Session], org_id: uuid.UUID, units: int) -> int:
    with sessions() as session:
        try:
            result = consumption.report_usage(
                session,
                AuditTrail(session, actor_id=None),
                session.get_one(Org, org_id),
                sku="mon",
                op=UsageOp.ADD,
                amount=units,
                sees_pool_figures=False,
            )
        finally:
            session.commit()  # as the API does: a refusal's audit event is kept
        return result.consumed


def seen_as(monkeypatch: pytest.MonkeyPatch, used: int, *, twice: bool = False) -> None:
    """Make the planning read (and with `twice` the re-read after a failed
    update too) report the pool's use as `used`, whatever it is."""
    read = consumption.read_consumer_state

    def stale_state(*args, **kwargs):  # type: ignore[no-untyped-def]
        state = read(*args, **kwargs)
        if state is None:
            return None
        return dataclasses.replace(state, pool=dataclasses.replace(state.pool, used=used))

    monkeypatch.setattr(consumption, "read_consumer_state", stale_state)
    if twice:
        reread = consumption.pool_use
        monkeypatch.setattr(
            consumption,
            "pool_use",
            lambda session, pool_id, *, lock: reread(session, pool_id, lock=lock) if lock else used,
        )


def pool_figures(sessions: sessionmaker[Session], w: World) -> tuple[int, int, int, int]:
    with sessions() as session:
        used = session.scalar(select(LicensePool.used).where(LicensePool.id == w.pool_id))
        consumed = session.scalar(
            select(func.coalesce(func.sum(Consumption.units), 0)).where(
                Consumption.pool_id == w.pool_id
            )
        )
        snapshots = session.scalar(select(func.count()).where(UsageSnapshot.org_id == w.consumer))
        refusals = session.scalar(
            select(func.count()).where(
                AuditEvent.org_id == w.consumer, AuditEvent.action == "usage.refused"
            )
        )
        session.commit()
        return used or 0, consumed or 0, snapshots or 0, refusals or 0


def test_a_plan_on_a_stale_figure_is_refused_and_writes_nothing_when_the_pool_filled(
    world, sessions, monkeypatch
):
    add(sessions, world.filler, QUANTITY)
    seen_as(monkeypatch, 0)
    with pytest.raises(PoolExhausted):
        add(sessions, world.consumer, 1)
    assert pool_figures(sessions, world) == (QUANTITY, QUANTITY, 0, 1)


def test_a_plan_that_races_twice_is_decided_under_the_lock(world, sessions, monkeypatch):
    add(sessions, world.filler, QUANTITY)
    seen_as(monkeypatch, 0, twice=True)
    with pytest.raises(PoolExhausted):
        add(sessions, world.consumer, 1)
    assert pool_figures(sessions, world) == (QUANTITY, QUANTITY, 0, 1)


def test_a_plan_on_a_stale_figure_applies_on_the_true_one_when_there_is_room(
    world, sessions, monkeypatch
):
    add(sessions, world.filler, 1)
    seen_as(monkeypatch, 0)
    assert add(sessions, world.consumer, 2) == 2
    assert pool_figures(sessions, world) == (QUANTITY, QUANTITY, 1, 0)
    with sessions() as session:
        snapshot_used = session.scalar(
            select(UsageSnapshot.pool_used).where(UsageSnapshot.org_id == world.consumer)
        )
        session.commit()
    assert snapshot_used == QUANTITY  # the pool's true use after the change, not 0 + 2
