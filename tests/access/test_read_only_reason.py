"""Why a setting is read-only for a person: the policy's rule, from plain facts."""

from __future__ import annotations

import uuid

from tenantree.access.permissions import Permission as P
from tenantree.access.policy import (
    Actor,
    MembershipFact,
    OrgFacts,
    ReadOnlyReason,
    read_only_reason,
)
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgKind

PARTNER, SUB = uuid.uuid4(), uuid.uuid4()
PARTNER_ORG = OrgFacts(PARTNER, OrgKind.PARTNER, None, True)


def _sub(*, may_brand: bool = False) -> OrgFacts:
    return OrgFacts(SUB, OrgKind.SUB_ORG, PARTNER, True, customer_may_brand=may_brand)


def _member(org_id: uuid.UUID, role: Role = Role.ADMIN) -> Actor:
    fact = MembershipFact(uuid.uuid4(), org_id, role, False, True, True)
    return Actor(uuid.uuid4(), memberships={org_id: fact})


def test_nothing_is_read_only_for_who_may_change_it() -> None:
    assert read_only_reason(_member(PARTNER), P.ORG_QUOTAS_MANAGE, _sub()) is None


def test_a_customer_admin_not_allowed_to_brand_is_told_the_partner_decides() -> None:
    reason = read_only_reason(_member(SUB), P.ORG_BRAND_MANAGE, _sub())
    assert reason == ReadOnlyReason.PARTNER_DECIDES_BRAND


def test_a_customer_admin_allowed_to_brand_may() -> None:
    assert read_only_reason(_member(SUB), P.ORG_BRAND_MANAGE, _sub(may_brand=True)) is None


def test_a_customer_admin_is_told_the_partner_sets_quotas() -> None:
    reason = read_only_reason(_member(SUB), P.ORG_QUOTAS_MANAGE, _sub())
    assert reason == ReadOnlyReason.PARTNER_SETS_QUOTAS


def test_a_customer_user_is_told_it_is_their_role_not_the_partner() -> None:
    reason = read_only_reason(_member(SUB, Role.USER), P.ORG_BRAND_MANAGE, _sub())
    assert reason == ReadOnlyReason.ROLE


def test_operator_only_settings_say_so_even_to_admins() -> None:
    reason = read_only_reason(_member(PARTNER), P.PLATFORM_ORGS_MANAGE, PARTNER_ORG)
    assert reason == ReadOnlyReason.OPERATOR_ONLY
    operator = Actor(uuid.uuid4(), is_operator=True)
    assert read_only_reason(operator, P.PLATFORM_ORGS_MANAGE, PARTNER_ORG) is None
