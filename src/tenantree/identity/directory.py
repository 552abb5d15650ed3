"""An org's user directory: listing, changing and removing its entries."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.identity.errors import AwaitingConsent, PrimaryAdminProtected, UserNotFound
from tenantree.identity.models import Account, Membership
from tenantree.identity.revocation import revoke_all_tokens
from tenantree.identity.roles import MemberStatus, Role
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import SubOrgPartnerUser
from tenantree.pagination import Page, contains, paginate

# Columns a directory may be ordered by (never NULL, as keyset paging needs).
USER_SORTS = {
    "joined": Membership.created_at,
    "role": Membership.role,
    "status": Membership.status,
}


def list_users(
    session: Session,
    org: Org,
    *,
    limit: int | None,
    cursor: str | None,
    q: str | None = None,
    sort: str = "joined",
    descending: bool = False,
    before: str | None = None,
) -> Page[Membership]:
    """The org's entries; `q` finds an email or name containing it (ignoring case)."""
    if sort not in USER_SORTS:
        raise Invalid(f"sort must be one of {', '.join(USER_SORTS)}", field="sort")
    query = select(Membership).where(Membership.org_id == org.id)
    if q:
        query = query.join(Account, Account.id == Membership.account_id).where(
            or_(contains(Account.email, q), contains(Account.display_name, q))
        )
    return paginate(
        session,
        query,
        sort_column=USER_SORTS[sort],
        id_column=Membership.id,
        limit=limit,
        cursor=cursor,
        descending=descending,
        before=before,
    )


def get_user(session: Session, org: Org, membership_id: uuid.UUID) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.org_id != org.id:
        raise UserNotFound("no such user in this org")
    return membership


def update_user(
    session: Session,
    trail: AuditTrail,
    org: Org,
    membership_id: uuid.UUID,
    *,
    role: Role | None = None,
    status: MemberStatus | None = None,
) -> Membership:
    membership = get_user(session, org, membership_id)
    before = {"role": membership.role, "status": membership.status}
    if membership.is_primary_admin:
        if role is not None and role != Role.ADMIN:
            raise PrimaryAdminProtected(
                "the primary account administrator stays an admin; transfer the role first",
                field="role",
            )
        if status == MemberStatus.SUSPENDED:
            raise PrimaryAdminProtected(
                "the primary account administrator cannot be suspended; transfer the role first",
                field="status",
            )
    if status == MemberStatus.ACTIVE and membership.awaiting_consent:
        raise AwaitingConsent(
            "this user has not accepted yet: only they can activate the entry, "
            "by accepting its invitation",
            field="status",
        )
    if role is not None:
        membership.role = role
    if status is not None:
        membership.status = status
    session.flush()
    if status == MemberStatus.SUSPENDED and before["status"] != MemberStatus.SUSPENDED:
        _end_sessions_if_no_usable_membership(session, membership.account)
    after = {"role": membership.role, "status": membership.status}
    if after != before:
        trail.record(
            AuditAction.USER_UPDATED,
            org_id=org.id,
            target_type="user",
            target_id=membership.id,
            email=membership.account.email,
            before=before,
            after=after,
        )
    return membership


def _end_sessions_if_no_usable_membership(session: Session, account: Account) -> None:
    """Suspended everywhere: end the person's sessions, so reinstating them
    later does not bring old tokens back to life."""
    if account.is_operator:
        return
    active = session.scalar(
        select(Membership.id).where(
            Membership.account_id == account.id, Membership.status == MemberStatus.ACTIVE
        )
    )
    if active is None:
        revoke_all_tokens(session, account.id)


def remove_user(session: Session, trail: AuditTrail, org: Org, membership_id: uuid.UUID) -> None:
    """Remove an entry and everything derived from it, in this transaction."""
    membership = get_user(session, org, membership_id)
    if membership.is_primary_admin:
        raise PrimaryAdminProtected(
            "the primary account administrator cannot be removed; transfer the role first"
        )
    account = membership.account
    # Partner users listed on restricted sub-orgs lose those grants with the entry.
    revoked_sub_orgs = list(
        session.scalars(
            select(SubOrgPartnerUser.sub_org_id).where(
                SubOrgPartnerUser.membership_id == membership.id
            )
        )
    )
    session.execute(
        delete(SubOrgPartnerUser).where(SubOrgPartnerUser.membership_id == membership.id)
    )
    session.delete(membership)
    session.flush()
    remaining = session.scalar(select(Membership.id).where(Membership.account_id == account.id))
    # An entry awaiting consent was never the person's: removing it ends nothing of theirs.
    if remaining is None and not account.is_operator and not membership.awaiting_consent:
        # No org left to act in: end every session the person has.
        revoke_all_tokens(session, account.id)
    trail.record(
        AuditAction.USER_REMOVED,
        org_id=org.id,
        target_type="user",
        target_id=membership_id,
        email=account.email,
        role=membership.role,
        revoked_sub_org_grants=[str(i) for i in revoked_sub_orgs],
    )


def transfer_primary_admin(
    session: Session, trail: AuditTrail, org: Org, to_membership_id: uuid.UUID
) -> Membership:
    # One transfer per org at a time: a concurrent one would still see the old
    # primary and trip the one-primary index (SQLite already serialises writers).
    session.execute(select(Org.id).where(Org.id == org.id).with_for_update())
    target = session.get(Membership, to_membership_id)
    if target is None or target.org_id != org.id:
        raise Invalid("user_id must name a user of this org", field="user_id")
    if target.status != MemberStatus.ACTIVE:
        raise PrimaryAdminProtected(
            "the new primary account administrator must be an active user", field="user_id"
        )
    current = session.scalar(
        select(Membership).where(Membership.org_id == org.id, Membership.is_primary_admin)
    )
    if current is not None and current.id == target.id:
        return target
    if current is not None:
        current.is_primary_admin = False
        session.flush()  # the unique index allows one primary at a time
    target.role = Role.ADMIN
    target.is_primary_admin = True
    session.flush()
    trail.record(
        AuditAction.PRIMARY_ADMIN_TRANSFERRED,
        org_id=org.id,
        target_type="user",
        target_id=target.id,
        previous=str(current.id) if current else None,
        email=target.account.email,
    )
    return target
