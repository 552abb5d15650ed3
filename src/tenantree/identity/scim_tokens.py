"""SCIM bearer tokens: each pins exactly one org's SCIM endpoint."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import keep
from tenantree.errors import Invalid, NotFound
from tenantree.identity.api_tokens import LAST_USED_RESOLUTION
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest
from tenantree.identity.integration_models import ScimToken
from tenantree.orgs.models import Org
from tenantree.pagination import Page, paginate

SCIM_TOKEN_PREFIX = "tt_scim_"  # noqa: S105


class ScimTokenNotFound(NotFound):
    code = "scim_token_not_found"


@dataclass(frozen=True)
class IssuedScimToken:
    token: ScimToken
    secret: str


def token_status(token: ScimToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def create_scim_token(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    org: Org,
    *,
    name: str,
    expires_at: datetime | None,
) -> IssuedScimToken:
    if expires_at is not None and expires_at <= clock.utcnow():
        raise Invalid("expires_at must be in the future", field="expires_at")
    secret = SCIM_TOKEN_PREFIX + new_token()
    token = ScimToken(
        org_id=org.id,
        name=name.strip(),
        token_hash=token_digest(config.secret_key, secret),
        created_by_account_id=trail.actor_id,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    trail.record(
        AuditAction.SCIM_TOKEN_CREATED,
        org_id=org.id,
        target_type="scim_token",
        target_id=token.id,
        name=token.name,
        expires_at=expires_at,
    )
    return IssuedScimToken(token, secret)


def list_scim_tokens(
    session: Session, org: Org, *, limit: int | None, cursor: str | None
) -> Page[ScimToken]:
    return paginate(
        session,
        select(ScimToken).where(ScimToken.org_id == org.id),
        sort_column=ScimToken.created_at,
        id_column=ScimToken.id,
        limit=limit,
        cursor=cursor,
    )


def revoke_scim_token(session: Session, trail: AuditTrail, org: Org, token_id: uuid.UUID) -> None:
    token = session.get(ScimToken, token_id)
    if token is None or token.org_id != org.id:
        raise ScimTokenNotFound("no such SCIM token in this org")
    if token.revoked_at is not None:
        return
    token.revoked_at = clock.utcnow()
    session.flush()
    trail.record(
        AuditAction.SCIM_TOKEN_REVOKED,
        org_id=org.id,
        target_type="scim_token",
        target_id=token.id,
        name=token.name,
    )


def scim_token_for_org(
    session: Session, config: IdentityConfig, secret: str, org_id: uuid.UUID
) -> ScimToken | None:
    """The live token for exactly this org, or None (unknown, revoked, expired, other org)."""
    if not secret.startswith(SCIM_TOKEN_PREFIX):
        return None
    token = session.scalar(
        select(ScimToken).where(ScimToken.token_hash == token_digest(config.secret_key, secret))
    )
    now = clock.utcnow()
    if token is None or token.org_id != org_id or token_status(token, now) != "active":
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Kept: the token was used even if the request it authenticates fails.
        keep(session, lambda: setattr(token, "last_used_at", now))
    return token
