"""The server's background sweep: `alerts.sweep` every so often, in a thread.

Every replica may run one; the database's unique crossing makes each alert
(and its mail) happen once, whichever replica gets there first.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tenantree.alerts.raising import Raised
from tenantree.alerts.sweep import sweep
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.outbox import Outbox

log = logging.getLogger(__name__)


def sweep_once(sessions: sessionmaker[Session], outbox: Outbox) -> Raised:
    """One sweep in a transaction of its own (committed at the end)."""
    with sessions() as session, UnitOfWork(session):
        return sweep(session, outbox)


class SweepLoop:
    """Sweeps every `every_seconds` until stopped (the first after one wait:
    a restart storm does not sweep all at once)."""

    def __init__(
        self, sessions: sessionmaker[Session], outbox: Outbox, *, every_seconds: float
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        while not self._stop.wait(self.every_seconds):
            try:
                result = sweep_once(self.sessions, self.outbox)
                if result.raised:
                    log.info("alerts sweep raised %d alert(s)", len(result.raised))
            except SQLAlchemyError as error:
                log.warning("alerts sweep: database error: %s", getattr(error, "orig", error))
            except Exception:
                log.exception("alerts sweep failed")

    def start(self) -> None:
        # A lifespan started again after a stop (as tests do) sweeps again.
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="alerts-sweep", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
