"""Consent before enrolment: an org's invitation or SCIM provider binds an
existing account only when its owner accepts, signed in as themselves, unless
the org manages the account (it proved the email's domain)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from factories import bearer, build_world, prove_domain
from tenantree.audit.models import AuditEvent
from tenantree.identity.models import Membership

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


class Scim:
    def __init__(self, client: Any, org_id: object, token: str):
        self.client = client
        self.base = f"/scim/v2/orgs/{org_id}"
        self.headers = {**bearer(token), "Content-Type": "application/scim+json"}

    def create(self, email: str, **extra: Any) -> Any:
        body = {
            "schemas": [USER_SCHEMA],
            "userName": email,
            "emails": [{"value": email, "primary": True}],
            "active": True,
            **extra,
        }
        return self.client.post(self.base + "/Users", json=body, headers=self.headers)

    def set_active(self, user_id: str, active: bool) -> Any:
        body = {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "active", "value": active}],
        }
        return self.client.patch(f"{self.base}/Users/{user_id}", json=body, headers=self.headers)

    def get(self, user_id: str) -> Any:
        return self.client.get(f"{self.base}/Users/{user_id}", headers=self.headers)


@pytest.fixture
def scim_u(client, world):  # type: ignore[no-untyped-def]
    """U's provider: U is unrelated to the people of P and its sub-orgs."""
    response = client.post(
        f"/api/v1/orgs/{world.U.id}/scim-tokens", json={"name": "idp"}, headers=world.headers("U-A")
    )
    assert response.status_code == 201, response.text
    return Scim(client, world.U.id, response.json()["token"])


def _my_invitations(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/api/v1/me/invitations", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def _entry(api: Any, org_id: object, email: str) -> tuple[str, bool] | None:
    """The person's entry in the org, as (status, awaiting consent)."""
    with api.db() as s:
        entry = s.scalar(
            select(Membership).where(
                Membership.org_id == org_id, Membership.account.has(email=email)
            )
        )
        return (entry.status, entry.awaiting_consent) if entry is not None else None


def _org_ids_of_me(api: Any, headers: dict[str, str]) -> set[str]:
    return {m["org_id"] for m in api.me(headers).json()["memberships"]}


# --- SCIM -------------------------------------------------------------------


def test_scim_creating_someone_elses_account_makes_an_entry_that_grants_nothing(
    api, client, world, scim_u
):
    response = scim_u.create("p-pa@example.com")

    assert response.status_code == 201, response.text
    user = response.json()
    assert user["active"] is False  # the entry exists, awaiting the person's consent
    assert scim_u.get(user["id"]).json()["active"] is False
    assert _entry(api, world.U.id, "p-pa@example.com") == ("suspended", True)
    victim = world.headers("P-PA")
    assert str(world.U.id) not in _org_ids_of_me(api, victim)
    assert client.get(f"/api/v1/orgs/{world.U.id}", headers=victim).status_code in (403, 404)
    # The person still works where they belong: nothing of theirs changed.
    assert client.get(f"/api/v1/orgs/{world.P.id}", headers=victim).status_code == 200


def test_the_provider_cannot_activate_an_entry_its_person_has_not_accepted(
    api, world, scim_u, client, err
):
    user_id = scim_u.create("p-pa@example.com").json()["id"]

    patched = scim_u.set_active(user_id, True)
    by_admin = client.patch(
        f"/api/v1/orgs/{world.U.id}/users/{user_id}",
        json={"status": "active"},
        headers=world.headers("U-A"),
    )

    assert patched.status_code == 200, patched.text
    assert patched.json()["active"] is False
    assert by_admin.status_code == 409
    assert err(by_admin)["code"] == "awaiting_consent"
    assert _entry(api, world.U.id, "p-pa@example.com") == ("suspended", True)
    assert str(world.U.id) not in _org_ids_of_me(api, world.headers("P-PA"))


def test_the_admins_list_shows_the_entry_as_awaiting_without_the_persons_name(api, world, scim_u):
    user_id = scim_u.create("p-pa@example.com").json()["id"]

    (listed,) = [u for u in api.users(world.U.id, world.headers("U-A")) if u["id"] == user_id]

    assert listed["awaiting_consent"] is True
    assert listed["status"] == "suspended"
    assert listed["display_name"] == ""


def test_the_person_accepts_a_provisioned_entry_and_then_belongs(api, client, world, scim_u):
    user_id = scim_u.create("p-pa@example.com").json()["id"]
    victim = world.headers("P-PA")

    (pending,) = _my_invitations(client, victim)
    accepted = client.post(f"/api/v1/me/invitations/{pending['id']}/accept", headers=victim)

    assert pending["org_id"] == str(world.U.id)
    assert pending["org_name"] == "Unrelated U"
    assert pending["for_existing_entry"] is True
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["user"]["id"] == user_id
    assert str(world.U.id) in _org_ids_of_me(api, victim)
    assert scim_u.get(user_id).json()["active"] is True
    assert _my_invitations(client, victim) == []


def test_accepting_keeps_the_providers_last_word_on_active(api, client, world, scim_u):
    user_id = scim_u.create("p-pa@example.com").json()["id"]
    scim_u.set_active(user_id, False)
    victim = world.headers("P-PA")

    (pending,) = _my_invitations(client, victim)
    client.post(f"/api/v1/me/invitations/{pending['id']}/accept", headers=victim)

    assert _entry(api, world.U.id, "p-pa@example.com") == ("suspended", False)


def test_declining_leaves_the_entry_granting_nothing(api, client, world, scim_u):
    scim_u.create("p-pa@example.com")
    victim = world.headers("P-PA")

    (pending,) = _my_invitations(client, victim)
    declined = client.post(f"/api/v1/me/invitations/{pending['id']}/decline", headers=victim)

    assert declined.status_code == 204
    assert _my_invitations(client, victim) == []
    assert _entry(api, world.U.id, "p-pa@example.com") == ("suspended", True)
    (listed,) = [
        i
        for i in api.invitations(world.U.id, world.headers("U-A"))
        if i["email"] == "p-pa@example.com"
    ]
    assert listed["status"] == "declined"
    with api.db() as s:
        (event,) = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "invitation.declined")
        ).all()
        assert (event.actor_id, event.org_id) == (world.accounts["P-PA"].id, world.U.id)


