"""GET /api/v1/orgs/{org_id}/access-check: who may ask, and what the answer reveals.

Org admins (of the org or its partner, listed) and operators may ask about a
user of the org's directory or a partner user reaching it. Whatever the
caller may not see answers 404 like an unknown id, and the explanation never
names an org or a person the caller could not see.
"""

import uuid

import pytest
from sqlalchemy import update

from factories import build_world
from tenantree.identity.models import Membership

ASKERS = {
    "OP": 200,
    "P-PA": 200,
    "P-A": 200,
    "P-U": 403,
    "P-RO": 403,
    "P-X": 404,
    "S-PA": 200,
    "S-A": 200,
    "S-U": 403,
    "S-RO": 403,
    "T-A": 404,
    "U-A": 404,
    "anon": 401,
}
# Orgs each asker cannot see: their names must never appear in an answer.
UNSEEN_ORGS = {
    "OP": set(),
    "P-PA": {"U"},
    "P-A": {"U"},
    "S-PA": {"P", "T", "U"},
    "S-A": {"P", "T", "U"},
}
PARTNER_STAFF = ("P-PA", "P-A", "P-U", "P-RO")


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)
    session.commit()
    return world


def _ask(client, world, asker, org, subject, permission="org:users:manage"):
    return client.get(
        f"/api/v1/orgs/{org.id}/access-check",
        params={"user_id": str(subject), "permission": permission},
        headers=world.headers(asker),
    )


@pytest.mark.parametrize(("asker", "status"), sorted(ASKERS.items()))
def test_every_matrix_actor_gets_its_status(client, world, asker, status):
    response = _ask(client, world, asker, world.S, world.members["S-U"].id)
    assert response.status_code == status, response.text


def test_a_refused_customer_admin_is_403_customer_access_refused(client, session, identity):
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    response = _ask(client, world, "S-A", world.S, world.members["S-U"].id)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "customer_access_refused"


def test_the_answer_carries_the_rule_and_the_path(client, world):
    body = _ask(client, world, "P-PA", world.S, world.members["P-A"].id).json()
    assert body["allowed"] is True and body["rule"] == "role_grants"
    assert body["path"] == {
        "kind": "partner",
        "via_org_id": str(world.P.id),
        "role": "admin",
        "primary_admin": False,
        "block": None,
        "until": None,
    }
    assert "Partner P" in body["explanation"] and "p-a@example.com" in body["explanation"]


def test_a_refused_permission_says_the_role_lacks_it(client, world):
    body = _ask(client, world, "S-A", world.S, world.members["S-RO"].id).json()
    assert body["allowed"] is False and body["rule"] == "role_lacks"
    assert body["code"] == "forbidden" and "does not grant" in body["explanation"]


def test_partner_staff_reach_a_refused_sub_org_and_the_answer_says_so(client, session, identity):
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    body = _ask(client, world, "P-PA", world.S, world.members["P-A"].id).json()
    assert body["allowed"] is True
    assert "does not apply to partner staff" in body["explanation"]
    refused = _ask(client, world, "P-PA", world.S, world.members["S-A"].id).json()
    assert refused["rule"] == "blocked" and refused["code"] == "customer_access_refused"


@pytest.mark.parametrize("asker", ["S-A", "S-PA"])
def test_a_sub_org_admin_never_learns_the_partners_name_or_its_staff(client, world, asker):
    body = _ask(client, world, asker, world.S, world.members["P-A"].id).json()
    assert body["allowed"] is True
    assert "Partner P" not in body["explanation"] and "p-a@example.com" not in body["explanation"]
    assert "its partner" in body["explanation"] and body["path"]["via_org_id"] is None


@pytest.mark.parametrize("asker", sorted(UNSEEN_ORGS))
def test_no_answer_names_an_org_or_person_the_asker_cannot_see(client, world, asker):
    names = {"P": world.P.name, "T": world.T.name, "U": world.U.name}
    unseen = {names[o] for o in UNSEEN_ORGS[asker]}
    if asker.startswith("S-"):
        unseen |= {f"{a.lower()}@example.com" for a in PARTNER_STAFF}
    for subject in ("S-PA", "S-A", "S-U", "S-RO", "P-PA", "P-A", "P-U", "P-RO"):
        for permission in ("org:view", "org:users:manage", "org:access:manage"):
            response = _ask(client, world, asker, world.S, world.members[subject].id, permission)
            assert response.status_code == 200, (subject, response.text)
            text = response.text
            assert not [n for n in unseen if n in text], (asker, subject, text)


@pytest.mark.parametrize("subject", ["P-X", "T-A", "U-A"])
def test_a_user_who_does_not_reach_the_org_is_404_like_an_unknown_id(client, world, subject):
    response = _ask(client, world, "P-PA", world.S, world.members[subject].id)
    assert response.status_code == 404
    unknown = _ask(client, world, "P-PA", world.S, uuid.uuid4())
    assert unknown.json()["error"]["code"] == response.json()["error"]["code"]


def test_an_unknown_permission_is_422_naming_the_field(client, world):
    response = _ask(client, world, "S-A", world.S, world.members["S-U"].id, "org:everything")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "permission"


def test_an_invisible_org_is_404_before_the_permission_is_read(client, world):
    response = _ask(client, world, "T-A", world.S, world.members["S-U"].id, "org:everything")
    assert response.status_code == 404


def test_an_api_tokens_answer_is_bounded_by_its_creator(client, world, session):
    issued = client.post(
        f"/api/v1/orgs/{world.S.id}/api-tokens",
        json={"name": "ci", "role": "admin"},
        headers=world.headers("S-A"),
    ).json()
    session.execute(
        update(Membership).where(Membership.id == world.members["S-A"].id).values(role="user")
    )
    session.commit()
    body = _ask(client, world, "S-PA", world.S, issued["user_id"]).json()
    assert body["allowed"] is False and body["rule"] == "creator_lacks"
    assert "creator" in body["explanation"]


PARTNER_ASKERS = {
    "OP": 200,
    "P-PA": 200,
    "P-A": 200,
    "P-U": 403,
    "P-RO": 403,
    "S-PA": 404,
    "S-A": 404,
    "T-A": 404,
    "U-A": 404,
    "anon": 401,
}


@pytest.mark.parametrize(("asker", "status"), sorted(PARTNER_ASKERS.items()))
def test_every_matrix_actor_gets_its_status_on_the_partner(client, world, asker, status):
    response = _ask(client, world, asker, world.P, world.members["P-U"].id)
    assert response.status_code == status, response.text
