"""Which event type an audited action is. Plain: no database, no HTTP.

Events are produced from the audit trail, so every audited action must be
mapped here (tests/webhooks/test_event_types.py fails for one that is not):
to the event type an endpoint subscribes to, or to `None` when it reaches only
endpoints that subscribe to the whole audit stream (`audit`), such as sign-ins.
"""

from __future__ import annotations

from enum import StrEnum

from tenantree.audit.actions import AuditAction as A


class EventType(StrEnum):
    ORG = "org"
    USER = "user"
    INVITATION = "invitation"
    ACCESS = "access"
    LICENSE = "license"
    USAGE = "usage"
    BRAND = "brand"
    # Every audit event, whatever its type: the audit stream for a SIEM.
    AUDIT = "audit"


# The type of a test event ("send test event"): reaches only the endpoint tested.
TEST_EVENT = "webhook.test"

TYPE_OF: dict[A, EventType | None] = {
    A.ACCESS_PARTNER_ACCESS_LAPSED: EventType.ACCESS,
    A.ACCESS_PARTNER_GRANT_ENDED: EventType.ACCESS,
    A.ACCESS_PARTNER_GRANTED: EventType.ACCESS,
    A.ACCESS_SETTINGS_CHANGED: EventType.ACCESS,
    A.ALERT_ACKNOWLEDGED: EventType.USAGE,
    A.ALERT_THRESHOLDS_CHANGED: EventType.USAGE,
    A.API_TOKEN_CREATED: EventType.ACCESS,
    A.API_TOKEN_REVOKED: EventType.ACCESS,
    A.AUTH_BREAK_GLASS: None,
    A.AUTH_EMAIL_CONFIRMATION_REQUESTED: None,
    A.AUTH_EMAIL_CONFIRMATION_THROTTLED: None,
    A.AUTH_EMAIL_CONFIRMED: None,
    A.AUTH_PASSWORD_RESET_COMPLETED: None,
    A.AUTH_PASSWORD_RESET_REQUESTED: None,
    A.AUTH_PASSWORD_RESET_THROTTLED: None,
    A.AUTH_SIGN_IN_FAILED: None,
    A.AUTH_SIGN_IN_THROTTLED: None,
    A.AUTH_SIGNED_IN: None,
    A.AUTH_SIGNED_OUT: None,
    A.AUTH_SSO_FAILED: None,
    A.AUTH_SSO_SIGNED_IN: None,
    A.AUTH_SSO_START_THROTTLED: None,
    A.BRAND_ASSET_UPLOADED: EventType.BRAND,
    A.BRAND_DOMAIN_CLAIMED: EventType.BRAND,
    A.BRAND_DOMAIN_RELEASED: EventType.BRAND,
    A.BRAND_DOMAIN_VERIFIED: EventType.BRAND,
    A.BRAND_DRAFT_SAVED: EventType.BRAND,
    A.BRAND_PUBLISHED: EventType.BRAND,
    A.BRAND_SMTP_RELAY_REMOVED: EventType.BRAND,
    A.BRAND_SMTP_RELAY_SET: EventType.BRAND,
    A.EMAIL_FAILED: None,
    A.DOMAIN_CLAIMED: EventType.ORG,
    A.DOMAIN_REMOVED: EventType.ORG,
    A.DOMAIN_REVOKED: EventType.ORG,
    A.DOMAIN_VERIFIED: EventType.ORG,
    A.INVITATION_ACCEPTED: EventType.INVITATION,
    A.INVITATION_CREATED: EventType.INVITATION,
    A.INVITATION_DECLINED: EventType.INVITATION,
    A.INVITATION_REVOKED: EventType.INVITATION,
    A.INVITATION_THROTTLED: None,
    A.LICENSE_CHANGED: EventType.LICENSE,
    A.LICENSE_GRANTED: EventType.LICENSE,
    A.LICENSE_SOURCE_CHANGED: EventType.LICENSE,
    A.MFA_FAILED: None,
    A.MFA_PASSKEY_REGISTERED: EventType.USER,
    A.MFA_PASSKEY_REMOVED: EventType.USER,
    A.MFA_POLICY_CHANGED: EventType.ORG,
    A.MFA_RECOVERY_CODE_USED: None,
    A.MFA_RECOVERY_CODES_REGENERATED: EventType.USER,
    A.MFA_THROTTLED: None,
    A.MFA_TOTP_ENROLLED: EventType.USER,
    A.MFA_TOTP_REMOVED: EventType.USER,
    A.OPERATOR_CREATED: None,
    A.ORG_CREATED: EventType.ORG,
    A.ORG_CUSTOMERS_LEFT_RUNNING: EventType.ORG,
    A.ORG_MOVED: EventType.ORG,
    A.ORG_DEACTIVATED_WITH_PARTNER: EventType.ORG,
    A.ORG_PARTNER_ACTIVATED: EventType.ORG,
    A.ORG_REACTIVATED_WITH_PARTNER: EventType.ORG,
    A.ORG_UPDATED: EventType.ORG,
    A.PRIMARY_ADMIN_TRANSFERRED: EventType.ORG,
    A.QUOTA_CHANGED: EventType.LICENSE,
    A.SCIM_GROUP_CREATED: EventType.USER,
    A.SCIM_GROUP_DELETED: EventType.USER,
    A.SCIM_GROUP_UPDATED: EventType.USER,
    A.SCIM_TOKEN_CREATED: EventType.ACCESS,
    A.SCIM_TOKEN_REVOKED: EventType.ACCESS,
    A.SCIM_USER_CREATED: EventType.USER,
    A.SCIM_USER_DELETED: EventType.USER,
    A.SCIM_USER_UPDATED: EventType.USER,
    A.SCIM_WRITE_THROTTLED: None,
    A.SSO_CONFIGURED: EventType.ACCESS,
    A.SSO_REMOVED: EventType.ACCESS,
    A.SSO_TEST_PASSED: None,
    A.SSO_USER_CREATED: EventType.USER,
    A.SUB_ORG_CREATED: EventType.ORG,
    A.USAGE_OVERAGE: EventType.USAGE,
    A.USAGE_REFUSED: EventType.USAGE,
    A.USER_REMOVED: EventType.USER,
    A.USER_UPDATED: EventType.USER,
    # Changes to webhooks themselves are in the audit stream only.
    A.WEBHOOK_CREATED: None,
    A.WEBHOOK_DELETED: None,
    A.WEBHOOK_DISABLED: None,
    A.WEBHOOK_SECRET_ROTATED: None,
    A.WEBHOOK_TEST_SENT: None,
    A.WEBHOOK_UPDATED: None,
}


def event_type_of(action: str) -> EventType | None:
    """The subscribable type of an audited action (None: the audit stream only)."""
    try:
        return TYPE_OF[A(action)]
    except ValueError:
        return None


def subscribed(event_types: list[str], action: str) -> bool:
    """Does an endpoint subscribed to `event_types` get the action's event?"""
    if EventType.AUDIT in event_types:
        return True
    kind = event_type_of(action)
    return kind is not None and kind in event_types
