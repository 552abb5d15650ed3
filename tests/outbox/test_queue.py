"""The outbox: messages are rows of the work that sends them, delivered by a worker
holding a lease, retried with backoff, then failed with the reason and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from tenantree import clock
from tenantree.audit.models import AuditEvent
from tenantree.db import make_sessionmaker
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.outbox import EmailMessage, MemoryBackend, Outbox
from tenantree.outbox.delivery import Delivery, claim, deliver_due, drain, record
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.outbox.retry import RetryPolicy

SENDER = "tenantree <no-reply@tenantree.test>"


class Refusing:
    """A relay that is down."""

    def send(self, message: EmailMessage) -> None:
        raise ConnectionRefusedError("[Errno 111] Connection refused")


def queue(sessions: sessionmaker[Session], outbox: Outbox, *recipients: str) -> None:
    with sessions() as session, UnitOfWork(session):
        for to in recipients:
            outbox.enqueue(session, to=to, subject="s", text="secret link")


def messages(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


@pytest.fixture
def mailbox_outbox() -> tuple[Outbox, MemoryBackend]:
    backend = MemoryBackend()
    return Outbox(backend, SENDER), backend


def test_a_committed_message_waits_as_a_row_until_a_worker_sends_it(
    db: Engine, sessions, mailbox_outbox
) -> None:
    outbox, backend = mailbox_outbox
    queue(sessions, outbox, "a@example.com")
    (row,) = messages(sessions)
    assert (row.status, backend.sent) == (MessageStatus.PENDING, [])
    with sessions() as session:
        assert drain(session, Delivery(outbox, "w1")) == 1
    assert [m.to for m in backend.sent] == ["a@example.com"]
    (row,) = messages(sessions)
    assert (row.status, row.attempts) == (MessageStatus.SENT, 1)


def test_a_sent_message_keeps_no_body(db: Engine, sessions, mailbox_outbox) -> None:
    outbox, _ = mailbox_outbox
    queue(sessions, outbox, "a@example.com")
    with sessions() as session:
        drain(session, Delivery(outbox, "w1"))
    (row,) = messages(sessions)
    assert "text" not in row.payload and row.payload["to"] == "a@example.com"


def test_a_rolled_back_unit_of_work_writes_no_message(db: Engine, sessions, mailbox_outbox) -> None:
    outbox, _ = mailbox_outbox
    with pytest.raises(RuntimeError), sessions() as session, UnitOfWork(session):
        outbox.enqueue(session, to="a@example.com", subject="s", text="t")
        raise RuntimeError("the change failed")
    assert messages(sessions) == []


def test_a_savepoint_rollback_drops_only_its_own_messages(
    db: Engine, sessions, mailbox_outbox
) -> None:
    outbox, _ = mailbox_outbox
    with sessions() as session, UnitOfWork(session):
        outbox.enqueue(session, to="before@example.com", subject="s", text="t")
        nested = session.begin_nested()
        outbox.enqueue(session, to="undone@example.com", subject="s", text="t")
        nested.rollback()
        outbox.enqueue(session, to="after@example.com", subject="s", text="t")
    assert sorted(m.payload["to"] for m in messages(sessions)) == [
        "after@example.com",
        "before@example.com",
    ]


def test_a_commit_that_queues_mail_pokes_the_worker(db: Engine, mailbox_outbox) -> None:
    outbox, _ = mailbox_outbox
    own_sessions = make_sessionmaker(db)  # this test's listeners only
    outbox.attach(own_sessions)
    pokes: list[int] = []
    outbox.on_commit(lambda: pokes.append(1))
    queue(own_sessions, outbox, "a@example.com")
    with own_sessions() as session, UnitOfWork(session):
        session.execute(select(1))  # a commit that queued nothing
    assert pokes == [1]


def test_a_failing_relay_ends_failed_with_the_reason_after_the_retries(
    db: Engine, sessions
) -> None:
    outbox = Outbox(Refusing(), SENDER)
    queue(sessions, outbox, "a@example.com")
    failures: list[str] = []
    delivery = Delivery(
        outbox, "w1", RetryPolicy(max_attempts=3, base_seconds=0), on_failure=failures.append
    )
    with sessions() as session:
        assert drain(session, delivery) == 3
    (row,) = messages(sessions)
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 3)
    assert row.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert failures == ["retry", "retry", "failed"]


def test_giving_up_is_audited_as_email_failed(db: Engine, sessions) -> None:
    outbox = Outbox(Refusing(), SENDER)
    queue(sessions, outbox, "a@example.com")
    with sessions() as session:
        drain(session, Delivery(outbox, "w1", RetryPolicy(max_attempts=1)))
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "email.failed"))
    (row,) = messages(sessions)
    assert event.details["message_id"] == str(row.id)
    assert "Connection refused" in event.details["reason"]


def test_a_failed_attempt_waits_its_backoff_before_the_next(db: Engine, sessions) -> None:
    outbox = Outbox(Refusing(), SENDER)
    queue(sessions, outbox, "a@example.com")
    with sessions() as session:
        assert deliver_due(session, Delivery(outbox, "w1", RetryPolicy(base_seconds=60))) == 1
        assert deliver_due(session, Delivery(outbox, "w1")) == 0  # not due yet
    (row,) = messages(sessions)
    assert row.status == MessageStatus.PENDING
    assert row.next_attempt_at >= clock.utcnow() + timedelta(seconds=29)


def test_a_leased_message_is_not_claimed_by_another_worker(
    db: Engine, sessions, mailbox_outbox
) -> None:
    outbox, _ = mailbox_outbox
    queue(sessions, outbox, "a@example.com")
    with sessions() as session:
        assert len(claim(session, Delivery(outbox, "w1"))) == 1
        assert claim(session, Delivery(outbox, "w2")) == []


def test_an_expired_lease_passes_the_message_to_another_worker_once(
    db: Engine, sessions, mailbox_outbox
) -> None:
    """The first worker died mid-send: the second sends; the first, back, records nothing."""
    outbox, backend = mailbox_outbox
    queue(sessions, outbox, "a@example.com")
    first, second = Delivery(outbox, "w1"), Delivery(outbox, "w2")
    with sessions() as session:
        (held,) = claim(session, first)
        with UnitOfWork(session):
            session.execute(
                update(OutboxMessage).values(claimed_until=clock.utcnow() - timedelta(seconds=1))
            )
        assert drain(session, second) == 1
        record(session, first, held, None)
    (row,) = messages(sessions)
    assert (row.status, row.attempts, len(backend.sent)) == (MessageStatus.SENT, 1, 1)


class SlowRelay:
    """A relay each send of which takes 40 s of the clock."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[EmailMessage] = []
        self.now = clock.utcnow()
        monkeypatch.setattr(clock, "utcnow", lambda: self.now)

    def send(self, message: EmailMessage) -> None:
        self.now += timedelta(seconds=40)
        self.sent.append(message)


def test_a_batch_sends_no_message_once_half_its_lease_is_gone(
    db: Engine, sessions, monkeypatch
) -> None:
    """With a 60 s lease, the second send would start 20 s before the lease
    lapses: it is not started, and the unsent messages are given back."""
    relay = SlowRelay(monkeypatch)
    outbox = Outbox(relay, SENDER)
    queue(sessions, outbox, "a@example.com", "b@example.com", "c@example.com")
    with sessions() as session:
        assert deliver_due(session, Delivery(outbox, "w1", lease=timedelta(seconds=60))) == 1
    assert len(relay.sent) == 1
    rows = messages(sessions)
    assert sorted((row.status, row.claimed_by) for row in rows) == [
        (MessageStatus.PENDING, None),
        (MessageStatus.PENDING, None),
        (MessageStatus.SENT, None),
    ]
    with sessions() as session:
        assert len(claim(session, Delivery(outbox, "w2"))) == 2  # at once, not after the lease
