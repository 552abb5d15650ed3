"""Single sign-on speaks only for domains the org has verified (tests/domains)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from factories import make_member, prove_domain
from integrations.test_sso import configure, failures, set_claims, sign_in
from tenantree.domains.models import EmailDomain
from tenantree.identity.roles import Role

pytestmark = pytest.mark.usefixtures("private_issuers")


@pytest.fixture(scope="module")
def provider():  # type: ignore[no-untyped-def]
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def _sso_body(provider: str, **overrides):  # type: ignore[no-untyped-def]
    return {
        "issuer": provider,
        "client_id": "c",
        "client_secret": "s",
        "allowed_domains": ["s.example"],
        **overrides,
    }


def _unprove(session, domain: str) -> None:  # type: ignore[no-untyped-def]
    session.execute(delete(EmailDomain).where(EmailDomain.domain == domain))
    session.commit()


@pytest.mark.parametrize("domain", ["gmail.com", "u.example", "s.example"])
def test_allowed_domains_must_be_verified_domains_of_the_org(
    client, world, provider, session, domain
):
    prove_domain(session, world.U, "u.example")  # another org's verified domain
    session.commit()
    path = f"/api/v1/orgs/{world.T.id}/sso"  # T has proven nothing
    response = client.put(
        path, json=_sso_body(provider, allowed_domains=[domain]), headers=world.headers("P-A")
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("domain_not_verified_for_org", "allowed_domains")
    assert "verified domain" in error["message"]
    assert world.U.name not in response.text and world.S.name not in response.text


def test_a_verified_domain_may_be_allowed(client, world, provider):
    body = _sso_body(provider, allowed_domains=["S.Example."])
    response = client.put(f"/api/v1/orgs/{world.S.id}/sso", json=body, headers=world.headers("S-A"))
    assert response.status_code == 200, response.text
    assert response.json()["allowed_domains"] == ["s.example"]


def test_routing_by_email_goes_only_to_the_org_that_verified_the_domain(
    client, world, provider, session
):
    configure(client, world, world.S, provider)
    found = client.get("/sign-in/sso?email=ana@s.example", follow_redirects=False)
    assert found.headers["location"] == f"/sso/orgs/{world.S.id}/start?console=1"

    _unprove(session, "s.example")  # e.g. the operator revoked it
    page = client.get("/sign-in/sso?email=ana@s.example", follow_redirects=False)
    assert page.status_code == 200
    assert "No single sign-on is set up" in page.text
    assert world.S.name not in page.text


def test_just_in_time_creation_only_in_a_verified_domain(client, world, provider, session):
    configure(client, world, world.S, provider, jit_role="user")
    _unprove(session, "s.example")
    set_claims(provider, "newcomer", email="newcomer@s.example", email_verified=True)
    assert sign_in(client, world.S, "newcomer").status_code == 401
    assert failures(session) == ["email_domain_not_verified"]


def test_a_provider_cannot_sign_in_as_a_member_the_org_does_not_manage(
    client, world, provider, session, identity
):
    # A partner admin's IdP asserts the address of someone whose domain S never proved.
    configure(client, world, world.S, provider)
    make_member(session, identity, world.S, email="boss@s.example", role=Role.ADMIN)
    session.commit()
    _unprove(session, "s.example")
    set_claims(provider, "impostor", email="boss@s.example", email_verified=True)
    assert sign_in(client, world.S, "impostor").status_code == 401
    assert failures(session) == ["email_domain_not_verified"]
