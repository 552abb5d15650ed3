"""One unit of work per request or CLI command: one transaction, committed once.

Services flush and never commit. The unit of work commits when the work
succeeds and rolls everything back when it fails (queued email goes with it).
A few records must outlast a refused action — throttle counters, sign-in
failures, refusal audit events, the last use of a token: services hand those
to `keep`, and after a rollback the unit of work writes them again in a short
transaction of their own. This module is the only place that commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY = "tenantree_unit_of_work"
_T = TypeVar("_T")


class UnitOfWork:
    """The transaction of one request or command, over `session`.

    `reads_only`: the session runs outside a transaction (db.reads_only_engine),
    each statement committing on its own; there is nothing to commit or roll
    back, and kept records are durable as soon as they are flushed.
    """

    def __init__(self, session: Session, *, reads_only: bool = False) -> None:
        self.session = session
        self.reads_only = reads_only
        self._kept: list[Callable[[], object]] = []
        self._finished = False
        session.info[_KEY] = self

    @property
    def finished(self) -> bool:
        return self._finished

    def keep(self, write: Callable[[], _T]) -> _T:
        """Write a record now that must be written even if the work fails.

        `write` adds it to the session; it runs now, in the work's own
        transaction (committed with it on success), and once more after a
        rollback, so it must build its record afresh each time.
        """
        result = write()
        self.session.flush()
        if not self.reads_only:
            self._kept.append(write)
        return result

    def finish(self, succeeded: bool) -> None:
        """Commit if the work succeeded, else roll back and write what was kept. Once."""
        if self._finished:
            return
        self._finished = True
        if self.reads_only:
            return
        if not succeeded:
            self._roll_back_keeping()
            return
        try:
            self.session.commit()
        except BaseException:
            self._roll_back_keeping()
            raise

    def close(self) -> None:
        """Roll back whatever was not finished and close the session."""
        self.finish(succeeded=False)
        self._detach()
        self.session.close()

    def _detach(self) -> None:
        if self.session.info.get(_KEY) is self:
            del self.session.info[_KEY]

    def _roll_back_keeping(self) -> None:
        self.session.rollback()
        if not self._kept:
            return
        try:
            for write in self._kept:
                write()
            self.session.commit()
        except OperationalError as error:
            # The database is away (the failure being answered, most likely):
            # one line, not a traceback per request.
            log.warning(
                "could not write the records kept from a failed unit of work: %s", error.orig
            )
            self.session.rollback()
        except Exception:
            # The failure being answered matters more than its record: a
            # database that refused the work may well refuse this too.
            log.exception("could not write the records kept from a failed unit of work")
            self.session.rollback()

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The session stays open (its owner closes it): a loader running
        # several units of work in a row keeps using the objects it loaded.
        try:
            self.finish(succeeded=exc_type is None)
        finally:
            self._detach()


def current_unit_of_work(session: Session) -> UnitOfWork | None:
    return session.info.get(_KEY)  # type: ignore[no-any-return]


def keep(session: Session, write: Callable[[], _T]) -> _T:
    """Write a record that must outlast a refused action (see UnitOfWork.keep).

    Outside a unit of work (a service called on a bare session, as in tests)
    the record is simply written in the session.
    """
    unit = current_unit_of_work(session)
    if unit is None:
        return write()
    return unit.keep(write)
