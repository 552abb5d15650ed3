"""The core flows through PgBouncer in transaction mode (`?pooling=transaction`).

There each transaction may run on a different server connection: a prepared
statement or a session advisory lock made on one is missing on the next.
scripts/with-postgres.sh starts the PgBouncer and names it in
TENANTREE_TEST_PGBOUNCER_URL; without it these tests are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from factories import PASSWORD, issue_token, make_license, make_member, make_partner, make_sub_org
from server.live import serving
from tenantree.config import Settings
from tenantree.db import make_engine
from tenantree.db import migrate as migrations
from tenantree.licensing.models import Consumption, LicensePool
from tenantree.licensing.periods import period_usage
from tenantree.server.app import create_app

BOUNCER_ENV = "TENANTREE_TEST_PGBOUNCER_URL"
POSTGRES_ENV = "TENANTREE_TEST_POSTGRES_URL"

TENANTREE = str(Path(sys.executable).parent / "tenantree")

pytestmark = pytest.mark.skipif(
    not (os.environ.get(BOUNCER_ENV) and os.environ.get(POSTGRES_ENV)),
    reason=f"needs {BOUNCER_ENV} and {POSTGRES_ENV} (scripts/with-postgres.sh)",
)


@pytest.fixture
def bounced_url() -> Iterator[str]:
    """A fresh database, created directly on PostgreSQL, reached through PgBouncer."""
    name = f"tenantree_bouncer_{uuid.uuid4().hex[:12]}"
    admin = create_engine(os.environ[POSTGRES_ENV], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(os.environ[BOUNCER_ENV]).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def bounced_app(bounced_url: str):  # type: ignore[no-untyped-def]
    migrations.upgrade(bounced_url)
    app = create_app(
        Settings(
            database_url=bounced_url,
            secret_key="test-secret-key",
            email_backend="memory",
            db_pool_size=8,
            argon2_time_cost=1,
            argon2_memory_cost_kib=1024,
            argon2_parallelism=1,
        )
    )
    yield app
    app.state.engine.dispose()


def test_replicas_upgrading_at_once_through_pgbouncer_all_succeed(bounced_url: str) -> None:
    env = {**os.environ, "TENANTREE_DATABASE_URL": bounced_url}
    replicas = [
        subprocess.Popen(  # noqa: S603
            [TENANTREE, "db", "upgrade"], env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    for replica in replicas:
        _, errors = replica.communicate(timeout=120)
        assert replica.returncode == 0, errors
    assert migrations.current_revisions(bounced_url) == migrations.head_revisions()


def test_sign_in_and_repeated_reads_work_through_pgbouncer(bounced_app) -> None:  # type: ignore[no-untyped-def]
    services = bounced_app.state.services
    with services.sessions() as session:
        member = make_member(session, services.identity, make_partner(session))
        email = member.account.email
        session.commit()
    with serving(bounced_app) as base:

        def sign_in_and_read(_: int) -> list[int]:
            with httpx.Client(base_url=base, timeout=30) as client:
                login = client.post(
                    "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
                )
                if login.status_code != 200:
                    return [login.status_code]
                headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
                # More reads than psycopg's prepare threshold (5), from several
                # clients at once: each lands on whichever server connection
                # PgBouncer has free.
                return [client.get("/api/v1/me", headers=headers).status_code for _ in range(12)]

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = Counter(s for run in pool.map(sign_in_and_read, range(4)) for s in run)
    assert statuses == Counter({200: 48})


def test_throttled_sign_ins_work_through_pgbouncer(bounced_app) -> None:  # type: ignore[no-untyped-def]
    # Throttle hits are written in transactions of their own, on a second
    # engine beside the app's (db.engine.side_engine): it must connect the same way.
    services = bounced_app.state.services
    with services.sessions() as session:
        partner = make_partner(session)
        emails = [make_member(session, services.identity, partner).account.email for _ in range(4)]
        session.commit()
    with serving(bounced_app) as base:

        def guess(email: str) -> list[int]:
            with httpx.Client(base_url=base, timeout=30) as client:
                body = {"email": email, "password": "wrong password"}
                return [client.post("/api/v1/auth/login", json=body).status_code for _ in range(8)]

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = Counter(s for run in pool.map(guess, emails) for s in run)
    assert set(statuses) <= {401, 429}, statuses
    assert statuses[401] == 4 * services.identity.limits.sign_in_account_address.limit


def test_concurrent_usage_through_pgbouncer_never_passes_the_pool(bounced_app) -> None:  # type: ignore[no-untyped-def]
    services = bounced_app.state.services
    quantity, consumers, attempts = 20, 6, 6
    with services.sessions() as session:
        partner = make_partner(session)
        make_license(session, partner, quantity=quantity)
        customers = []
        for _ in range(consumers):
            sub_org = make_sub_org(session, partner)
            member = make_member(session, services.identity, sub_org)
            customers.append((sub_org.id, issue_token(session, services.identity, member.account)))
        session.commit()

    with serving(bounced_app) as base:

        def add_one_at_a_time(customer: tuple[uuid.UUID, str]) -> list[int]:
            org_id, token = customer
            with httpx.Client(base_url=base, timeout=30) as client:
                return [
                    client.post(
                        f"/api/v1/orgs/{org_id}/usage",
                        json={"sku": "mon", "add": 1},
                        headers={"Authorization": f"Bearer {token}"},
                    ).status_code
                    for _ in range(attempts)
                ]

        with ThreadPoolExecutor(max_workers=consumers) as pool:
            statuses = Counter(s for run in pool.map(add_one_at_a_time, customers) for s in run)

    assert set(statuses) <= {200, 409}, statuses
    with services.sessions() as session:
        used = session.scalar(
            select(LicensePool.used).where(LicensePool.holder_org_id == partner.id)
        )
        consumed = session.scalar(select(func.sum(Consumption.units)))
    assert used == consumed == statuses[200] == quantity


def test_a_period_report_turns_jit_off_for_its_own_transaction_through_pgbouncer(
    bounced_url: str,
) -> None:
    # SET LOCAL travels with the transaction to whichever server connection
    # PgBouncer lends it, and ends with it: the next transactions, on any
    # server connection, run with the server's setting again.
    migrations.upgrade(bounced_url)
    engine = make_engine(bounced_url, pool_size=4)
    try:
        with Session(engine) as session:
            server_default = session.scalar(text("SHOW jit"))
            session.rollback()
            period_usage(
                session, [uuid.uuid4()], first_day=date(2025, 3, 1), last_day=date(2025, 3, 7)
            )
            assert session.scalar(text("SHOW jit")) == "off"
            session.commit()
        for _ in range(8):
            with Session(engine) as session:
                assert session.scalar(text("SHOW jit")) == server_default
    finally:
        engine.dispose()
