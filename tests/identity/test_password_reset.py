"""Password reset over the API: no enumeration, one-time tokens, branded email, throttling."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import select

from branding.conftest import BrandApi
from branding.conftest import dns as dns  # noqa: F401 - the DNS double fixture
from branding.conftest import private_relays as private_relays  # noqa: F401
from branding.conftest import smtp_server as smtp_server  # noqa: F401
from factories import (
    PASSWORD,
    bearer,
    build_world,
    issue_token,
    lowered_limits,
    make_member,
    make_org,
)
from tenantree.audit.models import AuditEvent
from tenantree.identity.models import Account, Membership
from tenantree.identity.reset_models import PasswordReset
from tenantree.sso.sessions import issue_sso_session

NEW_PASSWORD = "a brand new passphrase"
ANSWER = {"status": "if the address has an account, an email is on its way"}
_LINK = re.compile(r"(\S*)/reset-password\?token=([A-Za-z0-9_\-]+)")


def ask(client, email: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/password-reset", json={"email": email}, headers=headers)


def confirm(client, token: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": password}
    )


def limit_reset_requests(monkeypatch, client, **limits: int) -> None:  # type: ignore[no-untyped-def]
    """Lower the app's password reset limits for one test."""
    services = client.app.state.services
    monkeypatch.setattr(services, "identity", lowered_limits(services.identity, **limits))


