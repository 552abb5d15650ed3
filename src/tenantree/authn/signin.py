"""Signing in and out, and turning a bearer token back into an actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from sqlalchemy import and_, bindparam, exists, select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.errors import CustomerAccessRefused, OrgDeactivated
from tenantree.access.facts import MEMBERSHIP_FACT_COLUMNS, load_actor, membership_fact
from tenantree.access.mfa_policy import mfa_required_for
from tenantree.access.policy import (
    Actor,
    SignInRefusal,
    SignInStep,
    password_session_keeps,
    sign_in_refusal,
    sign_in_step,
    suspended_everywhere,
)
from tenantree.access.service import reachable_orgs
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.authn.bearer import PREFIXES, authenticate_prefixed
from tenantree.authn.break_glass import break_glass
from tenantree.db.reads import read_connection
from tenantree.db.unit_of_work import keep
from tenantree.errors import Forbidden
from tenantree.identity.accounts import (
    AccountSummary,
    account_summary_columns,
    find_account,
    normalize_email,
)
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest, verify_password
from tenantree.identity.errors import (
    InvalidCredentials,
    InvalidToken,
    MfaEnrolmentRequired,
    UserSuspended,
)
from tenantree.identity.integration_models import SsoConfig
from tenantree.identity.mfa_challenges import ChallengePurpose, open_challenge
from tenantree.identity.models import AccessToken, Account, Membership
from tenantree.identity.second_factors import has_second_factor
from tenantree.identity.throttle import Limits, Rule, Throttle, reserve
from tenantree.orgs.models import Org
from tenantree.sso.config import break_glass_orgs, password_sign_in_refused
from tenantree.sso.sessions import revoke_sso_session

# Verified against when the email is unknown, so timing does not reveal accounts.
_DUMMY_PASSWORD = "tenantree-dummy-password"  # noqa: S105


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(_DUMMY_PASSWORD)


SIGN_IN_THROTTLE = Throttle(
    code="sign_in_throttled",
    message="too many failed sign-ins; try again later",
    refused_action=AuditAction.AUTH_SIGN_IN_THROTTLED,
)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    account: Account
    # The session may only enrol a second factor (access.policy.sign_in_step).
    mfa_enrolment_only: bool = False


@dataclass(frozen=True)
class PendingMfa:
    """The password was right; a second factor must be proven with this challenge."""

    challenge: str
    expires_at: datetime
    account: Account


def sign_in(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    *,
    email: str,
    password: str,
    client_address: str,
) -> IssuedToken | PendingMfa:
    """Check the password and issue a token, or a challenge for the second factor.

    Every attempt holds a throttle hit until it succeeds (identity.throttle);
    failures' audit events are kept (db.unit_of_work.keep) through the rollback.
    """
    email = normalize_email(email)
    # Reserved before the password is checked, so concurrent guesses cannot
    # all be evaluated; given back once the sign-in succeeds.
    reservation = reserve(
        session,
        trail,
        SIGN_IN_THROTTLE,
        sign_in_limits(config.limits, email, client_address),
        email=email,
        client_address=client_address,
    )

    account = find_account(session, email)
    if account is None:
        verify_password(config.hasher, _dummy_hash(config.hasher), password)
        ok = False
    else:
        ok = verify_password(config.hasher, account.password_hash, password)
    if not ok:
        account_id = account.id if account else None
        keep(
            session,
            lambda: trail.record(
                AuditAction.AUTH_SIGN_IN_FAILED,
                org_id=None,
                target_type="account",
                target_id=account_id,
                email=email,
                reason="invalid_credentials",
            ),
        )
        raise InvalidCredentials("the email or password is wrong")
    assert account is not None

    actor = load_actor(session, account)
    refusal = why_unusable(session, actor)
    if refusal is None and password_sign_in_refused(session, account):
        refusal = Forbidden("your org requires single sign-on", code="sso_required")
    if refusal is not None:
        account_id, reason = account.id, refusal.code
        keep(
            session,
            lambda: trail.record(
                AuditAction.AUTH_SIGN_IN_FAILED,
                org_id=None,
                target_type="account",
                target_id=account_id,
                email=email,
                reason=reason,
            ),
        )
        raise refusal

    reservation.release(session)  # the password was right
    glass_broken = break_glass_orgs(session, account)
    for org in glass_broken:
        break_glass(session, trail, config, account, org)

    if account.password_hash and config.hasher.check_needs_rehash(account.password_hash):
        account.password_hash = config.hasher.hash(password)
    step = sign_in_step(
        has_second_factor=has_second_factor(session, account.id),
        # Break-glass is password and a second factor, always.
        mfa_required=bool(glass_broken) or mfa_required_for(session, actor),
    )
    if step == SignInStep.MFA_REQUIRED:
        challenge, challenge_expires_at = open_challenge(
            session, config, account.id, ChallengePurpose.SIGN_IN
        )
        return PendingMfa(challenge, challenge_expires_at, account)
    return issue_session(
        session,
        trail,
        config,
        account,
        enrolment_only=step == SignInStep.MFA_ENROLMENT_REQUIRED,
    )


def sign_in_limits(limits: Limits, email: str, client_address: str) -> list[tuple[Rule, str]]:
    """What a sign-in attempt (password or second factor) counts against: the
    account from this address first (a stranger elsewhere cannot lock the person
    out), then far higher ceilings per account and per address."""
    return [
        (limits.sign_in_account_address, f"{email}|{client_address}"),
        (limits.sign_in_account, email),
        (limits.sign_in_address, client_address),
    ]


def issue_session(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    account: Account,
    *,
    enrolment_only: bool = False,
    second_factor: str | None = None,
) -> IssuedToken:
    """A sign-in token for an account whose credentials were all proven."""
    token = new_token()
    expires_at = clock.utcnow() + config.token_ttl
    session.add(
        AccessToken(
            account_id=account.id,
            token_hash=token_digest(config.secret_key, token),
            expires_at=expires_at,
            mfa_enrolment_only=enrolment_only,
        )
    )
    trail.record(
        AuditAction.AUTH_SIGNED_IN,
        org_id=None,
        target_type="account",
        target_id=account.id,
        second_factor=second_factor,
        mfa_enrolment_only=enrolment_only,
    )
    return IssuedToken(token, expires_at, account, mfa_enrolment_only=enrolment_only)


_SIGN_IN_REFUSALS = {
    SignInRefusal.NO_MEMBERSHIP: lambda: Forbidden(
        "you are not a member of any org", code="no_membership"
    ),
    SignInRefusal.ORG_DEACTIVATED: lambda: OrgDeactivated("your org is deactivated"),
    SignInRefusal.USER_SUSPENDED: lambda: UserSuspended("your account is suspended"),
    SignInRefusal.CUSTOMER_ACCESS_REFUSED: lambda: CustomerAccessRefused(
        "the partner has refused customer access to your org"
    ),
}


def why_unusable(session: Session, actor: Actor) -> Forbidden | None:
    """Why an account may not sign in at all (no org it can enter), or None.

    The policy decides (sign_in_refusal); this asks the one query it needs.
    """
    enters_an_org = actor.is_operator or bool(
        session.scalar(select(exists().where(reachable_orgs(actor)).select_from(Org)))
    )
    refusal = sign_in_refusal(actor, enters_an_org=enters_an_org)
    if refusal == SignInRefusal.CUSTOMER_ACCESS_REFUSED:
        partners = _refusing_partners(session, actor)
        if partners:
            return CustomerAccessRefused(
                f"{' and '.join(partners)} refused customer access to your org",
                partners=partners,
            )
    return None if refusal is None else _SIGN_IN_REFUSALS[refusal]()


def _refusing_partners(session: Session, actor: Actor) -> tuple[str, ...]:
    """The partners of the orgs the person is an active member of (each refused
    them, or sign_in_refusal would not have said so), by name."""
    org_ids = [m.org_id for m in actor.memberships.values() if m.active and m.org_active]
    parent_ids = select(Org.parent_id).where(Org.id.in_(org_ids), Org.parent_id.is_not(None))
    names = session.scalars(select(Org.name).where(Org.id.in_(parent_ids)).order_by(Org.name))
    return tuple(names)


# One round trip, read afresh on every request (nothing of it is cached): the
# token, its account, and the account's directory entries, each with its org's
# status and whether that org makes single sign-on mandatory. Built once: only
# the token's hash changes between requests. The tables' columns, not entities:
# the ORM's loading (the `Account` entity above all) cost more than the query
# (bench/ANALYSIS.md, round 6).
_TOKENS = AccessToken.__table__
_ACCOUNTS = Account.__table__
_MEMBERSHIPS = Membership.__table__
_TOKEN_ACCOUNT_MEMBERSHIPS = (
    select(
        _TOKENS.c.revoked_at,
        _TOKENS.c.expires_at,
        _TOKENS.c.mfa_enrolment_only,
        *account_summary_columns(_ACCOUNTS),
        *MEMBERSHIP_FACT_COLUMNS,
        SsoConfig.__table__.c.sso_required,
    )
    .select_from(_TOKENS)
    .join(_ACCOUNTS, _ACCOUNTS.c.id == _TOKENS.c.account_id)
    # An entry awaiting its owner's consent is no fact about the person at all.
    .outerjoin(
        _MEMBERSHIPS,
        and_(_MEMBERSHIPS.c.account_id == _ACCOUNTS.c.id, ~_MEMBERSHIPS.c.awaiting_consent),
    )
    .outerjoin(Org.__table__, Org.__table__.c.id == _MEMBERSHIPS.c.org_id)
    .outerjoin(SsoConfig.__table__, SsoConfig.__table__.c.org_id == _MEMBERSHIPS.c.org_id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"))
)


def authenticate(
    session: Session, config: IdentityConfig, token: str, *, enrolling: bool = False
) -> tuple[AccountSummary, Actor]:
    """The account and actor of a bearer token. A session limited to enrolling a
    second factor is refused (403 mfa_enrolment_required) unless `enrolling`:
    only the enrolment pages and endpoints pass it."""
    if token.startswith(PREFIXES):
        return authenticate_prefixed(session, config, token)
    now = clock.utcnow()
    # On the work's connection, below the Session's ORM execution (db.reads).
    rows = (
        read_connection(session)
        .execute(_TOKEN_ACCOUNT_MEMBERSHIPS, {"token_hash": token_digest(config.secret_key, token)})
        .all()
    )
    if not rows:
        raise InvalidToken("the bearer token is not valid")
    token_row = rows[0]
    if token_row.revoked_at is not None or token_row.expires_at <= now:
        raise InvalidToken("the bearer token has expired or was revoked")
    if token_row.mfa_enrolment_only and not enrolling:
        raise MfaEnrolmentRequired(
            "your org requires a second factor: enrol one at /api/v1/me/mfa first"
        )
    account = AccountSummary.of_row(token_row)
    memberships = {
        row.membership_org_id: membership_fact(row)
        for row in rows
        if row.membership_id is not None
        and row.membership_org_status is not None
        and password_session_keeps(
            is_operator=account.is_operator,
            sso_required=row.sso_required,
            is_primary_admin=row.membership_is_primary_admin,
        )
    }
    actor = Actor(account_id=account.id, is_operator=account.is_operator, memberships=memberships)
    if suspended_everywhere(actor):
        # A suspended user's tokens stop working at once.
        raise InvalidToken("your account is suspended", code="user_suspended")
    return account, actor


def sign_out(session: Session, trail: AuditTrail, config: IdentityConfig, token: str) -> None:
    session.execute(
        update(AccessToken)
        .where(
            AccessToken.token_hash == token_digest(config.secret_key, token),
            AccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=clock.utcnow())
    )
    revoke_sso_session(session, config, token)
    trail.record(
        AuditAction.AUTH_SIGNED_OUT, org_id=None, target_type="account", target_id=trail.actor_id
    )
