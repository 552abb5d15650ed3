"""The orgs API: creating, changing, partner activation, sub-orgs, listing."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from sqlalchemy import func, select

from factories import bearer, build_world, issue_token, make_account, make_member, salesforce_id
from tenantree.identity.models import Invitation, Membership
from tenantree.identity.roles import Role
from tenantree.orgs.models import Org

ORGS = "/api/v1/orgs"


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    return response.json()["error"]  # type: ignore[no-any-return]


# --- Creating orgs ----------------------------------------------------------------


def test_create_org_returns_201_with_the_org(client, op_headers) -> None:
    sfid = salesforce_id()
    response = client.post(
        ORGS,
        json={
            "name": "Acme Corp",
            "salesforce_id": sfid,
            "edition": "pro",
            "primary_admin_email": "boss@acme.example",
        },
        headers=op_headers,
    )
    assert response.status_code == 201, response.text
    org = response.json()
    assert org["name"] == "Acme Corp"
    assert org["kind"] == "standard"
    assert org["partner_type"] is None
    assert org["edition"] == "pro"
    assert org["salesforce_id"] == sfid
    assert org["parent_id"] is None
    assert org["partner_salesforce_id"] is None
    assert org["customer_name"] is None
    assert org["status"] == "active"
    assert org["created_at"].endswith(("Z", "+00:00"))


def test_create_org_defaults_to_the_standard_edition(orgs_api, client) -> None:
    response = client.post(
        ORGS,
        json={
            "name": "Plain",
            "salesforce_id": salesforce_id(),
            "primary_admin_email": "a@plain.example",
        },
        headers=orgs_api.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["edition"] == "standard"


def test_created_org_ids_are_random_uuids(orgs_api) -> None:
    ids = [uuid.UUID(orgs_api.create()["id"]) for _ in range(3)]
    assert all(i.version == 4 for i in ids)
    assert len(set(ids)) == 3


def test_created_org_can_be_read_back(orgs_api, client) -> None:
    created = orgs_api.create(name="Readable")
    response = client.get(f"{ORGS}/{created['id']}", headers=orgs_api.headers)
    assert response.status_code == 200
    assert response.json() == created


def test_create_org_stores_a_15_char_salesforce_id_as_18(orgs_api, session) -> None:
    id15 = salesforce_id(long=False)
    created = orgs_api.create(salesforce_id=id15)
    assert len(created["salesforce_id"]) == 18
    assert created["salesforce_id"].startswith(id15)
    stored = session.scalar(select(Org.salesforce_id).where(Org.id == uuid.UUID(created["id"])))
    assert stored == created["salesforce_id"]


def test_create_org_emails_the_primary_admin_an_invitation(orgs_api, outbox) -> None:
    orgs_api.create(name="Invite Co", admin_email="Founder@Invite.example")
    messages = outbox.to("founder@invite.example")
    assert len(messages) == 1
    assert "Invite Co" in messages[0]
    assert "primary account administrator" in messages[0]
    assert "/accept-invitation?token=" in messages[0]


def test_create_org_records_a_pending_primary_admin_invitation(orgs_api, session) -> None:
    created = orgs_api.create(admin_email="first@admin.example")
    invitation = session.scalar(
        select(Invitation).where(Invitation.org_id == uuid.UUID(created["id"]))
    )
    assert invitation is not None
    assert invitation.email == "first@admin.example"
    assert invitation.as_primary_admin is True
    assert invitation.role == Role.ADMIN


def test_accepting_the_creation_invitation_makes_the_primary_admin(
    orgs_api, client, outbox
) -> None:
    created = orgs_api.create(admin_email="pa@new.example")
    (text,) = outbox.to("pa@new.example")
    token = text.split("with the token ")[1].split()[0]
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "password": "a long enough password"},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["org_id"] == created["id"]
    assert accepted.json()["user"]["is_primary_admin"] is True
    assert accepted.json()["user"]["role"] == "admin"


def test_a_salesforce_id_belongs_to_one_org_at_most(orgs_api, client) -> None:
    sfid = salesforce_id()
    orgs_api.create(salesforce_id=sfid)
    again = client.post(
        ORGS,
        json={"name": "Copy", "salesforce_id": sfid, "primary_admin_email": "x@copy.example"},
        headers=orgs_api.headers,
    )
    assert again.status_code == 409
    assert _error(again)["code"] == "salesforce_id_taken"
    assert _error(again)["field"] == "salesforce_id"


def test_the_15_and_18_char_forms_of_one_id_are_the_same_id(orgs_api, client) -> None:
    id18 = salesforce_id()
    orgs_api.create(salesforce_id=id18[:15])
    again = client.post(
        ORGS,
        json={"name": "Copy", "salesforce_id": id18, "primary_admin_email": "x@copy.example"},
        headers=orgs_api.headers,
    )
    assert again.status_code == 409
    assert _error(again)["code"] == "salesforce_id_taken"


def test_a_sub_org_cannot_take_an_org_salesforce_id(orgs_api, client) -> None:
    partner = orgs_api.partner("reseller")
    response = client.post(
        f"{ORGS}/{partner['id']}/sub-orgs",
        json={
            "name": "Clash",
            "salesforce_id": partner["salesforce_id"],
            "customer_name": "Clash Inc",
        },
        headers=orgs_api.headers,
    )
    assert response.status_code == 409
    assert _error(response)["code"] == "salesforce_id_taken"


def test_a_duplicate_salesforce_id_creates_nothing(orgs_api, client, session, outbox) -> None:
    sfid = salesforce_id()
    orgs_api.create(salesforce_id=sfid)
    client.post(
        ORGS,
        json={"name": "Copy", "salesforce_id": sfid, "primary_admin_email": "dup@copy.example"},
        headers=orgs_api.headers,
    )
    assert session.scalar(select(func.count()).select_from(Org)) == 1
    assert outbox.to("dup@copy.example") == []


def test_a_partner_admin_cannot_create_orgs(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    response = client.post(
        ORGS,
        json={
            "name": "Sneaky",
            "salesforce_id": salesforce_id(),
            "primary_admin_email": "x@sneaky.example",
        },
        headers=world.headers("P-PA"),
    )
    assert response.status_code == 403
    assert _error(response)["code"] == "operator_only"


def test_creating_an_org_needs_a_token(client) -> None:
    response = client.post(
        ORGS,
        json={"name": "Anon", "salesforce_id": salesforce_id(), "primary_admin_email": "a@b.co"},
    )
    assert response.status_code == 401


# --- Changing orgs ----------------------------------------------------------------


def test_patch_renames_an_org(orgs_api, client) -> None:
    org = orgs_api.create(name="Old Name")
    response = client.patch(
        f"{ORGS}/{org['id']}", json={"name": "New Name"}, headers=orgs_api.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "New Name"
    assert client.get(f"{ORGS}/{org['id']}", headers=orgs_api.headers).json()["name"] == "New Name"


def test_patch_changes_the_edition(orgs_api, client) -> None:
    org = orgs_api.create(edition="standard")
    response = client.patch(
        f"{ORGS}/{org['id']}", json={"edition": "pro"}, headers=orgs_api.headers
    )
    assert response.status_code == 200
    assert response.json()["edition"] == "pro"


def test_patch_leaves_fields_not_given_unchanged(orgs_api, client) -> None:
    org = orgs_api.create(name="Keep", edition="pro")
    response = client.patch(
        f"{ORGS}/{org['id']}", json={"status": "deactivated"}, headers=orgs_api.headers
    )
    assert response.json()["name"] == "Keep"
    assert response.json()["edition"] == "pro"


def test_deactivating_an_org_keeps_it_and_its_users(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    op = world.headers("OP")
    response = client.patch(f"{ORGS}/{world.U.id}", json={"status": "deactivated"}, headers=op)
    assert response.status_code == 200
    assert response.json()["status"] == "deactivated"
    session.expire_all()
    assert session.get(Org, world.U.id) is not None
    assert session.scalar(select(func.count()).where(Membership.org_id == world.U.id)) == 1


def test_a_deactivated_org_is_closed_to_its_members(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    client.patch(
        f"{ORGS}/{world.U.id}", json={"status": "deactivated"}, headers=world.headers("OP")
    )
    response = client.get(f"{ORGS}/{world.U.id}", headers=world.headers("U-A"))
    assert response.status_code == 403
    assert _error(response)["code"] == "org_deactivated"


def test_reactivating_an_org_opens_it_again(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    op = world.headers("OP")
    client.patch(f"{ORGS}/{world.U.id}", json={"status": "deactivated"}, headers=op)
    response = client.patch(f"{ORGS}/{world.U.id}", json={"status": "active"}, headers=op)
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert client.get(f"{ORGS}/{world.U.id}", headers=world.headers("U-A")).status_code == 200


def test_only_operators_change_orgs(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    response = client.patch(
        f"{ORGS}/{world.P.id}", json={"name": "Mine now"}, headers=world.headers("P-PA")
    )
    assert response.status_code == 403


def test_patch_rejects_an_unknown_status(orgs_api, client) -> None:
    org = orgs_api.create()
    response = client.patch(
        f"{ORGS}/{org['id']}", json={"status": "deleted"}, headers=orgs_api.headers
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "status"


def test_patch_of_an_unknown_org_is_404(orgs_api, client) -> None:
    response = client.patch(f"{ORGS}/{uuid.uuid4()}", json={"name": "X"}, headers=orgs_api.headers)
    assert response.status_code == 404


# --- Partner activation ----------------------------------------------------------


@pytest.mark.parametrize("partner_type", ["msp", "reseller"])
def test_partner_activation_turns_a_pro_standard_org_into_a_partner(
    orgs_api, client, partner_type: str
) -> None:
    org = orgs_api.create(edition="pro")
    response = client.post(
        f"{ORGS}/{org['id']}/partner-activation",
        json={"partner_type": partner_type},
        headers=orgs_api.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "partner"
    assert response.json()["partner_type"] == partner_type
    assert response.json()["salesforce_id"] == org["salesforce_id"]


def test_partner_activation_needs_the_pro_edition(orgs_api, client) -> None:
    org = orgs_api.create(edition="standard")
    response = client.post(
        f"{ORGS}/{org['id']}/partner-activation",
        json={"partner_type": "msp"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["code"] == "not_eligible_for_partner"
    assert "Pro" in _error(response)["message"]
    assert client.get(f"{ORGS}/{org['id']}", headers=orgs_api.headers).json()["kind"] == "standard"


def test_a_sub_org_cannot_become_a_partner(orgs_api, client) -> None:
    sub = orgs_api.sub_org(orgs_api.partner()["id"])
    response = client.post(
        f"{ORGS}/{sub['id']}/partner-activation",
        json={"partner_type": "reseller"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["code"] == "not_eligible_for_partner"
    assert "sub-org" in _error(response)["message"]


def test_activating_a_partner_twice_is_409(orgs_api, client) -> None:
    partner = orgs_api.partner("msp")
    response = client.post(
        f"{ORGS}/{partner['id']}/partner-activation",
        json={"partner_type": "reseller"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 409
    assert _error(response)["code"] == "already_partner"


def test_partner_activation_rejects_an_unknown_partner_type(orgs_api, client) -> None:
    org = orgs_api.create(edition="pro")
    response = client.post(
        f"{ORGS}/{org['id']}/partner-activation",
        json={"partner_type": "wholesaler"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "partner_type"


def test_only_operators_activate_partners(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    response = client.post(
        f"{ORGS}/{world.U.id}/partner-activation",
        json={"partner_type": "msp"},
        headers=world.headers("U-A"),
    )
    assert response.status_code == 403


def test_a_partner_must_stay_on_pro(orgs_api, client) -> None:
    partner = orgs_api.partner()
    response = client.patch(
        f"{ORGS}/{partner['id']}", json={"edition": "standard"}, headers=orgs_api.headers
    )
    assert response.status_code == 409
    assert _error(response)["code"] == "partner_needs_pro"
    assert _error(response)["field"] == "edition"
    assert (
        client.get(f"{ORGS}/{partner['id']}", headers=orgs_api.headers).json()["edition"] == "pro"
    )


# --- Sub-orgs ------------------------------------------------------------------------


def test_an_msp_sub_org_links_to_the_partner_salesforce_account(orgs_api) -> None:
    partner = orgs_api.partner("msp")
    own_id = salesforce_id()
    sub = orgs_api.sub_org(partner["id"], customer_name="Globex", salesforce_id=own_id)
    assert sub["kind"] == "sub_org"
    assert sub["parent_id"] == partner["id"]
    assert sub["partner_salesforce_id"] == partner["salesforce_id"]
    assert sub["salesforce_id"] == own_id
    assert sub["customer_name"] == "Globex"


def test_a_reseller_sub_org_has_no_partner_salesforce_link(orgs_api) -> None:
    partner = orgs_api.partner("reseller")
    own_id = salesforce_id()
    sub = orgs_api.sub_org(partner["id"], customer_name="Initech", salesforce_id=own_id)
    assert sub["kind"] == "sub_org"
    assert sub["parent_id"] == partner["id"]
    assert sub["partner_salesforce_id"] is None
    assert sub["salesforce_id"] == own_id
    assert sub["customer_name"] == "Initech"


def test_a_sub_org_stores_a_15_char_salesforce_id_as_18(orgs_api) -> None:
    partner = orgs_api.partner("reseller")
    id15 = salesforce_id(long=False)
    sub = orgs_api.sub_org(partner["id"], salesforce_id=id15)
    assert len(sub["salesforce_id"]) == 18
    assert sub["salesforce_id"].startswith(id15)


def test_a_sub_org_with_an_admin_email_invites_its_primary_admin(orgs_api, outbox) -> None:
    partner = orgs_api.partner()
    orgs_api.sub_org(partner["id"], name="Hooli East", admin_email="cio@hooli.example")
    (text,) = outbox.to("cio@hooli.example")
    assert "Hooli East" in text
    assert "primary account administrator" in text


def test_a_sub_org_without_an_admin_email_sends_no_email(orgs_api, outbox) -> None:
    partner = orgs_api.partner()
    outbox.backend.sent.clear()
    orgs_api.sub_org(partner["id"])
    assert outbox.backend.sent == []


def test_sub_orgs_only_go_under_partners(orgs_api, client) -> None:
    standard = orgs_api.create(edition="pro")
    response = client.post(
        f"{ORGS}/{standard['id']}/sub-orgs",
        json={"name": "Orphan", "salesforce_id": salesforce_id(), "customer_name": "Orphan"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["code"] == "not_a_partner"
    assert "partner" in _error(response)["message"]


def test_sub_orgs_do_not_nest(orgs_api, client) -> None:
    sub = orgs_api.sub_org(orgs_api.partner()["id"])
    response = client.post(
        f"{ORGS}/{sub['id']}/sub-orgs",
        json={"name": "Grandchild", "salesforce_id": salesforce_id(), "customer_name": "G"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["code"] == "not_a_partner"


def test_a_sub_org_gets_default_access_settings(orgs_api, client) -> None:
    sub = orgs_api.sub_org(orgs_api.partner()["id"])
    response = client.get(f"{ORGS}/{sub['id']}/access", headers=orgs_api.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "customer_access": "permitted",
        "partner_users": "all",
        "customer_may_brand": False,
        "partner_access_expires_at": None,
        "partner_user_grants": [],
    }


def test_a_sub_org_needs_a_customer_name(orgs_api, client) -> None:
    partner = orgs_api.partner()
    response = client.post(
        f"{ORGS}/{partner['id']}/sub-orgs",
        json={"name": "Nameless", "salesforce_id": salesforce_id()},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "customer_name"


def test_only_operators_create_sub_orgs(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    response = client.post(
        f"{ORGS}/{world.P.id}/sub-orgs",
        json={"name": "DIY", "salesforce_id": salesforce_id(), "customer_name": "DIY"},
        headers=world.headers("P-PA"),
    )
    assert response.status_code == 403


# --- Listing orgs ----------------------------------------------------------------------


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [o["name"] for o in response.json()["items"]]


def _all_pages(client, url: str, headers, limit: int) -> list[dict]:  # type: ignore[no-untyped-def]
    items: list[dict] = []
    cursor = None
    for _ in range(100):
        params: dict[str, object] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_operators_list_every_org(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    names = _names(client.get(ORGS, headers=world.headers("OP")))
    assert sorted(names) == sorted(["Partner P", "Sub-org S", "Sibling T", "Unrelated U"])


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("P-A", ["Partner P", "Sibling T", "Sub-org S"]),
        ("P-X", ["Partner P", "Sibling T"]),
        ("S-A", ["Sub-org S"]),
        ("T-A", ["Sibling T"]),
        ("U-A", ["Unrelated U"]),
    ],
)
def test_members_list_the_orgs_they_reach(client, session, identity, actor, expected) -> None:
    world = build_world(session, identity)
    session.commit()
    assert sorted(_names(client.get(ORGS, headers=world.headers(actor)))) == expected


def test_an_invited_org_is_listed_beside_the_own_org(client, session, identity) -> None:
    world = build_world(session, identity)
    make_member(session, identity, world.T, role=Role.USER, account=world.accounts["U-A"])
    session.commit()
    names = _names(client.get(ORGS, headers=world.headers("U-A")))
    assert sorted(names) == ["Sibling T", "Unrelated U"]


def test_list_orgs_q_matches_names_case_insensitively(orgs_api, client) -> None:
    for name in ("Acme Widgets", "ACME Gadgets", "Globex"):
        orgs_api.create(name=name)
    names = _names(client.get(ORGS, params={"q": "aCmE"}, headers=orgs_api.headers))
    assert sorted(names) == ["ACME Gadgets", "Acme Widgets"]


def test_list_orgs_q_matches_anywhere_in_the_name(orgs_api, client) -> None:
    for name in ("Big Widget Co", "Widgets", "Gadgets"):
        orgs_api.create(name=name)
    names = _names(client.get(ORGS, params={"q": "widget"}, headers=orgs_api.headers))
    assert sorted(names) == ["Big Widget Co", "Widgets"]


def test_list_orgs_q_treats_percent_literally(orgs_api, client) -> None:
    for name in ("100% Cloud", "1000 Clouds", "Cloud"):
        orgs_api.create(name=name)
    names = _names(client.get(ORGS, params={"q": "0%"}, headers=orgs_api.headers))
    assert names == ["100% Cloud"]
    assert _names(client.get(ORGS, params={"q": "%"}, headers=orgs_api.headers)) == ["100% Cloud"]


def test_list_orgs_q_treats_underscore_literally(orgs_api, client) -> None:
    for name in ("acme_eu", "acme-eu", "acmeXeu"):
        orgs_api.create(name=name)
    names = _names(client.get(ORGS, params={"q": "e_e"}, headers=orgs_api.headers))
    assert names == ["acme_eu"]


def test_list_orgs_q_treats_backslash_literally(orgs_api, client) -> None:
    for name in ("back\\slash", "backslash", "back\\%"):
        orgs_api.create(name=name)
    names = _names(client.get(ORGS, params={"q": "k\\s"}, headers=orgs_api.headers))
    assert names == ["back\\slash"]


def test_list_orgs_q_only_searches_what_the_caller_reaches(client, session, identity) -> None:
    world = build_world(session, identity)
    session.commit()
    assert _names(client.get(ORGS, params={"q": "unrelated"}, headers=world.headers("S-A"))) == []


def test_list_orgs_filters_by_parent_id(orgs_api, client) -> None:
    first = orgs_api.partner(name="First")
    second = orgs_api.partner(name="Second")
    orgs_api.sub_org(first["id"], name="First A")
    orgs_api.sub_org(first["id"], name="First B")
    orgs_api.sub_org(second["id"], name="Second A")
    names = _names(client.get(ORGS, params={"parent_id": first["id"]}, headers=orgs_api.headers))
    assert names == ["First A", "First B"]


def test_list_orgs_combines_q_and_parent_id(orgs_api, client) -> None:
    partner = orgs_api.partner()
    orgs_api.sub_org(partner["id"], name="Alpha")
    orgs_api.sub_org(partner["id"], name="Beta")
    orgs_api.create(name="Alpha Standalone")
    response = client.get(
        ORGS, params={"parent_id": partner["id"], "q": "alp"}, headers=orgs_api.headers
    )
    assert _names(response) == ["Alpha"]


def test_list_orgs_rejects_a_malformed_parent_id(orgs_api, client) -> None:
    response = client.get(ORGS, params={"parent_id": "nope"}, headers=orgs_api.headers)
    assert response.status_code == 422
    assert _error(response)["field"] == "parent_id"


def test_list_orgs_is_sorted_by_name(orgs_api, client) -> None:
    for name in ("Charlie", "alpha", "Bravo"):
        orgs_api.create(name=name)
    names = _names(client.get(ORGS, headers=orgs_api.headers))
    assert sorted(names, key=str.casefold) == ["alpha", "Bravo", "Charlie"]
    assert len(names) == 3


def test_list_orgs_pages_have_no_duplicates_or_gaps(orgs_api, client) -> None:
    # Repeated names make the id tie-break do the work across page boundaries.
    created = [orgs_api.create(name=f"Org {i % 3}")["id"] for i in range(8)]
    expected = _all_pages(client, ORGS, orgs_api.headers, limit=100)
    for limit in (1, 2, 3, 7):
        seen = [o["id"] for o in _all_pages(client, ORGS, orgs_api.headers, limit=limit)]
        assert len(seen) == len(set(seen))
        assert sorted(seen) == sorted(created)
        assert seen == [o["id"] for o in expected]


def test_list_orgs_last_page_has_no_next_cursor(orgs_api, client) -> None:
    for _ in range(2):
        orgs_api.create()
    first = client.get(ORGS, params={"limit": 1}, headers=orgs_api.headers).json()
    assert first["next_cursor"]
    last = client.get(
        ORGS, params={"limit": 1, "cursor": first["next_cursor"]}, headers=orgs_api.headers
    ).json()
    assert len(last["items"]) == 1
    assert last["next_cursor"] is None


def test_list_orgs_pages_stay_stable_when_an_org_is_added(orgs_api, client) -> None:
    for name in ("B", "D", "F"):
        orgs_api.create(name=name)
    first = client.get(ORGS, params={"limit": 2}, headers=orgs_api.headers).json()
    orgs_api.create(name="A")  # sorts before the cursor: must not shift the next page
    rest = client.get(
        ORGS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=orgs_api.headers
    ).json()
    assert [o["name"] for o in first["items"]] == ["B", "D"]
    assert [o["name"] for o in rest["items"]] == ["F"]


def _forge(value: object) -> str:
    """A cursor in the API's encoding (base64 of JSON) that the API never issued."""
    raw = json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


