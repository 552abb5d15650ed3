"""A pre-claimed account, end to end: an org admin (U-A, of U) invites an address
that has no account yet, through U's own relay (a real aiosmtpd sink) on U's
verified custom domain, so U-A reads the invitation's token and creates the
account with a password it chose. Without email confirmation that account
was a full account: when another org (P) invited the same address, U-A saw
and accepted P's invitation in the person's name.

Here the account starts unconfirmed: it sees no invitation and accepts none
until its person proves the address through the platform's own channel (a
confirmation link, or a password reset), and that proof ends U-A's sessions.
"""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from sqlalchemy import select

from branding.conftest import BrandApi
from branding.conftest import dns as dns  # noqa: F401 - the DNS double fixture
from branding.conftest import private_relays as private_relays  # noqa: F401
from branding.conftest import smtp_server as smtp_server  # noqa: F401
from factories import bearer
from tenantree.identity.models import Invitation

pytestmark = pytest.mark.usefixtures("private_relays")

NEWCOMER = "newcomer@elsewhere.example"
ATTACKER_PASSWORD = "the attacker's chosen passphrase"
PERSON_PASSWORD = "the person's own long passphrase"
_TOKEN = re.compile(r"token=([A-Za-z0-9_\-]+)")


def _relay_u(client, world, dns, sessions, smtp_server) -> None:  # type: ignore[no-untyped-def]
    brand_api = BrandApi(client, world, dns, sessions)
    brand_api.brand("U", "U-A", product_name="Totally Legit Cloud")
    brand_api.claim_and_verify("U", "login.u.example", "U-A")
    brand_api.relay_through("U", smtp_server, "U-A")


def _invite(client, world, org: str, actor: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/api/v1/orgs/{getattr(world, org).id}/invitations",
        json={"email": NEWCOMER, "role": "admin"},
        headers=world.headers(actor),
    )
    assert response.status_code == 201, response.text


def _relayed_token(smtp_server) -> str:  # type: ignore[no-untyped-def]
    (message,) = [m for m in smtp_server.messages if NEWCOMER in m.rcpt_tos]
    text = (
        email.message_from_bytes(message.content, policy=email.policy.default)
        .get_body(("plain",))
        .get_content()
    )
    return _TOKEN.findall(text)[0]


def _platform_token(outbox, path: str) -> str:  # type: ignore[no-untyped-def]
    (text,) = [t for t in outbox.to(NEWCOMER) if path in t]
    return _TOKEN.findall(text)[0]


def _sign_in(client, password: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/auth/login", json={"email": NEWCOMER, "password": password})
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


def _preclaim(client, world, dns, sessions, smtp_server, outbox) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """U-A creates the newcomer's account from the token its relay carried."""
    _relay_u(client, world, dns, sessions, smtp_server)
    _invite(client, world, "U", "U-A")
    outbox.deliver()
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={"token": _relayed_token(smtp_server), "password": ATTACKER_PASSWORD},
    )
    assert accepted.status_code in (200, 201), accepted.text
    # P invites the same address; its mail goes through the platform.
    _invite(client, world, "P", "P-PA")
    outbox.deliver()
    return _sign_in(client, ATTACKER_PASSWORD)


def test_an_account_made_through_an_orgs_relay_starts_unconfirmed(
    client, world, dns, sessions, smtp_server, outbox
):
    attacker = _preclaim(client, world, dns, sessions, smtp_server, outbox)
    assert client.get("/api/v1/me", headers=attacker).json()["email_confirmed"] is False


def test_an_unconfirmed_account_sees_no_other_orgs_invitation(
    client, world, dns, sessions, smtp_server, outbox
):
    attacker = _preclaim(client, world, dns, sessions, smtp_server, outbox)
    listed = client.get("/api/v1/me/invitations", headers=attacker)
    assert listed.status_code == 200 and listed.json()["items"] == []


