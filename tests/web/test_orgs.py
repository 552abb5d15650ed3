"""The org reader's routes (web.orgs.org_reader: GET org, the sub-orgs page)
read the Authorization header exactly as the bearer dependency of every other
route does, and are documented as needing it."""

import pytest

from factories import build_world

# The scheme is matched without regard to case; anything else is no token.
_AUTHORIZATIONS = [
    "Bearer {token}",
    "bearer {token}",
    "BEARER {token}",
    "Basic {token}",
    "Bearer",
    "Bearer ",
    "{token}",
    "",
]


@pytest.mark.parametrize("authorization", _AUTHORIZATIONS)
def test_the_reader_routes_answer_a_header_as_the_dependency_routes_do(
    client, session, identity, authorization
):
    world = build_world(session, identity)
    session.commit()
    headers = {"Authorization": authorization.format(token=world.tokens["P-PA"])}
    # GET /orgs/{id}/licenses reads the token through the bearer dependency.
    expected = client.get(f"/api/v1/orgs/{world.S.id}/licenses", headers=headers)
    for path in (f"/api/v1/orgs/{world.S.id}", f"/api/v1/orgs/{world.P.id}/sub-orgs"):
        response = client.get(path, headers=headers)
        assert response.status_code == expected.status_code, (path, response.text)
        if expected.status_code == 401:
            assert response.json()["error"]["code"] == expected.json()["error"]["code"]


def test_the_reader_routes_are_documented_as_needing_a_bearer_token(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/orgs/{org_id}", "/api/v1/orgs/{org_id}/sub-orgs"):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [{"HTTPBearer": []}], path
        assert [p["name"] for p in operation["parameters"] if p["in"] == "path"] == ["org_id"]
