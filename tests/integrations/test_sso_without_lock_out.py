"""Making SSO required needs a test sign-in first; the primary admin keeps a
loud break-glass password sign-in."""

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from factories import PASSWORD, bearer, enrol_totp, totp_code
from integrations.test_sso import configure, pass_test, require_sso, set_claims
from integrations.test_sso import expired_provider as expired_provider  # noqa: F401
from integrations.test_sso import provider as provider  # noqa: F401
from tenantree import clock
from tenantree.audit.models import AuditEvent
from tenantree.identity.models import Account

pytestmark = pytest.mark.usefixtures("private_issuers")


def _require(client, world, org, actor="S-A", **overrides):
    body = {"sso_required": True, "client_secret": None, **overrides}
    current = client.get(f"/api/v1/orgs/{org.id}/sso", headers=world.headers(actor)).json()
    body = {k: current[k] for k in ("issuer", "client_id", "allowed_domains", "jit_role")} | body
    return client.put(f"/api/v1/orgs/{org.id}/sso", json=body, headers=world.headers(actor))


def _refused(response):
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "sso_test_required"


def test_sso_cannot_be_required_without_a_test_sign_in(client, world, provider):
    configure(client, world, world.S, provider)

    _refused(_require(client, world, world.S))


def test_sso_cannot_be_required_in_the_request_that_sets_the_provider(client, world, provider):
    response = client.put(
        f"/api/v1/orgs/{world.S.id}/sso",
        json={
            "issuer": provider,
            "client_id": "c",
            "client_secret": "s",
            "allowed_domains": ["s.example"],
            "sso_required": True,
        },
        headers=world.headers("S-A"),
    )
    _refused(response)


def test_a_passed_test_lets_the_same_session_require_sso(client, world, provider):
    out = require_sso(client, world, world.S, provider)
    assert out["sso_required"] is True


def test_the_test_is_bound_to_the_session_that_passed_it(client, world, provider, identity):
    configure(client, world, world.S, provider)
    assert pass_test(client, world, world.S, provider).status_code == 200
    other = client.post(
        "/api/v1/auth/login", json={"email": "s-a@example.com", "password": PASSWORD}
    ).json()["access_token"]
    body = client.get(f"/api/v1/orgs/{world.S.id}/sso", headers=world.headers("S-A")).json()
    body = {k: body[k] for k in ("issuer", "client_id", "allowed_domains")}
    response = client.put(
        f"/api/v1/orgs/{world.S.id}/sso", json=body | {"sso_required": True}, headers=bearer(other)
    )
    _refused(response)


def test_a_test_older_than_ten_minutes_does_not_count(client, world, provider, monkeypatch):
    configure(client, world, world.S, provider)
    assert pass_test(client, world, world.S, provider).status_code == 200
    later = clock.utcnow() + timedelta(minutes=11)
    monkeypatch.setattr(clock, "utcnow", lambda: later)

    _refused(_require(client, world, world.S))


def test_a_test_that_signs_in_someone_else_does_not_pass(client, world, provider):
    configure(client, world, world.S, provider)
    # The provider signs in S-U, not the admin who started the test.
    set_claims(provider, "sub-S-A", email="s-u@example.com", email_verified=True)
    started = client.post(f"/api/v1/orgs/{world.S.id}/sso/test", headers=world.headers("S-A"))

    chosen = httpx.post(
        started.json()["authorization_url"], data={"sub": "sub-S-A"}, follow_redirects=False
    )
    answer = client.get("/sso/callback?" + urlsplit(chosen.headers["location"]).query)
    assert answer.status_code == 401
    _refused(_require(client, world, world.S))


def test_the_primary_admin_breaks_glass_loudly(client, world, provider, sessions, outbox, identity):
    require_sso(client, world, world.S, provider)
    with sessions() as s:
        enrol_totp(s, identity, s.get(Account, world.accounts["S-PA"].id))
        s.commit()

    login = client.post(
        "/api/v1/auth/login", json={"email": "s-pa@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    assert login.json()["status"] == "mfa_required"  # break-glass is password + MFA
    done = client.post(
        "/api/v1/auth/login/mfa",
        json={"challenge": login.json()["challenge"], "code": totp_code()},
    )

    assert done.status_code == 200, done.text
    token = bearer(done.json()["access_token"])
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=token).status_code == 200
    with sessions() as s:
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "auth.break_glass"))
    assert event.org_id == world.S.id
    assert event.details["email"] == "s-pa@example.com"
    (mail,) = outbox.to("s-a@example.com")
    assert "s-pa@example.com" in mail and "break-glass" in mail
    assert outbox.to("s-pa@example.com") == []


def test_break_glass_without_a_second_factor_only_enrols_one(client, world, provider):
    require_sso(client, world, world.S, provider)

    login = client.post(
        "/api/v1/auth/login", json={"email": "s-pa@example.com", "password": PASSWORD}
    )

    assert login.json()["status"] == "mfa_enrolment_required", login.text
    token = bearer(login.json()["access_token"])
    refused = client.get(f"/api/v1/orgs/{world.S.id}", headers=token)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "mfa_enrolment_required"


def test_other_members_get_no_break_glass(client, world, provider):
    require_sso(client, world, world.S, provider)

    login = client.post(
        "/api/v1/auth/login", json={"email": "s-a@example.com", "password": PASSWORD}
    )

    assert login.status_code == 403
    assert login.json()["error"]["code"] == "sso_required"
