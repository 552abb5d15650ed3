"""Bodies with fields the endpoint does not take are refused, naming the field, never obeyed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories import build_world
from tenantree.identity.models import Account, Invitation, Membership

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


def _assert_refused(response, err, field):  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert err(response)["code"] == "invalid"
    assert err(response)["field"] == field


@pytest.mark.parametrize(
    "extra", [{"is_operator": True}, {"org_id": "x"}, {"remember_me": True}, {"token": "x"}]
)
def test_login_refuses_unknown_fields(api, world, err, extra):
    response = api.client.post(
        "/api/v1/auth/login",
        json={"email": "s-u@example.com", "password": "correct horse battery staple", **extra},
    )

    _assert_refused(response, err, next(iter(extra)))


@pytest.mark.parametrize(
    "extra",
    [
        {"org_id": "U"},
        {"is_primary_admin": True},
        {"as_primary_admin": True},
        {"is_operator": True},
        {"token": "chosen-token"},
        {"status": "accepted"},
        {"expires_at": "2099-01-01T00:00:00Z"},
    ],
)
def test_invite_refuses_unknown_fields(api, world, err, extra, outbox):
    body = {"email": "new@example.com", "role": "user", **extra}
    if "org_id" in extra:
        body["org_id"] = str(world.U.id)

    response = api.client.post(
        f"/api/v1/orgs/{world.S.id}/invitations", json=body, headers=world.headers("S-A")
    )

    _assert_refused(response, err, next(iter(extra)))
    assert outbox.to("new@example.com") == []
    with api.db() as s:
        assert s.scalars(select(Invitation)).all() == []


@pytest.mark.parametrize(
    "extra",
    [
        {"org_id": "U"},
        {"role": "admin"},
        {"is_primary_admin": True},
        {"is_operator": True},
        {"email": "someone-else@example.com"},
    ],
)
def test_accept_refuses_unknown_fields(api, world, err, extra):
    _, token = api.invite_ok(world.S.id, world.headers("S-A"), "new@example.com", "read_only")
    if "org_id" in extra:
        extra = {"org_id": str(world.U.id)}

    response = api.accept(token, password=NEW_PASSWORD, **extra)

    _assert_refused(response, err, next(iter(extra)))
    with api.db() as s:
        assert s.scalars(select(Account).where(Account.email.like("%new@%"))).all() == []
        operators = s.scalars(select(Account.email).where(Account.is_operator)).all()
        assert operators == ["op@example.com"]
    # The invitation is still usable, with the invited role and org only.
    accepted = api.accept(token, password=NEW_PASSWORD)
    assert accepted.status_code == 200
    assert accepted.json()["org_id"] == str(world.S.id)
    assert accepted.json()["user"]["role"] == "read_only"
    assert accepted.json()["user"]["is_primary_admin"] is False


@pytest.mark.parametrize(
    "extra",
    [
        {"is_primary_admin": True},
        {"org_id": "U"},
        {"email": "other@example.com"},
        {"password": "a password I chose"},
        {"is_operator": True},
        {"external_id": "x-1"},
        {"display_name": "Renamed"},
    ],
)
def test_patch_user_refuses_unknown_fields(api, world, err, extra):
    if "org_id" in extra:
        extra = {"org_id": str(world.U.id)}

    response = api.client.patch(
        f"/api/v1/orgs/{world.S.id}/users/{world.members['S-U'].id}",
        json={"role": "admin", **extra},
        headers=world.headers("S-A"),
    )

    _assert_refused(response, err, next(iter(extra)))
    with api.db() as s:
        membership = s.get(Membership, world.members["S-U"].id)
        assert (membership.role, membership.is_primary_admin, membership.org_id) == (
            "user",
            False,
            world.S.id,
        )
        assert s.get(Account, world.accounts["S-U"].id).is_operator is False


def test_primary_admin_transfer_refuses_unknown_fields(api, world, err):
    response = api.client.post(
        f"/api/v1/orgs/{world.S.id}/primary-admin",
        json={"user_id": str(world.members["S-A"].id), "org_id": str(world.T.id)},
        headers=world.headers("S-PA"),
    )

    _assert_refused(response, err, "org_id")
    primaries = [
        u["email"] for u in api.users(world.S.id, world.headers("S-A")) if u["is_primary_admin"]
    ]
    assert primaries == ["s-pa@example.com"]
