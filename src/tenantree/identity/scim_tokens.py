"""SCIM bearer tokens: each pins exactly one org's SCIM endpoint."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import NotFound
from tenantree.identity.context import IdentityConfig
from tenantree.identity.integration_models import ScimToken
from tenantree.identity.token_store import Issued, TokenStore, stamp_last_used, token_status
from tenantree.orgs.models import Org
from tenantree.pagination import Page

SCIM_TOKEN_PREFIX = "tt_scim_"  # noqa: S105


class ScimTokenNotFound(NotFound):
    code = "scim_token_not_found"


SCIM_TOKENS = TokenStore(
    model=ScimToken,
    prefix=SCIM_TOKEN_PREFIX,
    target_type="scim_token",
    created=AuditAction.SCIM_TOKEN_CREATED,
    revoked=AuditAction.SCIM_TOKEN_REVOKED,
    not_found=ScimTokenNotFound,
    not_found_message="no such SCIM token in this org",
)
IssuedScimToken = Issued[ScimToken]

__all__ = ["SCIM_TOKENS", "IssuedScimToken", "ScimTokenNotFound", "token_status"]


def create_scim_token(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    org: Org,
    *,
    name: str,
    expires_at: datetime | None,
) -> IssuedScimToken:
    return SCIM_TOKENS.create(session, trail, config, org, name=name, expires_at=expires_at)


def list_scim_tokens(
    session: Session, org: Org, *, limit: int | None, cursor: str | None
) -> Page[ScimToken]:
    return SCIM_TOKENS.list(session, org, limit=limit, cursor=cursor)


def listed_scim_tokens(
    session: Session, org: Org, *, q: str | None, sort: str, descending: bool
) -> list[ScimToken]:
    """The console's list: found by name, ordered by the database."""
    return SCIM_TOKENS.listed(session, org, q=q, sort=sort, descending=descending)


def get_scim_token(session: Session, org: Org, token_id: uuid.UUID) -> ScimToken:
    return SCIM_TOKENS.get(session, org, token_id)


def revoke_scim_token(session: Session, trail: AuditTrail, org: Org, token_id: uuid.UUID) -> None:
    SCIM_TOKENS.revoke(session, trail, org, token_id)


def scim_token_for_org(
    session: Session, config: IdentityConfig, secret: str, org_id: uuid.UUID
) -> ScimToken | None:
    """The live token for exactly this org, or None (unknown, revoked, expired, other org)."""
    token = SCIM_TOKENS.find(session, config, secret)
    now = clock.utcnow()
    if token is None or token.org_id != org_id or token_status(token, now) != "active":
        return None
    stamp_last_used(session, token, now)  # before anything else happens in this request
    return token
