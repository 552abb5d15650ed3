"""What ACCESS.md's "Credential kinds" says a credential cannot do, over HTTP.

The isolation matrix runs every row with each credential an actor holds
(test_isolation_matrix.py). Here: who may not make an API or SCIM token; a
SCIM token on every request of the matrix (401); and S's SCIM endpoint,
generated from the row "invite, change role/status, remove in S" — the
actors whose cell is ✓ make a SCIM token for S that provisions S's directory
(403 once S's customer access is refused), the others may not make one, and
every other credential is 401 there.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from types import SimpleNamespace

import pytest

from access.accessmatrix import (
    ALLOWED,
    ANONYMOUS,
    API_TOKEN,
    CREDENTIAL_ACTORS,
    FORBIDDEN,
    INVISIBLE,
    PASSWORD,
    SCIM_TOKEN,
    SSO,
    SUB_ORG,
    Case,
    cases,
    load_credentials,
    load_matrix,
)
from api.credentials import PREFIXES, hold, home, make_token, refuse_customer
from api.test_isolation_matrix import CALLS
from factories import bearer, build_world
from integrations.test_scim import PATCH_SCHEMA, USER_SCHEMA

CREDENTIALS = load_credentials()
PROVISION_S = "invite, change role/status, remove in S"
STATUS = {ALLOWED: 201, FORBIDDEN: 403, INVISIBLE: 404, ANONYMOUS: 401}
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)
    session.commit()
    return world


@pytest.mark.parametrize("kind", [API_TOKEN, SCIM_TOKEN])
def test_each_actor_makes_a_token_in_its_own_org_only_as_access_md_says(kind, client, world):
    observed, expected = {}, {}
    for actor in CREDENTIAL_ACTORS:
        cell = CREDENTIALS[kind][actor]
        expected[actor] = int(cell) if cell in (FORBIDDEN, INVISIBLE) else 201
        observed[actor] = make_token(client, world, kind, actor, home(world, actor)).status_code
    assert observed == expected


def test_a_scim_token_is_401_on_every_request_of_the_matrix(client, session, identity, world):
    placeholder = str(uuid.uuid4())
    ctx = SimpleNamespace(
        org=lambda name: f"/api/v1/orgs/{getattr(world, name).id}",
        member=lambda actor: str(world.members[actor].id),
        # Whatever a call would have made (license, invitation, domain…): any id does.
        made=defaultdict(lambda: placeholder),
    )
    holders = [a for a in CREDENTIAL_ACTORS if CREDENTIALS[SCIM_TOKEN][a] == ANONYMOUS]
    assert holders, "ACCESS.md names no actor whose SCIM token is refused on /api/v1"
    for actor in holders:
        headers = hold(client, session, identity, world, SCIM_TOKEN, actor)
        for call in (call for calls in CALLS.values() for call in calls):
            body = call.body(ctx) if call.body else None  # type: ignore[arg-type]
            path = call.path(ctx)  # type: ignore[arg-type]
            response = client.request(call.method, path, json=body, headers=headers)
            assert response.status_code == 401, f"{call.method} {path} as {actor}: {response.text}"
            assert response.json()["error"]["code"] == "invalid_token", response.text


# --- S's SCIM endpoint ---------------------------------------------------------


class ScimS:
    """Requests to S's SCIM endpoint with one credential."""

    def __init__(self, client, world, headers):  # type: ignore[no-untyped-def]
        self.client = client
        self.base = f"/scim/v2/orgs/{world.S.id}"
        self.headers = {**headers, "Content-Type": "application/scim+json"}

    def send(self, method, path, body=None):  # type: ignore[no-untyped-def]
        return self.client.request(method, self.base + path, json=body, headers=self.headers)

    def every_kind_of_request(self) -> list[tuple[str, int, int]]:
        """(request, status, status when allowed) for list, create, change and
        delete of a user and a group; later ones use what earlier ones made."""
        email = f"scim-{uuid.uuid4().hex[:8]}@example.com"
        user = {"schemas": [USER_SCHEMA], "userName": email, "emails": [{"value": email}]}
        group = {"schemas": [GROUP_SCHEMA], "displayName": f"Group {uuid.uuid4().hex[:6]}"}
        change = {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {}}]}
        seen = []
        for method, path, body, ok in (
            ("GET", "/Users", None, 200),
            ("POST", "/Users", user, 201),
            ("GET", "/Groups", None, 200),
            ("POST", "/Groups", group, 201),
        ):
            response = self.send(method, path, body)
            seen.append((f"{method} {path}: {response.text}", response.status_code, ok))
            if response.status_code == 201:
                made = f"{path}/{response.json()['id']}"
                change["Operations"][0]["value"] = {"displayName": "Changed"}
                patched = self.send("PATCH", made, change)
                seen.append((f"PATCH {made}: {patched.text}", patched.status_code, 200))
                deleted = self.send("DELETE", made)
                seen.append((f"DELETE {made}: {deleted.text}", deleted.status_code, 204))
        return seen


PROVISION_CASES = [c for c in cases(load_matrix(), SUB_ORG) if c.action == PROVISION_S]


@pytest.mark.parametrize("case", PROVISION_CASES, ids=lambda c: c.id)
def test_s_scim_endpoint_answers_each_credential_as_access_md_says(
    case: Case, client, session, identity, world
):
    if case.actor == "anon":
        for prefix in PREFIXES.values():
            headers = {"Authorization": f"Bearer {prefix}not-a-token"} if prefix else {}
            for where, status, _ in ScimS(client, world, headers).every_kind_of_request():
                assert status == 401, where
        return
    # Every credential but a SCIM token of S: 401, whatever the actor may do in S.
    actor = case.actor
    kinds = [k for k in (PASSWORD, SSO, API_TOKEN) if CREDENTIALS[k][actor] in CREDENTIAL_ACTORS]
    held = [hold(client, session, identity, world, kind, case.actor) for kind in kinds]
    if CREDENTIALS[SCIM_TOKEN][case.actor] == ANONYMOUS and home(world, case.actor) != world.S:
        held.append(hold(client, session, identity, world, SCIM_TOKEN, case.actor))
    for headers in held:
        for where, status, _ in ScimS(client, world, headers).every_kind_of_request():
            assert status == 401, f"{case.label}: {where}"
    # A SCIM token for S: its cell (the permitted world's, for the refused
    # customer, who makes it before the partner refuses) answers making it.
    permitted = ALLOWED if case.refuse_s else case.expected
    made = make_token(client, world, SCIM_TOKEN, case.actor, world.S)
    assert made.status_code == STATUS[permitted], made.text
    if made.status_code != 201:
        return
    scim = ScimS(client, world, bearer(made.json()["token"]))
    if case.refuse_s:
        refuse_customer(session, world.S)
        again = make_token(client, world, SCIM_TOKEN, case.actor, world.S)
        assert again.status_code == 403, again.text
        assert again.json()["error"]["code"] == "customer_access_refused"
    for where, status, ok in scim.every_kind_of_request():
        expected = 403 if case.refuse_s else ok
        assert status == expected, f"{case.label}: {where}"
    if case.refuse_s:
        refused = scim.send("GET", "/Users").json()
        assert refused["detail"].startswith("customer_access_refused"), refused
