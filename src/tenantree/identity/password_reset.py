"""Resetting a forgotten password: a one-time link by email, then a new password.

Asking always gets the same answer, whether the address has an account or not,
so the flow does not reveal who has one. Any account with that address gets the
link, including one without a password yet (a user provisioned by SCIM): the
reset then sets its first password. That grants nothing new: signing in with a
password is still refused where an org requires single sign-on, and to
suspended users, exactly as before.

The account is its person's, so the email is the platform's: its sender, its
relay, its base URL. Only the org that *manages* the account (it proved the
account's email domain) sends it instead, in its brand, through its relay, with
links on its domain. The request's Host never chooses: otherwise an org that
enrolled someone could have their reset link travel through its own relay to a
domain whose DNS it controls.
Requests are throttled per email and per client address, known address or not.
Completing a reset ends every session of the account.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.branding.emails import BrandedMail
from tenantree.domains.managed import org_managing
from tenantree.domains.service import sender_domains
from tenantree.errors import Invalid
from tenantree.identity.accounts import find_account, normalize_email
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import check_password_rules, new_token, token_digest
from tenantree.identity.email_confirmation import mark_confirmed
from tenantree.identity.models import Account
from tenantree.identity.platform_mail import platform_mail
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


def mail_for_account(session: Session, config: IdentityConfig, account: Account) -> BrandedMail:
    """The brand, relay and link base of the org that manages the account (it proved
    the account's email domain, `domains.managed`), else the platform's."""
    org_id = org_managing(session, account.email)
    org = session.get(Org, org_id) if org_id is not None else None
    if org is not None and org.is_active:
        return BrandedMail.for_org(
            session,
            config.outbox,
            org,
            secret_key=config.secret_key,
            public_base_url=config.public_base_url,
            sender_domains=sender_domains(session, org),
        )
    return platform_mail(config)


def request_password_reset(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    *,
    email: str,
    client_address: str,
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
    mail = mail_for_account(session, config, account)
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
    # The link reached the address's reader (the platform's channel, or the org
    # managing the address): the same proof a confirmation link gives.
    mark_confirmed(session, trail, account, how="password_reset")
    return account
