"""A synthetic Salesforce Accounts export with every kind of drift planted once.

`planted_orgs()` is the tree (as reconciliation sees it); `planted_export()`
the CSV, written as a Salesforce report writes it (BOM, quoted fields, CRLF,
report headers, a footer after a blank row). Every account and org not named
in PLANTED agrees with the other side.
"""

from __future__ import annotations

import uuid

from tenantree.crm.drift import DriftKind, TreeOrg
from tenantree.orgs.kinds import OrgKind
from tenantree.orgs.models import Org
from tenantree.orgs.salesforce import checksum_suffix


def sfid(n: int, *, long: bool = True, letter: str = "A") -> str:
    id15 = f"001{letter}{n:011d}"
    return id15 + checksum_suffix(id15) if long else id15


PARTNER = sfid(1)
SUB_ORG_OK = sfid(2)
SUB_ORG_MOVED = sfid(3)  # its account's parent is another account
RENAMED = sfid(4)
STRAY = sfid(5)  # an account with no org; SUB_ORG_MOVED's account's parent
LISTED_TWICE = sfid(6)
BOTH_FORMS = sfid(7)
FLAGGED = sfid(8)  # a standard org whose account is flagged partner
NOT_EXPORTED = sfid(9)

# The one drift each planted fault must produce: kind -> the Salesforce ID it names.
PLANTED = {
    DriftKind.ACCOUNT_WITHOUT_ORG: STRAY,
    DriftKind.DUPLICATE_ACCOUNT: LISTED_TWICE,
    DriftKind.ID_FORMS_COLLIDE: BOTH_FORMS,
    DriftKind.NAME_DIFFERS: RENAMED,
    DriftKind.ORG_NOT_IN_EXPORT: NOT_EXPORTED,
    DriftKind.PARTNER_FLAG_DIFFERS: FLAGGED,
    DriftKind.PARTNER_LINK_DIFFERS: SUB_ORG_MOVED,
}
assert set(PLANTED) == set(DriftKind), "plant every kind"


def planted_orgs() -> list[TreeOrg]:
    def org(sf: str, name: str, kind: OrgKind = OrgKind.STANDARD, **more) -> TreeOrg:  # type: ignore[no-untyped-def]
        return TreeOrg(uuid.uuid4(), name, kind, sf, "active", **more)

    def customer(sf: str, name: str) -> TreeOrg:
        return org(sf, f"{name} (tenant)", OrgKind.SUB_ORG, customer_name=name,
                   partner_salesforce_id=PARTNER)  # fmt: skip

    return [
        org(PARTNER, "Northwind MSP", OrgKind.PARTNER),
        customer(SUB_ORG_OK, "Contoso Ltd"),
        customer(SUB_ORG_MOVED, "Fabrikam GmbH"),
        org(RENAMED, "Litware Inc"),
        org(LISTED_TWICE, "Tailspin Toys"),
        org(BOTH_FORMS, "Wingtip Toys"),
        org(FLAGGED, "Adventure Works"),
        org(NOT_EXPORTED, "Proseware"),
    ]


def planted_export() -> bytes:
    lines = [
        '"Account ID","Account Name","Parent Account ID","Type","Is Partner","Billing City"',
        f'"{PARTNER}","Northwind MSP","","Partner","1","Leeds"',
        f'"{SUB_ORG_OK[:15]}","Contoso  ltd","{PARTNER}","Customer","0","Paris"',
        f'"{SUB_ORG_MOVED}","Fabrikam GmbH","{STRAY}","Customer","0","Berlin"',
        f'"{RENAMED}","Litware, Inc.","","Customer","0","Austin, TX"',
        f'"{STRAY}","Stray Holdings","","Prospect","0",""',
        f'"{LISTED_TWICE}","Tailspin Toys","","Customer","0",""',
        f'"{LISTED_TWICE}","Tailspin Toys","","Customer","0",""',
        f'"{BOTH_FORMS[:15]}","Wingtip Toys","","Customer","0",""',
        f'"{BOTH_FORMS}","Wingtip Toys","","Customer","0",""',
        f'"{FLAGGED}","Adventure Works","","Partner","1",""',
        "",
        '"Accounts with parents"',
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def plant_tree(session) -> None:  # type: ignore[no-untyped-def]
    """The planted tree as org rows (sub-orgs under the partner)."""
    facts = planted_orgs()
    (partner,) = [f for f in facts if f.kind == OrgKind.PARTNER]
    partner_row = Org(id=partner.id, name=partner.name, kind=partner.kind, partner_type="msp",
                      salesforce_id=partner.salesforce_id)  # fmt: skip
    session.add(partner_row)
    session.flush()
    for fact in facts:
        if fact is partner:
            continue
        session.add(
            Org(
                id=fact.id,
                name=fact.name,
                kind=fact.kind,
                salesforce_id=fact.salesforce_id,
                customer_name=fact.customer_name,
                partner_salesforce_id=fact.partner_salesforce_id,
                parent_id=partner.id if fact.kind == OrgKind.SUB_ORG else None,
                parent_depth=0 if fact.kind == OrgKind.SUB_ORG else None,
                depth=1 if fact.kind == OrgKind.SUB_ORG else 0,
            )
        )
    session.flush()
