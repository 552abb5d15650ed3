"""The console's single sign-on page: saving the provider, the test sign-in button,
and SSO required only after a test passed from the same session."""

import html
import re
from urllib.parse import urlsplit

import httpx
import pytest

from console.test_console_http import cookie, csrf_of
from integrations.test_sso import provider as provider  # noqa: F401
from integrations.test_sso import set_claims
from tenantree.identity.integration_models import SsoConfig

pytestmark = pytest.mark.usefixtures("private_issuers")


def _post(client, world, path, actor="S-A", **data):
    page = f"/orgs/{world.S.id}/sso"
    token = csrf_of(client, page, cookie(world, actor))
    return client.post(
        path,
        data={**data, "csrf_token": token},
        headers=cookie(world, actor),
        follow_redirects=False,
    )


def _save(client, world, issuer, **extra):
    return _post(
        client,
        world,
        f"/orgs/{world.S.id}/sso",
        issuer=issuer,
        client_id="tenantree-console",
        client_secret="provider-secret",
        allowed_domains="s.example",
        jit_role="",
        **extra,
    )


def _pass_test_from_the_page(client, world, issuer, **headers):
    set_claims(issuer, "sub-S-A", email="s-a@example.com", email_verified=True)
    started = _post(client, world, f"/orgs/{world.S.id}/sso/test")
    assert started.status_code == 200, started.text
    link = re.search(r'href="([^"]+)"[^>]*data-testid="sso-test-link"', started.text)
    assert link, "the test page links to the provider"
    chosen = httpx.post(
        html.unescape(link.group(1)), data={"sub": "sub-S-A"}, follow_redirects=False
    )
    return client.get(
        "/sso/callback?" + urlsplit(chosen.headers["location"]).query,
        headers=headers,
        follow_redirects=False,
    )


def test_a_passed_test_answers_json_to_a_client_and_the_settings_page_to_a_browser(
    client, world, provider
):
    assert _save(client, world, provider).status_code == 303
    assert _pass_test_from_the_page(client, world, provider).json() == {"status": "sso_test_passed"}
    browser = _pass_test_from_the_page(client, world, provider, accept="text/html")
    assert browser.status_code == 303
    assert browser.headers["location"] == f"/orgs/{world.S.id}/sso?done=tested"
    page = client.get(browser.headers["location"], headers=cookie(world, "S-A")).text
    assert "Test sign-in passed" in page


def test_an_admin_saves_the_provider_and_sees_the_redirect_uri(client, world, provider):
    saved = _save(client, world, provider)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"], headers=cookie(world, "S-A")).text
    assert "Single sign-on settings saved" in page
    assert "/sso/callback" in page and "tenantree-console" in page
    stored = client.get(f"/api/v1/orgs/{world.S.id}/sso", headers=world.headers("S-A")).json()
    assert stored["allowed_domains"] == ["s.example"] and stored["sso_required"] is False


def test_sso_required_is_refused_until_a_test_passes_then_allowed(
    client, world, provider, sessions
):
    assert _save(client, world, provider).status_code == 303
    page = client.get(f"/orgs/{world.S.id}/sso", headers=cookie(world, "S-A")).text
    assert "Pass a test sign-in from this session" in page

    refused = _save(client, world, provider, sso_required="on")
    assert refused.status_code == 409
    assert "test sign-in" in refused.text

    _pass_test_from_the_page(client, world, provider)
    page = client.get(f"/orgs/{world.S.id}/sso", headers=cookie(world, "S-A")).text
    assert 'data-testid="sso-tested"' in page
    required = _post(
        client,
        world,
        f"/orgs/{world.S.id}/sso",
        issuer=provider,
        client_id="tenantree-console",
        allowed_domains="s.example",
        sso_required="on",
    )
    assert required.status_code == 303, required.text
    # (Password sessions then end, the admin's own included: read the row itself.)
    with sessions() as s:
        assert s.get(SsoConfig, world.S.id).sso_required is True


def test_a_domain_the_org_has_not_verified_is_refused_by_name(client, world, provider):
    refused = _post(
        client,
        world,
        f"/orgs/{world.S.id}/sso",
        issuer=provider,
        client_id="c",
        client_secret="s",
        allowed_domains="elsewhere.example",
    )
    assert refused.status_code == 422
    assert "elsewhere.example" in refused.text


def test_removing_sso_goes_through_the_same_service(client, world, provider):
    _save(client, world, provider)
    removed = _post(client, world, f"/orgs/{world.S.id}/sso/remove")
    assert removed.status_code == 303
    assert (
        client.get(f"/api/v1/orgs/{world.S.id}/sso", headers=world.headers("S-A")).status_code
        == 404
    )


@pytest.mark.parametrize(("actor", "status"), [("S-U", 403), ("T-A", 404), ("U-A", 404)])
def test_who_may_not_manage_users_cannot_see_or_change_sso(client, world, provider, actor, status):
    page = f"/orgs/{world.S.id}/sso"
    assert client.get(page, headers=cookie(world, actor)).status_code == status
    token = csrf_of(client, "/orgs", cookie(world, actor)) if actor != "S-U" else None
    token = token or csrf_of(client, f"/orgs/{world.S.id}", cookie(world, actor))
    refused = client.post(
        f"/orgs/{world.S.id}/sso/test",
        data={"csrf_token": token},
        headers=cookie(world, actor),
        follow_redirects=False,
    )
    assert refused.status_code == status
