"""A change's alerts decided from a context read before it (alerts.change_context)
while other changes on the pool commit between that read and the change's
lock: each crossing is raised once, in the right epoch, and cleared once, as
when everything is read under the lock. PostgreSQL, where the database
function applies changes; on SQLite a write transaction holds the database
from its first statement, so nothing can commit in between."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from factories import make_license, make_member, make_partner, make_sub_org
from tenantree.alerts.change_context import read_context
from tenantree.alerts.models import Alert
from tenantree.alerts.usage import alert_after_change, report_usage_and_alert
from tenantree.audit.service import AuditTrail
from tenantree.identity.roles import Role
from tenantree.licensing import sub_org_terms
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.models import Org
from tenantree.outbox.models import OutboxMessage


@pytest.fixture
def pool(backend: str, db, sessions: sessionmaker[Session], identity) -> Iterator[tuple]:  # type: ignore[no-untyped-def]
    """A partner's pool of 10 and two customers drawing on it, committed."""
    if backend != "postgresql":
        pytest.skip("the function path: PostgreSQL")
    with sessions() as session:
        partner = make_partner(session)
        make_member(session, identity, partner, role=Role.ADMIN, email="pa@ctx.example")
        make_license(session, partner, quantity=10)
        first, second = make_sub_org(session, partner), make_sub_org(session, partner)
        session.commit()
        ids = partner.id, first.id, second.id
    yield ids


def set_use(sessions, identity, org_id, units) -> None:  # type: ignore[no-untyped-def]
    """Another request's whole change, committed."""
    with sessions() as session:
        report_usage_and_alert(
            session, AuditTrail(session, actor_id=None), identity.outbox,
            session.get(Org, org_id), sku="mon", op=UsageOp.SET, amount=units,
            sees_pool_figures=False,
        )  # fmt: skip
        session.commit()


def change_around(sessions, identity, org_id, units, meanwhile) -> None:  # type: ignore[no-untyped-def]
    """A change whose context is read, then `meanwhile` commits, then the change runs."""
    with sessions() as session:
        org = session.get(Org, org_id)
        context = read_context(session, org, "mon")
        meanwhile()
        result = report_usage(
            session, AuditTrail(session, actor_id=None), org, sku="mon", op=UsageOp.SET,
            amount=units, sees_pool_figures=False,
        )  # fmt: skip
        alert_after_change(session, identity.outbox, org, "mon", context, result)
        session.commit()


def crossings(sessions, partner_id, kind="pool_use") -> list[tuple[int, int, bool]]:  # type: ignore[no-untyped-def]
    """(threshold, epoch, cleared) of the partner's alerts, in order."""
    with sessions() as session:
        rows = session.execute(
            select(Alert.threshold, Alert.epoch, Alert.cleared_at.is_not(None))
            .where(Alert.org_id == partner_id, Alert.kind == kind)
            .order_by(Alert.threshold, Alert.epoch)
        ).all()
        session.commit()
    return [tuple(r) for r in rows]


def mails(sessions, partner_id) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        found = session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.subject_type == "alert", OutboxMessage.org_id == partner_id
            )
        ).all()
        session.commit()
    return len(found)


def test_a_crossing_committed_between_the_read_and_the_lock_is_not_raised_again(
    pool, sessions, identity
):
    partner_id, first, second = pool
    # Read at 0 in use; another change takes the pool to 8 (80%) meanwhile; this one to 9.
    change_around(sessions, identity, first, 1, lambda: set_use(sessions, identity, second, 8))
    assert crossings(sessions, partner_id) == [(80, 0, False)]
    assert mails(sessions, partner_id) == 1


def test_a_cross_and_back_between_the_read_and_the_lock_raises_the_next_epoch(
    pool, sessions, identity
):
    partner_id, first, second = pool
    set_use(sessions, identity, second, 7)

    def cross_and_back() -> None:
        set_use(sessions, identity, second, 8)  # 80%: raised, epoch 0
        set_use(sessions, identity, second, 7)  # 70%: cleared

    # Read at 7 with nothing raised: the read alone would say "raise epoch 0".
    change_around(sessions, identity, first, 1, cross_and_back)
    assert crossings(sessions, partner_id) == [(80, 0, True), (80, 1, False)]
    assert mails(sessions, partner_id) == 2


def test_a_clear_is_made_once_when_the_read_saw_the_alert_raised(pool, sessions, identity):
    partner_id, first, second = pool
    set_use(sessions, identity, second, 8)  # 80%: raised
    # Read with the alert raised; meanwhile the other customer's change takes the
    # pool to 9 (nothing to do); this one takes it to 1 + 6 = 7: cleared.
    change_around(sessions, identity, second, 6, lambda: set_use(sessions, identity, first, 1))
    assert crossings(sessions, partner_id) == [(80, 0, True)]


def test_a_clear_committed_between_the_read_and_the_lock_is_not_made_again(
    pool, sessions, identity
):
    partner_id, first, second = pool
    set_use(sessions, identity, second, 8)  # raised
    # Read with the alert raised; meanwhile another change clears it (pool at 7).
    change_around(sessions, identity, first, 0, lambda: set_use(sessions, identity, second, 7))
    assert crossings(sessions, partner_id) == [(80, 0, True)]


def test_a_quota_set_between_the_read_and_the_lock_is_read_again(pool, sessions, identity):
    partner_id, first, _ = pool

    def set_quota() -> None:
        with sessions() as session:
            org = session.get(Org, first)
            sub_org_terms.set_quota(session, AuditTrail(session, actor_id=None), org, "mon", 2)
            session.commit()

    change_around(sessions, identity, first, 2, set_quota)
    # The customer's own alert: 2 of its quota of 2 (80% and 100%).
    assert [t for t, _, _ in crossings(sessions, first, "quota_use")] == [80, 100]


def test_after_the_functions_answer_only_the_crossings_are_read(pool, sessions, identity):
    """With the pool's row locked (from the function's answer to the COMMIT),
    a change that crosses nothing runs one statement."""
    _, first, _ = pool
    with sessions() as session:
        org = session.get(Org, first)
        seen: list[str] = []

        def note(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
            if seen or "apply_usage_change(" in statement:
                seen.append(statement)

        bind = session.get_bind()
        event.listen(bind, "before_cursor_execute", note)
        try:
            report_usage_and_alert(
                session, AuditTrail(session, actor_id=None), identity.outbox, org,
                sku="mon", op=UsageOp.SET, amount=1, sees_pool_figures=False,
            )  # fmt: skip
            session.commit()
        finally:
            event.remove(bind, "before_cursor_execute", note)
    assert len(seen) == 2, seen  # the function, then the crossings
    assert "FROM alerts" in seen[1]
