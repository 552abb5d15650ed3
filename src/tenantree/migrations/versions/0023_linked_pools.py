"""linked pools: a tier-2 partner drawing on its distributor's pool holds its
whole use in its own pool, whose one row in the distributor's pool equals it

Until now a tier-2 partner whose license source is parent_pool drew on its
distributor's pool for its own use only, and its customers drew on its own
pool alone. From now its pool is linked (licensing/linked.py): its own use
sits in its own pool beside its customers', and its row in the distributor's
pool equals its pool's use. This moves the data there: for each such partner
and SKU, its own use in the distributor's pool moves into its pool, and its
row in the distributor's pool (and that pool's use) becomes its pool's use;
use the distributor lacks licenses for is kept, flagged over quantity in the
reports (as a move with allow_overage). No schema change.

Revision ID: 0023
Revises: 0022
Create Date: 2027-02-01 09:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_orgs = sa.table(
    "orgs",
    sa.column("id", sa.Uuid),
    sa.column("kind", sa.String),
    sa.column("partner_type", sa.String),
    sa.column("parent_id", sa.Uuid),
)
_changes = sa.table(
    "license_source_changes",
    sa.column("id", sa.Uuid),
    sa.column("org_id", sa.Uuid),
    sa.column("source", sa.String),
    sa.column("at", sa.DateTime),
)
_pools = sa.table(
    "license_pools",
    sa.column("id", sa.Uuid),
    sa.column("holder_org_id", sa.Uuid),
    sa.column("sku", sa.String),
    sa.column("unit", sa.String),
    sa.column("used", sa.BigInteger),
)
_uses = sa.table(
    "consumptions",
    sa.column("id", sa.Uuid),
    sa.column("pool_id", sa.Uuid),
    sa.column("org_id", sa.Uuid),
    sa.column("units", sa.BigInteger),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _linked_partners(conn: sa.Connection) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tier-2 partner, distributor) for each partner whose newest source is parent_pool."""
    found = []
    rows = conn.execute(
        sa.select(_orgs.c.id, _orgs.c.parent_id).where(
            _orgs.c.kind == "sub_org", _orgs.c.partner_type.is_not(None)
        )
    ).all()
    for org_id, parent_id in rows:
        latest = conn.scalar(
            sa.select(_changes.c.source)
            .where(_changes.c.org_id == org_id)
            .order_by(_changes.c.at.desc(), _changes.c.id.desc())
            .limit(1)
        )
        if latest == "parent_pool":  # with none, a distributor's sub-org holds its own
            found.append((org_id, parent_id))
    return found


def _find_pool(conn: sa.Connection, holder: uuid.UUID, sku: str) -> uuid.UUID | None:
    return conn.scalar(
        sa.select(_pools.c.id).where(_pools.c.holder_org_id == holder, _pools.c.sku == sku)
    )


def _new_pool(conn: sa.Connection, holder: uuid.UUID, sku: str, unit: str) -> uuid.UUID:
    pool_id = uuid.uuid4()
    conn.execute(
        sa.insert(_pools).values(id=pool_id, holder_org_id=holder, sku=sku, unit=unit, used=0)
    )
    return pool_id


def _set_use(conn: sa.Connection, pool_id: uuid.UUID, org_id: uuid.UUID, units: int) -> int:
    """Set the org's units in the pool and move the pool's use by the difference."""
    row = conn.execute(
        sa.select(_uses.c.id, _uses.c.units).where(
            _uses.c.pool_id == pool_id, _uses.c.org_id == org_id
        )
    ).first()
    now = datetime.now(UTC)
    if row is None:
        conn.execute(
            sa.insert(_uses).values(
                id=uuid.uuid4(), pool_id=pool_id, org_id=org_id, units=units, updated_at=now
            )
        )
        before = 0
    else:
        conn.execute(
            sa.update(_uses).where(_uses.c.id == row[0]).values(units=units, updated_at=now)
        )
        before = row[1]
    conn.execute(
        sa.update(_pools)
        .where(_pools.c.id == pool_id)
        .values(used=_pools.c.used + (units - before))
    )
    return units - before


def upgrade() -> None:
    conn = op.get_bind()
    for partner, distributor in _linked_partners(conn):
        skus = dict(
            conn.execute(
                sa.select(_pools.c.sku, _pools.c.unit).where(
                    _pools.c.holder_org_id.in_([partner, distributor])
                )
            ).all()
        )
        for sku, unit in sorted(skus.items()):
            above = _find_pool(conn, distributor, sku)
            own_use = 0
            if above is not None:
                own_use = (
                    conn.scalar(
                        sa.select(_uses.c.units).where(
                            _uses.c.pool_id == above, _uses.c.org_id == partner
                        )
                    )
                    or 0
                )
            pool_id = _find_pool(conn, partner, sku)
            used = (
                0
                if pool_id is None
                else conn.scalar(sa.select(_pools.c.used).where(_pools.c.id == pool_id))
            )
            if not own_use and not used:
                continue  # nothing drawn: the pool links on its first use
            pool_id = pool_id or _new_pool(conn, partner, sku, unit)
            if own_use:
                held = conn.scalar(
                    sa.select(_uses.c.units).where(
                        _uses.c.pool_id == pool_id, _uses.c.org_id == partner
                    )
                )
                _set_use(conn, pool_id, partner, (held or 0) + own_use)
            used = conn.scalar(sa.select(_pools.c.used).where(_pools.c.id == pool_id)) or 0
            _set_use(conn, above or _new_pool(conn, distributor, sku, unit), partner, used)


def downgrade() -> None:
    # The data stays as it is: a linked pool's row reads, under the older
    # rule, as the partner's own draw on its distributor's pool.
    pass
