"""The three-tier isolation matrix over HTTP: every cell of docs/ACCESS.md's
"Three tiers" tables, with every credential kind an actor holds.

Each test is one row and one credential kind, in a fresh three-tier world
(tests/api/tiers_world.py): every actor holding that kind sends the row's
request and must get exactly its cell. An admin's API token acts as a
non-primary admin of its org (ACCESS.md "Three tiers"); users make none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from access.accessmatrix import (
    ALLOWED,
    ANONYMOUS,
    API_TOKEN,
    FORBIDDEN,
    INVISIBLE,
    PASSWORD,
    SSO,
    TIER_CUSTOMER,
    TIER_PARTNER,
    load_tier_matrix,
)
from api.credentials import hold
from api.tiers_world import MEMBERS, TierWorld, build_tiers

MATRIX = load_tier_matrix()
_OPEN_ACCESS = {"customer_access": "permitted", "partner_users": "all", "customer_may_brand": False}


@dataclass(frozen=True)
class Call:
    method: str
    path: Callable[[TierWorld], str]
    ok: int = 200
    body: dict[str, Any] | None = None


def _at(org: str, rest: str = "") -> Callable[[TierWorld], str]:
    return lambda w: f"/api/v1/orgs/{getattr(w, org).id}{rest}"


CALLS: dict[tuple[str, str], Call] = {
    (TIER_CUSTOMER, "view C"): Call("GET", _at("C")),
    (TIER_CUSTOMER, "list C's users"): Call("GET", _at("C", "/users")),
    (TIER_CUSTOMER, "read C's access settings"): Call("GET", _at("C", "/access")),
    (TIER_CUSTOMER, "change C's access settings"): Call(
        "PUT", _at("C", "/access"), body=_OPEN_ACCESS
    ),
    (TIER_CUSTOMER, "read C's audit events"): Call("GET", _at("C", "/audit-events")),
    (TIER_PARTNER, "view R"): Call("GET", _at("R")),
    (TIER_PARTNER, "list R's sub-orgs"): Call("GET", _at("R", "/sub-orgs")),
    (TIER_PARTNER, "list R's users"): Call("GET", _at("R", "/users")),
    (TIER_PARTNER, "change R's access settings"): Call(
        "PUT", _at("R", "/access"), body=_OPEN_ACCESS
    ),
    (TIER_PARTNER, "set R's alert thresholds (its pools, its customers' quotas)"): Call(
        "PUT", _at("R", "/alert-thresholds"), body={"percents": [70, 90]}
    ),
    (TIER_PARTNER, "read R's alerts"): Call("GET", _at("R", "/alerts")),
}
ADMINS = {actor for actor, _, role, _ in MEMBERS if role.value == "admin"}


def _holders(kind: str, columns: list[str]) -> dict[str, str]:
    """Per actor holding a credential of this kind: the actor whose cell it gets."""
    members = [c for c in columns if c not in ("OP", "anon")]
    if kind == PASSWORD:
        return {c: c for c in columns if c != "anon"}
    if kind == SSO:  # an operator has no entry a provider vouches for
        return {c: c for c in members}
    return {c: c.replace("-PA", "-A") for c in members if c in ADMINS}


ROWS = [(table, action) for table, rows in MATRIX.items() for action in rows]


def test_every_row_has_its_request() -> None:
    assert set(ROWS) == set(CALLS)


@pytest.mark.parametrize("kind", [PASSWORD, SSO, API_TOKEN])
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[1])
def test_tier_matrix(row: tuple[str, str], kind: str, client, session, identity) -> None:
    table, action = row
    cells = MATRIX[table][action]
    world = build_tiers(session, identity)
    session.commit()
    call = CALLS[row]
    expected_status = {ALLOWED: call.ok, FORBIDDEN: 403, INVISIBLE: 404, ANONYMOUS: 401}
    headers = {
        actor: hold(client, session, identity, world, kind, actor)  # type: ignore[arg-type]
        for actor in _holders(kind, list(cells))
    }
    headers["anon"] = {}
    observed, expected = {}, {}
    for actor, acts_as in {**_holders(kind, list(cells)), "anon": "anon"}.items():
        response = client.request(
            call.method, call.path(world), json=call.body, headers=headers[actor]
        )
        observed[actor] = response.status_code
        expected[actor] = expected_status[cells[acts_as]]
    assert observed == expected


def test_a_distributors_staff_list_its_tier_two_partners_customers(client, session, identity):
    world = build_tiers(session, identity)
    session.commit()
    listed = client.get("/api/v1/orgs", headers=world.headers("D-U")).json()["items"]
    ids = {org["id"] for org in listed}
    assert {str(o.id) for o in (world.D, world.R, world.R2, world.C, world.C2)} <= ids
    assert str(world.E.id) not in ids
    # A tier-2 partner's staff list their own org and customers, nothing above or beside.
    listed = client.get("/api/v1/orgs", headers=world.headers("R-U")).json()["items"]
    assert {org["id"] for org in listed} == {str(o.id) for o in (world.R, world.C, world.C2)}


def test_the_audit_names_the_level_that_acted(client, session, identity) -> None:
    # An invitation into C by each level: the event's actor_org_id is the org
    # of the entry the path came by (D, R or C itself), read in C's own log.
    world = build_tiers(session, identity)
    session.commit()
    acted = {}
    for actor, level in (("D-A", world.D), ("R-A", world.R), ("C-A", world.C)):
        body = {"email": f"by-{actor.lower()}@tiers.example", "role": "user"}
        response = client.post(
            f"/api/v1/orgs/{world.C.id}/invitations", json=body, headers=world.headers(actor)
        )
        assert response.status_code == 201, response.text
        acted[body["email"]] = str(level.id)
    events = client.get(
        f"/api/v1/orgs/{world.C.id}/audit-events",
        params={"action": "invitation.created"},
        headers=world.headers("OP"),
    ).json()["items"]
    by_email = {e["details"]["email"]: e["actor_org_id"] for e in events}
    assert {email: by_email.get(email) for email in acted} == acted


def test_a_customer_sees_the_staff_of_every_level_that_reaches_it(client, session, identity):
    # Names and emails of R's and D's staff, nothing of a sibling's; C's own
    # admin reads it (ACCESS.md: partner staff reaching S).
    world = build_tiers(session, identity)
    session.commit()
    page = client.get(f"/api/v1/orgs/{world.C.id}/partner-access", headers=world.headers("C-A"))
    assert page.status_code == 200, page.text
    emails = {item["email"] for item in page.json()["items"]}
    reaching = {"d-pa", "d-a", "d-u", "r-pa", "r-a", "r-u"}
    assert emails == {f"{actor}@tiers.example" for actor in reaching}
    assert all(
        set(item) == {"display_name", "email", "role", "until"} for item in page.json()["items"]
    )
