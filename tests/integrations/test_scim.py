"""SCIM 2.0 provisioning into one org's directory."""

import uuid

import pytest
from sqlalchemy import select

from factories import bearer, build_world
from tenantree.audit.models import AuditEvent
from tenantree.identity.models import Account, Membership

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)
    session.commit()
    return world


def _scim_token(client, world, org, actor):
    response = client.post(
        f"/api/v1/orgs/{org.id}/scim-tokens", json={"name": "okta"}, headers=world.headers(actor)
    )
    assert response.status_code == 201, response.text
    return response.json()


class Scim:
    def __init__(self, client, org, token):
        self.client = client
        self.base = f"/scim/v2/orgs/{org.id}"
        self.headers = {**bearer(token), "Content-Type": "application/scim+json"}

    def get(self, path, **params):
        return self.client.get(self.base + path, params=params, headers=self.headers)

    def post(self, path, body):
        return self.client.post(self.base + path, json=body, headers=self.headers)

    def put(self, path, body, **headers):
        return self.client.put(self.base + path, json=body, headers={**self.headers, **headers})

    def patch(self, path, *operations, **headers):
        body = {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}
        return self.client.patch(self.base + path, json=body, headers={**self.headers, **headers})

    def delete(self, path):
        return self.client.delete(self.base + path, headers=self.headers)


@pytest.fixture
def scim(client, world):
    issued = _scim_token(client, world, world.S, "S-A")
    return Scim(client, world.S, issued["token"])


def _user(user_name="ada@example.com", **extra):
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": user_name, "primary": True, "type": "work"}],
        "externalId": f"ext-{user_name}",
        "active": True,
        **extra,
    }


def _error(response, status, scim_type=None):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type


def test_discovery_endpoints(scim):
    config = scim.get("/ServiceProviderConfig")
    assert config.status_code == 200
    assert config.json()["patch"]["supported"] is True
    assert config.json()["etag"]["supported"] is True
    types = scim.get("/ResourceTypes").json()
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    assert scim.get("/ResourceTypes/User").json()["endpoint"] == "/Users"
    schemas = scim.get("/Schemas").json()
    assert USER_SCHEMA in {s["id"] for s in schemas["Resources"]}
    assert scim.get(f"/Schemas/{USER_SCHEMA}").status_code == 200
    _error(scim.get("/Schemas/urn:nope"), 404)


def test_create_get_and_directory_entry(scim, world, session):
    response = scim.post("/Users", _user())
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"/Users/{created['id']}")
    assert response.headers["etag"] == created["meta"]["version"]
    assert created["userName"] == "ada@example.com"
    assert created["active"] is True
    assert "roles" not in created  # none sent; the entry gets the default role
    assert "password" not in created
    assert created["meta"]["lastModified"] and created["meta"]["resourceType"] == "User"
    got = scim.get(f"/Users/{created['id']}").json()
    assert got["name"]["familyName"] == "Lovelace"
    membership = session.get(Membership, uuid.UUID(created["id"]))
    assert membership.org_id == world.S.id and membership.external_id == "ext-ada@example.com"
    assert membership.role == "user"
    # The new entry shows in S's directory, and only there.
    users = scim.client.get(f"/api/v1/orgs/{world.S.id}/users", headers=world.headers("S-A"))
    assert created["id"] in {u["id"] for u in users.json()["items"]}
    assert session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == created["id"])
    ).all() == ["scim.user_created"]


def test_uniqueness_conflicts(scim):
    assert scim.post("/Users", _user()).status_code == 201
    _error(scim.post("/Users", _user("ADA@example.com", externalId="other")), 409, "uniqueness")
    _error(scim.post("/Users", _user("bob@example.com", externalId="ext-ada@example.com")), 409)


def test_invalid_bodies(scim):
    _error(scim.post("/Users", {"schemas": [USER_SCHEMA]}), 400)
    _error(scim.post("/Users", _user(emails=[{"value": "not an email"}])), 400)
    response = scim.client.post(scim.base + "/Users", content=b"{nope", headers=scim.headers)
    _error(response, 400, "invalidSyntax")
    _error(scim.post("/Users", _user("x@api-tokens.tenantree.invalid")), 400, "invalidValue")


