"""The database fixtures: what a test's commits leave behind."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from emptying import empty_tables, written_tables
from factories import build_world, make_license, make_org
from tenantree.identity.context import IdentityConfig
from tenantree.identity.models import Membership
from tenantree.identity.roles import Role
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


def test_emptying_leaves_no_row_of_what_a_test_committed(
    db: Engine, sessions: sessionmaker[Session], identity: IdentityConfig
):
    with sessions() as s:
        world = build_world(s, identity)
        make_license(s, world.P, quantity=5)
        s.commit()
    with db.connect() as conn:
        assert {"orgs", "accounts", "memberships", "licenses"} <= {
            t.name for t in written_tables(conn)
        }
    empty_tables(db)
    with db.connect() as conn:
        assert written_tables(conn) == []


def test_foreign_keys_hold_again_after_the_emptying(db: Engine, sessions: sessionmaker[Session]):
    with sessions() as s:
        make_org(s, name="Emptied")
        s.commit()
    empty_tables(db)  # on PostgreSQL with the keys' checks off, for its own transaction only
    with sessions() as s:
        s.add(Membership(org_id=uuid.uuid4(), account_id=uuid.uuid4(), role=Role.USER))
        with pytest.raises(IntegrityError):
            s.flush()
