"""The tree through the CLI's `Backend`: treeplan's store of the remote mode.

It reads the tree as far as the caller reaches it (`GET /orgs` and, per org,
its licenses, users, published brand, and a sub-org's source, quotas and
access settings) and makes a change with the route that makes it; the API's
policy decides, so a partner admin's token applies its own sub-orgs and is
refused an operator's change (a license, an edition) with the API's code.

Through the API every change is its own request: a refusal stops the run, and
the org's changes before it stay made (`ChangeRefused.made` lists them).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tenantree.branding.fields import TEXT_FIELDS
from tenantree.cli.backend import Backend, Record, Refused
from tenantree.errors import DomainError, Invalid
from tenantree.licensing.policies import LicenseSource, LicenseStatus
from tenantree.orgs.kinds import OrgKind, PartnerType
from tenantree.treeplan.apply import (
    ChangeRefused,
    customers_with,
    primary_admin_needed,
    refuse_unsupported,
)
from tenantree.treeplan.diff import Action, Change, OrgDiff, default_source, top_edition
from tenantree.treeplan.document import (
    AccessSpec,
    BrandSpec,
    CustomerSpec,
    LicenseSpec,
    PartnerSpec,
    Tree,
)
from tenantree.treeplan.nesting import Reached, nest


def _error(exc: Refused) -> DomainError:
    error = DomainError(exc.message, code=exc.code, field=exc.field)
    error.status = exc.status
    return error


class _Fields:
    """An org's fields in the file, read through the API (nesting.FieldReader)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        # Each org's users by id, with the primary admin's under "primary".
        self.emails: dict[str, dict[str, str]] = {}

    def _user_emails(self, org_id: str) -> dict[str, str]:
        if org_id not in self.emails:
            emails: dict[str, str] = {}
            for user in self.backend.list_users(uuid.UUID(org_id)):
                emails[user["id"]] = user["email"]
                if user["is_primary_admin"]:
                    emails["primary"] = user["email"]
            self.emails[org_id] = emails
        return self.emails[org_id]

    def own(self, org: Record) -> dict[str, Any]:
        org_id = uuid.UUID(org["id"])
        licenses = sorted(
            (_license(item) for item in self.backend.list_licenses(org_id)),
            key=lambda spec: spec.key,
        )
        published = self.backend.get_branding(org_id)["published"]
        return {
            "salesforce_id": org["salesforce_id"],
            "name": org["name"],
            "edition": org["edition"],
            "status": org["status"],
            "primary_admin_email": self._user_emails(org["id"]).get("primary"),
            "licenses": licenses or None,
            "brand": BrandSpec(**{k: published[k] for k in TEXT_FIELDS}) if published else None,
        }

    def as_customer(self, org: Record, partner: Record) -> dict[str, Any]:
        org_id = uuid.UUID(org["id"])
        source = LicenseSource(self.backend.get_license_source(org_id)["source"])
        quotas = {q["sku"]: q["max_units"] for q in self.backend.list_quotas(org_id)}
        settings = self.backend.get_access(org_id)
        partner_users = settings["partner_users"]
        if partner_users != "all":
            partner_emails = self._user_emails(partner["id"])
            partner_users = [
                partner_emails[str(u)] for u in partner_users if str(u) in partner_emails
            ]
        access = AccessSpec(
            customer_access=settings["customer_access"],
            partner_users=partner_users,
            customer_may_brand=settings["customer_may_brand"],
        )
        default = default_source(_partner_type(partner["partner_type"]))
        return self.own(org) | {
            "customer_name": org["customer_name"] or org["name"],
            "license_source": None if source == default else source,
            "quotas": quotas or None,
            "access": None if access == AccessSpec() else access,
        }


