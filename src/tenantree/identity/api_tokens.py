"""API tokens: named, role-bearing service accounts in one org's directory.

Creating a token makes a sign-in-less Account and one Membership for it in the
org, with the token's role. The token therefore reaches exactly what a person
with that role and entry reaches (partner delegation and `partner_users`
lists included), and the policy needs no special case. The Actor built for a
token carries only that one entry, so a token can never act anywhere else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.facts import load_actor
from tenantree.access.models import SubOrgPartnerUser
from tenantree.access.policy import Actor
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import keep
from tenantree.errors import Conflict, Invalid, NotFound
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest
from tenantree.identity.errors import InvalidToken
from tenantree.identity.integration_models import ApiToken
from tenantree.identity.models import Account, Membership, MemberStatus, Role
from tenantree.orgs.models import Org
from tenantree.pagination import Page, paginate

# Lets `authenticate` tell token kinds apart, and secret scanners find leaks.
API_TOKEN_PREFIX = "tt_api_"  # noqa: S105
SERVICE_ACCOUNT_DOMAIN = "api-tokens.tenantree.invalid"
# last_used_at is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenNotFound(NotFound):
    code = "api_token_not_found"


class ApiTokenNameTaken(Conflict):
    code = "api_token_name_taken"


@dataclass(frozen=True)
class IssuedApiToken:
    token: ApiToken
    secret: str


def create_api_token(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    org: Org,
    *,
    name: str,
    role: Role,
    expires_at: datetime | None,
) -> IssuedApiToken:
    name = name.strip()
    if expires_at is not None and expires_at <= clock.utcnow():
        raise Invalid("expires_at must be in the future", field="expires_at")
    taken = session.scalar(
        select(ApiToken.id).where(
            ApiToken.org_id == org.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    )
    if taken is not None:
        raise ApiTokenNameTaken("this org already has a live API token of that name", field="name")
    token_id = uuid.uuid4()
    account = Account(
        email=f"{token_id}@{SERVICE_ACCOUNT_DOMAIN}", display_name=name, password_hash=None
    )
    session.add(account)
    session.flush()
    membership = Membership(org_id=org.id, account_id=account.id, role=role)
    session.add(membership)
    session.flush()
    secret = API_TOKEN_PREFIX + new_token()
    token = ApiToken(
        id=token_id,
        org_id=org.id,
        membership_id=membership.id,
        account_id=account.id,
        name=name,
        role=role,
        token_hash=token_digest(config.secret_key, secret),
        created_by_account_id=trail.actor_id,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    trail.record(
        AuditAction.API_TOKEN_CREATED,
        org_id=org.id,
        target_type="api_token",
        target_id=token.id,
        name=name,
        role=role.value,
        user_id=membership.id,
        expires_at=expires_at,
    )
    return IssuedApiToken(token, secret)


def list_api_tokens(
    session: Session, org: Org, *, limit: int | None, cursor: str | None
) -> Page[ApiToken]:
    return paginate(
        session,
        select(ApiToken).where(ApiToken.org_id == org.id),
        sort_column=ApiToken.created_at,
        id_column=ApiToken.id,
        limit=limit,
        cursor=cursor,
    )


def get_api_token(session: Session, org: Org, token_id: uuid.UUID) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.org_id != org.id:
        raise ApiTokenNotFound("no such API token in this org")
    return token


def revoke_api_token(session: Session, trail: AuditTrail, org: Org, token_id: uuid.UUID) -> None:
    """Revoke a token and remove its service account's entry (and what derives from it)."""
    token = get_api_token(session, org, token_id)
    if token.revoked_at is not None:
        return
    token.revoked_at = clock.utcnow()
    membership_id = token.membership_id
    if membership_id is not None:
        session.execute(
            delete(SubOrgPartnerUser).where(SubOrgPartnerUser.membership_id == membership_id)
        )
        session.execute(delete(Membership).where(Membership.id == membership_id))
        token.membership_id = None
    session.flush()
    trail.record(
        AuditAction.API_TOKEN_REVOKED,
        org_id=org.id,
        target_type="api_token",
        target_id=token.id,
        name=token.name,
        user_id=membership_id,
    )


def token_status(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None or token.membership_id is None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def authenticate_api_token(
    session: Session, config: IdentityConfig, secret: str
) -> tuple[Account, Actor]:
    now = clock.utcnow()
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_digest(config.secret_key, secret))
    )
    if token is None:
        raise InvalidToken("the bearer token is not valid")
    if token_status(token, now) != "active" or token.account_id is None:
        raise InvalidToken("the API token has expired or was revoked")
    membership = session.get(Membership, token.membership_id)
    account = session.get(Account, token.account_id)
    if membership is None or account is None or membership.org_id != token.org_id:
        raise InvalidToken("the API token was revoked")
    if membership.status != MemberStatus.ACTIVE:
        raise InvalidToken("this API token's service account is suspended", code="user_suspended")
    actor = load_actor(session, account)
    # Only the token's own entry: whatever else the account might have gained
    # elsewhere, a token acts in its own org (and, by delegation, its sub-orgs).
    actor = replace(
        actor,
        is_operator=False,
        memberships={k: v for k, v in actor.memberships.items() if k == token.org_id},
    )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Kept: the token was used even if the request it authenticates fails.
        keep(session, lambda: setattr(token, "last_used_at", now))
    return account, actor
