"""`explain` for a distributor's staff reaching a tier-2 partner's customer C
when windows apply at both levels: the window into C (R's grant) and the one
into R (D's grant). The earlier end binds, and the sentence names its level."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tenantree import clock
from tenantree.access.explain import Rule, explain
from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    Actor,
    MembershipFact,
    OrgFacts,
    partner_access_along,
    partner_reaches_until,
)
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgKind

D, R, C = (uuid.uuid4() for _ in range(3))
NAMES = {D: "Contoso Distribution", R: "Fabrikam IT", C: "Litware"}
TECHNICIAN = MembershipFact(uuid.uuid4(), D, Role.USER, False, True, True)


def _customer(r_listing_ends, c_window_ends) -> OrgFacts:  # type: ignore[no-untyped-def]
    """R lists D's technician until one end (a time-bound grant); C lets R's
    partner users in as a whole until another (a partner-wide window)."""
    if r_listing_ends is None:
        tier_two = OrgFacts(id=R, kind=OrgKind.SUB_ORG, parent_id=D, active=True)
    else:
        tier_two = OrgFacts(
            id=R,
            kind=OrgKind.SUB_ORG,
            parent_id=D,
            active=True,
            partner_users=frozenset({TECHNICIAN.membership_id}),
            partner_users_until={TECHNICIAN.membership_id: r_listing_ends},
            is_partner=True,
        )
    return OrgFacts(
        id=C,
        kind=OrgKind.SUB_ORG,
        parent_id=R,
        active=True,
        parent=tier_two,
        partner_users=frozenset() if c_window_ends else None,
        partner_access_until=c_window_ends,
    )


def _why(org: OrgFacts) -> tuple[Rule, str]:
    actor = Actor(account_id=uuid.uuid4(), memberships={D: TECHNICIAN})
    why = explain(actor, Permission.ORG_VIEW, org)
    return why.rule, why.sentence(who="tech@contosodist.example", org_name="Litware", names=NAMES)


@pytest.mark.parametrize("binding", ["distributor level", "tier-2 level"])
def test_the_earlier_of_the_two_windows_is_named_with_its_level(binding: str) -> None:
    now = clock.utcnow()
    sooner, later = now + timedelta(hours=1), now + timedelta(hours=5)
    if binding == "distributor level":
        org, level = _customer(sooner, later), "Fabrikam IT"
    else:
        org, level = _customer(later, sooner), "Litware"
    rule, text = _why(org)
    assert rule == Rule.ROLE_GRANTS
    assert f"This access ends at {sooner:%Y-%m-%d %H:%M} UTC" in text
    assert f"{later:%Y-%m-%d %H:%M}" not in text
    assert f"the partner access window into {level} closes first" in text
    assert "partner staff of Contoso Distribution" in text
    assert partner_access_along(org, TECHNICIAN) == (True, sooner, R if level != "Litware" else C)
    # What C's admins are shown of D's staff agrees.
    assert partner_reaches_until(org, TECHNICIAN) == (True, sooner)


def test_a_grant_at_the_distributor_level_ends_access_the_customer_gives_for_good() -> None:
    # C lets R's partner users in for good; R's grant to D's technician ends.
    ends = clock.utcnow() + timedelta(hours=2)
    rule, text = _why(_customer(ends, None))
    assert rule == Rule.ROLE_GRANTS
    assert f"ends at {ends:%Y-%m-%d %H:%M} UTC: the partner access window into Fabrikam IT" in text


def test_an_ended_grant_at_the_distributor_level_is_named_when_the_way_in_is_gone() -> None:
    now = clock.utcnow()
    ended, open_window = now - timedelta(hours=1), now + timedelta(hours=5)
    rule, text = _why(_customer(ended, open_window))
    assert rule == Rule.NO_PATH
    assert f"their partner access ended at {ended:%Y-%m-%d %H:%M} UTC" in text
    assert "when the partner access window into Fabrikam IT closed" in text


def test_an_unseen_tier_two_partner_is_named_by_its_relation() -> None:
    now = clock.utcnow()
    org = _customer(now + timedelta(hours=1), now + timedelta(hours=5))
    actor = Actor(account_id=uuid.uuid4(), memberships={D: TECHNICIAN})
    why = explain(actor, Permission.ORG_VIEW, org)
    text = why.sentence(who="a partner user", org_name="Litware", names={C: "Litware"})
    assert "partner staff of a partner above its partner" in text
    assert "the partner access window into its partner closes first" in text
    assert "Fabrikam" not in text and "Contoso" not in text
