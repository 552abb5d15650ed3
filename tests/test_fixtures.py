"""The database fixtures: what a test's commits leave behind."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factories import make_org
from tenantree.orgs.models import Org


def test_a_service_level_tests_commit_only_releases_a_savepoint(
    session: Session, arrange_sessions: sessionmaker[Session]
):
    make_org(session, name="Savepoint Org")
    session.commit()
    assert session.scalar(select(func.count()).select_from(Org)) == 1
    # Another connection sees only what is really committed: nothing.
    with arrange_sessions() as other:
        assert other.scalar(select(func.count()).select_from(Org)) == 0
        other.commit()


def test_a_service_level_tests_rollback_returns_to_the_last_commit(session: Session):
    make_org(session, name="Kept")
    session.commit()
    make_org(session, name="Dropped")
    session.rollback()
    names = session.scalars(select(Org.name)).all()
    assert names == ["Kept"]


def test_a_test_beside_the_app_commits_for_real(session: Session, sessions: sessionmaker[Session]):
    make_org(session, name="Committed Org")
    session.commit()
    with sessions() as app_session:
        assert app_session.scalar(select(func.count()).select_from(Org)) == 1
        app_session.commit()
