"""The changes that turn the current tree into the desired one (plain, no database).

One `OrgDiff` per org, in the order they are applied: each top-level org of
the file, then its sub-orgs; then the orgs the file no longer names, deepest
first (a tier-2 partner's customers, then sub-orgs, then top-level orgs: a
partner is never deactivated with running customers the file dropped too).
Each carries its `Change`s, in the order the applier makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tenantree.licensing.policies import LicenseSource, LicenseStatus
from tenantree.orgs.kinds import Edition, OrgStatus, PartnerType
from tenantree.treeplan.document import (
    AccessSpec,
    BrandSpec,
    CustomerSpec,
    LicenseSpec,
    OrgSpec,
    PartnerSpec,
    SubOrgSpec,
    Tree,
)


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    NO_CHANGE = "no change"
    # Shown by plan; with --prune an org is deactivated and a license ended.
    DELETE = "would delete"


@dataclass(frozen=True)
class Change:
    # "org", "name", "edition", "status", "partner_type", "customer_name",
    # "parent", "license", "license_source", "quota", "access", "brand".
    what: str
    action: Action
    before: Any = None
    after: Any = None
    # Which license or quota: "sku@starts_at" or the SKU.
    key: str | None = None

    def describe(self) -> str:
        label = f"{self.what} {self.key}" if self.key else self.what
        if self.action == Action.CREATE:
            return f"{label}: {_show(self.after)}"
        if self.action == Action.DELETE:
            return f"{label}: {_show(self.before)}"
        return f"{label}: {_show(self.before)} -> {_show(self.after)}"


def _show(value: Any) -> str:
    if hasattr(value, "model_dump"):
        dumped = value.model_dump(mode="json", exclude_none=True)
        return "{" + ", ".join(f"{k}={v}" for k, v in dumped.items()) + "}"
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value.value if isinstance(value, StrEnum) else value)


@dataclass(frozen=True)
class OrgDiff:
    salesforce_id: str
    name: str
    parent_salesforce_id: str | None
    # None: the file no longer names the org (pruned).
    desired: OrgSpec | None
    # None: the org does not exist yet.
    current: OrgSpec | None
    changes: list[Change] = field(default_factory=list)

    @property
    def action(self) -> Action:
        if self.current is None:
            return Action.CREATE
        if self.desired is None:
            return Action.DELETE if self.current.status == OrgStatus.ACTIVE else Action.NO_CHANGE
        if any(c.action != Action.DELETE for c in self.changes):
            return Action.UPDATE
        # Only what the file dropped (a license, a quota): shown, made only by --prune.
        return Action.DELETE if self.changes else Action.NO_CHANGE

    @property
    def is_sub_org(self) -> bool:
        return self.parent_salesforce_id is not None


@dataclass(frozen=True)
class TreeDiff:
    orgs: list[OrgDiff]
    # The file it was planned from (apply plans the rest again after a partner's status).
    desired: Tree

    def counts(self) -> dict[Action, int]:
        counts = dict.fromkeys(Action, 0)
        for org in self.orgs:
            counts[org.action] += 1
        return counts

    @property
    def changed(self) -> list[OrgDiff]:
        return [o for o in self.orgs if o.action != Action.NO_CHANGE]


def _license_key(license_: LicenseSpec) -> str:
    return f"{license_.sku}@{license_.starts_at.isoformat()}"


def default_source(partner_type: PartnerType | None) -> LicenseSource:
    """A new sub-org's source: an MSP's customers share its pool, a reseller's hold their own."""
    return LicenseSource.PARENT_POOL if partner_type == PartnerType.MSP else LicenseSource.OWN


# The org a sub-org sits under in the file: a top-level partner, or a tier-2 partner.
Parent = PartnerSpec | SubOrgSpec


def _baseline(desired: OrgSpec, parent: Parent | None, parent_current: OrgSpec | None) -> OrgSpec:
    """The org as creating it makes it, before the file's other changes."""
    if isinstance(desired, CustomerSpec):
        assert parent is not None
        edition = (parent_current.edition if parent_current else None) or top_edition(parent)
        return SubOrgSpec(
            salesforce_id=desired.salesforce_id,
            name=desired.name,
            customer_name=desired.customer_name,
            edition=edition,
            licenses=[],
            license_source=default_source(parent.partner_type),
            quotas={},
            access=AccessSpec(),
            brand=BrandSpec(),
        )
    assert isinstance(desired, PartnerSpec)
    return PartnerSpec(
        salesforce_id=desired.salesforce_id,
        name=desired.name,
        edition=top_edition(desired),
        licenses=[],
        brand=BrandSpec(),
    )


def top_edition(org: Parent) -> Edition:
    """The edition a new top-level org is created with (a partner needs Pro);
    of a tier-2 partner created with it, the edition its customers take."""
    if org.edition is not None:
        return org.edition
    return Edition.PRO if org.partner_type is not None else Edition.STANDARD


def _field(what: str, before: Any, after: Any) -> list[Change]:
    return [] if before == after else [Change(what, Action.UPDATE, before, after)]