def test_roles_set_the_entry_role_and_other_values_are_kept(scim, session):
    created = scim.post("/Users", _user(roles=[{"value": "admin"}])).json()
    assert session.get(Membership, uuid.UUID(created["id"])).role == "admin"
    other = scim.post("/Users", _user("bob@example.com", roles=[{"value": "owner"}])).json()
    assert other["roles"] == [{"value": "owner"}]
    session.rollback()
    assert session.get(Membership, uuid.UUID(other["id"])).role == "user"


def test_a_user_without_email_gets_an_address_once_the_provider_sends_one(scim, session):
    created = scim.post("/Users", _user("jdoe", emails=None))
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    membership = session.get(Membership, uuid.UUID(user_id))
    assert membership.account.email.endswith("@scim-pending.tenantree.invalid")
    response = scim.patch(
        f"/Users/{user_id}",
        {"op": "add", "path": "emails", "value": [{"value": "jdoe@example.com", "primary": True}]},
    )
    assert response.status_code == 200, response.text
    session.rollback()
    assert session.get(Membership, uuid.UUID(user_id)).account.email == "jdoe@example.com"


def test_missing_resource(scim):
    _error(scim.get("/Users/00000000-0000-0000-0000-000000000000"), 404)
    _error(scim.get("/Users/not-a-uuid"), 404)
    _error(scim.delete("/Users/00000000-0000-0000-0000-000000000000"), 404)


def test_list_filters_and_paging(scim):
    for name in ("a@example.com", "b@example.com", "c@example.com"):
        assert scim.post("/Users", _user(name)).status_code == 201
    listed = scim.get("/Users", filter='userName eq "B@EXAMPLE.COM"').json()
    assert listed["totalResults"] == 1 and listed["Resources"][0]["userName"] == "b@example.com"
    listed = scim.get("/Users", filter='externalId eq "ext-c@example.com"').json()
    assert [r["userName"] for r in listed["Resources"]] == ["c@example.com"]
    listed = scim.get("/Users", filter='emails.value eq "a@example.com"').json()
    assert [r["userName"] for r in listed["Resources"]] == ["a@example.com"]
    either = 'userName eq "a@example.com" or userName eq "c@example.com"'
    assert scim.get("/Users", filter=either).json()["totalResults"] == 2
    both = 'userName eq "a@example.com" and externalId eq "ext-c@example.com"'
    assert scim.get("/Users", filter=both).json()["totalResults"] == 0
    # S's own people (from build_world) are Users too: 4 + 3.
    page = scim.get("/Users", startIndex=2, count=2).json()
    assert page["totalResults"] == 7 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    only = scim.get("/Users", attributes="userName", filter='userName eq "a@example.com"').json()
    assert set(only["Resources"][0]) == {"schemas", "id", "userName"}
    without = scim.get(
        "/Users", excludedAttributes="emails", filter='userName eq "a@example.com"'
    ).json()
    assert "emails" not in without["Resources"][0] and "name" in without["Resources"][0]
    _error(scim.get("/Users", filter="userName eq"), 400, "invalidFilter")


def test_put_replaces(scim):
    created = scim.post("/Users", _user()).json()
    replaced = _user(
        name={"givenName": "Augusta"}, displayName="Augusta", roles=[{"value": "admin"}]
    )
    response = scim.put(f"/Users/{created['id']}", replaced)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == {"givenName": "Augusta"} and body["roles"][0]["value"] == "admin"
    assert body["meta"]["version"] != created["meta"]["version"]


def test_etag_preconditions(scim):
    created = scim.post("/Users", _user()).json()
    stale = created["meta"]["version"]
    assert (
        scim.patch(
            f"/Users/{created['id']}", {"op": "replace", "path": "displayName", "value": "A"}
        ).status_code
        == 200
    )
    _error(
        scim.patch(
            f"/Users/{created['id']}",
            {"op": "replace", "path": "displayName", "value": "B"},
            **{"If-Match": stale},
        ),
        412,
    )
    current = scim.get(f"/Users/{created['id']}")
    response = scim.put(f"/Users/{created['id']}", _user(), **{"If-Match": current.headers["etag"]})
    assert response.status_code == 200