def mailed(outbox, email: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(base URL, token) of each reset link mailed to an address, oldest first."""
    links = []
    for text in outbox.to(email):
        match = _LINK.search(text)
        assert match, text
        links.append((match.group(1), match.group(2)))
    return links


def actions(session) -> list[str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [
        e.action
        for e in session.scalars(select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id))
        if e.action.startswith("auth.password_reset")
    ]


@pytest.fixture
def account(session, identity):  # type: ignore[no-untyped-def]
    org = make_org(session, name="Known Org")
    created = make_member(session, identity, org, email="known@example.com").account
    session.commit()
    return created


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client, account, outbox):
    known = ask(client, "Known@Example.com")
    unknown = ask(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == ANSWER
    assert outbox.to("nobody@example.com") == []
    assert len(mailed(outbox, "known@example.com")) == 1
    assert len(outbox.backend.sent) == 1


def test_reset_sets_the_new_password_once_and_ends_sessions(
    client, session, identity, account, outbox
):  # type: ignore[no-untyped-def]
    old_token = issue_token(session, identity, account)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(old_token)).status_code == 200

    ask(client, "known@example.com")
    ((base, token),) = mailed(outbox, "known@example.com")
    assert base == identity.public_base_url
    done = confirm(client, token)

    assert done.status_code == 204, done.text
    assert client.get("/api/v1/me", headers=bearer(old_token)).status_code == 401
    old = client.post(
        "/api/v1/auth/login", json={"email": "known@example.com", "password": PASSWORD}
    )
    assert old.status_code == 401
    new = client.post(
        "/api/v1/auth/login", json={"email": "known@example.com", "password": NEW_PASSWORD}
    )
    assert new.status_code == 200, new.text
    session.expire_all()
    stored = session.get(Account, account.id).password_hash
    assert stored.startswith("$argon2id$")

    again = confirm(client, token, "yet another passphrase")
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "password_reset_already_used"
    assert again.json()["error"]["field"] == "token"


def test_the_token_is_stored_as_a_keyed_hash(client, session, account, outbox):  # type: ignore[no-untyped-def]
    ask(client, "known@example.com")
    ((_, token),) = mailed(outbox, "known@example.com")
    (row,) = session.scalars(select(PasswordReset)).all()
    assert row.token_hash != token and token not in row.token_hash


def test_an_unknown_token_is_refused(client, account):  # type: ignore[no-untyped-def]
    response = confirm(client, "not-a-token")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "password_reset_invalid"
    assert response.json()["error"]["field"] == "token"


def test_a_token_expires_after_an_hour(client, account, outbox, frozen_clock):  # type: ignore[no-untyped-def]
    ask(client, "known@example.com")
    ((_, token),) = mailed(outbox, "known@example.com")
    frozen_clock.advance(minutes=60)

    response = confirm(client, token)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "password_reset_expired"
    login = client.post(
        "/api/v1/auth/login", json={"email": "known@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200


def test_a_new_request_revokes_the_pending_link(client, account, outbox):  # type: ignore[no-untyped-def]
    ask(client, "known@example.com")
    ask(client, "known@example.com")
    (_, first), (_, second) = mailed(outbox, "known@example.com")

    refused = confirm(client, first)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "password_reset_revoked"
    assert confirm(client, second).status_code == 204


def test_a_password_that_breaks_the_rules_is_refused_and_keeps_the_token(client, account, outbox):  # type: ignore[no-untyped-def]
    ask(client, "known@example.com")
    ((_, token),) = mailed(outbox, "known@example.com")

    short = confirm(client, token, "short")

    assert short.status_code == 422
    assert short.json()["error"]["field"] == "password"
    assert confirm(client, token).status_code == 204


def test_an_account_without_a_password_gets_its_first_one(client, session, account, outbox):  # type: ignore[no-untyped-def]
    # As SCIM provisions people: an account with no password yet.
    session.get(Account, account.id).password_hash = None
    session.commit()

    ask(client, "known@example.com")
    ((_, token),) = mailed(outbox, "known@example.com")
    assert confirm(client, token).status_code == 204
    login = client.post(
        "/api/v1/auth/login", json={"email": "known@example.com", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200, login.text


def test_requests_are_throttled_per_email_known_or_not(
    client, account, outbox, frozen_clock, identity
):  # type: ignore[no-untyped-def]
    rule = identity.limits.password_reset_email
    assert (rule.window, rule.limit) == (timedelta(hours=1), 5)
    for email in ("known@example.com", "nobody@example.com"):
        for _ in range(rule.limit):
            assert ask(client, email).status_code == 202
        throttled = ask(client, email)
        assert throttled.status_code == 429
        assert throttled.json()["error"]["code"] == "password_reset_throttled"
        assert int(throttled.headers["Retry-After"]) == 3600
    assert len(mailed(outbox, "known@example.com")) == rule.limit

    frozen_clock.advance(minutes=60)
    assert ask(client, "known@example.com").status_code == 202


def test_requests_are_throttled_per_client_address(client, account, monkeypatch):  # type: ignore[no-untyped-def]
    limit_reset_requests(monkeypatch, client, password_reset_address=3)
    for n in range(3):
        assert ask(client, f"someone-{n}@example.com").status_code == 202
    throttled = ask(client, "known@example.com")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1


def test_requests_and_resets_are_audited(client, session, account, outbox, monkeypatch):  # type: ignore[no-untyped-def]
    limit_reset_requests(monkeypatch, client, password_reset_email=1)
    ask(client, "known@example.com")
    ask(client, "known@example.com")
    ask(client, "nobody@example.com")
    ((_, token),) = mailed(outbox, "known@example.com")
    confirm(client, token)

    assert actions(session) == [
        "auth.password_reset_requested",
        "auth.password_reset_throttled",
        "auth.password_reset_requested",
        "auth.password_reset_completed",
    ]
    completed = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.password_reset_completed")
    ).one()
    assert completed.actor_id == account.id
    assert completed.target_id == str(account.id)
    events = session.scalars(select(AuditEvent)).all()
    assert all(token not in str(e.details) for e in events)


def test_the_email_is_in_the_platform_brand_by_default(client, account, outbox):  # type: ignore[no-untyped-def]
    ask(client, "known@example.com")
    (message,) = outbox.backend.sent
    assert "tenantree" in message.subject
    assert "/reset-password?token=" in message.html
    assert "background:#1d4ed8" in message.html


def _northwind(client, session, identity, dns, sessions, smtp_server):  # type: ignore[no-untyped-def]
    """P brands itself Northwind, proves portal.nw.example and relays its mail itself."""
    world = build_world(session, identity)
    session.commit()
    brand_api = BrandApi(client, world, dns, sessions)
    brand_api.brand(
        "P",
        product_name="Northwind Cloud",
        primary_color="#004488",
        email_from_name="Northwind IT",
        email_from_address="it@nw.example",
    )
    brand_api.claim_and_verify("P", "portal.nw.example")
    brand_api.relay_through("P", smtp_server)
    return world, brand_api


def test_a_host_never_steers_the_reset_of_an_account_the_org_does_not_manage(
    client, session, identity, dns, sessions, outbox, smtp_server, private_relays
):  # type: ignore[no-untyped-def]
    # The takeover: P's admin enrolled the person, then asks through P's domain.
    world, _ = _northwind(client, session, identity, dns, sessions, smtp_server)
    person = make_member(session, identity, world.P, email="someone@contoso.example")
    session.commit()

    response = ask(client, person.account.email, host="portal.nw.example")

    assert response.status_code == 202
    assert smtp_server.messages == []  # not through P's relay
    # In the platform's own mailbox: an org relay's mail goes to that relay instead.
    (message,) = [m for m in outbox.backend.sent if m.to == "someone@contoso.example"]
    assert parseaddr(message.sender)[1] == parseaddr(identity.outbox.sender)[1]
    assert "Northwind" not in message.subject + message.text
    ((base, _),) = mailed(outbox, "someone@contoso.example")
    assert base == identity.public_base_url


def test_the_org_managing_the_account_carries_its_reset_whatever_the_host(
    client, session, identity, dns, sessions, outbox, smtp_server, private_relays
):  # type: ignore[no-untyped-def]
    world, _ = _northwind(client, session, identity, dns, sessions, smtp_server)
    claim = client.post(
        f"/api/v1/orgs/{world.P.id}/domains",
        json={"domain": "nw.example"},
        headers=world.headers("OP"),
    ).json()
    dns.publish(claim["txt_record_name"], claim["txt_record_value"])
    verified = client.post(
        f"/api/v1/orgs/{world.P.id}/domains/{claim['id']}/verify", headers=world.headers("OP")
    )
    assert verified.status_code == 200, verified.text
    make_member(session, identity, world.S, email="ana@nw.example")
    session.commit()

    assert ask(client, "ana@nw.example").status_code == 202
    outbox.deliver()

    (envelope,) = smtp_server.messages  # through P's own relay
    assert envelope.rcpt_tos == ["ana@nw.example"]
    assert envelope.mail_from == "it@nw.example"
    mime = envelope.content.decode()
    assert "Northwind Cloud" in mime
    assert "https://portal.nw.example/reset-password?token=" in mime


def test_a_completed_reset_also_ends_single_sign_on_sessions(
    client, session, identity, account, outbox
):  # type: ignore[no-untyped-def]
    membership = session.scalars(
        select(Membership).where(Membership.account_id == account.id)
    ).one()
    sso_token, _ = issue_sso_session(session, identity, membership)
    session.commit()
    org_path = f"/api/v1/orgs/{membership.org_id}"
    assert client.get(org_path, headers=bearer(sso_token)).status_code == 200

    ask(client, "known@example.com")
    ((_, token),) = mailed(outbox, "known@example.com")
    assert confirm(client, token).status_code == 204

    assert client.get(org_path, headers=bearer(sso_token)).status_code == 401
