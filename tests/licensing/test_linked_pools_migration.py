"""Migration 0023 moves a tier-2 partner drawing on its distributor's pool into
the linked shape: its own use into its pool, its row above equal to its pool's use."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from factories import make_license, make_partner, make_sub_org
from linked_pools_support import assert_linked_invariants, pool_used, row_units, tier_two
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db import migrate as migrations
from tenantree.licensing.models import Consumption, LicensePool
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org


def _old_use(session, pool: LicensePool, org, units: int) -> None:  # type: ignore[no-untyped-def]
    """A use as the code before 0023 wrote it: a row and the pool's use, nothing else."""
    session.add(Consumption(pool_id=pool.id, org_id=org.id, units=units))
    session.execute(
        update(LicensePool).where(LicensePool.id == pool.id).values(used=LicensePool.used + units)
    )


def test_upgrade_links_a_tier_two_partners_pool(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before.db'}"
    migrations.upgrade(url, "0022")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        d = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
        make_license(session, d, quantity=100)
        a = tier_two(session, d)  # its source: parent_pool
        make_license(session, a, quantity=50)
        own = tier_two(session, d, linked=False)
        make_license(session, own, quantity=20)
        c, c_own = make_sub_org(session, a), make_sub_org(session, own)
        pools = {p.holder_org_id: p for p in session.query(LicensePool)}
        _old_use(session, pools[d.id], a, 7)  # A's own use, in D's pool
        _old_use(session, pools[a.id], c, 3)  # its customer's, in A's pool
        _old_use(session, pools[own.id], c_own, 4)
        session.commit()
        ids = [x.id for x in (d, a, own, c, c_own)]
    migrations.upgrade(url)
    with sessions() as session:
        assert_linked_invariants(session, ids)
        d, a, own = (session.get_one(Org, i) for i in ids[:3])
        assert pool_used(session, a) == 10 and row_units(session, a, a) == 7
        assert row_units(session, d, a) == 10 and pool_used(session, d) == 10
        assert pool_used(session, own) == 4 and row_units(session, d, own) == 0
    engine.dispose()
