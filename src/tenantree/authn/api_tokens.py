"""Authenticating an API token: its one entry, bounded by its creator (identity.api_tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.facts import MEMBERSHIP_FACT_COLUMNS, membership_fact, membership_fact_columns
from tenantree.access.policy import Actor, api_token_actor
from tenantree.access.token_creators import creator_actor
from tenantree.db.reads import read_connection
from tenantree.db.unit_of_work import keep
from tenantree.identity.accounts import AccountSummary, account_summary_columns
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import token_digest
from tenantree.identity.errors import InvalidToken
from tenantree.identity.integration_models import ApiToken
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus
from tenantree.identity.token_store import token_status, use_worth_noting
from tenantree.orgs.models import Org

# One round trip, read afresh on every request (nothing of it is cached), as
# the password session's (authn.signin): the token; its service account and
# that account's entry (the token's own), with its org's status; the creator's
# account, the creator's entries with their orgs' status, and the API token
# the creator is the service account of, if any (a token made by a token).
# The tables' columns, not entities: the ORM's loading cost more than the
# queries (bench/ANALYSIS.md, round 7). Built once: only the hash changes.
_TOKENS = ApiToken.__table__
_OWN_ACCOUNT = Account.__table__.alias("own_account")
_OWN_ENTRY = Membership.__table__.alias("own_entry")
_OWN_ORG = Org.__table__.alias("own_org")
_CREATOR = Account.__table__.alias("creator")
_CREATOR_ENTRY = Membership.__table__
_CREATOR_ORG = Org.__table__
_PARENT = ApiToken.__table__.alias("parent_token")
_OWN = "own"
_TOKEN_WITH_CREATOR = (
    select(
        _TOKENS.c.id,
        _TOKENS.c.org_id,
        # Named apart from the creator's entries' `membership_id`.
        _TOKENS.c.membership_id.label("token_membership_id"),
        _TOKENS.c.account_id.label("token_account_id"),
        _TOKENS.c.created_by_account_id,
        _TOKENS.c.expires_at,
        _TOKENS.c.revoked_at,
        _TOKENS.c.last_used_at,
        *account_summary_columns(_OWN_ACCOUNT),
        _OWN_ENTRY.c.awaiting_consent.label("own_awaiting_consent"),
        *membership_fact_columns(_OWN_ENTRY, _OWN_ORG, _OWN),
        _CREATOR.c.id.label("creator_id"),
        _CREATOR.c.is_operator.label("creator_is_operator"),
        *MEMBERSHIP_FACT_COLUMNS,
        _PARENT.c.id.label("parent_token_id"),
    )
    .select_from(_TOKENS)
    .outerjoin(_OWN_ACCOUNT, _OWN_ACCOUNT.c.id == _TOKENS.c.account_id)
    .outerjoin(_OWN_ENTRY, _OWN_ENTRY.c.id == _TOKENS.c.membership_id)
    .outerjoin(_OWN_ORG, _OWN_ORG.c.id == _OWN_ENTRY.c.org_id)
    .outerjoin(_CREATOR, _CREATOR.c.id == _TOKENS.c.created_by_account_id)
    # An entry awaiting its owner's consent is no fact about the person at all
    # (access.facts.load_actor).
    .outerjoin(
        _CREATOR_ENTRY,
        and_(_CREATOR_ENTRY.c.account_id == _CREATOR.c.id, ~_CREATOR_ENTRY.c.awaiting_consent),
    )
    .outerjoin(_CREATOR_ORG, _CREATOR_ORG.c.id == _CREATOR_ENTRY.c.org_id)
    .outerjoin(_PARENT, _PARENT.c.account_id == _CREATOR.c.id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"))
)


def authenticate_api_token(
    session: Session, config: IdentityConfig, secret: str
) -> tuple[AccountSummary, Actor]:
    now = clock.utcnow()
    # On the work's connection, below the Session's ORM execution (db.reads).
    rows = (
        read_connection(session)
        .execute(_TOKEN_WITH_CREATOR, {"token_hash": token_digest(config.secret_key, secret)})
        .all()
    )
    if not rows:
        raise InvalidToken("the bearer token is not valid")
    token = rows[0]
    # A token whose service account left the directory is revoked with it
    # (identity.api_tokens.token_status).
    if (
        token.token_membership_id is None
        or token_status(token, now) != "active"
        or token.token_account_id is None
    ):
        raise InvalidToken("the API token has expired or was revoked")
    if token.own_id is None or token.account_id is None or token.own_org_id != token.org_id:
        raise InvalidToken("the API token was revoked")
    if token.own_status != MemberStatus.ACTIVE:
        raise InvalidToken("this API token's service account is suspended", code="user_suspended")
    account = AccountSummary.of_row(token)
    # The service account's actor (access.facts.load_actor) as the token acts:
    # its entry in the token's org alone, the one entry an account holds there.
    own = Actor(
        account_id=account.id,
        is_operator=account.is_operator,
        memberships={}
        if token.own_awaiting_consent
        else {token.own_org_id: membership_fact(token, _OWN)},
    )
    actor = api_token_actor(token.org_id, own, _creator(session, token, rows))
    if use_worth_noting(token.last_used_at, now):
        # Kept: the token was used even if the request it authenticates fails
        # (identity.token_store.stamp_last_used).
        keep(session, lambda: _stamp(session, token.id, now))
    return account, actor


def _creator(session: Session, token: Any, rows: list[Any]) -> Actor | None:
    """access.token_creators.creator_actor from the rows read with the token."""
    if token.created_by_account_id is None:
        return None
    if token.creator_id is None:
        # The creator's account is gone: an actor with no entries.
        return Actor(account_id=token.created_by_account_id)
    actor = Actor(
        account_id=token.creator_id,
        is_operator=token.creator_is_operator,
        memberships={
            row.membership_org_id: membership_fact(row)
            for row in rows
            if row.membership_id is not None
        },
    )
    if token.parent_token_id is None:
        return actor
    # A token made by another token (rare): the rest of the chain as
    # creator_actor reads it, one link at a time.
    parent = session.get(ApiToken, token.parent_token_id)
    if parent is None:  # deleted since the row was read
        return actor
    return api_token_actor(parent.org_id, actor, creator_actor(session, parent, 1))


def _stamp(session: Session, token_id: Any, now: datetime) -> None:
    session.execute(update(_TOKENS).where(_TOKENS.c.id == token_id).values(last_used_at=now))
