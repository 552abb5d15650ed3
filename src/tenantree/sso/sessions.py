"""Bearer tokens from SSO sign-ins: each acts only in the org whose provider issued it.

An org's identity provider vouches for people in that org's directory only,
so the Actor it yields carries that one entry, whatever else the account
holds elsewhere (the same rule as API tokens).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.facts import load_actor
from tenantree.access.policy import Actor, one_org_actor
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest
from tenantree.identity.errors import InvalidToken
from tenantree.identity.integration_models import SsoSession
from tenantree.identity.models import Account, Membership, MemberStatus

SSO_SESSION_PREFIX = "tt_sso_"  # noqa: S105


def issue_sso_session(
    session: Session, config: IdentityConfig, membership: Membership
) -> tuple[str, SsoSession]:
    secret = SSO_SESSION_PREFIX + new_token()
    row = SsoSession(
        membership_id=membership.id,
        token_hash=token_digest(config.secret_key, secret),
        expires_at=clock.utcnow() + config.token_ttl,
    )
    session.add(row)
    session.flush()
    return secret, row


def authenticate_sso_session(
    session: Session, config: IdentityConfig, secret: str
) -> tuple[Account, Actor]:
    row = session.scalar(
        select(SsoSession).where(SsoSession.token_hash == token_digest(config.secret_key, secret))
    )
    if row is None:
        raise InvalidToken("the bearer token is not valid")
    if row.revoked_at is not None or row.expires_at <= clock.utcnow():
        raise InvalidToken("the bearer token has expired or was revoked")
    membership = session.get(Membership, row.membership_id)
    if membership is None:
        raise InvalidToken("the bearer token is not valid")
    if membership.status != MemberStatus.ACTIVE:
        raise InvalidToken("your account is suspended", code="user_suspended")
    account = membership.account
    return account, one_org_actor(membership.org_id, load_actor(session, account))


def revoke_sso_session(session: Session, config: IdentityConfig, secret: str) -> None:
    session.execute(
        update(SsoSession)
        .where(
            SsoSession.token_hash == token_digest(config.secret_key, secret),
            SsoSession.revoked_at.is_(None),
        )
        .values(revoked_at=clock.utcnow())
    )


def revoke_account_sso_sessions(session: Session, account_id: uuid.UUID) -> None:
    """End every SSO session of the account, in whichever org (e.g. after a password reset)."""
    session.execute(
        update(SsoSession)
        .where(
            SsoSession.membership_id.in_(
                select(Membership.id).where(Membership.account_id == account_id)
            ),
            SsoSession.revoked_at.is_(None),
        )
        .values(revoked_at=clock.utcnow())
    )
