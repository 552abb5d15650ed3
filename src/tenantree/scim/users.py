"""Provisioning SCIM Users of one org: creating, replacing, patching and deleting entries.

A SCIM User *is* a directory entry (Membership): `id` is the entry's id,
`active` its status, `externalId` its external_id, `roles` its role. What
else the provider says (userName, name, emails, ...) is kept per entry in a
ScimProfile, never on the shared Account, so one org's provider can never
change how the person signs in or how another org sees them. API-token
service accounts are not Users.

Everything here raises SCIM exceptions (scim2-models), which the SCIM routes
turn into SCIM error responses.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    InvalidValueException,
    MutabilityException,
    PatchOp,
    UniquenessException,
    User,
)
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.policy import consent_needs_sign_in
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.domains.managed import manages
from tenantree.errors import DomainError, Invalid
from tenantree.identity import directory, invitations
from tenantree.identity.accounts import find_account, new_email, normalize_email
from tenantree.identity.api_tokens import SERVICE_ACCOUNT_DOMAIN
from tenantree.identity.context import IdentityConfig
from tenantree.identity.integration_models import ScimProfile
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.orgs.models import Org
from tenantree.scim.resources import check_version, scim_validation_error, validate
from tenantree.scim.user_entries import Entry, base_resource, get_entry, to_user

DEFAULT_ROLE = Role.USER
# Held by the directory entry, not the stored profile.
_ENTRY_ATTRIBUTES = ("id", "meta", "externalId", "groups", "password")
# A person provisioned without any email address gets a placeholder sign-in
# address (no sign-in possible) until the provider sends a real one.
PENDING_DOMAIN = "scim-pending.tenantree.invalid"


def _stored(user: User) -> dict[str, Any]:
    dumped = user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, mode="json")
    return {k: v for k, v in dumped.items() if k not in _ENTRY_ATTRIBUTES}


def _email_of(user: User) -> str | None:
    emails = user.emails or []
    chosen = next((e for e in emails if e.primary), emails[0] if emails else None)
    candidate = str(chosen.value) if chosen is not None and chosen.value else user.user_name
    candidate = normalize_email(candidate or "")
    if "@" not in candidate:
        return None
    try:
        new_email(candidate)
    except Invalid as exc:
        raise InvalidValueException(detail=exc.message) from exc
    if candidate.endswith(("@" + SERVICE_ACCOUNT_DOMAIN, "@" + PENDING_DOMAIN)):
        raise InvalidValueException(detail="that address is reserved")
    return candidate


def _role_of(user: User, current: Role | None) -> Role:
    """The first of `roles` naming one of ours (primary first); other values are kept
    as the provider's data and change nothing."""
    known = [r for r in user.roles or [] if str(r.value) in {x.value for x in Role}]
    if not known:
        return current or DEFAULT_ROLE
    chosen = next((r for r in known if r.primary), known[0])
    return Role(str(chosen.value))


def _check_unique(session: Session, org: Org, user: User, *, exclude: uuid.UUID | None) -> None:
    key = (user.user_name or "").casefold()
    other = Membership.id != exclude if exclude else true()
    clash = session.scalar(
        select(ScimProfile.membership_id)
        .join(Membership, Membership.id == ScimProfile.membership_id)
        .where(ScimProfile.org_id == org.id, ScimProfile.user_name_key == key, other)
    )
    if clash is None:
        # Entries without a profile answer to their sign-in address.
        clash = session.scalar(
            select(Membership.id)
            .join(Account, Account.id == Membership.account_id)
            .outerjoin(ScimProfile, ScimProfile.membership_id == Membership.id)
            .where(
                Membership.org_id == org.id,
                Account.email == key,
                ScimProfile.membership_id.is_(None),
                other,
            )
        )
    if clash is not None:
        raise UniquenessException(detail="userName is already taken in this directory")
    if user.external_id:
        clash = session.scalar(
            select(Membership.id).where(
                Membership.org_id == org.id,
                Membership.external_id == user.external_id,
                other,
            )
        )
        if clash is not None:
            raise UniquenessException(detail="externalId is already taken in this directory")


def create_user(
    session: Session, trail: AuditTrail, config: IdentityConfig, org: Org, payload: Any
) -> Entry:
    """Create an entry. For someone else's existing account (one the org does not
    manage) the entry awaits its owner's consent: suspended, granting nothing,
    until they accept the invitation it comes with (access.consent)."""
    user: User = validate(User, payload, Context.RESOURCE_CREATION_REQUEST)
    _check_unique(session, org, user, exclude=None)
    email = _email_of(user)
    role = _role_of(user, None)
    account = find_account(session, email) if email else None
    if account is None:
        account = Account(
            email=email or f"{uuid.uuid4()}@{PENDING_DOMAIN}",
            display_name=user.display_name or "",
            password_hash=None,
        )
        session.add(account)
        session.flush()
        awaiting = False
    else:
        if session.scalar(
            select(Membership.id).where(
                Membership.org_id == org.id, Membership.account_id == account.id
            )
        ):
            raise UniquenessException(detail="this person is already in this directory")
        awaiting = consent_needs_sign_in(manages=manages(session, org.id, account.email))
    membership = Membership(
        org_id=org.id,
        account_id=account.id,
        role=role,
        status=MemberStatus.SUSPENDED if awaiting or user.active is False else MemberStatus.ACTIVE,
        external_id=user.external_id,
        awaiting_consent=awaiting,
    )
    session.add(membership)
    session.flush()
    profile = ScimProfile(
        membership_id=membership.id,
        org_id=org.id,
        user_name=user.user_name,
        user_name_key=(user.user_name or "").casefold(),
        resource=_stored(user),
    )
    session.add(profile)
    session.flush()
    trail.record(
        AuditAction.SCIM_USER_CREATED,
        org_id=org.id,
        target_type="user",
        target_id=membership.id,
        email=email,
        role=role.value,
        status=membership.status,
        external_id=user.external_id,
        awaiting_consent=awaiting,
    )
    if awaiting:
        invitations.ask_consent(session, trail, config, org, membership)
    return Entry(membership, profile)


