"""Invitations: the token goes out by email only; accepting creates or reuses the account."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from factories import (
    PASSWORD,
    bearer,
    build_world,
    issue_token,
    make_account,
    make_member,
    make_org,
    salesforce_id,
)
from tenantree.access import consent
from tenantree.audit.service import AuditTrail
from tenantree.errors import Conflict
from tenantree.identity import invitations
from tenantree.identity.credentials import token_digest
from tenantree.identity.models import Account, Invitation, Membership
from tenantree.identity.roles import Role
from tenantree.orgs.models import Org

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


def test_admin_invites_and_the_response_never_contains_the_token(api, world):
    response = api.invite(world.S.id, world.headers("S-A"), "New@Example.com", "read_only")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "new@example.com"
    assert body["role"] == "read_only"
    assert body["org_id"] == str(world.S.id)
    assert body["status"] == "pending"
    assert body["as_primary_admin"] is False
    assert not any("token" in key for key in body)
    (token,) = api.tokens_mailed_to("new@example.com")
    assert token not in response.text
    listed = api.client.get(f"/api/v1/orgs/{world.S.id}/invitations", headers=world.headers("S-A"))
    assert token not in listed.text


def test_the_token_goes_out_by_email_to_the_invitee_only(api, world, outbox):
    api.invite(world.S.id, world.headers("S-A"), "new@example.com", "user")

    (text,) = outbox.to("new@example.com")
    assert "Sub-org S" in text
    assert len(outbox.backend.sent) == 1
    (token,) = api.tokens_mailed_to("new@example.com")
    assert token in text


def test_invitation_tokens_are_stored_only_as_keyed_hashes(api, world, identity):
    api.invite(world.S.id, world.headers("S-A"), "new@example.com", "user")
    (token,) = api.tokens_mailed_to("new@example.com")

    with api.db() as s:
        rows = s.execute(select(Invitation.__table__)).all()

    assert len(rows) == 1
    assert not any(token in str(value) for value in rows[0])
    assert rows[0].token_hash == token_digest(identity.secret_key, token)


def test_accepting_with_a_new_email_creates_the_account_and_the_entry(api, world):
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com", "read_only")

    response = api.accept(token, password=NEW_PASSWORD, display_name="  New Person ")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["account_created"] is True
    assert body["org_id"] == str(world.S.id)
    assert body["user"]["email"] == "new@example.com"
    assert body["user"]["display_name"] == "New Person"
    assert body["user"]["role"] == "read_only"
    assert body["user"]["is_primary_admin"] is False
    assert body["user"]["status"] == "active"
    me = api.me(api.sign_in("new@example.com", NEW_PASSWORD)).json()
    assert [(m["org_id"], m["role"]) for m in me["memberships"]] == [(str(world.S.id), "read_only")]
    listed = api.users(world.S.id, world.headers("S-A"))
    assert body["user"]["id"] in {u["id"] for u in listed}
    with api.db() as s:
        stored = s.scalar(select(Account.password_hash).where(Account.email == "new@example.com"))
    assert stored.startswith("$argon2id$")


def test_accepting_as_a_new_person_needs_a_password(api, world, err):
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")

    for fields in ({}, {"password": ""}, {"password": None}):
        response = api.accept(token, **fields)
        assert response.status_code == 422, fields
        assert err(response)["field"] == "password"

    assert api.accept(token, password=NEW_PASSWORD).status_code == 200


def test_a_new_password_has_at_least_twelve_characters(api, world, err):
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")

    short = api.accept(token, password="x" * 11)

    assert short.status_code == 422
    assert err(short)["field"] == "password"
    assert "12" in err(short)["message"]
    with api.db() as s:
        assert s.scalar(select(Account.id).where(Account.email == "new@example.com")) is None
    # The failed attempt did not use the invitation up.
    assert api.accept(token, password="x" * 12).status_code == 200
    assert api.login("new@example.com", "x" * 12).status_code == 200


def test_accepting_for_an_existing_account_adds_an_entry_and_keeps_the_password(api, world, err):
    """One account, several orgs; the invitation link cannot reset a password,
    nor bind the account without its signed-in owner (test_consent)."""
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "U-A@example.com", "user")

    by_link = api.accept(token, password=NEW_PASSWORD, display_name="Hijacked")
    response = api.accept_signed_in(world.headers("U-A"), world.S.id)

    assert by_link.status_code == 403
    assert err(by_link)["code"] == "sign_in_to_accept"
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["account_created"] is False
    assert body["user"]["display_name"] == "u-a"
    assert api.login("u-a@example.com", NEW_PASSWORD).status_code == 401
    me = api.me(api.sign_in("u-a@example.com", PASSWORD)).json()
    assert {(m["org_id"], m["role"]) for m in me["memberships"]} == {
        (str(world.U.id), "admin"),
        (str(world.S.id), "user"),
    }
    with api.db() as s:
        count = s.scalar(
            select(func.count()).select_from(Account).where(Account.email == "u-a@example.com")
        )
    assert count == 1


def test_existing_account_accepts_signed_in_without_giving_a_password(api, world):
    api.invite_ok(world.S.id, world.headers("S-A"), "u-a@example.com", "read_only")

    response = api.accept_signed_in(world.headers("U-A"), world.S.id)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["role"] == "read_only"


def test_an_invitation_token_works_once(api, world, err):
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")
    assert api.accept(token, password=NEW_PASSWORD).status_code == 200

    again = api.accept(token, password=NEW_PASSWORD)

    assert again.status_code == 422
    assert err(again)["code"] == "invitation_already_used"
    assert err(again)["field"] == "token"


def test_an_expired_invitation_cannot_be_accepted(api, frozen_clock, world, identity, err):
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")

    frozen_clock.advance(seconds=identity.invitation_ttl.total_seconds())
    response = api.accept(token, password=NEW_PASSWORD)

    assert response.status_code == 422
    assert err(response)["code"] == "invitation_expired"
    assert err(response)["field"] == "token"


def test_an_invitation_is_usable_until_just_before_it_expires(api, frozen_clock, world, settings):
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")

    frozen_clock.advance(seconds=settings.invitation_ttl_seconds - 1)

    assert api.accept(token, password=NEW_PASSWORD).status_code == 200


def test_a_revoked_invitation_cannot_be_accepted(api, world, err):
    invitation, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")

    revoked = api.client.delete(
        f"/api/v1/orgs/{world.S.id}/invitations/{invitation['id']}", headers=world.headers("S-A")
    )
    assert revoked.status_code == 204

    response = api.accept(token, password=NEW_PASSWORD)
    assert response.status_code == 422
    assert err(response)["code"] == "invitation_revoked"
    assert err(response)["field"] == "token"
    with api.db() as s:
        assert s.scalar(select(Account.id).where(Account.email == "new@example.com")) is None


def test_an_unknown_token_is_refused(api, world, err):
    response = api.accept("no-such-token", password=NEW_PASSWORD)

    assert response.status_code == 422
    assert err(response)["code"] == "invitation_invalid"
    assert err(response)["field"] == "token"


def test_an_invitation_of_one_org_cannot_be_revoked_through_another(api, world, err):
    invitation, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")

    response = api.client.delete(
        f"/api/v1/orgs/{world.T.id}/invitations/{invitation['id']}", headers=world.headers("T-A")
    )

    assert response.status_code == 404
    assert api.accept(token, password=NEW_PASSWORD).status_code == 200


def test_inviting_the_same_email_again_revokes_the_earlier_link(api, world, err):
    first, first_token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")
    second, second_token = api.invite_ok(
        world.S.id, world.headers("S-A"), "NEW@example.com", "admin"
    )

    old = api.accept(first_token, password=NEW_PASSWORD)
    assert old.status_code == 422
    assert err(old)["code"] == "invitation_revoked"
    accepted = api.accept(second_token, password=NEW_PASSWORD)
    assert accepted.status_code == 200
    assert accepted.json()["user"]["role"] == "admin"
    statuses = {i["id"]: i["status"] for i in api.invitations(world.S.id, world.headers("S-A"))}
    assert statuses == {first["id"]: "revoked", second["id"]: "accepted"}


def test_inviting_the_same_email_into_another_org_leaves_the_first_link_working(api, world):
    _, into_s = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")
    _, into_u = api.invite_ok(world.U.id, world.headers("U-A"), "new@example.com")

    assert api.accept(into_s, password=NEW_PASSWORD).status_code == 200
    signed_in = api.sign_in("new@example.com", NEW_PASSWORD)
    # The account exists now: its owner accepts the second one signed in.
    assert api.accept(into_u).status_code == 403
    assert api.accept_signed_in(signed_in, world.U.id).status_code == 200
    orgs = {m["org_id"] for m in api.me(signed_in).json()["memberships"]}
    assert orgs == {str(world.S.id), str(world.U.id)}


def test_inviting_an_existing_member_is_a_conflict(api, world, err, outbox):
    response = api.invite(world.S.id, world.headers("S-A"), "S-U@Example.com", "admin")

    assert response.status_code == 409
    assert err(response)["code"] == "already_member"
    assert err(response)["field"] == "email"
    assert outbox.to("s-u@example.com") == []


def test_the_invitations_list_shows_pending_and_past_with_status(
    api, frozen_clock, world, session, identity
):
    expired, _ = api.invite_ok(world.S.id, world.headers("S-A"), "expired@example.com")
    frozen_clock.advance(seconds=identity.invitation_ttl.total_seconds())
    headers = bearer(issue_token(session, identity, world.accounts["S-A"]))
    session.commit()
    pending, _ = api.invite_ok(world.S.id, headers, "pending@example.com")
    accepted, token = api.invite_ok(world.S.id, headers, "accepted@example.com", "admin")
    assert api.accept(token, password=NEW_PASSWORD).status_code == 200
    revoked, _ = api.invite_ok(world.S.id, headers, "revoked@example.com")
    api.client.delete(f"/api/v1/orgs/{world.S.id}/invitations/{revoked['id']}", headers=headers)

    items = api.invitations(world.S.id, headers)

    by_id = {i["id"]: i for i in items}
    assert {i: by_id[i]["status"] for i in by_id} == {
        expired["id"]: "expired",
        pending["id"]: "pending",
        accepted["id"]: "accepted",
        revoked["id"]: "revoked",
    }
    assert by_id[accepted["id"]]["accepted_at"] is not None
    assert by_id[revoked["id"]]["revoked_at"] is not None
    assert by_id[pending["id"]]["accepted_at"] is None
    assert by_id[pending["id"]]["revoked_at"] is None


def test_the_invitations_list_shows_only_this_orgs_invitations(api, world):
    api.invite_ok(world.S.id, world.headers("S-A"), "into-s@example.com")
    api.invite_ok(world.T.id, world.headers("T-A"), "into-t@example.com")

    items = api.invitations(world.S.id, world.headers("S-A"))

    assert [i["email"] for i in items] == ["into-s@example.com"]


def _invite_directly(s, identity, org_id, email, **kwargs):  # type: ignore[no-untyped-def]
    """Call the service in session `s`; the caller decides commit or rollback."""
    org = s.get(Org, org_id)
    return invitations.invite(
        s, AuditTrail(s, None), identity, org, email=email, role=Role.USER, **kwargs
    )


def test_invitation_email_is_not_sent_when_the_transaction_rolls_back(
    session, sessions, identity, outbox
):
    org = make_org(session)
    session.commit()

    with sessions() as s:
        _invite_directly(s, identity, org.id, "a@example.com")
        s.rollback()
    with sessions() as s:
        _invite_directly(s, identity, org.id, "b@example.com")
        # closed without a commit
    with sessions() as s:
        _invite_directly(s, identity, org.id, "c@example.com")
        s.commit()

    assert outbox.to("a@example.com") == []
    assert outbox.to("b@example.com") == []
    assert len(outbox.to("c@example.com")) == 1
    with sessions() as s:
        assert list(s.scalars(select(Invitation.email))) == ["c@example.com"]


def test_a_rolled_back_invitation_email_does_not_leave_with_a_later_commit(
    session, sessions, identity, outbox
):
    org = make_org(session)
    session.commit()

    with sessions() as s:
        _invite_directly(s, identity, org.id, "a@example.com")
        s.rollback()
        _invite_directly(s, identity, org.id, "b@example.com")
        s.commit()

    assert outbox.to("a@example.com") == []
    assert len(outbox.to("b@example.com")) == 1


def test_invitation_email_is_not_sent_when_the_request_fails_after_inviting(
    api, world, outbox, monkeypatch, err
):
    real_invite = invitations.invite

    def invite_then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_invite(*args, **kwargs)
        raise Conflict("something later in the request failed", code="late_failure")

    monkeypatch.setattr(invitations, "invite", invite_then_fail)

    response = api.invite(world.S.id, world.headers("S-A"), "new@example.com", "user")

    assert response.status_code == 409
    assert err(response)["code"] == "late_failure"
    assert outbox.to("new@example.com") == []
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_org_creation_invitation_makes_the_acceptor_primary_admin(api, session, identity):
    operator = make_account(session, identity, is_operator=True)
    op_headers = bearer(issue_token(session, identity, operator))
    session.commit()
    created = api.client.post(
        "/api/v1/orgs",
        json={
            "name": "Fresh Org",
            "salesforce_id": salesforce_id(),
            "edition": "standard",
            "primary_admin_email": "Boss@Example.com",
        },
        headers=op_headers,
    )
    assert created.status_code == 201, created.text
    org_id = created.json()["id"]
    assert "token" not in created.text.lower()
    (token,) = api.tokens_mailed_to("boss@example.com")
    (pending,) = api.invitations(org_id, op_headers)
    assert pending["as_primary_admin"] is True
    assert pending["role"] == "admin"

    response = api.accept(token, password=NEW_PASSWORD)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["is_primary_admin"] is True
    assert response.json()["user"]["role"] == "admin"
    headers = api.sign_in("boss@example.com", NEW_PASSWORD)
    (membership,) = api.me(headers).json()["memberships"]
    assert membership["org_id"] == org_id
    assert membership["is_primary_admin"] is True
    users = api.users(org_id, headers)
    assert [u["email"] for u in users if u["is_primary_admin"]] == ["boss@example.com"]


def test_reinviting_the_primary_admin_keeps_the_primary_admin_invitation(api, session, identity):
    org = make_org(session)
    operator = make_account(session, identity, is_operator=True)
    op_headers = bearer(issue_token(session, identity, operator))
    session.commit()
    with api.sessions() as s:
        _invite_directly(s, identity, org.id, "boss@example.com", as_primary_admin=True)
        s.commit()

    again, token = api.invite_ok(org.id, op_headers, "boss@example.com", "user")

    assert again["as_primary_admin"] is True
    assert api.accept(token, password=NEW_PASSWORD).json()["user"]["is_primary_admin"] is True


def test_the_invitee_reaches_the_org_joined_and_nothing_beside_it(api, world, err):
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com", "user")
    assert api.accept(token, password=NEW_PASSWORD).status_code == 200
    headers = api.sign_in("new@example.com", NEW_PASSWORD)

    joined = api.client.get(f"/api/v1/orgs/{world.S.id}", headers=headers)
    assert joined.status_code == 200
    assert joined.json()["name"] == "Sub-org S"

    for org in (world.T, world.P, world.U):
        for path in ("", "/users", "/invitations", "/sub-orgs", "/access"):
            response = api.client.get(f"/api/v1/orgs/{org.id}{path}", headers=headers)
            assert response.status_code == 404, (org.name, path, response.text)
            assert err(response)["code"] == "org_not_found"
            assert org.name not in response.text
            assert "t-a@example.com" not in response.text
    listed = api.client.get("/api/v1/orgs", headers=headers).json()["items"]
    assert [o["id"] for o in listed] == [str(world.S.id)]


def test_the_invitee_acts_with_the_invited_role_only(api, world):
    api.invite_ok(world.S.id, world.headers("S-A"), "u-a@example.com", "read_only")
    headers = api.sign_in("u-a@example.com")
    assert api.accept_signed_in(headers, world.S.id).status_code == 200

    # read_only in S, although admin in U.
    assert api.client.get(f"/api/v1/orgs/{world.S.id}/users", headers=headers).status_code == 403
    assert api.client.get(f"/api/v1/orgs/{world.U.id}/users", headers=headers).status_code == 200
    assert api.invite(world.S.id, headers, "x@example.com", "admin").status_code == 403


def test_only_admins_invite(api, world, err):
    for actor in ("S-U", "S-RO", "P-U", "P-RO"):
        response = api.invite(world.S.id, world.headers(actor), "x@example.com", "admin")
        assert response.status_code == 403, actor
    for actor in ("T-A", "U-A", "P-X"):
        response = api.invite(world.S.id, world.headers(actor), "x@example.com", "admin")
        assert response.status_code == 404, actor
    assert api.invite(world.S.id, {}, "x@example.com", "admin").status_code == 401


def test_a_partner_admin_invites_into_a_sub_org_as_a_native_member(api, world):
    _, token = api.invite_ok(world.S.id, world.headers("P-A"), "new@example.com", "admin")
    assert api.accept(token, password=NEW_PASSWORD).status_code == 200

    with api.db() as s:
        (membership,) = s.scalars(
            select(Membership).join(Account).where(Account.email == "new@example.com")
        ).all()
        assert membership.org_id == world.S.id
        assert membership.role == "admin"


def test_accepting_into_an_org_one_already_belongs_to_is_a_conflict(
    api, world, session, identity, err
):
    api.invite_ok(world.S.id, world.headers("S-A"), "late@example.com")
    # The person joined by another route meanwhile.
    make_member(session, identity, world.S, email="late@example.com")
    session.commit()

    response = api.accept_signed_in(api.sign_in("late@example.com"), world.S.id)

    assert response.status_code == 409
    assert err(response)["code"] == "already_member"


def test_two_simultaneous_accepts_of_one_token_make_one_entry(api, world, sessions, identity):
    """The token is single use even under a race: one wins, the other is told so."""
    import threading

    from tenantree.errors import DomainError

    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept_in_own_session() -> None:
        with sessions() as s:
            barrier.wait()
            try:
                consent.accept_invitation(
                    s,
                    AuditTrail(s, None),
                    identity,
                    token=token,
                    password=NEW_PASSWORD,
                    display_name=None,
                )
                s.commit()
                outcomes.append("accepted")
            except DomainError as exc:
                s.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=accept_in_own_session) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["accepted", "invitation_already_used"]
    with api.db() as s:
        entries = s.scalars(
            select(Membership).join(Account).where(Account.email == "new@example.com")
        ).all()
        assert len(entries) == 1


@pytest.mark.parametrize(
    "email",
    [
        "p\u0430ypal@example.com",  # Cyrillic а in a Latin local part
        "admin@ex\u0430mple.com",  # ... in a Latin domain label
        "admin@g\u03bfogle.com",  # Greek ο
        "admin@xn--exmple-4nf.com",  # the same, as punycode
    ],
)
def test_an_email_mixing_scripts_is_refused(api, world, email):  # type: ignore[no-untyped-def]
    response = api.invite(world.S.id, world.headers("S-A"), email, "user")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == "email"
    assert "mixed scripts" in error["message"]


def test_an_address_in_one_non_latin_script_is_accepted(api, world):  # type: ignore[no-untyped-def]
    response = api.invite(
        world.S.id,
        world.headers("S-A"),
        "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",
        "user",
    )
    assert response.status_code == 201, response.text
