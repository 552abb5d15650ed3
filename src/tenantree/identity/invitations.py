"""Inviting people into an org's directory, and accepting invitations.

The token travels by email only: the API never returns it. Accepting creates
the sign-in account when the person is new, then the directory entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.branding.emails import BrandedMail
from tenantree.domains.service import sender_domains
from tenantree.errors import Invalid
from tenantree.identity.accounts import find_account, new_email
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import check_password_rules, new_token, token_digest
from tenantree.identity.errors import AlreadyMember, InvitationNotFound
from tenantree.identity.integration_models import ScimProfile
from tenantree.identity.models import Account, Invitation, InvitationStatus, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.identity.throttle import Throttle, reserve
from tenantree.orgs.models import Org
from tenantree.outbox.operations import DeliveryStatus, deliveries_of
from tenantree.pagination import Page, contains, paginate

# The invitation email's outbox message is about ("invitation", its id).
INVITATION = "invitation"


def invite(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    org: Org,
    *,
    email: str,
    role: Role,
    as_primary_admin: bool = False,
) -> Invitation:
    email = new_email(email, field="primary_admin_email" if as_primary_admin else "email")
    account = find_account(session, email)
    if account is not None and session.scalar(
        select(Membership.id).where(
            Membership.org_id == org.id, Membership.account_id == account.id
        )
    ):
        raise AlreadyMember(f"{email} is already a user of this org", field="email")
    if not as_primary_admin:  # an org's first admin comes with the org, not in bursts
        _reserve_invitation(session, trail, config, org, email)
    return _issue(
        session, trail, config, org, email=email, role=role, as_primary_admin=as_primary_admin
    )


def ask_consent(
    session: Session, trail: AuditTrail, config: IdentityConfig, org: Org, entry: Membership
) -> Invitation:
    """Ask an account's owner to accept an entry the org made for them (SCIM):
    an invitation tied to the entry, which stays suspended until they accept."""
    return _issue(
        session,
        trail,
        config,
        org,
        email=entry.account.email,
        role=Role(entry.role),
        as_primary_admin=False,
        entry=entry,
    )


def _issue(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    org: Org,
    *,
    email: str,
    role: Role,
    as_primary_admin: bool,
    entry: Membership | None = None,
) -> Invitation:
    now = clock.utcnow()
    # Inviting again replaces what is pending: only the newest link works.
    for pending in session.scalars(
        select(Invitation).where(
            Invitation.org_id == org.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        if pending.status_at(now) == InvitationStatus.PENDING:
            pending.revoked_at = now
            as_primary_admin = as_primary_admin or pending.as_primary_admin
    token = new_token()
    invitation = Invitation(
        org_id=org.id,
        email=email,
        role=Role.ADMIN if as_primary_admin else role,
        as_primary_admin=as_primary_admin,
        token_hash=token_digest(config.secret_key, token),
        membership_id=entry.id if entry is not None else None,
        # An entry's provider (a SCIM token) is no account: nobody invited by hand.
        invited_by_account_id=trail.actor_id if entry is None else None,
        created_at=now,
        expires_at=now + config.invitation_ttl,
    )
    session.add(invitation)
    session.flush()
    trail.record(
        AuditAction.INVITATION_CREATED,
        org_id=org.id,
        target_type="invitation",
        target_id=invitation.id,
        email=email,
        role=invitation.role,
        as_primary_admin=as_primary_admin,
        # The consent asked for an entry its provider made (SCIM).
        **({"for_entry": str(entry.id)} if entry is not None else {}),
    )
    # In the org's published brand (sender, relay, links on its custom domain).
    mail = BrandedMail.for_org(
        session,
        config.outbox,
        org,
        secret_key=config.secret_key,
        public_base_url=config.public_base_url,
        sender_domains=sender_domains(session, org),
    )
    invitation.via_org_channel = mail.relay_org_id is not None or (
        mail.base_url != config.public_base_url.rstrip("/")
    )
    mail.send(
        session,
        to=email,
        subject=f"You are invited to {org.name} on {mail.brand.product_name}",
        template="invitation",
        org_id=org.id,
        about=(INVITATION, invitation.id),
        org_name=org.name,
        role_text="primary account administrator" if as_primary_admin else invitation.role,
        link=f"{mail.base_url}/accept-invitation?token={token}",
        token=token,
        expires_at=invitation.expires_at.isoformat(),
    )
    return invitation


INVITATION_THROTTLE = Throttle(
    code="invitation_throttled",
    message="too many invitations; try again later",
    refused_action=AuditAction.INVITATION_THROTTLED,
)


def _reserve_invitation(
    session: Session, trail: AuditTrail, config: IdentityConfig, org: Org, email: str
) -> None:
    limits = [(config.limits.invitation_org, str(org.id))]
    if trail.actor_id is not None:
        limits.append((config.limits.invitation_inviter, str(trail.actor_id)))
    reserve(session, trail, INVITATION_THROTTLE, limits, org_id=org.id, email=email)


# Columns a list of invitations may be ordered by (never NULL, as keyset paging needs).
INVITATION_SORTS = {
    "sent": Invitation.created_at,
    "email": Invitation.email,
    "role": Invitation.role,
    "expires": Invitation.expires_at,
}


def list_invitations(
    session: Session,
    org: Org,
    *,
    limit: int | None,
    cursor: str | None,
    q: str | None = None,
    sort: str = "sent",
    descending: bool = True,
    before: str | None = None,
    unanswered_only: bool = False,
) -> Page[Invitation]:
    """Newest first unless `sort` says otherwise; `q` finds an email containing
    it (ignoring case); `unanswered_only`: pending or expired, neither accepted,
    declined nor revoked (what an admin may still resend or revoke)."""
    if sort not in INVITATION_SORTS:
        raise Invalid(f"sort must be one of {', '.join(INVITATION_SORTS)}", field="sort")
    query = select(Invitation).where(Invitation.org_id == org.id)
    if q:
        query = query.where(contains(Invitation.email, q))
    if unanswered_only:
        query = query.where(
            Invitation.accepted_at.is_(None),
            Invitation.declined_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    return paginate(
        session,
        query,
        sort_column=INVITATION_SORTS[sort],
        id_column=Invitation.id,
        limit=limit,
        cursor=cursor,
        descending=descending,
        before=before,
    )


def email_deliveries(session: Session, listed: list[Invitation]) -> dict[uuid.UUID, DeliveryStatus]:
    """How each invitation's email fared (queued, sent, retrying, failed), by invitation id."""
    return deliveries_of(session, INVITATION, (i.id for i in listed))