ZERO_ID = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "!!!",
        _forge([]),
        _forge({"a": 1}),
        _forge(["a", "not-a-uuid"]),
        _forge(["a", 5]),
        _forge([[1, 2], ZERO_ID]),
        _forge([1, ZERO_ID]),
        _forge([None, ZERO_ID]),
        _forge(["a\x00", ZERO_ID]),
        _forge([{"t": "2026-01-01T00:00:00Z"}, ZERO_ID]),  # a time where a name belongs
    ],
)
def test_list_orgs_rejects_a_cursor_it_did_not_issue(orgs_api, client, cursor: str) -> None:
    orgs_api.create()
    response = client.get(ORGS, params={"cursor": cursor}, headers=orgs_api.headers)
    assert response.status_code == 422, response.text
    assert _error(response)["field"] == "cursor"


@pytest.mark.parametrize("limit", [0, -1, 501, "ten"])
def test_list_orgs_rejects_a_limit_out_of_range(orgs_api, client, limit) -> None:
    response = client.get(ORGS, params={"limit": limit}, headers=orgs_api.headers)
    assert response.status_code == 422
    assert _error(response)["field"] == "limit"


def test_list_orgs_accepts_the_largest_limit(orgs_api, client) -> None:
    orgs_api.create()
    response = client.get(ORGS, params={"limit": 500}, headers=orgs_api.headers)
    assert response.status_code == 200


