"""Suspended people, deactivated orgs and refused customers at sign-in and after."""

from __future__ import annotations

from factories import bearer, build_world, issue_token, make_account, make_member, make_org
from tenantree.identity.roles import MemberStatus, Role

WRONG = "definitely the wrong password"


def _suspend(api, org_id, membership_id, headers):  # type: ignore[no-untyped-def]
    response = api.client.patch(
        f"/api/v1/orgs/{org_id}/users/{membership_id}",
        json={"status": "suspended"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "suspended"


def test_user_suspended_in_their_only_org_cannot_sign_in(api, session, identity, err):
    org = make_org(session)
    make_member(session, identity, org, email="sam@example.com", status=MemberStatus.SUSPENDED)
    session.commit()

    response = api.login("sam@example.com")

    assert response.status_code == 403
    assert err(response)["code"] == "user_suspended"
    assert "access_token" not in response.text


def test_suspended_user_with_a_wrong_password_learns_nothing(api, session, identity, err):
    org = make_org(session)
    make_member(session, identity, org, email="sam@example.com", status=MemberStatus.SUSPENDED)
    session.commit()

    response = api.login("sam@example.com", WRONG)

    assert response.status_code == 401
    assert err(response)["code"] == "invalid_credentials"


def test_suspending_a_user_stops_their_existing_token_at_once(api, session, identity):
    world = build_world(session, identity)
    session.commit()
    headers = api.sign_in("s-u@example.com")
    assert api.me(headers).status_code == 200

    _suspend(api, world.S.id, world.members["S-U"].id, world.headers("S-A"))

    assert api.me(headers).status_code == 401
    assert api.client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 401
    assert api.me(world.headers("S-U")).status_code == 401


def test_suspending_does_not_touch_the_admin_doing_it(api, session, identity):
    world = build_world(session, identity)
    session.commit()

    _suspend(api, world.S.id, world.members["S-U"].id, world.headers("S-A"))

    assert api.me(world.headers("S-A")).status_code == 200


def test_reinstated_user_can_sign_in_again(api, session, identity):
    world = build_world(session, identity)
    session.commit()
    _suspend(api, world.S.id, world.members["S-U"].id, world.headers("S-A"))
    assert api.login("s-u@example.com").status_code == 403

    response = api.client.patch(
        f"/api/v1/orgs/{world.S.id}/users/{world.members['S-U'].id}",
        json={"status": "active"},
        headers=world.headers("S-A"),
    )

    assert response.status_code == 200, response.text
    assert api.login("s-u@example.com").status_code == 200


def test_suspended_in_one_org_still_works_in_another(api, session, identity, err):
    a = make_org(session, name="Org A")
    b = make_org(session, name="Org B")
    in_a = make_member(session, identity, a, email="sam@example.com", status=MemberStatus.SUSPENDED)
    make_member(session, identity, b, account=in_a.account)
    session.commit()

    headers = api.sign_in("sam@example.com")

    assert api.client.get(f"/api/v1/orgs/{b.id}", headers=headers).status_code == 200
    in_a_response = api.client.get(f"/api/v1/orgs/{a.id}", headers=headers)
    assert in_a_response.status_code == 403
    assert err(in_a_response)["code"] == "user_suspended"
    listed = api.client.get("/api/v1/orgs", headers=headers).json()["items"]
    assert [o["id"] for o in listed] == [str(b.id)]
    statuses = {m["org_id"]: m["status"] for m in api.me(headers).json()["memberships"]}
    assert statuses == {str(a.id): "suspended", str(b.id): "active"}


def test_suspension_in_one_org_leaves_the_token_working_in_the_other(api, session, identity, err):
    a = make_org(session, name="Org A")
    b = make_org(session, name="Org B")
    admin = make_member(session, identity, a, primary=True)
    in_a = make_member(session, identity, a, email="sam@example.com")
    make_member(session, identity, b, account=in_a.account)
    admin_headers = bearer(issue_token(session, identity, admin.account))
    session.commit()
    headers = api.sign_in("sam@example.com")

    _suspend(api, a.id, in_a.id, admin_headers)

    assert api.client.get(f"/api/v1/orgs/{b.id}", headers=headers).status_code == 200
    response = api.client.get(f"/api/v1/orgs/{a.id}/users", headers=headers)
    assert response.status_code == 403
    assert err(response)["code"] == "user_suspended"


def test_users_of_a_deactivated_org_cannot_sign_in(api, session, identity, err):
    org = make_org(session)
    make_member(session, identity, org, role=Role.ADMIN, primary=True, email="ann@example.com")
    operator = make_account(session, identity, is_operator=True)
    op_headers = bearer(issue_token(session, identity, operator))
    session.commit()
    assert api.login("ann@example.com").status_code == 200

    deactivated = api.client.patch(
        f"/api/v1/orgs/{org.id}", json={"status": "deactivated"}, headers=op_headers
    )
    assert deactivated.status_code == 200, deactivated.text

    response = api.login("ann@example.com")
    assert response.status_code == 403
    assert err(response)["code"] == "org_deactivated"


def test_partner_users_of_a_deactivated_partner_cannot_sign_in(api, session, identity, err):
    world = build_world(session, identity)
    world.P.status = "deactivated"
    session.commit()

    for email in ("p-pa@example.com", "p-a@example.com", "p-u@example.com"):
        response = api.login(email)
        assert response.status_code == 403, email
        assert err(response)["code"] == "org_deactivated"


def test_refused_customer_cannot_sign_in_but_partner_users_still_reach_the_sub_org(
    api, session, identity, err
):
    world = build_world(session, identity, refuse_s=True)
    session.commit()

    for email in ("s-pa@example.com", "s-a@example.com", "s-u@example.com", "s-ro@example.com"):
        response = api.login(email)
        assert response.status_code == 403, email
        assert err(response)["code"] == "customer_access_refused"

    partner = api.sign_in("p-a@example.com")
    assert api.client.get(f"/api/v1/orgs/{world.S.id}", headers=partner).status_code == 200
    assert api.client.get(f"/api/v1/orgs/{world.S.id}/users", headers=partner).status_code == 200


def test_refused_customer_with_another_org_signs_in_and_is_refused_in_the_sub_org(
    api, session, identity, err
):
    world = build_world(session, identity, refuse_s=True)
    make_member(session, identity, world.U, account=world.accounts["S-A"])
    session.commit()

    headers = api.sign_in("s-a@example.com")

    assert api.client.get(f"/api/v1/orgs/{world.U.id}", headers=headers).status_code == 200
    response = api.client.get(f"/api/v1/orgs/{world.S.id}", headers=headers)
    assert response.status_code == 403
    assert err(response)["code"] == "customer_access_refused"


def test_refusing_customer_access_keeps_existing_customer_tokens_out_of_the_sub_org(
    api, session, identity, err
):
    world = build_world(session, identity)
    session.commit()
    customer = api.sign_in("s-a@example.com")

    refused = api.client.put(
        f"/api/v1/orgs/{world.S.id}/access",
        json={"customer_access": "refused", "partner_users": "all", "customer_may_brand": False},
        headers=world.headers("P-PA"),
    )
    assert refused.status_code == 200, refused.text

    response = api.client.get(f"/api/v1/orgs/{world.S.id}", headers=customer)
    assert response.status_code == 403
    assert err(response)["code"] == "customer_access_refused"
