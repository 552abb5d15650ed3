"""The sign-in: authorization code with PKCE, `state` and `nonce`, via authlib.

`start_sign_in` records a single-use login (state hashed, PKCE verifier
encrypted) and returns the provider's authorization URL. `finish_sign_in`
exchanges the code, has authlib check the ID token (signature against the
provider's JWKS, issuer, audience, expiry, nonce), then matches the person to
the org's directory: by the stored subject, else by a verified email in an
allowed domain the org has proven (its managed accounts), else (if enabled) a
just-in-time entry, in such a domain too. The session it issues
acts only in that org. Every success and failure is audited.
"""

from __future__ import annotations

import secrets
import time
import uuid
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from authlib.integrations.base_client.sync_app import BaseApp, OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin

with warnings.catch_warnings():
    # authlib prefers the httpx2 fork; httpx (pinned) is what this project uses.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import keep
from tenantree.domains.managed import manages
from tenantree.domains.names import email_domain
from tenantree.errors import NotAuthenticated
from tenantree.identity.accounts import find_account, normalize_email
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import token_digest
from tenantree.identity.integration_models import SsoConfig, SsoIdentity, SsoLogin
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus
from tenantree.identity.throttle import Throttle, reserve
from tenantree.orgs.models import Org
from tenantree.sso import issuer
from tenantree.sso.crypto import decrypt, encrypt
from tenantree.sso.sessions import issue_sso_session

LOGIN_TTL = timedelta(minutes=10)
LEEWAY_SECONDS = 30
SCOPE = "openid email profile"


class SsoFailed(NotAuthenticated):
    code = "sso_failed"


class _Framework:
    name = "tenantree"

    def update_token(self, *args: Any, **kwargs: Any) -> None:  # no token storage
        return None


class _OpenIDClient(OAuth2Mixin, OpenIDMixin, BaseApp):
    client_cls = OAuth2Client


def openid_client(identity: IdentityConfig, config: SsoConfig) -> _OpenIDClient:
    """A client whose every connection to the provider is guarded (sso.issuer);
    the discovery document comes from its cache, SsoProviderUnavailable if it cannot."""
    allow_private = identity.sso_allow_private_issuers
    client = _OpenIDClient(
        _Framework(),
        name="tenantree",
        client_id=config.client_id,
        client_secret=decrypt(identity.secret_key, config.client_secret_encrypted),
        server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            **issuer.client_kwargs(allow_private=allow_private),
        },
    )
    client.server_metadata.update(issuer.discovery(config.issuer, allow_private=allow_private))
    client.server_metadata["_loaded_at"] = time.time()  # authlib: do not fetch it again
    return client


def redirect_uri(identity: IdentityConfig) -> str:
    return f"{identity.public_base_url}/sso/callback"


SSO_START_THROTTLE = Throttle(
    code="sso_start_throttled",
    message="too many single sign-on attempts; try again later",
    refused_action=AuditAction.AUTH_SSO_START_THROTTLED,
)


def start_sign_in(
    session: Session,
    trail: AuditTrail,
    identity: IdentityConfig,
    org: Org | None,
    *,
    client_address: str,
    test_by: tuple[uuid.UUID, str] | None = None,
) -> str:
    """The provider's authorization URL. `test_by` (an admin's account id and
    session token) makes it a test sign-in: its callback only records that the
    admin got through the provider (sso.config: before SSO is made required)."""
    # Anonymous, and each start fetches from the provider and stores a row:
    # throttled per client address before anything else, known org or not.
    reserve(
        session,
        trail,
        SSO_START_THROTTLE,
        [(identity.limits.sso_start_address, client_address)],
        client_address=client_address,
    )
    config = session.get(SsoConfig, org.id) if org is not None else None
    if config is None or org is None or not org.is_active:
        raise SsoFailed("this org offers no single sign-on")
    client = openid_client(identity, config)
    state = secrets.token_urlsafe(32)
    started = client.create_authorization_url(redirect_uri(identity), state=state)
    session.add(
        SsoLogin(
            org_id=org.id,
            state_hash=token_digest(identity.secret_key, state),
            nonce=started["nonce"],
            code_verifier_encrypted=encrypt(identity.secret_key, started["code_verifier"]),
            redirect_uri=redirect_uri(identity),
            expires_at=clock.utcnow() + LOGIN_TTL,
            test_account_id=test_by[0] if test_by else None,
            test_session_hash=token_digest(identity.secret_key, test_by[1]) if test_by else None,
        )
    )
    session.flush()
    return str(started["url"])


