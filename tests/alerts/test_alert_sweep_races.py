"""Several replicas sweeping (and usage changes) at once: each crossing is
raised, and mailed, once. Threads start together at a barrier, each in a
session (and transaction) of its own, committing as the server's loop does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factories import make_license, make_member, make_partner, make_sub_org
from tenantree.alerts.models import Alert
from tenantree.alerts.sweep import sweep
from tenantree.alerts.usage import report_usage_and_alert
from tenantree.audit.service import AuditTrail
from tenantree.db import make_engine
from tenantree.identity.roles import Role
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.models import Org
from tenantree.outbox.models import OutboxMessage


@pytest.fixture
def wide_sessions(database_url: str, sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url, pool_size=16, max_overflow=0, pool_timeout=60)
    yield lambda: sessions(bind=engine)
    engine.dispose()


def arrange(sessions: sessionmaker[Session], identity) -> tuple:  # type: ignore[no-untyped-def]
    """A pool at 90% of its quantity and a license ending in 5 days (neither alerted yet)."""
    with sessions() as session:
        partner = make_partner(session)
        make_member(session, identity, partner, role=Role.ADMIN, email="pa@race.example")
        license_ = make_license(session, partner, quantity=10)
        license_.ends_at = datetime.now(UTC) + timedelta(days=5)
        customers = [make_sub_org(session, partner).id for _ in range(3)]
        session.commit()
        partner_id = partner.id
    return partner_id, customers


def at_once(new_session: Callable[[], Session], jobs: list[Callable[[Session], object]]) -> list:
    barrier = threading.Barrier(len(jobs), timeout=60)

    def run(job: Callable[[Session], object]) -> None:
        barrier.wait()
        with new_session() as session:
            job(session)
            session.commit()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
    return [f.exception() for f in futures if f.exception() is not None]


def counts(sessions: sessionmaker[Session], partner_id) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        alerts = session.scalar(select(func.count()).where(Alert.org_id == partner_id))
        mails = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.subject_type == "alert", OutboxMessage.org_id == partner_id)
        )
        session.commit()
    return alerts or 0, mails or 0


def test_concurrent_sweeps_raise_and_mail_each_crossing_once(db, sessions, wide_sessions, identity):
    partner_id, customers = arrange(sessions, identity)
    with sessions() as session:
        for org_id in customers:
            org = session.get(Org, org_id)
            report_usage_and_alert(
                session, AuditTrail(session, actor_id=None), identity.outbox, org,
                sku="mon", op=UsageOp.SET, amount=3, sees_pool_figures=False,
            )  # fmt: skip
        # The pool alert (9 of 10: 80%) is raised here; wipe it so the sweeps race for it.
        session.execute(Alert.__table__.delete())
        session.execute(OutboxMessage.__table__.delete())
        session.commit()
    failures = at_once(wide_sessions, [lambda s: sweep(s, identity.outbox)] * 6)
    assert failures == []
    # One pool crossing (80%) and one expiry (7 days), each mailed to the one admin once.
    assert counts(sessions, partner_id) == (2, 2)


def test_usage_changes_racing_a_sweep_raise_the_crossing_once(
    db, sessions, wide_sessions, identity
):
    partner_id, customers = arrange(sessions, identity)

    def consume(org_id):  # type: ignore[no-untyped-def]
        def job(session: Session) -> None:
            report_usage_and_alert(
                session, AuditTrail(session, actor_id=None), identity.outbox,
                session.get(Org, org_id), sku="mon", op=UsageOp.SET, amount=3,
                sees_pool_figures=False,
            )  # fmt: skip

        return job

    jobs = [consume(org_id) for org_id in customers] + [lambda s: sweep(s, identity.outbox)] * 3
    assert at_once(wide_sessions, jobs) == []
    # Whoever saw 9 of 10 first raised it; the expiry alert once too.
    with sessions() as session:
        kinds = sorted(session.scalars(select(Alert.kind).where(Alert.org_id == partner_id)).all())
        session.commit()
    assert kinds.count("expiry") == 1
    assert kinds.count("pool_use") == 1
    alerts, mails = counts(sessions, partner_id)
    assert mails == alerts