def test_patch_add_replace_remove(scim):
    created = scim.post("/Users", _user()).json()
    path = f"/Users/{created['id']}"
    response = scim.patch(
        path,
        {"op": "add", "path": "title", "value": "Countess"},
        {"op": "replace", "path": "name.givenName", "value": "Augusta"},
        {"op": "remove", "path": "name.familyName"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Countess" and body["name"] == {"givenName": "Augusta"}
    # No-path replace, as Entra sends it.
    response = scim.patch(path, {"op": "Replace", "value": {"displayName": "Ada L."}})
    assert response.json()["displayName"] == "Ada L."
    _error(scim.patch(path, {"op": "remove", "path": "userName"}), 400, "mutability")
    _error(scim.patch(path, {"op": "bogus", "path": "title"}), 400)


def test_deprovisioning_suspends_at_once_and_is_audited(scim, world, session, identity):
    from factories import issue_token

    created = scim.post("/Users", _user()).json()
    account = session.scalar(select(Account).where(Account.email == "ada@example.com"))
    token = issue_token(session, identity, account)
    session.commit()
    assert scim.client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(token)).status_code == 200
    response = scim.patch(
        f"/Users/{created['id']}", {"op": "replace", "path": "active", "value": False}
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert scim.client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(token)).status_code == 401
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == created["id"])
    ).all()
    assert {"user.updated", "scim.user_updated"} <= set(actions)
    # Reactivated by the provider
    response = scim.patch(f"/Users/{created['id']}", {"op": "replace", "value": {"active": True}})
    assert response.json()["active"] is True


def test_delete_removes_the_entry(scim, world, session):
    created = scim.post("/Users", _user()).json()
    assert scim.delete(f"/Users/{created['id']}").status_code == 204
    _error(scim.get(f"/Users/{created['id']}"), 404)
    assert session.get(Membership, uuid.UUID(created["id"])) is None


def test_primary_admin_cannot_be_deprovisioned_or_deleted(scim, world):
    primary = str(world.members["S-PA"].id)
    _error(
        scim.patch(f"/Users/{primary}", {"op": "replace", "path": "active", "value": False}),
        400,
        "mutability",
    )
    _error(scim.delete(f"/Users/{primary}"), 400, "mutability")


def test_existing_person_is_added_without_touching_their_account(scim, world, session):
    # U-A exists (in U). Provisioning them into S adds an S entry only.
    response = scim.post("/Users", _user("u-a@example.com", displayName="Renamed by S's IdP"))
    assert response.status_code == 201, response.text
    account = world.accounts["U-A"]
    session.refresh(account)
    assert account.display_name == "u-a"
    user_id = response.json()["id"]
    response = scim.patch(f"/Users/{user_id}", {"op": "replace", "path": "active", "value": False})
    assert response.status_code == 200, response.text
    session.rollback()  # a fresh snapshot
    entries = {
        m.org_id: m.status
        for m in session.scalars(select(Membership).where(Membership.account_id == account.id))
    }
    assert entries == {world.U.id: "active", world.S.id: "suspended"}


def test_groups_crud_and_membership_patch(scim, world, session):
    ada = scim.post("/Users", _user()).json()["id"]
    bob = scim.post("/Users", _user("bob@example.com")).json()["id"]
    group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group"
    response = scim.post(
        "/Groups",
        {"schemas": [group_schema], "displayName": "Engineering", "members": [{"value": ada}]},
    )
    assert response.status_code == 201, response.text
    group = response.json()
    assert [m["value"] for m in group["members"]] == [ada]
    _error(scim.post("/Groups", {"schemas": [group_schema], "displayName": "engineering"}), 409)
    path = f"/Groups/{group['id']}"
    response = scim.patch(path, {"op": "add", "path": "members", "value": [{"value": bob}]})
    assert response.status_code == 200, response.text
    assert {m["value"] for m in response.json()["members"]} == {ada, bob}
    response = scim.patch(path, {"op": "remove", "path": f'members[value eq "{ada}"]'})
    assert [m["value"] for m in response.json()["members"]] == [bob]
    listed = scim.get("/Groups", filter='displayName eq "engineering"').json()
    assert listed["totalResults"] == 1
    # A member from another org's directory is refused.
    foreign = str(world.members["T-A"].id)
    _error(scim.patch(path, {"op": "add", "path": "members", "value": [{"value": foreign}]}), 400)
    # Groups grant nothing: roles are unchanged.
    assert session.get(Membership, uuid.UUID(bob)).role == "user"
    # Deleting the user drops them from the group.
    assert scim.delete(f"/Users/{bob}").status_code == 204
    assert "members" not in scim.get(path).json()
    assert scim.delete(path).status_code == 204
    _error(scim.get(path), 404)


