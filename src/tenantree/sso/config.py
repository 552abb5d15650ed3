"""An org's OpenID Connect provider settings, set by its admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.policy import (
    SSO_TEST_MAX_AGE_SECONDS,
    breaks_glass,
    password_reaches_nothing,
    sso_required_refusal,
)
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.domains.errors import DomainNotOwned
from tenantree.domains.managed import org_managing
from tenantree.domains.names import email_domain, normalize_domain
from tenantree.domains.service import verified_domains
from tenantree.errors import Conflict, Invalid, NotFound
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import token_digest
from tenantree.identity.integration_models import SsoConfig, SsoLogin
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.orgs.models import Org
from tenantree.sso.crypto import encrypt
from tenantree.sso.issuer import check_issuer


class SsoNotConfigured(NotFound):
    code = "sso_not_configured"


@dataclass(frozen=True)
class SsoSettings:
    issuer: str
    client_id: str
    client_secret: str | None  # None: keep the stored one
    allowed_domains: list[str]
    sso_required: bool
    jit_role: Role | None


def get_sso_config(session: Session, org: Org) -> SsoConfig:
    config = session.get(SsoConfig, org.id)
    if config is None:
        raise SsoNotConfigured("this org has no single sign-on configured")
    return config


def set_sso_config(
    session: Session,
    trail: AuditTrail,
    identity: IdentityConfig,
    org: Org,
    settings: SsoSettings,
    *,
    session_token: str,
) -> SsoConfig:
    """`session_token`: the bearer token of the admin's session (API or console),
    to which a test sign-in must be bound before SSO is made required."""
    domains = _proven_domains(session, org, settings.allowed_domains)
    issuer = check_issuer(settings.issuer, allow_private=identity.sso_allow_private_issuers)
    config = session.get(SsoConfig, org.id)
    refusal = sso_required_refusal(
        turning_on=settings.sso_required and not (config is not None and config.sso_required),
        provider_changed=config is None
        or config.issuer != issuer
        or config.client_id != settings.client_id
        or bool(settings.client_secret),
        tested_in_this_session=config is not None
        and passed_test(session, identity, org, trail.actor_id, session_token),
    )
    if refusal is not None:
        raise Conflict(
            "save the provider without sso_required, pass a test sign-in "
            "(POST /api/v1/orgs/{org_id}/sso/test) in this session, then require it",
            code=refusal,
            field="sso_required",
        )
    created = config is None
    if config is None:
        if not settings.client_secret:
            raise Invalid("client_secret is required", field="client_secret")
        config = SsoConfig(org_id=org.id)
        session.add(config)
    config.issuer = issuer
    config.client_id = settings.client_id
    if settings.client_secret:
        config.client_secret_encrypted = encrypt(identity.secret_key, settings.client_secret)
    config.allowed_domains = domains
    config.sso_required = settings.sso_required
    config.jit_role = settings.jit_role.value if settings.jit_role else None
    config.updated_at = clock.utcnow()
    session.flush()
    trail.record(
        AuditAction.SSO_CONFIGURED,
        org_id=org.id,
        target_type="sso_config",
        target_id=org.id,
        created=created,
        issuer=config.issuer,
        client_id=config.client_id,
        client_secret_changed=bool(settings.client_secret),
        allowed_domains=domains,
        sso_required=config.sso_required,
        jit_role=config.jit_role,
    )
    return config


def passed_test(
    session: Session,
    identity: IdentityConfig,
    org: Org,
    account_id: object,
    session_token: str,
) -> bool:
    """Did this admin, from this session, pass a test sign-in recently?"""
    since = clock.utcnow() - timedelta(seconds=SSO_TEST_MAX_AGE_SECONDS)
    return (
        session.scalar(
            select(SsoLogin.id)
            .where(
                SsoLogin.org_id == org.id,
                SsoLogin.test_account_id == account_id,
                SsoLogin.test_session_hash == token_digest(identity.secret_key, session_token),
                SsoLogin.test_passed_at > since,
            )
            .limit(1)
        )
        is not None
    )


def _proven_domains(session: Session, org: Org, given: list[str]) -> list[str]:
    """The allowed domains, each one the org has verified (`domains`), or 422: an
    org's provider may speak only for the addresses the org proved it owns."""
    field = "allowed_domains"
    domains = sorted({normalize_domain(d, field=field) for d in given})
    if not domains:
        raise Invalid("give at least one email domain, like example.com", field=field)
    unproven = [d for d in domains if d not in verified_domains(session, [org.id])]
    if unproven:
        raise DomainNotOwned(
            f"{field}: {', '.join(unproven)} must each be a verified domain of this org; "
            "claim and verify it under the org's domains first",
            field=field,
        )
    return domains


def remove_sso_config(session: Session, trail: AuditTrail, org: Org) -> None:
    config = get_sso_config(session, org)
    session.delete(config)
    session.flush()
    trail.record(AuditAction.SSO_REMOVED, org_id=org.id, target_type="sso_config", target_id=org.id)


def password_sign_in_refused(session: Session, account: Account) -> bool:
    """Are all the person's active entries in orgs that make SSO mandatory?

    Then a password gets them nowhere. Operators keep their own sign-in.
    """
    if account.is_operator:
        return False
    entries = session.execute(
        select(SsoConfig.sso_required, Membership.is_primary_admin)
        .select_from(Membership)
        .outerjoin(SsoConfig, SsoConfig.org_id == Membership.org_id)
        .where(Membership.account_id == account.id, Membership.status == MemberStatus.ACTIVE)
    ).all()
    return password_reaches_nothing(is_operator=False, entries=[tuple(e) for e in entries])


def break_glass_orgs(session: Session, account: Account) -> list[Org]:
    """The SSO-mandatory orgs a password sign-in of this account enters as their
    primary admin (policy.breaks_glass)."""
    rows = session.execute(
        select(Org, SsoConfig.sso_required, Membership.is_primary_admin)
        .join(Membership, Membership.org_id == Org.id)
        .join(SsoConfig, SsoConfig.org_id == Org.id)
        .where(Membership.account_id == account.id, Membership.status == MemberStatus.ACTIVE)
    ).all()
    return [
        org
        for org, required, primary in rows
        if breaks_glass(sso_required=required, is_primary_admin=primary)
    ]


def org_offers_sso(session: Session, org: Org) -> bool:
    return org.status == "active" and session.get(SsoConfig, org.id) is not None


def org_offering_sso_for(session: Session, email: str) -> Org | None:
    """The org whose single sign-on takes this address: the one that verified its
    domain, if it offers SSO for it; never a mere claimant."""
    domain = email_domain(email)
    owner = org_managing(session, email)
    if domain is None or owner is None:
        return None
    row = session.execute(
        select(Org, SsoConfig.allowed_domains)
        .join(SsoConfig, SsoConfig.org_id == Org.id)
        .where(Org.id == owner, Org.status == "active")
    ).first()
    return row[0] if row is not None and domain in (row[1] or []) else None
