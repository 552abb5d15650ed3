"""`tenantree outbox work` as a real process: killed mid-send it loses nothing, and
two of them deliver each message once. Mail goes to an aiosmtpd sink."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tenantree.db.unit_of_work import UnitOfWork
from tenantree.outbox.models import MessageStatus, OutboxMessage

TENANTREE = str(Path(sys.executable).with_name("tenantree"))


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Poll until `condition` holds (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def sink() -> Iterator[tuple[int, list[object]]]:
    """An aiosmtpd server on loopback; the envelopes it received."""
    from aiosmtpd.controller import Controller

    received: list[object] = []

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


@pytest.fixture
def silent_relay() -> Iterator[int]:
    """A relay that accepts the connection and never greets: a send hangs in it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def start_worker(
    database_url: str, smtp_port: int, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "TENANTREE_DATABASE_URL": database_url,
        "TENANTREE_SECRET_KEY": "test-secret-key",
        "TENANTREE_EMAIL_BACKEND": f"smtp://127.0.0.1:{smtp_port}",
        "TENANTREE_OUTBOX_POLL_SECONDS": "0.2",
        # Short, so the test need not wait long for a dead worker's lease to lapse.
        "TENANTREE_OUTBOX_LEASE_SECONDS": "3",
        **(env or {}),
    }
    return subprocess.Popen(  # noqa: S603 - our own command
        [TENANTREE, "outbox", "work", *args],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def queue_mail(sessions, identity, *recipients: str) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, UnitOfWork(session):
        for to in recipients:
            identity.outbox.enqueue(session, to=to, subject="Welcome", text="Hello.\n")


def rows(sessions) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage)))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def test_a_worker_killed_between_commit_and_send_delivers_after_restart(
    database_url, db, sessions, identity, silent_relay, sink
) -> None:
    queue_mail(sessions, identity, "new@example.com")
    first = start_worker(database_url, silent_relay)
    try:
        # It has leased the message and hangs sending it: kill it there.
        wait_for(lambda: rows(sessions)[0].claimed_by is not None, "the worker's claim")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    (row,) = rows(sessions)
    assert (row.status, row.sent_at) == (MessageStatus.PENDING, None)

    port, received = sink
    second = start_worker(database_url, port)
    try:
        wait_for(lambda: rows(sessions)[0].status == MessageStatus.SENT, "the delivery")
        second.send_signal(signal.SIGTERM)  # a graceful stop
        assert second.wait(timeout=15) == 0
    finally:
        stop(second)
    assert [envelope.rcpt_tos for envelope in received] == [["new@example.com"]]  # type: ignore[attr-defined]


def test_two_workers_deliver_each_message_exactly_once(
    database_url, db, sessions, identity, sink
) -> None:
    recipients = [f"user{n}@example.com" for n in range(40)]
    queue_mail(sessions, identity, *recipients)
    port, received = sink
    workers = [start_worker(database_url, port, "--once") for _ in range(2)]
    try:
        for worker in workers:
            assert worker.wait(timeout=120) == 0, worker.stderr.read() if worker.stderr else ""
    finally:
        for worker in workers:
            stop(worker)
    delivered = sorted(to for envelope in received for to in envelope.rcpt_tos)  # type: ignore[attr-defined]
    assert delivered == sorted(recipients)
    assert {row.status for row in rows(sessions)} == {MessageStatus.SENT}
