"""Authenticating an API token: its one entry, bounded by its creator (identity.api_tokens)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.facts import load_actor
from tenantree.access.policy import Actor, api_token_actor
from tenantree.access.token_creators import creator_actor
from tenantree.identity.api_tokens import API_TOKENS, token_status
from tenantree.identity.context import IdentityConfig
from tenantree.identity.errors import InvalidToken
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus
from tenantree.identity.token_store import stamp_last_used


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
