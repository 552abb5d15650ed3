"""/healthz, /readyz and who may read /metrics."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from factories import bearer, issue_token, make_account
from server.live import serving
from tenantree.server.app import create_app
from tenantree.server.probes import address_allowed, allowed_networks


def test_readyz_is_ready_on_a_migrated_reachable_database_with_a_worker(client, outbox) -> None:
    outbox.deliver()  # a worker's pass beats its heartbeat
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "outbox": "ok"},
    }


def test_readyz_names_the_migrations_when_the_database_is_not_at_head(tmp_path, settings) -> None:
    empty = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    app = create_app(empty)
    with TestClient(app) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["retry-after"]
    body = answer.json()
    assert body["failed"] == ["migrations", "outbox"]
    assert "db upgrade" in body["checks"]["migrations"]


def test_readyz_names_the_database_when_it_cannot_be_reached(tmp_path, settings) -> None:
    unopenable = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}"})
    app = create_app(unopenable)
    with TestClient(app) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["failed"] == ["database", "migrations", "outbox"]
    assert answer.json()["checks"]["database"].startswith("unreachable")


def test_healthz_answers_without_the_database(tmp_path, settings) -> None:
    unopenable = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}"})
    with TestClient(create_app(unopenable)) as client:
        assert client.get("/healthz").status_code == 200


def test_metrics_are_refused_to_an_address_not_allowed_without_a_token(client) -> None:
    # The test client's address is "testclient", not loopback.
    answer = client.get("/metrics")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_metrics_are_refused_to_a_token_that_is_not_an_operators(client, session, identity) -> None:
    token = issue_token(session, identity, make_account(session, identity))
    session.commit()
    assert client.get("/metrics", headers=bearer(token)).status_code == 403


def test_metrics_are_served_to_an_operators_token(client, session, identity) -> None:
    token = issue_token(session, identity, make_account(session, identity, is_operator=True))
    session.commit()
    answer = client.get("/metrics", headers=bearer(token))
    assert answer.status_code == 200
    assert "tenantree_http_requests_total" in answer.text


def test_metrics_are_served_to_loopback_by_default(app, db) -> None:
    with serving(app) as url:
        answer = httpx.get(f"{url}/metrics", timeout=10)
    assert answer.status_code == 200
    assert "tenantree_db_pool_in_use" in answer.text


def test_the_allowed_addresses_setting_takes_addresses_and_networks() -> None:
    networks = allowed_networks("127.0.0.1, 10.0.0.0/8,::1")
    assert address_allowed("10.1.2.3", networks)
    assert address_allowed("::1", networks)
    assert not address_allowed("192.0.2.1", networks)
    assert not address_allowed("testclient", networks)
    assert not address_allowed(None, networks)
