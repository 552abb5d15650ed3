"""Test fixtures shared by every suite.

Tests that touch the database run once per backend: SQLite always, and
PostgreSQL when TENANTREE_TEST_POSTGRES_URL names a server (scripts/test.sh
starts a throwaway one). Choose with `--db sqlite,postgresql`.
The schema is built by the real migrations once per backend; every test
starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tenantree.config import Settings
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db import migrate as migrations
from tenantree.db.models import metadata
from tenantree.identity.context import IdentityConfig
from tenantree.outbox import MemoryBackend
from tenantree.server.app import create_app

POSTGRES_ENV = "TENANTREE_TEST_POSTGRES_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=None,
        help="comma-separated backends to run database tests on: sqlite,postgresql "
        f"(default: sqlite, plus postgresql when {POSTGRES_ENV} is set)",
    )


def _backends(config: pytest.Config) -> list[str]:
    chosen = config.getoption("--db")
    if chosen:
        return [b.strip() for b in chosen.split(",") if b.strip()]
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = _backends(metafunc.config)
        if metafunc.definition.get_closest_marker("postgres_only"):
            backends = [b for b in backends if b == "postgresql"]
        metafunc.parametrize("backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "tenantree.db"
        url = f"sqlite:///{path}"
        migrations.upgrade(url)
        yield url
        return
    server_url = os.environ.get(POSTGRES_ENV)
    if not server_url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    name = f"tenantree_test_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        email_backend="memory",
        public_base_url="http://tenantree.test",
        argon2_time_cost=1,
        argon2_memory_cost_kib=1024,
        argon2_parallelism=1,
    )


@pytest.fixture(scope="session")
def mailbox() -> MemoryBackend:
    return MemoryBackend()


@pytest.fixture(scope="session")
def app(settings: Settings, mailbox: MemoryBackend):  # type: ignore[no-untyped-def]
    application = create_app(settings, email_backend=mailbox)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def engine(app) -> Engine:  # type: ignore[no-untyped-def]
    return app.state.engine  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def sessions(app) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    return app.state.services.sessions  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def identity(app) -> IdentityConfig:  # type: ignore[no-untyped-def]
    return app.state.services.identity  # type: ignore[no-any-return]


def _empty_tables(engine: Engine) -> None:
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
        else:
            for table in tables:
                if table.name == "orgs":  # sub-orgs point at their parent
                    conn.execute(table.delete().where(table.c.parent_id.is_not(None)))
                conn.execute(table.delete())


@pytest.fixture
def db(engine: Engine, mailbox: MemoryBackend) -> Iterator[Engine]:
    """Empty tables before and after the test; the mailbox too."""
    _empty_tables(engine)
    mailbox.sent.clear()
    yield engine
    _empty_tables(engine)
    mailbox.sent.clear()


@pytest.fixture(scope="session")
def arrange_sessions(
    settings: Settings, identity: IdentityConfig
) -> Iterator[sessionmaker[Session]]:
    """Sessions for tests to arrange and inspect state beside the running app.

    On SQLite they begin deferred transactions, so a test that has read
    something and then calls the API does not hold the write lock the app's
    IMMEDIATE transactions wait for. Email they queue goes to the mailbox.
    """
    engine = make_engine(settings.database_url, sqlite_immediate=False)
    factory = make_sessionmaker(engine)
    identity.outbox.attach(factory)
    yield factory
    engine.dispose()


@pytest.fixture
def session(db: Engine, arrange_sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and inspecting state; tests commit what they arrange."""
    with arrange_sessions() as s:
        yield s


@pytest.fixture
def client(app, db: Engine) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Outboxed:
    """Helper to read what the app emailed."""

    backend: MemoryBackend

    def to(self, email: str) -> list[str]:
        return [m.text for m in self.backend.sent if m.to == email]


@pytest.fixture
def outbox(mailbox: MemoryBackend, db: Engine) -> Outboxed:
    return Outboxed(mailbox)
