"""Three tiers drawing through two pools (licensing.linked), for the licensing,
lifecycle and concurrency tests: a world to build and the invariants to hold."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import make_license, make_partner, make_sub_org
from tenantree.licensing.models import (
    Consumption,
    LicensePool,
    LicenseSource,
    LicenseSourceChange,
)
from tenantree.licensing.policies import OveragePolicy
from tenantree.licensing.sources import current_path
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org

SKU = "mon"


@dataclass
class Tiers:
    """Distributors D and D2; MSPs A (under D) and B (under D2), both drawing
    on their distributor's pool; customers C (under A) and C2 (under B); Y a
    direct customer of D drawing on D's pool."""

    D: Org
    D2: Org
    A: Org
    B: Org
    C: Org
    C2: Org
    Y: Org


def tier_two(session: Session, distributor: Org, *, linked: bool = True) -> Org:
    org = make_sub_org(session, distributor)
    org.partner_type = PartnerType.MSP
    session.flush()
    if linked:
        set_source(session, org, LicenseSource.PARENT_POOL)
    return org


def set_source(session: Session, org: Org, source: LicenseSource) -> None:
    session.add(LicenseSourceChange(org_id=org.id, source=source))
    session.flush()


def build_tiers(
    session: Session,
    *,
    quantity: int = 100,
    quantity2: int = 100,
    policy: OveragePolicy = OveragePolicy.BLOCK,
) -> Tiers:
    d = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    d2 = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    make_license(session, d, quantity=quantity, overage_policy=policy)
    make_license(session, d2, quantity=quantity2, overage_policy=policy)
    a, b = tier_two(session, d), tier_two(session, d2)
    y = make_sub_org(session, d)
    set_source(session, y, LicenseSource.PARENT_POOL)
    # An MSP's customers draw on its pool by default.
    return Tiers(d, d2, a, b, make_sub_org(session, a), make_sub_org(session, b), y)


def pool_used(session: Session, holder: Org, sku: str = SKU) -> int:
    used = session.scalar(
        select(LicensePool.used).where(
            LicensePool.holder_org_id == holder.id, LicensePool.sku == sku
        )
    )
    return used or 0


def row_units(session: Session, holder: Org, org: Org, sku: str = SKU) -> int:
    units = session.scalar(
        select(Consumption.units)
        .join(LicensePool, LicensePool.id == Consumption.pool_id)
        .where(
            LicensePool.holder_org_id == holder.id,
            LicensePool.sku == sku,
            Consumption.org_id == org.id,
        )
    )
    return units or 0


def assert_pools_equal_their_rows(session: Session) -> None:
    """Every pool's use is the sum of its consumers' rows."""
    summed = dict(
        session.execute(
            select(Consumption.pool_id, func.sum(Consumption.units)).group_by(Consumption.pool_id)
        ).all()
    )
    for pool_id, used in session.execute(select(LicensePool.id, LicensePool.used)):
        assert used == (summed.get(pool_id) or 0), pool_id


def assert_linked_invariants(session: Session, orgs: list[uuid.UUID]) -> None:
    """Every pool's use is the sum of its rows; every linked pool's row in its
    distributor's pool equals its use; each org draws only on its path."""
    assert_pools_equal_their_rows(session)
    for org_id in orgs:
        org = session.get_one(Org, org_id)
        path = current_path(session, org)
        drawing = set(
            session.scalars(
                select(LicensePool.holder_org_id)
                .join(Consumption, Consumption.pool_id == LicensePool.id)
                .where(Consumption.org_id == org.id, Consumption.units > 0)
            )
        )
        allowed = {path.holder_id}
        if path.link is not None and path.link.partner_id == org.id:
            allowed.add(path.link.distributor_id)
        assert drawing <= allowed, (org.name, path)
        if path.link is not None and path.link.partner_id == org.id:
            for pool_id, sku, used in session.execute(
                select(LicensePool.id, LicensePool.sku, LicensePool.used).where(
                    LicensePool.holder_org_id == org.id
                )
            ):
                above = session.get_one(Org, path.link.distributor_id)
                assert row_units(session, above, org, sku) == used, (org.name, sku, pool_id)
        elif org.is_partner:
            # Not linked: nothing of it in its partner's pools.
            parent = session.get(Org, org.parent_id) if org.parent_id else None
            if parent is not None:
                assert all(
                    row_units(session, parent, org, sku) == 0
                    for sku in session.scalars(
                        select(LicensePool.sku).where(LicensePool.holder_org_id == parent.id)
                    )
                ), org.name
