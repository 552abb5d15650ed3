"""Every audited action. Kept alphabetized; the values are part of the API."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    ACCESS_SETTINGS_CHANGED = "access.settings_changed"
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed"
    AUTH_SIGN_IN_THROTTLED = "auth.sign_in_throttled"
    AUTH_SIGNED_IN = "auth.signed_in"
    AUTH_SIGNED_OUT = "auth.signed_out"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_CREATED = "invitation.created"
    INVITATION_REVOKED = "invitation.revoked"
    OPERATOR_CREATED = "operator.created"
    ORG_CREATED = "org.created"
    ORG_PARTNER_ACTIVATED = "org.partner_activated"
    ORG_UPDATED = "org.updated"
    PRIMARY_ADMIN_TRANSFERRED = "org.primary_admin_transferred"
    SUB_ORG_CREATED = "org.sub_org_created"
    USER_REMOVED = "user.removed"
    USER_UPDATED = "user.updated"
