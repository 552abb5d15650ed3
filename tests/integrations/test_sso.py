"""OpenID Connect single sign-on per org, end to end against a real provider on loopback."""

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import select

from factories import PASSWORD, bearer, make_member
from tenantree.audit.models import AuditEvent
from tenantree.identity.integration_models import SsoConfig, SsoLogin
from tenantree.identity.roles import Role
from tenantree.sso import flow

# The mock provider runs on loopback over plain http.
pytestmark = pytest.mark.usefixtures("private_issuers")


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def expired_provider():
    with run_server_in_thread(access_token_max_age=timedelta(minutes=-10)) as server:
        yield f"http://localhost:{server.server_port}"


def configure(client, world, org, issuer, actor="S-A", **overrides):
    body = {
        "issuer": issuer,
        "client_id": f"tenantree-{org.name}",
        "client_secret": "provider-secret",
        "allowed_domains": ["s.example"],
        "sso_required": False,
        "jit_role": None,
        **overrides,
    }
    response = client.put(f"/api/v1/orgs/{org.id}/sso", json=body, headers=world.headers(actor))
    assert response.status_code == 200, response.text
    return response.json()


def set_claims(issuer, sub, **claims):
    response = httpx.put(f"{issuer}/users/{sub}", json=claims)
    assert response.status_code == 204, response.text


def authorize(client, org, sub):
    """Start at tenantree, pick `sub` at the provider; the provider's redirect back."""
    start = client.get(f"/sso/orgs/{org.id}/start", follow_redirects=False)
    assert start.status_code == 302, start.text
    url = start.headers["location"]
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    chosen = httpx.post(url, data={"sub": sub}, follow_redirects=False)
    assert chosen.status_code == 302, chosen.text
    return urlsplit(chosen.headers["location"]).query


def sign_in(client, org, sub):
    return client.get("/sso/callback?" + authorize(client, org, sub))


def pass_test(client, world, org, issuer, actor="S-A"):
    """The admin's test sign-in through the provider, from their session."""
    email = world.accounts[actor].email
    set_claims(issuer, f"sub-{actor}", email=email, email_verified=True)
    started = client.post(f"/api/v1/orgs/{org.id}/sso/test", headers=world.headers(actor))
    assert started.status_code == 201, started.text
    chosen = httpx.post(
        started.json()["authorization_url"], data={"sub": f"sub-{actor}"}, follow_redirects=False
    )
    return client.get("/sso/callback?" + urlsplit(chosen.headers["location"]).query)


def require_sso(client, world, org, issuer, actor="S-A"):
    """Configure, pass the test sign-in, then make SSO required (the only way to)."""
    configure(client, world, org, issuer, actor)
    assert pass_test(client, world, org, issuer, actor).json() == {"status": "sso_test_passed"}
    return configure(client, world, org, issuer, actor, sso_required=True, client_secret=None)


def failures(session):
    session.rollback()
    return [
        e.details["reason"]
        for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sso_failed"))
    ]


def test_member_signs_in_and_the_session_acts_in_that_org_only(
    client, world, provider, session, identity
):
    configure(client, world, world.S, provider)
    alice = make_member(session, identity, world.S, email="alice@s.example", role=Role.ADMIN)
    make_member(session, identity, world.U, account=alice.account, role=Role.ADMIN)
    session.commit()
    set_claims(provider, "alice-sub", email="alice@s.example", email_verified=True)
    response = sign_in(client, world.S, "alice-sub")
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert client.get(f"/api/v1/orgs/{world.S.id}/users", headers=bearer(token)).status_code == 200
    # Alice is also U's admin, but S's provider vouches for S only.
    assert client.get(f"/api/v1/orgs/{world.U.id}", headers=bearer(token)).status_code == 404
    # Next time the stored subject is what matches, whatever the email claim says.
    set_claims(provider, "alice-sub", email="renamed@elsewhere.example")
    again = sign_in(client, world.S, "alice-sub")
    assert again.status_code == 200
    # Signing out ends that session at once.
    second = bearer(again.json()["access_token"])
    assert client.post("/api/v1/auth/logout", headers=second).status_code == 204
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=second).status_code == 401
    session.rollback()
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"auth.sso_signed_in", "sso.configured"} <= actions


