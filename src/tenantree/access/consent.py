"""Consent before enrolment: accepting invitations, and a person's own list.

An invitation for an existing account (an org's invite, or the entry an org's
SCIM provider made) binds the account only with its owner's consent: accepted
or declined here while signed in as themselves — unless the org manages the
account (domains.managed), when its emailed token is enough, as it is for a
new person creating their account. The policy decides (consent_needs_sign_in,
answers_own_invitation); identity.invitations does the binding.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.policy import (
    Actor,
    acts_as_self,
    answers_own_invitation,
    consent_needs_sign_in,
    consents_with_confirmed_email,
    invitation_proves_email,
)
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.domains.managed import manages
from tenantree.errors import Forbidden
from tenantree.identity.accounts import find_account
from tenantree.identity.context import IdentityConfig
from tenantree.identity.errors import EmailUnconfirmed, InvitationNotFound, SignInToAccept
from tenantree.identity.invitations import Acceptance, bind, usable_invitation
from tenantree.identity.models import Account, Invitation, InvitationStatus
from tenantree.orgs.models import Org


def accept_invitation(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    *,
    token: str,
    password: str | None,
    display_name: str | None,
    signed_in: Actor | None = None,
) -> Acceptance:
    """Accept by the emailed token. A new person creates their account here; an
    existing account's owner must be signed in as it (`signed_in`), unless the
    org manages the account."""
    invitation = usable_invitation(session, config, token)
    account = find_account(session, invitation.email)
    managed = manages(session, invitation.org_id, invitation.email)
    # The token may have travelled through the inviting org's own relay: an
    # existing account joins an org only by its signed-in owner's say.
    if account is not None and consent_needs_sign_in(manages=managed):
        if signed_in is None or not answers_own_invitation(signed_in, account.id):
            raise SignInToAccept(
                "this invitation is for an existing account: sign in as "
                f"{account.email} and accept it from your pending invitations",
                field="token",
            )
        require_confirmed_email(account)
    return bind(
        session,
        trail,
        config,
        invitation,
        account,
        password,
        display_name,
        proves_email=invitation_proves_email(
            via_org_channel=invitation.via_org_channel, manages=managed
        ),
    )


def require_signed_in_person(actor: Actor, account: Account) -> None:
    """Account-level flows answer only the person signed in, never a token for them."""
    if not acts_as_self(actor, account.id):
        raise Forbidden("only the person signed in themselves may do this, not a token")


def require_confirmed_email(account: Account) -> None:
    if not consents_with_confirmed_email(email_confirmed=account.email_confirmed_at is not None):
        raise EmailUnconfirmed(
            f"confirm that {account.email} is yours first: ask for a confirmation "
            "email (POST /api/v1/me/email-confirmation) and follow its link",
            field="email",
        )


def pending_invitations(session: Session, account: Account) -> list[tuple[Invitation, Org]]:
    """Invitations addressed to the account's email that still wait, newest first;
    none shown to an account whose address is not confirmed."""
    if not consents_with_confirmed_email(email_confirmed=account.email_confirmed_at is not None):
        return []
    now = clock.utcnow()
    rows = session.execute(
        select(Invitation, Org)
        .join(Org, Org.id == Invitation.org_id)
        .where(
            Invitation.email == account.email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.declined_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.created_at.desc(), Invitation.id)
    ).all()
    return [(i, o) for i, o in rows]


def _own_pending(
    session: Session, actor: Actor, account: Account, invitation_id: uuid.UUID
) -> Invitation:
    require_confirmed_email(account)
    invitation = session.scalar(
        select(Invitation).where(Invitation.id == invitation_id).with_for_update()
    )
    # Someone else's invitation is as absent as one that does not exist.
    if (
        invitation is None
        or invitation.email != account.email
        or not answers_own_invitation(actor, account.id)
        or invitation.status_at(clock.utcnow()) != InvitationStatus.PENDING
    ):
        raise InvitationNotFound("no such pending invitation for you")
    return invitation


def accept(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    actor: Actor,
    account: Account,
    invitation_id: uuid.UUID,
) -> Acceptance:
    invitation = _own_pending(session, actor, account, invitation_id)
    return bind(session, trail, config, invitation, account)


def decline(
    session: Session, trail: AuditTrail, actor: Actor, account: Account, invitation_id: uuid.UUID
) -> Invitation:
    """Say no: the invitation is spent; an entry it was for stays suspended,
    granting nothing, for its org to remove."""
    invitation = _own_pending(session, actor, account, invitation_id)
    invitation.declined_at = clock.utcnow()
    session.flush()
    trail.as_actor(account.id, invitation.org_id).record(
        AuditAction.INVITATION_DECLINED,
        org_id=invitation.org_id,
        target_type="invitation",
        target_id=invitation.id,
        email=account.email,
    )
    return invitation
