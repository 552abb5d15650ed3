"""On PostgreSQL a change of use is applied by the database function
`apply_usage_change` (migration 0024); the Python form (pool.plan_change and
usage_writes) applies it on SQLite and for linked pools. Random sequences of
changes, run through each form from the same starting state, give the same
outcomes (units, or the same error with the same message and figures) and
leave the same rows (pool use, consumptions, rollup, snapshots, audit
events), ids aside."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from factories import make_license, make_partner, make_sub_org
from tenantree import clock
from tenantree.audit.models import AuditEvent
from tenantree.audit.service import AuditTrail
from tenantree.errors import DomainError
from tenantree.licensing import consumption
from tenantree.licensing.models import (
    Consumption,
    License,
    LicensePool,
    LicenseSourceChange,
    Quota,
    UsageDaily,
    UsagePoolDaily,
    UsageSnapshot,
)
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.models import Org

pytestmark = pytest.mark.postgres_only

START = datetime(2025, 4, 1, 22, 30, tzinfo=UTC)
# Seconds between changes: the same moment, within the day, across midnight, days later.
STEPS = [0, 1, 1_800, 7_201, 86_400, 3 * 86_400 + 17]
CONSUMERS = 5  # 0-2 customers on the partner's pool, 3 the partner, 4 on its own

_LICENSE = st.tuples(
    st.integers(0, 6),  # quantity
    st.sampled_from(["block", "allow_and_flag"]),
    st.sampled_from(["in_term", "ends_soon", "starts_later", "ended"]),
)
_CHANGE = st.tuples(
    st.integers(0, CONSUMERS - 1),
    st.sampled_from(list(UsageOp)),
    st.integers(-1, 7),  # amount (negative: refused as invalid)
    st.sampled_from(STEPS),
    st.sampled_from(["sku", "other"]),  # an SKU without a pool for some changes
)


def _term(kind: str) -> tuple[datetime, datetime, str]:
    if kind == "ends_soon":  # expires during the sequence
        return START - timedelta(days=30), START + timedelta(hours=5), "active"
    if kind == "starts_later":
        return START + timedelta(days=2), START + timedelta(days=90), "active"
    if kind == "ended":
        return START - timedelta(days=30), START + timedelta(days=90), "ended"
    return START - timedelta(days=30), START + timedelta(days=90), "active"


def _world(
    session: Session, licenses: list[tuple[int, str, str]], quotas: list[int | None]
) -> list[Org]:
    partner = make_partner(session)
    # The pool exists through a granted license of no units; the drawn ones follow.
    make_license(session, partner, quantity=0)
    customers = [make_sub_org(session, partner) for _ in range(3)]
    own = make_sub_org(session, partner)
    session.add(LicenseSourceChange(org_id=own.id, source="own", at=START - timedelta(days=1)))
    for quantity, policy, kind in licenses:
        starts_at, ends_at, status = _term(kind)
        session.add(
            License(
                holder_org_id=partner.id, sku="mon", unit="devices", quantity=quantity,
                starts_at=starts_at, ends_at=ends_at, overage_policy=policy, status=status,
            )
        )  # fmt: skip
    for customer, quota in zip(customers, quotas, strict=True):
        if quota is not None:
            session.add(Quota(sub_org_id=customer.id, sku="mon", max_units=quota))
    session.flush()
    return [*customers, partner, own]


def _outcome(
    session: Session, org: Org, op: UsageOp, amount: int, sku: str, n: int
) -> tuple[Any, ...]:
    trail = AuditTrail(session, actor_id=uuid.UUID(int=n), request_id=f"req-{n}")
    try:
        # A refusal writes nothing but its audit event, which is kept: no rollback here.
        result = consumption.report_usage(
            session, trail, org, sku=sku, op=op, amount=amount, sees_pool_figures=n % 2 == 0
        )
    except DomainError as refusal:
        return (refusal.status, refusal.code, str(refusal), refusal.field, refusal.extra)
    return ("ok", result.consumed, result.over_quantity)


def _rows(session: Session, orgs: list[Org]) -> dict[str, list[tuple[Any, ...]]]:
    ids = [org.id for org in orgs]
    session.flush()

    def rows(*columns: Any, where: Any) -> list[tuple[Any, ...]]:
        return sorted(tuple(row) for row in session.execute(select(*columns).where(where)))

    return {
        "pools": rows(LicensePool.holder_org_id, LicensePool.sku, LicensePool.used,
                      where=LicensePool.holder_org_id.in_(ids)),
        "consumptions": rows(Consumption.pool_id, Consumption.org_id, Consumption.units,
                             Consumption.updated_at, where=Consumption.org_id.in_(ids)),
        "rollup": rows(UsageDaily.pool_id, UsageDaily.org_id, UsageDaily.day,
                       UsageDaily.peak_units, UsageDaily.unit_seconds, UsageDaily.last_units,
                       UsageDaily.last_at, UsageDaily.closing_unit_seconds,
                       UsageDaily.carried_units, where=UsageDaily.org_id.in_(ids)),
        "pool_days": rows(UsagePoolDaily.pool_id, UsagePoolDaily.day,
                          UsagePoolDaily.rise_units, UsagePoolDaily.moved_units,
                          where=UsagePoolDaily.pool_id.in_(
                              select(LicensePool.id).where(LicensePool.holder_org_id.in_(ids)))),
        "snapshots": rows(UsageSnapshot.pool_id, UsageSnapshot.org_id, UsageSnapshot.at,
                          UsageSnapshot.units, UsageSnapshot.pool_used,
                          UsageSnapshot.over_quantity, UsageSnapshot.actor_id,
                          UsageSnapshot.actor_org_id, UsageSnapshot.request_id,
                          where=UsageSnapshot.org_id.in_(ids)),
        # In time order; events at the same moment (a change and the alerts it
        # crosses) have no order of their own, so they compare as sorted.
        "audit": [
            event for _, event in sorted(
                ((event.at, (event.action, event.org_id, event.target_id, event.actor_id,
                             event.request_id, event.details))
                 for event in session.scalars(
                     select(AuditEvent).where(AuditEvent.org_id.in_(ids)))),
                key=lambda timed: (timed[0], repr(timed[1])),
            )
        ],
    }  # fmt: skip


def _run(
    session: Session, orgs: list[Org], changes: list[tuple[int, UsageOp, int, int, str]]
) -> tuple[list[tuple[Any, ...]], dict[str, list[tuple[Any, ...]]]]:
    outcomes = []
    now = START
    for n, (who, op, amount, step, sku) in enumerate(changes):
        now += timedelta(seconds=step, microseconds=step % 997)
        with mock.patch.object(clock, "utcnow", lambda at=now: at):
            outcomes.append(_outcome(session, orgs[who], op, amount, sku, n))
    return outcomes, _rows(session, orgs)


@pytest.fixture
def calls(session: Session) -> Iterator[list[str]]:
    """The statements sent, to show which form applied each change."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    licenses=st.lists(_LICENSE, max_size=3),
    quotas=st.lists(st.none() | st.integers(0, 6), min_size=3, max_size=3),
    changes=st.lists(_CHANGE, min_size=1, max_size=16),
)
def test_the_database_function_and_the_python_form_agree(
    session: Session,
    calls: list[str],
    licenses: list[tuple[int, str, str]],
    quotas: list[int | None],
    changes: list[tuple[int, UsageOp, int, int, str]],
) -> None:
    changes = [(who, op, amount, step, "mon" if sku == "sku" else "web")
               for who, op, amount, step, sku in changes]  # fmt: skip
    example = session.begin_nested()  # examples share no state
    with mock.patch.object(clock, "utcnow", lambda: START - timedelta(days=1)):
        orgs = _world(session, licenses, quotas)
    results = []
    for in_database in (True, False):
        form = session.begin_nested()
        calls.clear()
        with mock.patch.object(consumption, "applies", lambda _session, on=in_database: on):
            results.append(_run(session, orgs, changes))
        function_calls = sum("apply_usage_change" in statement for statement in calls)
        assert function_calls == (len(changes) if in_database else 0)
        # No path here is linked: the function applied every change itself,
        # without the Python form's locking reads.
        python_locks = sum("FOR NO KEY UPDATE" in statement for statement in calls)
        assert (python_locks == 0) == in_database
        form.rollback()
    example.rollback()
    (sql_outcomes, sql_rows), (python_outcomes, python_rows) = results
    assert sql_outcomes == python_outcomes
    assert sql_rows == python_rows
