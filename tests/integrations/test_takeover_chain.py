"""The takeover chain, end to end: an admin of an unrelated org (U-A, of U)
tries to take over a partner's primary admin (P-PA, p-pa@example.com) and read
the partner's MSP, by every route an org admin steers.

U-A brands U with a custom domain it verified, relays U's mail through its own
SMTP server (a real aiosmtpd sink) and signs in its people through its own
identity provider (oidc-provider-mock). Then:

(a) SCIM `POST /Users` with the victim's email. Without consent before
    enrolment the entry was active at once and bound the victim's account to U.
    Here it exists for the provider (RFC 7644) but is inactive and grants
    nothing; the consent invitation it sends travels through U's relay, so U-A
    holds its token, and without the sign-in rule that token alone bound the
    account. Here it is refused.
(b) SSO just in time: U's provider asserts `email_verified` for the victim.
    Without verified domains U could list example.com and its provider signed
    in as the victim (or made the entry); here U can allow only what it proved,
    and the sign-in fails.
(c) `POST /api/v1/auth/password-reset` for the victim with `Host:` U's domain.
    Without platform-owned account mail the reset went through U's relay with
    a link on U's domain, and U-A confirmed it. Here it goes through the
    platform's sender with the platform's base URL, and U's relay sees nothing.

Finally U-A never signs in as the victim and never reads P.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.utils import parseaddr

import pytest
from sqlalchemy import select

from branding.conftest import BrandApi
from branding.conftest import dns as dns  # noqa: F401 - the DNS double fixture
from branding.conftest import private_relays as private_relays  # noqa: F401
from branding.conftest import smtp_server as smtp_server  # noqa: F401
from factories import PASSWORD, bearer, prove_domain
from integrations.test_sso import configure, failures, set_claims, sign_in
from tenantree.identity.models import Account, Membership

pytestmark = pytest.mark.usefixtures("private_issuers", "private_relays")

VICTIM = "p-pa@example.com"
ATTACKER_DOMAIN = "login.u.example"
ATTACKER_PASSWORD = "the attacker's chosen passphrase"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
_TOKEN = re.compile(r"token=([A-Za-z0-9_\-]+)")


@pytest.fixture(scope="module")
def provider():  # type: ignore[no-untyped-def]
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def _attacker_tooling(client, world, dns, sessions, smtp_server, session, provider):  # type: ignore[no-untyped-def]
    """U-A's own gear: U's brand on a domain it proved, its relay, its IdP."""
    prove_domain(session, world.U, "u.example")
    session.commit()
    brand_api = BrandApi(client, world, dns, sessions)
    brand_api.brand(
        "U",
        "U-A",
        product_name="Totally Legit Cloud",
        email_from_name="Security Team",
        email_from_address="security@u.example",
    )
    brand_api.claim_and_verify("U", ATTACKER_DOMAIN, "U-A")
    brand_api.relay_through("U", smtp_server, "U-A")
    configure(
        client,
        world,
        world.U,
        provider,
        actor="U-A",
        allowed_domains=["u.example"],
        jit_role="admin",
    )
    token = client.post(
        f"/api/v1/orgs/{world.U.id}/scim-tokens",
        json={"name": "attacker-idp"},
        headers=world.headers("U-A"),
    )
    assert token.status_code == 201, token.text
    return token.json()["token"]


def _bound_to_u(session, world) -> bool:  # type: ignore[no-untyped-def]
    """Is the victim's account an entry of U that grants anything?"""
    session.rollback()  # a fresh snapshot
    entry = session.scalar(
        select(Membership)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.org_id == world.U.id, Account.email == VICTIM)
    )
    return entry is not None and not entry.awaiting_consent and entry.status == "active"


def _relayed_tokens(smtp_server) -> list[str]:  # type: ignore[no-untyped-def]
    """Every token in the mail U's relay received (what U-A can read)."""
    texts = [
        email.message_from_bytes(m.content, policy=email.policy.default)
        .get_body(("plain",))
        .get_content()
        for m in smtp_server.messages
    ]
    return [t for text in texts for t in _TOKEN.findall(text)]


