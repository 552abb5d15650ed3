"""Fixtures shared by the licensing tests: the world of ACCESS.md, an API
driver, the audit trail and a clock the test moves."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from factories import World, build_world
from tenantree import clock
from tenantree.audit.models import AuditEvent
from tenantree.db import make_engine

sys.path.insert(0, str(Path(__file__).parent))

from licensing_support import Api, FakeClock, audit_events  # noqa: E402


@pytest.fixture
def world(session: Session, identity) -> World:  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


@pytest.fixture
def api(client: TestClient, world: World) -> Api:
    return Api(client, world)


@pytest.fixture
def audit(db, sessions: sessionmaker[Session]) -> Callable[..., list[AuditEvent]]:  # type: ignore[no-untyped-def]
    return lambda action, org_id=None: audit_events(sessions, action, org_id)


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch, world: World) -> FakeClock:
    # After the world's tokens are issued with the real clock; times in the past
    # keep them valid.
    fake = FakeClock(datetime(2025, 1, 1, tzinfo=UTC))
    monkeypatch.setattr(clock, "utcnow", fake)
    return fake


@pytest.fixture
def wide_sessions(database_url: str, sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """Sessions on an engine with a connection for every thread, so that all of
    them really are in the database at once."""
    engine = make_engine(database_url, pool_size=64, max_overflow=0, pool_timeout=60)
    yield lambda: sessions(bind=engine)
    engine.dispose()
