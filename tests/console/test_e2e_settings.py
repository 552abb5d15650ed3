"""Settings pages in a real browser: an API token created and shown once, and
single sign-on set up, tested through a real OpenID provider, then required."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from console.e2e_support import CHROMIUM, shot, sign_in
from factories import PASSWORD, make_member, make_org, prove_domain
from tenantree.identity.integration_models import SsoConfig
from tenantree.identity.roles import Role

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"end-to-end tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
    ),
]


def expect():  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def _org_with_admin(live_server, name: str, email: str, domain: str | None = None):  # type: ignore[no-untyped-def]
    """An org of its own, so these journeys change nothing other tests rely on."""
    with live_server.sessions() as session:
        org = make_org(session, name=name)
        make_member(session, live_server.services.identity, org, role=Role.ADMIN, email=email)
        if domain:
            prove_domain(session, org, domain)
        session.commit()
        return org.id


def test_an_admin_creates_an_api_token_sees_it_once_and_revokes_it(new_page, live_server):  # type: ignore[no-untyped-def]
    _org_with_admin(live_server, "Tailspin Toys", "it@tailspin.example")
    page = sign_in(new_page(), live_server, "it@tailspin.example", PASSWORD)
    expect()(page.get_by_test_id("current-org")).to_have_text("Tailspin Toys")
    page.get_by_test_id("org-nav").get_by_role("link", name="API tokens", exact=True).click()
    form = page.get_by_test_id("create-token")
    form.get_by_label("Name").fill("Nightly export")
    form.get_by_label("Role of its service account").select_option("read_only")
    form.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("secret-value").input_value()
    assert secret
    shot(page, "20-api-token-created")

    # The secret works against the API, and is never shown again.
    org_id = page.url.split("/orgs/")[1].split("/")[0]
    api = httpx.get(
        f"{live_server.url}/api/v1/orgs/{org_id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert api.status_code == 200
    page.goto(f"{live_server.url}/orgs/{org_id}/api-tokens")
    expect()(page.get_by_test_id("tokens")).to_contain_text("Nightly export")
    assert secret not in page.content()
    page.get_by_role("link", name="Revoke Nightly export").click()
    # The confirmation says what revoking does before anything happens.
    expect()(page.locator("main")).to_contain_text("stops working at once")
    page.get_by_role("button", name="Revoke Nightly export").click()
    expect()(page.get_by_role("status")).to_contain_text("Token revoked")


@pytest.fixture
def provider(live_server):  # type: ignore[no-untyped-def]
    """A real OpenID provider on loopback, which the live server may use as an issuer."""
    from oidc_provider_mock import run_server_in_thread

    services = live_server.services
    original = services.identity
    services.identity = dataclasses.replace(original, sso_allow_private_issuers=True)
    try:
        with run_server_in_thread() as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        services.identity = original


def test_sso_is_tested_with_the_button_before_it_is_required(new_page, live_server, provider):  # type: ignore[no-untyped-def]
    email = "it@woodgrove.example"
    org_id = _org_with_admin(live_server, "Woodgrove Bank", email, domain="woodgrove.example")
    claims = httpx.put(f"{provider}/users/it-admin", json={"email": email, "email_verified": True})
    assert claims.status_code == 204
    page = sign_in(new_page(), live_server, email, PASSWORD)
    page.get_by_test_id("org-nav").get_by_role("link", name="Single sign-on", exact=True).click()

    settings = page.get_by_test_id("sso-settings")
    settings.get_by_label("Issuer URL").fill(provider)
    settings.get_by_label("Client ID").fill("woodgrove-console")
    settings.get_by_label("Client secret").fill("provider-secret")
    settings.get_by_label("Allowed email domains").fill("woodgrove.example")
    expect()(settings.get_by_label("SSO required", exact=False)).to_be_disabled()
    settings.get_by_role("button", name="Save").click()
    expect()(page.get_by_role("status")).to_contain_text("Single sign-on settings saved")

    page.get_by_role("button", name="Test sign-in").click()
    with page.context.expect_page() as opened:
        page.get_by_test_id("sso-test-link").click()
    at_provider = opened.value
    at_provider.get_by_placeholder("sub").fill("it-admin")
    at_provider.get_by_role("button", name="Authorize").click()
    # The provider's tab comes back to the settings it proved, saying so.
    expect()(at_provider.get_by_role("status")).to_contain_text("Test sign-in passed")
    at_provider.close()

    page.get_by_test_id("sso-back").click()
    expect()(page.get_by_test_id("sso-tested")).to_be_visible()
    shot(page, "21-sso-tested")
    settings = page.get_by_test_id("sso-settings")
    settings.get_by_label("SSO required", exact=False).check()
    settings.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    with live_server.sessions() as session:
        config = session.get(SsoConfig, org_id)
        assert config is not None and config.sso_required is True
