"""Every audited action. Kept alphabetized; the values are part of the API."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    ACCESS_SETTINGS_CHANGED = "access.settings_changed"
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105
    AUTH_PASSWORD_RESET_COMPLETED = "auth.password_reset_completed"  # noqa: S105
    AUTH_PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"  # noqa: S105
    AUTH_PASSWORD_RESET_THROTTLED = "auth.password_reset_throttled"  # noqa: S105
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed"
    AUTH_SIGN_IN_THROTTLED = "auth.sign_in_throttled"
    AUTH_SIGNED_IN = "auth.signed_in"
    AUTH_SIGNED_OUT = "auth.signed_out"
    AUTH_SSO_FAILED = "auth.sso_failed"
    AUTH_SSO_SIGNED_IN = "auth.sso_signed_in"
    BRAND_ASSET_UPLOADED = "brand.asset_uploaded"
    BRAND_DOMAIN_CLAIMED = "brand.domain_claimed"
    BRAND_DOMAIN_RELEASED = "brand.domain_released"
    BRAND_DOMAIN_VERIFIED = "brand.domain_verified"
    BRAND_DRAFT_SAVED = "brand.draft_saved"
    BRAND_PUBLISHED = "brand.published"
    BRAND_SMTP_RELAY_REMOVED = "brand.smtp_relay_removed"
    BRAND_SMTP_RELAY_SET = "brand.smtp_relay_set"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_CREATED = "invitation.created"
    INVITATION_REVOKED = "invitation.revoked"
    LICENSE_CHANGED = "license.changed"
    LICENSE_GRANTED = "license.granted"
    LICENSE_SOURCE_CHANGED = "license.source_changed"
    MFA_FAILED = "mfa.failed"
    MFA_PASSKEY_REGISTERED = "mfa.passkey_registered"
    MFA_PASSKEY_REMOVED = "mfa.passkey_removed"
    MFA_POLICY_CHANGED = "org.mfa_policy_changed"
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used"
    MFA_RECOVERY_CODES_REGENERATED = "mfa.recovery_codes_regenerated"
    MFA_THROTTLED = "mfa.throttled"
    MFA_TOTP_ENROLLED = "mfa.totp_enrolled"
    MFA_TOTP_REMOVED = "mfa.totp_removed"
    OPERATOR_CREATED = "operator.created"
    ORG_CREATED = "org.created"
    ORG_PARTNER_ACTIVATED = "org.partner_activated"
    ORG_UPDATED = "org.updated"
    PRIMARY_ADMIN_TRANSFERRED = "org.primary_admin_transferred"
    QUOTA_CHANGED = "license.quota_changed"
    SCIM_GROUP_CREATED = "scim.group_created"
    SCIM_GROUP_DELETED = "scim.group_deleted"
    SCIM_GROUP_UPDATED = "scim.group_updated"
    SCIM_TOKEN_CREATED = "scim_token.created"  # noqa: S105
    SCIM_TOKEN_REVOKED = "scim_token.revoked"  # noqa: S105
    SCIM_USER_CREATED = "scim.user_created"
    SCIM_USER_DELETED = "scim.user_deleted"
    SCIM_USER_UPDATED = "scim.user_updated"
    SSO_CONFIGURED = "sso.configured"
    SSO_REMOVED = "sso.removed"
    SSO_USER_CREATED = "sso.user_created"
    SUB_ORG_CREATED = "org.sub_org_created"
    USAGE_OVERAGE = "usage.overage"
    USAGE_REFUSED = "usage.refused"
    USER_REMOVED = "user.removed"
    USER_UPDATED = "user.updated"
