"""The channel's tiers, as plain rules: who may become a partner, how deep the tree goes.

A top-level org may become any partner: an MSP, a reseller or a distributor.
A distributor's customer (tier 2) may itself become an MSP or a reseller, with
customers of its own (tier 3); it stays its distributor's sub-org, so the
distributor's settings for it (access, license source, quotas) still apply.
No deeper partner: a tier-2 partner's customers are customers only. The
database bounds the depth too (`orgs.models`, MAX_DEPTH).

No database here, so the rules are tested directly (tests/lifecycle/test_tiers.py).
"""

from __future__ import annotations

from tenantree.errors import Conflict
from tenantree.orgs.errors import NotEligibleForPartner
from tenantree.orgs.kinds import MAX_DEPTH, TIER_TWO_TYPES, PartnerType


class TreeTooDeep(Conflict):
    code = "tree_too_deep"


def check_activation(
    *, is_sub_org: bool, parent_is_distributor: bool, depth: int, partner_type: PartnerType
) -> None:
    """Raise 422 naming the rule when the org may not become this kind of partner."""
    if not is_sub_org:
        return
    if not parent_is_distributor:
        raise NotEligibleForPartner(
            "a sub-org can become a partner only under a distributor", field="partner_type"
        )
    if partner_type not in TIER_TWO_TYPES:
        raise NotEligibleForPartner(
            "a distributor's customer can become an MSP or a reseller, not a distributor",
            field="partner_type",
        )
    check_child_depth(depth)


def check_child_depth(parent_depth: int) -> None:
    """409 when a child of an org this deep would pass the depth bound."""
    if parent_depth + 1 > MAX_DEPTH:
        raise TreeTooDeep(
            f"the tree is at most {MAX_DEPTH + 1} levels below the platform",
            field="parent_id",
        )


def subtree_fits(new_depth: int, height: int) -> bool:
    """Does a subtree `height` levels below its root fit with the root at `new_depth`?"""
    return new_depth + height <= MAX_DEPTH
