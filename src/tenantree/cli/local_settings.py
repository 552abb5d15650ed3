"""The local backend's settings of an org: access, licensing, branding, email
domains, single sign-on and SMTP relay (the operator sees every pool's figures)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime

from tenantree.access import mfa_policy, partner_grants
from tenantree.access import service as access
from tenantree.branding import relay
from tenantree.branding import service as branding
from tenantree.branding.fields import TEXT_FIELDS
from tenantree.cli import records
from tenantree.cli.backend import Record, Refused
from tenantree.cli.local_base import (
    LocalBase,
    domain_refusals,
    every_item,
    validated,
)
from tenantree.domains import service as domains
from tenantree.identity.roles import Role
from tenantree.licensing import changes, consumption, grants, sub_org_terms
from tenantree.licensing.models import LicenseSource
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sources import current_source
from tenantree.orgs.models import Org
from tenantree.sso import config as sso_config
from tenantree.web.schemas.access import AccessSettingsBody
from tenantree.web.schemas.domains import DomainClaimBody
from tenantree.web.schemas.licensing import LicenseCreate, LicenseUpdate


class SettingsOperations(LocalBase):
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

    def list_partner_staff(self, org_id: uuid.UUID) -> Iterator[Record]:
        org = self._org(org_id)
        with domain_refusals():
            for staff in every_item(
                lambda cursor: partner_grants.partner_staff(
                    self.session, org, limit=None, cursor=cursor
                )
            ):
                yield records.jsonable(
                    {
                        "display_name": staff.display_name,
                        "email": staff.email,
                        "role": staff.role,
                        "until": staff.until,
                    }
                )

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
        # The API's own body schema: the same field and rule refused as there.
        body = validated(LicenseUpdate, changes)
        with domain_refusals():
            license_ = grants.change_requested_license(
                self.session, self.trail, self._org(org_id), license_id, body
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

    def list_quotas(self, org_id: uuid.UUID) -> list[Record]:
        quotas = sub_org_terms.list_quotas(self.session, self._org(org_id))
        return [{"sku": q.sku, "max_units": q.max_units} for q in quotas]

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
                # The local CLI acts as the operator: every pool's figures are its.
                sees_pool_figures=True,
                sees_distributor_figures=True,
            )
        return {
            "sku": result.sku,
            "consumed": result.consumed,
            "over_quantity": result.over_quantity,
        }

    def list_usage_events(self, org_id: uuid.UUID, *, sku: str | None) -> Iterator[Record]:
        org = self._org(org_id)
        for change in every_item(
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

    def verify_brand_domain(self, org_id: uuid.UUID, hostname: str | None) -> Record:
        with domain_refusals():
            claim = branding.verify_domain(
                self.session, self.trail, self.brands, self._org(org_id), hostname
            )
        return records.brand_domain_record(claim)

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

    def list_every_domain_claim(self) -> list[Record]:
        return [
            records.domain_record(claim) | {"org_name": org.name}
            for claim, org in domains.every_claim(self.session)
        ]

    def revoke_domain_claim(self, domain_id: uuid.UUID) -> None:
        with domain_refusals():
            domains.revoke_claim(self.session, self.trail, domain_id)

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

    # MFA policy

    def get_mfa_policy(self, org_id: uuid.UUID) -> Record:
        return records.mfa_policy_record(mfa_policy.get_mfa_policy(self.session, self._org(org_id)))

    def set_mfa_policy(
        self, org_id: uuid.UUID, *, required: bool, required_for_sub_orgs: bool
    ) -> Record:
        with domain_refusals():
            policy = mfa_policy.set_mfa_policy(
                self.session,
                self.trail,
                self._org(org_id),
                required=required,
                required_for_sub_orgs=required_for_sub_orgs,
            )
        return records.mfa_policy_record(policy)
