"""Drift between an export of Salesforce Accounts and the org tree: a plain function.

Each kind is found once per fact it is about (an account, an org, or a set of
rows), so an export with one planted fault reports exactly one drift. A drift
about an org says where it sits, at any of the three tiers: its depth and its
parent chain (its ancestors' names, top-level first, as the operator sees them).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from tenantree.crm.accounts_csv import AccountRow
from tenantree.orgs.kinds import OrgKind, PartnerType


class DriftKind(StrEnum):
    ACCOUNT_WITHOUT_ORG = "account_without_org"
    DUPLICATE_ACCOUNT = "duplicate_account"
    ID_FORMS_COLLIDE = "id_forms_collide"
    NAME_DIFFERS = "name_differs"
    ORG_NOT_IN_EXPORT = "org_not_in_export"
    PARTNER_FLAG_DIFFERS = "partner_flag_differs"
    PARTNER_LINK_DIFFERS = "partner_link_differs"


@dataclass(frozen=True)
class TreeOrg:
    """What reconciliation needs to know of an org."""

    id: uuid.UUID
    name: str
    kind: OrgKind
    salesforce_id: str
    status: str
    customer_name: str | None = None
    # A sub-org's: its partner's Salesforce account it is linked to (at any tier).
    partner_salesforce_id: str | None = None
    # A partner's type: a top-level partner's, or a distributor's tier-2 partner's.
    partner_type: PartnerType | None = None
    # Its ancestors' names, top-level first: () at the top, (D, R) for R's customer.
    parent_chain: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        return len(self.parent_chain)

    @property
    def is_partner(self) -> bool:
        """A top-level partner, or a distributor's sub-org activated as a tier-2 partner."""
        return self.kind == OrgKind.PARTNER or self.partner_type is not None

    @property
    def described(self) -> str:
        """What the org is, in a drift's detail: "partner (distributor)",
        "tier-2 partner (reseller)", "sub_org", "standard"."""
        if self.partner_type is None:
            return self.kind.value
        tier = "tier-2 partner" if self.kind == OrgKind.SUB_ORG else "partner"
        return f"{tier} ({self.partner_type.value})"

    @property
    def crm_name(self) -> str:
        """The name its account should carry: a sub-org's account is its customer's."""
        return self.customer_name or self.name if self.kind == OrgKind.SUB_ORG else self.name


@dataclass(frozen=True)
class Drift:
    kind: DriftKind
    salesforce_id: str | None
    detail: str
    rows: tuple[int, ...] = ()
    org_id: uuid.UUID | None = None
    org_name: str | None = None
    account_name: str | None = None
    # Of the org it is about (None and () for an account without one).
    depth: int | None = None
    parent_chain: tuple[str, ...] = ()


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def reconcile(accounts: list[AccountRow], orgs: list[TreeOrg]) -> list[Drift]:
    """Every drift between the export's accounts and the orgs, in a stable order."""
    drifts = _id_problems(accounts)
    by_id: dict[str, AccountRow] = {}
    for account in accounts:
        by_id.setdefault(account.account_id, account)
    orgs_by_id = {org.salesforce_id: org for org in orgs}
    for account_id, account in by_id.items():
        org = orgs_by_id.get(account_id)
        if org is None:
            drifts.append(
                Drift(
                    DriftKind.ACCOUNT_WITHOUT_ORG,
                    account_id,
                    f"account {account.name!r} has no org",
                    rows=(account.row,),
                    account_name=account.name,
                )
            )
            continue
        drifts.extend(_differences(account, org))
    for org in orgs:
        if org.salesforce_id not in by_id:
            drifts.append(
                Drift(
                    DriftKind.ORG_NOT_IN_EXPORT,
                    org.salesforce_id,
                    f"{org.status} {org.described} {org.name!r}: its account is not in the export",
                    org_id=org.id,
                    org_name=org.name,
                    depth=org.depth,
                    parent_chain=org.parent_chain,
                )
            )
    return sorted(drifts, key=lambda d: (d.kind.value, d.salesforce_id or "", d.rows))


def _id_problems(accounts: list[AccountRow]) -> list[Drift]:
    """Rows naming one account more than once, and IDs only case tells apart."""
    drifts: list[Drift] = []
    same_account: dict[str, list[AccountRow]] = defaultdict(list)
    for account in accounts:
        same_account[account.account_id].append(account)
    for account_id, rows in same_account.items():
        if len(rows) < 2:
            continue
        forms = {len(r.written_id) for r in rows}
        kind = DriftKind.ID_FORMS_COLLIDE if len(forms) > 1 else DriftKind.DUPLICATE_ACCOUNT
        detail = (
            "the same account in its 15- and 18-character forms"
            if kind is DriftKind.ID_FORMS_COLLIDE
            else f"the account is listed {len(rows)} times"
        )
        drifts.append(
            Drift(kind, account_id, detail, tuple(r.row for r in rows), account_name=rows[0].name)
        )
    # Distinct accounts whose 15-character IDs differ only in case: one account
    # to any tool that ignores case (a spreadsheet lookup, a case-blind column).
    ignoring_case: dict[str, set[str]] = defaultdict(set)
    rows_of: dict[str, list[int]] = defaultdict(list)
    for account in accounts:
        ignoring_case[account.account_id[:15].lower()].add(account.account_id)
        rows_of[account.account_id[:15].lower()].append(account.row)
    for key, ids in ignoring_case.items():
        if len(ids) > 1:
            drifts.append(
                Drift(
                    DriftKind.ID_FORMS_COLLIDE,
                    ", ".join(sorted(ids)),
                    "distinct accounts whose 15-character IDs differ only in case",
                    tuple(rows_of[key]),
                )
            )
    return drifts


def _differences(account: AccountRow, org: TreeOrg) -> list[Drift]:
    found: list[Drift] = []

    def drift(kind: DriftKind, detail: str) -> None:
        found.append(
            Drift(
                kind,
                account.account_id,
                detail,
                rows=(account.row,),
                org_id=org.id,
                org_name=org.name,
                account_name=account.name,
                depth=org.depth,
                parent_chain=org.parent_chain,
            )
        )

    if not _same_name(account.name, org.crm_name):
        drift(DriftKind.NAME_DIFFERS, f"account {account.name!r}, org {org.crm_name!r}")
    if org.partner_salesforce_id is not None and account.parent_id != org.partner_salesforce_id:
        drift(
            DriftKind.PARTNER_LINK_DIFFERS,
            f"the sub-org is linked to partner account {org.partner_salesforce_id}; "
            f"the account's parent is {account.parent_id or 'none'}",
        )
    if account.is_partner is not None and account.is_partner != org.is_partner:
        drift(
            DriftKind.PARTNER_FLAG_DIFFERS,
            f"the account is {'' if account.is_partner else 'not '}flagged partner; "
            f"the org is a {org.described}",
        )
    return found
