"""Making a diff's changes, org after org, through a `TreeStore` (plain).

The store reads the current tree and makes one org's changes: `DatabaseTree`
(treeplan/database.py) through the services, one unit of work per org, for
the operator on the server; the CLI's remote store through the public API
with the caller's token, whose policy refuses what its role may not do. The
rules of which changes a file may make, the order, and stopping at the first
refusal are written once, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tenantree.errors import DomainError, Invalid
from tenantree.orgs.kinds import OrgStatus, PartnerCustomers
from tenantree.treeplan.diff import Action, Change, OrgDiff, TreeDiff, diff_trees
from tenantree.treeplan.document import LicenseSpec, PartnerSpec, SubOrgSpec, Tree


class ChangeRefused(Exception):
    """A store could not make `change`: the service's or the API's error. `made`:
    the org's changes made before it and kept (through the API each change is
    its own request; on the database the org's unit of work rolls back)."""

    def __init__(self, change: Change, error: DomainError, made: Sequence[Change] = ()) -> None:
        super().__init__(error.message)
        self.change = change
        self.error = error
        self.made = list(made)


class TreeStore(Protocol):
    def read_tree(self) -> Tree:
        """The tree as it is now, as far as the store's caller sees it."""
        ...

    def apply_org(self, org: OrgDiff, changes: Sequence[Change]) -> None:
        """Make one org's changes, in order; the first refused raises ChangeRefused."""
        ...


class ApplyRefused(Exception):
    """A change was refused; the orgs in `applied` were changed before it."""

    def __init__(
        self,
        org: OrgDiff,
        change: Change,
        error: DomainError,
        applied: Sequence[OrgDiff],
        made: Sequence[Change] = (),
    ) -> None:
        self.org = org
        self.change = change
        self.error = error
        self.applied = list(applied)
        # The refused org's changes made before the refusal (remote mode only).
        self.made = list(made)
        super().__init__(error.message)

    def __str__(self) -> str:
        return (
            f"{self.org.salesforce_id} ({self.org.name}): {self.change.describe()}: "
            f"{self.error.message}"
        )


@dataclass
class ApplyResult:
    applied: list[OrgDiff] = field(default_factory=list)
    # Deletions shown by plan and not made: orgs and licenses without --prune,
    # quotas always (prune only deactivates and ends).
    left: list[tuple[OrgDiff, Change]] = field(default_factory=list)


def _made(change: Change, prune: bool) -> bool:
    """Whether apply makes this change (the rest is only shown)."""
    if change.action != Action.DELETE:
        return True
    return prune and change.what in ("org", "license")


def apply_diff(store: TreeStore, diff: TreeDiff, *, prune: bool = False) -> ApplyResult:
    """Make every change of `diff` through `store`, org after org, in order.

    A partner's status change (at either tier) moves its customers with it
    (suspended with it, or brought back with it: lifecycle.deactivation), so
    the orgs after it are planned again from the store before they are applied.
    """
    result = ApplyResult()
    pending = list(diff.orgs)
    while pending:
        org = pending.pop(0)
        made = [c for c in org.changes if _made(c, prune)]
        result.left += [(org, c) for c in org.changes if not _made(c, prune)]
        if not made:
            continue
        try:
            store.apply_org(org, made)
        except ChangeRefused as refusal:
            raise ApplyRefused(
                org, refusal.change, refusal.error, result.applied, refusal.made
            ) from None
        result.applied.append(org)
        moved_customers = _is_partner(org) and any(c.what == "status" for c in made)
        if moved_customers and pending:
            later = {o.salesforce_id for o in pending}
            replanned = diff_trees(diff.desired, store.read_tree())
            pending = [o for o in replanned.orgs if o.salesforce_id in later]
    return result


def _is_partner(org: OrgDiff) -> bool:
    """Whether the org is a partner (top-level or tier 2), in the file or now."""
    return any(
        isinstance(spec, PartnerSpec | SubOrgSpec) and spec.partner_type is not None
        for spec in (org.desired, org.current)
    )


def unsupported(message: str, field: str) -> Invalid:
    return Invalid(message, field=field, code="not_supported_by_tree")


def refuse_unsupported(change: Change) -> None:
    """The changes no store makes from a file (they need an action of their own)."""
    match change.what:
        case "partner_type" if change.before is not None or change.after is None:
            raise unsupported(
                "a partner's type cannot change, nor can an org stop being a partner",
                "partner_type",
            )
        case "parent":
            raise unsupported(
                "an org cannot move to another partner, nor in or out of one", "parent"
            )
        case "customer_name":
            raise unsupported("a sub-org's customer_name is set at its creation", "customer_name")
        case "license" if change.action == Action.UPDATE:
            before: LicenseSpec = change.before
            wanted: LicenseSpec = change.after
            if wanted.unit != before.unit:
                raise unsupported(f"licenses of {wanted.sku} keep their unit", "unit")
            if wanted.salesforce_contract_id != before.salesforce_contract_id:
                raise unsupported(
                    "a license's Salesforce contract is set when it is granted",
                    "salesforce_contract_id",
                )


def customers_with(org: OrgDiff, change: Change) -> PartnerCustomers | None:
    """A partner deactivated by the file: its customers are suspended with it when the
    file deactivates them all (a distributor's down the tiers), else they keep
    running (and those the file deactivates follow, one by one)."""
    desired = org.desired
    if not isinstance(desired, PartnerSpec | SubOrgSpec) or desired.partner_type is None:
        return None
    if change.after != OrgStatus.DEACTIVATED:
        return None
    below = [o for sub in desired.sub_orgs for o in (sub, *getattr(sub, "sub_orgs", []))]
    if all(o.status == OrgStatus.DEACTIVATED for o in below):
        return PartnerCustomers.SUSPEND
    return PartnerCustomers.KEEP_RUNNING


def primary_admin_needed(desired: PartnerSpec) -> str:
    if desired.primary_admin_email is None:
        raise Invalid(
            "creating a top-level org needs its primary_admin_email (who is invited)",
            field="primary_admin_email",
        )
    return str(desired.primary_admin_email)