def _licenses(desired: list[LicenseSpec], current: list[LicenseSpec]) -> list[Change]:
    have = {license_.key: license_ for license_ in current}
    changes: list[Change] = []
    for license_ in desired:
        now = have.pop(license_.key, None)
        key = _license_key(license_)
        if now is None:
            changes.append(Change("license", Action.CREATE, None, license_, key))
        elif now != license_:
            changes.append(Change("license", Action.UPDATE, now, license_, key))
    for license_ in have.values():
        if license_.status == LicenseStatus.ACTIVE:
            changes.append(Change("license", Action.DELETE, license_, None, _license_key(license_)))
    return changes


def _quotas(desired: dict[str, int], current: dict[str, int]) -> list[Change]:
    changes: list[Change] = []
    for sku, units in desired.items():
        if sku not in current:
            changes.append(Change("quota", Action.CREATE, None, units, sku))
        elif current[sku] != units:
            changes.append(Change("quota", Action.UPDATE, current[sku], units, sku))
    for sku, units in current.items():
        if sku not in desired:
            changes.append(Change("quota", Action.DELETE, units, None, sku))
    return changes


def diff_org(
    desired: OrgSpec,
    current: OrgSpec | None,
    *,
    parent: Parent | None = None,
    parent_current: OrgSpec | None = None,
    current_parent_id: str | None = None,
) -> OrgDiff:
    """The changes to one org. `current_parent_id` is the Salesforce ID of the
    partner the org sits under now (None: top-level)."""
    changes: list[Change] = []
    now = current
    if now is None:
        now = _baseline(desired, parent, parent_current)
        changes.append(Change("org", Action.CREATE, None, desired.name))
    else:
        wanted_parent = parent.salesforce_id if parent else None
        changes += _field("parent", current_parent_id, wanted_parent)
        changes += _field("name", now.name, desired.name)
    if desired.edition is not None:
        changes += _field("edition", now.edition, desired.edition)
    if isinstance(desired, PartnerSpec | SubOrgSpec):
        now_type = now.partner_type if isinstance(now, PartnerSpec | SubOrgSpec) else None
        changes += _field("partner_type", now_type, desired.partner_type)
    if isinstance(desired, CustomerSpec) and isinstance(now, CustomerSpec):
        changes += _field("customer_name", now.customer_name, desired.customer_name)
        if desired.license_source is not None:
            assert parent is not None
            source = now.license_source or default_source(parent.partner_type)
            changes += _field("license_source", source, desired.license_source)
        if desired.quotas is not None:
            changes += _quotas(desired.quotas, now.quotas or {})
        if desired.access is not None:
            changes += _field("access", now.access or AccessSpec(), desired.access)
    if desired.licenses is not None:
        changes += _licenses(desired.licenses, now.licenses or [])
    if desired.brand is not None:
        changes += _field("brand", now.brand or BrandSpec(), desired.brand)
    # Status last: a deactivated org takes its other changes first (it still
    # exists; an operator may change it), a reactivated one is whole again.
    changes += _field("status", now.status, desired.status)
    return OrgDiff(
        desired.salesforce_id,
        desired.name,
        parent.salesforce_id if parent else None,
        desired,
        current,
        changes,
    )


def diff_trees(desired: Tree, current: Tree) -> TreeDiff:
    """Every org's changes, in the order they are applied."""
    # Each org now, with the Salesforce ID of its parent and its depth.
    existing: dict[str, tuple[OrgSpec, str | None, int]] = {}
    for top in current.orgs:
        existing[top.salesforce_id] = (top, None, 0)
        for sub in top.sub_orgs:
            existing[sub.salesforce_id] = (sub, top.salesforce_id, 1)
            for customer in sub.sub_orgs:
                existing[customer.salesforce_id] = (customer, sub.salesforce_id, 2)
    orgs: list[OrgDiff] = []

    def under(parent: Parent, parent_now: OrgSpec | None, sub: CustomerSpec) -> OrgSpec | None:
        now, now_parent, _ = existing.pop(sub.salesforce_id, (None, None, 0))
        orgs.append(
            diff_org(
                sub, now, parent=parent, parent_current=parent_now, current_parent_id=now_parent
            )
        )
        return now

    for top in desired.orgs:
        now, now_parent, _ = existing.pop(top.salesforce_id, (None, None, 0))
        orgs.append(diff_org(top, now, current_parent_id=now_parent))
        for sub in top.sub_orgs:
            sub_now = under(top, now, sub)
            for customer in sub.sub_orgs:
                under(sub, sub_now, customer)
    # Left over: orgs the file does not name, deepest first.
    left = sorted(existing.items(), key=lambda item: -item[1][2])
    for salesforce_id, (org, parent_id, _) in left:
        changes = []
        if org.status == OrgStatus.ACTIVE:
            changes = [Change("org", Action.DELETE, org.name, None)]
        orgs.append(OrgDiff(salesforce_id, org.name, parent_id, None, org, changes))
    return TreeDiff(orgs, desired)
