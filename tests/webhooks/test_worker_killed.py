"""`tenantree outbox work` killed (SIGKILL) while a receiver holds its webhook
delivery open: nothing is lost. Another worker delivers once the lease lapses,
with the same webhook-id, so the receiver can tell it is the same event."""

from __future__ import annotations

import signal

from sqlalchemy import Engine

from outbox.test_worker_process import rows as all_rows
from outbox.test_worker_process import start_worker, stop, wait_for
from tenantree.outbox.models import MessageStatus
from webhooks.receiver import running_receiver
from webhooks.test_delivery import arrange, rows


def _start(database_url: str):  # type: ignore[no-untyped-def]
    # No mail goes out here; the SMTP port only has to be a number.
    return start_worker(database_url, 9, env={"TENANTREE_WEBHOOKS_ALLOW_PRIVATE_HOSTS": "true"})


def test_a_worker_killed_mid_delivery_loses_nothing_and_keeps_the_webhook_id(
    database_url, db: Engine, sessions
) -> None:
    # The first request hangs in the receiver far past the kill.
    with running_receiver([("slow", 8.0)]) as receiver:
        _, made = arrange(sessions, receiver.url)
        first = _start(database_url)
        try:
            wait_for(lambda: len(receiver.received) == 1, "the first delivery attempt")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        (row,) = rows(sessions, made)
        assert (row.status, row.sent_at) == (MessageStatus.PENDING, None)

        second = _start(database_url)
        try:
            wait_for(lambda: rows(sessions, made)[0].status == MessageStatus.SENT, "the redelivery")
        finally:
            stop(second)
    assert len(receiver.received) == 2
    assert receiver.ids() == [str(row.id), str(row.id)]
    assert [r.body for r in receiver.received][0] == receiver.received[1].body
    assert {r.status for r in all_rows(sessions)} <= {MessageStatus.SENT}
