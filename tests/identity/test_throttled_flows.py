"""Invitations, anonymous SSO starts and SCIM writes are throttled (identity.throttle):
429 with Retry-After and the limit named, the refusal audited."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from factories import build_world, lowered_limits
from tenantree.audit.models import AuditEvent


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


@pytest.fixture
def lower(client, monkeypatch):  # type: ignore[no-untyped-def]
    services = client.app.state.services

    def lower(**limits: int) -> None:
        monkeypatch.setattr(services, "identity", lowered_limits(services.identity, **limits))

    return lower


def _throttled(response, code: str, limit: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert (error["code"], error["limit"]) == (code, limit)


def _audited(sessions, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _invite(client, world, org, actor, n):  # type: ignore[no-untyped-def]
    body = {"email": f"new-{n}@example.com", "role": "user"}
    return client.post(
        f"/api/v1/orgs/{org.id}/invitations", json=body, headers=world.headers(actor)
    )


def test_invitations_are_throttled_per_org(client, world, lower, sessions):  # type: ignore[no-untyped-def]
    lower(invitation_org=2)
    assert _invite(client, world, world.S, "S-A", 1).status_code == 201
    assert _invite(client, world, world.S, "P-A", 2).status_code == 201

    _throttled(_invite(client, world, world.S, "S-A", 3), "invitation_throttled", "invitation.org")
    (event,) = _audited(sessions, "invitation.throttled")
    assert event.org_id == world.S.id
    # Another org's invitations are counted apart.
    assert _invite(client, world, world.U, "U-A", 4).status_code == 201


def test_invitations_are_throttled_per_inviter(client, world, lower):  # type: ignore[no-untyped-def]
    lower(invitation_inviter=2)
    assert _invite(client, world, world.S, "P-A", 1).status_code == 201
    assert _invite(client, world, world.P, "P-A", 2).status_code == 201

    refused = _invite(client, world, world.S, "P-A", 3)

    _throttled(refused, "invitation_throttled", "invitation.inviter")
    assert _invite(client, world, world.S, "S-A", 4).status_code == 201


def test_anonymous_sso_starts_are_throttled_per_address(client, lower, sessions):  # type: ignore[no-untyped-def]
    lower(sso_start_address=2)
    start = f"/sso/orgs/{uuid.uuid4()}/start"
    for _ in range(2):
        assert client.get(start, follow_redirects=False).status_code == 401

    _throttled(client.get(start), "sso_start_throttled", "sso_start.address")
    (event,) = _audited(sessions, "auth.sso_start_throttled")
    assert event.details["client_address"] == "testclient"


def test_scim_writes_are_throttled_per_token_and_reads_are_not(client, world, lower):  # type: ignore[no-untyped-def]
    made = client.post(
        f"/api/v1/orgs/{world.S.id}/scim-tokens",
        json={"name": "okta"},
        headers=world.headers("S-A"),
    )
    headers = {"Authorization": f"Bearer {made.json()['token']}"}
    base = f"/scim/v2/orgs/{world.S.id}"
    lower(scim_write_token=1)
    assert client.delete(f"{base}/Users/{uuid.uuid4()}", headers=headers).status_code == 404

    refused = client.delete(f"{base}/Users/{uuid.uuid4()}", headers=headers)

    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    body = refused.json()
    assert body["status"] == "429"
    assert body["detail"].startswith("scim_write_throttled")
    assert "scim_write.token" in body["detail"]
    assert client.get(f"{base}/Users", headers=headers).status_code == 200