def test_list_orgs_needs_a_token(client) -> None:
    assert client.get(ORGS).status_code == 401


# --- Listing sub-orgs -------------------------------------------------------------------


def test_list_sub_orgs_returns_the_partner_sub_orgs(orgs_api, client) -> None:
    partner = orgs_api.partner()
    other = orgs_api.partner()
    mine = {orgs_api.sub_org(partner["id"])["id"] for _ in range(3)}
    orgs_api.sub_org(other["id"])
    response = client.get(f"{ORGS}/{partner['id']}/sub-orgs", headers=orgs_api.headers)
    assert response.status_code == 200
    assert {o["id"] for o in response.json()["items"]} == mine


def test_list_sub_orgs_is_paginated(orgs_api, client) -> None:
    partner = orgs_api.partner()
    mine = [orgs_api.sub_org(partner["id"], name=f"Sub {i % 2}")["id"] for i in range(5)]
    seen = [
        o["id"] for o in _all_pages(client, f"{ORGS}/{partner['id']}/sub-orgs", orgs_api.headers, 2)
    ]
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == set(mine)


def test_list_sub_orgs_rejects_a_bad_cursor(orgs_api, client) -> None:
    partner = orgs_api.partner()
    response = client.get(
        f"{ORGS}/{partner['id']}/sub-orgs", params={"cursor": "zzz"}, headers=orgs_api.headers
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "cursor"


def test_list_sub_orgs_shows_a_partner_user_only_the_reachable_ones(
    client, session, identity
) -> None:
    world = build_world(session, identity)
    session.commit()
    names = _names(client.get(f"{ORGS}/{world.P.id}/sub-orgs", headers=world.headers("P-X")))
    assert names == ["Sibling T"]


def test_list_sub_orgs_of_a_partner_is_hidden_from_its_sub_org_admins(
    client, session, identity
) -> None:
    world = build_world(session, identity)
    session.commit()
    response = client.get(f"{ORGS}/{world.P.id}/sub-orgs", headers=world.headers("S-A"))
    assert response.status_code == 404


# --- Bad input is never a 500 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/orgs/not-a-uuid"),
        ("PATCH", "/api/v1/orgs/not-a-uuid"),
        ("GET", "/api/v1/orgs/123/sub-orgs"),
        ("POST", "/api/v1/orgs/0/partner-activation"),
    ],
)
def test_an_invalid_uuid_in_the_path_is_422(orgs_api, client, method: str, path: str) -> None:
    response = client.request(method, path, json={}, headers=orgs_api.headers)
    assert response.status_code == 422
    assert _error(response)["field"] == "org_id"


