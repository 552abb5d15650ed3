"""Tree files for the treeplan tests: Salesforce IDs and small builders."""

from __future__ import annotations

from datetime import UTC, datetime

from tenantree.orgs.salesforce import checksum_suffix
from tenantree.treeplan.document import (
    LicenseSpec,
    PartnerSpec,
    SubOrgSpec,
    Tree,
)

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)


def sfid(n: int, tag: str = "TREE") -> str:
    """An 18-character Salesforce account ID, the n-th of a series."""
    body = f"001{tag}{n:08d}"
    return body + checksum_suffix(body)


def license_(sku: str = "endpoint-protection", quantity: int = 100, **kw: object) -> LicenseSpec:
    fields: dict[str, object] = {
        "sku": sku,
        "unit": "devices",
        "quantity": quantity,
        "starts_at": START,
        "ends_at": END,
    }
    return LicenseSpec.model_validate(fields | kw)


def sub_org(n: int, **kw: object) -> SubOrgSpec:
    fields: dict[str, object] = {
        "salesforce_id": sfid(n),
        "name": f"Customer {n}",
        "customer_name": f"Customer {n} Ltd",
    }
    return SubOrgSpec.model_validate(fields | kw)


def msp(subs: list[SubOrgSpec], n: int = 0, **kw: object) -> PartnerSpec:
    fields: dict[str, object] = {
        "salesforce_id": sfid(n, tag="PTNR"),
        "name": "Northwind MSP",
        "edition": "pro",
        "partner_type": "msp",
        "primary_admin_email": "pat@northwind.example",
        "sub_orgs": subs,
    }
    return PartnerSpec.model_validate(fields | kw)


def generated_tree(count: int) -> Tree:
    """One MSP with `count` sub-orgs, each with a license, a quota and access settings."""
    subs = [
        sub_org(
            i,
            licenses=[license_(quantity=10 + i % 7)],
            quotas={"endpoint-protection": 50 + i % 5},
            access={"customer_access": "refused" if i % 10 == 0 else "permitted"},
        )
        for i in range(count)
    ]
    return Tree(orgs=[msp(subs, licenses=[license_(quantity=100_000)])])


def distributor(subs: list[SubOrgSpec], n: int = 0, **kw: object) -> PartnerSpec:
    fields: dict[str, object] = {
        "salesforce_id": sfid(n, tag="DIST"),
        "name": "Contoso Distribution",
        "edition": "pro",
        "partner_type": "distributor",
        "primary_admin_email": "dana@contosodist.example",
        "sub_orgs": subs,
    }
    return PartnerSpec.model_validate(fields | kw)


def tier_two(n: int, customers: list[int], partner_type: str = "msp", **kw: object) -> SubOrgSpec:
    """A distributor's tier-2 partner (Salesforce IDs tagged TIER) with its customers."""
    fields: dict[str, object] = {
        "salesforce_id": sfid(n, tag="TIER"),
        "name": f"Tier-2 {partner_type} {n}",
        "customer_name": f"Tier-2 {n} Ltd",
        "partner_type": partner_type,
        "sub_orgs": [sub_org(c) for c in customers],
    }
    return SubOrgSpec.model_validate(fields | kw)
