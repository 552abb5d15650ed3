"""Why a setting is read-only for this person, in words naming the partner.

The rule is the policy's (`policy.read_only_reason`); this only words it.
"""

from __future__ import annotations

from tenantree.access.permissions import Permission
from tenantree.access.policy import ReadOnlyReason, read_only_reason
from tenantree.orgs.models import Org
from tenantree.web.orgs import OrgRequest


def partner_name(target: OrgRequest) -> str:
    parent_id = target.org.parent_id
    parent = target.session.get(Org, parent_id) if parent_id is not None else None
    return parent.name if parent is not None else "your partner"


def read_only_message(target: OrgRequest, permission: Permission) -> str | None:
    """None when the person may change it."""
    reason = read_only_reason(target.target.actor, permission, target.target.loaded.facts)
    if reason is None:
        return None
    if reason == ReadOnlyReason.OPERATOR_ONLY:
        return "Only the platform's operators change this."
    if reason == ReadOnlyReason.PARTNER_DECIDES_BRAND:
        return (
            f"{partner_name(target)} manages the brand of {target.org.name} and has not "
            "allowed it to set its own. Ask them to allow it."
        )
    if reason == ReadOnlyReason.PARTNER_SETS_QUOTAS:
        return f"{partner_name(target)} sets the quotas of {target.org.name}."
    return f"Your role in {target.org.name} does not allow changing this; an administrator can."
