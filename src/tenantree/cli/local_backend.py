"""The operations on the database, through the services, as the platform
operator on the server: the command's one unit of work (cli/context.py).

Input goes through the API's own body schemas (web.schemas), so a value the
API refuses is refused here with the same field and rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import or_, select

from tenantree.access import org_listing, partner_grants
from tenantree.access import service as access
from tenantree.access.policy import Actor
from tenantree.audit import service as audit
from tenantree.branding import relay
from tenantree.branding import service as branding
from tenantree.branding.config import BrandingConfig
from tenantree.branding.fields import TEXT_FIELDS
from tenantree.cli import records
from tenantree.cli.backend import Record, Refused
from tenantree.cli.context import CliWork
from tenantree.domains import service as domains
from tenantree.errors import DomainError, Invalid
from tenantree.identity import api_tokens, directory, invitations, scim_tokens
from tenantree.identity.context import IdentityConfig
from tenantree.identity.roles import Role
from tenantree.licensing import changes, consumption, grants, sub_org_terms
from tenantree.licensing.models import LicenseSource, LicenseStatus
from tenantree.licensing.policies import OveragePolicy
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sources import current_source
from tenantree.lifecycle import service as lifecycle
from tenantree.orgs.models import Org
from tenantree.orgs.salesforce import normalize_account_id
from tenantree.pagination import Page
from tenantree.sso import config as sso_config
from tenantree.web.schemas.access import AccessSettingsBody
from tenantree.web.schemas.domains import DomainClaimBody
from tenantree.web.schemas.licensing import LicenseCreate
from tenantree.web.schemas.orgs import OrgCreate, OrgUpdate, PartnerActivation, SubOrgCreate
from tenantree.web.schemas.users import InvitationCreate, UserUpdate

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# The operator's view: every org is reachable (access.policy grants operators all).
_OPERATOR = Actor(account_id=uuid.UUID(int=0), is_operator=True)


def refusal(exc: DomainError) -> Refused:
    return Refused(exc.code, exc.message, exc.field, exc.status)


def validated(schema: type[M], body: dict[str, Any]) -> M:
    """The body as the API would accept it, or the API's 422 (field and rule)."""
    try:
        return schema.model_validate({k: v for k, v in body.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or None
        raise Refused("invalid", error["msg"], field, 422) from exc


@contextmanager
def domain_refusals() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        raise refusal(exc) from exc


def _all(fetch: Any) -> Iterator[Any]:
    """Every item of a paginated service, page after page."""
    cursor = None
    while True:
        page: Page[Any] = fetch(cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def _when(value: datetime | str | None) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class LocalBackend:
    def __init__(self, work: CliWork, identity: IdentityConfig) -> None:
        self.work = work
        self.session = work.session
        self.trail = work.trail
        self.identity = identity
        self.brands = BrandingConfig.from_settings(work.settings)

    def _org(self, org_id: uuid.UUID) -> Org:
        org = self.session.get(Org, org_id)
        if org is None:
            raise Refused("org_not_found", f"no org has the id {org_id}", "org", 404)
        return org

    # Orgs and sub-orgs

    def find_orgs(self, ref: str) -> list[Record]:
        try:
            salesforce_id: str | None = normalize_account_id(ref, field="org")
        except Invalid:
            salesforce_id = None
        condition = Org.name == ref
        if salesforce_id:
            condition = or_(condition, Org.salesforce_id == salesforce_id)
        orgs = self.session.scalars(select(Org).where(condition).order_by(Org.name)).all()
        return [records.org_record(o) for o in orgs]

    def get_org(self, org_id: uuid.UUID) -> Record:
        return records.org_record(self._org(org_id))

    def list_orgs(self, *, q: str | None, parent_id: uuid.UUID | None) -> Iterator[Record]:
        with domain_refusals():
            for org in _all(
                lambda cursor: org_listing.list_orgs(
                    self.session, _OPERATOR, q=q, parent_id=parent_id, limit=None, cursor=cursor
                )
            ):
                yield records.org_record(org)

    def create_org(
        self, *, name: str, salesforce_id: str, edition: str, primary_admin_email: str
    ) -> Record:
        body = validated(
            OrgCreate,
            {
                "name": name,
                "salesforce_id": salesforce_id,
                "edition": edition,
                "primary_admin_email": primary_admin_email,
            },
        )
        with domain_refusals():
            org = lifecycle.create_org(
                self.session,
                self.trail,
                self.identity,
                name=body.name,
                salesforce_id=body.salesforce_id,
                edition=body.edition,
                primary_admin_email=str(body.primary_admin_email),
            )
        return records.org_record(org)

    def update_org(self, org_id: uuid.UUID, changes: Record) -> Record:
        body = validated(OrgUpdate, changes)
        with domain_refusals():
            org = lifecycle.update_org(
                self.session,
                self.trail,
                self._org(org_id),
                name=body.name,
                edition=body.edition,
                status=body.status,
                customers=body.customers,
            )
        return records.org_record(org)

    def activate_partner(self, org_id: uuid.UUID, partner_type: str) -> Record:
        body = validated(PartnerActivation, {"partner_type": partner_type})
        with domain_refusals():
            org = lifecycle.activate_partner(
                self.session, self.trail, self._org(org_id), partner_type=body.partner_type
            )
        return records.org_record(org)

    def create_sub_org(self, org_id: uuid.UUID, body: Record) -> Record:
        valid = validated(SubOrgCreate, body)
        with domain_refusals():
            org = lifecycle.create_sub_org(
                self.session,
                self.trail,
                self.identity,
                self._org(org_id),
                name=valid.name,
                salesforce_id=valid.salesforce_id,
                customer_name=valid.customer_name,
                primary_admin_email=(
                    str(valid.primary_admin_email) if valid.primary_admin_email else None
                ),
            )
        return records.org_record(org)

    def list_sub_orgs(self, org_id: uuid.UUID, *, q: str | None) -> Iterator[Record]:
        parent = self._org(org_id)
        with domain_refusals():
            for org in _all(
                lambda cursor: org_listing.list_sub_orgs(
                    self.session, _OPERATOR, parent, q=q, limit=None, cursor=cursor
                )
            ):
                yield records.org_record(org)

    # Users and invitations

    def list_users(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        for membership in _all(
            lambda cursor: directory.list_users(self.session, org, limit=None, cursor=cursor)
        ):
            yield records.user_record(membership)

    def update_user(self, org_id: uuid.UUID, user_id: uuid.UUID, changes: Record) -> Record:
        body = validated(UserUpdate, changes)
        with domain_refusals():
            membership = directory.update_user(
                self.session,
                self.trail,
                self._org(org_id),
                user_id,
                role=body.role,
                status=body.status,
            )
        return records.user_record(membership)

    def remove_user(self, org_id: uuid.UUID, user_id: uuid.UUID) -> None:
        with domain_refusals():
            directory.remove_user(self.session, self.trail, self._org(org_id), user_id)

    def transfer_primary_admin(self, org_id: uuid.UUID, user_id: uuid.UUID) -> Record:
        with domain_refusals():
            membership = directory.transfer_primary_admin(
                self.session, self.trail, self._org(org_id), user_id
            )
        return records.user_record(membership)

    def list_invitations(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        cursor = None
        while True:
            page = invitations.list_invitations(self.session, org, limit=None, cursor=cursor)
            deliveries = invitations.email_deliveries(self.session, page.items)
            for invitation in page.items:
                yield records.invitation_record(invitation, deliveries.get(invitation.id))
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def invite(self, org_id: uuid.UUID, *, email: str, role: str) -> Record:
        body = validated(InvitationCreate, {"email": email, "role": role})
        with domain_refusals():
            invitation = invitations.invite(
                self.session,
                self.trail,
                self.identity,
                self._org(org_id),
                email=str(body.email),
                role=body.role,
            )
            deliveries = invitations.email_deliveries(self.session, [invitation])
        return records.invitation_record(invitation, deliveries.get(invitation.id))

    def revoke_invitation(self, org_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
        with domain_refusals():
            invitations.revoke_invitation(
                self.session, self.trail, self._org(org_id), invitation_id
            )

    # API tokens

    def list_api_tokens(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        for token in _all(
            lambda cursor: api_tokens.list_api_tokens(self.session, org, limit=None, cursor=cursor)
        ):
            yield records.api_token_record(token)

    def create_api_token(
        self, org_id: uuid.UUID, *, name: str, role: str, expires_at: datetime | None
    ) -> Record:
        try:
            chosen_role = Role(role)
        except ValueError as exc:
            raise Refused("invalid", f"unknown role {role!r}", "role", 422) from exc
        with domain_refusals():
            issued = api_tokens.create_api_token(
                self.session,
                self.trail,
                self.identity,
                self._org(org_id),
                name=name,
                role=chosen_role,
                expires_at=expires_at,
            )
        return records.api_token_record(issued.token) | {"token": issued.secret}

    def revoke_api_token(self, org_id: uuid.UUID, token_id: uuid.UUID) -> None:
        with domain_refusals():
            api_tokens.revoke_api_token(self.session, self.trail, self._org(org_id), token_id)

    # Audit

    def list_audit_events(
        self,
        org_id: uuid.UUID | None,
        *,
        action: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[Record]:
        org_ids = [self._org(org_id).id] if org_id else None
        with domain_refusals():
            for event in _all(
                lambda cursor: audit.list_events(
                    self.session,
                    org_ids=org_ids,
                    action=action,
                    actor_id=None,
                    since=since,
                    until=until,
                    limit=None,
                    cursor=cursor,
                )
            ):
                yield records.audit_event_record(event)

    # Access settings of a sub-org

    def _access_record(self, org: Org, settings: access.AccessSettings) -> Record:
        return records.access_record(settings, partner_grants.list_grants(self.session, org))

    def get_access(self, org_id: uuid.UUID) -> Record:
        org = self._org(org_id)
        with domain_refusals():
            return self._access_record(org, access.get_access_settings(self.session, org))

    def set_access(self, org_id: uuid.UUID, body: Record) -> Record:
        valid = validated(AccessSettingsBody, body)
        org = self._org(org_id)
        with domain_refusals():
            settings = access.set_access_settings(
                self.session,
                self.trail,
                org,
                customer_access=valid.customer_access,
                partner_users=None if valid.partner_users == "all" else list(valid.partner_users),
                customer_may_brand=valid.customer_may_brand,
                partner_access_expires_at=valid.partner_access_expires_at,
            )
            return self._access_record(org, settings)

    def grant_partner_user(
        self, org_id: uuid.UUID, user_id: uuid.UUID, expires_at: datetime | None
    ) -> Record:
        with domain_refusals():
            grant = partner_grants.grant(
                self.session, self.trail, self._org(org_id), user_id, expires_at=expires_at
            )
        return records.grant_record(grant)

    def end_partner_grant(self, org_id: uuid.UUID, user_id: uuid.UUID) -> None:
        with domain_refusals():
            partner_grants.end(self.session, self.trail, self._org(org_id), user_id)

    # Licensing (the operator sees every pool's figures)

    def list_licenses(self, org_id: uuid.UUID) -> Iterator[Record]:
        for license_ in grants.list_licenses(self.session, self._org(org_id)):
            yield records.license_record(license_)

    def grant_license(self, org_id: uuid.UUID, body: Record) -> Record:
        request = validated(LicenseCreate, body)
        with domain_refusals():
            license_ = grants.grant_requested_license(
                self.session, self.trail, self._org(org_id), request
            )
        return records.license_record(license_)

    def update_license(self, org_id: uuid.UUID, license_id: uuid.UUID, changes: Record) -> Record:
        given = {k: v for k, v in changes.items() if v is not None}
        try:
            typed = {
                "quantity": given.get("quantity"),
                "starts_at": _when(given.get("starts_at")),
                "ends_at": _when(given.get("ends_at")),
                "status": LicenseStatus(given["status"]) if "status" in given else None,
                "overage_policy": (
                    OveragePolicy(given["overage_policy"]) if "overage_policy" in given else None
                ),
            }
        except ValueError as exc:
            raise Refused("invalid", str(exc), None, 422) from exc
        with domain_refusals():
            license_ = grants.update_license(
                self.session, self.trail, self._org(org_id), license_id, **typed
            )
        return records.license_record(license_)

    def get_license_source(self, org_id: uuid.UUID) -> Record:
        return {"source": str(current_source(self.session, self._org(org_id)))}

    def set_license_source(self, org_id: uuid.UUID, source: str) -> Record:
        try:
            chosen = LicenseSource(source)
        except ValueError as exc:
            raise Refused("invalid", f"unknown source {source!r}", "source", 422) from exc
        with domain_refusals():
            done = sub_org_terms.set_license_source(
                self.session, self.trail, self._org(org_id), chosen
            )
        return {"source": str(done)}

    def set_quota(self, org_id: uuid.UUID, sku: str, max_units: int | None) -> Record:
        with domain_refusals():
            done = sub_org_terms.set_quota(
                self.session, self.trail, self._org(org_id), sku, max_units
            )
        return {"sku": sku, "max_units": done}

    def report_usage(self, org_id: uuid.UUID, body: Record) -> Record:
        op, amount = next(
            (UsageOp(k), body[k]) for k in ("set", "add", "release") if body.get(k) is not None
        )
        with domain_refusals():
            result = consumption.report_usage(
                self.session,
                self.trail,
                self._org(org_id),
                sku=body["sku"],
                op=op,
                amount=amount,
                sees_pool_figures=True,
            )
        return {
            "sku": result.sku,
            "consumed": result.consumed,
            "over_quantity": result.over_quantity,
        }

    def list_usage_events(self, org_id: uuid.UUID, *, sku: str | None) -> Iterator[Record]:
        org = self._org(org_id)
        for change in _all(
            lambda cursor: changes.usage_changes(
                self.session,
                org,
                sees_pool_figures=True,
                sku=sku,
                actor_id=None,
                since=None,
                until=None,
                limit=None,
                cursor=cursor,
            )
        ):
            yield records.jsonable(asdict(change))

    # Branding

    def get_branding(self, org_id: uuid.UUID) -> Record:
        org = self._org(org_id)
        return records.branding_record(org, branding.overview(self.session, self.brands, org))

    def save_branding_draft(self, org_id: uuid.UUID, fields: Record) -> Record:
        org = self._org(org_id)
        values = {field: fields.get(field) for field in TEXT_FIELDS}
        with domain_refusals():
            overview = branding.save_draft(
                self.session, self.trail, self.brands, org, values=values, images=None
            )
        return records.branding_record(org, overview)

    def publish_branding(self, org_id: uuid.UUID) -> Record:
        org = self._org(org_id)
        with domain_refusals():
            overview = branding.publish(self.session, self.trail, self.brands, org)
        return records.branding_record(org, overview)

    # SCIM tokens

    def list_scim_tokens(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        base = self.identity.public_base_url
        for token in _all(
            lambda cursor: scim_tokens.list_scim_tokens(
                self.session, org, limit=None, cursor=cursor
            )
        ):
            yield records.scim_token_record(token, base)

    def create_scim_token(
        self, org_id: uuid.UUID, *, name: str, expires_at: datetime | None
    ) -> Record:
        with domain_refusals():
            issued = scim_tokens.create_scim_token(
                self.session,
                self.trail,
                self.identity,
                self._org(org_id),
                name=name,
                expires_at=expires_at,
            )
        record = records.scim_token_record(issued.token, self.identity.public_base_url)
        return record | {"token": issued.secret}

    def revoke_scim_token(self, org_id: uuid.UUID, token_id: uuid.UUID) -> None:
        with domain_refusals():
            scim_tokens.revoke_scim_token(self.session, self.trail, self._org(org_id), token_id)

    # Verified email domains

    def list_domains(self, org_id: uuid.UUID) -> list[Record]:
        org = self._org(org_id)
        return [records.domain_record(c) for c in domains.claims_of(self.session, org.id)]

    def claim_domain(self, org_id: uuid.UUID, domain: str) -> Record:
        body = validated(DomainClaimBody, {"domain": domain})
        with domain_refusals():
            claim = domains.claim_domain(
                self.session,
                self.trail,
                self._org(org_id),
                body.domain,
                reserved=domains.platform_domains(self.brands),
            )
        return records.domain_record(claim)

    def verify_domain(self, org_id: uuid.UUID, domain_id: uuid.UUID) -> Record:
        with domain_refusals():
            claim = domains.verify_claim(
                self.session, self.trail, self.brands.verifier, self._org(org_id), domain_id
            )
        return records.domain_record(claim)

    def remove_domain(self, org_id: uuid.UUID, domain_id: uuid.UUID) -> None:
        with domain_refusals():
            domains.remove_claim(self.session, self.trail, self._org(org_id), domain_id)

    # Single sign-on: the CLI has no browser session, so it cannot make SSO
    # required (that needs a test sign-in bound to the admin's session).

    def get_sso(self, org_id: uuid.UUID) -> Record:
        with domain_refusals():
            config = sso_config.get_sso_config(self.session, self._org(org_id))
        return records.sso_record(config, self.identity)

    def set_sso(self, org_id: uuid.UUID, body: Record) -> Record:
        try:
            role = Role(body["jit_role"]) if body.get("jit_role") else None
        except ValueError as exc:
            raise Refused("invalid", f"unknown role {body['jit_role']!r}", "jit_role", 422) from exc
        settings = sso_config.SsoSettings(
            issuer=body["issuer"],
            client_id=body["client_id"],
            client_secret=body.get("client_secret"),
            allowed_domains=list(body["allowed_domains"]),
            sso_required=bool(body.get("sso_required")),
            jit_role=role,
        )
        with domain_refusals():
            config = sso_config.set_sso_config(
                self.session, self.trail, self.identity, self._org(org_id), settings,
                session_token="",
            )  # fmt: skip
        return records.sso_record(config, self.identity)

    def remove_sso(self, org_id: uuid.UUID) -> None:
        with domain_refusals():
            sso_config.remove_sso_config(self.session, self.trail, self._org(org_id))

    # The org's own SMTP relay

    def get_smtp_relay(self, org_id: uuid.UUID) -> Record:
        return records.relay_record(self.session, self._org(org_id))

    def set_smtp_relay(self, org_id: uuid.UUID, body: Record) -> Record:
        org = self._org(org_id)
        with domain_refusals():
            relay.set_relay(
                self.session,
                self.trail,
                org,
                secret_key=self.brands.secret_key,
                allow_private_hosts=self.brands.allow_private_relay_hosts,
                host=body["host"],
                port=body.get("port", 587),
                starttls=body.get("starttls", True),
                username=body.get("username"),
                password=body.get("password", relay.KEEP_PASSWORD),
            )
        return records.relay_record(self.session, org)

    def remove_smtp_relay(self, org_id: uuid.UUID) -> None:
        with domain_refusals():
            relay.remove_relay(self.session, self.trail, self._org(org_id))