class BackendTree:
    """The TreeStore (treeplan.apply) over a Backend, one request per change."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.ids: dict[str, uuid.UUID] = {}

    # Reading

    def read_tree(self) -> Tree:
        orgs = sorted(
            self.backend.list_orgs(q=None, parent_id=None),
            key=lambda o: (o["name"], o["salesforce_id"]),
        )
        self.ids = {o["salesforce_id"]: uuid.UUID(o["id"]) for o in orgs}
        reached = [
            Reached(
                org["id"],
                org["parent_id"],
                org["kind"] == OrgKind.SUB_ORG,
                _partner_type(org["partner_type"]),
                org,
            )
            for org in orgs
        ]
        return nest(reached, _Fields(self.backend))

    # Changing

    def apply_org(self, org: OrgDiff, changes: Sequence[Change]) -> None:
        made: list[Change] = []
        for change in changes:
            try:
                refuse_unsupported(change)
                self._make(org, change)
            except Refused as exc:
                raise ChangeRefused(change, _error(exc), made) from exc
            except DomainError as exc:
                raise ChangeRefused(change, exc, made) from exc
            made.append(change)

    def _id(self, salesforce_id: str) -> uuid.UUID:
        if salesforce_id not in self.ids:
            raise Invalid(f"no org reached has the Salesforce ID {salesforce_id}", field="org")
        return self.ids[salesforce_id]

    def _make(self, org: OrgDiff, change: Change) -> None:
        backend = self.backend
        if change.what == "org" and change.action == Action.CREATE:
            self.ids[org.salesforce_id] = uuid.UUID(self._create(org)["id"])
            return
        org_id = self._id(org.salesforce_id)
        match change.what:
            case "org":  # a deletion, made only with --prune: deactivation
                backend.update_org(org_id, {"status": "deactivated"})
            case "name" | "edition":
                backend.update_org(org_id, {change.what: str(change.after)})
            case "status":
                customers = customers_with(org, change)
                backend.update_org(org_id, {"status": str(change.after), "customers": customers})
            case "partner_type":
                backend.activate_partner(org_id, str(change.after))
            case "license":
                self._license(org_id, change)
            case "license_source":
                backend.set_license_source(org_id, str(change.after))
            case "quota":
                backend.set_quota(org_id, change.key or "", change.after)
            case "access":
                backend.set_access(org_id, self._access_body(org, change.after))
            case "brand":
                backend.save_branding_draft(org_id, change.after.model_dump())
                backend.publish_branding(org_id)
            case _:  # pragma: no cover - the diff makes only the kinds above
                raise AssertionError(change.what)

    def _create(self, org: OrgDiff) -> Record:
        desired = org.desired
        admin = (
            str(desired.primary_admin_email) if desired and desired.primary_admin_email else None
        )
        if isinstance(desired, CustomerSpec):
            assert org.parent_salesforce_id is not None
            body = {
                "name": desired.name,
                "salesforce_id": desired.salesforce_id,
                "customer_name": desired.customer_name,
                "primary_admin_email": admin,
            }
            return self.backend.create_sub_org(self._id(org.parent_salesforce_id), body)
        assert isinstance(desired, PartnerSpec)
        return self.backend.create_org(
            name=desired.name,
            salesforce_id=desired.salesforce_id,
            edition=str(top_edition(desired)),
            primary_admin_email=primary_admin_needed(desired),
        )

    def _license(self, org_id: uuid.UUID, change: Change) -> None:
        if change.action == Action.CREATE:
            wanted: LicenseSpec = change.after
            body = wanted.model_dump(mode="json", exclude={"status"})
            granted = self.backend.grant_license(org_id, body)
            if wanted.status != LicenseStatus.ACTIVE:
                self.backend.update_license(
                    org_id, uuid.UUID(granted["id"]), {"status": str(wanted.status)}
                )
            return
        before: LicenseSpec = change.before
        license_id = self._find_license(org_id, before)
        if change.action == Action.DELETE:  # with --prune: the license ends, nothing is deleted
            self.backend.update_license(org_id, license_id, {"status": str(LicenseStatus.ENDED)})
            return
        wanted = change.after
        changes = wanted.model_dump(
            mode="json", include={"quantity", "ends_at", "status", "overage_policy"}
        )
        self.backend.update_license(org_id, license_id, changes)

    def _find_license(self, org_id: uuid.UUID, spec: LicenseSpec) -> uuid.UUID:
        for item in self.backend.list_licenses(org_id):
            if _license(item).key == spec.key:
                return uuid.UUID(item["id"])
        raise Invalid(
            f"no license of {spec.sku} starts at {spec.starts_at.isoformat()}", field="license"
        )

    def _access_body(self, org: OrgDiff, wanted: AccessSpec) -> Record:
        users: Any = "all"
        if wanted.partner_users != "all":
            assert org.parent_salesforce_id is not None
            partner = self._id(org.parent_salesforce_id)
            by_email = {u["email"].lower(): u["id"] for u in self.backend.list_users(partner)}
            unknown = [e for e in wanted.partner_users if e not in by_email]
            if unknown:
                raise Invalid(
                    "access.partner_users must be users of the sub-org's partner; unknown: "
                    + ", ".join(unknown),
                    field="access.partner_users",
                )
            users = [by_email[e] for e in wanted.partner_users]
        current = self.backend.get_access(self._id(org.salesforce_id))
        return {
            "customer_access": str(wanted.customer_access),
            "partner_users": users,
            "customer_may_brand": wanted.customer_may_brand,
            # Not in the file: an end of partner-wide access set elsewhere is kept.
            "partner_access_expires_at": current["partner_access_expires_at"]
            if users == "all"
            else None,
        }


def _license(item: Record) -> LicenseSpec:
    return LicenseSpec(
        sku=item["sku"],
        unit=item["unit"],
        quantity=item["quantity"],
        starts_at=item["starts_at"],
        ends_at=item["ends_at"],
        overage_policy=item["overage_policy"],
        status=item["status"],
        salesforce_contract_id=item["salesforce_contract_id"],
    )


def _partner_type(value: str | None) -> PartnerType | None:
    return PartnerType(value) if value else None