def test_email_outside_the_allowed_domains_is_refused(client, world, provider, session):
    configure(client, world, world.S, provider)
    set_claims(provider, "eve", email="eve@evil.example", email_verified=True)
    response = sign_in(client, world.S, "eve")
    assert response.status_code == 401
    assert failures(session) == ["email_domain_not_allowed"]


def test_unverified_email_is_refused(client, world, provider, session, identity):
    configure(client, world, world.S, provider, jit_role="user")
    set_claims(provider, "mallory", email="mallory@s.example", email_verified=False)
    assert sign_in(client, world.S, "mallory").status_code == 401
    assert failures(session) == ["email_not_verified"]


def test_unknown_person_needs_just_in_time_creation(client, world, provider, session):
    configure(client, world, world.S, provider)
    set_claims(provider, "newbie", email="newbie@s.example", email_verified=True)
    assert sign_in(client, world.S, "newbie").status_code == 401
    assert failures(session) == ["not_in_directory"]
    configure(client, world, world.S, provider, jit_role="read_only")
    response = sign_in(client, world.S, "newbie")
    assert response.status_code == 200, response.text
    users = client.get(f"/api/v1/orgs/{world.S.id}/users", headers=world.headers("S-A")).json()
    entry = next(u for u in users["items"] if u["email"] == "newbie@s.example")
    assert entry["role"] == "read_only"


def test_a_provider_configured_for_org_a_never_enters_org_b(
    client, world, provider, session, identity
):
    configure(client, world, world.S, provider)
    configure(client, world, world.T, provider, actor="T-A", allowed_domains=["t.example"])
    bob = make_member(session, identity, world.T, email="bob@t.example")
    session.commit()
    set_claims(provider, "bob", email="bob@t.example", email_verified=True)
    # Through S's configuration, T's member is nobody.
    assert sign_in(client, world.S, "bob").status_code == 401
    assert failures(session) == ["email_domain_not_allowed"]
    # Through T's, bob gets a T session that reaches neither S nor P.
    token = sign_in(client, world.T, "bob").json()["access_token"]
    assert client.get(f"/api/v1/orgs/{world.T.id}", headers=bearer(token)).status_code == 200
    for org in (world.S, world.P, world.U):
        assert client.get(f"/api/v1/orgs/{org.id}", headers=bearer(token)).status_code == 404
    assert bob.org_id == world.T.id


def test_state_is_single_use(client, world, provider, session, identity):
    configure(client, world, world.S, provider)
    make_member(session, identity, world.S, email="carol@s.example")
    session.commit()
    set_claims(provider, "carol", email="carol@s.example", email_verified=True)
    query = authorize(client, world.S, "carol")
    assert client.get("/sso/callback?" + query).status_code == 200
    assert client.get("/sso/callback?" + query).status_code == 401
    assert client.get("/sso/callback?state=forged&code=x").status_code == 401


def test_expired_id_token_is_refused(client, world, expired_provider, session, identity):
    configure(client, world, world.S, expired_provider)
    make_member(session, identity, world.S, email="dave@s.example")
    session.commit()
    set_claims(expired_provider, "dave", email="dave@s.example", email_verified=True)
    assert sign_in(client, world.S, "dave").status_code == 401
    (reason,) = failures(session)
    assert "expired" in reason.lower()


def test_tampered_signature_is_refused(client, world, provider, session, identity, monkeypatch):
    configure(client, world, world.S, provider)
    make_member(session, identity, world.S, email="erin@s.example")
    session.commit()
    set_claims(provider, "erin", email="erin@s.example", email_verified=True)
    real = flow.exchange_code

    def tampered(*args, **kwargs):
        token = real(*args, **kwargs)
        head, body, signature = token["id_token"].split(".")
        flipped = ("A" if signature[10] != "A" else "B").join([signature[:10], signature[11:]])
        return {**token, "id_token": f"{head}.{body}.{flipped}"}

    monkeypatch.setattr(flow, "exchange_code", tampered)
    assert sign_in(client, world.S, "erin").status_code == 401
    assert len(failures(session)) == 1


