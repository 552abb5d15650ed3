"""The console's email-domain pages: an org's claims, and every claim for the operator."""

from __future__ import annotations

import re

import branding.conftest as branding_fixtures
from console.test_console_http import cookie, csrf_of
from factories import build_world

dns = branding_fixtures.dns  # the DNS double


def _post(client, world, actor, path, **data):  # type: ignore[no-untyped-def]
    headers = cookie(world, actor)
    token = csrf_of(client, path.rsplit("/", 2)[0] if "/domains/" in path else path, headers)
    return client.post(
        path, data={**data, "csrf_token": token}, headers=headers, follow_redirects=False
    )


def test_an_admin_claims_sees_the_txt_record_verifies_and_removes(client, session, identity, dns):
    world = build_world(session, identity)
    session.commit()
    page = f"/orgs/{world.P.id}/domains"
    assert (
        'href="' + page + '"'
        in client.get(f"/orgs/{world.P.id}", headers=cookie(world, "P-A")).text
    )

    claimed = _post(client, world, "P-A", page, domain="Northwind.example")
    assert claimed.status_code == 303
    shown = client.get(claimed.headers["location"], headers=cookie(world, "P-A")).text
    assert "Domain claimed" in shown and "_tenantree-challenge.northwind.example" in shown
    value = re.search(r"tenantree-domain-verification=[\w-]+", shown).group(0)  # type: ignore[union-attr]
    dns.publish("_tenantree-challenge.northwind.example", value)
    claim_id = re.search(rf"{page}/([0-9a-f-]+)/verify", shown).group(1)  # type: ignore[union-attr]

    verified = _post(client, world, "P-A", f"{page}/{claim_id}/verify")
    assert verified.status_code == 303
    after = client.get(verified.headers["location"], headers=cookie(world, "P-A")).text
    assert "Domain verified" in after and "verified" in after

    removed = _post(client, world, "P-A", f"{page}/{claim_id}/remove")
    assert removed.status_code == 303
    assert "claims no email domain" in client.get(page, headers=cookie(world, "P-A")).text


def test_a_bad_domain_is_refused_with_a_message(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    refused = _post(client, world, "P-A", f"/orgs/{world.P.id}/domains", domain="co.uk")
    assert refused.status_code == 422
    assert "public suffix" in refused.text


def test_the_operator_lists_and_revokes_every_claim(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    _post(client, world, "U-A", f"/orgs/{world.U.id}/domains", domain="northwind.example")
    listing = client.get("/operator/domains", headers=cookie(world, "OP"))
    assert listing.status_code == 200
    assert world.U.name in listing.text and "northwind.example" in listing.text
    claim_id = re.search(r"/operator/domains/([0-9a-f-]+)/revoke", listing.text).group(1)  # type: ignore[union-attr]
    token = csrf_of(client, "/operator/domains", cookie(world, "OP"))
    revoked = client.post(
        f"/operator/domains/{claim_id}/revoke",
        data={"csrf_token": token},
        headers=cookie(world, "OP"),
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert "No org claims" in client.get("/operator/domains", headers=cookie(world, "OP")).text
    assert client.get("/operator/domains", headers=cookie(world, "U-A")).status_code == 403
