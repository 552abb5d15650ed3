"""Confirming an account's address: a one-time link the platform mails.

An invitation's token may travel an org's own channel (its relay, links on its
custom domain): accepting it then proves nothing about who reads the address,
since the org could have read the token itself. The account it creates starts
unconfirmed (`Account.email_confirmed_at` None) and answers no other org's
invitation until its person follows a link the platform mailed — through the
platform's relay, with links on the platform's base URL, whatever the brand —
or completes a password reset, which proves the same.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest
from tenantree.identity.models import Account
from tenantree.identity.platform_mail import platform_mail
from tenantree.identity.reset_models import EmailConfirmation
from tenantree.identity.throttle import Throttle, reserve

CONFIRMATION_TTL = timedelta(hours=24)

EMAIL_CONFIRMATION_THROTTLE = Throttle(
    code="email_confirmation_throttled",
    message="too many confirmation emails asked for; try again later",
    refused_action=AuditAction.AUTH_EMAIL_CONFIRMATION_THROTTLED,
)


def request_confirmation(
    session: Session, trail: AuditTrail, config: IdentityConfig, account: Account
) -> bool:
    """Mail a confirmation link to the account's address through the platform.
    False (nothing sent) when the address is already confirmed."""
    if account.email_confirmed_at is not None:
        return False
    reserve(
        session,
        trail,
        EMAIL_CONFIRMATION_THROTTLE,
        [(config.limits.email_confirmation_email, account.email)],
        email=account.email,
    )
    _end_pending(session, account)
    now = clock.utcnow()
    token = new_token()
    confirmation = EmailConfirmation(
        account_id=account.id,
        email=account.email,
        token_hash=token_digest(config.secret_key, token),
        created_at=now,
        expires_at=now + CONFIRMATION_TTL,
    )
    session.add(confirmation)
    session.flush()
    trail.as_actor(account.id, None).record(
        AuditAction.AUTH_EMAIL_CONFIRMATION_REQUESTED,
        org_id=None,
        target_type="account",
        target_id=account.id,
        email=account.email,
    )
    # Never an org's brand channel: that is the channel this link must bypass.
    mail = platform_mail(config)
    mail.send(
        session,
        to=account.email,
        subject=f"Confirm your email address for {mail.brand.product_name}",
        template="email_confirmation",
        link=f"{mail.base_url}/confirm-email?token={token}",
        token=token,
        expires_at=confirmation.expires_at.isoformat(),
    )
    return True


def confirm_email(
    session: Session, trail: AuditTrail, config: IdentityConfig, token: str
) -> Account:
    """Follow a mailed link (once, before it expires, for the address it was sent to)."""
    confirmation = session.scalar(
        select(EmailConfirmation)
        .where(EmailConfirmation.token_hash == token_digest(config.secret_key, token))
        .with_for_update()
    )
    account = session.get(Account, confirmation.account_id) if confirmation else None
    if confirmation is None or account is None or confirmation.email != account.email:
        raise Invalid(
            "this confirmation link is not valid", code="email_confirmation_invalid", field="token"
        )
    if confirmation.used_at is not None:
        raise Invalid(
            "this confirmation link was already used",
            code="email_confirmation_already_used",
            field="token",
        )
    now = clock.utcnow()
    if confirmation.expires_at <= now:
        raise Invalid(
            "this confirmation link has expired; ask for a new one",
            code="email_confirmation_expired",
            field="token",
        )
    confirmation.used_at = now
    mark_confirmed(session, trail, account, how="link")
    return account


def mark_confirmed(session: Session, trail: AuditTrail, account: Account, *, how: str) -> None:
    """The person proved the address (a platform link, a password reset)."""
    if account.email_confirmed_at is not None:
        return
    account.email_confirmed_at = clock.utcnow()
    _end_pending(session, account)
    session.flush()
    trail.as_actor(account.id, None).record(
        AuditAction.AUTH_EMAIL_CONFIRMED,
        org_id=None,
        target_type="account",
        target_id=account.id,
        email=account.email,
        how=how,
    )


def _end_pending(session: Session, account: Account) -> None:
    session.execute(
        update(EmailConfirmation)
        .where(EmailConfirmation.account_id == account.id, EmailConfirmation.used_at.is_(None))
        .values(used_at=clock.utcnow())
    )
