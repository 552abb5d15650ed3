"""A token acts with at most its creator's current rights, from the next request.

API and SCIM tokens alike: when the person who created one is removed,
suspended, or no longer reaches the org, the token stops; and a sub-org
that refuses its customer's access refuses the customer's SCIM tokens too.
"""

import pytest
from sqlalchemy import delete, update

from factories import bearer, build_world
from tenantree.identity.models import Membership
from tenantree.identity.roles import MemberStatus
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)
    session.commit()
    return world


def _api_token(client, world, org, actor, role="admin"):
    response = client.post(
        f"/api/v1/orgs/{org.id}/api-tokens",
        json={"name": f"ci {actor}", "role": role},
        headers=world.headers(actor),
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


def _suspend(session, world, actor):
    session.execute(
        update(Membership)
        .where(Membership.id == world.members[actor].id)
        .values(status=MemberStatus.SUSPENDED)
    )
    session.commit()


def _users(client, org, token):
    return client.get(f"/api/v1/orgs/{org.id}/users", headers=bearer(token))


def test_a_partner_admins_token_for_a_sub_org_works_while_the_admin_reaches_it(client, world):
    token = _api_token(client, world, world.S, "P-A")
    assert _users(client, world.S, token).status_code == 200


def test_the_token_stops_when_its_creator_is_removed(client, world, session):
    token = _api_token(client, world, world.S, "P-A")
    session.execute(
        delete(SubOrgPartnerUser).where(SubOrgPartnerUser.membership_id == world.members["P-A"].id)
    )
    session.execute(delete(Membership).where(Membership.id == world.members["P-A"].id))
    session.commit()
    response = _users(client, world.S, token)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "token_creator_lacks_permission"


def test_the_token_stops_when_its_creator_is_suspended(client, world, session):
    token = _api_token(client, world, world.S, "P-A")
    _suspend(session, world, "P-A")
    response = _users(client, world.S, token)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "token_creator_lacks_permission"


def test_the_token_stops_when_its_creator_is_left_off_the_partner_users_list(client, world):
    token = _api_token(client, world, world.S, "P-A")
    listed = [str(world.members[a].id) for a in ("P-U", "P-RO")]
    response = client.put(
        f"/api/v1/orgs/{world.S.id}/access",
        json={"customer_access": "permitted", "partner_users": listed, "customer_may_brand": False},
        headers=world.headers("P-PA"),
    )
    assert response.status_code == 200, response.text
    response = _users(client, world.S, token)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "token_creator_lacks_permission"


def test_a_token_never_does_more_than_its_creators_role_now(client, world, session):
    token = _api_token(client, world, world.S, "S-A", role="admin")
    session.execute(
        update(Membership).where(Membership.id == world.members["S-A"].id).values(role="read_only")
    )
    session.commit()
    response = _users(client, world.S, token)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "token_creator_lacks_permission"
    # What the creator still may do, the token still may.
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(token)).status_code == 200


def test_a_token_lists_only_orgs_its_creator_also_sees(client, world, session):
    token = _api_token(client, world, world.S, "P-A")
    assert world.S.id.hex in {
        o["id"].replace("-", "")
        for o in client.get("/api/v1/orgs", headers=bearer(token)).json()["items"]
    }
    session.execute(
        delete(SubOrgPartnerUser).where(SubOrgPartnerUser.membership_id == world.members["P-A"].id)
    )
    session.commit()
    listed = client.get("/api/v1/orgs", headers=bearer(token)).json()["items"]
    assert str(world.S.id) not in {o["id"] for o in listed}


def _scim_token(client, world, org, actor):
    response = client.post(
        f"/api/v1/orgs/{org.id}/scim-tokens",
        json={"name": f"idp {actor}"},
        headers=world.headers(actor),
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


def _scim_users(client, org, token):
    return client.get(f"/scim/v2/orgs/{org.id}/Users", headers=bearer(token))


def test_a_customer_admins_scim_token_is_refused_while_customer_access_is(client, world, session):
    token = _scim_token(client, world, world.S, "S-A")
    assert _scim_users(client, world.S, token).status_code == 200
    session.execute(
        update(SubOrgAccess)
        .where(SubOrgAccess.org_id == world.S.id)
        .values(customer_access=CustomerAccess.REFUSED)
    )
    session.commit()
    response = _scim_users(client, world.S, token)
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == "403"
    assert body["detail"].startswith("customer_access_refused")


def test_a_scim_token_stops_when_its_creator_is_suspended(client, world, session):
    token = _scim_token(client, world, world.S, "S-A")
    _suspend(session, world, "S-A")
    response = _scim_users(client, world.S, token)
    assert response.status_code == 403, response.text
    assert response.json()["detail"].startswith("token_creator_lacks_permission")


def test_a_scim_token_of_another_org_is_401(client, world):
    token = _scim_token(client, world, world.T, "T-A")
    assert _scim_users(client, world.S, token).status_code == 401


def test_a_token_made_by_a_token_stops_when_the_first_tokens_creator_is_suspended(
    client, world, session
):
    first = _api_token(client, world, world.S, "P-A")
    response = client.post(
        f"/api/v1/orgs/{world.S.id}/api-tokens",
        json={"name": "made by a token", "role": "admin"},
        headers=bearer(first),
    )
    assert response.status_code == 201, response.text
    second = response.json()["token"]
    assert _users(client, world.S, second).status_code == 200
    _suspend(session, world, "P-A")
    response = _users(client, world.S, second)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "token_creator_lacks_permission"
