"""What an org is: its kind, edition, partner type and status (plain enums, no database)."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    STANDARD = "standard"
    PARTNER = "partner"
    SUB_ORG = "sub_org"


class PartnerType(StrEnum):
    MSP = "msp"
    RESELLER = "reseller"
    # A top-level partner whose customers may themselves be activated as MSPs
    # or resellers (tier 2), with customers of their own (tier 3).
    DISTRIBUTOR = "distributor"


# The partner types a distributor's customer may be activated as (tier 2).
TIER_TWO_TYPES = frozenset({PartnerType.MSP, PartnerType.RESELLER})

# How deep the tree may go: a top-level org has depth 0, its sub-orgs 1, and so
# on; at most 4 levels below the platform (the database holds to it too).
MAX_DEPTH = 3


class Edition(StrEnum):
    STANDARD = "standard"
    PRO = "pro"


class OrgStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class PartnerCustomers(StrEnum):
    """What happens to a partner's customers (sub-orgs) when it is deactivated."""

    # Deactivated with it; reactivating the partner reactivates them.
    SUSPEND = "suspend"
    # They keep working and keep drawing on its pool, flagged in its report.
    KEEP_RUNNING = "keep_running"


class CustomerAccess(StrEnum):
    """Whether a sub-org's own users may sign in to it (its partner decides)."""

    PERMITTED = "permitted"
    REFUSED = "refused"
