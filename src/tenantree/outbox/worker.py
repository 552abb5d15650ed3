"""The delivering loop: in a thread of the server (the default) or in its own
process (`tenantree outbox work`). Any number may run against one database.

Each pass beats the worker's heartbeat (readiness asks for a recent one) and
delivers what is due; between passes it sleeps until poked (a commit wrote
messages) or `poll` has passed. Every `chores_every_seconds` it also runs its
`chores` (the server gives it retention: server/retention.py), the first time
one interval after it starts, so a restart storm does not prune all at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tenantree import clock
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.outbox.delivery import Delivery, deliver_due
from tenantree.outbox.models import OutboxWorker

log = logging.getLogger(__name__)

# A heartbeat older than this means the worker is gone; its row is then removed.
FORGOTTEN_AFTER = timedelta(days=1)


def new_worker_id() -> str:
    """Unique, and readable in `outbox list`: host, process, and a random tail."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def beat(session: Session, worker_id: str) -> None:
    """Record that this worker is alive, in a transaction of its own."""
    with UnitOfWork(session):
        now = clock.utcnow()
        row = session.get(OutboxWorker, worker_id)
        if row is None:
            forgotten = OutboxWorker.heartbeat_at < now - FORGOTTEN_AFTER
            session.execute(delete(OutboxWorker).where(forgotten))
            session.add(OutboxWorker(id=worker_id, started_at=now, heartbeat_at=now))
        else:
            row.heartbeat_at = now


def forget(session: Session, worker_id: str) -> None:
    with UnitOfWork(session):
        session.execute(delete(OutboxWorker).where(OutboxWorker.id == worker_id))


class Worker:
    """Runs passes until stopped; `poke()` wakes it early."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        delivery: Delivery,
        *,
        poll_seconds: float = 2.0,
        chores: Callable[[Session], object] | None = None,
        chores_every_seconds: float = 0.0,
    ) -> None:
        self.sessions = sessions
        self.delivery = delivery
        self.poll_seconds = poll_seconds
        self.chores = chores if chores_every_seconds > 0 else None
        self.chores_every_seconds = chores_every_seconds
        self._chores_due = time.monotonic() + chores_every_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def id(self) -> str:
        return self.delivery.worker_id

    def poke(self) -> None:
        self._wake.set()

    def run_once(self) -> int:
        """Beat, then deliver batches until none is due. How many messages were tried."""
        tried = 0
        with self.sessions() as session:
            while not self._stop.is_set():
                beat(session, self.id)  # between batches too: a slow relay is not death
                batch = deliver_due(session, self.delivery)
                tried += batch
                if not batch:
                    break
        return tried

    def run_chores_if_due(self) -> object:
        """Run the chores if their interval has passed; what they returned, else None."""
        if self.chores is None or time.monotonic() < self._chores_due:
            return None
        # Due again one interval on, even if this run fails: no retry storm.
        self._chores_due = time.monotonic() + self.chores_every_seconds
        with self.sessions() as session:
            return self.chores(session)

    def run(self) -> None:
        """Loop until `stop()`; a database outage is logged in one line and waited out."""
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
                done = self.run_chores_if_due()
                if done is not None:
                    log.info("outbox worker %s: %s", self.id, done)
            except SQLAlchemyError as error:
                reason = getattr(error, "orig", error)
                log.warning("outbox worker %s: database error: %s", self.id, reason)
            except Exception:
                log.exception("outbox worker %s: pass failed", self.id)
            self._wake.wait(self.poll_seconds)
        try:
            with self.sessions() as session:
                forget(session, self.id)
        except SQLAlchemyError:
            pass  # its heartbeat goes stale instead

    def start(self) -> None:
        """Run in a daemon thread (the server's background worker)."""
        self._thread = threading.Thread(target=self.run, name="outbox-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
