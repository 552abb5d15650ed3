"""Addresses no route answers: console pages for people, JSON for machines."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient

from tenantree.server.app import create_app


def test_an_unknown_console_address_answers_a_console_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no page at this address" in response.text
    assert "<h1>Not found</h1>" in response.text


def test_an_unknown_api_address_keeps_its_json_error(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_unknown_scim_address_keeps_its_json_error(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/scim/v2/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/")


def test_a_console_page_that_fails_answers_a_500_page(settings, mailbox) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings, email_backend=mailbox)
    failing = APIRouter()

    @failing.get("/orgs-failing-for-the-test")
    def fail() -> None:
        raise RuntimeError("boom")

    @failing.get("/api/v1/failing-for-the-test")
    def fail_api() -> None:
        raise RuntimeError("boom")

    app.include_router(failing)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            page = client.get("/orgs-failing-for-the-test")
            api = client.get("/api/v1/failing-for-the-test")
    finally:
        app.state.engine.dispose()
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in page.text
    assert "boom" not in page.text
    assert api.status_code == 500
    assert api.json()["error"]["code"] == "internal_error"
