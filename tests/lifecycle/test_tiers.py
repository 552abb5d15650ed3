"""The plain rules of the channel's tiers: who may become a partner, how deep."""

from __future__ import annotations

import pytest

from tenantree.lifecycle.tiers import (
    TreeTooDeep,
    check_activation,
    check_child_depth,
    subtree_fits,
)
from tenantree.orgs.errors import NotEligibleForPartner
from tenantree.orgs.kinds import MAX_DEPTH, PartnerType


@pytest.mark.parametrize("partner_type", list(PartnerType))
def test_a_top_level_org_may_become_any_partner(partner_type: PartnerType) -> None:
    check_activation(
        is_sub_org=False, parent_is_distributor=False, depth=0, partner_type=partner_type
    )


@pytest.mark.parametrize("partner_type", [PartnerType.MSP, PartnerType.RESELLER])
def test_a_distributors_customer_may_become_an_msp_or_reseller(partner_type: PartnerType) -> None:
    check_activation(
        is_sub_org=True, parent_is_distributor=True, depth=1, partner_type=partner_type
    )


def test_a_distributors_customer_may_not_become_a_distributor() -> None:
    with pytest.raises(NotEligibleForPartner) as refused:
        check_activation(
            is_sub_org=True,
            parent_is_distributor=True,
            depth=1,
            partner_type=PartnerType.DISTRIBUTOR,
        )
    assert refused.value.field == "partner_type"


def test_a_customer_of_an_msp_or_reseller_may_not_become_a_partner() -> None:
    with pytest.raises(NotEligibleForPartner, match="only under a distributor"):
        check_activation(
            is_sub_org=True, parent_is_distributor=False, depth=2, partner_type=PartnerType.MSP
        )


def test_no_child_below_the_depth_bound() -> None:
    check_child_depth(MAX_DEPTH - 1)
    with pytest.raises(TreeTooDeep) as refused:
        check_child_depth(MAX_DEPTH)
    assert refused.value.status == 409


def test_a_subtree_fits_only_within_the_bound() -> None:
    assert subtree_fits(1, MAX_DEPTH - 1)
    assert not subtree_fits(2, MAX_DEPTH - 1)
