"""Which columns a partner's customers overview shows: those of the pages the
reader may open for a customer through the partner."""

from __future__ import annotations

import uuid

from tenantree.access.policy import (
    Actor,
    CustomerColumns,
    MembershipFact,
    OrgFacts,
    customer_columns,
)
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgKind

PARTNER = OrgFacts(id=uuid.uuid4(), kind=OrgKind.PARTNER, parent_id=None, active=True)


def reader(role: Role, *, active: bool = True) -> Actor:
    entry = MembershipFact(uuid.uuid4(), PARTNER.id, role, False, active, True)
    return Actor(uuid.uuid4(), False, {PARTNER.id: entry}, None)


def test_a_partner_admin_sees_use_access_and_users() -> None:
    assert customer_columns(reader(Role.ADMIN), PARTNER) == CustomerColumns(True, True, True)


def test_a_partner_user_sees_names_only() -> None:
    assert customer_columns(reader(Role.USER), PARTNER) == CustomerColumns(False, False, False)


def test_a_suspended_partner_admin_sees_nothing_beside_the_names() -> None:
    columns = customer_columns(reader(Role.ADMIN, active=False), PARTNER)
    assert columns == CustomerColumns(False, False, False)


def test_an_operator_sees_every_column() -> None:
    operator = Actor(uuid.uuid4(), True, {}, None)
    assert customer_columns(operator, PARTNER) == CustomerColumns(True, True, True)
