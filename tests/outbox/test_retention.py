"""Retention: delivered and dead-lettered messages (webhook deliveries too) and
throttle hits past every window are deleted in batches, idempotently, by any
number of pruners at once; nothing still pending or still counted goes."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tenantree import clock
from tenantree.config import Settings
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.identity.throttle import Limits
from tenantree.identity.throttle_models import ThrottleHit
from tenantree.outbox import MemoryBackend, Outbox
from tenantree.outbox.delivery import Delivery
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.outbox.worker import Worker
from tenantree.server.mail import make_worker
from tenantree.server.retention import Cutoffs, Pruned, prune

DAY = timedelta(days=1)
SENDER = "tenantree <no-reply@tenantree.test>"


def retention(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update=changes)


def message(status: str, age: timedelta, kind: str = "email") -> OutboxMessage:
    """A message whose last step (due, sent or given up) was `age` ago."""
    at = clock.utcnow() - age
    return OutboxMessage(
        id=uuid.uuid4(),
        kind=kind,
        payload={"to": f"{status}-{age.days}@example.com"},
        status=status,
        attempts=1,
        next_attempt_at=at,
        created_at=at,
        sent_at=at if status == MessageStatus.SENT else None,
        failed_at=at if status == MessageStatus.FAILED else None,
    )


def arrange(sessions: sessionmaker[Session], *rows: object) -> None:
    with sessions() as session, UnitOfWork(session):
        session.add_all(rows)


def remaining(sessions: sessionmaker[Session]) -> set[str]:
    with sessions() as session:
        return {m.payload["to"] for m in session.scalars(select(OutboxMessage))}


def hits(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ThrottleHit)) or 0


def test_each_state_is_kept_its_own_time_and_pending_always(db: Engine, sessions, settings) -> None:
    arrange(
        sessions,
        message(MessageStatus.SENT, 15 * DAY),  # past 14 days: goes
        message(MessageStatus.SENT, 13 * DAY),
        message(MessageStatus.SENT, 20 * DAY, kind="webhook"),  # a webhook delivery: goes
        message(MessageStatus.FAILED, 91 * DAY),  # dead-lettered past 90 days: goes
        message(MessageStatus.FAILED, 30 * DAY),  # kept longer than a delivered one
        message(MessageStatus.PENDING, 400 * DAY),  # still to deliver: never
    )

    with sessions() as session:
        pruned = prune(session, settings)

    assert pruned == Pruned(sent=2, failed=1, throttle_hits=0)
    assert remaining(sessions) == {
        "sent-13@example.com",
        "failed-30@example.com",
        "pending-400@example.com",
    }


def test_it_deletes_in_batches_and_again_deletes_nothing(db: Engine, sessions, settings) -> None:
    arrange(sessions, *(message(MessageStatus.SENT, (15 + i) * DAY) for i in range(7)))
    small_batches = retention(settings, retention_batch_size=3)

    with sessions() as session:
        first = prune(session, small_batches)
    with sessions() as session:
        again = prune(session, small_batches)

    assert (first.sent, again.sent) == (7, 0)
    assert remaining(sessions) == set()


def test_the_settings_say_how_long_each_is_kept(db: Engine, sessions, settings) -> None:
    arrange(sessions, message(MessageStatus.SENT, 3 * DAY), message(MessageStatus.FAILED, 3 * DAY))
    with sessions() as session:
        pruned = prune(session, retention(settings, retention_sent_days=2, retention_failed_days=4))
    assert (pruned.sent, pruned.failed) == (1, 0)


def test_throttle_hits_go_once_past_every_window_whatever_the_setting(
    db: Engine, sessions, settings
) -> None:
    longest = Limits.from_settings(settings).longest_window
    now = clock.utcnow()
    arrange(
        sessions,
        ThrottleHit(key="sign_in.address:203.0.113.9", at=now - longest - timedelta(minutes=1)),
        ThrottleHit(key="sign_in.address:203.0.113.9", at=now - longest + timedelta(minutes=1)),
    )
    # A setting shorter than a window would let a hit that still counts go: it
    # is held to the longest window instead.
    too_short = retention(settings, retention_throttle_hits_hours=0.001)
    assert Cutoffs.from_settings(too_short, now).throttle_hits == now - longest

    with sessions() as session:
        assert prune(session, too_short, now).throttle_hits == 1
    assert hits(sessions) == 1


def test_several_pruners_at_once_delete_each_row_once_without_error(
    db: Engine, sessions, settings
) -> None:
    arrange(sessions, *(message(MessageStatus.SENT, (15 + i) * DAY) for i in range(40)))
    small_batches = retention(settings, retention_batch_size=5)
    results: list[Pruned] = []
    errors: list[BaseException] = []

    def pruner() -> None:
        try:
            with sessions() as session:
                results.append(prune(session, small_batches))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=pruner) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(r.sent for r in results) == 40
    assert remaining(sessions) == set()


def test_a_worker_prunes_when_its_interval_has_passed(db: Engine, sessions, settings) -> None:
    arrange(sessions, message(MessageStatus.SENT, 30 * DAY))
    worker = make_worker(
        retention(settings, retention_sweep_seconds=3600), sessions, Outbox(MemoryBackend(), SENDER)
    )

    assert worker.run_chores_if_due() is None  # the first run waits one interval
    assert remaining(sessions) == {"sent-30@example.com"}
    worker._chores_due = 0.0  # the interval has passed
    assert worker.run_chores_if_due() == Pruned(sent=1, failed=0, throttle_hits=0)
    assert worker.run_chores_if_due() is None  # not again before the next interval
    assert remaining(sessions) == set()


def test_a_zero_interval_leaves_pruning_to_the_command(sessions, settings) -> None:
    worker = make_worker(
        retention(settings, retention_sweep_seconds=0), sessions, Outbox(MemoryBackend(), SENDER)
    )
    assert worker.chores is None


def test_the_worker_runs_chores_only_when_given(sessions) -> None:
    bare = Worker(sessions, Delivery(Outbox(MemoryBackend(), SENDER), "w"), chores_every_seconds=1)
    assert bare.run_chores_if_due() is None


@pytest.mark.parametrize("field", ["retention_sent_days", "retention_failed_days"])
def test_a_retention_of_zero_days_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Settings(**{field: 0})
