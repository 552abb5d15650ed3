"""Sign-in: email + password (argon2id) for an opaque bearer token; /me; logout."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from factories import PASSWORD, bearer, issue_token, make_account, make_member, make_org
from tenantree.authn.signin import authenticate
from tenantree.identity.accounts import AccountSummary
from tenantree.identity.credentials import token_digest
from tenantree.identity.models import AccessToken, Account
from tenantree.identity.roles import Role


def _member(session, identity, **kwargs):  # type: ignore[no-untyped-def]
    org = make_org(session, name="Acme")
    membership = make_member(session, identity, org, **kwargs)
    session.commit()
    return org, membership


def test_login_returns_a_bearer_token_that_expires_after_the_token_ttl(
    api, session, identity, frozen_clock
):
    _, member = _member(session, identity, email="ann@example.com")

    response = api.login("ann@example.com")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"status", "access_token", "token_type", "expires_at"}
    assert body["status"] == "signed_in"
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 32
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() is not None and expires_at.utcoffset().total_seconds() == 0
    assert expires_at == frozen_clock.now + identity.token_ttl
    me = api.me(bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == str(member.account_id)


def test_passwords_are_stored_as_argon2id_hashes(api, session, identity):
    _member(session, identity, email="ann@example.com")

    with api.db() as s:
        stored = s.scalar(select(Account.password_hash).where(Account.email == "ann@example.com"))

    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_email_is_case_insensitive(api, session, identity):
    _member(session, identity, email="ann@example.com")

    assert api.login("Ann@Example.COM").status_code == 200
    assert api.login("  ANN@EXAMPLE.COM ").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_401(api, session, identity, err):
    _member(session, identity, email="ann@example.com")

    wrong_password = api.login("ann@example.com", "not the right password")
    unknown_email = api.login("nobody@example.com", "not the right password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert err(wrong_password)["code"] == "invalid_credentials"
    assert wrong_password.json() == unknown_email.json()
    assert (
        wrong_password.headers.get("WWW-Authenticate")
        == unknown_email.headers.get("WWW-Authenticate")
        == "Bearer"
    )


def test_password_is_case_sensitive(api, session, identity, err):
    _member(session, identity, email="ann@example.com")

    response = api.login("ann@example.com", PASSWORD.upper())

    assert response.status_code == 401
    assert err(response)["code"] == "invalid_credentials"


def test_me_shows_the_person_and_every_membership(api, session, identity):
    acme = make_org(session, name="Acme")
    beta = make_org(session, name="Beta")
    first = make_member(session, identity, acme, primary=True, email="ann@example.com")
    make_member(session, identity, beta, role=Role.READ_ONLY, account=first.account)
    session.commit()

    response = api.me(api.sign_in("ann@example.com"))

    assert response.status_code == 200, response.text
    me = response.json()
    assert me["id"] == str(first.account_id)
    assert me["email"] == "ann@example.com"
    assert me["display_name"] == "ann"
    assert me["is_operator"] is False
    memberships = {
        m["org_id"]: (m["org_name"], m["role"], m["is_primary_admin"]) for m in me["memberships"]
    }
    assert memberships == {
        str(acme.id): ("Acme", "admin", True),
        str(beta.id): ("Beta", "read_only", False),
    }


def test_me_needs_a_valid_token(api, session, identity, err):
    _member(session, identity, email="ann@example.com")

    for headers in ({}, bearer("not-a-token"), {"Authorization": "Basic YW5uOnB3"}):
        response = api.me(headers)
        assert response.status_code == 401, headers
        assert err(response)["code"] in {"not_authenticated", "invalid_token"}


def test_operator_signs_in_without_any_membership(api, session, identity):
    make_account(session, identity, email="op@example.com", is_operator=True)
    session.commit()

    me = api.me(api.sign_in("op@example.com")).json()

    assert me["is_operator"] is True
    assert me["memberships"] == []


def test_account_with_no_directory_entry_cannot_sign_in(api, session, identity, err):
    make_account(session, identity, email="loner@example.com")
    session.commit()

    response = api.login("loner@example.com")

    assert response.status_code == 403
    assert err(response)["code"] == "no_membership"


def test_logout_revokes_the_token_at_once(api, session, identity):
    _member(session, identity, email="ann@example.com")
    headers = api.sign_in("ann@example.com")
    assert api.me(headers).status_code == 200

    response = api.client.post("/api/v1/auth/logout", headers=headers)

    assert response.status_code == 204
    assert response.content == b""
    assert api.me(headers).status_code == 401
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 401


def test_logout_revokes_only_the_token_used(api, session, identity):
    _member(session, identity, email="ann@example.com")
    laptop = api.sign_in("ann@example.com")
    phone = api.sign_in("ann@example.com")

    assert api.client.post("/api/v1/auth/logout", headers=laptop).status_code == 204

    assert api.me(laptop).status_code == 401
    assert api.me(phone).status_code == 200


def test_logout_needs_a_token(api, session, identity):
    assert api.client.post("/api/v1/auth/logout").status_code == 401


def test_expired_token_is_refused(api, session, identity, frozen_clock, err):
    _member(session, identity, email="ann@example.com")
    headers = api.sign_in("ann@example.com")

    frozen_clock.advance(seconds=identity.token_ttl.total_seconds() - 1)
    assert api.me(headers).status_code == 200

    frozen_clock.advance(seconds=1)
    response = api.me(headers)
    assert response.status_code == 401
    assert err(response)["code"] == "invalid_token"


def test_tokens_are_stored_only_as_keyed_hashes(api, session, identity):
    _, member = _member(session, identity, email="ann@example.com")
    token = api.login("ann@example.com").json()["access_token"]

    with api.db() as s:
        rows = s.execute(select(AccessToken.__table__)).all()

    assert len(rows) == 1
    stored = [str(value) for value in rows[0]]
    assert not any(token in value for value in stored)
    assert rows[0].token_hash == token_digest(identity.secret_key, token)
    assert rows[0].account_id == member.account_id


def test_a_stored_token_hash_is_not_itself_a_token(api, session, identity):
    _member(session, identity, email="ann@example.com")
    api.sign_in("ann@example.com")
    with api.db() as s:
        stored_hash = s.scalar(select(AccessToken.token_hash))

    assert api.me(bearer(stored_hash)).status_code == 401


def test_token_issued_directly_and_by_login_both_work(api, session, identity):
    _, member = _member(session, identity, email="ann@example.com")
    direct = issue_token(session, identity, member.account)
    session.commit()

    assert api.me(bearer(direct)).status_code == 200
    assert api.me(api.sign_in("ann@example.com")).status_code == 200


def test_failed_sign_ins_are_audited_for_operators_without_the_password(api, session, identity):
    _, member = _member(session, identity, email="ann@example.com")
    operator = make_account(session, identity, email="op@example.com", is_operator=True)
    op_headers = bearer(issue_token(session, identity, operator))
    session.commit()
    attempted = "an attempted password"

    assert api.login("ann@example.com", attempted).status_code == 401
    assert api.login("ghost@example.com", attempted).status_code == 401

    response = api.client.get(
        "/api/v1/audit-events", params={"action": "auth.sign_in_failed"}, headers=op_headers
    )
    assert response.status_code == 200, response.text
    events = response.json()["items"]
    assert len(events) == 2
    assert {e["details"]["email"] for e in events} == {"ann@example.com", "ghost@example.com"}
    for event in events:
        assert event["action"] == "auth.sign_in_failed"
        assert event["org_id"] is None
        assert event["actor_id"] is None
        assert attempted not in response.text
    known = next(e for e in events if e["details"]["email"] == "ann@example.com")
    assert known["target_id"] == str(member.account_id)


def test_members_cannot_read_the_platform_audit_events(api, session, identity, err):
    _member(session, identity, primary=True, email="ann@example.com")

    response = api.client.get("/api/v1/audit-events", headers=api.sign_in("ann@example.com"))

    assert response.status_code == 403


def test_authenticating_a_session_token_gives_the_account_as_plain_values(session, identity):
    # Building the ORM entity was most of a request's authentication (bench/ANALYSIS.md, round 6).
    _, member = _member(session, identity)
    token = issue_token(session, identity, member.account)
    expected = AccountSummary.of(member.account)
    session.expunge_all()
    account, actor = authenticate(session, identity, token)
    assert account == expected
    assert actor.account_id == expected.id
