"""Who may read and change a brand: the rows of docs/ACCESS.md, on every branding endpoint.

"read S's brand" governs GET .../branding; "change S's brand" and "change P's
brand" govern every endpoint that changes a brand (draft, publish, images,
domain verification, SMTP relay).
"""

from __future__ import annotations

import pytest

from access.accessmatrix import (
    ALLOWED,
    ANONYMOUS,
    FORBIDDEN,
    INVISIBLE,
    PARTNER,
    SUB_ORG,
    cases,
    load_matrix,
)
from branding.conftest import png
from factories import build_world

MATRIX = load_matrix()
ROWS = {
    (SUB_ORG, "read S's brand"): ("S", "read"),
    (SUB_ORG, "change S's brand"): ("S", "change"),
    (PARTNER, "change P's brand"): ("P", "change"),
}
CASES = [c for c in cases(MATRIX) if c.row in ROWS]

STATUS = {FORBIDDEN: 403, INVISIBLE: 404, ANONYMOUS: 401}


def _requests(kind: str) -> list[tuple[str, str, dict, int]]:
    """(method, path suffix, request kwargs, the status it answers when allowed)."""
    if kind == "read":
        return [("GET", "", {}, 200)]
    image = {"content": png(), "headers": {"Content-Type": "image/png"}}
    return [
        ("PUT", "", {"json": {"product_name": "Rebranded"}}, 200),
        ("POST", "/publish", {}, 200),
        ("PUT", "/logo", dict(image), 200),
        ("DELETE", "/logo", {}, 200),
        ("PUT", "/favicon", dict(image), 200),
        ("DELETE", "/favicon", {}, 200),
        # Allowed, and told there is nothing to verify: 409 no_domain_claim.
        ("POST", "/domain/verify", {}, 409),
        ("PUT", "/smtp-relay", {"json": {"host": "smtp.example.com", "port": 587}}, 200),
        ("GET", "/smtp-relay", {}, 200),
        ("DELETE", "/smtp-relay", {}, 204),
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_branding_obeys_the_access_matrix(case, client, session, identity, dns):
    world = build_world(
        session, identity, refuse_s=case.refuse_s, customer_may_brand=case.customer_may_brand
    )
    session.commit()
    org, kind = ROWS[case.row]
    base = f"/api/v1/orgs/{getattr(world, org).id}/branding"
    for method, suffix, kwargs, ok in _requests(kind):
        headers = {**world.headers(case.actor), **kwargs.pop("headers", {})}
        response = client.request(method, base + suffix, headers=headers, **kwargs)
        where = f"{method} {suffix or '/'} as {case.label}: {response.text}"
        if case.expected == ALLOWED:
            assert response.status_code == ok, where
            if ok == 409:
                assert response.json()["error"]["code"] == "no_domain_claim", where
        else:
            assert response.status_code == STATUS[case.expected], where
            error = response.json()["error"]
            if case.expected == FORBIDDEN:
                assert error["code"] == (
                    "customer_access_refused" if case.refuse_s else "forbidden"
                ), where


def test_the_verify_endpoint_needs_the_change_permission(brand_api, world):
    path = brand_api.path("S", "/domain/verify")
    assert brand_api.client.post(path, headers=world.headers("S-U")).status_code == 403
    assert brand_api.client.post(path, headers=world.headers("S-A")).status_code == 403
    assert brand_api.client.post(path, headers=world.headers("T-A")).status_code == 404
    assert brand_api.client.post(path).status_code == 401
    # P-A may: the org just has nothing to verify yet.
    response = brand_api.client.post(path, headers=world.headers("P-A"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_domain_claim"


def test_a_customer_admin_brands_only_when_the_partner_allows_it(client, session, identity, dns):
    world = build_world(session, identity, customer_may_brand=False)
    session.commit()
    path = f"/api/v1/orgs/{world.S.id}/branding"

    refused = client.put(path, json={"product_name": "Mine"}, headers=world.headers("S-A"))
    assert refused.status_code == 403
    # The partner's primary admin turns it on.
    access = client.put(
        f"/api/v1/orgs/{world.S.id}/access",
        json={
            "customer_access": "permitted",
            "partner_users": [str(world.members[a].id) for a in ("P-A", "P-U", "P-RO")],
            "customer_may_brand": True,
        },
        headers=world.headers("P-PA"),
    )
    assert access.status_code == 200, access.text
    allowed = client.put(path, json={"product_name": "Mine"}, headers=world.headers("S-A"))
    assert allowed.status_code == 200, allowed.text
    # Reading it is S-A's in either case; the partner's brand stays the partner's.
    partner = client.put(
        f"/api/v1/orgs/{world.P.id}/branding",
        json={"product_name": "Hijack"},
        headers=world.headers("S-A"),
    )
    assert partner.status_code == 404