def exchange_code(client: _OpenIDClient, login: SsoLogin, code: str, verifier: str) -> dict:  # type: ignore[type-arg]
    return client.fetch_access_token(  # type: ignore[no-any-return]
        redirect_uri=login.redirect_uri, code=code, code_verifier=verifier
    )


def validate_id_token(client: _OpenIDClient, config: SsoConfig, token: dict, nonce: str) -> dict:  # type: ignore[type-arg]
    """authlib checks signature, iss, aud, exp/iat and nonce; never hand-written."""
    if not token or "id_token" not in token:
        raise SsoFailed("the provider returned no ID token")
    metadata = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer:
        raise SsoFailed("the provider's discovery document names another issuer")
    claims = client.parse_id_token(
        token,
        nonce=nonce,
        claims_options={
            "iss": {"essential": True, "values": [metadata["issuer"]]},
            "aud": {"essential": True, "values": [config.client_id]},
            "sub": {"essential": True},
            "exp": {"essential": True},
        },
        leeway=LEEWAY_SECONDS,
    )
    return dict(claims)


def finish_sign_in(
    session: Session,
    trail: AuditTrail,
    identity: IdentityConfig,
    *,
    state: str,
    code: str | None,
    error: str | None = None,
) -> tuple[str, Membership] | SsoTestPassed:
    """Returns a bearer token for the matched entry, or SsoTestPassed when a test sign-in
    passed. On failure (SsoFailed, a 401) the audit event and the used state are
    kept through the rollback."""
    login = session.scalar(
        select(SsoLogin).where(SsoLogin.state_hash == token_digest(identity.secret_key, state))
    )
    now = clock.utcnow()
    if login is None or login.used_at is not None or login.expires_at <= now:
        _fail(trail, None, "unknown_or_used_state")
    assert login is not None
    # Single use even when this sign-in fails: kept through its rollback.
    login_id = login.id

    def mark_used() -> None:
        session.execute(update(SsoLogin).where(SsoLogin.id == login_id).values(used_at=now))

    keep(session, mark_used)
    config = session.get(SsoConfig, login.org_id)
    org = session.get(Org, login.org_id)
    if config is None or org is None or not org.is_active:
        _fail(trail, login.org_id, "sso_not_configured")
    assert config is not None
    if error or not code:
        _fail(trail, login.org_id, f"provider_error:{error or 'no_code'}")
    verifier = decrypt(identity.secret_key, login.code_verifier_encrypted)
    try:
        client = openid_client(identity, config)
        token = exchange_code(client, login, str(code), verifier)
        claims = validate_id_token(client, config, token, login.nonce)
    except (SsoFailed, issuer.SsoProviderUnavailable) as exc:
        _fail(trail, login.org_id, exc.message)
    except Exception as exc:  # authlib/joserfc/httpx errors: all a refusal
        _fail(trail, login.org_id, f"{type(exc).__name__}: {exc}"[:300])
    if login.test_account_id is not None:
        _pass_test(session, trail, login, claims)
        return SsoTestPassed(login.org_id)
    membership = _match(session, trail, config, claims)
    secret, _ = issue_sso_session(session, identity, membership)
    trail.as_actor(membership.account_id, login.org_id).record(
        AuditAction.AUTH_SSO_SIGNED_IN,
        org_id=login.org_id,
        target_type="user",
        target_id=membership.id,
        subject=claims["sub"],
        issuer=config.issuer,
    )
    return secret, membership


