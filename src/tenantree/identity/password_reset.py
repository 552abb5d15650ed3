"""Resetting a forgotten password: a one-time link by email, then a new password.

Asking always gets the same answer, whether the address has an account or not,
so the flow does not reveal who has one. Any account with that address gets the
link, including one without a password yet (a user provisioned by SCIM): the
reset then sets its first password. That grants nothing new: signing in with a
password is still refused where an org requires single sign-on, and to
suspended users, exactly as before.

The email wears the brand of the Host the request came through (the org whose
verified custom domain it is), else the platform's, and its link points back
at that host. The Host is the caller's to choose, so an org's domain is used
only for that org's own users and its sub-orgs' users: otherwise any org could
have the platform mail anyone a token link on a domain whose DNS it controls.
Requests are throttled per email and per client address, known address or not.
Completing a reset ends every session of the account.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.branding.emails import BrandedMail
from tenantree.branding.platform import platform_brand
from tenantree.branding.resolve import org_for_host
from tenantree.errors import Invalid
from tenantree.identity.accounts import find_account, normalize_email
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import check_password_rules, new_token, token_digest
from tenantree.identity.models import Account, Membership
from tenantree.identity.reset_models import PasswordReset
from tenantree.identity.revocation import revoke_account_sso_sessions, revoke_all_tokens
from tenantree.identity.throttle import Throttle, reserve
from tenantree.orgs.models import Org

RESET_TTL = timedelta(hours=1)

PASSWORD_RESET_THROTTLE = Throttle(
    code="password_reset_throttled",
    message="too many password reset requests; try again later",
    refused_action=AuditAction.AUTH_PASSWORD_RESET_THROTTLED,
)

# The one answer to every accepted request.
REQUESTED_STATUS = "if the address has an account, an email is on its way"


def _belongs(session: Session, account: Account, org: Org) -> bool:
    """Whether the account is a user of the org or of one of its sub-orgs."""
    return (
        session.scalar(
            select(Membership.id)
            .join(Org, Org.id == Membership.org_id)
            .where(
                Membership.account_id == account.id,
                or_(Org.id == org.id, Org.parent_id == org.id),
            )
            .limit(1)
        )
        is not None
    )


def mail_for_host(
    session: Session, config: IdentityConfig, brand_host: str | None, account: Account
) -> BrandedMail:
    """The brand of the org whose verified custom domain is `brand_host` if the account
    belongs to it (or to one of its sub-orgs), else the platform's."""
    org = org_for_host(session, brand_host) if brand_host else None
    if org is not None and _belongs(session, account, org):
        return BrandedMail.for_org(
            session,
            config.outbox,
            org,
            secret_key=config.secret_key,
            public_base_url=config.public_base_url,
        )
    return platform_mail(config)


def platform_mail(config: IdentityConfig) -> BrandedMail:
    """Mail in the platform's own brand, through its sender, links on its base URL."""
    return BrandedMail(
        outbox=config.outbox,
        brand=platform_brand(config.outbox.sender),
        relay_org_id=None,
        base_url=config.public_base_url.rstrip("/"),
    )


def request_password_reset(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    *,
    email: str,
    client_address: str,
    brand_host: str | None,
) -> None:
    """Mail a reset link if the address has an account; the caller always answers the same.

    Raises TooManyRequests (the same for known and unknown addresses), and
    keeps the throttled attempt's audit event. The request is recorded in the
    session, committed with the work.
    """
    email = normalize_email(email)
    limits = config.limits
    reserve(
        session,
        trail,
        PASSWORD_RESET_THROTTLE,
        [(limits.password_reset_email, email), (limits.password_reset_address, client_address)],
        email=email,
        client_address=client_address,
    )
    now = clock.utcnow()

    account = find_account(session, email)
    trail.record(
        AuditAction.AUTH_PASSWORD_RESET_REQUESTED,
        org_id=None,
        target_type="account",
        target_id=account.id if account else None,
        email=email,
        account_exists=account is not None,
    )
    if account is None:
        return
    _revoke_pending(session, account)
    token = new_token()
    reset = PasswordReset(
        account_id=account.id,
        token_hash=token_digest(config.secret_key, token),
        created_at=now,
        expires_at=now + RESET_TTL,
    )
    session.add(reset)
    session.flush()
    mail = mail_for_host(session, config, brand_host, account)
    mail.send(
        session,
        to=account.email,
        subject=f"Reset your {mail.brand.product_name} password",
        template="password_reset",
        link=f"{mail.base_url}/reset-password?token={token}",
        token=token,
        expires_at=reset.expires_at.isoformat(),
    )


def _revoke_pending(session: Session, account: Account) -> None:
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.account_id == account.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
        )
        .values(revoked_at=clock.utcnow())
    )


def complete_password_reset(
    session: Session, trail: AuditTrail, config: IdentityConfig, *, token: str, password: str
) -> Account:
    """Set a new password with a mailed token (once), and end every session of the account."""
    reset = session.scalar(
        select(PasswordReset)
        .where(PasswordReset.token_hash == token_digest(config.secret_key, token))
        .with_for_update()
    )
    if reset is None:
        raise Invalid(
            "this password reset token is not valid", code="password_reset_invalid", field="token"
        )
    now = clock.utcnow()
    if reset.used_at is not None:
        raise Invalid(
            "this password reset link was already used",
            code="password_reset_already_used",
            field="token",
        )
    if reset.revoked_at is not None:
        raise Invalid(
            "a newer password reset link replaced this one",
            code="password_reset_revoked",
            field="token",
        )
    if reset.expires_at <= now:
        raise Invalid(
            "this password reset link has expired", code="password_reset_expired", field="token"
        )
    check_password_rules(password)
    account = session.get(Account, reset.account_id)
    assert account is not None  # the foreign key cascades
    account.password_hash = config.hasher.hash(password)
    reset.used_at = now
    _revoke_pending(session, account)
    revoke_all_tokens(session, account.id)
    # A forgotten password may mean a stolen one: single sign-on sessions end too.
    revoke_account_sso_sessions(session, account.id)
    trail.as_actor(account.id, None).record(
        AuditAction.AUTH_PASSWORD_RESET_COMPLETED,
        org_id=None,
        target_type="account",
        target_id=account.id,
        reset_id=str(reset.id),
    )
    return account
