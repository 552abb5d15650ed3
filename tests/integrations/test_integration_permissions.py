"""Who may manage S's API tokens, SCIM tokens and SSO settings: every route, every actor.

The same rule as managing S's users (ACCESS.md "invite, change role/status,
remove in S"): org admins and the partner's admins (listed on S), nobody else.
"""

import pytest

from factories import build_world, prove_domain

ROUTES = [
    ("POST", "/api-tokens", {"name": "ci", "role": "user"}),
    ("GET", "/api-tokens", None),
    ("DELETE", "/api-tokens/00000000-0000-4000-8000-000000000000", None),
    ("POST", "/scim-tokens", {"name": "idp"}),
    ("GET", "/scim-tokens", None),
    ("DELETE", "/scim-tokens/00000000-0000-4000-8000-000000000000", None),
    (
        "PUT",
        "/sso",
        {
            "issuer": "https://idp.example",
            "client_id": "c",
            "client_secret": "s",
            "allowed_domains": ["s.example"],
        },
    ),
    ("GET", "/sso", None),
    ("DELETE", "/sso", None),
]

# Allowed callers pass authorization; the route may then answer 404 for the
# made-up token id or an unconfigured SSO, which is not an authorization answer.
ALLOWED = {"OP", "P-PA", "P-A", "S-PA", "S-A"}
EXPECTED = {
    "P-U": 403,
    "P-RO": 403,
    "S-U": 403,
    "S-RO": 403,
    "P-X": 404,
    "T-A": 404,
    "U-A": 404,
    "anon": 401,
}


@pytest.fixture
def worlds(session, identity):
    permitted = build_world(session, identity)
    prove_domain(session, permitted.S, "s.example")
    session.commit()
    return permitted


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_only_admins_of_s_and_its_partner_manage_integrations(client, worlds, method, path, body):
    for actor in sorted(ALLOWED | set(EXPECTED)):
        sent = {**body, "name": f"by {actor}"} if body and "name" in body else body
        response = client.request(
            method, f"/api/v1/orgs/{worlds.S.id}{path}", json=sent, headers=worlds.headers(actor)
        )
        if actor in ALLOWED:
            assert response.status_code < 400 or (
                response.status_code == 404
                and response.json()["error"]["code"]
                in {"api_token_not_found", "scim_token_not_found", "sso_not_configured"}
            ), (actor, response.text)
        else:
            assert response.status_code == EXPECTED[actor], (actor, response.text)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_refused_customer_gets_customer_access_refused(
    client, session, identity, method, path, body
):
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    response = client.request(
        method, f"/api/v1/orgs/{world.S.id}{path}", json=body, headers=world.headers("S-A")
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "customer_access_refused"
