"""Rows as the public API shows them, for the local backend: the same keys and
JSON values, so a command prints the same whichever mode ran it."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.mfa_policy import MfaPolicy
from tenantree.access.partner_grants import PartnerGrant
from tenantree.access.service import AccessSettings
from tenantree.audit.export import EXPORT_FIELDS
from tenantree.audit.models import AuditEvent
from tenantree.branding import relay
from tenantree.branding.domains import record_name, record_value
from tenantree.branding.models import DomainClaim
from tenantree.branding.service import BrandingOverview, VersionView
from tenantree.domains.models import EmailDomain
from tenantree.identity import api_tokens, scim_tokens
from tenantree.identity.context import IdentityConfig
from tenantree.identity.integration_models import ApiToken, ScimToken, SsoConfig
from tenantree.identity.models import Invitation, Membership
from tenantree.licensing.models import License
from tenantree.orgs.models import Org
from tenantree.outbox.operations import DeliveryStatus
from tenantree.sso import flow

Record = dict[str, Any]


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _pick(obj: Any, keys: tuple[str, ...]) -> Record:
    return {key: jsonable(getattr(obj, key)) for key in keys}


ORG_KEYS = (
    "id",
    "name",
    "kind",
    "partner_type",
    "edition",
    "salesforce_id",
    "parent_id",
    "depth",
    "partner_salesforce_id",
    "customer_name",
    "status",
    "created_at",
)


def org_record(org: Org) -> Record:
    return _pick(org, ORG_KEYS)


def user_record(membership: Membership) -> Record:
    return jsonable(
        {
            "id": membership.id,
            "email": membership.account.email,
            "display_name": membership.account.display_name,
            "role": membership.role,
            "is_primary_admin": membership.is_primary_admin,
            "status": membership.status,
            "external_id": membership.external_id,
            "created_at": membership.created_at,
        }
    )


def invitation_record(invitation: Invitation, delivery: DeliveryStatus | None) -> Record:
    record = _pick(
        invitation,
        ("id", "org_id", "email", "role", "as_primary_admin", "created_at", "expires_at"),
    )
    record |= _pick(invitation, ("accepted_at", "revoked_at"))
    record["status"] = jsonable(invitation.status_at(clock.utcnow()))
    record["email_delivery"] = (
        jsonable(
            {
                "status": delivery.status,
                "attempts": delivery.attempts,
                "last_error": delivery.last_error,
                "sent_at": delivery.sent_at,
            }
        )
        if delivery
        else None
    )
    return record


def api_token_record(token: ApiToken) -> Record:
    record = _pick(
        token,
        ("id", "org_id", "name", "role", "created_at", "last_used_at", "expires_at", "revoked_at"),
    )
    record["user_id"] = jsonable(token.membership_id)
    record["status"] = api_tokens.token_status(token, clock.utcnow())
    return record


def audit_event_record(event: AuditEvent) -> Record:
    return _pick(event, EXPORT_FIELDS)


def grant_record(grant: PartnerGrant) -> Record:
    return jsonable({"user_id": grant.membership_id, "expires_at": grant.expires_at})


def access_record(settings: AccessSettings, grants: list[PartnerGrant]) -> Record:
    return jsonable(
        {
            "customer_access": settings.customer_access,
            "partner_users": "all" if settings.partner_users is None else settings.partner_users,
            "customer_may_brand": settings.customer_may_brand,
            "partner_access_expires_at": settings.partner_access_expires_at,
            "partner_user_grants": [grant_record(g) for g in grants],
        }
    )


def license_record(license_: License) -> Record:
    record = _pick(
        license_,
        ("id", "sku", "unit", "quantity", "starts_at", "ends_at", "overage_policy"),
    )
    record |= _pick(license_, ("salesforce_contract_id", "status", "created_at"))
    record["org_id"] = jsonable(license_.holder_org_id)
    record["in_term"] = license_.in_term(clock.utcnow())
    return record


def branding_record(org: Org, overview: BrandingOverview) -> Record:
    def version(view: VersionView | None) -> Record | None:
        if view is None:
            return None
        return jsonable(view.values.as_dict() | {"updated_at": view.updated_at})

    return {
        "org_id": str(org.id),
        "draft": version(overview.draft),
        "published": version(overview.published),
        "unpublished_changes": overview.unpublished_changes,
    }


def scim_token_record(token: ScimToken, base_url: str) -> Record:
    record = _pick(
        token, ("id", "org_id", "name", "created_at", "last_used_at", "expires_at", "revoked_at")
    )
    record["status"] = scim_tokens.token_status(token, clock.utcnow())
    record["scim_base_url"] = f"{base_url}/scim/v2/orgs/{token.org_id}"
    return record


def domain_record(claim: EmailDomain) -> Record:
    return jsonable(
        {
            "id": claim.id,
            "org_id": claim.org_id,
            "domain": claim.domain,
            "status": "verified" if claim.verified_at is not None else "pending",
            "txt_record_name": record_name(claim.domain),
            "txt_record_value": record_value(claim),
            "claimed_at": claim.created_at,
            "verified_at": claim.verified_at,
        }
    )


def sso_record(config: SsoConfig, identity: IdentityConfig) -> Record:
    return jsonable(
        {
            "org_id": config.org_id,
            "issuer": config.issuer,
            "client_id": config.client_id,
            "has_client_secret": bool(config.client_secret_encrypted),
            "allowed_domains": list(config.allowed_domains),
            "sso_required": config.sso_required,
            "jit_role": config.jit_role or None,
            "redirect_uri": flow.redirect_uri(identity),
            "sign_in_url": f"{identity.public_base_url}/sso/orgs/{config.org_id}/start",
            "updated_at": config.updated_at,
        }
    )


def relay_record(session: Session, org: Org) -> Record:
    own = relay.get_relay(session, org.id)
    level, _ = relay.effective_relay(session, org)
    return jsonable(
        {"relay": asdict(relay.describe(own)) if own is not None else None, "delivery_via": level}
    )


def mfa_policy_record(policy: MfaPolicy) -> Record:
    return {
        "required": policy.required,
        "required_for_sub_orgs": policy.required_for_sub_orgs,
        "inherited": policy.inherited,
        "effective": policy.effective,
    }


def brand_domain_record(claim: DomainClaim) -> Record:
    """A custom domain claimed for a brand, as GET .../branding lists it."""
    return jsonable(
        {
            "hostname": claim.hostname,
            "status": "verified" if claim.verified_at is not None else "pending",
            "txt_record_name": record_name(claim.hostname),
            "txt_record_value": record_value(claim),
            "claimed_at": claim.created_at,
            "verified_at": claim.verified_at,
        }
    )