def revoke_invitation(
    session: Session, trail: AuditTrail, org: Org, invitation_id: uuid.UUID
) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.org_id != org.id:
        raise InvitationNotFound("no such invitation in this org")
    now = clock.utcnow()
    if invitation.status_at(now) == InvitationStatus.PENDING:
        invitation.revoked_at = now
        trail.record(
            AuditAction.INVITATION_REVOKED,
            org_id=org.id,
            target_type="invitation",
            target_id=invitation.id,
            email=invitation.email,
        )
    return invitation


@dataclass(frozen=True)
class Acceptance:
    membership: Membership
    account_created: bool


_UNUSABLE = {
    InvitationStatus.ACCEPTED: ("invitation_already_used", "this invitation was already used"),
    InvitationStatus.REVOKED: ("invitation_revoked", "this invitation was revoked"),
    InvitationStatus.EXPIRED: ("invitation_expired", "this invitation has expired"),
}


def invitation_for_token(session: Session, config: IdentityConfig, token: str) -> Invitation | None:
    """The invitation a link's token names, to say what accepting it does; None if
    no invitation has it."""
    if not token:
        return None
    return session.scalar(
        select(Invitation).where(Invitation.token_hash == token_digest(config.secret_key, token))
    )


def usable_invitation(session: Session, config: IdentityConfig, token: str) -> Invitation:
    """The pending invitation an emailed token names, locked for accepting.
    Who may accept it is access.consent's question."""
    invitation = session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == token_digest(config.secret_key, token))
        .with_for_update()
    )
    if invitation is None:
        raise Invalid(
            "this invitation token is not valid", code="invitation_invalid", field="token"
        )
    status = invitation.status_at(clock.utcnow())
    if status in _UNUSABLE:
        code, message = _UNUSABLE[status]
        raise Invalid(message, code=code, field="token")
    return invitation


def bind(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    invitation: Invitation,
    account: Account | None,
    password: str | None = None,
    display_name: str | None = None,
    *,
    proves_email: bool = False,
) -> Acceptance:
    """Bind an accepted invitation: create the account when the person is new,
    then the entry, or release the entry the invitation was for. Whether the
    caller may, and whether accepting proves a new account's address
    (`proves_email`), is decided before (access.consent)."""
    now = clock.utcnow()
    created = account is None
    if account is None:
        if not password:
            raise Invalid("a new account needs a password", field="password")
        check_password_rules(password)
        account = Account(
            email=invitation.email,
            display_name=(display_name or invitation.email.split("@")[0]).strip(),
            password_hash=config.hasher.hash(password),
        )
        session.add(account)
        session.flush()
        if not proves_email:
            # After the INSERT: the column's default would replace a None given to it.
            account.email_confirmed_at = None
    membership = session.scalar(
        select(Membership).where(
            Membership.org_id == invitation.org_id, Membership.account_id == account.id
        )
    )
    if membership is not None and not (
        membership.awaiting_consent and membership.id == invitation.membership_id
    ):
        raise AlreadyMember("you are already a user of this org")
    if membership is not None:
        membership.awaiting_consent = False
        membership.status = wanted_status(session, membership)
    else:
        has_primary = session.scalar(
            select(Membership.id).where(
                Membership.org_id == invitation.org_id, Membership.is_primary_admin
            )
        )
        membership = Membership(
            org_id=invitation.org_id,
            account_id=account.id,
            role=invitation.role,
            is_primary_admin=invitation.as_primary_admin and has_primary is None,
        )
        session.add(membership)
    invitation.accepted_at = now
    invitation.accepted_account_id = account.id
    session.flush()
    trail.as_actor(account.id, invitation.org_id).record(
        AuditAction.INVITATION_ACCEPTED,
        org_id=invitation.org_id,
        target_type="user",
        target_id=membership.id,
        invitation_id=str(invitation.id),
        email=account.email,
        role=membership.role,
        account_created=created,
    )
    return Acceptance(membership, created)


def wanted_status(session: Session, entry: Membership) -> MemberStatus:
    """The status an entry takes once its owner consents: what its provider
    last said (SCIM `active`), active if it said nothing."""
    profile = session.get(ScimProfile, entry.id)
    said = (profile.resource or {}).get("active") if profile is not None else None
    return MemberStatus.SUSPENDED if said is False else MemberStatus.ACTIVE
