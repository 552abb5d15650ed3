"""The brand past the door (org list, invitation, its sign-in) and messages that
name the partner, the org and the role."""

from __future__ import annotations

import re

import pytest

from console.test_console_http import cookie, csrf_of, sign_in
from factories import PASSWORD, build_world
from tenantree.identity.credentials import MIN_PASSWORD_LENGTH

INVITATION_LINK = re.compile(r"accept-invitation\?token=([A-Za-z0-9_\-]+)")


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


def _publish_partner_brand(client, world) -> None:  # type: ignore[no-untyped-def]
    brand = f"/api/v1/orgs/{world.P.id}/branding"
    draft = {"product_name": "Partner Cloud", "primary_color": "#7c2d12"}
    assert client.put(brand, json=draft, headers=world.headers("P-PA")).status_code == 200
    assert client.post(brand + "/publish", headers=world.headers("P-PA")).status_code == 200


def _invite(client, world, outbox, email: str, role: str) -> str:  # type: ignore[no-untyped-def]
    sent = client.post(
        f"/api/v1/orgs/{world.S.id}/invitations",
        json={"email": email, "role": role},
        headers=world.headers("S-A"),
    )
    assert sent.status_code == 201, sent.text
    return INVITATION_LINK.search(outbox.to(email)[-1]).group(1)  # type: ignore[union-attr]


def test_the_org_list_wears_the_brand_the_persons_orgs_share(client, world):
    _publish_partner_brand(client, world)
    listed = client.get("/orgs", headers=cookie(world, "P-A")).text
    assert 'data-testid="product-name">Partner Cloud<' in listed
    # The operator's list spans every partner: the platform's name.
    operator = client.get("/orgs", headers=cookie(world, "OP")).text
    assert "Partner Cloud" not in operator


def test_the_invitation_says_which_org_and_role_in_its_brand(client, world, outbox):
    _publish_partner_brand(client, world)
    token = _invite(client, world, outbox, "newhire@example.com", "read_only")
    page = client.get(f"/accept-invitation?token={token}").text
    assert "join <strong>Sub-org S</strong> as a read-only user" in page
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in page
    assert f'minlength="{MIN_PASSWORD_LENGTH}"' in page
    assert "Partner Cloud" in page  # the customer inherits its partner's brand


def test_a_short_password_is_refused_and_the_page_still_says_what_it_is_for(client, world, outbox):
    token = _invite(client, world, outbox, "short@example.com", "user")
    csrf = csrf_of(client, f"/accept-invitation?token={token}")
    refused = client.post(
        "/accept-invitation", data={"csrf_token": csrf, "token": token, "password": "short"}
    )
    assert refused.status_code == 422
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in refused.text
    assert "join <strong>Sub-org S</strong> as a user" in refused.text


def test_an_unknown_invitation_link_says_so(client):
    page = client.get("/accept-invitation?token=not-a-token").text
    assert "This invitation link is not valid" in page


def test_a_customer_with_one_org_lands_on_it_after_sign_in(client, world):
    landed = sign_in(client, world.accounts["S-A"].email)
    assert landed.status_code == 303
    assert landed.headers["location"] == "/orgs?landing=1"
    only = client.get(landed.headers["location"], follow_redirects=False)
    assert only.status_code == 303
    assert only.headers["location"] == f"/orgs/{world.S.id}"


def test_a_partner_admin_who_sees_customers_lands_on_the_list(client, world):
    landed = sign_in(client, world.accounts["P-PA"].email)
    assert landed.headers["location"] == "/orgs?landing=1"
    assert client.get(landed.headers["location"], follow_redirects=False).status_code == 200


def test_the_sign_in_refusal_names_the_partner(client, session, identity):
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    refused = sign_in(client, world.accounts["S-U"].email)
    assert refused.status_code == 403
    assert "Partner P refused customer access to your organization" in refused.text
    # The API's answer is the same refusal, in its own words.
    api = client.post("/api/v1/auth/login", json={"email": "s-u@example.com", "password": PASSWORD})
    assert api.status_code == 403
    assert api.json()["error"] == {
        "code": "customer_access_refused",
        "message": "Partner P refused customer access to your org",
        "field": None,
    }