def test_unknown_endpoint_is_a_scim_404(scim):
    _error(scim.get("/Nope"), 404)


def test_api_token_service_accounts_are_not_scim_users(scim, world):
    response = scim.client.post(
        f"/api/v1/orgs/{world.S.id}/api-tokens",
        json={"name": "ci", "role": "user"},
        headers=world.headers("S-A"),
    )
    user_id = response.json()["user_id"]
    _error(scim.get(f"/Users/{user_id}"), 404)


# ---- isolation ---------------------------------------------------------------


def test_scim_token_of_one_org_never_reaches_another(client, world):
    s_token = _scim_token(client, world, world.S, "S-A")["token"]
    t_token = _scim_token(client, world, world.T, "T-A")["token"]
    p_token = _scim_token(client, world, world.P, "P-A")["token"]
    s_user = Scim(client, world.S, s_token).post("/Users", _user()).json()
    for org, token in (
        (world.T, s_token),
        (world.S, t_token),
        (world.U, s_token),
        (world.S, p_token),
    ):
        other = Scim(client, org, token)
        _error(other.get("/Users"), 401)
        _error(other.post("/Users", _user("x@example.com")), 401)
    # T's token addressing S's user through T's own endpoint: not found.
    _error(Scim(client, world.T, t_token).get(f"/Users/{s_user['id']}"), 404)
    _error(Scim(client, world.T, t_token).delete(f"/Users/{s_user['id']}"), 404)


def test_other_credentials_are_refused(client, world, scim):
    api = client.post(
        f"/api/v1/orgs/{world.S.id}/api-tokens",
        json={"name": "ci", "role": "admin"},
        headers=world.headers("S-A"),
    ).json()["token"]
    for token in (world.tokens["S-A"], world.tokens["OP"], api, "tt_scim_nope"):
        _error(Scim(client, world.S, token).get("/Users"), 401)
    response = client.get(scim.base + "/Users")
    _error(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    # and a SCIM token is no REST credential
    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=scim.headers)
    assert response.status_code == 401


def test_revoked_scim_token_stops_at_once(client, world):
    issued = _scim_token(client, world, world.S, "S-A")
    scim = Scim(client, world.S, issued["token"])
    assert scim.get("/Users").status_code == 200
    response = client.delete(
        f"/api/v1/orgs/{world.S.id}/scim-tokens/{issued['id']}", headers=world.headers("S-A")
    )
    assert response.status_code == 204
    _error(scim.get("/Users"), 401)


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("S-A", 201),
        ("P-A", 201),
        ("OP", 201),
        ("S-U", 403),
        ("P-RO", 403),
        ("P-X", 404),
        ("T-A", 404),
        ("U-A", 404),
        ("anon", 401),
    ],
)
def test_who_may_create_scim_tokens_in_s(client, world, actor, status):
    response = client.post(
        f"/api/v1/orgs/{world.S.id}/scim-tokens", json={"name": "x"}, headers=world.headers(actor)
    )
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert body["token"].startswith("tt_scim_")
        assert body["scim_base_url"].endswith(f"/scim/v2/orgs/{world.S.id}")


def test_deactivated_org_refuses_scim(client, world, session):
    token = _scim_token(client, world, world.S, "S-A")["token"]
    org = session.get(type(world.S), world.S.id)
    org.status = "deactivated"
    session.commit()
    _error(Scim(client, world.S, token).get("/Users"), 403)


def test_a_user_whose_email_mixes_scripts_is_refused(scim):
    response = scim.post("/Users", _user("p\u0430ypal@example.com"))
    assert response.status_code == 400, response.text
    assert "mixed scripts" in response.json()["detail"]