def _claim_email(session: Session, account: Account, email: str | None) -> None:
    """Give a placeholder account the first real address the provider sends."""
    if email and account.email.endswith("@" + PENDING_DOMAIN) and not find_account(session, email):
        account.email = email


def _apply(
    session: Session,
    trail: AuditTrail,
    org: Org,
    entry: Entry,
    user: User,
    *,
    reactivate: bool = False,
) -> Entry:
    """Write a whole wanted User state onto an entry (`active` absent: status kept)."""
    membership = entry.membership
    _check_unique(session, org, user, exclude=membership.id)
    role = _role_of(user, Role(membership.role))
    if user.active is not None:
        status = MemberStatus.ACTIVE if user.active else MemberStatus.SUSPENDED
    else:
        status = MemberStatus.ACTIVE if reactivate else MemberStatus(membership.status)
    if membership.awaiting_consent:
        # Only the account's owner releases the entry; the provider's `active`
        # waits in the stored resource until they accept.
        status = MemberStatus.SUSPENDED
    before = {
        "role": membership.role,
        "status": membership.status,
        "external_id": membership.external_id,
        "resource": base_resource(entry),
    }
    if role != membership.role or status != membership.status:
        try:
            directory.update_user(
                session, trail, org, membership.id, role=Role(role), status=status
            )
        except DomainError as exc:
            raise MutabilityException(detail=exc.message) from exc
    membership.external_id = user.external_id
    _claim_email(session, membership.account, _email_of(user))
    stored = _stored(user)
    if entry.profile is None:
        entry.profile = ScimProfile(membership_id=membership.id, org_id=org.id)
        session.add(entry.profile)
    entry.profile.user_name = user.user_name
    entry.profile.user_name_key = (user.user_name or "").casefold()
    entry.profile.resource = stored
    entry.profile.updated_at = clock.utcnow()
    session.flush()
    after = {
        "role": membership.role,
        "status": membership.status,
        "external_id": membership.external_id,
        "resource": stored,
    }
    changed = sorted(k for k in after if after[k] != before[k])
    if changed:
        trail.record(
            AuditAction.SCIM_USER_UPDATED,
            org_id=org.id,
            target_type="user",
            target_id=membership.id,
            changed=changed,
            deprovisioned=status == MemberStatus.SUSPENDED
            and before["status"] == MemberStatus.ACTIVE,
        )
    return entry


def replace_user(
    session: Session,
    trail: AuditTrail,
    org: Org,
    user_id: str,
    payload: Any,
    *,
    base_url: str,
    if_match: str | None,
) -> Entry:
    entry = get_entry(session, org, user_id)
    check_version(to_user(entry, base_url), if_match)
    wanted: User = validate(User, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    return _apply(session, trail, org, entry, wanted)


def patch_user(
    session: Session,
    trail: AuditTrail,
    org: Org,
    user_id: str,
    payload: Any,
    *,
    base_url: str,
    if_match: str | None,
) -> Entry:
    entry = get_entry(session, org, user_id)
    current = to_user(entry, base_url)
    check_version(current, if_match)
    if entry.membership.awaiting_consent and entry.profile is not None:
        # Shown inactive until its person accepts; the patch applies to what
        # the provider wants it to be then.
        current.active = entry.profile.resource.get("active")
    patch = validate(PatchOp[User], payload, Context.RESOURCE_PATCH_REQUEST)
    try:
        changed = patch.patch(current)
    except ValidationError as exc:
        raise scim_validation_error(exc) from exc
    if not changed:
        return entry
    # Removing `active` withdraws the provider's say: the entry is active, as
    # when a User is created without it.
    removed_active = current.active is None and entry.membership.status == MemberStatus.SUSPENDED
    return _apply(session, trail, org, entry, current, reactivate=removed_active)


def delete_user(session: Session, trail: AuditTrail, org: Org, user_id: str) -> None:
    entry = get_entry(session, org, user_id)
    if entry.profile is not None:
        session.delete(entry.profile)
        session.flush()
    try:
        directory.remove_user(session, trail, org, entry.membership.id)
    except DomainError as exc:
        raise MutabilityException(detail=exc.message) from exc
    trail.record(
        AuditAction.SCIM_USER_DELETED,
        org_id=org.id,
        target_type="user",
        target_id=entry.membership.id,
    )
