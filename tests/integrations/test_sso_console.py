"""Single sign-on from the web console, against a real OpenID provider on loopback."""

import dataclasses
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from oidc_provider_mock import run_server_in_thread

from factories import build_world, prove_domain
from tenantree.api.routes.sso import CONSOLE_COOKIE
from tenantree.web.cookie_session import SESSION_COOKIE

# The mock provider runs on loopback over plain http.
pytestmark = pytest.mark.usefixtures("private_issuers")


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def world(session, identity):
    built = build_world(session, identity)
    prove_domain(session, built.S, "example.com")
    session.commit()
    return built


def _configure(client, world, issuer):
    body = {
        "issuer": issuer,
        "client_id": "tenantree-console",
        "client_secret": "provider-secret",
        "allowed_domains": ["example.com"],
        "sso_required": False,
        "jit_role": None,
    }
    response = client.put(f"/api/v1/orgs/{world.S.id}/sso", json=body, headers=world.headers("S-A"))
    assert response.status_code == 200, response.text


def _at_provider(url, sub, email):
    issuer = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    claims = httpx.put(f"{issuer}/users/{sub}", json={"email": email, "email_verified": True})
    assert claims.status_code == 204, claims.text
    chosen = httpx.post(url, data={"sub": sub}, follow_redirects=False)
    assert chosen.status_code == 302, chosen.text
    return urlsplit(chosen.headers["location"]).query


def test_console_sign_in_by_email_domain_ends_in_a_console_session(client, world, provider):
    _configure(client, world, provider)
    found = client.get("/sign-in/sso?email=someone@example.com", follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == f"/sso/orgs/{world.S.id}/start?console=1"

    start = client.get(found.headers["location"], follow_redirects=False)
    assert start.status_code == 302
    assert CONSOLE_COOKIE in start.cookies
    query = _at_provider(start.headers["location"], "s-admin", "s-a@example.com")
    back = client.get("/sso/callback?" + query, follow_redirects=False)
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/orgs"
    token = back.cookies.get(SESSION_COOKIE)
    assert token and token.startswith("tt_sso_")

    client.cookies.set(SESSION_COOKIE, token)
    orgs = client.get("/orgs")
    assert orgs.status_code == 200
    assert world.S.name in orgs.text


def test_a_callback_from_another_browser_gets_no_console_session(client, world, provider):
    # The binding cookie is missing: the flow answers as the API does, never with a cookie.
    _configure(client, world, provider)
    start = client.get(f"/sso/orgs/{world.S.id}/start?console=1", follow_redirects=False)
    query = _at_provider(start.headers["location"], "s-admin-2", "s-a@example.com")
    client.cookies.clear()
    back = client.get("/sso/callback?" + query, follow_redirects=False)
    assert back.status_code == 200, back.text
    assert SESSION_COOKIE not in back.cookies
    assert back.json()["token_type"] == "bearer"


def test_a_failed_console_sign_on_returns_to_the_sign_in_page_with_a_message(
    client, world, provider
):
    _configure(client, world, provider)
    start = client.get(f"/sso/orgs/{world.S.id}/start?console=1", follow_redirects=False)
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    back = client.get(f"/sso/callback?state={state}&error=access_denied", follow_redirects=False)
    assert back.status_code == 303
    assert back.headers["location"] == "/sign-in?sso_failed=1"
    page = client.get(back.headers["location"])
    assert "Single sign-on did not succeed" in page.text


def test_an_unknown_email_domain_says_no_sign_on_is_set_up(client, world):
    page = client.get("/sign-in/sso?email=someone@nowhere.example")
    assert page.status_code == 200
    assert "No single sign-on is set up" in page.text


def test_the_sign_in_page_offers_single_sign_on_by_email(client, world):
    page = client.get("/sign-in")
    assert 'action="/sign-in/sso"' in page.text


class _Dns:
    """A DomainVerifier double holding the TXT records the test publishes."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}

    def txt_records(self, name: str) -> list[str]:
        return self.records.get(name, [])


def test_the_sign_in_page_of_an_orgs_custom_domain_offers_its_single_sign_on(
    app, client, world, provider
):
    _configure(client, world, provider)
    dns = _Dns()
    services = app.state.services
    original = services.branding
    services.branding = dataclasses.replace(original, verifier=dns)
    try:
        path = f"/api/v1/orgs/{world.S.id}/branding"
        saved = client.put(
            path, json={"custom_domain": "portal.s.example"}, headers=world.headers("OP")
        )
        assert saved.status_code == 200, saved.text
        (claim,) = saved.json()["domains"]
        dns.records[claim["txt_record_name"]] = [claim["txt_record_value"]]
        verified = client.post(
            path + "/domain/verify",
            json={"hostname": "portal.s.example"},
            headers=world.headers("OP"),
        )
        assert verified.status_code == 200, verified.text
        assert client.post(path + "/publish", headers=world.headers("OP")).status_code == 200
    finally:
        services.branding = original

    page = client.get("/sign-in", headers={"Host": "portal.s.example"})
    assert f'href="/sso/orgs/{world.S.id}/start?console=1"' in page.text
    plain = client.get("/sign-in")
    assert "/start?console=1" not in plain.text