def test_id_token_for_another_audience_is_refused(
    client, world, provider, session, identity, monkeypatch
):
    configure(client, world, world.S, provider)
    make_member(session, identity, world.S, email="frank@s.example")
    session.commit()
    set_claims(provider, "frank", email="frank@s.example", email_verified=True)
    query = authorize(client, world.S, "frank")
    session.rollback()
    nonce = session.scalars(select(SsoLogin.nonce)).one()
    # A genuine ID token, with the right nonce, issued to another client.
    params = {
        "response_type": "code",
        "client_id": "someone-else",
        "redirect_uri": "http://elsewhere.example/cb",
        "scope": "openid email",
        "nonce": nonce,
        "state": "x",
    }
    chosen = httpx.post(
        f"{provider}/oauth2/authorize?{urlencode(params)}",
        data={"sub": "frank"},
        follow_redirects=False,
    )
    code = parse_qs(urlsplit(chosen.headers["location"]).query)["code"][0]
    foreign = httpx.post(
        f"{provider}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://elsewhere.example/cb",
            "client_id": "someone-else",
            "client_secret": "x",
        },
    ).json()
    assert "id_token" in foreign
    monkeypatch.setattr(flow, "exchange_code", lambda *a, **k: foreign)
    assert client.get("/sso/callback?" + query).status_code == 401
    (reason,) = failures(session)
    assert "aud" in reason.lower()


def test_sso_required_refuses_password_sign_in_for_members_only(
    client, world, provider, session, identity
):
    require_sso(client, world, world.S, provider)
    login = {"email": "s-u@example.com", "password": PASSWORD}
    response = client.post("/api/v1/auth/login", json=login)
    assert response.status_code == 403 and response.json()["error"]["code"] == "sso_required"
    # Partner users reach S by their own sign-in.
    login = {"email": "p-a@example.com", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_client_secret_is_encrypted_at_rest_and_never_returned(client, world, provider, session):
    out = configure(client, world, world.S, provider)
    assert "client_secret" not in out and out["has_client_secret"] is True
    assert out["redirect_uri"].endswith("/sso/callback")
    session.rollback()
    stored = session.get(SsoConfig, world.S.id)
    assert "provider-secret" not in stored.client_secret_encrypted


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("S-A", 200),
        ("P-A", 200),
        ("S-U", 403),
        ("P-X", 404),
        ("T-A", 404),
        ("U-A", 404),
        ("anon", 401),
    ],
)
def test_who_may_configure_sso_in_s(client, world, provider, actor, status):
    body = {
        "issuer": provider,
        "client_id": "c",
        "client_secret": "s",
        "allowed_domains": ["s.example"],
    }
    response = client.put(f"/api/v1/orgs/{world.S.id}/sso", json=body, headers=world.headers(actor))
    assert response.status_code == status


def test_sso_required_applies_per_org(client, world, provider, session, identity):
    # S-A is also U's admin; U has no SSO.
    make_member(session, identity, world.U, account=world.accounts["S-A"], role=Role.ADMIN)
    session.commit()
    before = world.headers("S-A")  # a password session from before
    require_sso(client, world, world.S, provider)
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=before).status_code == 404
    assert client.get(f"/api/v1/orgs/{world.U.id}", headers=before).status_code == 200
    login = {"email": "s-a@example.com", "password": PASSWORD}
    response = client.post("/api/v1/auth/login", json=login)
    assert response.status_code == 200  # U still takes a password
    token = bearer(response.json()["access_token"])
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=token).status_code == 404
    # The partner's users still reach S with their own sign-in.
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("P-A")).status_code == 200
