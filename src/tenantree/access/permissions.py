"""Every permission the API, console and CLI ask for. Kept alphabetized."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    ORG_ACCESS_MANAGE = "org:access:manage"
    ORG_ACCESS_READ = "org:access:read"
    # The thresholds (percent of a pool or quota) whose crossing alerts.
    ORG_ALERT_THRESHOLDS_MANAGE = "org:alert_thresholds:manage"
    # Acknowledge an alert raised to the org: it leaves the banner, stays listed.
    ORG_ALERTS_ACKNOWLEDGE = "org:alerts:acknowledge"
    # Read the org's license alerts (its pools', licenses' and quota's).
    ORG_ALERTS_READ = "org:alerts:read"
    ORG_AUDIT_READ = "org:audit:read"
    ORG_BRAND_MANAGE = "org:brand:manage"
    ORG_BRAND_READ = "org:brand:read"
    # Claim, prove and remove the org's email domains (which make accounts managed).
    ORG_DOMAINS_MANAGE = "org:domains:manage"
    ORG_LICENSE_REPORT_READ = "org:license_report:read"
    ORG_MFA_POLICY_MANAGE = "org:mfa_policy:manage"
    ORG_PRIMARY_ADMIN_TRANSFER = "org:primary_admin:transfer"
    ORG_QUOTAS_MANAGE = "org:quotas:manage"
    ORG_SUB_ORGS_READ = "org:sub_orgs:read"
    ORG_USAGE_REPORT = "org:usage:report"
    ORG_USERS_MANAGE = "org:users:manage"
    ORG_USERS_READ = "org:users:read"
    ORG_VIEW = "org:view"
    # Register, change, test and remove the org's webhook endpoints; read their deliveries.
    ORG_WEBHOOKS_MANAGE = "org:webhooks:manage"
    # Operator-only: create orgs and sub-orgs, activate partner features,
    # change edition or status, grant and change licenses and license sources.
    # Operator-only: compare a Salesforce Accounts export with the tree, read the results.
    PLATFORM_CRM_RECONCILE = "platform:crm:reconcile"
    PLATFORM_ORGS_MANAGE = "platform:orgs:manage"
    # Operator-only: move a sub-org to another partner (lifecycle.moves).
    PLATFORM_ORGS_MOVE = "platform:orgs:move"
