from licensing_support import scrub

from factories import build_world

TERM = {"starts_at": "2020-01-01T00:00:00Z", "ends_at": "2099-01-01T00:00:00Z"}


def test_msp_children_share_the_pool_and_child_report_hides_quantity(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    grant = client.post(
        f"/api/v1/orgs/{world.P.id}/licenses",
        json={"sku": "mon", "unit": "devices", "quantity": 7919, **TERM},
        headers=world.headers("OP"),
    )
    assert grant.status_code == 201, grant.text
    used = client.post(
        f"/api/v1/orgs/{world.S.id}/usage",
        json={"sku": "mon", "add": 7000},
        headers=world.headers("S-U"),
    )
    assert used.status_code == 200, used.text
    refused = client.post(
        f"/api/v1/orgs/{world.T.id}/usage",
        json={"sku": "mon", "add": 1000},
        headers=world.headers("T-A"),
    )
    assert refused.status_code == 409, refused.text
    assert "919" not in refused.text and "7919" not in refused.text
    child = client.get(f"/api/v1/orgs/{world.S.id}/license-report", headers=world.headers("S-A"))
    assert child.status_code == 200, child.text
    # Ids and timestamps aside (their digits could hold 7919 by chance).
    assert "7919" not in scrub(child.text) and "quantity" not in child.text, child.text
    parent = client.get(f"/api/v1/orgs/{world.P.id}/license-report", headers=world.headers("P-A"))
    assert parent.status_code == 200, parent.text
    pool = parent.json()["pools"][0]
    assert pool["quantity"] == 7919 and pool["used"] == 7000
    assert pool["children"][0]["used"] == 7000
    period = client.get(
        f"/api/v1/orgs/{world.P.id}/license-report?from=2026-01-01&to=2026-12-31&format=csv",
        headers=world.headers("P-A"),
    )
    assert period.status_code == 200, period.text
    assert period.headers["content-type"].startswith("text/csv")
