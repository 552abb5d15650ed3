"""Counting and recording a throttled attempt is one locked step: concurrent wrong
passwords are not all evaluated (PostgreSQL; SQLite serialises writers anyway)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from factories import PASSWORD, make_member, make_org
from server.live import serving
from tenantree.audit.models import AuditEvent
from tenantree.server.app import create_app

BURST = 30


@pytest.fixture
def live(settings, mailbox, db):  # type: ignore[no-untyped-def]
    # Admission waits long enough that no request of the burst is shed (503).
    patient = settings.model_copy(update={"admission_wait_seconds": 60})
    app = create_app(patient, email_backend=mailbox)
    with serving(app) as url:
        yield url
    app.state.engine.dispose()


def _login(url: str, email: str, password: str, local_address: str) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=local_address)
    with httpx.Client(base_url=url, transport=transport, timeout=60) as client:
        return client.post("/api/v1/auth/login", json={"email": email, "password": password})


@pytest.mark.postgres_only
def test_a_burst_of_wrong_passwords_is_evaluated_at_most_the_limit(
    live, session, identity, sessions
):  # type: ignore[no-untyped-def]
    make_member(session, identity, make_org(session), email="ann@example.com")
    session.commit()
    limit = identity.limits.sign_in_account_address.limit

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        answers = list(
            pool.map(
                lambda _: _login(live, "ann@example.com", "wrong password", "127.0.0.1"),
                range(BURST),
            )
        )

    statuses = [a.status_code for a in answers]
    assert sorted(set(statuses)) == [401, 429], statuses
    assert statuses.count(401) <= limit
    refused = [a for a in answers if a.status_code == 429]
    assert all(int(a.headers["Retry-After"]) > 0 for a in refused)
    assert {a.json()["error"]["limit"] for a in refused} == {"sign_in.account_address"}
    with sessions() as s:
        evaluated = s.scalar(select(func.count()).where(AuditEvent.action == "auth.sign_in_failed"))
    assert evaluated == statuses.count(401)
    # The person, from another address, still gets in.
    assert _login(live, "ann@example.com", PASSWORD, "127.0.0.2").status_code == 200
