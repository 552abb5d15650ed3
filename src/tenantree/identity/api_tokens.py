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

from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Conflict, NotFound
from tenantree.identity.context import IdentityConfig
from tenantree.identity.integration_models import ApiToken
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import Role
from tenantree.identity.token_store import (
    Issued,
    TokenStore,
    check_expiry,
)
from tenantree.identity.token_store import token_status as stored_token_status
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import SubOrgPartnerUser
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


def listed_api_tokens(
    session: Session, org: Org, *, q: str | None, sort: str, descending: bool
) -> list[ApiToken]:
    """The console's list: found by name, ordered by the database."""
    return API_TOKENS.listed(session, org, q=q, sort=sort, descending=descending)


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


def token_status(token: ApiToken, now: datetime) -> str:
    # A token whose service account left the directory is revoked with it.
    return "revoked" if token.membership_id is None else stored_token_status(token, now)