def test_an_oversized_name_is_422_naming_name(orgs_api, client) -> None:
    response = client.post(
        ORGS,
        json={
            "name": "x" * 201,
            "salesforce_id": salesforce_id(),
            "primary_admin_email": "a@b.example",
        },
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "name"


def test_a_200_char_name_is_accepted(orgs_api) -> None:
    assert len(orgs_api.create(name="x" * 200)["name"]) == 200


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_blank_name_is_422(orgs_api, client, name: str) -> None:
    response = client.post(
        ORGS,
        json={"name": name, "salesforce_id": salesforce_id(), "primary_admin_email": "a@b.example"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "name"


@pytest.mark.parametrize("name", ["bad\x00name", "two\nlines", "carriage\rreturn", "del\x7f"])
def test_a_name_with_a_control_character_is_422(orgs_api, client, name: str) -> None:
    # Names go into invitation subjects (no line breaks) and PostgreSQL refuses NUL.
    response = client.post(
        ORGS,
        json={"name": name, "salesforce_id": salesforce_id(), "primary_admin_email": "a@b.example"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "name"


def test_a_name_with_accents_and_symbols_is_accepted(orgs_api) -> None:
    assert orgs_api.create(name="Café Zürich & Söhne (EU) — 東京")["name"] == (
        "Café Zürich & Söhne (EU) — 東京"
    )


def test_a_search_with_a_nul_character_is_not_a_500(orgs_api, client) -> None:
    orgs_api.create(name="Acme")
    response = client.get(ORGS, params={"q": "ac\x00me"}, headers=orgs_api.headers)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["items"] == []


def test_an_oversized_customer_name_is_422_naming_customer_name(orgs_api, client) -> None:
    partner = orgs_api.partner()
    response = client.post(
        f"{ORGS}/{partner['id']}/sub-orgs",
        json={"name": "Fine", "salesforce_id": salesforce_id(), "customer_name": "c" * 201},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "customer_name"


def test_an_oversized_search_is_422(orgs_api, client) -> None:
    response = client.get(ORGS, params={"q": "q" * 201}, headers=orgs_api.headers)
    assert response.status_code == 422
    assert _error(response)["field"] == "q"


def test_an_unknown_body_field_is_422(orgs_api, client) -> None:
    response = client.post(
        ORGS,
        json={
            "name": "Extra",
            "salesforce_id": salesforce_id(),
            "primary_admin_email": "a@b.example",
            "kind": "partner",
        },
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "kind"


def test_an_unknown_patch_field_is_422_and_changes_nothing(orgs_api, client) -> None:
    org = orgs_api.create(name="Stays")
    response = client.patch(
        f"{ORGS}/{org['id']}",
        json={"name": "Changed", "salesforce_id": salesforce_id()},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "salesforce_id"
    assert client.get(f"{ORGS}/{org['id']}", headers=orgs_api.headers).json()["name"] == "Stays"


def test_an_invalid_admin_email_is_422(orgs_api, client) -> None:
    response = client.post(
        ORGS,
        json={"name": "X", "salesforce_id": salesforce_id(), "primary_admin_email": "not-an-email"},
        headers=orgs_api.headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "primary_admin_email"


@pytest.mark.parametrize("body", ["not json", "[]", "null", '{"name": 5}'])
def test_a_malformed_body_is_422(orgs_api, client, body: str) -> None:
    response = client.post(
        ORGS,
        content=body,
        headers={**orgs_api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422


def test_an_unknown_org_is_404(orgs_api, client) -> None:
    response = client.get(f"{ORGS}/{uuid.uuid4()}", headers=orgs_api.headers)
    assert response.status_code == 404
    assert _error(response)["code"] == "org_not_found"


def test_an_expired_or_unknown_token_is_401(client, session, identity) -> None:
    account = make_account(session, identity)
    issue_token(session, identity, account)
    session.commit()
    response = client.get(ORGS, headers=bearer("made-up-token"))
    assert response.status_code == 401
