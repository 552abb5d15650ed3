"""An org's mail through the outbox: the relay is looked up when the message is
sent, and how delivery went shows on the invitation and in the audit feed."""

from __future__ import annotations

import dataclasses
import socket

from sqlalchemy import select

from branding.conftest import RELAY_PASSWORD
from tenantree.outbox.delivery import drain
from tenantree.outbox.models import OutboxMessage
from tenantree.outbox.retry import RetryPolicy
from tenantree.server.mail import make_delivery


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


def _put_relay(brand_api, org: str, **body) -> None:  # type: ignore[no-untyped-def]
    response = brand_api.client.put(
        f"/api/v1/orgs/{getattr(brand_api.world, org).id}/branding/smtp-relay",
        json=body,
        headers=brand_api.world.headers("OP"),
    )
    assert response.status_code == 200, response.text


def _invite(brand_api, org: str, to: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = brand_api.client.post(
        f"/api/v1/orgs/{getattr(brand_api.world, org).id}/invitations",
        json={"email": to, "role": "user"},
        headers=brand_api.world.headers("OP"),
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _delivery_of(brand_api, org: str, to: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = brand_api.client.get(
        f"/api/v1/orgs/{getattr(brand_api.world, org).id}/invitations",
        headers=brand_api.world.headers("OP"),
    )
    assert response.status_code == 200, response.text
    (item,) = [i for i in response.json()["items"] if i["email"] == to]
    return item["email_delivery"]  # type: ignore[no-any-return]


def _deliver(sessions, settings, identity, policy: RetryPolicy) -> None:  # type: ignore[no-untyped-def]
    delivery = make_delivery(settings, identity.outbox, worker_id="tests")
    with sessions() as session:
        drain(session, dataclasses.replace(delivery, policy=policy))


def test_a_new_invitation_shows_its_email_queued(brand_api, private_relays):
    body = _invite(brand_api, "S", "new@contoso.example")
    assert body["email_delivery"]["status"] == "queued"


def test_a_delivered_invitation_shows_sent(brand_api, outbox):
    _invite(brand_api, "S", "new@contoso.example")
    outbox.deliver()
    assert _delivery_of(brand_api, "S", "new@contoso.example")["status"] == "sent"


def test_a_failed_attempt_shows_retrying_with_the_reason(
    brand_api, private_relays, sessions, settings, identity
):
    _put_relay(brand_api, "S", host="127.0.0.1", port=_closed_port(), starttls=False)
    _invite(brand_api, "S", "new@contoso.example")
    _deliver(sessions, settings, identity, RetryPolicy(max_attempts=5, base_seconds=600))
    delivery = _delivery_of(brand_api, "S", "new@contoso.example")
    assert (delivery["status"], delivery["attempts"]) == ("retrying", 1)
    assert "Connection refused" in delivery["last_error"]


def test_a_failing_relay_shows_failed_with_the_reason_after_the_retries(
    brand_api, private_relays, sessions, settings, identity
):
    _put_relay(brand_api, "S", host="127.0.0.1", port=_closed_port(), starttls=False)
    _invite(brand_api, "S", "new@contoso.example")
    _deliver(sessions, settings, identity, RetryPolicy(max_attempts=3, base_seconds=0))
    delivery = _delivery_of(brand_api, "S", "new@contoso.example")
    assert (delivery["status"], delivery["attempts"]) == ("failed", 3)
    assert "ConnectionRefusedError" in delivery["last_error"]
    audit = brand_api.client.get(
        f"/api/v1/orgs/{brand_api.world.S.id}/audit-events",
        params={"action": "email.failed"},
        headers=brand_api.world.headers("OP"),
    )
    (event,) = audit.json()["items"]
    assert event["target_type"] == "invitation"
    assert "ConnectionRefusedError" in event["details"]["reason"]


def test_the_queued_message_names_the_relays_org_not_its_secret(
    brand_api, private_relays, smtp_server, sessions
):
    _put_relay(
        brand_api,
        "S",
        host=smtp_server.host,
        port=smtp_server.port,
        starttls=True,
        username="relay-user",
        password=RELAY_PASSWORD,
    )
    _invite(brand_api, "S", "new@contoso.example")
    with sessions() as session:
        (row,) = session.scalars(select(OutboxMessage))
    assert row.relay_org_id == brand_api.world.S.id
    assert RELAY_PASSWORD not in str(row.payload)


def test_a_relay_removed_before_sending_fails_the_message_rather_than_send_elsewhere(
    brand_api, private_relays, smtp_server, outbox
):
    _put_relay(brand_api, "S", host=smtp_server.host, port=smtp_server.port, starttls=False)
    _invite(brand_api, "S", "new@contoso.example")
    removed = brand_api.client.delete(
        f"/api/v1/orgs/{brand_api.world.S.id}/branding/smtp-relay",
        headers=brand_api.world.headers("OP"),
    )
    assert removed.status_code == 204, removed.text
    assert outbox.to("new@contoso.example") == []  # not the platform's backend either
    delivery = _delivery_of(brand_api, "S", "new@contoso.example")
    assert delivery["status"] == "failed" and "was removed" in delivery["last_error"]
