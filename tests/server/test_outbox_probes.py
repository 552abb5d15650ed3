"""The outbox seen from outside: /readyz wants a live worker, /metrics counts the queue."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update

from factories import bearer, issue_token, make_account
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.outbox import MemoryBackend
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.server.app import create_app


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    """Poll until `condition` holds (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_readyz_is_not_ready_when_no_outbox_worker_beats(client) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["failed"] == ["outbox"]
    assert "tenantree outbox work" in answer.json()["checks"]["outbox"]


def test_the_servers_background_worker_is_ready_and_sends_after_the_commit(settings, db) -> None:
    mailbox = MemoryBackend()
    background = settings.model_copy(update={"outbox_worker": "background"})
    app = create_app(background, email_backend=mailbox)
    try:
        with TestClient(app) as client:
            wait_for(lambda: client.get("/readyz").status_code == 200, "readiness")
            services = app.state.services
            with services.sessions() as session, UnitOfWork(session):
                services.identity.outbox.enqueue(session, to="a@example.com", subject="s", text="t")
            wait_for(lambda: [m.to for m in mailbox.sent] == ["a@example.com"], "the delivery")
        assert not app.state.outbox_worker.alive  # the lifespan stopped it
    finally:
        app.state.engine.dispose()


def test_metrics_count_the_queue_and_the_failed_messages(
    client, session, sessions, identity
) -> None:
    token = issue_token(session, identity, make_account(session, identity, is_operator=True))
    session.commit()
    with sessions() as work, UnitOfWork(work):
        for to in ("a@example.com", "b@example.com", "c@example.com"):
            identity.outbox.enqueue(work, to=to, subject="s", text="t")
        work.flush()
        work.execute(
            update(OutboxMessage)
            .where(OutboxMessage.payload["to"].as_string() == "c@example.com")
            .values(status=MessageStatus.FAILED)
        )
    page = client.get("/metrics", headers=bearer(token)).text
    assert "tenantree_outbox_queue_depth 2.0" in page
    assert "tenantree_outbox_failed_messages 1.0" in page
