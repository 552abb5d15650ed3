"""An org's user directory: listing, changing, removing, and what removal takes with it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from factories import PASSWORD, build_world, make_member
from tenantree.audit.service import AuditTrail
from tenantree.identity import directory
from tenantree.identity.models import AccessToken, Membership
from tenantree.identity.roles import Role
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import SubOrgPartnerUser


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


def _emails(users):  # type: ignore[no-untyped-def]
    return {u["email"] for u in users}


def _patch(api, world, org, actor, member, body):  # type: ignore[no-untyped-def]
    return api.client.patch(
        f"/api/v1/orgs/{org.id}/users/{world.members[member].id}",
        json=body,
        headers=world.headers(actor),
    )


def _delete(api, world, org, actor, member):  # type: ignore[no-untyped-def]
    return api.client.delete(
        f"/api/v1/orgs/{org.id}/users/{world.members[member].id}", headers=world.headers(actor)
    )


def test_a_sub_orgs_list_has_its_own_users_and_no_partner_users(api, world):
    for actor in ("P-PA", "P-A", "S-A", "OP"):
        users = api.users(world.S.id, world.headers(actor))
        assert _emails(users) == {
            "s-pa@example.com",
            "s-a@example.com",
            "s-u@example.com",
            "s-ro@example.com",
        }, actor


def test_a_partners_list_has_its_own_users_and_no_sub_org_users(api, world):
    users = api.users(world.P.id, world.headers("P-A"))

    assert _emails(users) == {
        "p-pa@example.com",
        "p-a@example.com",
        "p-u@example.com",
        "p-ro@example.com",
        "p-x@example.com",
    }


def test_a_user_in_the_list_shows_the_agreed_fields(api, world):
    users = {u["email"]: u for u in api.users(world.S.id, world.headers("S-A"))}

    primary = users["s-pa@example.com"]
    assert primary["id"] == str(world.members["S-PA"].id)
    assert primary["role"] == "admin"
    assert primary["is_primary_admin"] is True
    assert primary["status"] == "active"
    assert primary["display_name"] == "s-pa"
    assert "external_id" in primary
    assert not any("password" in key for key in primary)
    assert users["s-ro@example.com"]["role"] == "read_only"


def test_the_users_list_pages(api, world):
    first = api.client.get(
        f"/api/v1/orgs/{world.S.id}/users", params={"limit": 3}, headers=world.headers("S-A")
    ).json()
    assert len(first["items"]) == 3
    assert first["next_cursor"]
    second = api.client.get(
        f"/api/v1/orgs/{world.S.id}/users",
        params={"limit": 3, "cursor": first["next_cursor"]},
        headers=world.headers("S-A"),
    ).json()
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    assert _emails(first["items"]) | _emails(second["items"]) == _emails(
        api.users(world.S.id, world.headers("S-A"))
    )


def test_an_admin_changes_a_users_role_and_status(api, world):
    changed = _patch(api, world, world.S, "S-A", "S-U", {"role": "read_only"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "read_only"

    suspended = _patch(api, world, world.S, "S-A", "S-U", {"status": "suspended"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["role"] == "read_only"
    assert suspended.json()["status"] == "suspended"

    both = _patch(api, world, world.S, "P-A", "S-U", {"role": "admin", "status": "active"})
    assert both.status_code == 200, both.text
    assert (both.json()["role"], both.json()["status"]) == ("admin", "active")
    listed = {u["email"]: u for u in api.users(world.S.id, world.headers("S-A"))}
    assert listed["s-u@example.com"]["role"] == "admin"


def test_a_promoted_user_acts_with_the_new_role_at_once(api, world):
    headers = world.headers("S-U")
    assert api.client.get(f"/api/v1/orgs/{world.S.id}/users", headers=headers).status_code == 403

    assert _patch(api, world, world.S, "S-A", "S-U", {"role": "admin"}).status_code == 200

    assert api.client.get(f"/api/v1/orgs/{world.S.id}/users", headers=headers).status_code == 200


def test_an_empty_patch_changes_nothing(api, world):
    response = _patch(api, world, world.S, "S-A", "S-U", {})

    assert response.status_code == 200, response.text
    assert (response.json()["role"], response.json()["status"]) == ("user", "active")


def test_patch_refuses_unknown_roles_and_statuses(api, world, err):
    for body, field in (
        ({"role": "owner"}, "role"),
        ({"status": "deleted"}, "status"),
        ({"role": None, "status": "frozen"}, "status"),
    ):
        response = _patch(api, world, world.S, "S-A", "S-U", body)
        assert response.status_code == 422, body
        assert err(response)["field"] == field


def test_non_admins_cannot_change_the_directory(api, world):
    for actor in ("S-U", "S-RO", "P-U", "P-RO"):
        assert _patch(api, world, world.S, actor, "S-A", {"role": "user"}).status_code == 403
        assert _delete(api, world, world.S, actor, "S-A").status_code == 403
    for actor in ("T-A", "U-A", "P-X"):
        assert _patch(api, world, world.S, actor, "S-A", {"role": "user"}).status_code == 404
        assert _delete(api, world, world.S, actor, "S-A").status_code == 404


def test_a_user_of_another_org_cannot_be_changed_through_this_org(api, world, err):
    for member in ("P-A", "T-A", "U-A"):
        patched = _patch(api, world, world.S, "S-A", member, {"role": "read_only"})
        assert patched.status_code == 404, member
        assert err(patched)["code"] == "user_not_found"
        removed = _delete(api, world, world.S, "S-A", member)
        assert removed.status_code == 404, member
    assert {u["role"] for u in api.users(world.T.id, world.headers("T-A"))} == {"admin"}


def test_an_unknown_user_id_is_404(api, world, err):
    response = api.client.patch(
        f"/api/v1/orgs/{world.S.id}/users/{uuid.uuid4()}",
        json={"role": "user"},
        headers=world.headers("S-A"),
    )

    assert response.status_code == 404
    assert err(response)["code"] == "user_not_found"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"role": "user"}, "role"),
        ({"role": "read_only"}, "role"),
        ({"status": "suspended"}, "status"),
    ],
)
@pytest.mark.parametrize("actor", ["S-A", "S-PA", "P-A", "P-PA", "OP"])
def test_the_primary_admin_cannot_be_demoted_or_suspended(api, world, err, body, field, actor):
    response = _patch(api, world, world.S, actor, "S-PA", body)

    assert response.status_code == 409
    assert err(response)["code"] == "primary_admin_protected"
    assert err(response)["field"] == field
    (primary,) = [u for u in api.users(world.S.id, world.headers("OP")) if u["is_primary_admin"]]
    assert (primary["email"], primary["role"], primary["status"]) == (
        "s-pa@example.com",
        "admin",
        "active",
    )


def test_the_primary_admin_may_be_patched_to_what_they_already_are(api, world):
    response = _patch(api, world, world.S, "S-A", "S-PA", {"role": "admin", "status": "active"})

    assert response.status_code == 200, response.text
    assert response.json()["is_primary_admin"] is True


@pytest.mark.parametrize("actor", ["S-A", "S-PA", "P-PA", "OP"])
def test_the_primary_admin_cannot_be_removed(api, world, err, actor):
    response = _delete(api, world, world.S, actor, "S-PA")

    assert response.status_code == 409
    assert err(response)["code"] == "primary_admin_protected"
    assert api.me(world.headers("S-PA")).status_code == 200
    assert "s-pa@example.com" in _emails(api.users(world.S.id, world.headers("OP")))


def test_removing_a_user_takes_them_off_the_list(api, world):
    response = _delete(api, world, world.S, "S-A", "S-RO")

    assert response.status_code == 204
    assert "s-ro@example.com" not in _emails(api.users(world.S.id, world.headers("S-A")))
    assert _delete(api, world, world.S, "S-A", "S-RO").status_code == 404


def test_a_removed_persons_very_next_request_to_that_org_is_404(api, world, session, identity, err):
    make_member(session, identity, world.U, account=world.accounts["S-A"])
    session.commit()
    headers = api.sign_in("s-a@example.com")
    assert api.client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 200

    assert _delete(api, world, world.S, "S-PA", "S-A").status_code == 204

    for path in ("", "/users", "/invitations"):
        response = api.client.get(f"/api/v1/orgs/{world.S.id}{path}", headers=headers)
        assert response.status_code == 404, path
        assert err(response)["code"] == "org_not_found"
    assert api.client.get(f"/api/v1/orgs/{world.U.id}", headers=headers).status_code == 200
    memberships = api.me(headers).json()["memberships"]
    assert [m["org_id"] for m in memberships] == [str(world.U.id)]


def test_a_removed_partner_user_loses_their_restricted_sub_org_grant(api, world, session, identity):
    # P-A also belongs to U, so their token keeps working and the 404 is about S.
    make_member(session, identity, world.U, account=world.accounts["P-A"])
    session.commit()
    p_a = world.members["P-A"].id
    before = api.client.get(f"/api/v1/orgs/{world.S.id}/access", headers=world.headers("P-PA"))
    assert str(p_a) in before.json()["partner_users"]
    assert (
        api.client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("P-A")).status_code
        == 200
    )

    assert _delete(api, world, world.P, "P-PA", "P-A").status_code == 204

    after = api.client.get(f"/api/v1/orgs/{world.S.id}/access", headers=world.headers("P-PA"))
    assert after.status_code == 200
    assert sorted(after.json()["partner_users"]) == sorted(
        [str(world.members["P-U"].id), str(world.members["P-RO"].id)]
    )
    for path in ("", "/users"):
        response = api.client.get(f"/api/v1/orgs/{world.S.id}{path}", headers=world.headers("P-A"))
        assert response.status_code == 404, path
    listed = api.client.get("/api/v1/orgs", headers=world.headers("P-A")).json()["items"]
    assert [o["id"] for o in listed] == [str(world.U.id)]
    with api.db() as s:
        grants = s.scalars(
            select(SubOrgPartnerUser).where(SubOrgPartnerUser.membership_id == p_a)
        ).all()
    assert grants == []


def test_a_readded_partner_user_does_not_get_the_old_grant_back(api, world, session, identity):
    assert _delete(api, world, world.P, "P-PA", "P-A").status_code == 204
    make_member(session, identity, world.P, role=Role.ADMIN, account=world.accounts["P-A"])
    session.commit()
    headers = api.sign_in("p-a@example.com")

    assert api.client.get(f"/api/v1/orgs/{world.P.id}", headers=headers).status_code == 200
    assert api.client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 404
    assert api.client.get(f"/api/v1/orgs/{world.T.id}", headers=headers).status_code == 200


def test_a_person_removed_from_their_last_org_has_every_token_revoked(
    api, world, session, identity, err
):
    laptop = api.sign_in("s-u@example.com")
    phone = api.sign_in("s-u@example.com")
    issued = world.headers("S-U")

    assert _delete(api, world, world.S, "S-A", "S-U").status_code == 204

    for headers in (laptop, phone, issued):
        assert api.me(headers).status_code == 401
    with api.db() as s:
        revoked = s.scalars(
            select(AccessToken.revoked_at).where(AccessToken.account_id == world.accounts["S-U"].id)
        ).all()
    assert len(revoked) == 3
    assert all(at is not None for at in revoked)
    response = api.login("s-u@example.com")
    assert response.status_code == 403
    assert err(response)["code"] == "no_membership"


def test_a_person_removed_from_one_of_two_orgs_keeps_their_tokens(api, world, session, identity):
    make_member(session, identity, world.U, account=world.accounts["S-U"])
    session.commit()

    assert _delete(api, world, world.S, "S-A", "S-U").status_code == 204

    assert api.me(world.headers("S-U")).status_code == 200


def test_removal_and_everything_derived_from_it_share_one_transaction(world, sessions, identity):
    """Directly against the service: the derived revocations are in the same unit of work."""
    p_a = world.members["P-A"]

    def grants(s):  # type: ignore[no-untyped-def]
        return s.scalars(
            select(SubOrgPartnerUser.sub_org_id).where(SubOrgPartnerUser.membership_id == p_a.id)
        ).all()

    def live_tokens(s):  # type: ignore[no-untyped-def]
        return s.scalars(
            select(AccessToken.id).where(
                AccessToken.account_id == p_a.account_id, AccessToken.revoked_at.is_(None)
            )
        ).all()

    with sessions() as s:
        directory.remove_user(s, AuditTrail(s, None), s.get(Org, world.P.id), p_a.id)
        # Inside the transaction: entry, grant and tokens are gone together...
        assert s.get(Membership, p_a.id) is None
        assert grants(s) == []
        assert live_tokens(s) == []
        s.rollback()
    with sessions() as s:
        # ...and a rollback brings them all back together.
        assert s.get(Membership, p_a.id) is not None
        assert grants(s) == [world.S.id]
        assert len(live_tokens(s)) == 1
        s.rollback()


def test_an_operator_removed_from_an_org_keeps_their_tokens(api, world, session, identity):
    make_member(session, identity, world.U, account=world.accounts["OP"])
    session.commit()
    (entry,) = [
        u for u in api.users(world.U.id, world.headers("OP")) if u["email"] == "op@example.com"
    ]

    response = api.client.delete(
        f"/api/v1/orgs/{world.U.id}/users/{entry['id']}", headers=world.headers("U-A")
    )

    assert response.status_code == 204
    assert api.me(world.headers("OP")).status_code == 200


def test_admins_cannot_set_a_persons_password(api, world, err):
    response = _patch(api, world, world.S, "S-A", "S-U", {"password": "a password I chose"})

    assert response.status_code == 422
    assert err(response)["field"] == "password"
    assert api.login("s-u@example.com", "a password I chose").status_code == 401
    assert api.login("s-u@example.com", PASSWORD).status_code == 200


def test_no_endpoint_but_sign_in_and_accepting_takes_a_password(app):
    """Admins manage directory entries, never the person's password."""
    schema = app.openapi()
    components = schema["components"]["schemas"]

    def properties(ref_or_schema):  # type: ignore[no-untyped-def]
        if "$ref" in ref_or_schema:
            ref_or_schema = components[ref_or_schema["$ref"].rsplit("/", 1)[1]]
        return set(ref_or_schema.get("properties", {}))

    takes_password = set()
    people = ("/users", "/invitations", "/primary-admin", "/me", "/auth/", "/accounts")
    for path, operations in schema["paths"].items():
        if not any(part in path for part in people):
            continue  # e.g. an org's SMTP relay credentials are not a person's password
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                if any("password" in name for name in properties(media["schema"])):
                    takes_password.add((method.upper(), path))

    assert takes_password == {
        ("POST", "/api/v1/auth/login"),
        # The person's own new password, with the token emailed to them.
        ("POST", "/api/v1/auth/password-reset/confirm"),
        ("POST", "/api/v1/invitations/accept"),
    }


def test_removing_a_user_is_audited(api, world):
    assert _delete(api, world, world.S, "S-A", "S-RO").status_code == 204

    response = api.client.get(
        f"/api/v1/orgs/{world.S.id}/audit-events",
        params={"action": "user.removed"},
        headers=world.headers("S-A"),
    )
    (event,) = response.json()["items"]
    assert event["target_id"] == str(world.members["S-RO"].id)
    assert event["actor_id"] == str(world.accounts["S-A"].id)
    assert event["details"]["email"] == "s-ro@example.com"


def test_a_suspended_admin_cannot_manage_the_directory(api, world, session, identity, err):
    """S-A suspended in S but active in U: still signed in, but not an admin of S."""
    make_member(session, identity, world.U, account=world.accounts["S-A"])
    session.commit()
    assert _patch(api, world, world.S, "S-PA", "S-A", {"status": "suspended"}).status_code == 200

    response = _patch(api, world, world.S, "S-A", "S-U", {"role": "admin"})

    assert response.status_code == 403
    assert err(response)["code"] == "user_suspended"
