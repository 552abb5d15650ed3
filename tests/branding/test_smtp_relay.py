"""An org's own SMTP relay: password encrypted at rest and never shown; delivery falls
back org -> partner -> platform; real delivery over STARTTLS + AUTH to a local server."""

from __future__ import annotations

import email
import email.policy
from email.utils import parseaddr

import pytest
from sqlalchemy import select, text

from branding.conftest import RELAY_PASSWORD, RELAY_USER, error_of
from tenantree.branding.models import SmtpRelay
from tenantree.branding.relay import decrypt_password
from tenantree.outbox import EmailMessage, SmtpBackend


def _relay_path(brand_api, org: str) -> str:  # type: ignore[no-untyped-def]
    return brand_api.path(org, "/smtp-relay")


def _set_relay(brand_api, org: str, actor: str = "OP", **body):  # type: ignore[no-untyped-def]
    return brand_api.client.put(
        _relay_path(brand_api, org), json=body, headers=brand_api.world.headers(actor)
    )


def _relay_to(server, **extra):  # type: ignore[no-untyped-def]
    return {
        "host": server.host,
        "port": server.port,
        "starttls": True,
        "username": RELAY_USER,
        "password": RELAY_PASSWORD,
        **extra,
    }


def _invite(brand_api, org: str, to: str) -> None:  # type: ignore[no-untyped-def]
    response = brand_api.client.post(
        f"/api/v1/orgs/{getattr(brand_api.world, org).id}/invitations",
        json={"email": to, "role": "user"},
        headers=brand_api.world.headers("OP"),
    )
    assert response.status_code == 201, response.text


def test_the_relay_is_shown_without_its_password(brand_api, private_relays, smtp_server):
    response = _set_relay(brand_api, "P", **_relay_to(smtp_server))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "relay": {
            "host": "127.0.0.1",
            "port": smtp_server.port,
            "starttls": True,
            "username": RELAY_USER,
            "password_set": True,
            "updated_at": body["relay"]["updated_at"],
        },
        "delivery_via": "org",
    }
    got = brand_api.client.get(_relay_path(brand_api, "P"), headers=brand_api.world.headers("OP"))
    assert got.json() == body
    for shown in (response.text, got.text):
        assert RELAY_PASSWORD not in shown


def test_the_password_is_encrypted_at_rest_and_in_no_api_answer(
    brand_api, private_relays, smtp_server, session, settings
):
    _set_relay(brand_api, "P", **_relay_to(smtp_server))

    raw = session.execute(text("SELECT * FROM smtp_relays")).one()
    assert RELAY_PASSWORD not in repr(tuple(raw))
    row = session.scalars(select(SmtpRelay)).one()
    assert row.password_encrypted.startswith("gAAAAA")  # a Fernet token
    assert decrypt_password(settings.resolved_secret_key(), row.password_encrypted) == (
        RELAY_PASSWORD
    )
    audit = session.execute(text("SELECT details FROM audit_events")).all()
    assert RELAY_PASSWORD not in repr(audit)
    headers = brand_api.world.headers("OP")
    for path in (
        f"/api/v1/orgs/{brand_api.world.P.id}/audit-events",
        brand_api.path("P"),
        _relay_path(brand_api, "P"),
        _relay_path(brand_api, "S"),
    ):
        response = brand_api.client.get(path, headers=headers)
        assert response.status_code == 200
        assert RELAY_PASSWORD not in response.text
        assert row.password_encrypted not in response.text


def test_delivery_falls_back_org_then_partner_then_platform(brand_api, private_relays, smtp_server):
    def via(org: str) -> str:
        response = brand_api.client.get(
            _relay_path(brand_api, org), headers=brand_api.world.headers("OP")
        )
        return response.json()["delivery_via"]  # type: ignore[no-any-return]

    assert [via(o) for o in "PSTU"] == ["platform"] * 4
    _set_relay(brand_api, "P", **_relay_to(smtp_server))
    assert [via(o) for o in "PSTU"] == ["org", "partner", "partner", "platform"]
    _set_relay(brand_api, "S", host=smtp_server.host, port=smtp_server.port, starttls=True)
    assert [via(o) for o in "PSTU"] == ["org", "org", "partner", "platform"]


