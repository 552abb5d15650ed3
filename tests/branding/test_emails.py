"""Invitation emails in the org's published brand: multipart text + HTML from templates."""

from __future__ import annotations

import email
import email.policy
from email.utils import parseaddr

import pytest

from branding.conftest import png
from tenantree.branding.emails import may_send_as, render
from tenantree.branding.fields import BrandValues
from tenantree.branding.platform import PLATFORM_BRAND
from tenantree.outbox.backends import to_mime

NORTHWIND = {
    "product_name": "Northwind Cloud",
    "primary_color": "#004488",
    "accent_color": "#0f766e",
    "support_url": "https://help.nw.example/",
    "support_email": "help@nw.example",
    "email_from_name": "Northwind IT",
    "email_from_address": "it@nw.example",
}


def _invite(brand_api, org: str, to: str, actor: str = "P-A"):  # type: ignore[no-untyped-def]
    response = brand_api.client.post(
        f"/api/v1/orgs/{getattr(brand_api.world, org).id}/invitations",
        json={"email": to, "role": "user"},
        headers=brand_api.world.headers(actor),
    )
    assert response.status_code == 201, response.text


def _message(outbox, to: str):  # type: ignore[no-untyped-def]
    (message,) = [m for m in outbox.backend.sent if m.to == to]
    return message


def test_a_sub_org_that_inherits_sends_in_its_partners_brand(brand_api, outbox):
    logo = brand_api.upload("P", "logo", png(), "image/png").json()
    brand_api.brand("P", **NORTHWIND)
    brand_api.claim_and_verify("P", "portal.nw.example")  # nw.example is P's

    _invite(brand_api, "S", "new@contoso.example")

    message = _message(outbox, "new@contoso.example")
    assert parseaddr(message.sender) == ("Northwind IT", "it@nw.example")
    assert message.reply_to == "help@nw.example"
    assert "Northwind Cloud" in message.subject and "Sub-org S" in message.subject
    assert "Northwind Cloud" in message.text
    assert "https://help.nw.example/" in message.text
    assert "with the token " in message.text
    html = message.html
    assert f'src="{logo["url"]}"' in html
    assert "background:#004488" in html
    assert 'href="https://help.nw.example/"' in html
    assert "color:#0f766e" in html
    assert "Sub-org S" in html


def test_a_sub_org_that_overrides_sends_in_its_own_brand(brand_api, outbox):
    brand_api.brand("P", **NORTHWIND)
    brand_api.claim_and_verify("P", "portal.nw.example")
    brand_api.brand(
        "S",
        product_name="Contoso Portal",
        email_from_name="Contoso Helpdesk",
        primary_color="#7a1f1f",
    )

    _invite(brand_api, "S", "new@contoso.example")
    _invite(brand_api, "T", "new@fabrikam.example")

    contoso = _message(outbox, "new@contoso.example")
    # Own name and colour; the address and support link still come from the partner.
    assert parseaddr(contoso.sender) == ("Contoso Helpdesk", "it@nw.example")
    assert "Contoso Portal" in contoso.subject
    assert "background:#7a1f1f" in contoso.html
    assert "https://help.nw.example/" in contoso.text
    assert "Northwind Cloud" not in contoso.text

    sibling = _message(outbox, "new@fabrikam.example")
    assert parseaddr(sibling.sender) == ("Northwind IT", "it@nw.example")
    assert "Northwind Cloud" in sibling.subject


def test_an_unbranded_org_sends_in_the_platform_brand(brand_api, outbox, identity):
    _invite(brand_api, "U", "new@unrelated.example", actor="U-A")

    message = _message(outbox, "new@unrelated.example")
    assert parseaddr(message.sender) == parseaddr(identity.outbox.sender)
    assert message.reply_to is None
    assert PLATFORM_BRAND.product_name in message.subject
    assert f"background:{PLATFORM_BRAND.primary_color}" in message.html
    assert "http://tenantree.test/accept-invitation?token=" in message.text


def test_a_draft_brand_is_not_used_for_email(brand_api, outbox):
    brand_api.brand("P", **NORTHWIND)
    brand_api.put_ok("P", **{**NORTHWIND, "product_name": "Not Yet"})

    _invite(brand_api, "S", "new@contoso.example")

    assert "Not Yet" not in _message(outbox, "new@contoso.example").text


