"""The audit log in people's words: action labels grouped by area, and the names
of the actors and targets events point at by id.

Events outlive what they name (no foreign keys), so a name that is gone falls
back to what the event's own details say, then to the id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.models import AuditEvent
from tenantree.branding.models import DomainClaim
from tenantree.domains.models import EmailDomain
from tenantree.identity.integration_models import ApiToken, ScimToken
from tenantree.identity.models import Account, Invitation, Membership
from tenantree.licensing.models import License
from tenantree.orgs.models import Org

# An action's area is the part of its code before the dot; a few codes file
# themselves under "org." or "license." but read better in their own area.
AREAS = {
    "access": "Partner access",
    "alert": "Alerts",
    "alert_thresholds": "Alerts",
    "api_token": "API tokens",
    "auth": "Sign-in",
    "brand": "Branding",
    "domain": "Email domains",
    "email": "Email delivery",
    "invitation": "Invitations",
    "license": "Licenses",
    "mfa": "Two-step sign-in",
    "operator": "Operators",
    "org": "Orgs",
    "scim": "SCIM provisioning",
    "scim_token": "SCIM tokens",
    "sso": "Single sign-on",
    "usage": "Usage",
    "user": "Users",
    "webhook": "Webhooks",
}
# Labels that the code's own words would say badly.
LABELS = {
    AuditAction.AUTH_SSO_SIGNED_IN: "signed in through single sign-on",
    AuditAction.AUTH_SSO_FAILED: "single sign-on failed",
    AuditAction.AUTH_SSO_START_THROTTLED: "single sign-on starts throttled",
    AuditAction.AUTH_BREAK_GLASS: "break-glass password sign-in",
    AuditAction.MFA_POLICY_CHANGED: "MFA policy changed",
    AuditAction.BRAND_SMTP_RELAY_SET: "SMTP relay set",
    AuditAction.BRAND_SMTP_RELAY_REMOVED: "SMTP relay removed",
    AuditAction.SSO_USER_CREATED: "person created at first SSO sign-in",
    AuditAction.USAGE_OVERAGE: "use over the license allowed and flagged",
    AuditAction.USAGE_REFUSED: "use over the license refused",
}


def area_of(action: str) -> str:
    return AREAS.get(action.split(".", 1)[0], "Other")


def label_of(action: str) -> str:
    """'api_token.revoked' -> 'revoked'; the area says the rest."""
    known = LABELS.get(action)  # type: ignore[call-overload]
    if known:
        return known
    return action.split(".", 1)[-1].replace("_", " ")


def full_label(action: str) -> str:
    return f"{area_of(action)}: {label_of(action)}"


def grouped_actions() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(area, [(code, label), ...]), ...], areas and labels alphabetized."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action in AuditAction:
        groups.setdefault(area_of(action.value), []).append((action.value, label_of(action.value)))
    return [(area, sorted(items, key=lambda i: i[1])) for area, items in sorted(groups.items())]


# Details that name the target, for a target that is gone.
_NAMING_DETAILS = ("email", "name", "domain", "hostname", "sku")


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _name_of(session: Session, target_type: str, target_id: uuid.UUID) -> str | None:
    if target_type in ("org", "brand", "sso_config", "sso", "smtp_relay"):
        org = session.get(Org, target_id)
        return org.name if org else None
    if target_type == "account":
        account = session.get(Account, target_id)
        return account.email if account else None
    if target_type in ("user", "membership"):
        membership = session.get(Membership, target_id)
        return membership.account.email if membership else None
    named: dict[str, tuple[type[Any], str]] = {
        "api_token": (ApiToken, "name"),
        "scim_token": (ScimToken, "name"),
        "invitation": (Invitation, "email"),
        "license": (License, "sku"),
        "email_domain": (EmailDomain, "domain"),
        "domain_claim": (DomainClaim, "hostname"),
    }
    if target_type in named:
        model, attribute = named[target_type]
        row = session.get(model, target_id)
        return getattr(row, attribute) if row is not None else None
    return None


def target_names(session: Session, events: Iterable[AuditEvent]) -> dict[uuid.UUID, str]:
    """Each event's target in words, by event id."""
    names: dict[uuid.UUID, str] = {}
    for event in events:
        target_id = _uuid(event.target_id)
        name = _name_of(session, event.target_type, target_id) if target_id else None
        if name is None:
            details = event.details or {}
            name = next(
                (
                    str(details[k])
                    for k in ("email", "name", "domain", "hostname", "sku")
                    if details.get(k)
                ),
                None,
            )
        kind = event.target_type.replace("_", " ")
        names[event.id] = f"{kind} {name}" if name else f"{kind} {event.target_id or ''}".strip()
    return names


def actor_names(session: Session, events: Iterable[AuditEvent]) -> dict[uuid.UUID, str]:
    """Each event's actor in words, by event id: their email, and the org they acted
    from when it is not the event's own (a partner acting in a customer's org)."""
    names: dict[uuid.UUID, str] = {}
    for event in events:
        if event.actor_id is None:
            names[event.id] = "the platform"
            continue
        account = session.get(Account, event.actor_id)
        who = account.email if account else str(event.actor_id)
        if event.actor_org_id and event.actor_org_id != event.org_id:
            via = session.get(Org, event.actor_org_id)
            if via is not None:
                who += f" (from {via.name})"
        names[event.id] = who
    return names
