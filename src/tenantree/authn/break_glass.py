"""Break-glass: the primary admin of an org that requires single sign-on still
signs in with a password (policy.breaks_glass), so a broken provider cannot
lock the org out. It needs a second factor too (authn.signin asks for one, or
for enrolment first). It is loud: an `auth.break_glass` audit event in the org, and
a mail to the org's other admins through the outbox (platform mail: it is about
an account, not the org's brand)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.identity.context import IdentityConfig
from tenantree.identity.models import Account, Membership
from tenantree.identity.platform_mail import platform_mail
from tenantree.identity.roles import MemberStatus, Role
from tenantree.orgs.models import Org


def break_glass(
    session: Session, trail: AuditTrail, config: IdentityConfig, account: Account, org: Org
) -> None:
    trail.record(
        AuditAction.AUTH_BREAK_GLASS,
        org_id=org.id,
        target_type="account",
        target_id=account.id,
        email=account.email,
        client_address=trail.client_address,
    )
    others = session.scalars(
        select(Account.email)
        .join(Membership, Membership.account_id == Account.id)
        .where(
            Membership.org_id == org.id,
            Membership.role == Role.ADMIN,
            Membership.status == MemberStatus.ACTIVE,
            Account.id != account.id,
        )
    ).all()
    mail = platform_mail(config)
    for email in others:
        mail.send(
            session,
            to=email,
            subject=f"Break-glass sign-in to {org.name} on {mail.brand.product_name}",
            template="break_glass",
            org_name=org.name,
            who=account.email,
            client_address=trail.client_address or "unknown",
        )