def test_links_point_at_the_verified_custom_domain(brand_api, outbox):
    brand_api.brand("P", **NORTHWIND)
    brand_api.claim_and_verify("P", "portal.nw.example")

    _invite(brand_api, "S", "new@contoso.example")

    message = _message(outbox, "new@contoso.example")
    assert "https://portal.nw.example/accept-invitation?token=" in message.text
    assert 'href="https://portal.nw.example/accept-invitation?token=' in message.html


def test_html_is_escaped_and_text_is_not(brand_api, outbox, session):
    brand_api.world.S.name = "<b>Dewey & Cheatem</b>"
    session.merge(brand_api.world.S)
    session.commit()

    _invite(brand_api, "S", "new@contoso.example")

    message = _message(outbox, "new@contoso.example")
    assert "<b>Dewey & Cheatem</b>" in message.text
    assert "&lt;b&gt;Dewey &amp; Cheatem&lt;/b&gt;" in message.html
    assert "<b>Dewey" not in message.html


def test_the_message_is_multipart_text_and_html(brand_api, outbox):
    brand_api.brand("P", **NORTHWIND)
    brand_api.claim_and_verify("P", "portal.nw.example")
    _invite(brand_api, "S", "new@contoso.example")

    mime = email.message_from_bytes(
        to_mime(_message(outbox, "new@contoso.example")).as_bytes(), policy=email.policy.default
    )

    assert mime.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mime.iter_parts()] == ["text/plain", "text/html"]
    assert mime["Reply-To"] == "help@nw.example"
    assert parseaddr(mime["From"]) == ("Northwind IT", "it@nw.example")
    assert "Northwind Cloud" in mime.get_body(("plain",)).get_content()


@pytest.mark.parametrize("template", ["invitation"])
def test_templates_render_with_any_brand(template):
    brand = BrandValues(product_name="P & Q", primary_color="#000000", accent_color="#000000")
    context = {
        "org_name": "O",
        "role_text": "user",
        "link": "https://x.example/accept-invitation?token=t",
        "token": "t",
        "expires_at": "2030-01-01T00:00:00+00:00",
        "base_url": "https://x.example",
    }
    text, html = render(template, brand, **context)
    assert "P & Q" in text
    assert "P &amp; Q" in html
    assert "Need help?" not in text  # no support link set


def test_an_unproven_from_address_sends_from_the_platform_with_a_reply_to(
    brand_api, outbox, identity
):
    brand_api.brand(
        "P", email_from_name="PayPal Security", email_from_address="security@paypal.example"
    )
    brand_api.claim_and_verify("P", "portal.nw.example")  # a domain, but not that one

    _invite(brand_api, "S", "new@contoso.example")

    message = _message(outbox, "new@contoso.example")
    platform_address = parseaddr(identity.outbox.sender)[1]
    assert parseaddr(message.sender) == ("PayPal Security", platform_address)
    assert message.reply_to == "security@paypal.example"


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("it@portal.nw.example", True),
        ("it@nw.example", True),  # the verified hostname's parent domain
        ("it@PORTAL.nw.example", True),
        ("it@evil-nw.example", False),
        ("it@other.portal.nw.example", False),
        ("it@example", False),
        ("security@paypal.example", False),
    ],
)
def test_the_platform_sends_as_a_verified_domain_or_its_parent_only(address, allowed):
    assert may_send_as(address, {"portal.nw.example"}, set()) is allowed


def test_the_platform_sends_as_a_verified_email_domain_exactly():
    assert may_send_as("it@Contoso.example", set(), {"contoso.example"})
    assert not may_send_as("it@eu.contoso.example", set(), {"contoso.example"})
    assert not may_send_as("it@example", set(), {"example"})


def test_a_from_address_on_a_verified_email_domain_sends_as_itself(brand_api, outbox, dns):
    brand_api.brand("P", email_from_name="Contoso IT", email_from_address="it@contoso.example")
    path = f"/api/v1/orgs/{brand_api.world.P.id}/domains"
    headers = brand_api.world.headers("OP")
    claim = brand_api.client.post(path, json={"domain": "contoso.example"}, headers=headers)
    dns.publish(claim.json()["txt_record_name"], claim.json()["txt_record_value"])
    verify = brand_api.client.post(f"{path}/{claim.json()['id']}/verify", headers=headers)
    assert verify.status_code == 200, verify.text

    _invite(brand_api, "S", "new@fabrikam.example")  # the partner's domain serves S too

    message = _message(outbox, "new@fabrikam.example")
    assert parseaddr(message.sender) == ("Contoso IT", "it@contoso.example")
