"""Placing the orgs a reader reaches into the file's shape (plain).

One rule for both stores, so a local and a remote export of the same orgs
are the same file: the database's read (treeplan.current) reaches every org,
the API's (cli.tree_store) what the token's account reaches.

A reached org whose parent is not reached is a top-level entry of the file
when it may be one: a top-level org, or a partner seen from inside (a tier-2
partner's own admin does not reach its distributor). Such a tier-2 partner is
written with its own fields only: its customer name, source, quotas and
access settings are its distributor's terms for it, not in its admin's file.
A customer whose partner is not reached has no place in the file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from tenantree.orgs.kinds import PartnerType
from tenantree.treeplan.document import CustomerSpec, PartnerSpec, SubOrgSpec, Tree

Row = TypeVar("Row")
RowT = TypeVar("RowT", contravariant=True)


@dataclass(frozen=True)
class Reached(Generic[Row]):
    """An org as read, with where it sits; `row` is the reader's own record of it."""

    id: Hashable
    parent_id: Hashable | None
    is_sub_org: bool
    partner_type: PartnerType | None
    row: Row


class FieldReader(Protocol[RowT]):
    def own(self, org: RowT) -> dict[str, Any]:
        """The org's own fields (OrgSpec's): name, edition, status, licenses, brand."""
        ...

    def as_customer(self, org: RowT, partner: RowT) -> dict[str, Any]:
        """Its own fields and its partner's terms for it (CustomerSpec's)."""
        ...


def nest(orgs: Sequence[Reached[Row]], fields: FieldReader[Row]) -> Tree:
    """The reached orgs as a tree, each level in the order given."""
    by_id = {org.id: org for org in orgs}
    children: dict[Hashable, list[Reached[Row]]] = defaultdict(list)
    for org in orgs:
        if org.parent_id is not None and org.parent_id in by_id:
            children[org.parent_id].append(org)

    def sub_org(org: Reached[Row], partner: Reached[Row]) -> SubOrgSpec:
        return SubOrgSpec(
            **fields.as_customer(org.row, partner.row),
            partner_type=org.partner_type,
            sub_orgs=[
                CustomerSpec(**fields.as_customer(customer.row, org.row))
                for customer in children[org.id]
            ],
        )

    def is_top(org: Reached[Row]) -> bool:
        if org.parent_id is not None and org.parent_id in by_id:
            return False
        return not org.is_sub_org or org.partner_type is not None

    return Tree(
        orgs=[
            PartnerSpec(
                **fields.own(org.row),
                partner_type=org.partner_type,
                sub_orgs=[sub_org(child, org) for child in children[org.id]],
            )
            for org in orgs
            if is_top(org)
        ]
    )
