"""API tokens: named, role-bearing service accounts in one org's directory.

Creating a token makes a sign-in-less Account and one Membership for it in the
org, with the token's role. The token therefore reaches exactly what a person
with that role and entry reaches (partner delegation and `partner_users`
lists included). The Actor built for a token carries only that one entry, so
a token can never act anywhere else, and its creator's actor, loaded afresh
on every request: the policy lets a token do only what its creator may do
now (access.policy.api_token_actor).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.facts import load_actor
from tenantree.access.models import SubOrgPartnerUser
from tenantree.access.policy import Actor, api_token_actor
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Conflict, NotFound
from tenantree.identity.context import IdentityConfig
from tenantree.identity.errors import InvalidToken
from tenantree.identity.integration_models import ApiToken, ScimToken
from tenantree.identity.models import Account, Membership, MemberStatus, Role
from tenantree.identity.token_store import (
    Issued,
    TokenStore,
    check_expiry,
    stamp_last_used,
)
from tenantree.identity.token_store import token_status as stored_token_status
from tenantree.orgs.models import Org
from tenantree.pagination import Page

# Lets `authenticate` tell token kinds apart, and secret scanners find leaks.
API_TOKEN_PREFIX = "tt_api_"  # noqa: S105
SERVICE_ACCOUNT_DOMAIN = "api-tokens.tenantree.invalid"


class ApiTokenNotFound(NotFound):
    code = "api_token_not_found"


class ApiTokenNameTaken(Conflict):
    code = "api_token_name_taken"


API_TOKENS = TokenStore(
    model=ApiToken,
    prefix=API_TOKEN_PREFIX,
    target_type="api_token",
    created=AuditAction.API_TOKEN_CREATED,
    revoked=AuditAction.API_TOKEN_REVOKED,
    not_found=ApiTokenNotFound,
    not_found_message="no such API token in this org",
)
IssuedApiToken = Issued[ApiToken]


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
    check_expiry(expires_at)
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
    return API_TOKENS.create(
        session,
        trail,
        config,
        org,
        name=name,
        expires_at=expires_at,
        audit={"role": role.value, "user_id": membership.id},
        id=token_id,
        membership_id=membership.id,
        account_id=account.id,
        role=role,
    )


def list_api_tokens(
    session: Session, org: Org, *, limit: int | None, cursor: str | None
) -> Page[ApiToken]:
    return API_TOKENS.list(session, org, limit=limit, cursor=cursor)


def get_api_token(session: Session, org: Org, token_id: uuid.UUID) -> ApiToken:
    return API_TOKENS.get(session, org, token_id)


def revoke_api_token(session: Session, trail: AuditTrail, org: Org, token_id: uuid.UUID) -> None:
    """Revoke a token and remove its service account's entry (and what derives from it)."""
    API_TOKENS.revoke(session, trail, org, token_id, also=_remove_service_account_entry)


def _remove_service_account_entry(session: Session, token: ApiToken) -> dict[str, object]:
    membership_id = token.membership_id
    if membership_id is not None:
        session.execute(
            delete(SubOrgPartnerUser).where(SubOrgPartnerUser.membership_id == membership_id)
        )
        session.execute(delete(Membership).where(Membership.id == membership_id))
        token.membership_id = None
    return {"user_id": membership_id}


def creator_actor(session: Session, token: ApiToken | ScimToken, depth: int = 0) -> Actor | None:
    """The actor of the account that created a token, as it stands now.

    None when no creator was recorded (tokens made before creators were); a
    creator whose account is gone is an actor with no entries (reaches
    nothing). A token made by another API token is bounded by that token,
    itself bounded by its own creator.
    """
    if token.created_by_account_id is None:
        return None
    creator = session.get(Account, token.created_by_account_id)
    if creator is None or depth > _MAX_TOKEN_CHAIN:
        return Actor(account_id=token.created_by_account_id)
    actor = load_actor(session, creator)
    parent = session.scalar(select(ApiToken).where(ApiToken.account_id == creator.id))
    if parent is None:
        return actor
    return api_token_actor(parent.org_id, actor, creator_actor(session, parent, depth + 1))


# Tokens made by tokens made by tokens...: past this, the chain reaches nothing.
_MAX_TOKEN_CHAIN = 8


def token_status(token: ApiToken, now: datetime) -> str:
    # A token whose service account left the directory is revoked with it.
    return "revoked" if token.membership_id is None else stored_token_status(token, now)


def authenticate_api_token(
    session: Session, config: IdentityConfig, secret: str
) -> tuple[Account, Actor]:
    now = clock.utcnow()
    token = API_TOKENS.find(session, config, secret)
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
    actor = api_token_actor(
        token.org_id, load_actor(session, account), creator_actor(session, token)
    )
    stamp_last_used(session, token, now)
    return account, actor
