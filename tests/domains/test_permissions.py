"""Verifying a domain obeys its ACCESS.md row (the isolation matrix covers the
other domain routes; this one asks the DNS, here a double)."""

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
from factories import build_world

MATRIX = load_matrix()
ROWS = {
    (SUB_ORG, "claim, verify, list, remove S's email domains"): "S",
    (PARTNER, "claim, verify, list, remove P's email domains"): "P",
}
CASES = [c for c in cases(MATRIX) if c.row in ROWS]
STATUS = {ALLOWED: 200, FORBIDDEN: 403, INVISIBLE: 404, ANONYMOUS: 401}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_verifying_obeys_the_access_matrix(case, client, session, identity, dns):
    world = build_world(session, identity, refuse_s=case.refuse_s)
    session.commit()
    base = f"/api/v1/orgs/{getattr(world, ROWS[case.row]).id}/domains"
    made = client.post(base, json={"domain": "northwind.example"}, headers=world.headers("OP"))
    assert made.status_code == 201, made.text
    dns.publish(made.json()["txt_record_name"], made.json()["txt_record_value"])

    response = client.post(f"{base}/{made.json()['id']}/verify", headers=world.headers(case.actor))

    assert response.status_code == STATUS[case.expected], f"{case.label}: {response.text}"
    if case.expected == FORBIDDEN:
        code = "customer_access_refused" if case.refuse_s else "forbidden"
        assert response.json()["error"]["code"] == code
