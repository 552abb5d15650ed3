"""Ending an account's sessions: its sign-in tokens and its SSO sessions.

Removing a person from a directory and completing a password reset end them;
authenticating (authn) then refuses the tokens from the next request.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.identity.integration_models import SsoSession
from tenantree.identity.models import AccessToken, Membership


def revoke_all_tokens(session: Session, account_id: uuid.UUID) -> None:
    session.execute(
        update(AccessToken)
        .where(AccessToken.account_id == account_id, AccessToken.revoked_at.is_(None))
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
