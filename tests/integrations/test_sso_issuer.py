"""An org's SSO issuer cannot make the server connect inside its own network.

The issuer must be https to a public host when saved, and every connection is
checked against the address the name resolves to then (DNS rebinding). A
provider that cannot be reached is a 503 (or an error page), never a 500.
"""

import socket

import pytest
from oidc_provider_mock import run_server_in_thread

from tenantree.identity.integration_models import SsoConfig
from tenantree.sso import issuer
from tenantree.sso.crypto import encrypt


def _put(client, world, issuer_url):  # type: ignore[no-untyped-def]
    body = {
        "issuer": issuer_url,
        "client_id": "tenantree",
        "client_secret": "provider-secret",
        "allowed_domains": ["s.example"],
        "sso_required": False,
        "jit_role": None,
    }
    return client.put(f"/api/v1/orgs/{world.S.id}/sso", json=body, headers=world.headers("S-A"))


@pytest.mark.parametrize(
    "issuer_url",
    [
        "http://127.0.0.1:8080/realms/x",
        "https://127.0.0.1/realms/x",
        "https://10.0.0.5",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x",
        "https://localhost/x",
        "https://idp.localhost/x",
        "https://intranet/x",
        "http://login.example.com/tenant",
        "https://user@login.example.com/tenant",
        "https://login.example.com[/tenant",
        "https://login.example.com:99999/tenant",
    ],
)
def test_an_issuer_that_is_not_https_to_a_public_host_is_refused(client, world, issuer_url):  # type: ignore[no-untyped-def]
    response = _put(client, world, issuer_url)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "issuer"


def test_a_public_https_issuer_is_accepted(client, world):  # type: ignore[no-untyped-def]
    response = _put(client, world, "https://login.example.com/tenant/v2.0/")
    assert response.status_code == 200, response.text
    assert response.json()["issuer"] == "https://login.example.com/tenant/v2.0"


@pytest.fixture
def rebinding(session, identity, world, monkeypatch):  # type: ignore[no-untyped-def]
    """S's issuer is a public-looking name that now resolves to loopback."""
    session.add(
        SsoConfig(
            org_id=world.S.id,
            issuer="https://idp.rebind.example",
            client_id="tenantree",
            client_secret_encrypted=encrypt(identity.secret_key, "provider-secret"),
            allowed_domains=["s.example"],
            sso_required=False,
        )
    )
    session.commit()
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolve(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "idp.rebind.example":
            asked.append(host)
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    issuer.forget("https://idp.rebind.example")
    return asked


def test_an_issuer_resolving_to_a_private_address_is_not_connected_to(client, world, rebinding):  # type: ignore[no-untyped-def]
    response = client.get(f"/sso/orgs/{world.S.id}/start", follow_redirects=False)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "sso_provider_unavailable"
    assert rebinding == ["idp.rebind.example"]


def test_a_console_start_with_an_unreachable_provider_shows_an_error_page(client, world, rebinding):  # type: ignore[no-untyped-def]
    response = client.get(f"/sso/orgs/{world.S.id}/start?console=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?sso_unavailable=1"
    page = client.get(response.headers["location"])
    assert page.headers["content-type"].startswith("text/html")
    assert "identity provider could not be reached" in page.text


@pytest.mark.usefixtures("private_issuers")
def test_a_provider_that_is_down_is_a_503(client, world):  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    assert _put(client, world, f"http://127.0.0.1:{port}").status_code == 200
    response = client.get(f"/sso/orgs/{world.S.id}/start", follow_redirects=False)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "sso_provider_unavailable"


@pytest.mark.usefixtures("private_issuers")
def test_discovery_is_fetched_once_per_issuer_for_a_while(client, world, monkeypatch):  # type: ignore[no-untyped-def]
    fetched: list[str] = []
    real = issuer._fetch

    def counting(url, allow_private):  # type: ignore[no-untyped-def]
        fetched.append(url)
        return real(url, allow_private)

    monkeypatch.setattr(issuer, "_fetch", counting)
    with run_server_in_thread() as server:
        provider = f"http://localhost:{server.server_port}"
        # An earlier test's provider on the same port may still be cached.
        issuer.forget(provider)
        assert _put(client, world, provider).status_code == 200
        for _ in range(3):
            start = client.get(f"/sso/orgs/{world.S.id}/start", follow_redirects=False)
            assert start.status_code == 302, start.text
    assert fetched == [f"{provider}/.well-known/openid-configuration"]