def test_email_goes_out_through_the_partners_relay_for_real(
    brand_api, private_relays, smtp_server, outbox
):
    brand_api.brand("P", email_from_name="Northwind IT", email_from_address="it@nw.example")
    assert _set_relay(brand_api, "P", **_relay_to(smtp_server)).status_code == 200

    _invite(brand_api, "S", "new@contoso.example")

    assert outbox.to("new@contoso.example") == []  # not the platform backend
    (envelope,) = smtp_server.messages
    assert smtp_server.logins == [RELAY_USER]
    assert envelope.rcpt_tos == ["new@contoso.example"]
    assert envelope.mail_from == "it@nw.example"
    mime = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert parseaddr(mime["From"]) == ("Northwind IT", "it@nw.example")
    assert mime.get_content_type() == "multipart/alternative"
    assert "accept-invitation?token=" in mime.get_body(("plain",)).get_content()

    # Without the relay, the same email goes through the platform's backend.
    delete = brand_api.client.delete(
        _relay_path(brand_api, "P"), headers=brand_api.world.headers("OP")
    )
    assert delete.status_code == 204
    _invite(brand_api, "S", "other@contoso.example")
    assert len(outbox.to("other@contoso.example")) == 1
    assert len(smtp_server.messages) == 1


def test_an_omitted_password_is_kept_and_null_removes_it(brand_api, private_relays, smtp_server):
    _set_relay(brand_api, "P", **_relay_to(smtp_server))

    body = _set_relay(
        brand_api, "P", host=smtp_server.host, port=2525, starttls=True, username=RELAY_USER
    ).json()
    assert body["relay"]["password_set"] is True
    assert body["relay"]["port"] == 2525

    renamed = _set_relay(
        brand_api, "P", host=smtp_server.host, port=2525, starttls=True, username="someone-else"
    )
    assert renamed.status_code == 422
    assert error_of(renamed)["field"] == "password"

    cleared = _set_relay(
        brand_api, "P", host=smtp_server.host, port=2525, username=None, password=None
    ).json()
    assert cleared["relay"]["username"] is None
    assert cleared["relay"]["password_set"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"host": "smtp.example.com", "starttls": False, "username": "u", "password": "p"},
            "starttls",
        ),
        ({"host": "smtp.example.com", "username": "u"}, "password"),
        ({"host": "smtp.example.com", "password": "p"}, "username"),
        ({"host": "smtp.example.com", "port": 0}, "port"),
        ({"host": "https://smtp.example.com"}, "host"),
        ({"host": "127.0.0.1"}, "host"),
        ({"host": "10.0.0.25"}, "host"),
        ({"host": "169.254.169.254"}, "host"),
        ({"host": "localhost"}, "host"),
        ({"host": "mailhost"}, "host"),
    ],
)
def test_relay_settings_are_checked(brand_api, body, field):
    response = _set_relay(brand_api, "P", **body)
    assert response.status_code == 422, response.text
    assert error_of(response)["field"] == field


def test_removing_a_relay_is_audited(brand_api, session):
    assert _set_relay(brand_api, "P", host="smtp.example.com").status_code == 200
    assert (
        brand_api.client.delete(
            _relay_path(brand_api, "P"), headers=brand_api.world.headers("OP")
        ).status_code
        == 204
    )
    actions = (
        session.execute(
            text("SELECT action FROM audit_events WHERE action LIKE 'brand.smtp%' ORDER BY at")
        )
        .scalars()
        .all()
    )
    assert actions == ["brand.smtp_relay_set", "brand.smtp_relay_removed"]


def test_a_public_only_relay_never_connects_to_a_private_address(smtp_server):
    backend = SmtpBackend(smtp_server.host, smtp_server.port, public_only=True)
    message = EmailMessage(to="a@example.com", subject="s", text="t", sender="b@example.com")

    with pytest.raises(OSError, match="no public address"):
        backend.send(message)
    assert smtp_server.messages == []


def test_an_orgs_own_relay_sends_from_its_own_address_unverified(
    brand_api, private_relays, smtp_server, outbox
):
    brand_api.brand("S", email_from_name="Contoso IT", email_from_address="it@contoso.example")
    assert _set_relay(brand_api, "S", **_relay_to(smtp_server)).status_code == 200

    _invite(brand_api, "S", "new@contoso.example")
    outbox.deliver()

    (envelope,) = smtp_server.messages
    mime = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert parseaddr(mime["From"]) == ("Contoso IT", "it@contoso.example")
