"""Bearer tokens from SSO sign-ins: each acts only in the org whose provider issued it.

An org's identity provider vouches for people in that org's directory only,
so the Actor it yields carries that one entry, whatever else the account
holds elsewhere (the same rule as API tokens).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.facts import MEMBERSHIP_FACT_COLUMNS, membership_fact
from tenantree.access.policy import Actor, one_org_actor
from tenantree.identity.accounts import AccountSummary, account_summary_columns
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest
from tenantree.identity.errors import InvalidToken
from tenantree.identity.integration_models import SsoSession
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus
from tenantree.orgs.models import Org

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


# One round trip, read afresh on every request (nothing of it is cached), as
# the password session's (authn.signin): the session, its entry with the
# entry's org status, and the entry's account. The tables' columns, not
# entities: the ORM's loading cost more than the queries (bench/ANALYSIS.md,
# round 7). Built once: only the hash changes.
_SESSIONS = SsoSession.__table__
_ENTRIES = Membership.__table__
_SESSION_ENTRY_ACCOUNT = (
    select(_SESSIONS.c.revoked_at, _SESSIONS.c.expires_at, _ENTRIES.c.awaiting_consent)
    .add_columns(*MEMBERSHIP_FACT_COLUMNS, *account_summary_columns(Account.__table__))
    .select_from(_SESSIONS)
    .outerjoin(_ENTRIES, _ENTRIES.c.id == _SESSIONS.c.membership_id)
    .outerjoin(Org.__table__, Org.__table__.c.id == _ENTRIES.c.org_id)
    .outerjoin(Account.__table__, Account.__table__.c.id == _ENTRIES.c.account_id)
    .where(_SESSIONS.c.token_hash == bindparam("token_hash"))
)


def authenticate_sso_session(
    session: Session, config: IdentityConfig, secret: str
) -> tuple[AccountSummary, Actor]:
    row = session.execute(
        _SESSION_ENTRY_ACCOUNT, {"token_hash": token_digest(config.secret_key, secret)}
    ).first()
    if row is None:
        raise InvalidToken("the bearer token is not valid")
    if row.revoked_at is not None or row.expires_at <= clock.utcnow():
        raise InvalidToken("the bearer token has expired or was revoked")
    if row.membership_id is None or row.account_id is None:
        raise InvalidToken("the bearer token is not valid")
    if row.membership_status != MemberStatus.ACTIVE:
        raise InvalidToken("your account is suspended", code="user_suspended")
    account = AccountSummary.of_row(row)
    # The account's actor (access.facts.load_actor) as the session acts: its
    # entry in the session's org alone, the one entry an account holds there.
    actor = Actor(
        account_id=account.id,
        is_operator=account.is_operator,
        memberships={} if row.awaiting_consent else {row.membership_org_id: membership_fact(row)},
    )
    return account, one_org_actor(row.membership_org_id, actor)


def revoke_sso_session(session: Session, config: IdentityConfig, secret: str) -> None:
    session.execute(
        update(SsoSession)
        .where(
            SsoSession.token_hash == token_digest(config.secret_key, secret),
            SsoSession.revoked_at.is_(None),
        )
        .values(revoked_at=clock.utcnow())
    )