def test_an_unrelated_org_admin_cannot_take_over_a_partners_primary_admin(  # noqa: PLR0915
    client, world, provider, dns, sessions, smtp_server, session, outbox, identity
):
    scim_token = _attacker_tooling(client, world, dns, sessions, smtp_server, session, provider)
    victim_hash = world.accounts["P-PA"].password_hash
    attacker = world.headers("U-A")

    # (a) SCIM: the entry exists for the provider, inactive, granting nothing.
    created = client.post(
        f"/scim/v2/orgs/{world.U.id}/Users",
        json={
            "schemas": [USER_SCHEMA],
            "userName": VICTIM,
            "emails": [{"value": VICTIM, "primary": True}],
            "active": True,
            "roles": [{"value": "admin", "primary": True}],
        },
        headers={**bearer(scim_token), "Content-Type": "application/scim+json"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["active"] is False
    assert not _bound_to_u(session, world)
    # The consent invitation went out through U's relay: U-A holds its token.
    outbox.deliver()
    relayed = _relayed_tokens(smtp_server)
    assert relayed, "the consent invitation should have reached U's relay"
    for token in relayed:
        accepted = client.post("/api/v1/invitations/accept", json={"token": token})
        assert accepted.status_code == 403, accepted.text
        assert accepted.json()["error"]["code"] == "sign_in_to_accept"
    assert not _bound_to_u(session, world)

    # (b) SSO just in time: U's provider vouches for the victim's address.
    set_claims(provider, "victim-at-u", email=VICTIM, email_verified=True)
    assert sign_in(client, world.U, "victim-at-u").status_code == 401
    assert failures(session)[-1] == "email_domain_not_allowed"
    widened = client.put(
        f"/api/v1/orgs/{world.U.id}/sso",
        json={
            "issuer": provider,
            "client_id": "c",
            "client_secret": "s",
            "allowed_domains": ["example.com"],
            "jit_role": "admin",
        },
        headers=attacker,
    )
    assert widened.status_code == 422, widened.text
    assert not _bound_to_u(session, world)

    # (c) The reset, asked through U's domain: the platform's mail, not U's.
    messages_at_u = len(smtp_server.messages)
    asked = client.post(
        "/api/v1/auth/password-reset", json={"email": VICTIM}, headers={"host": ATTACKER_DOMAIN}
    )
    assert asked.status_code == 202, asked.text
    outbox.deliver()
    assert len(smtp_server.messages) == messages_at_u  # nothing more through U's relay
    (reset,) = [m for m in outbox.backend.sent if m.to == VICTIM and "reset-password" in m.text]
    assert parseaddr(reset.sender)[1] == parseaddr(identity.outbox.sender)[1]
    assert "Totally Legit" not in reset.subject + reset.text
    assert ATTACKER_DOMAIN not in reset.text + reset.html
    assert f"{identity.public_base_url}/reset-password?token=" in reset.text

    # Whatever U-A got hold of, it is never the victim, and never reads P.
    for token in _relayed_tokens(smtp_server):
        confirmed = client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": token, "password": ATTACKER_PASSWORD},
        )
        assert confirmed.status_code == 422, confirmed.text
    assert client.post(
        "/api/v1/auth/login", json={"email": VICTIM, "password": ATTACKER_PASSWORD}
    ).status_code in (401, 429)
    session.rollback()
    victim = session.scalar(select(Account).where(Account.email == VICTIM))
    assert victim.password_hash == victim_hash
    assert client.get(f"/api/v1/orgs/{world.P.id}", headers=attacker).status_code in (403, 404)
    assert client.get(f"/api/v1/orgs/{world.P.id}/users", headers=attacker).status_code in (
        403,
        404,
    )
    assert not _bound_to_u(session, world)
    # The victim is untouched: their password still works, P is still theirs,
    # and U waits for their answer in their own list.
    signed_in = client.post("/api/v1/auth/login", json={"email": VICTIM, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    victim_headers = bearer(signed_in.json()["access_token"])
    assert client.get(f"/api/v1/orgs/{world.P.id}", headers=victim_headers).status_code == 200
    pending = client.get("/api/v1/me/invitations", headers=victim_headers).json()["items"]
    assert [i["org_id"] for i in pending] == [str(world.U.id)]