def test_removing_an_entry_awaiting_consent_ends_none_of_the_persons_sessions(
    client, world, scim_u
):
    user_id = scim_u.create("p-pa@example.com").json()["id"]

    deleted = client.delete(f"{scim_u.base}/Users/{user_id}", headers=scim_u.headers)

    assert deleted.status_code == 204
    assert client.get("/api/v1/me", headers=world.headers("P-PA")).status_code == 200


def test_an_org_that_manages_the_domain_binds_the_account_at_once(api, world, scim_u, session):
    prove_domain(session, world.U, "example.com")
    session.commit()

    response = scim_u.create("p-pa@example.com")

    assert response.status_code == 201, response.text
    assert response.json()["active"] is True
    assert str(world.U.id) in _org_ids_of_me(api, world.headers("P-PA"))


def test_a_new_person_provisioned_by_scim_is_active_at_once(api, world, scim_u):
    response = scim_u.create("brand-new@example.com")

    assert response.status_code == 201, response.text
    assert response.json()["active"] is True
    assert _entry(api, world.U.id, "brand-new@example.com") == ("active", False)


# --- invitations --------------------------------------------------------------


def test_an_emailed_token_alone_does_not_bind_an_existing_account(api, world, err):
    """The token may have travelled through the inviting org's own relay."""
    _, token = api.invite_ok(world.U.id, world.headers("U-A"), "p-pa@example.com", "admin")

    response = api.accept(token)

    assert response.status_code == 403
    assert err(response)["code"] == "sign_in_to_accept"
    assert _entry(api, world.U.id, "p-pa@example.com") is None


def test_the_signed_in_owner_accepts_an_invitation_from_their_list(api, client, world):
    api.invite_ok(world.U.id, world.headers("U-A"), "p-pa@example.com", "read_only")
    owner = world.headers("P-PA")

    (pending,) = _my_invitations(client, owner)
    accepted = client.post(f"/api/v1/me/invitations/{pending['id']}/accept", headers=owner)

    assert pending["for_existing_entry"] is False
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["user"]["role"] == "read_only"
    assert str(world.U.id) in _org_ids_of_me(api, owner)


def test_nobody_else_can_answer_someones_invitation(api, client, world):
    api.invite_ok(world.U.id, world.headers("U-A"), "p-pa@example.com")
    (pending,) = _my_invitations(client, world.headers("P-PA"))

    for actor in ("U-A", "P-A", "OP"):
        for answer in ("accept", "decline"):
            response = client.post(
                f"/api/v1/me/invitations/{pending['id']}/{answer}", headers=world.headers(actor)
            )
            assert response.status_code == 404, (actor, answer)
        assert _my_invitations(client, world.headers(actor)) == []
    assert _entry(api, world.U.id, "p-pa@example.com") is None


def test_the_list_is_only_for_the_signed_in(client):
    assert client.get("/api/v1/me/invitations").status_code == 401


def test_an_invitation_to_a_managed_account_is_accepted_by_its_token(api, world, session):
    prove_domain(session, world.U, "example.com")
    session.commit()
    _, token = api.invite_ok(world.U.id, world.headers("U-A"), "p-pa@example.com")

    assert api.accept(token).status_code == 200
