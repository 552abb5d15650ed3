"""The unit of work: one commit on success, a rollback on failure, kept records either way."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenantree import clock
from tenantree.db.unit_of_work import UnitOfWork, keep
from tenantree.errors import Conflict
from tenantree.identity.throttle_models import ThrottleHit


def _failure(email: str) -> ThrottleHit:
    return ThrottleHit(key=email, at=clock.utcnow())


def _emails(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as s:
        return sorted(s.scalars(select(ThrottleHit.key)))


def test_work_that_succeeds_is_committed(db, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, UnitOfWork(session):
        session.add(_failure("done@example.com"))
    assert _emails(sessions) == ["done@example.com"]


def test_work_that_fails_is_rolled_back(db, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, pytest.raises(Conflict), UnitOfWork(session):
        session.add(_failure("lost@example.com"))
        session.flush()
        raise Conflict("refused")
    assert _emails(sessions) == []


def test_a_kept_record_outlasts_the_rollback(db, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, pytest.raises(Conflict), UnitOfWork(session):
        keep(session, lambda: session.add(_failure("kept@example.com")))
        session.add(_failure("lost@example.com"))
        raise Conflict("refused")
    assert _emails(sessions) == ["kept@example.com"]


def test_a_kept_record_is_written_once_when_the_work_succeeds(db, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, UnitOfWork(session):
        keep(session, lambda: session.add(_failure("kept@example.com")))
    assert _emails(sessions) == ["kept@example.com"]


def test_a_commit_that_fails_still_writes_what_was_kept(db, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        unit = UnitOfWork(session)
        keep(session, lambda: session.add(_failure("kept@example.com")))
        session.add(_failure(None))  # type: ignore[arg-type] # NOT NULL: the commit fails
        with pytest.raises(Exception, match="(?i)null"):
            unit.finish(succeeded=True)
        unit.close()
    assert _emails(sessions) == ["kept@example.com"]


def test_finishing_twice_commits_once(db, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        unit = UnitOfWork(session)
        session.add(_failure("done@example.com"))
        unit.finish(succeeded=True)
        session.add(_failure("after@example.com"))
        unit.finish(succeeded=True)
        unit.close()
    assert _emails(sessions) == ["done@example.com"]


def test_keep_outside_a_unit_of_work_writes_in_the_session(db, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        keep(session, lambda: session.add(_failure("kept@example.com")))
        assert session.scalar(select(func.count()).select_from(ThrottleHit)) == 1
    assert _emails(sessions) == []
