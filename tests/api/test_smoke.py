from factories import build_world


def test_partner_admin_sees_sub_org_and_sibling_admin_does_not(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    ok = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("P-A"))
    assert ok.status_code == 200, ok.text
    hidden = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("T-A"))
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "org_not_found"