@dataclass(frozen=True)
class SsoTestPassed:
    """A test sign-in passed: nothing is issued; the org whose settings it proved."""

    org_id: uuid.UUID


def _pass_test(session: Session, trail: AuditTrail, login: SsoLogin, claims: dict) -> None:  # type: ignore[type-arg]
    """A test passes when the provider signed in the admin who started it (their
    verified email): nothing is created or linked."""
    admin = session.get(Account, login.test_account_id)
    email = normalize_email(str(claims.get("email") or ""))
    if admin is None or claims.get("email_verified") is False or email != admin.email:
        _fail(trail, login.org_id, "test_signed_in_someone_else", email=email)
    login.test_passed_at = clock.utcnow()
    trail.as_actor(login.test_account_id, None).record(
        AuditAction.SSO_TEST_PASSED,
        org_id=login.org_id,
        target_type="sso_config",
        target_id=login.org_id,
        subject=claims["sub"],
    )


def _match(session: Session, trail: AuditTrail, config: SsoConfig, claims: dict) -> Membership:  # type: ignore[type-arg]
    org_id = config.org_id
    subject = str(claims["sub"])
    known = session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.org_id == org_id,
            SsoIdentity.issuer == config.issuer,
            SsoIdentity.subject == subject,
        )
    )
    if known is not None:
        membership = session.get(Membership, known.membership_id)
        assert membership is not None
        return _usable(trail, membership)
    email = normalize_email(str(claims.get("email") or ""))
    if not email or "@" not in email:
        _fail(trail, org_id, "no_email_claim")
    if claims.get("email_verified") is False:
        _fail(trail, org_id, "email_not_verified", email=email)
    if email_domain(email) not in config.allowed_domains:
        _fail(trail, org_id, "email_domain_not_allowed", email=email)
    if not manages(session, org_id, email):
        # The provider vouches for an address only in a domain the org proved
        # (verified then, and still): no one else's account, no one else's domain.
        _fail(trail, org_id, "email_domain_not_verified", email=email)
    account = find_account(session, email)
    membership = None
    if account is not None:
        membership = session.scalar(
            select(Membership).where(
                Membership.org_id == org_id, Membership.account_id == account.id
            )
        )
    if membership is None:
        if config.jit_role is None:
            _fail(trail, org_id, "not_in_directory", email=email)
        if account is None:
            account = Account(
                email=email, display_name=str(claims.get("name") or ""), password_hash=None
            )
            session.add(account)
            session.flush()
        membership = Membership(org_id=org_id, account_id=account.id, role=config.jit_role)
        session.add(membership)
        session.flush()
        trail.record(
            AuditAction.SSO_USER_CREATED,
            org_id=org_id,
            target_type="user",
            target_id=membership.id,
            email=email,
            role=config.jit_role,
        )
    elif session.get(SsoIdentity, membership.id) is not None:
        # This entry is already bound to another subject of the provider.
        _fail(trail, org_id, "subject_mismatch", email=email)
    session.add(
        SsoIdentity(
            membership_id=membership.id, org_id=org_id, issuer=config.issuer, subject=subject
        )
    )
    session.flush()
    return _usable(trail, membership)


def _usable(trail: AuditTrail, membership: Membership) -> Membership:
    if membership.status != MemberStatus.ACTIVE:
        _fail(trail, membership.org_id, "user_suspended", user_id=str(membership.id))
    return membership


def _fail(trail: AuditTrail, org_id: Any, reason: str, **details: Any) -> None:
    # The failure is audited although the sign-in's work is rolled back.
    keep(
        trail.session,
        lambda: trail.record(
            AuditAction.AUTH_SSO_FAILED,
            org_id=org_id,
            target_type="sso",
            target_id=None,
            reason=reason,
            **details,
        ),
    )
    raise SsoFailed("single sign-on failed")
