"""Sign-in accounts: creating operators, finding people by email."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import check_password_rules
from tenantree.identity.errors import EmailTaken
from tenantree.identity.models import Account


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_account(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalize_email(email)))


def create_operator(
    session: Session, trail: AuditTrail, config: IdentityConfig, *, email: str, password: str
) -> Account:
    check_password_rules(password)
    email = normalize_email(email)
    existing = find_account(session, email)
    if existing is not None:
        raise EmailTaken(f"an account for {email} already exists", field="email")
    account = Account(
        email=email,
        display_name=email.split("@")[0],
        password_hash=config.hasher.hash(password),
        is_operator=True,
    )
    session.add(account)
    session.flush()
    trail.record(
        AuditAction.OPERATOR_CREATED,
        org_id=None,
        target_type="account",
        target_id=account.id,
        email=email,
    )
    return account
