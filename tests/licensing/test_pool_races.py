"""A change is planned on the pool's use as last read, without the pool's lock,
and applied by a conditional UPDATE. These tests make that read stale on
purpose (as a concurrent consumer would) and check the outcome on either
database: refused with nothing written when the pool filled meanwhile,
applied on the true figure when it still has room."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from factories import make_license, make_partner, make_sub_org
from tenantree.audit.models import AuditEvent
from tenantree.audit.service import AuditTrail
from tenantree.licensing import consumption
from tenantree.licensing.errors import PoolExhausted
from tenantree.licensing.models import Consumption, LicensePool, UsageDaily, UsageSnapshot
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
    update too) report the pool's use as `used`, whatever it is. These reads
    are the Python form's: on PostgreSQL it is chosen over the database
    function (test_usage_function.py holds the two to the same outcomes)."""
    monkeypatch.setattr(consumption, "applies", lambda _session: False)
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


def consumer_rows(sessions: sessionmaker[Session], org_id: uuid.UUID) -> list[tuple[object, ...]]:
    with sessions() as session:
        rows = [
            *session.execute(
                select(Consumption.id, Consumption.units, Consumption.updated_at).where(
                    Consumption.org_id == org_id
                )
            ),
            *session.execute(select(UsageDaily.__table__).where(UsageDaily.org_id == org_id)),
        ]
        session.commit()
    return [tuple(row) for row in rows]


@pytest.mark.postgres_only
def test_the_database_function_refuses_a_lost_race_on_the_newer_figure(world, sessions):
    """The function plans on the use as last committed (1 here), waits on the
    pool's row behind a filler that then commits the rest of the quantity,
    and refuses on that newer figure: the consumer's rows are as they were,
    and only the refusal is kept."""
    add(sessions, world.consumer, 1)
    before = consumer_rows(sessions, world.consumer)
    filler = sessions()
    consumption.report_usage(
        filler, AuditTrail(filler, actor_id=None), filler.get_one(Org, world.filler),
        sku="mon", op=UsageOp.ADD, amount=QUANTITY - 1, sees_pool_figures=True,
    )  # fmt: skip
    outcome: list[BaseException | int] = []

    def consume() -> None:
        try:
            outcome.append(add(sessions, world.consumer, 1))
        except PoolExhausted as refusal:
            outcome.append(refusal)

    racer = threading.Thread(target=consume)
    racer.start()
    with sessions() as watcher:
        for _ in range(500):  # until the racer waits on the pool's row
            waiting = watcher.scalar(
                select(func.count())
                .select_from(text("pg_stat_activity"))
                .where(text("wait_event_type = 'Lock' AND query LIKE '%apply_usage_change%'"))
            )
            watcher.commit()
            if waiting:
                break
            time.sleep(0.01)
        assert waiting, "the consumer never waited on the pool's row"
    filler.commit()
    filler.close()
    racer.join(timeout=30)
    [refusal] = outcome
    assert isinstance(refusal, PoolExhausted)
    assert refusal.extra == {}  # the consumer's caller may not see the partner's pool
    assert pool_figures(sessions, world) == (QUANTITY, QUANTITY, 1, 1)
    assert consumer_rows(sessions, world.consumer) == before
