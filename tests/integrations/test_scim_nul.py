"""A NUL in any SCIM string, body or query, is a SCIM 400 on every database, never a 500.

PostgreSQL refuses NUL in text: userName, displayName, externalId or a
Group's displayName holding one once reached it and answered 500.
"""

from __future__ import annotations

import pytest

from factories import build_world
from integrations.test_scim import Scim, _error, _scim_token, _user

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
NUL = "a\x00b"


@pytest.fixture
def scim(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return Scim(client, world.S, _scim_token(client, world, world.S, "S-A")["token"])


def _with_nul(field: str) -> dict:  # type: ignore[type-arg]
    user = _user("nul@example.com")
    if field == "name.givenName":
        user["name"] = {"givenName": NUL}
    elif field == "emails":
        user["emails"] = [{"value": f"nul{NUL}@example.com", "primary": True}]
    else:
        user[field] = NUL
    return user


USER_FIELDS = ["userName", "displayName", "externalId", "title", "name.givenName", "emails"]


@pytest.mark.parametrize("field", USER_FIELDS)
def test_a_nul_in_a_user_field_is_a_400_on_create_and_replace(scim, field):
    _error(scim.post("/Users", _with_nul(field)), 400)
    created = scim.post("/Users", _user("plain@example.com"))
    assert created.status_code == 201, created.text
    _error(scim.put(f"/Users/{created.json()['id']}", _with_nul(field)), 400)


@pytest.mark.parametrize("field", ["userName", "displayName", "externalId"])
def test_a_nul_in_a_user_patch_is_a_400(scim, field):
    created = scim.post("/Users", _user("plain@example.com")).json()
    path = f"/Users/{created['id']}"
    _error(scim.patch(path, {"op": "replace", "path": field, "value": NUL}), 400)
    _error(scim.patch(path, {"op": "replace", "value": {field: NUL}}), 400)


def test_a_nul_in_a_group_display_name_is_a_400(scim):
    _error(scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": NUL}), 400)
    group = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Plain"})
    assert group.status_code == 201, group.text
    path = f"/Groups/{group.json()['id']}"
    _error(scim.put(path, {"schemas": [GROUP_SCHEMA], "displayName": NUL}), 400)
    _error(scim.patch(path, {"op": "replace", "path": "displayName", "value": NUL}), 400)


@pytest.mark.parametrize("resource", ["/Users", "/Groups"])
@pytest.mark.parametrize(
    "params",
    [
        {"filter": f'userName eq "{NUL}"'},
        {"filter": f'displayName eq "{NUL}"'},
        {"filter": f'externalId eq "{NUL}"'},
        {"filter": f'displayName co "{NUL}"'},
        {"attributes": NUL},
        {"excludedAttributes": NUL},
        {"sortBy": NUL},
        {"startIndex": NUL},
        {"count": NUL},
    ],
    ids=lambda p: "-".join(p),
)
def test_a_nul_in_a_list_query_is_a_400(scim, resource, params):
    _error(scim.get(resource, **params), 400)


def test_a_nul_in_a_get_query_is_a_400(scim):
    created = scim.post("/Users", _user("plain@example.com")).json()
    _error(scim.get(f"/Users/{created['id']}", attributes=NUL), 400)
