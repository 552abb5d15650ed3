"""licensing.changes at the service level: the usage snapshot as the change's
audit record, without HTTP (each test runs in a rolled-back transaction)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from factories import make_license, make_partner, make_sub_org
from tenantree.audit.service import AuditTrail
from tenantree.licensing import changes, consumption
from tenantree.licensing.models import UsageSnapshot
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.models import Org


def _use(session: Session, trail: AuditTrail, org: Org, units: int) -> None:
    consumption.report_usage(
        session, trail, org, sku="mon", op=UsageOp.SET, amount=units, sees_pool_figures=True
    )


def _changes(session: Session, org: Org, *, sees_pool_figures: bool) -> list[changes.UsageChange]:
    page = changes.usage_changes(
        session,
        org,
        sees_pool_figures=sees_pool_figures,
        sku=None,
        actor_id=None,
        since=None,
        until=None,
        limit=None,
        cursor=None,
    )
    return page.items


def test_a_system_change_names_no_actor(session: Session):
    partner = make_partner(session)
    child = make_sub_org(session, partner)
    make_license(session, partner, quantity=10)
    _use(session, AuditTrail(session, actor_id=None), child, 4)
    session.commit()

    [change] = _changes(session, child, sees_pool_figures=True)
    assert (change.actor_id, change.actor_org_id, change.request_id) == (None, None, None)
    assert change.units == 4


def test_the_trails_actor_org_and_request_are_recorded(session: Session):
    partner = make_partner(session)
    child = make_sub_org(session, partner)
    make_license(session, partner, quantity=10)
    actor = uuid.uuid4()
    trail = AuditTrail(session, actor_id=actor, actor_org_id=partner.id, request_id="r-1")
    _use(session, trail, child, 2)
    session.commit()

    [change] = _changes(session, child, sees_pool_figures=False)
    assert (change.actor_id, change.actor_org_id, change.request_id) == (actor, partner.id, "r-1")


def test_the_partners_pool_figures_are_withheld_unless_revealed(session: Session):
    partner = make_partner(session)
    child, sibling = make_sub_org(session, partner), make_sub_org(session, partner)
    make_license(session, partner, quantity=10)
    trail = AuditTrail(session, actor_id=None)
    _use(session, trail, sibling, 3)
    _use(session, trail, child, 5)
    session.commit()

    [hidden] = _changes(session, child, sees_pool_figures=False)
    [shown] = _changes(session, child, sees_pool_figures=True)
    assert (hidden.pool_used, hidden.over_quantity) == (None, None)
    assert (shown.pool_used, shown.over_quantity) == (8, False)


def test_an_org_always_sees_the_figures_of_its_own_pool(session: Session):
    partner = make_partner(session)
    make_license(session, partner, quantity=10)
    _use(session, AuditTrail(session, actor_id=None), partner, 6)
    session.commit()

    [change] = _changes(session, partner, sees_pool_figures=False)
    assert change.pool_used == 6


@pytest.mark.postgres_only
def test_on_postgresql_the_change_and_its_record_are_one_round_trip(session: Session):
    partner = make_partner(session)
    child = make_sub_org(session, partner)
    make_license(session, partner, quantity=10)
    session.flush()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = session.get_bind().engine
    actor_id = uuid.uuid4()
    event.listen(engine, "before_cursor_execute", record)
    try:
        _use(session, AuditTrail(session, actor_id=actor_id, request_id="r-2"), child, 3)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # The database function (migration 0024) locks, decides and writes.
    [call] = statements
    assert "apply_usage_change" in call
    snapshot = session.scalars(select(UsageSnapshot).where(UsageSnapshot.org_id == child.id)).one()
    assert (snapshot.actor_id, snapshot.request_id, snapshot.units) == (actor_id, "r-2", 3)
