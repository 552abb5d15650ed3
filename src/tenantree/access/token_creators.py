"""A token acts with at most its creator's current rights: the creator's actor, loaded now."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.access.facts import load_actor
from tenantree.access.policy import Actor, api_token_actor
from tenantree.identity.integration_models import ApiToken, ScimToken
from tenantree.identity.models import Account


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