def test_an_unconfirmed_account_cannot_accept_another_orgs_invitation(
    client, world, dns, sessions, smtp_server, outbox, session
):
    attacker = _preclaim(client, world, dns, sessions, smtp_server, outbox)
    session.rollback()
    invitation_id = session.scalar(
        select(Invitation.id).where(Invitation.org_id == world.P.id, Invitation.email == NEWCOMER)
    )
    accepted = client.post(f"/api/v1/me/invitations/{invitation_id}/accept", headers=attacker)
    assert accepted.status_code == 403, accepted.text
    assert accepted.json()["error"]["code"] == "email_unconfirmed"
    declined = client.post(f"/api/v1/me/invitations/{invitation_id}/decline", headers=attacker)
    assert declined.status_code == 403, declined.text
    members = client.get(f"/api/v1/orgs/{world.P.id}/users", headers=world.headers("P-PA"))
    assert NEWCOMER not in members.text


def test_the_confirmation_link_goes_through_the_platform_not_the_orgs_relay(
    client, world, dns, sessions, smtp_server, outbox, identity
):
    attacker = _preclaim(client, world, dns, sessions, smtp_server, outbox)
    at_relay = len(smtp_server.messages)
    asked = client.post("/api/v1/me/email-confirmation", headers=attacker)
    assert asked.status_code == 202 and asked.json()["status"] == "sent"
    outbox.deliver()
    assert len(smtp_server.messages) == at_relay
    (text,) = [t for t in outbox.to(NEWCOMER) if "confirm-email" in t]
    assert f"{identity.public_base_url}/confirm-email?token=" in text
    assert "Totally Legit" not in text and "login.u.example" not in text


def test_the_person_resetting_the_password_confirms_and_ends_the_preclaimers_sessions(
    client, world, dns, sessions, smtp_server, outbox
):
    attacker = _preclaim(client, world, dns, sessions, smtp_server, outbox)
    assert client.post("/api/v1/auth/password-reset", json={"email": NEWCOMER}).status_code == 202
    outbox.deliver()
    reset = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": _platform_token(outbox, "reset-password"), "password": PERSON_PASSWORD},
    )
    assert reset.status_code == 204, reset.text
    assert client.get("/api/v1/me", headers=attacker).status_code == 401
    person = _sign_in(client, PERSON_PASSWORD)
    assert client.get("/api/v1/me", headers=person).json()["email_confirmed"] is True
    (pending,) = client.get("/api/v1/me/invitations", headers=person).json()["items"]
    assert pending["org_id"] == str(world.P.id)
    accepted = client.post(f"/api/v1/me/invitations/{pending['id']}/accept", headers=person)
    assert accepted.status_code == 200, accepted.text


def test_a_confirmation_link_confirms_once(client, world, dns, sessions, smtp_server, outbox):
    attacker = _preclaim(client, world, dns, sessions, smtp_server, outbox)
    client.post("/api/v1/me/email-confirmation", headers=attacker)
    outbox.deliver()
    token = _platform_token(outbox, "confirm-email")
    confirmed = client.post("/api/v1/auth/email-confirmation/confirm", json={"token": token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"email": NEWCOMER, "email_confirmed": True}
    again = client.post("/api/v1/auth/email-confirmation/confirm", json={"token": token})
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "email_confirmation_already_used"
    assert client.post("/api/v1/me/email-confirmation", headers=attacker).json() == {
        "status": "already_confirmed"
    }


def test_an_unknown_confirmation_token_names_the_field(client):
    response = client.post("/api/v1/auth/email-confirmation/confirm", json={"token": "nope"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "email_confirmation_invalid"


def test_an_api_token_cannot_ask_for_its_creators_confirmation(
    client, world, dns, sessions, smtp_server, outbox
):
    attacker = _preclaim(client, world, dns, sessions, smtp_server, outbox)
    made = client.post(
        f"/api/v1/orgs/{world.U.id}/api-tokens",
        json={"name": "t", "role": "admin"},
        headers=attacker,
    )
    assert made.status_code == 201, made.text
    asked = client.post("/api/v1/me/email-confirmation", headers=bearer(made.json()["token"]))
    assert asked.status_code == 403, asked.text


def test_an_invitation_through_the_platform_makes_a_confirmed_account(client, world, outbox):
    _invite(client, world, "P", "P-PA")
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={"token": _platform_token(outbox, "accept-invitation"), "password": PERSON_PASSWORD},
    )
    assert accepted.status_code in (200, 201), accepted.text
    person = _sign_in(client, PERSON_PASSWORD)
    assert client.get("/api/v1/me", headers=person).json()["email_confirmed"] is True
