"""Test fixtures shared by every suite.

Tests that touch the database run once per backend: SQLite always, and
PostgreSQL when TENANTREE_TEST_POSTGRES_URL names a server (scripts/test.sh
starts a throwaway one). Choose with `--db sqlite,postgresql`.
The schema is built by the real migrations once per backend; every test
starts from empty tables.

Service-level tests (those using `session` and reaching the database no other
way) run inside a transaction rolled back after the test: their commits only
release a savepoint. Tests that also reach it through the app (`client`),
another connection (`sessions`, `engine`) or ask for `db` commit for real, and
the tables they wrote are emptied after them.
"""

from __future__ import annotations

import functools
import inspect
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import typer.testing
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from emptying import empty_tables
from tenantree.config import Settings
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db import migrate as migrations
from tenantree.identity.context import IdentityConfig
from tenantree.outbox import MemoryBackend
from tenantree.outbox.delivery import drain
from tenantree.outbox.worker import beat
from tenantree.server.app import create_app
from tenantree.server.mail import make_delivery

POSTGRES_ENV = "TENANTREE_TEST_POSTGRES_URL"

# typer's CliRunner builds click's command tree from the Typer app at every
# invoke (~0.3 s for `tenantree`'s, the most of a command test's time). An app
# is assembled when its module is imported, so the tree built once is the same.
typer.testing._get_command = functools.cache(typer.testing._get_command)


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """SQLite syncs its write-ahead log to disk at every commit by default
    (~8 ms here, and tests commit often). Only a power cut tells NORMAL apart,
    as the PostgreSQL test cluster runs with fsync off. Every engine the tests
    make, the CLI's and the live servers' too (this process only)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


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
        # Tests deliver queued mail themselves, when they read it (`outbox`).
        outbox_worker="external",
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


@pytest.fixture
def fresh_mailbox(mailbox: MemoryBackend) -> Iterator[MemoryBackend]:
    mailbox.sent.clear()
    yield mailbox
    mailbox.sent.clear()


@pytest.fixture
def db(engine: Engine, fresh_mailbox: MemoryBackend) -> Iterator[Engine]:
    """Empty tables for a test that commits for real, emptied after it; the mailbox too.

    A worker's database starts empty and every such test empties it after
    itself, so at the start this is only a check (one probe statement).
    """
    empty_tables(engine)
    yield engine
    empty_tables(engine)


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


# Fixtures through which a test reaches the database besides `session`: the
# app's engine, another connection, or the emptied tables themselves.
_SHARED_DATABASE = frozenset({"client", "db", "engine", "sessions"})


def _shares_the_database(request: pytest.FixtureRequest) -> bool:
    if _SHARED_DATABASE & set(request.fixturenames):
        return True
    # A test driving the app itself (its own TestClient) sees only committed rows.
    return "app" in inspect.signature(request.function).parameters


@pytest.fixture
def session(
    request: pytest.FixtureRequest,
    arrange_sessions: sessionmaker[Session],
    fresh_mailbox: MemoryBackend,
) -> Iterator[Session]:
    """A session for arranging and inspecting state; tests commit what they arrange.

    Alone, it runs in a transaction rolled back after the test (SQLAlchemy's
    "join an external transaction" recipe): `commit()` releases a savepoint,
    `rollback()` returns to it, and nothing outlives the test.
    """
    if _shares_the_database(request):
        request.getfixturevalue("db")
        with arrange_sessions() as s:
            yield s
        return
    engine = arrange_sessions.kw["bind"]
    with engine.connect() as connection:
        outer = connection.begin()
        with arrange_sessions(bind=connection, join_transaction_mode="create_savepoint") as s:
            yield s
        outer.rollback()


@pytest.fixture
def client(app, db: Engine) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Outboxed:
    """Helper to read what the app emailed: reading delivers what is queued first."""

    mailbox: MemoryBackend
    deliver: Callable[[], int]

    @property
    def backend(self) -> MemoryBackend:
        self.deliver()
        return self.mailbox

    def to(self, email: str) -> list[str]:
        return [m.text for m in self.backend.sent if m.to == email]


@pytest.fixture
def deliver_mail(
    request: pytest.FixtureRequest, settings: Settings, identity: IdentityConfig
) -> Callable[[], int]:
    """Deliver every queued message that is due, as a worker would (retries stay
    queued): through the app's connections, or the test's own rolled-back session."""
    delivery = make_delivery(settings, identity.outbox, worker_id="tests")

    def deliver_in(session: Session) -> int:
        beat(session, delivery.worker_id)  # a worker's pass: readiness sees it alive
        return drain(session, delivery)

    def deliver() -> int:
        if _shares_the_database(request):
            with request.getfixturevalue("sessions")() as session:
                return deliver_in(session)
        return deliver_in(request.getfixturevalue("session"))

    return deliver


@pytest.fixture
def outbox(fresh_mailbox: MemoryBackend, deliver_mail: Callable[[], int]) -> Outboxed:
    return Outboxed(fresh_mailbox, deliver_mail)
